/* test_community_id.c: unit tests of src/proto/communityid.c (Community ID v1) against the published
 * baseline vectors, plus values cross-checked with tshark 4.0 on a shared capture.
 *
 * Vector sources (values copied by hand, not generated):
 *  - github.com/corelight/community-id-spec, baseline/README.md @ c4ec2bc40d65ddbcbdd642582bf5609797a80772,
 *    tables "Default settings" and "A custom seed=1 value" (TCP/UDP/SCTP/ICMP/ICMPv6/RSVP, both directions);
 *  - the same repo, baseline/baseline_deflt.json and baseline_seed1.json (tuples from its pcaps/combined.pcap);
 *  - github.com/corelight/zeek-community-id, tests/Baseline/communityid.run-pcaps/{tcp,udp,ipv6}.pcap.out.
 * Shared capture: /work/shared/pcaps/eternalsafety_wannacry.pcap, checked with
 *   tshark -r eternalsafety_wannacry.pcap --enable-protocol communityid -T fields -e communityid
 *   (tshark 4.0.17, communityid.seed 0, do_base64 TRUE). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "proto/communityid.h"

struct vec {
    uint16_t seed;
    uint8_t proto;
    const char *src, *dst;
    uint16_t sport, dport;
    const char *id;
};

static void check(const struct vec *v)
{
    uint8_t s[16] = {0}, d[16] = {0};
    uint8_t ipver = strchr(v->src, ':') ? 6 : 4;
    int af = ipver == 6 ? AF_INET6 : AF_INET;
    assert_int_equal(inet_pton(af, v->src, s), 1);
    assert_int_equal(inet_pton(af, v->dst, d), 1);
    char out[COMMUNITYID_V1_SIZE];
    assert_int_equal(communityid_v1(v->seed, ipver, v->proto, s, d, v->sport, v->dport, out), 0);
    if (strcmp(out, v->id)) {
        print_error("seed %u proto %u %s:%u -> %s:%u: got %s, want %s\n", v->seed, v->proto, v->src, v->sport,
                    v->dst, v->dport, out, v->id);
        fail();
    }
    assert_int_equal(strlen(out), COMMUNITYID_V1_SIZE - 1);
}

/* community-id-spec baseline/README.md, "Default settings" (seed 0) and "A custom seed=1 value". */
static const struct vec readme[] = {
    {0, 6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:wCb3OG7yAFWelaUydu0D+125CLM="},
    {0, 6, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:wCb3OG7yAFWelaUydu0D+125CLM="},
    {0, 17, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg="},
    {0, 17, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg="},
    {0, 132, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8="},
    {0, 132, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8="},
    {0, 1, "1.2.3.4", "5.6.7.8", 8, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0="},
    {0, 1, "5.6.7.8", "1.2.3.4", 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0="},
    {0, 1, "1.2.3.4", "5.6.7.8", 11, 0, "1:f/YiSyWqczrTgfUCZlBUnvHRcPk="},
    {0, 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", 128, 0,
     "1:0bf7hyMJUwt3fMED7z8LIfRpBeo="},
    {0, 58, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", 129, 0,
     "1:0bf7hyMJUwt3fMED7z8LIfRpBeo="},
    {0, 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", 146, 0,
     "1:fYC8+pz24E+EhANP1EZhpX0Dw10="},
    {0, 46, "1.2.3.4", "5.6.7.8", 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768="},
    {0, 46, "5.6.7.8", "1.2.3.4", 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768="},
    {0, 46, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", 0, 0,
     "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0="},
    {0, 46, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", 0, 0,
     "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0="},
    {1, 6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk="},
    {1, 6, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk="},
    {1, 17, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:OShq+iKDAMVouh/4bMxB9Sz4amw="},
    {1, 132, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:uitchpn5MMGAQKBJh7bIr/bAr7s="},
    {1, 1, "5.6.7.8", "1.2.3.4", 0, 0, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU="},
    {1, 1, "1.2.3.4", "5.6.7.8", 11, 0, "1:1DD7cWGC/Yg91YGsQeni8du3pIA="},
    {1, 58, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", 129, 0,
     "1:IO27GQzPuCtNnwFvjWALMHu5tJE="},
    {1, 46, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", 0, 0,
     "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM="},
};

/* community-id-spec baseline/baseline_deflt.json and baseline_seed1.json (real packets); the ICMPv6
 * rows give type and code (code 0; the JSON shows the mapped counterpart). The TCP/UDP/IPv6 rows are
 * also the zeek-community-id run-pcaps baselines. */
static const struct vec pcap[] = {
    {0, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {0, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {0, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {0, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {0, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
     "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
    {0, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
     "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
    {0, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
    {0, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
    {0, 46, "10.1.12.1", "10.1.12.2", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
    {0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
    {0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
    {0, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ="},
    {0, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {0, 1, "192.168.0.1", "192.168.0.89", 0, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {0, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM="},
    {1, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
     "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
    {1, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {1, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
    {1, 46, "10.1.12.2", "10.1.12.1", 0, 0, "1:rYir8gphR31noO9iDRQmF/BteEI="},
};

/* Hand-verified with tshark 4.0.17 (--enable-protocol communityid) on
 * /work/shared/pcaps/eternalsafety_wannacry.pcap: two SMB connections seen from both sides, and the
 * NetBIOS datagrams of frames 1 and 2 (UDP 138). */
static const struct vec tshark[] = {
    {0, 6, "192.168.116.138", "192.168.116.172", 1605, 445, "1:/e6laVKdqyxpWAth0K3ZPfDApK4="},
    {0, 6, "192.168.116.172", "192.168.116.138", 445, 1605, "1:/e6laVKdqyxpWAth0K3ZPfDApK4="},
    {0, 6, "192.168.116.149", "192.168.116.143", 50996, 445, "1:0jN5m4pNKissN2oLQoX65yVwbSI="},
    {0, 6, "192.168.116.143", "192.168.116.149", 445, 50996, "1:0jN5m4pNKissN2oLQoX65yVwbSI="},
    {0, 17, "192.168.116.172", "192.168.116.255", 138, 138, "1:3dCMtiDAPL9Pl6ykBqka+f5uzoc="},
    {0, 17, "192.168.116.172", "192.168.116.143", 138, 138, "1:O0hs4YGzMYK/0iT+9SRF4G8zELA="},
    {0, 17, "192.168.116.143", "192.168.116.172", 138, 138, "1:O0hs4YGzMYK/0iT+9SRF4G8zELA="},
};

static void test_readme_tables(void **st)
{
    (void)st;
    for (size_t i = 0; i < sizeof readme / sizeof readme[0]; i++)
        check(&readme[i]);
}

static void test_pcap_baselines(void **st)
{
    (void)st;
    for (size_t i = 0; i < sizeof pcap / sizeof pcap[0]; i++)
        check(&pcap[i]);
}

static void test_tshark_shared_capture(void **st)
{
    (void)st;
    for (size_t i = 0; i < sizeof tshark / sizeof tshark[0]; i++)
        check(&tshark[i]);
}

static void test_bad_input(void **st)
{
    (void)st;
    uint8_t a[16] = {1}, b[16] = {2};
    char out[COMMUNITYID_V1_SIZE] = "x";
    assert_int_equal(communityid_v1(0, 5, 6, a, b, 1, 2, out), -1);
    assert_string_equal(out, "");
    assert_int_equal(communityid_v1(0, 4, 6, NULL, b, 1, 2, out), -1);
    assert_int_equal(communityid_v1(0, 4, 6, a, b, 1, 2, NULL), -1);
    /* ports do not count for a port-less protocol */
    char x[COMMUNITYID_V1_SIZE], y[COMMUNITYID_V1_SIZE];
    assert_int_equal(communityid_v1(0, 4, 46, a, b, 1, 2, x), 0);
    assert_int_equal(communityid_v1(0, 4, 46, a, b, 3, 4, y), 0);
    assert_string_equal(x, y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readme_tables),
        cmocka_unit_test(test_pcap_baselines),
        cmocka_unit_test(test_tshark_shared_capture),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
