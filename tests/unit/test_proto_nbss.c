/* test_proto_nbss.c: NetBIOS session framing and node status against real frames
 * (tmnids_doublepulsar-backdoor-connect-win7.pcap port 139, elcabezzonn_psexec_cmd.pcap UDP 137). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pcapframe.h"
#include "proto/nbss.h"

#define TM_DP "pcaps/tmnids_doublepulsar-backdoor-connect-win7.pcap"
#define PSEXEC "pcaps/elcabezzonn_psexec_cmd.pcap"

static size_t load(const char *rel, unsigned frame, uint8_t *buf, size_t cap)
{
    char path[1024];
    long n = pcapf_payload(pcapf_shared(rel, path, sizeof path), frame, buf, cap, NULL);
    if (n < 0)
        fail_msg("%s frame %u: no payload", rel, frame);
    return (size_t)n;
}

/* Frame 20: the Windows 7 client's session request to DESKTOP-AFPVEQ2<20> from IE11WIN7<00>;
 * our builder produces the same 72 bytes. */
static void test_session_request_matches_capture(void **state)
{
    (void)state;
    uint8_t cap[128], out[128];
    size_t n = load(TM_DP, 20, cap, sizeof cap);
    assert_int_equal(n, 72);
    assert_int_equal(nbss_build_session_request(out, sizeof out, "DESKTOP-AFPVEQ2", "IE11WIN7"), 72);
    assert_memory_equal(out, cap, 72);
    /* lower case input is upper-cased, as NetBIOS names are */
    assert_int_equal(nbss_build_session_request(out, sizeof out, "desktop-afpveq2", "ie11win7"), 72);
    assert_memory_equal(out, cap, 72);
    assert_int_equal(nbss_build_session_request(out, 71, "X", "Y"), 0);
    uint8_t type;
    size_t total;
    assert_int_equal(nbss_peek(cap, n, &type, &total), 1);
    assert_int_equal(type, NBSS_SESSION_REQUEST);
    assert_int_equal(total, 72);
}

/* Frame 21: positive session response 82 00 00 00; frame 22: first session message. */
static void test_peek_real_frames(void **state)
{
    (void)state;
    uint8_t buf[2048];
    size_t n = load(TM_DP, 21, buf, sizeof buf);
    uint8_t type = 0;
    size_t total = 0;
    assert_int_equal(nbss_peek(buf, n, &type, &total), 1);
    assert_int_equal(type, NBSS_POSITIVE);
    assert_int_equal(total, 4);
    n = load(TM_DP, 22, buf, sizeof buf);
    assert_int_equal(nbss_peek(buf, n, &type, &total), 1);
    assert_int_equal(type, NBSS_MESSAGE);
    assert_int_equal(total, n);
    assert_int_equal(buf[4], 0xFF); /* SMB1 negotiate inside */
    /* header incomplete: not yet decidable */
    assert_int_equal(nbss_peek(buf, 3, &type, &total), 0);
    /* an HTTP answer is not NBSS */
    assert_int_equal(nbss_peek((const uint8_t *)"HTTP/1.1", 8, &type, &total), -1);
    /* 24-bit length: 0x00 0x01 0x00 0x00 = 65536 body bytes */
    static const uint8_t big[4] = {0x00, 0x01, 0x00, 0x00};
    assert_int_equal(nbss_peek(big, 4, &type, &total), 1);
    assert_int_equal(total, 4 + 65536);
}

static void test_put_header(void **state)
{
    (void)state;
    uint8_t h[4];
    nbss_put_header(h, 0x85);
    assert_memory_equal(h, "\x00\x00\x00\x85", 4);
    nbss_put_header(h, 0x012345);
    assert_memory_equal(h, "\x00\x01\x23\x45", 4);
}

/* Frame 138: a real node-status query (txid 0x8796); ours is byte-identical. */
static void test_node_status_query_matches_capture(void **state)
{
    (void)state;
    uint8_t cap[128], out[128];
    size_t n = load(PSEXEC, 138, cap, sizeof cap);
    assert_int_equal(n, 50);
    assert_int_equal(nbns_build_node_status(out, sizeof out, 0x8796), 50);
    assert_memory_equal(out, cap, 50);
    assert_int_equal(nbns_build_node_status(out, 49, 1), 0);
    /* a query is not a reply */
    struct nbns_node_status st;
    assert_int_equal(nbns_parse_node_status(cap, n, &st), -1);
}

/* Frame 160: the Windows host's node-status reply: five names and the adapter MAC. */
static void test_node_status_reply(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t n = load(PSEXEC, 160, buf, sizeof buf);
    struct nbns_node_status st;
    assert_int_equal(nbns_parse_node_status(buf, n, &st), 0);
    assert_int_equal(st.txid, 0x8796);
    assert_int_equal(st.n_names, 5);
    assert_string_equal(st.names[0].name, "SNICKLEFRITZ");
    assert_int_equal(st.names[0].suffix, 0x00);
    assert_int_equal(st.names[0].flags & 0x8000, 0);
    assert_string_equal(st.names[1].name, "PICKLESWORTH");
    assert_int_equal(st.names[1].flags & 0x8000, 0x8000); /* group: the workgroup/domain */
    assert_int_equal(st.names[2].suffix, 0x1C);
    assert_string_equal(st.names[3].name, "SNICKLEFRITZ");
    assert_int_equal(st.names[3].suffix, 0x20);
    assert_string_equal(nbns_server_name(&st), "SNICKLEFRITZ");
    assert_true(st.has_mac);
    static const uint8_t mac[6] = {0x08, 0x00, 0x27, 0xf0, 0x68, 0x53};
    assert_memory_equal(st.mac, mac, 6);

    /* every prefix: -1, or a partial list with the MAC only when all 6 bytes are there */
    for (size_t k = 0; k < n; k++) {
        uint8_t cut[512];
        memcpy(cut, buf, k);
        struct nbns_node_status p;
        int rc = nbns_parse_node_status(cut, k, &p);
        if (rc == 0) {
            assert_int_equal(p.n_names, 5);
            if (p.has_mac)
                assert_memory_equal(p.mac, mac, 6);
        }
        if (k < 57 + 5 * 18 + 6)
            assert_int_equal(p.has_mac, 0);
    }
}

/* A Samba-style reply (synthetic): zero MAC, file-server name present; and one with only a
 * group name: no server name. */
static void test_node_status_synthetic(void **state)
{
    (void)state;
    uint8_t r[12 + 34 + 10 + 1 + 2 * 18 + 6] = {0x12, 0x34, 0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0};
    nb_name_encode(r + 12, "*", 0);
    size_t o = 46;
    r[o++] = 0x00; r[o++] = 0x21; r[o++] = 0x00; r[o++] = 0x01;
    o += 4;
    r[o++] = 0;
    r[o++] = 1 + 2 * 18 + 6;
    r[o++] = 2;
    memcpy(r + o, "SAMBA          \x20\x04\x00", 18);
    o += 18;
    memcpy(r + o, "WORKGROUP      \x00\x84\x00", 18);
    o += 18;
    memset(r + o, 0, 6);
    struct nbns_node_status st;
    assert_int_equal(nbns_parse_node_status(r, sizeof r, &st), 0);
    assert_int_equal(st.txid, 0x1234);
    assert_string_equal(nbns_server_name(&st), "SAMBA");
    assert_true(st.has_mac);
    assert_memory_equal(st.mac, "\0\0\0\0\0\0", 6);
    r[57 + 17] = 0x04; /* SAMBA<20> becomes a group name */
    r[57 + 16] = 0x84;
    assert_int_equal(nbns_parse_node_status(r, sizeof r, &st), 0);
    assert_null(nbns_server_name(&st));
    r[3] = 0x03; /* rcode NXDOMAIN */
    assert_int_equal(nbns_parse_node_status(r, sizeof r, &st), -1);
}

static void test_name_encoding(void **state)
{
    (void)state;
    uint8_t e[34];
    nb_name_encode(e, "*", 0x00);
    assert_int_equal(e[0], 32);
    assert_memory_equal(e + 1, "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 32);
    assert_int_equal(e[33], 0);
    nb_name_encode(e, "*SMBSERVER", 0x20); /* the generic called name: space padded */
    assert_memory_equal(e + 1, "CKFDENECFDEFFCFGEFFCCACACACACACA", 32);
    nb_name_encode(e, "AVERYLONGNETBIOSNAME", 0x20); /* truncated to 15 */
    assert_memory_equal(e + 31, "CA", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_request_matches_capture),
        cmocka_unit_test(test_peek_real_frames),
        cmocka_unit_test(test_put_header),
        cmocka_unit_test(test_node_status_query_matches_capture),
        cmocka_unit_test(test_node_status_reply),
        cmocka_unit_test(test_node_status_synthetic),
        cmocka_unit_test(test_name_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
