/* test_proto_dns.c: the DNS codec (src/proto/dns.c) on real frames of malcolm_protocols_DNS.pcap
 * (values checked with tshark), compression pointers, loops, and truncation at every offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pcapframe.h"
#include "proto/dns.h"

#define DNSPCAP "pcaps/malcolm_protocols_DNS.pcap"

static size_t load(unsigned frame, uint8_t *buf, size_t cap)
{
    char path[1024];
    long n = pcapf_payload(pcapf_shared(DNSPCAP, path, sizeof path), frame, buf, cap, NULL);
    if (n < 0)
        fail_msg("frame %u: no payload", frame);
    return (size_t)n;
}

/* tshark -T fields -e dns.id -e dns.flags -e dns.qry.name -e dns.qry.type -e dns.count.answers
 * -e dns.flags.rcode */
struct want {
    unsigned frame;
    int tcp;
    uint16_t id, flags;
    const char *name;
    uint16_t qtype, ancount;
    uint8_t rcode;
};
static const struct want frames[] = {
    {1, 0, 0xf779, 0x8400, "atlas.ripe.net", 1, 4, 0},
    {2, 0, 0xcf5b, 0x8600, "ripe.net", 48, 2, 0},
    {9, 0, 0xca9f, 0x8200, "www.netflix.com", 1, 0, 0},
    {13, 0, 0x6407, 0x8200, "ns-1984.awsdns-56.co.uk", 28, 0, 0},
    {36, 0, 0xfad2, 0x8180, "www.netflix.com", 1, 10, 0},
    {45, 0, 0x588a, 0x0120, "upenn.edu", 48, 0, 0},
    {48, 0, 0x8b54, 0x0100, "gmr02c.16.0.fhkfhsdkfhsk.tunnel.example.com", 1, 0, 0},
    {49, 0, 0x8b54, 0x8183, "gmr02c.16.0.fhkfhsdkfhsk.tunnel.example.com", 1, 0, 3},
    {61, 0, 0x25e7, 0x0100, "example.com", 1, 0, 0},
    {71, 0, 0x5934, 0x0120, "www.tcpdump.org", 1, 0, 0},
    {3, 1, 0x183a, 0x8400, "ripe.net", 48, 3, 0},
    {5, 1, 0xf238, 0x8400, "ripe.net", 43, 2, 0},
    {7, 1, 0xea79, 0x8400, "atlas-ui.ripe.net", 1, 2, 0},
    {10, 1, 0x21c5, 0x8000, "www.netflix.com", 1, 0, 0},
    {55, 1, 0xb4c3, 0x0100, "ripe.net", 255, 0, 0},
};

static void test_real_frames(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        const struct want *w = &frames[i];
        uint8_t buf[2048];
        size_t n = load(w->frame, buf, sizeof buf);
        struct dns_msg m;
        char name[DNS_MAX_NAME];
        int rc = w->tcp ? dns_parse_tcp(buf, n, &m, name, sizeof name) : dns_parse(buf, n, &m, name, sizeof name);
        if (rc != 0)
            fail_msg("frame %u: rc %d", w->frame, rc);
        assert_int_equal(m.id, w->id);
        assert_int_equal(m.flags, w->flags);
        assert_int_equal(m.is_response, (w->flags & 0x8000) != 0);
        assert_int_equal(m.rcode, w->rcode);
        assert_int_equal(m.ancount, w->ancount);
        assert_int_equal(m.qdcount, 1);
        assert_true(m.has_question);
        assert_int_equal(m.qtype, w->qtype);
        assert_int_equal(m.qclass, 1);
        assert_string_equal(name, w->name);
    }
}

/* The answers of frame 1 start with the pointer c0 0c back to the question name. */
static void test_answer_pointer(void **state)
{
    (void)state;
    uint8_t buf[2048];
    size_t n = load(1, buf, sizeof buf);
    size_t off = 12;
    char name[DNS_MAX_NAME];
    assert_int_equal(dns_read_name(buf, n, &off, name, sizeof name), 0);
    off += 4;                             /* qtype, qclass */
    assert_int_equal(buf[off], 0xC0);
    assert_int_equal(buf[off + 1], 0x0C);
    size_t a = off;
    assert_int_equal(dns_read_name(buf, n, &off, name, sizeof name), 0);
    assert_string_equal(name, "atlas.ripe.net");
    assert_int_equal(off, a + 2);         /* advanced past the pointer only */
}

/* Truncating a frame anywhere before the end of the question fails; from there on it parses the
 * same. For TCP every prefix shorter than the announced message needs more bytes. */
static void test_truncation_every_offset(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        const struct want *w = &frames[i];
        uint8_t buf[2048];
        size_t n = load(w->frame, buf, sizeof buf);
        struct dns_msg m;
        char name[DNS_MAX_NAME];
        if (w->tcp) {
            for (size_t k = 0; k < n; k++) {
                uint8_t *cut = malloc(k ? k : 1);   /* exact size, so ASan sees reads past k */
                assert_non_null(cut);
                memcpy(cut, buf, k);
                assert_int_equal(dns_parse_tcp(cut, k, &m, name, sizeof name), 1);
                free(cut);
            }
            continue;
        }
        size_t qend = 12 + strlen(w->name) + 2 + 4;
        for (size_t k = 0; k <= n; k++) {
            uint8_t *cut = malloc(k ? k : 1);
            assert_non_null(cut);
            memcpy(cut, buf, k);
            int rc = dns_parse(cut, k, &m, name, sizeof name);
            free(cut);
            if (k < qend) {
                if (rc != -1)
                    fail_msg("frame %u cut at %zu: rc %d", w->frame, k, rc);
                assert_string_equal(name, "");
            } else {
                assert_int_equal(rc, 0);
                assert_string_equal(name, w->name);
            }
        }
    }
}

static const uint8_t hdr[12] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};

static int parse_with_name(const uint8_t *tail, size_t tlen, char *name, size_t cap)
{
    uint8_t msg[512];
    memcpy(msg, hdr, 12);
    memcpy(msg + 12, tail, tlen);
    struct dns_msg m;
    return dns_parse(msg, 12 + tlen, &m, name, cap);
}

static void test_compression_loops(void **state)
{
    (void)state;
    char name[DNS_MAX_NAME];
    /* pointer to itself */
    static const uint8_t self[] = {0xC0, 12, 0, 1, 0, 1};
    assert_int_equal(parse_with_name(self, sizeof self, name, sizeof name), -1);
    /* pointer forward */
    static const uint8_t fwd[] = {0xC0, 14, 1, 'a', 0, 0, 1, 0, 1};
    assert_int_equal(parse_with_name(fwd, sizeof fwd, name, sizeof name), -1);
    /* label, then a pointer back to the label: a loop through the name itself */
    static const uint8_t back[] = {1, 'a', 0xC0, 12, 0, 1, 0, 1};
    assert_int_equal(parse_with_name(back, sizeof back, name, sizeof name), -1);
    /* pointer outside the message */
    static const uint8_t out[] = {0xFF, 0xFF, 0, 1, 0, 1};
    assert_int_equal(parse_with_name(out, sizeof out, name, sizeof name), -1);
    /* reserved label types 0x40 and 0x80 */
    static const uint8_t r40[] = {0x41, 'a', 0, 0, 1, 0, 1};
    static const uint8_t r80[] = {0x81, 'a', 0, 0, 1, 0, 1};
    assert_int_equal(parse_with_name(r40, sizeof r40, name, sizeof name), -1);
    assert_int_equal(parse_with_name(r80, sizeof r80, name, sizeof name), -1);

    /* a legal chain: name A at 12, name B at 19 = "x" + ptr(12), name C = "y" + ptr(19) */
    uint8_t msg[64];
    memcpy(msg, hdr, 12);
    static const uint8_t body[] = {3, 'C', 'o', 'M', 1, 'Q', 0,     /* 12: "com.q" */
                                   1, 'X', 0xC0, 12,                /* 19 */
                                   1, 'y', 0xC0, 19};               /* 23 */
    memcpy(msg + 12, body, sizeof body);
    size_t off = 23;
    assert_int_equal(dns_read_name(msg, 12 + sizeof body, &off, name, sizeof name), 0);
    assert_string_equal(name, "y.x.com.q");
    assert_int_equal(off, 27);
    /* a long chain of pointers, each to the previous one, is cut at DNS_MAX_PTRS */
    uint8_t big[12 + 2 * 64 + 2];
    memcpy(big, hdr, 12);
    big[12] = 0;
    for (size_t i = 1; i < 64; i++) {
        size_t at = 12 + 2 * i - 1, prev = i == 1 ? 12 : at - 2;
        big[at] = (uint8_t)(0xC0 | (prev >> 8));
        big[at + 1] = (uint8_t)prev;
    }
    off = 12 + 2 * 10 - 1;                  /* 10 pointers: fine, root name */
    assert_int_equal(dns_read_name(big, 12 + 2 * 64, &off, name, sizeof name), 0);
    assert_string_equal(name, "");
    off = 12 + 2 * 63 - 1;                  /* 63 pointers: over the limit */
    assert_int_equal(dns_read_name(big, 12 + 2 * 64, &off, name, sizeof name), -1);
}

static void test_escape_and_capacity(void **state)
{
    (void)state;
    char name[DNS_MAX_NAME];
    /* a dot inside a label is escaped, so it cannot fake a label boundary; upper case lowered */
    static const uint8_t dot[] = {3, 'A', '.', 'b', 2, 'c', 0, 0, 0, 1, 0, 1};
    assert_int_equal(parse_with_name(dot, sizeof dot, name, sizeof name), 0);
    assert_string_equal(name, "a\\046b.c\\000");
    /* four 63-byte labels = 255 characters of text: too big for a 64-byte buffer, fits 256 */
    uint8_t lab[4 * 64 + 5];
    size_t w = 0;
    for (int l = 0; l < 4; l++) {
        lab[w++] = 62;
        memset(lab + w, 'k', 62);
        w += 62;
    }
    lab[w++] = 0;
    lab[w++] = 0; lab[w++] = 1; lab[w++] = 0; lab[w++] = 1;
    assert_int_equal(parse_with_name(lab, w, name, 64), -1);
    assert_string_equal(name, "");
    assert_int_equal(parse_with_name(lab, w, name, sizeof name), 0);
    assert_int_equal(strlen(name), 4 * 62 + 3);
    /* no question */
    struct dns_msg m;
    static const uint8_t noq[12] = {0, 1, 0x81, 0x83, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(dns_parse(noq, sizeof noq, &m, name, sizeof name), 0);
    assert_false(m.has_question);
    assert_int_equal(m.rcode, DNS_RCODE_NXDOMAIN);
    assert_int_equal(dns_parse(noq, 11, &m, name, sizeof name), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_frames),
        cmocka_unit_test(test_answer_pointer),
        cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_compression_loops),
        cmocka_unit_test(test_escape_and_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
