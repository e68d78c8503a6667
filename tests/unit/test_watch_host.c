/* test_watch_host.c: unit tests of src/watch/hostdetect.c: smb.worm_scan thresholds, window, mid-stream
 * flows, the indicators form, the allow-list, the bounded source table, and smb.exposed / --home-net. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "watch/hostdetect.h"

#define SEC INT64_C(1000000)

struct got {
    int det;
    struct wflow f;
    int dir;
    char attrs[4096];
    int64_t ts;
    uint64_t idx;
};
static struct got g_got[64];
static int g_n;

static void on_alert(void *arg, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts, uint64_t idx)
{
    (void)arg;
    if (g_n < 64) {
        struct got *g = &g_got[g_n];
        g->det = det;
        g->f = *f;
        g->dir = dir;
        snprintf(g->attrs, sizeof g->attrs, "%s", attrs);
        g->ts = ts;
        g->idx = idx;
    }
    g_n++;
}

static int count(int det)
{
    int n = 0;
    for (int i = 0; i < g_n && i < 64; i++)
        n += g_got[i].det == det;
    return n;
}

static const struct got *first(int det)
{
    for (int i = 0; i < g_n && i < 64; i++)
        if (g_got[i].det == det)
            return &g_got[i];
    return NULL;
}

static struct sd_ctx g_sd;

static void setup_cfg(struct hd_ctx *h, const struct hd_cfg *cfg)
{
    g_n = 0;
    memset(g_got, 0, sizeof g_got);
    sd_init(&g_sd, on_alert, NULL, NULL);
    assert_int_equal(hd_init(h, &g_sd, cfg), 0);
}

static void setup(struct hd_ctx *h)
{
    struct hd_cfg cfg;
    hd_cfg_default(&cfg);
    setup_cfg(h, &cfg);
}

static void teardown(struct hd_ctx *h)
{
    hd_free(h);
    sd_free(&g_sd);
}

static void addr(uint8_t out[16], const char *text)
{
    memset(out, 0, 16);
    assert_int_equal(inet_pton(strchr(text, ':') ? AF_INET6 : AF_INET, text, out), 1);
}

/* One TCP segment src:sport -> dst:dport with flags, through hd_on_tcp. */
static void seg(struct hd_ctx *h, const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t flags,
                int64_t ts, uint64_t idx)
{
    struct wd_pkt p;
    memset(&p, 0, sizeof p);
    p.ipver = strchr(src, ':') ? 6 : 4;
    p.proto = 6;
    addr(p.src, src);
    addr(p.dst, dst);
    p.sport = sport;
    p.dport = dport;
    p.tcp_flags = flags;
    hd_on_tcp(h, &p, ts, idx);
}

static void syn(struct hd_ctx *h, const char *src, uint16_t sport, const char *dst, uint16_t dport, int64_t ts,
                uint64_t idx)
{
    seg(h, src, sport, dst, dport, WD_TCP_SYN, ts, idx);
}

static void test_internal_threshold(void **st)
{
    (void)st;
    struct hd_ctx h;
    setup(&h);
    char dst[32];
    for (int i = 1; i <= 19; i++) {
        snprintf(dst, sizeof dst, "10.0.0.%d", i);
        syn(&h, "10.0.0.100", (uint16_t)(40000 + i), dst, 445, (int64_t)i * SEC / 2, (uint64_t)i);
        syn(&h, "10.0.0.100", (uint16_t)(40000 + i), dst, 445, (int64_t)i * SEC / 2 + 1000, 100u + (uint64_t)i); /* retransmission */
    }
    assert_int_equal(count(SD_WORM_SCAN), 0);  /* 19 distinct destinations, 38 SYNs */
    syn(&h, "10.0.0.100", 40020, "10.0.0.20", 139, 10 * SEC, 200);
    assert_int_equal(count(SD_WORM_SCAN), 1);
    const struct got *g = first(SD_WORM_SCAN);
    /* the alert names the flow that crossed the threshold */
    assert_int_equal(g->f.cport, 40020);
    assert_int_equal(g->f.sport, 139);
    static const uint8_t cli[4] = {10, 0, 0, 100}, srv[4] = {10, 0, 0, 20};
    assert_memory_equal(g->f.cli, cli, 4);
    assert_memory_equal(g->f.srv, srv, 4);
    assert_int_equal(g->f.l4proto, 6);
    assert_true(g->f.id < (UINT64_C(1) << 51));
    assert_int_equal(g->idx, 200);
    assert_int_equal(g->dir, WDIR_TO_SERVER);
    assert_non_null(strstr(g->attrs, "\"form\":\"internal\",\"src\":\"10.0.0.100\",\"distinct\":20,\"threshold\":20,"
                                     "\"window_s\":60,\"targets\":[\"10.0.0.1\",\"10.0.0.2\",\"10.0.0.3\""));
    assert_non_null(strstr(g->attrs, "\"10.0.0.19\",\"10.0.0.20\"]"));
    /* one alert per source */
    for (int i = 21; i <= 40; i++) {
        snprintf(dst, sizeof dst, "10.0.0.%d", i);
        syn(&h, "10.0.0.100", (uint16_t)(40000 + i), dst, 445, 11 * SEC, 300);
    }
    assert_int_equal(count(SD_WORM_SCAN), 1);
    assert_int_equal(g_sd.alerts[SD_WORM_SCAN], 1);
    teardown(&h);
}

static void test_window(void **st)
{
    (void)st;
    struct hd_ctx h;
    setup(&h);
    char dst[32];
    /* 20 internal hosts 6 s apart: at most 11 in any 60 s */
    for (int i = 1; i <= 20; i++) {
        snprintf(dst, sizeof dst, "10.0.2.%d", i);
        syn(&h, "10.0.0.101", (uint16_t)(41000 + i), dst, 445, (int64_t)(i - 1) * 6 * SEC, (uint64_t)i);
    }
    assert_int_equal(count(SD_WORM_SCAN), 0);
    teardown(&h);

    /* the same with --worm-window 120: all 20 within 114 s */
    struct hd_cfg cfg;
    hd_cfg_default(&cfg);
    cfg.window_us = 120 * SEC;
    setup_cfg(&h, &cfg);
    for (int i = 1; i <= 20; i++) {
        snprintf(dst, sizeof dst, "10.0.2.%d", i);
        syn(&h, "10.0.0.101", (uint16_t)(41000 + i), dst, 445, (int64_t)(i - 1) * 6 * SEC, (uint64_t)i);
    }
    assert_int_equal(count(SD_WORM_SCAN), 1);
    assert_non_null(strstr(first(SD_WORM_SCAN)->attrs, "\"window_s\":120"));
    teardown(&h);

    /* --worm-internal 3: three distinct destinations, the third exactly 60 s after the first */
    hd_cfg_default(&cfg);
    cfg.internal = 3;
    setup_cfg(&h, &cfg);
    syn(&h, "192.168.5.5", 1000, "192.168.5.1", 445, 0, 1);
    syn(&h, "192.168.5.5", 1001, "192.168.5.2", 445, 30 * SEC, 2);
    syn(&h, "192.168.5.5", 1002, "192.168.5.3", 445, 60 * SEC + 1, 3);  /* .1 is out of the window */
    assert_int_equal(count(SD_WORM_SCAN), 0);
    syn(&h, "192.168.5.5", 1003, "192.168.5.1", 445, 61 * SEC, 4);      /* a new SYN to .1: 3 in 31 s */
    assert_int_equal(count(SD_WORM_SCAN), 1);
    assert_int_equal(first(SD_WORM_SCAN)->idx, 4);
    teardown(&h);
}

static void test_external_and_exposed_outbound(void **st)
{
    (void)st;
    struct hd_ctx h;
    setup(&h);
    char dst[32];
    for (int i = 1; i <= 5; i++) {
        snprintf(dst, sizeof dst, "198.51.100.%d", i);
        syn(&h, "10.0.0.102", (uint16_t)(42000 + i), dst, 445, (int64_t)(i - 1) * 6 * SEC, (uint64_t)(10 * i));
        seg(&h, dst, 445, "10.0.0.102", (uint16_t)(42000 + i), WD_TCP_SYN | WD_TCP_ACK,
            (int64_t)(i - 1) * 6 * SEC + 1000, (uint64_t)(10 * i + 1));
        syn(&h, "10.0.0.102", (uint16_t)(42000 + i), dst, 445, (int64_t)(i - 1) * 6 * SEC + 3 * SEC, (uint64_t)(10 * i + 2));
        if (i == 4)
            assert_int_equal(count(SD_WORM_SCAN), 0);
    }
    assert_int_equal(count(SD_WORM_SCAN), 1);
    const struct got *g = first(SD_WORM_SCAN);
    assert_int_equal(g->idx, 50);
    assert_non_null(strstr(g->attrs, "\"form\":\"external\",\"src\":\"10.0.0.102\",\"distinct\":5,\"threshold\":5,"
                                     "\"window_s\":60,\"targets\":[\"198.51.100.1\",\"198.51.100.2\",\"198.51.100.3\","
                                     "\"198.51.100.4\",\"198.51.100.5\"]"));
    /* smb.exposed outbound: one per flow (not per SYN retransmission nor SYN-ACK), at the SYN */
    assert_int_equal(count(SD_SMB_EXPOSED), 5);
    g = first(SD_SMB_EXPOSED);
    assert_int_equal(g->idx, 10);
    assert_int_equal(g->f.cport, 42001);
    assert_int_equal(g->f.sport, 445);
    assert_string_equal(g->attrs, "\"direction\":\"outbound\",\"outside\":\"198.51.100.1\",\"inside\":\"10.0.0.102\","
                                  "\"port\":445,\"seen\":\"syn\"");
    /* outbound on 139 is not in the rule; a SYN-ACK whose SYN was missed still proves an attempt */
    syn(&h, "10.0.0.103", 5000, "203.0.113.9", 139, 100 * SEC, 100);
    assert_int_equal(count(SD_SMB_EXPOSED), 5);
    seg(&h, "203.0.113.9", 445, "10.0.0.103", 5001, WD_TCP_SYN | WD_TCP_ACK, 101 * SEC, 101);
    assert_int_equal(count(SD_SMB_EXPOSED), 6);
    assert_non_null(strstr(g_got[g_n - 1].attrs, "\"seen\":\"syn_ack\""));
    teardown(&h);
}

static void test_midstream_counts(void **st)
{
    (void)st;
    struct hd_ctx h;
    setup(&h);
    char srv[32];
    /* 20 flows first seen mid-stream, half of them only from the server side */
    for (int i = 1; i <= 20; i++) {
        snprintf(srv, sizeof srv, "172.16.1.%d", i);
        if (i % 2)
            seg(&h, "172.16.0.9", (uint16_t)(50000 + i), srv, 445, WD_TCP_ACK | WD_TCP_PSH, i * SEC, (uint64_t)i);
        else
            seg(&h, srv, 445, "172.16.0.9", (uint16_t)(50000 + i), WD_TCP_ACK, i * SEC, (uint64_t)i);
        /* more segments of the same flow count nothing */
        seg(&h, "172.16.0.9", (uint16_t)(50000 + i), srv, 445, WD_TCP_ACK, i * SEC + 10, (uint64_t)i);
    }
    assert_int_equal(count(SD_WORM_SCAN), 1);
    assert_int_equal(first(SD_WORM_SCAN)->idx, 20);
    assert_non_null(strstr(first(SD_WORM_SCAN)->attrs, "\"src\":\"172.16.0.9\""));
    /* RSTs alone, and segments on other ports, are not attempts */
    for (int i = 1; i <= 30; i++) {
        snprintf(srv, sizeof srv, "172.16.2.%d", i);
        seg(&h, srv, 445, "172.16.0.10", (uint16_t)(50000 + i), WD_TCP_RST | WD_TCP_ACK, i * SEC, (uint64_t)i);
        syn(&h, "172.16.0.10", (uint16_t)(50000 + i), srv, 8445, i * SEC, (uint64_t)i);
    }
    assert_int_equal(count(SD_WORM_SCAN), 1);
    assert_int_equal(count(SD_SMB_EXPOSED), 0);  /* all internal */
    teardown(&h);
}

static void alert_on(struct hd_ctx *h, int det, const char *cli, const char *srv, uint16_t cport, uint64_t id,
                     uint64_t idx)
{
    struct wflow f;
    memset(&f, 0, sizeof f);
    f.ipver = 4;
    addr(f.cli, cli);
    addr(f.srv, srv);
    f.cport = cport;
    f.sport = 445;
    f.id = id;
    hd_on_alert(h, &f, det, (int64_t)idx * SEC, idx);
}

static void test_indicators(void **st)
{
    (void)st;
    struct hd_ctx h;
    setup(&h);
    /* not indicators: smb1.*, kill-switch, not_vulnerable, the host detections themselves */
    alert_on(&h, SD_SMB1_IN_USE, "192.168.116.149", "192.168.116.1", 1, 1, 1);
    alert_on(&h, SD_WC_KS_DNS, "192.168.116.149", "192.168.116.2", 2, 2, 2);
    alert_on(&h, SD_MS17_NOTVULN, "192.168.116.149", "192.168.116.3", 3, 3, 3);
    alert_on(&h, SD_SMB_EXPOSED, "192.168.116.149", "192.168.116.4", 4, 4, 4);
    alert_on(&h, SD_SMB1_CLIENT_ONLY, "192.168.116.149", "192.168.116.5", 5, 5, 5);
    assert_false(hd_is_indicator(SD_WORM_SCAN));
    assert_true(hd_is_indicator(SD_EB_GROOM));
    assert_true(hd_is_indicator(SD_WC_SHARE_ENC));
    /* two indicators on one target: still one target */
    alert_on(&h, SD_MS17_PROBE, "192.168.116.149", "192.168.116.138", 49368, 1000, 206);
    alert_on(&h, SD_MS17_VULN, "192.168.116.149", "192.168.116.138", 49368, 1000, 207);
    assert_int_equal(count(SD_WORM_SCAN), 0);
    alert_on(&h, SD_DP_PING, "192.168.116.149", "192.168.116.143", 49377, 2000, 214);
    assert_int_equal(count(SD_WORM_SCAN), 1);
    const struct got *g = first(SD_WORM_SCAN);
    assert_int_equal(g->f.id, 2000);  /* the real flow of the deciding alert */
    assert_int_equal(g->f.cport, 49377);
    assert_int_equal(g->idx, 214);
    assert_string_equal(g->attrs, "\"form\":\"indicators\",\"src\":\"192.168.116.149\",\"distinct\":2,\"threshold\":2,"
                                  "\"indicators\":[\"ms17_010.probe\",\"ms17_010.vulnerable_response\","
                                  "\"doublepulsar.ping\"],\"targets\":[\"192.168.116.138\",\"192.168.116.143\"]");
    alert_on(&h, SD_EB_EXPLOIT, "192.168.116.149", "192.168.116.150", 49400, 3000, 300);
    assert_int_equal(count(SD_WORM_SCAN), 1);
    teardown(&h);
}

static void test_allow_list(void **st)
{
    (void)st;
    struct hd_cfg cfg;
    hd_cfg_default(&cfg);
    assert_int_equal(hd_nets_add(&cfg.allow, "10.9.9.0/24"), 0);
    struct hd_ctx h;
    setup_cfg(&h, &cfg);
    char dst[32];
    for (int i = 1; i <= 30; i++) {
        snprintf(dst, sizeof dst, "10.0.0.%d", i);
        syn(&h, "10.9.9.7", (uint16_t)(40000 + i), dst, 445, i * SEC / 10, (uint64_t)i);
    }
    alert_on(&h, SD_MS17_PROBE, "10.9.9.7", "10.0.0.1", 1, 1, 40);
    alert_on(&h, SD_MS17_PROBE, "10.9.9.7", "10.0.0.2", 2, 2, 41);
    assert_int_equal(count(SD_WORM_SCAN), 0);
    /* a source next to the allowed network is reported */
    for (int i = 1; i <= 20; i++) {
        snprintf(dst, sizeof dst, "10.0.0.%d", i);
        syn(&h, "10.9.8.7", (uint16_t)(40000 + i), dst, 445, i * SEC / 10, (uint64_t)i);
    }
    assert_int_equal(count(SD_WORM_SCAN), 1);
    teardown(&h);
}

static void test_home_net_parsing(void **st)
{
    (void)st;
    struct hd_nets l;
    memset(&l, 0, sizeof l);
    uint8_t a[16];
    assert_int_equal(hd_nets_add(&l, "10.0.0.0/8"), 0);
    assert_int_equal(hd_nets_add(&l, " 192.0.2.7 , 2001:db8::/32"), 0);  /* a bare address is one host */
    assert_int_equal(l.count, 3);
    addr(a, "10.255.1.1");
    assert_true(hd_nets_match(&l, 4, a));
    addr(a, "11.0.0.1");
    assert_false(hd_nets_match(&l, 4, a));
    addr(a, "192.0.2.7");
    assert_true(hd_nets_match(&l, 4, a));
    addr(a, "192.0.2.8");
    assert_false(hd_nets_match(&l, 4, a));
    addr(a, "2001:db8:ffff::1");
    assert_true(hd_nets_match(&l, 6, a));
    addr(a, "2001:db9::1");
    assert_false(hd_nets_match(&l, 6, a));
    addr(a, "10.0.0.1");
    assert_false(hd_nets_match(&l, 6, a));  /* the family must match too */
    /* malformed: nothing is added, not even the valid part before the error */
    const char *bad[] = {"10.0.0.0/33", "abc", "10.0.0.0/", "10.0.0.0/8,", "10.0.0.0/8,,10.1.0.0/16", "::/129",
                         "10.0.0.0/-1", "", "10.0.0.0/8x", "1.2.3.4.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(hd_nets_add(&l, bad[i]), -1);
        assert_int_equal(l.count, 3);
    }
    /* host bits are ignored */
    assert_int_equal(hd_nets_add(&l, "172.20.3.4/16"), 0);
    addr(a, "172.20.200.1");
    assert_true(hd_nets_match(&l, 4, a));
    /* the cap */
    struct hd_nets full;
    memset(&full, 0, sizeof full);
    for (int i = 0; i < HD_MAX_NETS; i++)
        assert_int_equal(hd_nets_add(&full, "10.0.0.0/8"), 0);
    assert_int_equal(hd_nets_add(&full, "10.0.0.0/8"), -1);

    /* the default home net */
    struct hd_nets d;
    hd_nets_default_home(&d);
    const char *in[] = {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
                        "100.127.255.254", "169.254.1.1"};
    const char *out[] = {"172.32.0.1", "172.15.255.255", "100.128.0.1", "100.63.255.255", "8.8.8.8",
                         "198.51.100.1", "127.0.0.1"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        addr(a, in[i]);
        assert_true(hd_nets_match(&d, 4, a));
        addr(a, out[i]);
        assert_false(hd_nets_match(&d, 4, a));
    }
    addr(a, "fd12::1");
    assert_true(hd_nets_match(&d, 6, a));
    addr(a, "fe80::1");
    assert_true(hd_nets_match(&d, 6, a));
    addr(a, "2001:db8::1");
    assert_false(hd_nets_match(&d, 6, a));

    /* a replaced home net; loopback stays inside whatever the list */
    struct hd_cfg cfg;
    hd_cfg_default(&cfg);
    assert_int_equal(hd_nets_add(&cfg.home, "203.0.113.0/24"), 0);
    struct hd_ctx h;
    setup_cfg(&h, &cfg);
    addr(a, "203.0.113.5");
    assert_true(hd_is_home(&h, 4, a));
    addr(a, "10.0.0.1");
    assert_false(hd_is_home(&h, 4, a));
    addr(a, "127.3.0.1");
    assert_true(hd_is_home(&h, 4, a));
    addr(a, "::1");
    assert_true(hd_is_home(&h, 6, a));
    teardown(&h);
}

static void test_exposed_inbound(void **st)
{
    (void)st;
    struct hd_ctx h;
    setup(&h);
    /* a SYN from outside never answered: nothing */
    syn(&h, "203.0.113.50", 3333, "192.168.1.10", 445, 1 * SEC, 1);
    assert_int_equal(count(SD_SMB_EXPOSED), 0);
    /* answered on 139: one alert, at the SYN-ACK, naming the flow as the flow table does (its id is
     * that of the SYN's time) */
    syn(&h, "203.0.113.51", 4444, "192.168.1.10", 139, 2 * SEC, 2);
    syn(&h, "203.0.113.51", 4444, "192.168.1.10", 139, 5 * SEC, 3);  /* retransmission */
    seg(&h, "192.168.1.10", 139, "203.0.113.51", 4444, WD_TCP_SYN | WD_TCP_ACK, 5 * SEC + 100, 4);
    seg(&h, "192.168.1.10", 139, "203.0.113.51", 4444, WD_TCP_SYN | WD_TCP_ACK, 6 * SEC, 5);
    assert_int_equal(count(SD_SMB_EXPOSED), 1);
    const struct got *g = first(SD_SMB_EXPOSED);
    assert_int_equal(g->idx, 4);
    assert_int_equal(g->dir, WDIR_TO_CLIENT);
    assert_int_equal(g->f.first_ts, 2 * SEC);
    assert_int_equal(g->f.cport, 4444);
    assert_int_equal(g->f.sport, 139);
    assert_string_equal(g->attrs, "\"direction\":\"inbound\",\"outside\":\"203.0.113.51\",\"inside\":\"192.168.1.10\","
                                  "\"port\":139,\"seen\":\"syn_ack\"");
    /* both ends outside (transit), both inside, loopback: nothing */
    syn(&h, "205.227.227.1", 1025, "205.227.227.2", 445, 10 * SEC, 10);
    seg(&h, "205.227.227.2", 445, "205.227.227.1", 1025, WD_TCP_SYN | WD_TCP_ACK, 10 * SEC, 11);
    seg(&h, "10.0.0.2", 445, "192.168.0.1", 1026, WD_TCP_SYN | WD_TCP_ACK, 10 * SEC, 12);
    syn(&h, "127.0.0.1", 1027, "127.0.0.1", 445, 10 * SEC, 13);
    seg(&h, "127.0.0.1", 445, "127.0.0.1", 1027, WD_TCP_SYN | WD_TCP_ACK, 10 * SEC, 14);
    syn(&h, "::1", 1028, "::1", 445, 10 * SEC, 15);
    /* mid-stream outbound traffic is no attempt seen */
    seg(&h, "10.0.0.2", 1029, "198.51.100.7", 445, WD_TCP_ACK | WD_TCP_PSH, 10 * SEC, 16);
    assert_int_equal(count(SD_SMB_EXPOSED), 1);
    /* IPv6: outbound from a ULA to a global address */
    syn(&h, "fd00::5", 1030, "2001:db8::9", 445, 11 * SEC, 17);
    assert_int_equal(count(SD_SMB_EXPOSED), 2);
    assert_string_equal(g_got[g_n - 1].attrs, "\"direction\":\"outbound\",\"outside\":\"2001:db8::9\","
                                              "\"inside\":\"fd00::5\",\"port\":445,\"seen\":\"syn\"");
    assert_int_equal(count(SD_WORM_SCAN), 0);
    teardown(&h);
}

/* A SYN from a distinct source derived from i (addresses spread over 0.0.0.0/0). */
static void flood_syn(struct hd_ctx *h, uint32_t i, int64_t ts)
{
    struct wd_pkt p;
    memset(&p, 0, sizeof p);
    p.ipver = 4;
    p.proto = 6;
    uint32_t a = i * 2654435761u + 1;
    p.src[0] = (uint8_t)(a >> 24), p.src[1] = (uint8_t)(a >> 16), p.src[2] = (uint8_t)(a >> 8), p.src[3] = (uint8_t)a;
    addr(p.dst, "192.168.1.10");
    p.sport = (uint16_t)(1024 + i % 60000);
    p.dport = 445;
    p.tcp_flags = WD_TCP_SYN;
    hd_on_tcp(h, &p, ts, i);
}

static void test_bounded_table_flood(void **st)
{
    (void)st;
    struct hd_ctx h;
    setup(&h);
    size_t cap = h.cap;
    assert_true(cap >= HD_MIN_SOURCES && cap <= HD_MAX_SOURCES);
    assert_true(cap * h.src_size <= HD_TABLE_BYTES);
    unsigned char *table = h.srcs;
    const uint32_t n = 300000;
    for (uint32_t i = 0; i < n; i++)
        flood_syn(&h, i, (int64_t)i * 10);  /* 100,000 SYNs a second */
    assert_int_equal(count(SD_WORM_SCAN), 0);
    assert_int_equal(count(SD_SMB_EXPOSED), 0);  /* never answered */
    assert_int_equal(h.n, cap);                  /* the table never grew */
    assert_ptr_equal(h.srcs, table);
    /* every source beyond the capacity was dropped, or never admitted */
    assert_int_equal(h.st.sources + h.st.rejected, n);
    assert_int_equal(h.st.evictions + h.st.rejected, n - cap);
    teardown(&h);

    /* a small table: a real sweep among the flood is still reported (sources with evidence are kept
     * before single-SYN ones) */
    struct hd_cfg cfg;
    hd_cfg_default(&cfg);
    cfg.max_sources = 64;
    setup_cfg(&h, &cfg);
    char dst[32];
    uint32_t k = 0;
    for (; k < 500; k++)  /* the flood fills the table first */
        flood_syn(&h, k, k);
    for (int i = 1; i <= 30; i++) {
        snprintf(dst, sizeof dst, "10.0.0.%d", i);
        syn(&h, "10.0.0.100", (uint16_t)(40000 + i), dst, 445, (int64_t)i * SEC / 2, 1000000u + (uint64_t)i);
        for (int j = 0; j < 500; j++, k++)
            flood_syn(&h, k, (int64_t)i * SEC / 2 + j);
    }
    assert_int_equal(h.n, 64);
    /* 15,501 sources, 64 held; the sweep's first attempt was not admitted, its second was */
    assert_int_equal(h.st.evictions + h.st.rejected, 31 * 500 + 1 - 64 + 1);
    /* the sweep's first attempt looked like the flood's and was not admitted: it fires at the
     * 21st destination, with 20 distinct from 10.0.0.2 on */
    assert_int_equal(count(SD_WORM_SCAN), 1);
    const struct got *g = first(SD_WORM_SCAN);
    assert_int_equal(g->idx, 1000021);
    assert_non_null(strstr(g->attrs, "\"src\":\"10.0.0.100\",\"distinct\":20,\"threshold\":20,\"window_s\":60,"
                                     "\"targets\":[\"10.0.0.2\","));
    teardown(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_internal_threshold),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_external_and_exposed_outbound),
        cmocka_unit_test(test_midstream_counts),
        cmocka_unit_test(test_indicators),
        cmocka_unit_test(test_allow_list),
        cmocka_unit_test(test_home_net_parsing),
        cmocka_unit_test(test_exposed_inbound),
        cmocka_unit_test(test_bounded_table_flood),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
