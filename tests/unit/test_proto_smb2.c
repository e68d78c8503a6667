/* test_proto_smb2.c: SMB2 header, NEGOTIATE and SESSION_SETUP against the Windows 10 1511 of
 * tmnids_doublepulsar-backdoor-connect-win7.pcap (port 139) and the 3.1.1 exchange of
 * zeek_smb311.pcap; our requests parsed back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/rd.h"
#include "pcapframe.h"
#include "proto/nbss.h"
#include "proto/ntlmssp.h"
#include "proto/ntstatus.h"
#include "proto/smb1.h"
#include "proto/smb2.h"

#define TM_DP "pcaps/tmnids_doublepulsar-backdoor-connect-win7.pcap"
#define SMB311 "pcaps/zeek_smb311.pcap"

static uint8_t g_buf[70000];

static const uint8_t *smb_frame(const char *rel, unsigned frame, size_t *len)
{
    char path[1024];
    long n = pcapf_payload(pcapf_shared(rel, path, sizeof path), frame, g_buf, sizeof g_buf, NULL);
    if (n < 4)
        fail_msg("%s frame %u: no payload", rel, frame);
    uint8_t type;
    size_t total;
    assert_int_equal(nbss_peek(g_buf, (size_t)n, &type, &total), 1);
    assert_int_equal(type, NBSS_MESSAGE);
    assert_int_equal(total, (size_t)n);
    *len = total - 4;
    return g_buf + 4;
}

static void parse_frame(const char *rel, unsigned frame, struct smb2_msg *m)
{
    size_t len;
    const uint8_t *p = smb_frame(rel, frame, &len);
    assert_int_equal(smb_is_smb2(p, len), 1);
    assert_int_equal(smb2_parse(p, len, m), 0);
}

/* Frame 24: answer to an SMB1 negotiate carrying "SMB 2.???": SMB2 wildcard dialect 0x02FF. */
static void test_multiprotocol_answer(void **state)
{
    (void)state;
    struct smb2_msg m;
    parse_frame(TM_DP, 24, &m);
    assert_int_equal(m.cmd, SMB2_NEGOTIATE);
    assert_true(m.flags & SMB2_FLAGS_RESPONSE);
    assert_int_equal(m.status, 0);
    assert_int_equal(m.message_id, 0);
    struct smb2_negotiate_rsp r;
    assert_int_equal(smb2_parse_negotiate_rsp(&m, &r), 0);
    assert_int_equal(r.dialect, 0x02FF);
    assert_string_equal(smb2_dialect_name(r.dialect), "2.???");
    assert_int_equal(r.security_mode & SMB2_SECMODE_SIGN_REQUIRED, 0);
    assert_non_null(r.sec_blob);
    assert_int_equal(r.sec_blob[0], 0x60); /* SPNEGO NegTokenInit */
    /* an SMB1 parser refuses it: this is what "SMB1 refused" looks like on the wire */
    size_t len;
    const uint8_t *p = smb_frame(TM_DP, 24, &len);
    struct smb1_msg m1;
    assert_int_equal(smb1_parse(p, len, &m1), -1);
}

/* Frames 25/26: real SMB2 NEGOTIATE {2.0.2, 2.1}, answered 2.1, MessageId 1, caps 0x3. */
static void test_negotiate_21(void **state)
{
    (void)state;
    struct smb2_msg m;
    parse_frame(TM_DP, 25, &m);
    assert_int_equal(m.cmd, SMB2_NEGOTIATE);
    assert_int_equal(m.flags & SMB2_FLAGS_RESPONSE, 0);
    assert_int_equal(m.message_id, 1);
    assert_int_equal(ld_le16(m.body), 36);
    assert_int_equal(ld_le16(m.body + 2), 2); /* DialectCount */
    struct smb2_negotiate_rsp r;
    assert_int_equal(smb2_parse_negotiate_rsp(&m, &r), -1); /* a request is not a reply */

    parse_frame(TM_DP, 26, &m);
    assert_int_equal(m.message_id, 1);
    assert_int_equal(smb2_parse_negotiate_rsp(&m, &r), 0);
    assert_int_equal(r.dialect, 0x0210);
    assert_string_equal(smb2_dialect_name(r.dialect), "2.1");
    assert_int_equal(r.security_mode, 0x01);
    assert_int_equal(r.capabilities, 0x00000003);
}

/* Frame 28: SESSION_SETUP 0xC0000016 with the NTLMSSP CHALLENGE (Windows 10 1511). */
static void test_session_challenge(void **state)
{
    (void)state;
    struct smb2_msg m;
    parse_frame(TM_DP, 28, &m);
    assert_int_equal(m.cmd, SMB2_SESSION_SETUP);
    assert_int_equal(m.status, NT_STATUS_MORE_PROCESSING_REQUIRED);
    assert_int_equal(m.message_id, 2);
    assert_int_equal(m.session_id, 0x0000100000000009ull);
    struct smb2_session_rsp r;
    assert_int_equal(smb2_parse_session_setup_rsp(&m, &r), 0);
    assert_int_equal(r.session_flags, 0);
    assert_non_null(r.sec_blob);
    assert_int_equal(r.sec_blob[0], 0xa1); /* SPNEGO NegTokenResp */
    struct ntlm_challenge c;
    assert_int_equal(ntlmssp_parse_challenge(r.sec_blob, r.sec_blob_len, &c), 0);
    assert_true(c.has_version);
    assert_int_equal(c.major, 10);
    assert_int_equal(c.minor, 0);
    assert_int_equal(c.build, 10586);
    assert_int_equal(c.revision, 15);
    assert_string_equal(c.nb_computer, "DESKTOP-AFPVEQ2");
    assert_string_equal(c.dns_computer, "DESKTOP-AFPVEQ2");
    assert_true(c.timestamp != 0);
}

/* Frames 30 and 63: SMB2 anonymous refused (STATUS_ACCESS_DENIED, an ERROR body). */
static void test_session_refused(void **state)
{
    (void)state;
    static const unsigned frames[] = {30, 63};
    for (size_t i = 0; i < 2; i++) {
        struct smb2_msg m;
        parse_frame(TM_DP, frames[i], &m);
        assert_int_equal(m.cmd, SMB2_SESSION_SETUP);
        assert_int_equal(m.status, NT_STATUS_ACCESS_DENIED);
        struct smb2_session_rsp r;
        assert_int_equal(smb2_parse_session_setup_rsp(&m, &r), -1);
    }
}

/* zeek_smb311 frame 2: a 3.1.1 answer. */
static void test_negotiate_311_reply(void **state)
{
    (void)state;
    struct smb2_msg m;
    parse_frame(SMB311, 2, &m);
    struct smb2_negotiate_rsp r;
    assert_int_equal(smb2_parse_negotiate_rsp(&m, &r), 0);
    assert_int_equal(r.dialect, 0x0311);
    assert_string_equal(smb2_dialect_name(r.dialect), "3.1.1");
    assert_int_equal(r.security_mode, 0x03);
    assert_true(r.security_mode & SMB2_SECMODE_SIGN_REQUIRED);
    assert_int_equal(r.capabilities, 0x27);
}

/* Our NEGOTIATE: five dialects, signing enabled, contexts 8-aligned, the PREAUTH context laid
 * out like the real client's in zeek_smb311 frame 1 (same header, hash, salt length). */
static void test_build_negotiate(void **state)
{
    (void)state;
    size_t clen;
    const uint8_t *cp = smb_frame(SMB311, 1, &clen);
    struct smb2_msg cm;
    assert_int_equal(smb2_parse(cp, clen, &cm), 0);
    uint32_t cctx = ld_le32(cm.body + 28);
    uint8_t cpre[14];
    memcpy(cpre, cp + cctx, 14);

    static const uint8_t guid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint8_t out[512];
    size_t len = smb2_build_negotiate(out, sizeof out, 0, guid);
    assert_true(len > 0);
    uint8_t type;
    size_t total;
    assert_int_equal(nbss_peek(out, len, &type, &total), 1);
    assert_int_equal(total, len);
    struct smb2_msg m;
    assert_int_equal(smb2_parse(out + 4, len - 4, &m), 0);
    assert_int_equal(m.cmd, SMB2_NEGOTIATE);
    assert_int_equal(m.message_id, 0);
    assert_int_equal(m.flags & SMB2_FLAGS_RESPONSE, 0);
    const uint8_t *b = m.body;
    assert_int_equal(ld_le16(b), 36);
    assert_int_equal(ld_le16(b + 2), 5);
    assert_int_equal(ld_le16(b + 4), 0x0001);              /* signing enabled */
    assert_int_equal(ld_le32(b + 8), 0x7F);
    assert_memory_equal(b + 12, guid, 16);
    static const uint16_t want[5] = {0x0202, 0x0210, 0x0300, 0x0302, 0x0311};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(ld_le16(b + 36 + 2 * i), want[i]);
    uint32_t ctx = ld_le32(b + 28);
    assert_int_equal(ld_le16(b + 32), 2);                  /* NegotiateContextCount */
    assert_int_equal(ctx % 8, 0);
    assert_true(ctx >= 64 + 36 + 10);
    const uint8_t *c1 = m.base + ctx;
    assert_memory_equal(c1, cpre, 14);                     /* type 1, len 38, SHA-512, salt 32 */
    size_t c2off = ctx + 8 + ld_le16(c1 + 2);
    c2off = (c2off + 7) & ~(size_t)7;
    assert_int_equal(c2off % 8, 0);
    const uint8_t *c2 = m.base + c2off;
    assert_int_equal(ld_le16(c2), 0x0002);                 /* ENCRYPTION_CAPABILITIES */
    assert_int_equal(ld_le16(c2 + 2), 6);
    assert_int_equal(ld_le16(c2 + 8), 2);
    assert_int_equal(ld_le16(c2 + 10), 0x0002);            /* AES-128-GCM */
    assert_int_equal(ld_le16(c2 + 12), 0x0001);            /* AES-128-CCM */
    assert_int_equal(m.len, c2off + 14);
    assert_int_equal(smb2_build_negotiate(out, len - 1, 0, guid), 0);
}

static void test_build_session_setup(void **state)
{
    (void)state;
    uint8_t blob[128];
    size_t bl = ntlmssp_build_negotiate(blob, sizeof blob);
    uint8_t out[512];
    size_t len = smb2_build_session_setup(out, sizeof out, 2, 0x0000100000000009ull, blob, bl);
    assert_int_equal(len, 4 + 64 + 24 + bl);
    struct smb2_msg m;
    assert_int_equal(smb2_parse(out + 4, len - 4, &m), 0);
    assert_int_equal(m.cmd, SMB2_SESSION_SETUP);
    assert_int_equal(m.message_id, 2);
    assert_int_equal(m.session_id, 0x0000100000000009ull);
    assert_int_equal(ld_le16(m.body), 25);
    assert_int_equal(ld_le16(m.body + 12), 64 + 24);       /* SecurityBufferOffset */
    assert_int_equal(ld_le16(m.body + 14), bl);
    assert_memory_equal(m.base + 88, blob, bl);
    assert_int_equal(smb2_build_session_setup(out, len - 1, 2, 0, blob, bl), 0);
}

/* Every prefix of real replies: -1, or a blob clipped to what is there. */
static void test_truncated_prefixes(void **state)
{
    (void)state;
    static const struct { const char *pcap; unsigned frame; } f[] = {
        {TM_DP, 24}, {TM_DP, 26}, {TM_DP, 28}, {TM_DP, 30}, {SMB311, 2},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        size_t len;
        const uint8_t *p = smb_frame(f[i].pcap, f[i].frame, &len);
        uint8_t full[2048];
        assert_true(len <= sizeof full);
        memcpy(full, p, len);
        for (size_t k = 0; k <= len; k++) {
            uint8_t cut[2048];
            memcpy(cut, full, k);
            struct smb2_msg m;
            int rc = smb2_parse(cut, k, &m);
            assert_int_equal(rc, k < 64 ? -1 : 0);
            if (rc)
                continue;
            struct smb2_negotiate_rsp nr;
            struct smb2_session_rsp sr;
            struct ntlm_challenge c;
            if (smb2_parse_negotiate_rsp(&m, &nr) == 0) {
                assert_true(nr.sec_blob_len <= k);
                if (nr.sec_blob)
                    assert_true(nr.sec_blob + nr.sec_blob_len <= cut + k);
            }
            if (smb2_parse_session_setup_rsp(&m, &sr) == 0 && sr.sec_blob) {
                assert_true(sr.sec_blob + sr.sec_blob_len <= cut + k);
                if (ntlmssp_parse_challenge(sr.sec_blob, sr.sec_blob_len, &c) == 0 && c.has_version)
                    assert_int_equal(c.build, 10586);
            }
        }
    }
}

static void test_dialect_names(void **state)
{
    (void)state;
    assert_string_equal(smb2_dialect_name(0x0202), "2.0.2");
    assert_string_equal(smb2_dialect_name(0x0300), "3.0");
    assert_string_equal(smb2_dialect_name(0x0302), "3.0.2");
    assert_null(smb2_dialect_name(0x0222));
    struct smb2_msg m;
    uint8_t junk[64] = {0xFF, 'S', 'M', 'B'};
    assert_int_equal(smb2_parse(junk, sizeof junk, &m), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multiprotocol_answer),
        cmocka_unit_test(test_negotiate_21),
        cmocka_unit_test(test_session_challenge),
        cmocka_unit_test(test_session_refused),
        cmocka_unit_test(test_negotiate_311_reply),
        cmocka_unit_test(test_build_negotiate),
        cmocka_unit_test(test_build_session_setup),
        cmocka_unit_test(test_truncated_prefixes),
        cmocka_unit_test(test_dialect_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
