/* test_watch_share.c: unit tests of src/watch/sharedetect.c (wannacry.share_encryption) through
 * smbdetect's sd_on_msg with synthetic SMB1/SMB2 messages: names, trees, compounds, renames, caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "proto/smb1.h"
#include "proto/smb2.h"
#include "watch/sharedetect.h"
#include "watch/smbdetect.h"

static int g_alerts;              /* wannacry.share_encryption alerts */
static char g_attrs[8][1024];     /* their attributes, first 8 */
static uint64_t g_alert_idx[8];
static uint32_t g_flow_count;     /* share_encryption count of the last flow record */

static void on_alert(void *arg, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts, uint64_t idx)
{
    (void)arg, (void)f, (void)dir, (void)ts;
    if (det != SD_WC_SHARE_ENC)
        return;
    if (g_alerts < 8) {
        snprintf(g_attrs[g_alerts], sizeof g_attrs[0], "%s", attrs);
        g_alert_idx[g_alerts] = idx;
    }
    g_alerts++;
}

static void on_flow(void *arg, const struct wflow *f, const uint32_t counts[SD_NDET])
{
    (void)arg, (void)f;
    g_flow_count = counts[SD_WC_SHARE_ENC];
}

static void reset(struct sd_ctx *c)
{
    g_alerts = 0;
    g_flow_count = 0;
    memset(g_attrs, 0, sizeof g_attrs);
    sd_init(c, on_alert, on_flow, NULL);
}

static void flow_init(struct wflow *f, uint8_t cli_last, uint16_t cport)
{
    memset(f, 0, sizeof *f);
    f->ipver = 4;
    memcpy(f->cli, (const uint8_t[4]){192, 168, 1, cli_last}, 4);
    memcpy(f->srv, (const uint8_t[4]){192, 168, 1, 200}, 4);
    f->cport = cport;
    f->sport = 445;
}

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }

static size_t utf16(const char *s, uint8_t *out) { return text_ascii_to_utf16le(s, out, 1800); }  /* out: at least 1800 bytes */

/* ---- SMB2 builders: one message at p (no NBSS header); returns its length. */

static size_t s2_hdr(uint8_t *p, uint16_t cmd, uint64_t mid, uint32_t tid, uint32_t flags, uint32_t status)
{
    memset(p, 0, 64);
    memcpy(p, "\xfeSMB", 4);
    put16(p + 4, 64);
    put32(p + 8, status);
    put16(p + 12, cmd);
    put32(p + 16, flags);
    put32(p + 24, (uint32_t)mid);
    put32(p + 36, tid);
    return 64;
}

static size_t s2_tcon(uint8_t *p, uint64_t mid, const char *path)
{
    size_t n = s2_hdr(p, SMB2_TREE_CONNECT, mid, 0, 0, 0);
    size_t l = utf16(path, p + 72);
    put16(p + n, 9);
    put16(p + n + 4, 72);
    put16(p + n + 6, (uint32_t)l);
    return 72 + l;
}

static size_t s2_tcon_rsp(uint8_t *p, uint64_t mid, uint32_t tid, uint32_t status)
{
    size_t n = s2_hdr(p, SMB2_TREE_CONNECT, mid, tid, SMB2_FLAGS_RESPONSE, status);
    memset(p + n, 0, 16);
    put16(p + n, 16);
    return n + 16;
}

static size_t s2_create(uint8_t *p, uint64_t mid, uint32_t tid, uint32_t flags, const char *name)
{
    size_t n = s2_hdr(p, SMB2_CREATE, mid, tid, flags, 0);
    memset(p + n, 0, 56);
    put16(p + n, 57);
    size_t l = utf16(name, p + 120);
    put16(p + n + 44, 120);
    put16(p + n + 46, (uint32_t)l);
    return 120 + (l ? l : 1);
}

static size_t s2_rename(uint8_t *p, uint64_t mid, uint32_t tid, uint32_t flags, const char *name)
{
    size_t n = s2_hdr(p, SMB2_SET_INFO, mid, tid, flags, 0);
    memset(p + n, 0, 32 + 20);
    put16(p + n, 33);
    p[n + 2] = SMB2_0_INFO_FILE;
    p[n + 3] = SMB2_FILE_RENAME_INFORMATION;
    size_t l = utf16(name, p + 96 + 20);
    put32(p + n + 4, (uint32_t)(20 + l));
    put16(p + n + 8, 96);
    put32(p + 96 + 16, (uint32_t)l);
    return 96 + 20 + l;
}

/* Wraps the message(s) at p[0..n) in an NBSS header into out. */
static size_t nbss(uint8_t *out, const uint8_t *p, size_t n)
{
    out[0] = 0;
    out[1] = (uint8_t)(n >> 16);
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    memmove(out + 4, p, n);
    return n + 4;
}

static uint64_t g_idx;

static void feed(struct sd_ctx *c, struct wflow *f, int dir, const uint8_t *p, size_t n)
{
    uint8_t msg[8192];
    size_t len = nbss(msg, p, n);
    g_idx++;
    sd_on_msg(c, f, dir, msg, len, (int64_t)g_idx, g_idx);
}

static void s2_send_create(struct sd_ctx *c, struct wflow *f, uint64_t mid, uint32_t tid, const char *name)
{
    uint8_t m[4096];
    feed(c, f, WDIR_TO_SERVER, m, s2_create(m, mid, tid, 0, name));
}

static void s2_connect(struct sd_ctx *c, struct wflow *f, uint64_t mid, const char *path, uint32_t tid)
{
    uint8_t m[4096];
    feed(c, f, WDIR_TO_SERVER, m, s2_tcon(m, mid, path));
    feed(c, f, WDIR_TO_CLIENT, m, s2_tcon_rsp(m, mid, tid, 0));
}

/* ---- SMB1 builders (header + WordCount + words + ByteCount + bytes), at p without NBSS. */

static size_t s1_hdr(uint8_t *p, uint8_t cmd, int reply, uint16_t flags2, uint16_t tid, uint16_t mid)
{
    memset(p, 0, 32);
    memcpy(p, "\xffSMB", 4);
    p[4] = cmd;
    p[9] = reply ? 0x98 : 0x18;
    put16(p + 10, flags2);
    put16(p + 24, tid);
    put16(p + 26, 0x0F00);
    put16(p + 28, 0x0800);
    put16(p + 30, mid);
    return 32;
}

/* NT_CREATE_ANDX request at offset at of p (an AndX element), chained to next (0xFF: none). */
static size_t s1_ntcreate_at(uint8_t *p, size_t at, uint16_t flags2, const char *name, uint8_t next, uint16_t next_off)
{
    int wide = (flags2 & SMB1_FLAGS2_UNICODE) != 0;
    uint8_t *w = p + at + 1;
    p[at] = 24;
    memset(w, 0, 48);
    w[0] = next;
    put16(w + 2, next_off);
    size_t bo = at + 1 + 48 + 2, o = bo;
    if (wide && (o & 1))
        p[o++] = 0;  /* pad */
    size_t l = wide ? utf16(name, p + o) : strlen(name);
    if (!wide)
        memcpy(p + o, name, l);
    put16(w + 5, (uint32_t)l);
    o += l;
    p[o++] = 0;
    if (wide)
        p[o++] = 0;
    put16(p + at + 1 + 48, (uint32_t)(o - bo));
    return o;
}

static size_t s1_tcon_rsp(uint8_t *p, uint16_t tid, uint16_t mid, uint32_t status)
{
    size_t n = s1_hdr(p, SMB1_TREE_CONNECT, 1, 0xC801, tid, mid);
    put32(p + 5, status);
    p[n++] = status ? 0 : 3;
    if (!status) {
        memset(p + n, 0, 6);
        p[n] = 0xFF;
        n += 6;
    }
    p[n++] = 0;
    p[n++] = 0;
    return n;
}

/* ---- tests */

static int m8(const char *s) { return se_name_matches((const uint8_t *)s, strlen(s), 0); }
static int m16(const char *s)
{
    uint8_t b[2048];
    return se_name_matches(b, utf16(s, b), 1);
}

static void test_names(void **st)
{
    (void)st;
    static const char *const yes[] = {"a.docx.WNCRY", "b.WNCRYT", "@Please_Read_Me@.txt", "@WanaDecryptor@.exe",
                                      "dir\\sub\\x.wncry", "dir/@please_read_me@.TXT", "\\@WANADECRYPTOR@.EXE",
                                      "y.WnCrYt"};
    static const char *const no[] = {"x.wncry.bak", "WNCRY.txt", "a.WNCRYTX", "a.WNCR", "x@Please_Read_Me@.txt",
                                     "@Please_Read_Me@.txt.bak", "@WanaDecryptor@.exe.lnk", "a.WNCRY\\b.txt",
                                     "a.WNCRY:Zone.Identifier", "", "WNCRY"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        assert_true(m8(yes[i]));
        assert_true(m16(yes[i]));
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        assert_false(m8(no[i]));
        assert_false(m16(no[i]));
    }
    /* the name ends at its first NUL */
    assert_true(se_name_matches((const uint8_t *)"a.WNCRY\0junk", 12, 0));
    assert_false(se_name_matches((const uint8_t *)"a.WNC\0RY", 8, 0));
    /* an odd trailing byte of a UTF-16 name is not a code unit */
    uint8_t b[2048];
    size_t l = utf16("a.WNCRY", b);
    b[l] = 'x';
    assert_true(se_name_matches(b, l + 1, 1));
    assert_false(se_name_matches(NULL, 10, 1));
}

/* SMB2: tree connect matched by MessageId, CREATE / rename counted, near misses not; one alert per
 * (client, share); the flow record carries every match of the flow. */
static void test_smb2_share_and_rename(void **st)
{
    (void)st;
    struct sd_ctx c;
    struct wflow f;
    uint8_t m[4096];
    reset(&c);
    flow_init(&f, 10, 50000);
    feed(&c, &f, WDIR_TO_SERVER, m, s2_tcon(m, 7, "\\\\srv\\Finance"));
    feed(&c, &f, WDIR_TO_SERVER, m, s2_tcon(m, 8, "\\\\srv\\HR"));
    feed(&c, &f, WDIR_TO_CLIENT, m, s2_tcon_rsp(m, 8, 9, 0));  /* replies in any order */
    feed(&c, &f, WDIR_TO_CLIENT, m, s2_tcon_rsp(m, 7, 5, 0));
    s2_send_create(&c, &f, 10, 5, "Q1\\report.docx");
    s2_send_create(&c, &f, 11, 5, "x.wncry.bak");
    s2_send_create(&c, &f, 12, 5, "WNCRY.txt");
    assert_int_equal(g_alerts, 0);
    s2_send_create(&c, &f, 13, 5, "Q1\\a.\"docx\".WNCRY");
    assert_int_equal(g_alerts, 1);
    assert_string_equal(g_attrs[0], "\"share\":\"\\\\\\\\srv\\\\Finance\",\"file\":\"Q1\\\\a.\\\"docx\\\".WNCRY\","
                                    "\"operation\":\"create\",\"smb\":2,\"tree_id\":5");
    feed(&c, &f, WDIR_TO_SERVER, m, s2_rename(m, 14, 5, 0, "Q1\\budget.xlsx.WNCRY"));
    feed(&c, &f, WDIR_TO_SERVER, m, s2_rename(m, 15, 5, 0, "WNCRY.txt"));
    assert_int_equal(g_alerts, 1);  /* same (client, share) */
    feed(&c, &f, WDIR_TO_SERVER, m, s2_rename(m, 16, 9, 0, "staff.pdf.WNCRY"));
    assert_int_equal(g_alerts, 2);
    assert_string_equal(g_attrs[1], "\"share\":\"\\\\\\\\srv\\\\HR\",\"file\":\"staff.pdf.WNCRY\","
                                    "\"operation\":\"rename\",\"smb\":2,\"tree_id\":9");
    /* a response carrying a name is not a request */
    feed(&c, &f, WDIR_TO_CLIENT, m, s2_create(m, 17, 5, SMB2_FLAGS_RESPONSE, "z.WNCRY"));
    sd_on_flow_end(&c, &f);
    assert_int_equal(g_flow_count, 3);
    assert_int_equal(c.matches[SD_WC_SHARE_ENC], 3);
    assert_int_equal(se_n_totals(c.se), 2);
    struct se_total t;
    assert_int_equal(se_total_at(c.se, 0, &t), 0);
    assert_string_equal(t.share, "\\\\srv\\Finance");
    assert_string_equal(t.file, "Q1\\a.\"docx\".WNCRY");
    assert_int_equal(t.count, 2);
    assert_int_equal(se_total_at(c.se, 1, &t), 0);
    assert_string_equal(t.share, "\\\\srv\\HR");
    assert_int_equal(t.count, 1);
    assert_int_equal(se_total_at(c.se, 2, &t), -1);
    sd_free(&c);
}

/* A related compound: the SET_INFO names TreeId 0xFFFFFFFF and inherits the CREATE's tree; an
 * unrelated one keeps its own tree id; a compound led by a TREE_CONNECT gives its path. */
static void test_smb2_compound(void **st)
{
    (void)st;
    struct sd_ctx c;
    struct wflow f;
    uint8_t m[4096];
    reset(&c);
    flow_init(&f, 10, 50001);
    s2_connect(&c, &f, 1, "\\\\srv\\Docs", 5);
    size_t a = s2_create(m, 2, 5, 0, "plan.pptx");
    a = (a + 7) & ~(size_t)7;
    put32(m + 20, (uint32_t)a);
    size_t b = s2_rename(m + a, 3, 0xFFFFFFFFu, 0x4, "plan.pptx.WNCRY");
    feed(&c, &f, WDIR_TO_SERVER, m, a + b);
    assert_int_equal(g_alerts, 1);
    assert_string_equal(g_attrs[0], "\"share\":\"\\\\\\\\srv\\\\Docs\",\"file\":\"plan.pptx.WNCRY\","
                                    "\"operation\":\"rename\",\"smb\":2,\"tree_id\":5");
    /* unrelated second message on an unknown tree: share null, a new (client, share) */
    b = s2_create(m + a, 4, 77, 0, "@WanaDecryptor@.exe");
    feed(&c, &f, WDIR_TO_SERVER, m, a + b);
    assert_int_equal(g_alerts, 2);
    assert_string_equal(g_attrs[1], "\"share\":null,\"file\":\"@WanaDecryptor@.exe\",\"operation\":\"create\","
                                    "\"smb\":2,\"tree_id\":77");
    /* TREE_CONNECT + related CREATE: the create cannot know the tree id yet */
    a = s2_tcon(m, 5, "\\\\srv\\New");
    a = (a + 7) & ~(size_t)7;
    put32(m + 20, (uint32_t)a);
    b = s2_create(m + a, 6, 0xFFFFFFFFu, 0x4, "n.WNCRYT");
    feed(&c, &f, WDIR_TO_SERVER, m, a + b);
    assert_int_equal(g_alerts, 3);
    assert_non_null(strstr(g_attrs[2], "\"share\":\"\\\\\\\\srv\\\\New\""));
    sd_on_flow_end(&c, &f);
    assert_int_equal(g_flow_count, 3);
    sd_free(&c);
}

/* Counting per (client, share) across flows: the same client on a second flow to the same share
 * (other case) gives no alert; another client does; a refused tree connect binds nothing. */
static void test_counting_per_client_and_share(void **st)
{
    (void)st;
    struct sd_ctx c;
    struct wflow f1, f2, f3;
    uint8_t m[4096];
    reset(&c);
    flow_init(&f1, 10, 50010);
    flow_init(&f2, 10, 50011);
    flow_init(&f3, 11, 50012);
    s2_connect(&c, &f1, 1, "\\\\srv\\Docs", 5);
    s2_send_create(&c, &f1, 2, 5, "a.WNCRY");
    s2_connect(&c, &f2, 1, "\\\\SRV\\DOCS", 6);
    s2_send_create(&c, &f2, 2, 6, "b.WNCRY");
    s2_send_create(&c, &f2, 3, 6, "c.WNCRY");
    assert_int_equal(g_alerts, 1);
    sd_on_flow_end(&c, &f2);
    assert_int_equal(g_flow_count, 2);
    s2_connect(&c, &f3, 1, "\\\\srv\\Docs", 5);
    s2_send_create(&c, &f3, 2, 5, "d.WNCRY");
    assert_int_equal(g_alerts, 2);
    /* refused tree connect: tree 8 stays unknown */
    feed(&c, &f3, WDIR_TO_SERVER, m, s2_tcon(m, 3, "\\\\srv\\Secret"));
    feed(&c, &f3, WDIR_TO_CLIENT, m, s2_tcon_rsp(m, 3, 8, 0xC0000022u));
    s2_send_create(&c, &f3, 4, 8, "e.WNCRY");
    assert_int_equal(g_alerts, 3);
    assert_non_null(strstr(g_attrs[2], "\"share\":null"));
    sd_on_flow_end(&c, &f1);
    assert_int_equal(g_flow_count, 1);
    sd_on_flow_end(&c, &f3);
    assert_int_equal(g_flow_count, 2);
    struct se_total t;
    assert_int_equal(se_n_totals(c.se), 3);
    assert_int_equal(se_total_at(c.se, 0, &t), 0);
    assert_int_equal(t.count, 3);
    assert_memory_equal(t.cli, ((const uint8_t[4]){192, 168, 1, 10}), 4);
    assert_string_equal(t.share, "\\\\srv\\Docs");  /* the first path seen */
    assert_int_equal(se_total_at(c.se, 1, &t), 0);
    assert_int_equal(t.count, 1);
    assert_memory_equal(t.cli, ((const uint8_t[4]){192, 168, 1, 11}), 4);
    sd_finish(&c);
    assert_int_equal(g_alerts, 3);  /* nothing written at the end */
    sd_free(&c);
}

/* SMB1: the session setup + tree connect AndX chain, its chained reply binding the TID, NT_CREATE
 * names in Unicode (with the pad byte) and OEM; a tree disconnect unbinds. */
static void test_smb1(void **st)
{
    (void)st;
    struct sd_ctx c;
    struct wflow f;
    uint8_t m[4096];
    reset(&c);
    flow_init(&f, 20, 50020);
    /* session setup WC 13 chained to a tree connect (Unicode) */
    size_t n = s1_hdr(m, SMB1_SESSION_SETUP, 0, 0xC807, 0, 3);
    m[n] = 13;
    memset(m + n + 1, 0, 26);
    m[n + 1] = SMB1_TREE_CONNECT;
    size_t bo = n + 1 + 26;
    put16(m + bo, 0);  /* ByteCount 0 */
    size_t tc = bo + 2;
    put16(m + n + 1 + 2, (uint32_t)tc);
    m[tc] = 4;
    memset(m + tc + 1, 0, 8);
    m[tc + 1] = 0xFF;
    put16(m + tc + 1 + 6, 1);  /* PasswordLength */
    size_t o = tc + 1 + 8 + 2;
    m[o++] = 0;  /* password */
    if (o & 1)
        m[o++] = 0;
    o += utf16("\\\\192.168.1.200\\Docs", m + o);
    m[o++] = 0, m[o++] = 0;
    memcpy(m + o, "?????", 6);
    o += 6;
    put16(m + tc + 1 + 8, (uint32_t)(o - (tc + 1 + 8 + 2)));
    feed(&c, &f, WDIR_TO_SERVER, m, o);
    /* the chained reply: session setup WC 3 -> tree connect WC 3, TID 0x0801 */
    n = s1_hdr(m, SMB1_SESSION_SETUP, 1, 0xC807, 0x0801, 3);
    m[n] = 3;
    memset(m + n + 1, 0, 6);
    m[n + 1] = SMB1_TREE_CONNECT;
    put16(m + n + 7, 0);
    tc = n + 1 + 6 + 2;
    put16(m + n + 3, (uint32_t)tc);
    m[tc] = 3;
    memset(m + tc + 1, 0, 6);
    m[tc + 1] = 0xFF;
    put16(m + tc + 7, 0);
    feed(&c, &f, WDIR_TO_CLIENT, m, tc + 9);
    /* NT_CREATE, Unicode: 32 + 1 + 48 + 2 = 83 is odd, so a pad byte precedes the name */
    n = s1_hdr(m, SMB1_NT_CREATE, 0, 0xC807, 0x0801, 10);
    feed(&c, &f, WDIR_TO_SERVER, m, s1_ntcreate_at(m, n, 0xC807, "WNCRY.txt", 0xFF, 0));
    assert_int_equal(g_alerts, 0);
    n = s1_hdr(m, SMB1_NT_CREATE, 0, 0xC807, 0x0801, 11);
    feed(&c, &f, WDIR_TO_SERVER, m, s1_ntcreate_at(m, n, 0xC807, "Projects\\@Please_Read_Me@.txt", 0xFF, 0));
    assert_int_equal(g_alerts, 1);
    assert_string_equal(g_attrs[0], "\"share\":\"\\\\\\\\192.168.1.200\\\\Docs\",\"file\":\"Projects\\\\@Please_Read_Me@.txt\","
                                    "\"operation\":\"create\",\"smb\":1,\"tree_id\":2049");
    /* OEM strings (no Unicode flag), same tree */
    n = s1_hdr(m, SMB1_NT_CREATE, 0, 0x4007, 0x0801, 12);
    feed(&c, &f, WDIR_TO_SERVER, m, s1_ntcreate_at(m, n, 0x4007, "b.WNCRYT", 0xFF, 0));
    n = s1_hdr(m, SMB1_NT_CREATE, 0, 0x4007, 0x0801, 13);
    feed(&c, &f, WDIR_TO_SERVER, m, s1_ntcreate_at(m, n, 0x4007, "x.wncry.bak", 0xFF, 0));
    assert_int_equal(g_alerts, 1);
    /* tree disconnect: TID 0x0801 unknown afterwards (a new (client, unknown share) alert) */
    n = s1_hdr(m, SMB1_TREE_DISCONNECT, 0, 0xC807, 0x0801, 14);
    m[n] = 0, m[n + 1] = 0, m[n + 2] = 0;
    feed(&c, &f, WDIR_TO_SERVER, m, n + 3);
    n = s1_hdr(m, SMB1_NT_CREATE, 0, 0xC807, 0x0801, 15);
    feed(&c, &f, WDIR_TO_SERVER, m, s1_ntcreate_at(m, n, 0xC807, "@WanaDecryptor@.exe", 0xFF, 0));
    assert_int_equal(g_alerts, 2);
    assert_non_null(strstr(g_attrs[1], "\"share\":null"));
    sd_on_flow_end(&c, &f);
    assert_int_equal(g_flow_count, 3);
    sd_free(&c);
}

/* SMB1 tree connect built by the codec, one-way capture (no reply ever seen): the next unknown TID
 * takes the latest unanswered tree connect. With a refused reply, nothing is bound. */
static void test_smb1_oneway_and_refused(void **st)
{
    (void)st;
    struct sd_ctx c;
    struct wflow f;
    uint8_t m[4096];
    reset(&c);
    flow_init(&f, 30, 50030);
    struct smb1_ids ids = {.tid = 0, .pid = 1, .uid = 0x800, .mid = 5, .flags2 = 0xC807};
    size_t n = smb1_build_tree_connect(m, sizeof m, &ids, "\\\\192.168.1.200\\Users");
    assert_true(n > 0);
    sd_on_msg(&c, &f, WDIR_TO_SERVER, m, n, 1, 1);
    n = s1_hdr(m, SMB1_NT_CREATE, 0, 0xC807, 0x0805, 6);
    feed(&c, &f, WDIR_TO_SERVER, m, s1_ntcreate_at(m, n, 0xC807, "u.WNCRY", 0xFF, 0));
    assert_int_equal(g_alerts, 1);
    assert_non_null(strstr(g_attrs[0], "\"share\":\"\\\\\\\\192.168.1.200\\\\Users\""));
    sd_on_flow_end(&c, &f);
    /* two-way: a refused tree connect leaves the TID unknown */
    flow_init(&f, 31, 50031);
    n = smb1_build_tree_connect(m, sizeof m, &ids, "\\\\192.168.1.200\\Users");
    sd_on_msg(&c, &f, WDIR_TO_SERVER, m, n, 2, 2);
    feed(&c, &f, WDIR_TO_CLIENT, m, s1_tcon_rsp(m, 0x0806, 5, 0xC0000022u));
    n = s1_hdr(m, SMB1_NT_CREATE, 0, 0xC807, 0x0806, 6);
    feed(&c, &f, WDIR_TO_SERVER, m, s1_ntcreate_at(m, n, 0xC807, "u.WNCRY", 0xFF, 0));
    assert_int_equal(g_alerts, 2);
    assert_non_null(strstr(g_attrs[1], "\"share\":null"));
    sd_on_flow_end(&c, &f);
    sd_free(&c);
}

/* Caps: SE_MAX_ENTRIES (client, share) pairs, then overflow counted and one alert per flow; a flow
 * keeps SE_MAX_TREES trees, the oldest binding going first. */
static void test_caps(void **st)
{
    (void)st;
    struct sd_ctx c;
    struct wflow f;
    reset(&c);
    for (unsigned i = 0; i < SE_MAX_ENTRIES; i++) {
        flow_init(&f, 1, (uint16_t)(1000 + i));
        f.cli[1] = (uint8_t)(i >> 8), f.cli[2] = (uint8_t)i;  /* a distinct client per flow */
        s2_send_create(&c, &f, 1, 5, "a.WNCRY");
        sd_on_flow_end(&c, &f);
    }
    assert_int_equal(g_alerts, SE_MAX_ENTRIES);
    assert_int_equal(se_n_totals(c.se), SE_MAX_ENTRIES);
    assert_int_equal(se_overflow(c.se), 0);
    flow_init(&f, 99, 60000);
    f.cli[1] = 0xFF;
    s2_send_create(&c, &f, 1, 5, "a.WNCRY");
    s2_send_create(&c, &f, 2, 5, "b.WNCRY");
    assert_int_equal(g_alerts, SE_MAX_ENTRIES + 1);
    assert_int_equal(se_overflow(c.se), 2);
    sd_on_flow_end(&c, &f);
    assert_int_equal(g_flow_count, 2);  /* the flow record still counts both */
    sd_free(&c);

    reset(&c);
    flow_init(&f, 10, 60001);
    char path[64];
    for (unsigned i = 0; i <= SE_MAX_TREES; i++) {  /* one more tree than the cap */
        snprintf(path, sizeof path, "\\\\srv\\S%u", i);
        s2_connect(&c, &f, 100 + i, path, 1000 + i);
    }
    s2_send_create(&c, &f, 1, 1000, "a.WNCRY");               /* the oldest: gone */
    s2_send_create(&c, &f, 2, 1000 + SE_MAX_TREES, "a.WNCRY"); /* the newest: known */
    s2_send_create(&c, &f, 3, 1001, "a.WNCRY");               /* the second oldest: kept */
    assert_int_equal(g_alerts, 3);
    assert_non_null(strstr(g_attrs[0], "\"share\":null"));
    snprintf(path, sizeof path, "\"share\":\"\\\\\\\\srv\\\\S%u\"", SE_MAX_TREES);
    assert_non_null(strstr(g_attrs[1], path));
    assert_non_null(strstr(g_attrs[2], "\"share\":\"\\\\\\\\srv\\\\S1\""));
    sd_on_flow_end(&c, &f);
    sd_free(&c);
}

/* Long names: the decoded name is bounded; a full path longer than the bound still matches on its
 * base name, which the alert then shows. */
static void test_long_names(void **st)
{
    (void)st;
    struct sd_ctx c;
    struct wflow f;
    char name[1000];
    reset(&c);
    flow_init(&f, 10, 60002);
    memset(name, 'd', 700);
    strcpy(name + 700, "\\x.WNCRY");
    s2_send_create(&c, &f, 1, 5, name);
    assert_int_equal(g_alerts, 1);
    assert_non_null(strstr(g_attrs[0], "\"file\":\"x.WNCRY\""));
    sd_on_flow_end(&c, &f);
    sd_free(&c);
}

/* Malformed messages: offsets outside the message, lengths past the end, NextCommand loops and
 * truncated AndX chains are ignored without reading out of bounds (ASan in the dev preset). */
static void test_garbage_is_safe(void **st)
{
    (void)st;
    struct sd_ctx c;
    struct wflow f;
    uint8_t m[4096];
    reset(&c);
    flow_init(&f, 10, 60003);
    size_t n = s2_create(m, 1, 5, 0, "a.WNCRY");
    put16(m + 64 + 44, 4000);  /* NameOffset past the end */
    feed(&c, &f, WDIR_TO_SERVER, m, n);
    n = s2_create(m, 1, 5, 0, "a.WNCRY");
    put16(m + 64 + 46, 4000);  /* NameLength past the end: clipped, still the whole name */
    feed(&c, &f, WDIR_TO_SERVER, m, n);
    assert_int_equal(g_alerts, 1);
    n = s2_rename(m, 2, 5, 0, "b.WNCRY");
    put32(m + 96 + 16, 0xFFFFFFF0u);  /* FileNameLength past BufferLength: bounded by it */
    feed(&c, &f, WDIR_TO_SERVER, m, n);
    assert_int_equal(c.matches[SD_WC_SHARE_ENC], 2);
    n = s2_rename(m, 2, 5, 0, "b.WNCRY");
    put16(m + 64 + 8, 60000);  /* BufferOffset outside */
    feed(&c, &f, WDIR_TO_SERVER, m, n);
    for (size_t cut = 0; cut < n; cut++)
        feed(&c, &f, WDIR_TO_SERVER, m, cut);
    n = s2_create(m, 3, 5, 0, "c.WNCRY");
    put32(m + 20, 64);  /* NextCommand pointing into its own body */
    feed(&c, &f, WDIR_TO_SERVER, m, n);
    /* SMB1 AndX offsets pointing backwards or past the end */
    n = s1_hdr(m, SMB1_NT_CREATE, 0, 0xC807, 1, 1);
    n = s1_ntcreate_at(m, n, 0xC807, "d.WNCRY", SMB1_NT_CREATE, 4);
    feed(&c, &f, WDIR_TO_SERVER, m, n);
    n = s1_hdr(m, SMB1_NT_CREATE, 0, 0xC807, 1, 1);
    n = s1_ntcreate_at(m, n, 0xC807, "e.WNCRY", SMB1_NT_CREATE, 2000);
    feed(&c, &f, WDIR_TO_SERVER, m, n);
    for (size_t cut = 0; cut < n; cut++)
        feed(&c, &f, WDIR_TO_SERVER, m, cut);
    sd_on_flow_end(&c, &f);
    sd_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_smb2_share_and_rename),
        cmocka_unit_test(test_smb2_compound),
        cmocka_unit_test(test_counting_per_client_and_share),
        cmocka_unit_test(test_smb1),
        cmocka_unit_test(test_smb1_oneway_and_refused),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_garbage_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
