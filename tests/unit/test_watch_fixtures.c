/* test_watch_fixtures.c: runs tests/watch/gen_fixtures.py into a temp dir and proves every generated
 * pcap well-formed: libpcap opens it, src/watch/decode.c decodes each frame, fragments reassemble
 * (src/watch/ipfrag.c), replays carry the source frames' segments, DNS/HTTP/SMB content parses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pcap/pcap.h>

#include "core/rd.h"
#include "pcapframe.h"
#include "proto/dns.h"
#include "proto/http.h"
#include "proto/killswitch.h"
#include "watch/decode.h"
#include "watch/ipfrag.h"

static char g_dir[512];

/* One decoded TCP/UDP packet (after reassembly), kept for the content checks. */
#define MAX_PKTS 512
struct seg {
    uint8_t proto;
    uint8_t src[4], dst[4];
    uint16_t sport, dport;
    uint8_t flags;
    uint32_t seq;
    unsigned nvlan;
    uint16_t vlan[2];
    size_t len;
    uint8_t *data;
};
struct summary {
    int linktype;
    unsigned frames, tcp, udp, frag, reassembled, other, err;
    unsigned nseg;
    struct seg seg[MAX_PKTS];
};

static struct ipfrag g_frag;
static struct summary g_sum;

static void summary_free(struct summary *s)
{
    for (unsigned i = 0; i < s->nseg; i++)
        free(s->seg[i].data);
    memset(s, 0, sizeof *s);
}

static void keep(struct summary *s, const struct wd_pkt *p, int rc)
{
    if (s->nseg >= MAX_PKTS)
        fail_msg("too many packets");
    struct seg *g = &s->seg[s->nseg++];
    g->proto = rc == WD_TCP ? 6 : 17;
    memcpy(g->src, p->src, 4);
    memcpy(g->dst, p->dst, 4);
    g->sport = p->sport;
    g->dport = p->dport;
    g->flags = p->tcp_flags;
    g->seq = p->seq;
    g->nvlan = p->n_vlan;
    memcpy(g->vlan, p->vlan, sizeof g->vlan);
    g->len = p->payload_len;
    g->data = malloc(p->payload_len ? p->payload_len : 1);
    assert_non_null(g->data);
    if (p->payload_len)
        memcpy(g->data, p->payload, p->payload_len);
}

static void read_fixture(const char *name, struct summary *s)
{
    summary_free(s);
    char path[1024], err[PCAP_ERRBUF_SIZE];
    snprintf(path, sizeof path, "%s/%s.pcap", g_dir, name);
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc)
        fail_msg("%s: %s", path, err);
    s->linktype = pcap_datalink(pc);
    ipfrag_init(&g_frag, 4u << 20, 30LL * 1000000);
    struct pcap_pkthdr *h;
    const u_char *d;
    int r;
    while ((r = pcap_next_ex(pc, &h, &d)) == 1) {
        s->frames++;
        assert_int_equal(h->caplen, h->len);
        struct wd_pkt p;
        int rc = wd_decode(s->linktype, d, h->caplen, &p);
        int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        switch (rc) {
        case WD_TCP: s->tcp++; keep(s, &p, rc); break;
        case WD_UDP: s->udp++; keep(s, &p, rc); break;
        case WD_OTHER: s->other++; break;
        case WD_FRAG: {
            s->frag++;
            uint8_t proto;
            const uint8_t *data;
            size_t len;
            if (ipfrag_add(&g_frag, &p, ts, &proto, &data, &len)) {
                s->reassembled++;
                int rc2 = wd_decode_transport(&p, proto, data, len);
                assert_true(rc2 == WD_TCP || rc2 == WD_UDP);
                keep(s, &p, rc2);
            }
            break;
        }
        default: s->err++; break;
        }
    }
    assert_int_equal(r, PCAP_ERROR_BREAK);
    pcap_close(pc);
    assert_int_equal(g_frag.st.dropped, 0);
    ipfrag_free(&g_frag);
}

/* link type, frames, TCP, UDP, fragments, reassembled, VLAN tags */
struct want {
    const char *name;
    int linktype;
    unsigned frames, tcp, udp, frag, reassembled, nvlan;
};
static const struct want wants[] = {
    {"killswitch_dns_success", 1, 8, 0, 8, 0, 0, 0},
    {"killswitch_dns_nxdomain", 1, 2, 0, 2, 0, 0, 0},
    {"killswitch_dns_answer_only", 1, 3, 0, 3, 0, 0, 0},
    {"killswitch_dns_tcp", 1, 8, 8, 0, 0, 0, 0},
    {"killswitch_dns_resolver", 1, 2, 0, 2, 0, 0, 0},
    {"killswitch_dns_nearmiss", 1, 6, 0, 6, 0, 0, 0},
    {"killswitch_http_success", 1, 8, 8, 0, 0, 0, 0},
    {"killswitch_http_failure", 1, 8, 8, 0, 0, 0, 0},
    {"worm_sweep_fast", 1, 210, 210, 0, 0, 0, 0},
    {"vlan_8021q", 1, 23, 23, 0, 0, 0, 1},
    {"vlan_qinq", 1, 23, 23, 0, 0, 0, 2},
    {"sll2", WD_LINK_SLL2, 18, 18, 0, 0, 0, 0},
    {"sll", WD_LINK_SLL, 18, 18, 0, 0, 0, 0},
    {"rawip", WD_LINK_RAW, 18, 18, 0, 0, 0, 0},
    {"bsd_null", WD_LINK_NULL, 18, 18, 0, 0, 0, 0},
    {"ip_fragments", 1, 33, 19, 0, 14, 4, 0},
    {"worm_sweep_indicators", 1, 46, 46, 0, 0, 0, 0},
    {"midstream_oneway", 1, 34, 34, 0, 0, 0, 0},
    {"legit_multifragment_trans", 1, 171, 171, 0, 0, 0, 0},
    {"oob_secondary_unknown", 1, 171, 171, 0, 0, 0, 0},
    {"share_encryption_smb1", 1, 46, 46, 0, 0, 0, 0},
    {"share_encryption_smb2", 1, 62, 62, 0, 0, 0, 0},
};

static void test_every_fixture_decodes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++) {
        const struct want *w = &wants[i];
        read_fixture(w->name, &g_sum);
        const struct summary *s = &g_sum;
        if (s->linktype != w->linktype || s->frames != w->frames || s->tcp != w->tcp || s->udp != w->udp ||
            s->frag != w->frag || s->reassembled != w->reassembled || s->err || s->other)
            fail_msg("%s: link %d frames %u tcp %u udp %u frag %u reasm %u err %u other %u", w->name,
                     s->linktype, s->frames, s->tcp, s->udp, s->frag, s->reassembled, s->err, s->other);
        for (unsigned k = 0; k < s->nseg; k++) {
            assert_int_equal(s->seg[k].nvlan, w->nvlan);
            if (w->nvlan == 2) {
                assert_int_equal(s->seg[k].vlan[0], 200);
                assert_int_equal(s->seg[k].vlan[1], 100);
            } else if (w->nvlan == 1) {
                assert_int_equal(s->seg[k].vlan[0], 100);
            }
        }
    }
    summary_free(&g_sum);
}

/* The replays carry exactly the TCP segments of their source frames, in order. */
struct cmp {
    const struct summary *s;
    unsigned first, last, idx;
};
static int cmp_cb(const struct pcapf_pkt *p, void *arg)
{
    struct cmp *c = arg;
    if (p->frame < c->first || p->frame > c->last)
        return 0;
    if (c->idx >= c->s->nseg)
        fail_msg("source frame %u missing", p->frame);
    const struct seg *g = &c->s->seg[c->idx++];
    assert_int_equal(g->sport, p->sport);
    assert_int_equal(g->dport, p->dport);
    assert_int_equal(g->seq, p->seq);
    assert_int_equal(g->flags, p->tcp_flags);
    assert_memory_equal(g->src, p->src, 4);
    assert_int_equal(g->len, p->payload_len);
    if (g->len)
        assert_memory_equal(g->data, p->payload, g->len);
    return 0;
}

static void check_replay(const char *name, const char *src, unsigned first, unsigned last)
{
    char path[1024];
    read_fixture(name, &g_sum);
    struct cmp c = {&g_sum, first, last, 0};
    assert_int_equal(pcapf_foreach(pcapf_shared(src, path, sizeof path), cmp_cb, &c), 0);
    assert_int_equal(c.idx, last - first + 1);
    assert_int_equal(c.idx, g_sum.nseg);
}

static void test_replays_match_sources(void **state)
{
    (void)state;
    static const char *const scan = "pcaps/id2t_Win7_eternalblue_scan.pcap";
    static const char *const dp = "pcaps/tmnids_doublepulsar-backdoor-connect-win7.pcap";
    check_replay("vlan_8021q", scan, 1, 23);
    check_replay("vlan_qinq", scan, 1, 23);
    /* fragments reassemble to the original segments; the duplicate makes no extra datagram */
    check_replay("ip_fragments", scan, 1, 23);
    check_replay("sll2", dp, 77, 94);
    check_replay("sll", dp, 77, 94);
    check_replay("rawip", dp, 77, 94);
    check_replay("bsd_null", dp, 77, 94);
    summary_free(&g_sum);
}

/* DNS names and HTTP hosts parse with src/proto and hit (or miss) the kill-switch table. */
static unsigned ks_queries(const char *name, unsigned *nx)
{
    read_fixture(name, &g_sum);
    unsigned hits = 0;
    *nx = 0;
    for (unsigned k = 0; k < g_sum.nseg; k++) {
        const struct seg *g = &g_sum.seg[k];
        if (g->len == 0 || (g->sport != 53 && g->dport != 53))
            continue;
        struct dns_msg m;
        char q[DNS_MAX_NAME];
        int rc = g->proto == 17 ? dns_parse(g->data, g->len, &m, q, sizeof q)
                                : dns_parse_tcp(g->data, g->len, &m, q, sizeof q);
        assert_int_equal(rc, 0);
        assert_true(m.has_question);
        if (m.is_response) {
            if (m.rcode == DNS_RCODE_NXDOMAIN)
                (*nx)++;
            else
                assert_int_equal(m.ancount, 1);
            continue;
        }
        if (killswitch_match(q))
            hits++;
    }
    return hits;
}

static void test_killswitch_content(void **state)
{
    (void)state;
    unsigned nx;
    assert_int_equal(ks_queries("killswitch_dns_success", &nx), 4);
    assert_int_equal(nx, 0);
    assert_int_equal(ks_queries("killswitch_dns_nxdomain", &nx), 1);
    assert_int_equal(nx, 1);
    assert_int_equal(ks_queries("killswitch_dns_tcp", &nx), 1);
    assert_int_equal(ks_queries("killswitch_dns_resolver", &nx), 1);
    assert_int_equal(ks_queries("killswitch_dns_nearmiss", &nx), 0);
    assert_int_equal(nx, 3);
    static const struct { const char *name; unsigned status; } h[] = {
        {"killswitch_http_success", 200}, {"killswitch_http_failure", 503}};
    for (size_t i = 0; i < 2; i++) {
        read_fixture(h[i].name, &g_sum);
        int req = 0, resp = 0;
        for (unsigned k = 0; k < g_sum.nseg; k++) {
            const struct seg *g = &g_sum.seg[k];
            if (!g->len)
                continue;
            if (g->dport == 80) {
                struct http_req r;
                assert_int_equal(http_parse_request(g->data, g->len, &r), 0);
                assert_true(r.has_host);
                assert_non_null(killswitch_match(r.host));
                req++;
            } else {
                struct http_resp r;
                assert_int_equal(http_parse_response(g->data, g->len, &r), 0);
                assert_int_equal(r.status, h[i].status);
                resp++;
            }
        }
        assert_int_equal(req, 1);
        assert_int_equal(resp, 1);
    }
    summary_free(&g_sum);
}

/* Worm sweep: source 1 sends 30 SYNs to 10.0.0.1-30 within 10 s, 15 answered. */
static void test_worm_sweep(void **state)
{
    (void)state;
    read_fixture("worm_sweep_fast", &g_sum);
    unsigned syn[3] = {0}, synack1 = 0;
    for (unsigned k = 0; k < g_sum.nseg; k++) {
        const struct seg *g = &g_sum.seg[k];
        if (g->flags == WD_TCP_SYN && g->dport == 445 && g->src[0] == 10 && g->src[3] >= 100 && g->src[3] <= 102)
            syn[g->src[3] - 100]++;
        if (g->flags == (WD_TCP_SYN | WD_TCP_ACK) && g->dst[3] == 100)
            synack1++;
    }
    assert_int_equal(syn[0], 30);
    assert_int_equal(synack1, 15);
    assert_int_equal(syn[1], 20);
    assert_int_equal(syn[2], 5);
    summary_free(&g_sum);
}

/* worm_sweep_indicators: the PeekNamedPipe probe (Trans, SMB command 0x25) to two servers;
 * midstream_oneway: only client-to-server segments of one flow, starting with a Trans2 secondary. */
static void test_indicators_and_midstream(void **state)
{
    (void)state;
    read_fixture("worm_sweep_indicators", &g_sum);
    unsigned probes = 0, to141 = 0;
    for (unsigned k = 0; k < g_sum.nseg; k++) {
        const struct seg *g = &g_sum.seg[k];
        if (g->dport == 445 && g->len > 8 && memcmp(g->data + 4, "\xffSMB\x25", 5) == 0) {
            probes++;
            to141 += g->dst[3] == 141;
        }
    }
    assert_int_equal(probes, 2);
    assert_int_equal(to141, 1);
    read_fixture("midstream_oneway", &g_sum);
    for (unsigned k = 0; k < g_sum.nseg; k++) {
        const struct seg *g = &g_sum.seg[k];
        assert_int_equal(g->sport, 39598);
        assert_int_equal(g->dport, 445);
    }
    assert_true(g_sum.seg[0].len > 8);
    assert_memory_equal(g_sum.seg[0].data + 4, "\xffSMB\x33", 5);
    summary_free(&g_sum);
}

/* SMB transactions: walk the client's NBSS stream and check every secondary's displacement and
 * count against the announced total (in bounds, the last ending at TDC; oob: one byte over). */
static uint8_t g_stream[1 << 20];
static void check_transactions(const char *name, int oob)
{
    read_fixture(name, &g_sum);
    size_t n = 0;
    for (unsigned k = 0; k < g_sum.nseg; k++) {
        const struct seg *g = &g_sum.seg[k];
        if (g->dport == 445 && g->len) {
            assert_true(n + g->len <= sizeof g_stream);
            memcpy(g_stream + n, g->data, g->len);
            n += g->len;
        }
    }
    unsigned count[256] = {0};
    size_t end_at_tdc[256] = {0}, over[256] = {0};
    size_t off = 0;
    while (off < n) {
        assert_true(n - off >= 4 + 33);
        size_t len = ((size_t)g_stream[off + 1] << 16) | ((size_t)g_stream[off + 2] << 8) | g_stream[off + 3];
        const uint8_t *smb = g_stream + off + 4;
        assert_true(off + 4 + len <= n);
        assert_memory_equal(smb, "\xffSMB", 4);
        uint8_t cmd = smb[4];
        const uint8_t *w = smb + 33;
        count[cmd]++;
        size_t tdc = 0, dc = 0, dd = 0;
        if (cmd == 0x26 || cmd == 0x33) {
            tdc = ld_le16(w + 2); dc = ld_le16(w + 10); dd = ld_le16(w + 14);
        } else if (cmd == 0xA1) {
            tdc = ld_le32(w + 7); dc = ld_le32(w + 23); dd = ld_le32(w + 31);
        }
        if (tdc) {
            if (dd + dc == tdc)
                end_at_tdc[cmd]++;
            if (dd + dc > tdc)
                over[cmd]++;
        }
        off += 4 + len;
    }
    assert_int_equal(off, n);
    assert_int_equal(count[0x72], 1);
    assert_int_equal(count[0x25], 1);
    assert_int_equal(count[0x26], 2);
    assert_int_equal(count[0x32], 1);
    assert_int_equal(count[0x33], 7);
    assert_int_equal(count[0xA0], 1);
    assert_int_equal(count[0xA1], 8);
    assert_int_equal(end_at_tdc[0x26], 1);
    assert_int_equal(end_at_tdc[0x33], 1);
    assert_int_equal(end_at_tdc[0xA1], oob ? 0 : 1);
    assert_int_equal(over[0x26] + over[0x33], 0);
    assert_int_equal(over[0xA1], oob ? 1 : 0);
}

static void test_transactions(void **state)
{
    (void)state;
    check_transactions("legit_multifragment_trans", 0);
    check_transactions("oob_secondary_unknown", 1);
    summary_free(&g_sum);
}

/* Every fixture has rows in tests/watch/generated_expected.tsv (8 columns) and every row names a
 * generated file. */
static char g_tsv[1024];
static void test_sidecar_covers_every_fixture(void **state)
{
    (void)state;
    FILE *f = fopen(g_tsv, "r");
    if (!f)
        fail_msg("%s: cannot open", g_tsv);
    char line[4096];
    unsigned rows[sizeof wants / sizeof wants[0]] = {0}, n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || strncmp(line, "capture\t", 8) == 0)
            continue;
        unsigned tabs = 0;
        for (const char *c = line; *c; c++)
            tabs += *c == '\t';
        if (tabs != 7)
            fail_msg("row %u: %u columns: %s", n + 1, tabs + 1, line);
        n++;
        size_t k;
        for (k = 0; k < sizeof wants / sizeof wants[0]; k++) {
            size_t l = strlen(wants[k].name);
            if (strncmp(line, wants[k].name, l) == 0 && strncmp(line + l, ".pcap\t", 6) == 0)
                break;
        }
        if (k == sizeof wants / sizeof wants[0])
            fail_msg("row names no generated fixture: %s", line);
        rows[k]++;
    }
    fclose(f);
    for (size_t k = 0; k < sizeof wants / sizeof wants[0]; k++)
        if (!rows[k])
            fail_msg("%s: no row in generated_expected.tsv", wants[k].name);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/sg_fixtures_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir))
        return -1;
    char gen[1024], shared[1024], cmd[4096];
    const char *fx = getenv("SMBGUARD_FIXTURES");   /* <source>/tests/fixtures */
    if (fx && *fx)
        snprintf(gen, sizeof gen, "%s/../watch/gen_fixtures.py", fx);
    else {                                           /* next to this source file */
        snprintf(gen, sizeof gen, "%s", __FILE__);
        char *slash = strrchr(gen, '/');
        snprintf(slash ? slash + 1 : gen, sizeof gen - (size_t)(slash ? slash + 1 - gen : 0),
                 "../watch/gen_fixtures.py");
    }
    snprintf(g_tsv, sizeof g_tsv, "%.*s/generated_expected.tsv", (int)(strrchr(gen, '/') - gen), gen);
    pcapf_shared("", shared, sizeof shared);
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' --shared '%s'", gen, g_dir, shared);
    if (system(cmd) != 0) {
        fprintf(stderr, "generator failed: %s\n", cmd);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_fixture_decodes),
        cmocka_unit_test(test_replays_match_sources),
        cmocka_unit_test(test_killswitch_content),
        cmocka_unit_test(test_worm_sweep),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_indicators_and_midstream),
        cmocka_unit_test(test_sidecar_covers_every_fixture),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
