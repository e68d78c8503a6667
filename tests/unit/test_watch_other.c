/* test_watch_other.c: unit tests of ms17_010.other_exploit (romance_synergy, champion, unknown, and the
 * in-bounds multi-fragment false-positive side) and smb1.client_only, with SMB1/SMB2 messages built by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/smb1.h"
#include "watch/smbdetect.h"

static int g_dets[SD_NDET];
static char g_attrs[SD_NDET][1024];
static uint64_t g_idx[SD_NDET];
static uint8_t g_cli[SD_NDET][4];

static void on_alert(void *arg, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts, uint64_t idx)
{
    (void)arg; (void)dir; (void)ts;
    g_dets[det]++;
    g_idx[det] = idx;
    memcpy(g_cli[det], f->cli, 4);
    snprintf(g_attrs[det], sizeof g_attrs[det], "%s", attrs);
}

static void reset(struct sd_ctx *c, struct wflow *f)
{
    memset(g_dets, 0, sizeof g_dets);
    memset(g_attrs, 0, sizeof g_attrs);
    memset(g_idx, 0, sizeof g_idx);
    sd_init(c, on_alert, NULL, NULL);
    memset(f, 0, sizeof *f);
    f->ipver = 4;
    memcpy(f->cli, (uint8_t[]){10, 0, 0, 1}, 4);
    memcpy(f->srv, (uint8_t[]){10, 0, 0, 2}, 4);
    f->sport = 445;
    f->cport = 40000;
}

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }

/* One NBSS message: SMB1 header (Flags2 0xC801, TID/PID/UID fixed) + WordCount + words + ByteCount + bytes. */
static size_t smb1(uint8_t *out, uint8_t cmd, int reply, uint32_t status, uint16_t mid, const uint8_t *words,
                   uint8_t wct, const uint8_t *bytes, uint16_t bcc)
{
    size_t n = 4;
    uint8_t *h = out + 4;
    memset(h, 0, 32);
    memcpy(h, "\xFFSMB", 4);
    h[4] = cmd;
    put32(h + 5, status);
    h[9] = reply ? SMB1_FLAGS_REPLY : 0;
    put16(h + 10, 0xC801);
    put16(h + 24, 0x0800);  /* TID */
    put16(h + 26, 0x1234);  /* PID */
    put16(h + 28, 0x0800);  /* UID */
    put16(h + 30, mid);
    n += 32;
    out[n++] = wct;
    if (wct)
        memcpy(out + n, words, 2u * wct);
    n += 2u * wct;
    put16(out + n, bcc);
    n += 2;
    if (bcc)
        memcpy(out + n, bytes, bcc);
    n += bcc;
    out[0] = 0;
    out[1] = (uint8_t)((n - 4) >> 16);
    out[2] = (uint8_t)((n - 4) >> 8);
    out[3] = (uint8_t)(n - 4);
    return n;
}

static void send_req(struct sd_ctx *c, struct wflow *f, uint8_t cmd, uint16_t mid, const uint8_t *w, uint8_t wct,
                     uint64_t idx)
{
    uint8_t buf[512];
    size_t n = smb1(buf, cmd, 0, 0, mid, w, wct, NULL, 0);
    sd_on_msg(c, f, WDIR_TO_SERVER, buf, n, (int64_t)idx, idx);
}

static void send_reply(struct sd_ctx *c, struct wflow *f, uint8_t cmd, uint32_t status, uint16_t mid, uint8_t wct,
                       uint64_t idx)
{
    uint8_t buf[512], w[40] = {0};
    size_t n = smb1(buf, cmd, 1, status, mid, w, wct, NULL, 0);
    sd_on_msg(c, f, WDIR_TO_CLIENT, buf, n, (int64_t)idx, idx);
}

/* Trans (0x25) or Trans2 (0x32) primary: one setup word. */
static void trans(struct sd_ctx *c, struct wflow *f, uint8_t cmd, uint16_t mid, uint16_t tdc, uint16_t dc,
                  uint16_t setup, uint64_t idx)
{
    uint8_t w[30] = {0};
    put16(w + 2, tdc);
    put16(w + 6, 0x1000);
    put16(w + 22, dc);
    put16(w + 24, 68);
    w[26] = 1;
    put16(w + 28, setup);
    send_req(c, f, cmd, mid, w, 15, idx);
}

/* Trans secondary (0x26, WordCount 8) or Trans2 secondary (0x33, WordCount 9). */
static void trans_sec(struct sd_ctx *c, struct wflow *f, uint8_t cmd, uint16_t mid, uint16_t tdc, uint16_t dd,
                      uint16_t dc, uint64_t idx)
{
    uint8_t w[18] = {0};
    put16(w + 2, tdc);
    put16(w + 10, dc);
    put16(w + 12, 60);
    put16(w + 14, dd);
    send_req(c, f, cmd, mid, w, cmd == SMB1_TRANS2_SECONDARY ? 9 : 8, idx);
}

static void nt_trans(struct sd_ctx *c, struct wflow *f, uint16_t mid, uint16_t function, uint32_t tdc, uint32_t dc,
                     uint64_t idx)
{
    uint8_t w[38] = {0};
    put32(w + 7, tdc);
    put32(w + 15, 0x10000);
    put32(w + 27, dc);
    put32(w + 31, 80);
    w[35] = 0;
    put16(w + 36, function);
    send_req(c, f, SMB1_NT_TRANS, mid, w, 19, idx);
}

static void nt_trans_sec(struct sd_ctx *c, struct wflow *f, uint16_t mid, uint32_t tdc, uint32_t dd, uint32_t dc,
                         uint64_t idx)
{
    uint8_t w[36] = {0};
    put32(w + 7, tdc);
    put32(w + 23, dc);
    put32(w + 27, 80);
    put32(w + 31, dd);
    send_req(c, f, SMB1_NT_TRANS_SECONDARY, mid, w, 18, idx);
}

static void write_andx(struct sd_ctx *c, struct wflow *f, uint16_t mid, uint16_t fid, uint64_t idx)
{
    uint8_t w[24] = {0};
    w[0] = 0xFF;
    put16(w + 4, fid);
    put16(w + 20, 16);
    put16(w + 22, 64);
    send_req(c, f, SMB1_WRITE_ANDX, mid, w, 12, idx);
}

/* EternalRomance/Synergy as in tmnids_eternalromance-success-2008r2 frames 18-21, 47-49, 158, 160. */
static void test_romance(void **st)
{
    (void)st;
    struct sd_ctx c; struct wflow f;
    reset(&c, &f);
    /* a complete TransactNmPipe and an ordinary write to the pipe FID 0x4000: nothing */
    trans(&c, &f, SMB1_TRANS, 64, 72, 72, 0x0026, 18);
    send_reply(&c, &f, SMB1_TRANS, 0, 64, 10, 19);
    write_andx(&c, &f, 64, 0x4000, 20);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 0);
    /* the spray: transactions announcing 21504 bytes and carrying none, answered by interim replies */
    for (uint16_t mid = 65; mid < 75; mid++) {
        trans(&c, &f, SMB1_TRANS, mid, 21504, 0, 0x0036, mid);
        send_reply(&c, &f, SMB1_TRANS, 0, mid, 0, mid);
    }
    trans(&c, &f, SMB1_TRANS, 75, 1, 0, 0x0036, 46);
    trans(&c, &f, SMB1_TRANS, 0x4000, 21504, 0, 0x0036, 47);
    send_reply(&c, &f, SMB1_TRANS, 0, 0x4000, 0, 49);
    /* an out-of-bounds Trans secondary (DD 0 + DC 1 > TDC 0) decides nothing by itself */
    trans_sec(&c, &f, SMB1_TRANS_SECONDARY, 75, 0, 0, 1, 158);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 0);
    /* the marker: a WRITE_ANDX whose FID is the MID of the open transaction */
    write_andx(&c, &f, 0x4000, 0x4000, 160);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 1);
    assert_int_equal(g_idx[SD_OTHER_EXPLOIT], 160);
    assert_non_null(strstr(g_attrs[SD_OTHER_EXPLOIT], "\"variant\":\"romance_synergy\""));
    assert_non_null(strstr(g_attrs[SD_OTHER_EXPLOIT], "\"write_fid\":\"0x4000\""));
    assert_non_null(strstr(g_attrs[SD_OTHER_EXPLOIT], "\"tx_mid\":\"0x4000\""));
    assert_non_null(strstr(g_attrs[SD_OTHER_EXPLOIT], "\"oob_secondaries\":1"));
    write_andx(&c, &f, 0x4000, 0x4000, 170);  /* counted, no second alert */
    sd_on_flow_end(&c, &f);                   /* and no `unknown` at flow end */
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 1);
    assert_int_equal(c.matches[SD_OTHER_EXPLOIT], 2);
    assert_int_equal(g_dets[SD_EB_EXPLOIT], 0);
    sd_finish(&c);
    sd_free(&c);
}

/* A final reply closes the transaction: a WRITE_ANDX using its MID as FID afterwards is ordinary. */
static void test_romance_closed_transaction(void **st)
{
    (void)st;
    struct sd_ctx c; struct wflow f;
    reset(&c, &f);
    trans(&c, &f, SMB1_TRANS, 0x4000, 21504, 0, 0x0036, 1);
    send_reply(&c, &f, SMB1_TRANS, 0, 0x4000, 0, 2);   /* interim: still open */
    send_reply(&c, &f, SMB1_TRANS, 0, 0x4000, 10, 3);  /* final */
    write_andx(&c, &f, 0x4001, 0x4000, 4);
    /* a transaction completed by its last secondary (ends exactly at the totals) is not open either */
    trans(&c, &f, SMB1_TRANS, 0x4002, 200, 100, 0x0026, 5);
    trans_sec(&c, &f, SMB1_TRANS_SECONDARY, 0x4002, 200, 100, 100, 6);
    write_andx(&c, &f, 0x4003, 0x4002, 7);
    sd_on_flow_end(&c, &f);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 0);
    sd_free(&c);
}

/* The marker behind an AndX chain: NT_CREATE_ANDX followed by WRITE_ANDX in the same message. */
static void test_romance_chained(void **st)
{
    (void)st;
    struct sd_ctx c; struct wflow f;
    reset(&c, &f);
    trans(&c, &f, SMB1_TRANS2, 0x4000, 4000, 0, 0x0001, 1);
    uint8_t w[48] = {0}, buf[256];
    w[0] = SMB1_WRITE_ANDX;
    size_t n = smb1(buf, SMB1_NT_CREATE, 0, 0, 0x4001, w, 24, NULL, 0);
    size_t off = n - 4;  /* the WRITE_ANDX block follows at this SMB offset */
    put16(buf + 4 + 33 + 2, (uint32_t)off);
    uint8_t *b = buf + n;
    b[0] = 12;
    memset(b + 1, 0, 24);
    b[1] = 0xFF;
    put16(b + 1 + 4, 0x4000);
    put16(b + 25, 0);
    n += 27;
    buf[2] = (uint8_t)((n - 4) >> 8);
    buf[3] = (uint8_t)(n - 4);
    sd_on_msg(&c, &f, WDIR_TO_SERVER, buf, n, 2, 2);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 1);
    assert_non_null(strstr(g_attrs[SD_OTHER_EXPLOIT], "\"variant\":\"romance_synergy\""));
    assert_non_null(strstr(g_attrs[SD_OTHER_EXPLOIT], "\"tx_cmd\":\"0x32\""));
    sd_on_flow_end(&c, &f);
    sd_free(&c);
}

/* EternalChampion as in eternalsafety_eternalchampion frames 38 and 51: NT Trans RENAME TDC 0x10D0 twice. */
static void test_champion(void **st)
{
    (void)st;
    struct sd_ctx c; struct wflow f;
    reset(&c, &f);
    nt_trans(&c, &f, 14750, 5, 0x10D0, 0x10D0, 38);
    nt_trans_sec(&c, &f, 14750, 276, 0, 276, 38);  /* in bounds */
    send_reply(&c, &f, SMB1_NT_TRANS, 0, 14750, 18, 46);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 0);  /* once is not enough */
    nt_trans(&c, &f, 14765, 5, 0x10D0, 0, 51);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 1);
    assert_int_equal(g_idx[SD_OTHER_EXPLOIT], 51);
    assert_non_null(strstr(g_attrs[SD_OTHER_EXPLOIT], "\"variant\":\"champion\""));
    assert_non_null(strstr(g_attrs[SD_OTHER_EXPLOIT], "\"renames\":2"));
    nt_trans(&c, &f, 16385, 5, 0x3F10, 0, 65);
    sd_on_flow_end(&c, &f);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 1);
    assert_int_equal(g_dets[SD_EB_EXPLOIT], 0);
    sd_free(&c);
}

/* Small renames (ordinary NT_TRANSACT_RENAME) and a single large one: nothing. */
static void test_champion_near_misses(void **st)
{
    (void)st;
    struct sd_ctx c; struct wflow f;
    reset(&c, &f);
    for (uint16_t mid = 1; mid < 10; mid++)
        nt_trans(&c, &f, mid, 5, 0x0FFF, 0x0FFF, mid);
    nt_trans(&c, &f, 20, 5, 0x1000, 0x1000, 20);
    nt_trans(&c, &f, 21, 4, 0x2000, 0x2000, 21);  /* NOTIFY, not RENAME */
    sd_on_flow_end(&c, &f);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 0);
    sd_free(&c);
}

/* oob_secondary_unknown: an NT Trans IOCTL whose last 0xA1 has DD + DC = TDC + 1. */
static void test_unknown_at_flow_end(void **st)
{
    (void)st;
    struct sd_ctx c; struct wflow f;
    reset(&c, &f);
    nt_trans(&c, &f, 12, 2, 0x20000, 3072, 70);
    nt_trans_sec(&c, &f, 12, 0x20000, 3072, 16000, 80);
    nt_trans_sec(&c, &f, 12, 0x20000, 115072, 16001, 167);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 0);  /* written when the flow ends */
    sd_on_flow_end(&c, &f);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 1);
    assert_int_equal(g_idx[SD_OTHER_EXPLOIT], 167);
    assert_non_null(strstr(g_attrs[SD_OTHER_EXPLOIT], "\"variant\":\"unknown\""));
    assert_non_null(strstr(g_attrs[SD_OTHER_EXPLOIT], "\"cmd\":\"0xA1\""));
    assert_non_null(strstr(g_attrs[SD_OTHER_EXPLOIT], "\"tdc\":131072,\"dd\":115072,\"dc\":16001"));
    assert_int_equal(g_dets[SD_EB_EXPLOIT], 0);
    sd_free(&c);
}

/* legit_multifragment_trans: Trans TDC 9000, Trans2 TDC 60000, NT Trans IOCTL TDC 0x20000, all in bounds,
 * each last part ending exactly at TDC. */
static void test_inbounds_multifragment(void **st)
{
    (void)st;
    struct sd_ctx c; struct wflow f;
    reset(&c, &f);
    trans(&c, &f, SMB1_TRANS, 10, 9000, 3000, 0x0026, 1);
    trans_sec(&c, &f, SMB1_TRANS_SECONDARY, 10, 9000, 3000, 3000, 2);
    trans_sec(&c, &f, SMB1_TRANS_SECONDARY, 10, 9000, 6000, 3000, 3);
    send_reply(&c, &f, SMB1_TRANS, 0, 10, 10, 4);
    trans(&c, &f, SMB1_TRANS2, 11, 60000, 4000, 0x0008, 5);
    for (uint16_t i = 0; i < 7; i++)
        trans_sec(&c, &f, SMB1_TRANS2_SECONDARY, 11, 60000, (uint16_t)(4000 + 8000 * i), 8000, 6u + i);
    send_reply(&c, &f, SMB1_TRANS2, 0, 11, 10, 13);
    nt_trans(&c, &f, 12, 2, 0x20000, 3072, 14);
    for (uint32_t i = 0; i < 8; i++)
        nt_trans_sec(&c, &f, 12, 0x20000, 3072 + 16000 * i, i == 7 ? 0x20000 - 3072 - 16000 * 7 : 16000, 15u + i);
    send_reply(&c, &f, SMB1_NT_TRANS, 0, 12, 18, 23);
    write_andx(&c, &f, 13, 0x4000, 24);  /* a write to some pipe: no transaction is open */
    sd_on_flow_end(&c, &f);
    assert_int_equal(g_dets[SD_OTHER_EXPLOIT], 0);
    assert_int_equal(g_dets[SD_EB_EXPLOIT], 0);
    sd_free(&c);
}

/* An SMB1 NEGOTIATE request offering the given dialect names. */
static void negotiate1(struct sd_ctx *c, struct wflow *f, const char *const *names, size_t k, uint64_t idx)
{
    uint8_t bytes[256], buf[320];
    uint16_t n = 0;
    for (size_t i = 0; i < k; i++) {
        bytes[n++] = 0x02;
        size_t l = strlen(names[i]) + 1;
        memcpy(bytes + n, names[i], l);
        n = (uint16_t)(n + l);
    }
    size_t len = smb1(buf, SMB1_NEGOTIATE, 0, 0, 0, NULL, 0, bytes, n);
    sd_on_msg(c, f, WDIR_TO_SERVER, buf, len, (int64_t)idx, idx);
}

/* An SMB2 NEGOTIATE request with dialect_count dialects (2.0.2 and 2.1). */
static void negotiate2(struct sd_ctx *c, struct wflow *f, uint16_t dialect_count, uint64_t idx)
{
    uint8_t buf[4 + 64 + 36 + 4] = {0};
    uint8_t *h = buf + 4;
    memcpy(h, "\xFESMB", 4);
    put16(h + 4, 64);
    uint8_t *b = h + 64;
    put16(b, 36);
    put16(b + 2, dialect_count);
    put16(b + 36, 0x0202);
    put16(b + 38, 0x0210);
    size_t n = 64 + 36 + 2u * dialect_count;
    buf[2] = (uint8_t)(n >> 8);
    buf[3] = (uint8_t)n;
    sd_on_msg(c, f, WDIR_TO_SERVER, buf, n + 4, (int64_t)idx, idx);
}

static void set_flow(struct wflow *f, uint8_t cli, uint8_t srv, uint16_t cport)
{
    f->cli[3] = cli;
    f->srv[3] = srv;
    f->cport = cport;
}

static void test_client_only(void **st)
{
    (void)st;
    struct sd_ctx c; struct wflow f;
    reset(&c, &f);
    static const char *const nt[] = {"NT LM 0.12"};
    static const char *const multi[] = {"NT LM 0.12", "SMB 2.002", "SMB 2.???"};
    /* 10.0.0.1: SMB1-only negotiates on two flows to two servers */
    set_flow(&f, 1, 2, 40001);
    negotiate1(&c, &f, nt, 1, 4);
    sd_on_flow_end(&c, &f);
    set_flow(&f, 1, 3, 40002);
    negotiate1(&c, &f, nt, 1, 9);
    sd_on_flow_end(&c, &f);
    /* 10.0.0.5: the multi-protocol SMB1 negotiate offers SMB2 */
    set_flow(&f, 5, 2, 40003);
    negotiate1(&c, &f, multi, 3, 12);
    sd_on_flow_end(&c, &f);
    /* 10.0.0.6: SMB1-only first, then an SMB2 NEGOTIATE with dialects on another flow */
    set_flow(&f, 6, 2, 40004);
    negotiate1(&c, &f, nt, 1, 14);
    sd_on_flow_end(&c, &f);
    set_flow(&f, 6, 2, 40005);
    negotiate2(&c, &f, 2, 15);
    sd_on_flow_end(&c, &f);
    /* 10.0.0.7: an SMB2 NEGOTIATE with DialectCount 0 (groom-like) does not count as offering SMB2 */
    set_flow(&f, 7, 2, 40006);
    negotiate2(&c, &f, 0, 16);
    negotiate1(&c, &f, nt, 1, 17);
    sd_on_flow_end(&c, &f);
    /* 10.0.0.8: SMB1 traffic without any negotiate (mid-stream): tells nothing */
    set_flow(&f, 8, 2, 40007);
    write_andx(&c, &f, 3, 0x4000, 18);
    sd_on_flow_end(&c, &f);
    assert_int_equal(g_dets[SD_SMB1_CLIENT_ONLY], 0);  /* written at the end of the capture only */
    sd_finish(&c);
    assert_int_equal(g_dets[SD_SMB1_CLIENT_ONLY], 2);  /* 10.0.0.1 and 10.0.0.7 */
    assert_int_equal(c.alerts[SD_SMB1_CLIENT_ONLY], 2);
    /* the last record is 10.0.0.7's (clients are written in order of first negotiate) */
    assert_memory_equal(g_cli[SD_SMB1_CLIENT_ONLY], ((uint8_t[]){10, 0, 0, 7}), 4);
    assert_int_equal(g_idx[SD_SMB1_CLIENT_ONLY], 17);
    assert_non_null(strstr(g_attrs[SD_SMB1_CLIENT_ONLY], "\"client\":\"10.0.0.7\""));
    sd_free(&c);

    /* the first record alone: 10.0.0.1 with both servers */
    reset(&c, &f);
    set_flow(&f, 1, 2, 40001);
    negotiate1(&c, &f, nt, 1, 4);
    sd_on_flow_end(&c, &f);
    set_flow(&f, 1, 3, 40002);
    negotiate1(&c, &f, nt, 1, 9);
    negotiate1(&c, &f, nt, 1, 10);
    sd_on_flow_end(&c, &f);
    sd_finish(&c);
    assert_int_equal(g_dets[SD_SMB1_CLIENT_ONLY], 1);
    assert_int_equal(g_idx[SD_SMB1_CLIENT_ONLY], 4);
    assert_string_equal(g_attrs[SD_SMB1_CLIENT_ONLY],
                        "\"client\":\"10.0.0.1\",\"negotiates\":3,\"servers\":[\"10.0.0.2:445\",\"10.0.0.3:445\"],"
                        "\"servers_truncated\":false,\"dialects\":[\"NT LM 0.12\"]");
    sd_free(&c);
}

/* The client table is capped: clients past SD_MAX_CLIENTS are counted, not tracked. */
static void test_client_only_cap(void **st)
{
    (void)st;
    struct sd_ctx c; struct wflow f;
    reset(&c, &f);
    static const char *const nt[] = {"NT LM 0.12"};
    for (unsigned i = 0; i < SD_MAX_CLIENTS + 10; i++) {
        f.cli[0] = 10;
        f.cli[1] = (uint8_t)(i >> 16);
        f.cli[2] = (uint8_t)(i >> 8);
        f.cli[3] = (uint8_t)i;
        negotiate1(&c, &f, nt, 1, i + 1);
        sd_on_flow_end(&c, &f);
    }
    assert_int_equal(c.clients_overflow, 10);
    sd_finish(&c);
    assert_int_equal(g_dets[SD_SMB1_CLIENT_ONLY], SD_MAX_CLIENTS);
    sd_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_romance),          cmocka_unit_test(test_romance_closed_transaction),
        cmocka_unit_test(test_romance_chained),  cmocka_unit_test(test_champion),
        cmocka_unit_test(test_champion_near_misses), cmocka_unit_test(test_unknown_at_flow_end),
        cmocka_unit_test(test_inbounds_multifragment), cmocka_unit_test(test_client_only),
        cmocka_unit_test(test_client_only_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
