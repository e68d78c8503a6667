/* test_proto_ntlmssp.c: SPNEGO/NTLMSSP messages: our NEGOTIATE against Windows 7's
 * (tmnids_doublepulsar-backdoor-connect-win7.pcap frame 27), CHALLENGE parsing rules, the
 * anonymous AUTHENTICATE, and NTLMv2 against the MS-NLMP 4.2.4 known-answer values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/rd.h"
#include "pcapframe.h"
#include "proto/ntlmssp.h"
#include "proto/smb2.h"

#define TM_DP "pcaps/tmnids_doublepulsar-backdoor-connect-win7.pcap"

static uint8_t g_buf[70000];

/* The security blob of an SMB2 SESSION_SETUP request in a frame. */
static const uint8_t *smb2_req_blob(unsigned frame, size_t *blen)
{
    char path[1024];
    long n = pcapf_payload(pcapf_shared(TM_DP, path, sizeof path), frame, g_buf, sizeof g_buf, NULL);
    if (n < 4)
        fail_msg("frame %u: no payload", frame);
    struct smb2_msg m;
    assert_int_equal(smb2_parse(g_buf + 4, (size_t)n - 4, &m), 0);
    assert_int_equal(m.cmd, SMB2_SESSION_SETUP);
    uint16_t off = ld_le16(m.body + 12), len = ld_le16(m.body + 14);
    assert_true((size_t)off + len <= m.len);
    *blen = len;
    return m.base + off;
}

/* Locates the NTLMSSP message inside a blob. */
static const uint8_t *find_ntlmssp(const uint8_t *b, size_t n, size_t *mlen)
{
    for (size_t i = 0; i + 8 <= n; i++)
        if (memcmp(b + i, "NTLMSSP\0", 8) == 0) {
            *mlen = n - i;
            return b + i;
        }
    fail_msg("no NTLMSSP in blob");
    return NULL;
}

static void fld(const uint8_t *m, size_t pos, uint16_t *len, uint32_t *off)
{
    *len = ld_le16(m + pos);
    *off = ld_le32(m + pos + 4);
}

static void test_negotiate_vs_windows7(void **state)
{
    (void)state;
    size_t wlen;
    const uint8_t *win = smb2_req_blob(27, &wlen);
    uint8_t out[128];
    size_t n = ntlmssp_build_negotiate(out, sizeof out);
    assert_int_equal(n, 74);
    /* same SPNEGO NegTokenInit framing as Windows 7, byte for byte, up to the NTLMSSP message */
    assert_int_equal(wlen, n);
    assert_memory_equal(out, win, 34);
    size_t ml;
    const uint8_t *m = find_ntlmssp(out, n, &ml);
    assert_int_equal(ml, 40);
    assert_int_equal(ld_le32(m + 8), 1);
    uint32_t flags = ld_le32(m + 12);
    assert_int_equal(flags, 0xA2888205u);
    assert_true(flags & NTLMSSP_NEGOTIATE_VERSION);
    assert_int_equal(flags & NTLMSSP_NEGOTIATE_ANONYMOUS, 0);
    assert_int_equal(m[39], 0x0F); /* NTLMSSP revision in our Version field */
    /* Windows 7 sets the same request bits we rely on (it leaves TARGET_INFO, a server bit, clear) */
    size_t wl;
    const uint8_t *wm = find_ntlmssp(win, wlen, &wl);
    uint32_t wflags = ld_le32(wm + 12);
    uint32_t need = NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_EXT_SESSION |
                    NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET;
    assert_int_equal(wflags & need, need);
    assert_int_equal(ntlmssp_build_negotiate(out, 73), 0);
}

/* A minimal CHALLENGE with given flags, payload offsets and version bytes (synthetic). */
static size_t make_challenge(uint8_t *b, uint32_t flags, uint32_t ti_off, const uint8_t ver[8])
{
    static const uint8_t av[] = {0x01, 0x00, 0x04, 0x00, 'P', 0, 'C', 0, 0x00, 0x00, 0x00, 0x00};
    memset(b, 0, 128);
    memcpy(b, "NTLMSSP\0", 8);
    wr_le32(b + 8, 2);
    wr_le16(b + 12, 0);
    wr_le16(b + 14, 0);
    wr_le32(b + 16, ti_off);
    wr_le32(b + 20, flags);
    memcpy(b + 24, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
    wr_le16(b + 40, sizeof av);
    wr_le16(b + 42, sizeof av);
    wr_le32(b + 44, ti_off);
    if (ver)
        memcpy(b + 48, ver, 8);
    memcpy(b + ti_off, av, sizeof av);
    return ti_off + sizeof av;
}

static void test_challenge_version_rules(void **state)
{
    (void)state;
    static const uint8_t v61[8] = {6, 1, 0xb1, 0x1d, 0, 0, 0, 0x0f};
    static const uint8_t vff[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t v0[8] = {6, 1, 0, 0, 0, 0, 0, 0x0f};
    uint8_t b[128];
    struct ntlm_challenge c;

    size_t n = make_challenge(b, NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_UNICODE, 56, v61);
    assert_int_equal(ntlmssp_parse_challenge(b, n, &c), 0);
    assert_true(c.has_version);
    assert_int_equal(c.build, 7601);
    assert_string_equal(c.nb_computer, "PC");
    assert_memory_equal(c.challenge, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);

    /* flag absent: the 8 bytes are not a version */
    n = make_challenge(b, NTLMSSP_NEGOTIATE_UNICODE, 56, v61);
    assert_int_equal(ntlmssp_parse_challenge(b, n, &c), 0);
    assert_false(c.has_version);

    /* payload starts at 48 (pre-2003 layout): bytes 48..55 are AV pairs, not a version */
    n = make_challenge(b, NTLMSSP_NEGOTIATE_VERSION, 48, NULL);
    assert_int_equal(ntlmssp_parse_challenge(b, n, &c), 0);
    assert_false(c.has_version);
    assert_string_equal(c.nb_computer, "PC");

    /* impacket: FF x 8 */
    n = make_challenge(b, NTLMSSP_NEGOTIATE_VERSION, 56, vff);
    assert_int_equal(ntlmssp_parse_challenge(b, n, &c), 0);
    assert_true(c.version_all_ff);

    /* Samba 4.17: 6.1 build 0 (decisions.md 3) */
    n = make_challenge(b, NTLMSSP_NEGOTIATE_VERSION, 56, v0);
    assert_int_equal(ntlmssp_parse_challenge(b, n, &c), 0);
    assert_true(c.has_version);
    assert_int_equal(c.build, 0);
    assert_false(c.version_all_ff);

    /* a NEGOTIATE (type 1) is not a challenge; nor is junk */
    uint8_t neg[128];
    size_t nl = ntlmssp_build_negotiate(neg, sizeof neg);
    assert_int_equal(ntlmssp_parse_challenge(neg, nl, &c), -1);
    assert_int_equal(ntlmssp_parse_challenge((const uint8_t *)"NTLMSSP", 7, &c), -1);

    /* target info pointing outside the message is clipped, never read past the end */
    n = make_challenge(b, NTLMSSP_NEGOTIATE_VERSION, 56, v61);
    wr_le16(b + 40, 0x4000);
    assert_int_equal(ntlmssp_parse_challenge(b, n, &c), 0);
    assert_true(c.target_info + c.target_info_len <= b + n);
}

/* The real challenge of frame 28 (SMB2, Windows 10 1511): every prefix parses or fails cleanly. */
static void test_challenge_prefixes(void **state)
{
    (void)state;
    char path[1024];
    long n = pcapf_payload(pcapf_shared(TM_DP, path, sizeof path), 28, g_buf, sizeof g_buf, NULL);
    assert_true(n > 0);
    struct smb2_msg m;
    assert_int_equal(smb2_parse(g_buf + 4, (size_t)n - 4, &m), 0);
    struct smb2_session_rsp r;
    assert_int_equal(smb2_parse_session_setup_rsp(&m, &r), 0);
    uint8_t blob[512];
    size_t bl = r.sec_blob_len;
    assert_true(bl <= sizeof blob);
    memcpy(blob, r.sec_blob, bl);
    struct ntlm_challenge full;
    assert_int_equal(ntlmssp_parse_challenge(blob, bl, &full), 0);
    assert_int_equal(full.flags, 0xE28A8215u);
    assert_int_equal(full.target_info_len, 0x98);
    for (size_t k = 0; k <= bl; k++) {
        uint8_t cut[512];
        memcpy(cut, blob, k);
        struct ntlm_challenge c;
        int rc = ntlmssp_parse_challenge(cut, k, &c);
        if (rc == 0) {
            assert_memory_equal(c.challenge, full.challenge, 8);
            assert_true(c.target_info_len <= full.target_info_len);
            if (c.has_version)
                assert_int_equal(c.build, 10586);
        }
    }
}

/* Anonymous AUTHENTICATE: LM = one zero byte, NT empty, no user or domain, ANONYMOUS set: the
 * shape of the Windows 7 client's anonymous login (frame 29) that Windows 10 accepts over SMB1. */
static void test_auth_anonymous(void **state)
{
    (void)state;
    size_t wlen;
    const uint8_t *win = smb2_req_blob(29, &wlen);
    size_t wl;
    const uint8_t *wm = find_ntlmssp(win, wlen, &wl);
    uint16_t wlm, wnt;
    uint32_t o;
    fld(wm, 12, &wlm, &o);
    fld(wm, 20, &wnt, &o);
    uint32_t wflags = ld_le32(wm + 60);

    struct ntlm_challenge c;
    memset(&c, 0, sizeof c);
    c.flags = 0xE28A8215u;
    uint8_t out[256];
    size_t n = ntlmssp_build_auth_anonymous(out, sizeof out, &c);
    assert_true(n > 0);
    assert_int_equal(out[0], 0xa1); /* NegTokenResp */
    size_t ml;
    const uint8_t *m = find_ntlmssp(out, n, &ml);
    assert_int_equal(ld_le32(m + 8), 3);
    uint16_t lm, nt, dom, user;
    uint32_t lm_off;
    fld(m, 12, &lm, &lm_off);
    fld(m, 20, &nt, &o);
    fld(m, 28, &dom, &o);
    fld(m, 36, &user, &o);
    assert_int_equal(lm, wlm);
    assert_int_equal(lm, 1);
    assert_int_equal(m[lm_off], 0);
    assert_int_equal(nt, wnt);
    assert_int_equal(nt, 0);
    assert_int_equal(dom, 0);
    assert_int_equal(user, 0);
    uint32_t flags = ld_le32(m + 60);
    assert_true(flags & NTLMSSP_NEGOTIATE_ANONYMOUS);
    assert_true(wflags & NTLMSSP_NEGOTIATE_ANONYMOUS);
    assert_true(flags & NTLMSSP_NEGOTIATE_UNICODE);
    assert_int_equal(ml, lm_off + 1);
    assert_int_equal(ntlmssp_build_auth_anonymous(out, n - 1, &c), 0);
}

/* MS-NLMP 4.2.4: User "User", domain "Domain", password "Password", server challenge
 * 0123456789abcdef, client challenge aa x 8, time 0, AV pairs Domain/Server. */
static void test_ntlmv2_known_answer(void **state)
{
    (void)state;
    static const uint8_t av[] = {
        0x02, 0x00, 0x0c, 0x00, 'D', 0, 'o', 0, 'm', 0, 'a', 0, 'i', 0, 'n', 0,
        0x01, 0x00, 0x0c, 0x00, 'S', 0, 'e', 0, 'r', 0, 'v', 0, 'e', 0, 'r', 0,
        0x00, 0x00, 0x00, 0x00,
    };
    static const uint8_t ntproof[16] = {0x68, 0xcd, 0x0a, 0xb8, 0x51, 0xe5, 0x1c, 0x96,
                                        0xaa, 0xbc, 0x92, 0x7b, 0xeb, 0xef, 0x6a, 0x1c};
    static const uint8_t lmv2[24] = {0x86, 0xc3, 0x50, 0x97, 0xac, 0x9c, 0xec, 0x10,
                                     0x25, 0x54, 0x76, 0x4a, 0x57, 0xcc, 0xcc, 0x19,
                                     0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
    static const uint8_t base_key[16] = {0x8d, 0xe4, 0x0c, 0xca, 0xdb, 0xc1, 0x4a, 0x82,
                                         0xf1, 0x5c, 0xb0, 0xad, 0x0d, 0xe9, 0x5c, 0xa3};
    static const uint8_t nonce[8] = {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
    struct ntlm_challenge c;
    memset(&c, 0, sizeof c);
    c.flags = 0xE28A8215u;
    memcpy(c.challenge, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
    c.target_info = av;
    c.target_info_len = sizeof av;
    struct ntlm_creds cr = {.user = "User", .password = "Password", .domain = "Domain"};
    uint8_t out[512], key[16];
    size_t n = ntlmssp_build_auth_ntlmv2(out, sizeof out, &c, &cr, nonce, 0, key);
    assert_true(n > 0);
    assert_memory_equal(key, base_key, 16);
    size_t ml;
    const uint8_t *m = find_ntlmssp(out, n, &ml);
    uint16_t lm, nt, dom, user;
    uint32_t lm_off, nt_off, dom_off, user_off;
    fld(m, 12, &lm, &lm_off);
    fld(m, 20, &nt, &nt_off);
    fld(m, 28, &dom, &dom_off);
    fld(m, 36, &user, &user_off);
    assert_int_equal(lm, 24);
    assert_memory_equal(m + lm_off, lmv2, 24);
    assert_int_equal(nt, 16 + 28 + sizeof av + 4);
    assert_memory_equal(m + nt_off, ntproof, 16);
    assert_memory_equal(m + nt_off + 16, "\x01\x01\0\0\0\0\0\0", 8);
    assert_memory_equal(m + nt_off + 16 + 16, nonce, 8);
    assert_memory_equal(m + nt_off + 16 + 28, av, sizeof av);
    assert_int_equal(dom, 12);
    assert_memory_equal(m + dom_off, "D\0o\0m\0a\0i\0n\0", 12);
    assert_int_equal(user, 8);
    assert_memory_equal(m + user_off, "U\0s\0e\0r\0", 8); /* sent as typed; upper-cased only in the hash */
    assert_int_equal(ld_le32(m + 60) & NTLMSSP_NEGOTIATE_ANONYMOUS, 0);

    /* the user name's case does not change the hash; the domain's does */
    struct ntlm_creds upper = {.user = "USER", .password = "Password", .domain = "Domain"};
    uint8_t k2[16];
    assert_true(ntlmssp_build_auth_ntlmv2(out, sizeof out, &c, &upper, nonce, 0, k2) > 0);
    assert_memory_equal(k2, base_key, 16);
    struct ntlm_creds wrong = {.user = "User", .password = "password", .domain = "Domain"};
    assert_true(ntlmssp_build_auth_ntlmv2(out, sizeof out, &c, &wrong, nonce, 0, k2) > 0);
    assert_memory_not_equal(k2, base_key, 16);

    /* with a server timestamp the LM response is Z(24) (MS-NLMP 3.1.5.1.2) */
    c.timestamp = 0x01d2b6cbd89606cdull;
    n = ntlmssp_build_auth_ntlmv2(out, sizeof out, &c, &cr, nonce, c.timestamp, k2);
    m = find_ntlmssp(out, n, &ml);
    fld(m, 12, &lm, &lm_off);
    fld(m, 20, &nt, &nt_off);
    assert_int_equal(lm, 24);
    assert_memory_equal(m + lm_off, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24);
    assert_int_equal(ld_le32(m + nt_off + 16 + 8), 0xd89606cdu);

    /* too small a buffer */
    assert_int_equal(ntlmssp_build_auth_ntlmv2(out, 100, &c, &cr, nonce, 0, k2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negotiate_vs_windows7),
        cmocka_unit_test(test_challenge_version_rules),
        cmocka_unit_test(test_challenge_prefixes),
        cmocka_unit_test(test_auth_anonymous),
        cmocka_unit_test(test_ntlmv2_known_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
