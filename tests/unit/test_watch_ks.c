/* test_watch_ks.c: unit tests of the kill-switch detections (src/watch/ksdetect.c) with synthetic DNS and
 * HTTP packets: label matching and near misses, resolver attribute, duplicates, DNS answer records
 * (rcode, answers, cap, bounds), HTTP outcomes; and of the EVE writer's dns record and JSON escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dns.h"
#include "watch/eve.h"
#include "watch/ksdetect.h"

#define KS_IUQERF "iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea"
#define KS_IFFERF "ifferfsodp9ifjaposdfjhgosurijfaewrwergwea"
#define KS_AYY "ayylmaotjhsstasdfasdfasdfasdfasdfasdfasdf"
#define KS_IUQSSF "iuqssfsodp9ifjaposdfjhgosurijfaewrwergwea"
#define CLIENT "10.1.1.10"
#define RESOLVER "10.1.1.53"

static int g_alerts[SD_NDET];
static char g_attrs[SD_NDET][1024];
static int g_answers;
static char g_dns[16384], g_sg[512];
static struct wflow g_ans_flow;
static uint64_t g_ans_idx;

static void on_alert(void *arg, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts, uint64_t idx)
{
    g_alerts[det]++;
    snprintf(g_attrs[det], sizeof g_attrs[det], "%s", attrs);
}
static void on_flow(void *arg, const struct wflow *f, const uint32_t counts[SD_NDET]) {}
static void on_answer(void *arg, const struct wflow *f, const char *dns, const char *sg, int64_t ts, uint64_t idx)
{
    g_answers++;
    snprintf(g_dns, sizeof g_dns, "%s", dns);
    snprintf(g_sg, sizeof g_sg, "%s", sg);
    g_ans_flow = *f;
    g_ans_idx = idx;
}

static struct sd_ctx g_sd;
static struct ks_ctx g_ks;

static void reset(void)
{
    memset(g_alerts, 0, sizeof g_alerts);
    memset(g_attrs, 0, sizeof g_attrs);
    g_answers = 0;
    g_dns[0] = g_sg[0] = '\0';
    sd_init(&g_sd, on_alert, on_flow, NULL);
    ks_init(&g_ks, &g_sd);
    g_ks.on_dns_answer = on_answer;
    g_ks.dns_arg = NULL;
}

static int teardown(void **st)
{
    sd_free(&g_sd);
    return 0;
}

static void pkt(struct wd_pkt *p, uint8_t proto, const char *src, uint16_t sport, const char *dst, uint16_t dport,
                const uint8_t *payload, size_t n)
{
    memset(p, 0, sizeof *p);
    p->ipver = 4;
    p->proto = proto;
    assert_int_equal(inet_pton(AF_INET, src, p->src), 1);
    assert_int_equal(inet_pton(AF_INET, dst, p->dst), 1);
    p->sport = sport;
    p->dport = dport;
    p->payload = payload;
    p->payload_len = p->wire_payload_len = n;
}

static size_t put16(uint8_t *b, size_t o, unsigned v)
{
    b[o] = (uint8_t)(v >> 8);
    b[o + 1] = (uint8_t)v;
    return o + 2;
}

static size_t put_name(uint8_t *b, size_t o, const char *name)
{
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t len = dot ? (size_t)(dot - name) : strlen(name);
        b[o++] = (uint8_t)len;
        memcpy(b + o, name, len);
        o += len;
        name += len + (dot ? 1 : 0);
    }
    b[o++] = 0;
    return o;
}

/* Header + one question (offset 12: the name compression target c0 0c). */
static size_t dns_msg(uint8_t *b, unsigned id, unsigned flags, unsigned ancount, const char *name, unsigned qtype)
{
    size_t o = put16(b, 0, id);
    o = put16(b, o, flags);
    o = put16(b, o, 1);
    o = put16(b, o, ancount);
    o = put16(b, o, 0);
    o = put16(b, o, 0);
    o = put_name(b, o, name);
    o = put16(b, o, qtype);
    return put16(b, o, 1);
}

/* An answer record owned by the question name (c0 0c). */
static size_t dns_rr_a(uint8_t *b, size_t o, const char *addr)
{
    o = put16(b, o, 0xC00C);
    o = put16(b, o, DNS_TYPE_A);
    o = put16(b, o, 1);
    o = put16(b, o, 0);
    o = put16(b, o, 300);
    o = put16(b, o, 4);
    assert_int_equal(inet_pton(AF_INET, addr, b + o), 1);
    return o + 4;
}

static void udp_query(const char *src, uint16_t sport, unsigned id, const char *name, uint64_t idx)
{
    uint8_t b[512];
    struct wd_pkt p;
    size_t n = dns_msg(b, id, 0x0100, 0, name, 1);
    pkt(&p, 17, src, sport, RESOLVER, 53, b, n);
    ks_on_udp(&g_ks, &p, (int64_t)idx * 1000, idx);
}

static void udp_answer(const char *dst, uint16_t dport, const uint8_t *b, size_t n, uint64_t idx)
{
    struct wd_pkt p;
    pkt(&p, 17, RESOLVER, 53, dst, dport, b, n);
    ks_on_udp(&g_ks, &p, (int64_t)idx * 1000, idx);
}

static void test_whole_label_case_www_tld(void **st)
{
    reset();
    udp_query(CLIENT, 50001, 0x1001, "www." KS_IUQERF ".com", 1);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 1);
    assert_non_null(strstr(g_attrs[SD_WC_KS_DNS], "\"qname\":\"www." KS_IUQERF ".com\""));
    assert_non_null(strstr(g_attrs[SD_WC_KS_DNS], "\"label\":\"" KS_IUQERF "\""));
    assert_non_null(strstr(g_attrs[SD_WC_KS_DNS], "\"transport\":\"udp\",\"resolver\":false"));
    udp_query(CLIENT, 50002, 0x1002, "IFFERFSODP9IFJAPOSDFJHGOSURIJFAEWRWERGWEA.CoM", 2);  /* case */
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 2);
    assert_non_null(strstr(g_attrs[SD_WC_KS_DNS], "\"label\":\"" KS_IFFERF "\""));
    udp_query(CLIENT, 50003, 0x1003, KS_AYY ".test", 3);                               /* other TLD */
    udp_query(CLIENT, 50004, 0x1004, "x." KS_IUQSSF ".local", 4);                      /* labels before */
    udp_query(CLIENT, 50005, 0x1005, KS_IUQERF, 5);                                    /* no TLD */
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 5);
    assert_int_equal(g_alerts[SD_WC_KS_HTTP], 0);
}

static void test_near_misses(void **st)
{
    reset();
    udp_query(CLIENT, 50031, 0x5001, KS_IUQERF "a.com", 1);                   /* 42-character label */
    udp_query(CLIENT, 50032, 0x5002, "a" KS_IUQERF ".com", 2);                /* a letter in front */
    udp_query(CLIENT, 50033, 0x5003, "iuqerfsodp9ifjaposdfj.hgosurijfaewrwergwea.com", 3);  /* split */
    udp_query(CLIENT, 50034, 0x5004, "iuqerfsodp9ifjaposdfjhgosurijfaewrwergwe.com", 4);    /* 40 characters */
    udp_query(CLIENT, 50035, 0x5005, "www.example.com", 5);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 0);
    /* a query to another port, and a response carrying the name, are not queries */
    uint8_t b[512];
    struct wd_pkt p;
    size_t n = dns_msg(b, 0x5006, 0x0100, 0, "www." KS_IUQERF ".com", 1);
    pkt(&p, 17, CLIENT, 50036, RESOLVER, 5353, b, n);
    ks_on_udp(&g_ks, &p, 6, 6);
    n = dns_msg(b, 0x5007, 0x8180, 0, "www." KS_IUQERF ".com", 1);
    pkt(&p, 17, CLIENT, 50037, RESOLVER, 53, b, n);
    ks_on_udp(&g_ks, &p, 7, 7);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 0);
    assert_int_equal(g_answers, 0);
}

static void test_resolver_attribute(void **st)
{
    reset();
    assert_int_equal(ks_add_resolver(&g_ks, "not-an-ip"), -1);
    assert_int_equal(ks_add_resolver(&g_ks, RESOLVER), 0);
    assert_int_equal(ks_add_resolver(&g_ks, "fd00::53"), 0);
    /* the resolver forwarding a client's lookup upstream */
    uint8_t b[512];
    struct wd_pkt p;
    size_t n = dns_msg(b, 0x4001, 0x0100, 0, "www." KS_IUQERF ".com", 1);
    pkt(&p, 17, RESOLVER, 40001, "198.51.100.53", 53, b, n);
    ks_on_udp(&g_ks, &p, 1, 1);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 1);
    assert_non_null(strstr(g_attrs[SD_WC_KS_DNS], "\"resolver\":true"));
    udp_query(CLIENT, 40002, 0x4002, "www." KS_IUQERF ".com", 2);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 2);
    assert_non_null(strstr(g_attrs[SD_WC_KS_DNS], "\"resolver\":false"));
}

static void test_duplicate_suppression(void **st)
{
    reset();
    udp_query(CLIENT, 50001, 0x1001, "www." KS_IUQERF ".com", 1);
    udp_query(CLIENT, 50001, 0x1001, "www." KS_IUQERF ".com", 2);  /* retransmission */
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 1);
    udp_query(CLIENT, 50001, 0x1002, "www." KS_IUQERF ".com", 3);  /* a new transaction */
    udp_query(CLIENT, 50009, 0x1001, "www." KS_IUQERF ".com", 4);  /* another port */
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 3);
}

static void test_dns_answer_resolved(void **st)
{
    reset();
    const char *name = "www." KS_IUQERF ".com";
    udp_query(CLIENT, 50001, 0x1001, name, 1);
    uint8_t b[512];
    size_t n = dns_msg(b, 0x1001, 0x8180, 1, name, 1);
    n = dns_rr_a(b, n, "203.0.113.80");
    /* wrong id, wrong port: not this query's answer, but the answer to a kill-switch lookup whose
     * query was not captured: each raises its own alert (seen: answer_only) and dns record */
    b[1] ^= 1;
    udp_answer(CLIENT, 50001, b, n, 2);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 2);
    assert_non_null(strstr(g_attrs[SD_WC_KS_DNS], "\"seen\":\"answer_only\""));
    assert_int_equal(g_answers, 1);
    b[1] ^= 1;
    udp_answer(CLIENT, 50002, b, n, 3);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 3);
    assert_int_equal(g_answers, 2);
    /* wrong server for the seen query: not its answer, and the same lookup (client, port, id, name):
     * no second alert */
    struct wd_pkt p;
    pkt(&p, 17, "10.9.9.9", 53, CLIENT, 50001, b, n);
    ks_on_udp(&g_ks, &p, 4, 4);
    assert_int_equal(g_answers, 2);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 3);
    udp_answer(CLIENT, 50001, b, n, 5);
    assert_int_equal(g_answers, 3);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 3);
    assert_string_equal(g_dns,
                        "{\"version\":2,\"type\":\"answer\",\"id\":4097,\"flags\":\"8180\",\"qr\":true,\"rd\":true,"
                        "\"ra\":true,\"opcode\":0,\"rrname\":\"www." KS_IUQERF ".com\",\"rrtype\":\"A\","
                        "\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":\"www." KS_IUQERF ".com\",\"rrtype\":\"A\","
                        "\"ttl\":300,\"rdata\":\"203.0.113.80\"}]}");
    assert_string_equal(g_sg, "\"detection\":\"wannacry.killswitch_dns\",\"label\":\"" KS_IUQERF
                              "\",\"transport\":\"udp\",\"resolved\":true,\"answers_total\":1");
    assert_int_equal(g_ans_idx, 5);
    assert_int_equal(g_ans_flow.cport, 50001);  /* the query's pseudo flow: client = query source */
    assert_int_equal(g_ans_flow.sport, 53);
    assert_int_equal(g_ans_flow.l4proto, 17);
    /* a duplicate answer writes nothing more */
    udp_answer(CLIENT, 50001, b, n, 6);
    assert_int_equal(g_answers, 3);
    assert_int_equal(g_ks.dns_answers, 3);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 3);
}

static void test_dns_answer_failures(void **st)
{
    reset();
    const char *name = "www." KS_IUQERF ".com";
    uint8_t b[512];
    udp_query(CLIENT, 50011, 0x2001, name, 1);
    size_t n = dns_msg(b, 0x2001, 0x8183, 0, name, 1);
    udp_answer(CLIENT, 50011, b, n, 2);
    assert_int_equal(g_answers, 1);
    assert_non_null(strstr(g_dns, "\"flags\":\"8183\""));
    assert_non_null(strstr(g_dns, "\"rcode\":\"NXDOMAIN\"}"));
    assert_null(strstr(g_dns, "answers"));
    assert_non_null(strstr(g_sg, "\"resolved\":false,\"answers_total\":0"));
    udp_query(CLIENT, 50012, 0x2002, name, 3);
    n = dns_msg(b, 0x2002, 0x8182, 0, name, 1);
    udp_answer(CLIENT, 50012, b, n, 4);
    assert_int_equal(g_answers, 2);
    assert_non_null(strstr(g_dns, "\"rcode\":\"SERVFAIL\""));
    assert_non_null(strstr(g_sg, "\"resolved\":false"));
    /* NOERROR without an address (NODATA) does not stop the worm either; unknown rcode as a number */
    udp_query(CLIENT, 50013, 0x2003, name, 5);
    n = dns_msg(b, 0x2003, 0x8180, 0, name, 1);
    udp_answer(CLIENT, 50013, b, n, 6);
    assert_non_null(strstr(g_dns, "\"rcode\":\"NOERROR\"}"));
    assert_non_null(strstr(g_sg, "\"resolved\":false"));
    udp_query(CLIENT, 50014, 0x2004, name, 7);
    n = dns_msg(b, 0x2004, 0x818C, 0, name, 1);
    udp_answer(CLIENT, 50014, b, n, 8);
    assert_non_null(strstr(g_dns, "\"rcode\":\"12\""));
    /* an answer whose question names another host is not this query's */
    udp_query(CLIENT, 50015, 0x2005, name, 9);
    n = dns_msg(b, 0x2005, 0x8180, 0, "www.example.com", 1);
    udp_answer(CLIENT, 50015, b, n, 10);
    assert_int_equal(g_answers, 4);
}

static void test_dns_answer_cname_and_cap(void **st)
{
    reset();
    const char *name = "www." KS_IUQERF ".com";
    uint8_t b[1024];
    udp_query(CLIENT, 50021, 0x3001, name, 1);
    size_t n = dns_msg(b, 0x3001, 0x8580, 11, name, 1);  /* AA set */
    /* CNAME to sink.example (the target spelled out, then compressed owner names) */
    n = put16(b, n, 0xC00C);
    n = put16(b, n, DNS_TYPE_CNAME);
    n = put16(b, n, 1);
    n = put16(b, n, 0);
    n = put16(b, n, 60);
    size_t rdl = n;
    n = put16(b, n, 0);
    size_t target = n;
    n = put_name(b, n, "sink.example");
    put16(b, rdl, (unsigned)(n - target));
    for (int i = 0; i < 10; i++) {
        char a[32];
        snprintf(a, sizeof a, "203.0.113.%d", i + 1);
        n = put16(b, n, (unsigned)(0xC000 | target));
        n = put16(b, n, DNS_TYPE_A);
        n = put16(b, n, 1);
        n = put16(b, n, 0);
        n = put16(b, n, 30);
        n = put16(b, n, 4);
        assert_int_equal(inet_pton(AF_INET, a, b + n), 1);
        n += 4;
    }
    udp_answer(CLIENT, 50021, b, n, 2);
    assert_int_equal(g_answers, 1);
    assert_non_null(strstr(g_dns, "\"aa\":true,"));
    assert_non_null(strstr(g_dns, "{\"rrname\":\"www." KS_IUQERF ".com\",\"rrtype\":\"CNAME\",\"ttl\":60,"
                                  "\"rdata\":\"sink.example\"}"));
    assert_non_null(strstr(g_dns, "{\"rrname\":\"sink.example\",\"rrtype\":\"A\",\"ttl\":30,\"rdata\":\"203.0.113.7\"}]}"));
    assert_null(strstr(g_dns, "203.0.113.8\""));  /* KS_DNS_ANSWERS listed, the rest counted */
    assert_non_null(strstr(g_sg, "\"resolved\":true,\"answers_total\":11"));
}

static void test_dns_answer_bounds(void **st)
{
    const char *name = "www." KS_IUQERF ".com";
    uint8_t b[512];
    size_t full = dns_msg(b, 0x6001, 0x8180, 2, name, 1);
    full = dns_rr_a(b, full, "203.0.113.80");
    full = dns_rr_a(b, full, "203.0.113.81");
    /* every truncation of the response: no crash, never more records than complete ones */
    for (size_t len = 0; len <= full; len++) {
        struct dns_msg m;
        char q[DNS_MAX_NAME];
        struct dns_rr rr[4];
        if (dns_parse(b, len, &m, q, sizeof q) != 0)
            continue;
        int got = dns_parse_answers(b, len, &m, rr, 4);
        int want = len == full ? 2 : len >= full - 16 ? 1 : len >= 12 + strlen(name) + 2 + 4 ? 0 : -1;
        assert_int_equal(got, want);
        reset();
        udp_query(CLIENT, 50041, 0x6001, name, 1);
        udp_answer(CLIENT, 50041, b, len, 2);
        assert_true(g_answers <= 1);
        teardown(NULL);
    }
    /* a pointer loop in an answer's owner name stops parsing there */
    size_t n = dns_msg(b, 0x6002, 0x8180, 1, name, 1);
    size_t self = n;
    n = put16(b, n, (unsigned)(0xC000 | self));
    n = put16(b, n, 1);
    struct dns_msg m;
    char q[DNS_MAX_NAME];
    struct dns_rr rr[2];
    assert_int_equal(dns_parse(b, n, &m, q, sizeof q), 0);
    assert_int_equal(dns_parse_answers(b, n, &m, rr, 2), 0);
    assert_int_equal(dns_parse_answers(b, n, &m, NULL, 0), 0);
    assert_int_equal(dns_parse_answers(b, 11, &m, rr, 2), -1);
    assert_string_equal(dns_rcode_name(3), "NXDOMAIN");
    assert_null(dns_rcode_name(11));
    assert_string_equal(dns_type_name(28), "AAAA");
    assert_null(dns_type_name(999));
    /* garbage from port 53 after a pending query */
    reset();
    udp_query(CLIENT, 50042, 0x6003, name, 1);
    for (size_t len = 0; len < 64; len++) {
        memset(b, 0xC0, sizeof b);
        b[0] = 0x60; b[1] = 0x03; b[2] = 0x81; b[3] = 0x80;
        udp_answer(CLIENT, 50042, b, len, 2);
    }
    assert_true(g_answers <= 1);
    teardown(NULL);
}

static void answer_nx(const char *name, unsigned i, uint64_t idx)
{
    uint8_t b[512];
    size_t n = dns_msg(b, 0x7000 + i, 0x8183, 0, name, 1);
    udp_answer(CLIENT, (uint16_t)(20000 + i), b, n, idx);
}

static void test_pending_cap(void **st)
{
    reset();
    char name[64];
    snprintf(name, sizeof name, "www.%s.com", KS_IUQERF);
    for (unsigned i = 0; i < KS_DNS_PENDING; i++)
        udp_query(CLIENT, (uint16_t)(20000 + i), 0x7000 + i, name, i + 1);
    assert_int_equal(g_ks.dns_unmatched_dropped, 0);
    answer_nx(name, 10, 200);                      /* frees a slot in the middle */
    assert_int_equal(g_answers, 1);
    udp_query(CLIENT, 20000 + KS_DNS_PENDING, 0x7000 + KS_DNS_PENDING, name, 300);  /* takes it */
    assert_int_equal(g_ks.dns_unmatched_dropped, 0);
    udp_query(CLIENT, 20001 + KS_DNS_PENDING, 0x7001 + KS_DNS_PENDING, name, 301);  /* full: drops #0 */
    assert_int_equal(g_ks.dns_unmatched_dropped, 1);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], KS_DNS_PENDING + 2);
    /* the oldest was dropped, and its query is older than the duplicate memory: its answer counts
     * as a lookup whose query was not seen (one more alert, seen: answer_only) */
    answer_nx(name, 0, 400);
    assert_int_equal(g_answers, 2);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], KS_DNS_PENDING + 3);
    assert_non_null(strstr(g_attrs[SD_WC_KS_DNS], "\"seen\":\"answer_only\""));
    answer_nx(name, 1, 401);
    answer_nx(name, KS_DNS_PENDING, 402);
    answer_nx(name, KS_DNS_PENDING + 1, 403);
    assert_int_equal(g_answers, 5);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], KS_DNS_PENDING + 3);
}

static void test_dns_tcp(void **st)
{
    reset();
    const char *name = "www." KS_IUQERF ".com";
    uint8_t b[512];
    struct wd_pkt p;
    size_t n = dns_msg(b + 2, 0x3001, 0x0100, 0, name, 1);
    put16(b, 0, (unsigned)n);
    pkt(&p, 6, CLIENT, 50021, RESOLVER, 53, b, n + 2);
    ks_on_tcp(&g_ks, &p, 1, 1);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 1);
    assert_non_null(strstr(g_attrs[SD_WC_KS_DNS], "\"transport\":\"tcp\""));
    /* the same answer over UDP does not belong to the TCP query */
    n = dns_msg(b + 2, 0x3001, 0x8180, 1, name, 1);
    n = dns_rr_a(b + 2, n, "203.0.113.80");
    udp_answer(CLIENT, 50021, b + 2, n, 2);
    assert_int_equal(g_answers, 0);
    put16(b, 0, (unsigned)n);
    pkt(&p, 6, RESOLVER, 53, CLIENT, 50021, b, n + 2);
    ks_on_tcp(&g_ks, &p, 3, 3);
    assert_int_equal(g_answers, 1);
    assert_non_null(strstr(g_dns, "\"rdata\":\"203.0.113.80\""));
    assert_non_null(strstr(g_sg, "\"transport\":\"tcp\",\"resolved\":true"));
    assert_int_equal(g_ans_flow.l4proto, 6);
}

static void http(const char *host, const char *status_line, int finish)
{
    char req[512];
    struct wd_pkt p;
    snprintf(req, sizeof req, "GET / HTTP/1.1\r\nUser-Agent: x\r\nHost: %s\r\nCache-Control: no-cache\r\n\r\n", host);
    pkt(&p, 6, CLIENT, 49200, "203.0.113.80", 80, (const uint8_t *)req, strlen(req));
    ks_on_tcp(&g_ks, &p, 1, 1);
    ks_on_tcp(&g_ks, &p, 2, 2);  /* retransmission: still one request */
    if (status_line) {
        pkt(&p, 6, "203.0.113.80", 80, CLIENT, 49200, (const uint8_t *)status_line, strlen(status_line));
        ks_on_tcp(&g_ks, &p, 3, 3);
    }
    if (finish)
        ks_finish(&g_ks);
}

static void test_http_outcomes(void **st)
{
    reset();
    http("www." KS_IUQERF ".com", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
    assert_int_equal(g_alerts[SD_WC_KS_HTTP], 1);
    assert_string_equal(g_attrs[SD_WC_KS_HTTP], "\"host\":\"www." KS_IUQERF ".com\",\"outcome\":\"success\",\"status\":200");
    teardown(NULL);
    reset();
    http("WWW." KS_IUQERF ".COM:80", "HTTP/1.1 503 Service Unavailable\r\n\r\n", 0);
    assert_int_equal(g_alerts[SD_WC_KS_HTTP], 1);
    assert_string_equal(g_attrs[SD_WC_KS_HTTP], "\"host\":\"www." KS_IUQERF ".com\",\"outcome\":\"failure\",\"status\":503");
    teardown(NULL);
    reset();
    http("www." KS_IUQERF ".com", NULL, 0);
    assert_int_equal(g_alerts[SD_WC_KS_HTTP], 0);  /* waits for the response */
    ks_finish(&g_ks);
    assert_int_equal(g_alerts[SD_WC_KS_HTTP], 1);
    assert_string_equal(g_attrs[SD_WC_KS_HTTP], "\"host\":\"www." KS_IUQERF ".com\",\"outcome\":\"unknown\"");
    teardown(NULL);
    reset();
    http("www.example.com", "HTTP/1.1 200 OK\r\n\r\n", 1);
    http("a" KS_IUQERF ".com", "HTTP/1.1 200 OK\r\n\r\n", 1);
    assert_int_equal(g_alerts[SD_WC_KS_HTTP], 0);
    assert_int_equal(g_alerts[SD_WC_KS_DNS], 0);
}

/* What f received, as a string in buf. */
static char *drain(FILE *f, char *buf, size_t cap)
{
    fflush(f);
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    return buf;
}

static void test_eve_records(void **st)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    struct eve e = {.f = f};
    const char *file = "/caps/a\"b\\c\n\x01\xff\xc3\xa9.pcap";
    e.file_ref = &file;
    struct wflow fl;
    memset(&fl, 0, sizeof fl);
    fl.ipver = 4;
    fl.l4proto = 17;
    inet_pton(AF_INET, "192.168.1.52", fl.cli);
    inet_pton(AF_INET, "8.8.8.8", fl.srv);
    fl.cport = 54585;
    fl.sport = 53;
    fl.id = 42;
    eve_dns_answer(&e, &fl, "{\"type\":\"answer\"}", "\"resolved\":true", 1494590400000000, 7);
    char buf[4096];
    /* community id: the community-id-spec baseline vector of this UDP 5-tuple (test_community_id.c) */
    assert_string_equal(drain(f, buf, sizeof buf),
                        "{\"timestamp\":\"2017-05-12T12:00:00.000000+0000\",\"flow_id\":42,\"pcap_cnt\":7,"
                        "\"event_type\":\"dns\",\"src_ip\":\"8.8.8.8\",\"src_port\":53,\"dest_ip\":\"192.168.1.52\","
                        "\"dest_port\":54585,\"proto\":\"UDP\",\"app_proto\":\"dns\","
                        "\"community_id\":\"1:d/FP5EW3wiY1vCndhwleRRKHowQ=\",\"direction\":\"to_client\","
                        "\"pcap_filename\":\"/caps/a\\\"b\\\\c\\n\\u0001\\u00ff\xc3\xa9.pcap\","
                        "\"dns\":{\"type\":\"answer\"},\"smbguard\":{\"resolved\":true}}\n");
    assert_int_equal(e.records, 1);
    fclose(f);
    /* an alert on a TCP flow: every member decisions.md 10 lists */
    f = tmpfile();
    e.f = f;
    e.file_ref = NULL;
    e.pcap_filename = NULL;
    e.iface = "eth0";
    fl.l4proto = 0;
    fl.sport = 445;
    eve_alert(&e, &fl, WDIR_TO_SERVER, SD_MS17_PROBE, "\"tool\":\"nmap\"", -1, 3);
    drain(f, buf, sizeof buf);
    fclose(f);
    assert_non_null(strstr(buf, "{\"timestamp\":\"1969-12-31T23:59:59.999999+0000\",\"flow_id\":42,\"pcap_cnt\":3,"
                                "\"event_type\":\"alert\",\"src_ip\":\"192.168.1.52\",\"src_port\":54585,"
                                "\"dest_ip\":\"8.8.8.8\",\"dest_port\":445,\"proto\":\"TCP\",\"app_proto\":\"smb\","
                                "\"community_id\":\"1:"));
    assert_non_null(strstr(buf, "\"direction\":\"to_server\",\"in_iface\":\"eth0\",\"alert\":{\"action\":\"allowed\","
                                "\"gid\":1,\"signature_id\":9100001,\"rev\":1,\"signature\":\"ms17_010.probe\","));
    assert_non_null(strstr(buf, "\"smbguard\":{\"detection\":\"ms17_010.probe\",\"exit3\":false,\"tool\":\"nmap\"}}\n"));
    assert_null(strstr(buf, "pcap_filename"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_whole_label_case_www_tld, teardown),
        cmocka_unit_test_teardown(test_near_misses, teardown),
        cmocka_unit_test_teardown(test_resolver_attribute, teardown),
        cmocka_unit_test_teardown(test_duplicate_suppression, teardown),
        cmocka_unit_test_teardown(test_dns_answer_resolved, teardown),
        cmocka_unit_test_teardown(test_dns_answer_failures, teardown),
        cmocka_unit_test_teardown(test_dns_answer_cname_and_cap, teardown),
        cmocka_unit_test(test_dns_answer_bounds),
        cmocka_unit_test_teardown(test_pending_cap, teardown),
        cmocka_unit_test_teardown(test_dns_tcp, teardown),
        cmocka_unit_test_teardown(test_http_outcomes, teardown),
        cmocka_unit_test(test_eve_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
