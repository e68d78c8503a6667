/* test_watch_detect.c: unit tests of src/watch/smbdetect.c with synthetic SMB1 messages: probe and its
 * MID-matched reply, DoublePulsar ping and implant reply (key/arch), stateless EternalBlue, near misses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "proto/smb1.h"
#include "watch/smbdetect.h"

static int g_dets[SD_NDET];
static char g_attrs[SD_NDET][256];
static int g_flows;

static void on_alert(void *arg, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts, uint64_t idx)
{
    g_dets[det]++;
    snprintf(g_attrs[det], sizeof g_attrs[det], "%s", attrs);
}
static void on_flow(void *arg, const struct wflow *f, const uint32_t counts[SD_NDET]) { g_flows++; }

/* A reply header for request req (NBSS + SMB header + WordCount 0 + ByteCount 0). */
static size_t make_reply(uint8_t *out, const uint8_t *req, uint8_t cmd, uint32_t status, uint16_t mid,
                         const uint8_t sig[8])
{
    memset(out, 0, 39);
    out[3] = 35;
    memcpy(out + 4, req + 4, 32);
    uint8_t *h = out + 4;
    h[4] = cmd;
    h[5] = (uint8_t)status; h[6] = (uint8_t)(status >> 8); h[7] = (uint8_t)(status >> 16); h[8] = (uint8_t)(status >> 24);
    h[9] |= SMB1_FLAGS_REPLY;
    h[10] = 0x01; h[11] = 0xC8;  /* Flags2 0xC801: NT status */
    memcpy(h + 14, sig ? sig : (const uint8_t[8]){0}, 8);
    h[30] = (uint8_t)mid; h[31] = (uint8_t)(mid >> 8);
    return 39;
}

static void reset(struct sd_ctx *c, struct wflow *f)
{
    memset(g_dets, 0, sizeof g_dets);
    memset(g_attrs, 0, sizeof g_attrs);
    g_flows = 0;
    sd_init(c, on_alert, on_flow, NULL);
    memset(f, 0, sizeof *f);
    f->ipver = 4;
    f->sport = 445;
    f->cport = 40000;
}

static void test_probe_and_vulnerable_reply(void **st)
{
    struct sd_ctx c; struct wflow f; uint8_t req[256], rep[64];
    reset(&c, &f);
    struct smb1_ids ids = {.tid = 0x800, .pid = 0x4B2F, .uid = 0x800, .mid = 0x5EC5, .flags2 = 0x2801};
    size_t n = smb1_build_peek_nmpipe(req, sizeof req, &ids);
    assert_true(n > 0);
    sd_on_msg(&c, &f, WDIR_TO_SERVER, req, n, 1, 1);
    sd_on_msg(&c, &f, WDIR_TO_SERVER, req, n, 2, 2);  /* counted, not alerted again */
    assert_int_equal(g_dets[SD_MS17_PROBE], 1);
    assert_string_equal(g_attrs[SD_MS17_PROBE], "\"tool\":\"metasploit\"");
    /* a reply with another MID is not the probe's */
    make_reply(rep, req, SMB1_TRANS, 0xC0000205u, 0x1234, NULL);
    sd_on_msg(&c, &f, WDIR_TO_CLIENT, rep, 39, 3, 3);
    assert_int_equal(g_dets[SD_MS17_VULN], 0);
    make_reply(rep, req, SMB1_TRANS, 0xC0000205u, 0x5EC5, NULL);
    sd_on_msg(&c, &f, WDIR_TO_CLIENT, rep, 39, 4, 4);
    assert_int_equal(g_dets[SD_MS17_VULN], 1);
    assert_int_equal(g_dets[SD_MS17_NOTVULN], 0);
    sd_on_flow_end(&c, &f);
    assert_int_equal(g_flows, 1);
    assert_null(f.user);
    assert_int_equal(c.matches[SD_MS17_PROBE], 2);
    sd_free(&c);
}

static void test_dp_ping_and_implant(void **st)
{
    struct sd_ctx c; struct wflow f; uint8_t req[256], rep[64];
    reset(&c, &f);
    struct smb1_ids ids = {.tid = 0x800, .pid = 1, .uid = 0x800, .mid = 65, .flags2 = 0xC007};
    size_t n = smb1_build_dp_ping(req, sizeof req, &ids);
    sd_on_msg(&c, &f, WDIR_TO_SERVER, req, n, 1, 1);
    assert_int_equal(g_dets[SD_DP_PING], 1);
    assert_string_equal(g_attrs[SD_DP_PING], "\"opcode\":\"0x23\"");
    static const uint8_t sig[8] = {0x79, 0x4b, 0x5d, 0xa4, 0, 0, 0, 0};  /* decisions.md 6 check value */
    make_reply(rep, req, SMB1_TRANS2, 0xC0000002u, 81, sig);
    sd_on_msg(&c, &f, WDIR_TO_CLIENT, rep, 39, 2, 2);
    assert_int_equal(g_dets[SD_DP_IMPLANT], 1);
    assert_string_equal(g_attrs[SD_DP_IMPLANT], "\"mid_delta\":16,\"arch\":\"x86\",\"key\":\"0x31F1CB56\"");
    sd_on_flow_end(&c, &f);
    sd_free(&c);
}

static void test_dp_clean_reply(void **st)
{
    struct sd_ctx c; struct wflow f; uint8_t req[256], rep[64];
    reset(&c, &f);
    struct smb1_ids ids = {.tid = 0x800, .pid = 1, .uid = 0x800, .mid = 65, .flags2 = 0xC007};
    size_t n = smb1_build_dp_ping(req, sizeof req, &ids);
    sd_on_msg(&c, &f, WDIR_TO_SERVER, req, n, 1, 1);
    make_reply(rep, req, SMB1_TRANS2, 0xC0000002u, 65, NULL);  /* same MID: no implant */
    sd_on_msg(&c, &f, WDIR_TO_CLIENT, rep, 39, 2, 2);
    make_reply(rep, req, SMB1_TRANS2, 0xC0000002u, 81, NULL);  /* the ping is no longer outstanding */
    sd_on_msg(&c, &f, WDIR_TO_CLIENT, rep, 39, 3, 3);
    assert_int_equal(g_dets[SD_DP_IMPLANT], 0);
    sd_on_flow_end(&c, &f);
    sd_free(&c);
}

/* A Trans2 Secondary (WordCount 9) with the given counts. */
static size_t make_t2sec(uint8_t *out, uint16_t tdc, uint16_t dc, uint16_t disp)
{
    memset(out, 0, 64);
    uint8_t *h = out + 4;
    memcpy(h, "\xffSMB", 4);
    h[4] = SMB1_TRANS2_SECONDARY;
    h[11] = 0xC0;
    h[32] = 9;
    uint8_t *w = h + 33;
    w[2] = (uint8_t)tdc; w[3] = (uint8_t)(tdc >> 8);
    w[10] = (uint8_t)dc; w[11] = (uint8_t)(dc >> 8);
    w[14] = (uint8_t)disp; w[15] = (uint8_t)(disp >> 8);
    size_t n = 32 + 1 + 18 + 2;
    out[2] = (uint8_t)(n >> 8); out[3] = (uint8_t)n;
    return n + 4;
}

static void test_eternalblue_stateless(void **st)
{
    struct sd_ctx c; struct wflow f; uint8_t m[64];
    reset(&c, &f);
    size_t n = make_t2sec(m, 0x1000, 0x100, 0xF00);  /* in bounds: nothing */
    sd_on_msg(&c, &f, WDIR_TO_SERVER, m, n, 1, 1);
    assert_int_equal(g_dets[SD_EB_EXPLOIT], 0);
    n = make_t2sec(m, 0x1000, 0x100, 0xF01);
    sd_on_msg(&c, &f, WDIR_TO_SERVER, m, n, 2, 2);
    assert_int_equal(g_dets[SD_EB_EXPLOIT], 1);
    assert_string_equal(g_attrs[SD_EB_EXPLOIT], "\"form\":\"stateless\"");
    /* the same message toward the client is not a request */
    sd_on_flow_end(&c, &f);
    sd_free(&c);
}

static void test_garbage_is_safe(void **st)
{
    struct sd_ctx c; struct wflow f; uint8_t m[64];
    reset(&c, &f);
    for (size_t len = 0; len < sizeof m; len++) {
        memset(m, 0xFF, sizeof m);
        m[0] = 0;
        sd_on_msg(&c, &f, WDIR_TO_SERVER, m, len, 1, 1);
        sd_on_msg(&c, &f, WDIR_TO_CLIENT, m, len, 1, 1);
    }
    for (int i = 0; i < SD_NDET; i++)
        assert_int_equal(g_dets[i], 0);
    sd_on_flow_end(&c, &f);
    sd_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_and_vulnerable_reply), cmocka_unit_test(test_dp_ping_and_implant),
        cmocka_unit_test(test_dp_clean_reply), cmocka_unit_test(test_eternalblue_stateless),
        cmocka_unit_test(test_garbage_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
