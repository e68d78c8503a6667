/* test_proto_smb1.c: the SMB1 codec against real frames from ../shared/pcaps (read at run time)
 * and the requests smbguard builds, parsed back and compared with their captured equivalents.
 * Frame numbers are tshark's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/rd.h"
#include "pcapframe.h"
#include "proto/doublepulsar.h"
#include "proto/nbss.h"
#include "proto/ntlmssp.h"
#include "proto/ntstatus.h"
#include "proto/smb1.h"

#define ID2T_SCAN "pcaps/id2t_Win7_eternalblue_scan.pcap"
#define TM_DP "pcaps/tmnids_doublepulsar-backdoor-connect-win7.pcap"
#define TM_EB "pcaps/tmnids_eternalblue-success-unpatched-win7.pcap"
#define WANNACRY "pcaps/eternalsafety_wannacry.pcap"
#define LANMAN "pcaps/zeek_cifs_negotiate_lanman.pcap"

static uint8_t g_buf[70000];

/* The SMB message carried in one frame (NBSS header checked and removed). */
static const uint8_t *smb_frame(const char *rel, unsigned frame, size_t *len)
{
    char path[1024];
    long n = pcapf_payload(pcapf_shared(rel, path, sizeof path), frame, g_buf, sizeof g_buf, NULL);
    if (n <= 0)
        fail_msg("%s frame %u: no payload", rel, frame);
    uint8_t type = 0xEE;
    size_t total = 0;
    assert_int_equal(nbss_peek(g_buf, (size_t)n, &type, &total), 1);
    assert_int_equal(type, NBSS_MESSAGE);
    assert_int_equal(total, (size_t)n); /* the whole message is in this frame */
    *len = total - 4;
    return g_buf + 4;
}

static void parse_frame(const char *rel, unsigned frame, struct smb1_msg *m)
{
    size_t len;
    const uint8_t *p = smb_frame(rel, frame, &len);
    assert_int_equal(smb1_parse(p, len, m), 0);
}

/* ---------------------------------------------------------------- replies from Windows 7 */

/* id2t frame 5: Windows 7 negotiate reply, NT LM 0.12, extended security. */
static void test_negotiate_rsp_wc17_extsec(void **state)
{
    (void)state;
    struct smb1_msg m;
    parse_frame(ID2T_SCAN, 5, &m);
    assert_int_equal(m.cmd, SMB1_NEGOTIATE);
    assert_int_equal(m.status, 0);
    assert_true(m.flags & SMB1_FLAGS_REPLY);
    assert_int_equal(m.mid, 15942);
    /* Success replies keep the request's Flags2 (decisions.md 12): 0x2801, no NT_STATUS bit. */
    assert_int_equal(m.flags2, 0x2801);
    assert_int_equal(m.status_is_dos, 0);

    struct smb1_negotiate_rsp r;
    assert_int_equal(smb1_parse_negotiate_rsp(&m, &r), 0);
    assert_int_equal(r.wct, 17);
    /* Metasploit offered LANMAN1.0, LM1.2X002, NT LANMAN 1.0, NT LM 0.12 (frame 4) */
    assert_int_equal(r.dialect_index, 3);
    assert_int_equal(r.security_mode, 0x03); /* user security, encrypted passwords, no signing */
    assert_int_equal(r.capabilities, 0x8001E3FCu);
    assert_int_equal(r.max_buffer, 4356);
    assert_int_equal(r.challenge_len, 0);
    /* GUID(16) + SPNEGO NegTokenInit (0x60 ...) advertising NTLMSSP */
    assert_int_equal(r.sec_blob_len, m.bcc - 16);
    assert_non_null(r.sec_blob);
    assert_int_equal(r.sec_blob[0], 0x60);
    /* the server's hint carries no NTLMSSP CHALLENGE */
    struct ntlm_challenge c;
    assert_int_equal(ntlmssp_parse_challenge(r.sec_blob, r.sec_blob_len, &c), -1);
}

/* id2t frame 8: WC4 session setup reply, STATUS_MORE_PROCESSING_REQUIRED, raw NTLMSSP challenge. */
static void test_session_rsp_wc4_challenge(void **state)
{
    (void)state;
    struct smb1_msg m;
    parse_frame(ID2T_SCAN, 8, &m);
    assert_int_equal(m.cmd, SMB1_SESSION_SETUP);
    assert_int_equal(m.status, NT_STATUS_MORE_PROCESSING_REQUIRED);
    assert_int_equal(m.wct, 4);
    struct smb1_session_rsp r;
    assert_int_equal(smb1_parse_session_setup_rsp(&m, &r), 0);
    assert_int_equal(r.sec_blob_len, 238);
    assert_string_equal(r.native_os, "Windows 7 Home Basic 7601 Service Pack 1");
    assert_string_equal(r.native_lanman, "Windows 7 Home Basic 6.1");
    struct ntlm_challenge c;
    assert_int_equal(ntlmssp_parse_challenge(r.sec_blob, r.sec_blob_len, &c), 0);
    assert_true(c.has_version);
    assert_int_equal(c.major, 6);
    assert_int_equal(c.minor, 1);
    assert_int_equal(c.build, 7601);
    assert_int_equal(c.revision, 15);
    assert_string_equal(c.nb_computer, "WIN-GMVMLQDT7V4");
    /* decisions.md 3: Native OS build must equal the NTLMSSP build for a Windows verdict */
    assert_non_null(strstr(r.native_os, " 7601 "));
}

/* id2t frame 10: the NTLMSSP anonymous AUTHENTICATE refused (WC0). */
static void test_session_rsp_logon_failure(void **state)
{
    (void)state;
    struct smb1_msg m;
    parse_frame(ID2T_SCAN, 10, &m);
    assert_int_equal(m.status, NT_STATUS_LOGON_FAILURE);
    assert_int_equal(m.wct, 0);
    assert_int_equal(m.flags2 & SMB1_FLAGS2_NT_STATUS, SMB1_FLAGS2_NT_STATUS);
    struct smb1_session_rsp r;
    assert_int_equal(smb1_parse_session_setup_rsp(&m, &r), -1);
    assert_string_equal(ntstatus_reason(m.status), "logon_failure");
    assert_true(ntstatus_is_access_denied(m.status));
}

/* id2t frame 12: WC3 plain null session accepted on the same connection, ASCII strings. */
static void test_session_rsp_wc3_null_session(void **state)
{
    (void)state;
    struct smb1_msg m;
    parse_frame(ID2T_SCAN, 12, &m);
    assert_int_equal(m.status, 0);
    assert_int_equal(m.uid, 0x0801);
    struct smb1_session_rsp r;
    assert_int_equal(smb1_parse_session_setup_rsp(&m, &r), 0);
    assert_int_equal(r.action & SMB1_ACTION_GUEST, 0);
    assert_null(r.sec_blob);
    assert_string_equal(r.native_os, "Windows 7 Home Basic 7601 Service Pack 1");
    assert_string_equal(r.native_lanman, "Windows 7 Home Basic 6.1");
    assert_string_equal(r.primary_domain, "WORKGROUP");
}

/* id2t frame 14: tree connect to IPC$ answered, TID 0x0800. */
static void test_tree_connect_rsp(void **state)
{
    (void)state;
    struct smb1_msg m;
    parse_frame(ID2T_SCAN, 14, &m);
    assert_int_equal(m.cmd, SMB1_TREE_CONNECT);
    assert_int_equal(m.status, 0);
    assert_int_equal(m.tid, 0x0800);
    assert_int_equal(m.wct, 3);
    assert_int_equal(m.bytes_len, 5);
    assert_memory_equal(m.bytes, "IPC\0", 4);
}

/* id2t frames 15/16: the MS17-010 probe and its 0xC0000205 answer. */
static void test_peek_rsp_insuff_resources(void **state)
{
    (void)state;
    struct smb1_msg q, a;
    parse_frame(ID2T_SCAN, 15, &q);
    uint16_t req_mid = q.mid, req_tid = q.tid, req_uid = q.uid, req_pid = q.pid_low;
    parse_frame(ID2T_SCAN, 16, &a);
    assert_int_equal(a.cmd, SMB1_TRANS);
    assert_int_equal(a.status, NT_STATUS_INSUFF_SERVER_RESOURCES);
    assert_int_equal(a.wct, 0);
    assert_int_equal(a.bcc, 0);
    assert_int_equal(a.mid, req_mid);
    assert_int_equal(a.tid, req_tid);
    assert_int_equal(a.uid, req_uid);
    assert_int_equal(a.pid_low, req_pid);
    assert_int_equal(a.flags2, 0x6801); /* request 0x2801 + NT_STATUS on the error reply */
    assert_int_equal(a.status_is_dos, 0);
    assert_string_equal(ntstatus_reason(a.status), "insuff_server_resources");
}

/* id2t frames 18/19: DoublePulsar ping on a clean host: 0xC0000002 with the same MID. */
static void test_dp_ping_clean_reply(void **state)
{
    (void)state;
    struct smb1_msg q, a;
    parse_frame(ID2T_SCAN, 18, &q);
    uint16_t req_mid = q.mid;
    uint32_t timeout = ld_le32(q.words + 12);
    parse_frame(ID2T_SCAN, 19, &a);
    assert_int_equal(a.cmd, SMB1_TRANS2);
    assert_int_equal(a.status, NT_STATUS_NOT_IMPLEMENTED);
    assert_int_equal(a.wct, 0);
    assert_int_equal(req_mid, 65);
    assert_int_equal(dp_mid_delta(req_mid, a.mid), 0);
    assert_memory_equal(a.signature, "\0\0\0\0\0\0\0\0", 8);
    assert_int_equal(dp_opcode(timeout), DP_OP_PING);
}

/* ---------------------------------------------------------------- requests smbguard builds */

/* Our peek with Metasploit's identity fields and Flags2 0x2801 is byte-identical to id2t frame
 * 15 (protocol.md 5.1: Metasploit's layout is the reference layout). */
static void test_build_peek_matches_capture(void **state)
{
    (void)state;
    char path[1024];
    uint8_t cap[256];
    long n = pcapf_payload(pcapf_shared(ID2T_SCAN, path, sizeof path), 15, cap, sizeof cap, NULL);
    assert_int_equal(n, 78);
    struct smb1_ids ids = {.tid = 0x0800, .pid = 0xA4C0, .uid = 0x0801, .mid = 15942, .flags2 = 0x2801};
    uint8_t out[256];
    size_t len = smb1_build_peek_nmpipe(out, sizeof out, &ids);
    assert_int_equal(len, 78);
    assert_memory_equal(out, cap, 78);
    assert_int_equal(smb1_build_peek_nmpipe(out, 77, &ids), 0);
}

/* The Unicode form: pad byte, UTF-16 "\PIPE\", offsets pointing just past the name. */
static void test_build_peek_unicode(void **state)
{
    (void)state;
    struct smb1_ids ids = {.tid = 0x0800, .pid = 0xFEFF, .uid = 0x0800, .mid = 77, .flags2 = 0xC007};
    uint8_t out[256];
    size_t len = smb1_build_peek_nmpipe(out, sizeof out, &ids);
    assert_true(len > 0);
    struct smb1_msg m;
    assert_int_equal(smb1_parse(out + 4, len - 4, &m), 0);
    assert_int_equal(m.cmd, SMB1_TRANS);
    assert_int_equal(m.flags, 0x18);
    assert_int_equal(m.flags2, 0xC007);
    assert_int_equal(m.wct, 16);
    assert_int_equal(ld_le16(m.words + 4), 0xFFFF);   /* MaxParameterCount */
    assert_int_equal(ld_le16(m.words + 6), 0xFFFF);   /* MaxDataCount */
    assert_int_equal(m.words[26], 2);                  /* SetupCount */
    assert_int_equal(ld_le16(m.words + 28), 0x0023);  /* PeekNamedPipe */
    assert_int_equal(ld_le16(m.words + 30), 0x0000);  /* FID 0 */
    size_t name_off = (size_t)(m.bytes - m.base) + 1;
    assert_int_equal(name_off % 2, 0);
    static const uint8_t pipe16[] = {'\\', 0, 'P', 0, 'I', 0, 'P', 0, 'E', 0, '\\', 0, 0, 0};
    assert_memory_equal(m.base + name_off, pipe16, sizeof pipe16);
    uint16_t end = (uint16_t)(name_off + sizeof pipe16);
    assert_int_equal(ld_le16(m.words + 20), end);     /* ParameterOffset */
    assert_int_equal(ld_le16(m.words + 24), end);     /* DataOffset */
    assert_int_equal(m.len, end);
    assert_int_equal(m.bcc, 15);
}

/* Our ping equals the NSA ping of tmnids_eternalblue frame 12 (the protocol.md 6.1 reference)
 * except for the Timeout, whose bytes still sum to 0x23 and are none of the known tools' values. */
static void test_build_dp_ping_vs_capture(void **state)
{
    (void)state;
    char path[1024];
    uint8_t cap[256];
    long n = pcapf_payload(pcapf_shared(TM_EB, path, sizeof path), 12, cap, sizeof cap, NULL);
    assert_int_equal(n, 82);
    struct smb1_msg cm;
    assert_int_equal(smb1_parse(cap + 4, (size_t)n - 4, &cm), 0);
    struct smb1_ids ids = {.tid = cm.tid, .pid = cm.pid_low, .uid = cm.uid, .mid = cm.mid,
                           .flags2 = cm.flags2};
    uint8_t out[256];
    size_t len = smb1_build_dp_ping(out, sizeof out, &ids);
    assert_int_equal(len, 82);
    /* everything before Timeout (TCP offset 49) and after it is identical */
    assert_memory_equal(out, cap, 49);
    assert_memory_equal(out + 53, cap + 53, 82 - 53);
    uint32_t t = ld_le32(out + 49);
    assert_int_equal(t, SMB1_DP_PING_TIMEOUT);
    assert_int_equal(dp_opcode(t), DP_OP_PING);
    static const uint32_t others[] = {0x00A4D9A6, 0x00EE3401, 0x00458658, 0x00548748,
                                      0x00FAD455, 0x0008D546, 0x00EDBF77, 0x00B65419};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        assert_int_not_equal(t, others[i]);
    struct smb1_msg m;
    assert_int_equal(smb1_parse(out + 4, len - 4, &m), 0);
    assert_int_equal(m.wct, 15);
    assert_int_equal(ld_le16(m.words + 0), 12);        /* TotalParameterCount */
    assert_int_equal(ld_le16(m.words + 4), 1);         /* MaxParameterCount */
    assert_int_equal(ld_le16(m.words + 28), 0x000E);   /* TRANS2_SESSION_SETUP */
    assert_int_equal(m.bcc, 13);
}

/* Metasploit's ping (id2t frame 18) says ByteCount 0 yet carries the 14 pad+parameter bytes
 * (79-byte SMB message): the parser tolerates it and still reads the ping fields. */
static void test_msf_ping_bytecount_quirk(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *p = smb_frame(ID2T_SCAN, 18, &len);
    assert_int_equal(len, 79);
    struct smb1_msg m;
    assert_int_equal(smb1_parse(p, len, &m), 0);
    assert_int_equal(m.cmd, SMB1_TRANS2);
    assert_int_equal(m.bcc, 0);
    assert_int_equal(m.bytes_len, 0);
    assert_int_equal(ld_le16(m.words + 28), 0x000E);
    assert_int_equal(ld_le32(m.words + 12), 0x00A4D9A6u); /* MSF/nmap/CC Timeout */
    assert_int_equal(dp_opcode(ld_le32(m.words + 12)), DP_OP_PING);
}

/* Our negotiate carries the NSA six dialects exactly as tmnids_eternalblue frame 6 (BC 98). */
static void test_build_negotiate_vs_nsa(void **state)
{
    (void)state;
    struct smb1_msg cm;
    parse_frame(TM_EB, 6, &cm);
    assert_int_equal(cm.bcc, 98);
    uint8_t capbytes[98];
    memcpy(capbytes, cm.bytes, 98);
    uint16_t cflags2 = cm.flags2;
    struct smb1_ids ids = {.tid = 0, .pid = 0x1234, .uid = 0, .mid = 1, .flags2 = 0xC801};
    uint8_t out[256];
    size_t len = smb1_build_negotiate(out, sizeof out, &ids);
    assert_int_equal(len, 4 + 0x85);
    assert_int_equal(out[3], 0x85);
    struct smb1_msg m;
    assert_int_equal(smb1_parse(out + 4, len - 4, &m), 0);
    assert_int_equal(m.cmd, SMB1_NEGOTIATE);
    assert_int_equal(m.flags, 0x18);
    assert_int_equal(m.flags2, 0xC801);
    assert_int_equal(m.pid_low, 0x1234);
    assert_int_equal(m.wct, 0);
    assert_int_equal(m.bcc, 98);
    assert_memory_equal(m.bytes, capbytes, 98);
    /* "NT LM 0.12" is index 5 of our list */
    assert_memory_equal(m.bytes + 98 - 12, "\x02NT LM 0.12", 12);
    assert_int_equal(cflags2, 0xC053);
}

/* Our plain null session vs the NSA one (tmnids_eternalblue frame 8): WC13, OEM pw 1 byte,
 * no Unicode password, empty account and domain, 4356 / 10. */
static void test_build_session_plain_vs_nsa(void **state)
{
    (void)state;
    struct smb1_msg cm;
    parse_frame(TM_EB, 8, &cm);
    assert_int_equal(cm.wct, 13);
    uint8_t cwords[26];
    memcpy(cwords, cm.words, 26);
    uint8_t cbytes[5];
    memcpy(cbytes, cm.bytes, 5); /* 00 | 00 00 | 00 00 */
    struct smb1_ids ids = {.tid = 0, .pid = 0xFEFF, .uid = 0, .mid = 64, .flags2 = 0xC007};
    uint8_t out[512];
    size_t len = smb1_build_session_setup_plain(out, sizeof out, &ids, "", "");
    assert_true(len > 0);
    struct smb1_msg m;
    assert_int_equal(smb1_parse(out + 4, len - 4, &m), 0);
    assert_int_equal(m.cmd, SMB1_SESSION_SETUP);
    assert_int_equal(m.wct, 13);
    assert_int_equal(m.words[0], 0xFF);                               /* no AndX */
    assert_int_equal(ld_le16(m.words + 4), ld_le16(cwords + 4));      /* MaxBuffer 4356 */
    assert_int_equal(ld_le16(m.words + 6), ld_le16(cwords + 6));      /* MaxMpx 10 */
    assert_int_equal(ld_le16(m.words + 14), ld_le16(cwords + 14));    /* OEM pw len 1 */
    assert_int_equal(ld_le16(m.words + 16), ld_le16(cwords + 16));    /* Unicode pw len 0 */
    uint32_t caps = ld_le32(m.words + 22);
    assert_int_equal(caps & (SMB1_CAP_STATUS32 | SMB1_CAP_UNICODE | SMB1_CAP_NT_SMBS),
                     SMB1_CAP_STATUS32 | SMB1_CAP_UNICODE | SMB1_CAP_NT_SMBS);
    assert_int_equal(caps & SMB1_CAP_EXT_SEC, 0);
    /* ld_le32(cwords+22) = 0xD4 for the NSA tool: it shares STATUS32|UNICODE|NT_SMBS with us */
    assert_int_equal(ld_le32(cwords + 22) & caps, SMB1_CAP_STATUS32 | SMB1_CAP_UNICODE | SMB1_CAP_NT_SMBS);
    assert_memory_equal(m.bytes, cbytes, 5);
    assert_int_equal(m.bytes_len, m.bcc);

    /* guest in ASCII: account and domain appear as OEM strings after the password byte */
    ids.flags2 = 0x4001;
    len = smb1_build_session_setup_plain(out, sizeof out, &ids, "guest", "");
    assert_int_equal(smb1_parse(out + 4, len - 4, &m), 0);
    assert_memory_equal(m.bytes, "\0guest\0\0", 8);
}

/* Our extended-security session setup vs Metasploit's (id2t frame 7). */
static void test_build_session_blob_vs_msf(void **state)
{
    (void)state;
    struct smb1_msg cm;
    parse_frame(ID2T_SCAN, 7, &cm);
    assert_int_equal(cm.wct, 12);
    uint32_t ccaps = ld_le32(cm.words + 20);
    uint8_t blob[128];
    size_t bl = ntlmssp_build_negotiate(blob, sizeof blob);
    assert_true(bl > 0);
    struct smb1_ids ids = {.tid = 0, .pid = 0xA4C0, .uid = 0, .mid = 2, .flags2 = 0xC807};
    uint8_t out[512];
    size_t len = smb1_build_session_setup_blob(out, sizeof out, &ids, blob, bl);
    assert_true(len > 0);
    struct smb1_msg m;
    assert_int_equal(smb1_parse(out + 4, len - 4, &m), 0);
    assert_int_equal(m.wct, 12);
    assert_int_equal(ld_le16(m.words + 14), bl);                 /* SecurityBlobLength */
    assert_memory_equal(m.bytes, blob, bl);
    uint32_t caps = ld_le32(m.words + 20);
    assert_true(caps & SMB1_CAP_EXT_SEC);
    assert_true(ccaps & SMB1_CAP_EXT_SEC);                       /* Metasploit sets it too */
    assert_int_equal(caps, 0x8000005Cu);
    assert_int_equal(ld_le16(m.words + 4), 4356);
    assert_int_equal(ld_le16(m.words + 6), 10);
    /* Unicode NativeOS after the blob, 2-byte aligned from the SMB header */
    size_t os_off = (size_t)(m.bytes - m.base) + bl;
    os_off += os_off & 1;
    assert_memory_equal(m.base + os_off, "s\0m\0b\0g\0", 8);
}

/* Our tree connect vs Metasploit's (id2t frame 13): WC4, password 1 byte, path and "?????". */
static void test_build_tree_connect(void **state)
{
    (void)state;
    struct smb1_msg cm;
    parse_frame(ID2T_SCAN, 13, &cm);
    assert_int_equal(cm.wct, 4);
    uint16_t cpwlen = ld_le16(cm.words + 6);
    struct smb1_ids ids = {.tid = 0, .pid = 1, .uid = 0x0801, .mid = 9, .flags2 = 0x4001};
    uint8_t out[512];
    size_t len = smb1_build_tree_connect(out, sizeof out, &ids, "\\\\192.168.189.138\\IPC$");
    struct smb1_msg m;
    assert_int_equal(smb1_parse(out + 4, len - 4, &m), 0);
    assert_int_equal(m.cmd, SMB1_TREE_CONNECT);
    assert_int_equal(m.uid, 0x0801);
    assert_int_equal(m.wct, 4);
    assert_int_equal(ld_le16(m.words + 6), cpwlen);
    const char want[] = "\0\\\\192.168.189.138\\IPC$\0?????";
    assert_int_equal(m.bcc, sizeof want);
    assert_memory_equal(m.bytes, want, sizeof want);

    ids.flags2 = 0xC007; /* Unicode path, aligned */
    len = smb1_build_tree_connect(out, sizeof out, &ids, "\\\\h\\IPC$");
    assert_int_equal(smb1_parse(out + 4, len - 4, &m), 0);
    size_t path_off = (size_t)(m.bytes - m.base) + 1;
    path_off += path_off & 1;
    assert_memory_equal(m.base + path_off, "\\\0\\\0h\0\\\0I\0P\0C\0$\0\0\0?????\0", 24);
    assert_int_equal(m.len, path_off + 24);
}

static void test_build_logoff_and_caps(void **state)
{
    (void)state;
    struct smb1_ids ids = {.tid = 0x800, .pid = 2, .uid = 0x801, .mid = 10, .flags2 = 0xC001};
    uint8_t out[128];
    size_t len = smb1_build_logoff(out, sizeof out, &ids);
    assert_int_equal(len, 4 + 32 + 1 + 4 + 2);
    struct smb1_msg m;
    assert_int_equal(smb1_parse(out + 4, len - 4, &m), 0);
    assert_int_equal(m.cmd, SMB1_LOGOFF);
    assert_int_equal(m.uid, 0x801);
    assert_int_equal(m.wct, 2);
    /* every builder refuses a buffer one byte short */
    assert_int_equal(smb1_build_logoff(out, len - 1, &ids), 0);
    assert_int_equal(smb1_build_negotiate(out, 4 + 0x85 - 1, &ids), 0);
    assert_int_equal(smb1_build_dp_ping(out, 81, &ids), 0);
}

/* ---------------------------------------------------------------- other servers and shapes */

/* Windows 10 1511 over port 139 (tmnids DP frames 44/46/48): Unicode WC4 with SPNEGO, then the
 * SMB1 anonymous login and IPC$ succeed. */
static void test_win10_smb1_over_139(void **state)
{
    (void)state;
    struct smb1_msg m;
    parse_frame(TM_DP, 44, &m);
    assert_int_equal(m.status, NT_STATUS_MORE_PROCESSING_REQUIRED);
    assert_true(m.flags2 & SMB1_FLAGS2_UNICODE);
    struct smb1_session_rsp r;
    assert_int_equal(smb1_parse_session_setup_rsp(&m, &r), 0);
    assert_int_equal(r.sec_blob_len, 271);
    assert_string_equal(r.native_os, "Windows 10 Enterprise Evaluation 10586");
    assert_string_equal(r.native_lanman, "Windows 10 Enterprise Evaluation 6.3");
    struct ntlm_challenge c;
    assert_int_equal(ntlmssp_parse_challenge(r.sec_blob, r.sec_blob_len, &c), 0);
    assert_int_equal(c.major, 10);
    assert_int_equal(c.build, 10586);
    assert_string_equal(c.nb_computer, "DESKTOP-AFPVEQ2");

    parse_frame(TM_DP, 46, &m);
    assert_int_equal(m.status, 0);
    assert_int_equal(smb1_parse_session_setup_rsp(&m, &r), 0);
    assert_int_equal(r.action & SMB1_ACTION_GUEST, 0);
    parse_frame(TM_DP, 48, &m);
    assert_int_equal(m.cmd, SMB1_TREE_CONNECT);
    assert_int_equal(m.status, 0);
    assert_int_not_equal(m.tid, 0);
}

/* Unicode WC3 reply with its pad byte and a PrimaryDomain cut one byte short
 * (tmnids_eternalblue frame 9). */
static void test_session_rsp_wc3_unicode(void **state)
{
    (void)state;
    struct smb1_msg m;
    parse_frame(TM_EB, 9, &m);
    struct smb1_session_rsp r;
    assert_int_equal(smb1_parse_session_setup_rsp(&m, &r), 0);
    assert_string_equal(r.native_os, "Windows 7 Enterprise 7601 Service Pack 1");
    assert_string_equal(r.native_lanman, "Windows 7 Enterprise 6.1");
    assert_string_equal(r.primary_domain, "WORKGROUP");
}

/* Non-extended WC17 negotiate replies name the domain and server (eternalsafety_wannacry 222,
 * 230, 238), Unicode because the NSA client asked with Flags2 0xC053. */
static void test_negotiate_rsp_wc17_names(void **state)
{
    (void)state;
    static const struct { unsigned frame; uint8_t secmode; uint32_t caps; const char *server; } want[] = {
        {222, 0x03, 0x0001E3FC, "DFIR-WIN7-X64"},
        {230, 0x0F, 0x0001F3FC, "TESTDC1"},       /* 2012 R2 DC: signing required */
        {238, 0x03, 0x0001E3FC, "WIN-2012-R2-1"},
    };
    for (size_t i = 0; i < 3; i++) {
        struct smb1_msg m;
        parse_frame(WANNACRY, want[i].frame, &m);
        struct smb1_negotiate_rsp r;
        assert_int_equal(smb1_parse_negotiate_rsp(&m, &r), 0);
        assert_int_equal(r.wct, 17);
        assert_int_equal(r.dialect_index, SMB1_NT_DIALECT_INDEX);
        assert_int_equal(r.security_mode, want[i].secmode);
        assert_int_equal(r.capabilities, want[i].caps);
        assert_int_equal(r.challenge_len, 8);
        assert_null(r.sec_blob);
        assert_string_equal(r.domain, "TESTDOMAIN");
        assert_string_equal(r.server, want[i].server);
    }
}

/* LANMAN2.1 reply (WC13) from zeek_cifs_negotiate_lanman.pcap frame 6: the domain is OEM even
 * though Flags2 carries UNICODE. */
static void test_negotiate_rsp_wc13_lanman(void **state)
{
    (void)state;
    struct smb1_msg m;
    parse_frame(LANMAN, 6, &m);
    struct smb1_negotiate_rsp r;
    assert_int_equal(smb1_parse_negotiate_rsp(&m, &r), 0);
    assert_int_equal(r.wct, 13);
    assert_int_equal(r.dialect_index, 3);
    assert_int_equal(r.security_mode, 0x03);
    assert_int_equal(r.max_buffer, 4356);
    assert_int_equal(r.challenge_len, 8);
    assert_string_equal(r.domain, "WORKGROUP");
}

/* WC1 "none of your dialects" (synthetic: a server without NT LM 0.12) */
static void test_negotiate_rsp_wc1(void **state)
{
    (void)state;
    uint8_t p[37] = {0xFF, 'S', 'M', 'B', SMB1_NEGOTIATE, 0, 0, 0, 0, 0x98, 0x01, 0xC8};
    p[32] = 1;
    p[33] = 0xFF;
    p[34] = 0xFF;
    struct smb1_msg m;
    assert_int_equal(smb1_parse(p, sizeof p, &m), 0);
    struct smb1_negotiate_rsp r;
    assert_int_equal(smb1_parse_negotiate_rsp(&m, &r), 0);
    assert_int_equal(r.wct, 1);
    assert_int_equal(r.dialect_index, 0xFFFF);
    p[32] = 0; /* WC0 error reply: nothing to parse */
    assert_int_equal(smb1_parse(p, 35, &m), 0);
    assert_int_equal(smb1_parse_negotiate_rsp(&m, &r), -1);
}

/* 2012 R2 member server refuses the anonymous session (eternalsafety_wannacry 219, 240). */
static void test_session_rsp_access_denied(void **state)
{
    (void)state;
    static const unsigned frames[] = {219, 240};
    for (size_t i = 0; i < 2; i++) {
        struct smb1_msg m;
        parse_frame(WANNACRY, frames[i], &m);
        assert_int_equal(m.cmd, SMB1_SESSION_SETUP);
        assert_int_equal(m.status, NT_STATUS_ACCESS_DENIED);
        assert_int_equal(m.wct, 0);
        assert_int_equal(m.status_is_dos, 0);
        struct smb1_session_rsp r;
        assert_int_equal(smb1_parse_session_setup_rsp(&m, &r), -1);
        assert_true(ntstatus_is_access_denied(m.status));
    }
}

/* DOS-form errors (Flags2 0x8007, no NT_STATUS) after the exploit: eternalsafety_wannacry
 * frames 455 (Trans2), 617 (tree disconnect), 619 (logoff). */
static void test_dos_status_replies(void **state)
{
    (void)state;
    static const struct { unsigned frame; uint8_t cmd; uint32_t st; const char *name; } want[] = {
        {455, SMB1_TRANS2, 0x00010002u, "STATUS_INVALID_SMB"},
        {617, SMB1_TREE_DISCONNECT, 0x00050002u, "STATUS_SMB_BAD_TID"},
        {619, SMB1_LOGOFF, 0x005B0002u, "STATUS_SMB_BAD_UID"},
    };
    for (size_t i = 0; i < 3; i++) {
        struct smb1_msg m;
        parse_frame(WANNACRY, want[i].frame, &m);
        assert_int_equal(m.cmd, want[i].cmd);
        assert_int_equal(m.flags2, 0x8007);
        assert_int_equal(m.status, want[i].st);
        assert_int_equal(m.status_is_dos, 1);
        assert_string_equal(ntstatus_name(m.status), want[i].name);
    }
}

/* ---------------------------------------------------------------- robustness */

/* Every prefix of real replies parses to -1 or to a consistent partial result. */
static void truncate_all(const char *rel, unsigned frame)
{
    size_t len;
    const uint8_t *p = smb_frame(rel, frame, &len);
    uint8_t full[2048];
    assert_true(len <= sizeof full);
    memcpy(full, p, len);
    struct smb1_msg fm;
    assert_int_equal(smb1_parse(full, len, &fm), 0);
    struct smb1_session_rsp fs;
    int fs_ok = smb1_parse_session_setup_rsp(&fm, &fs);
    size_t hdr_end = 33 + 2 * (size_t)fm.wct + 2;
    for (size_t k = 0; k <= len; k++) {
        uint8_t cut[2048];
        memcpy(cut, full, k);
        struct smb1_msg m;
        int rc = smb1_parse(cut, k, &m);
        if (k < hdr_end) {
            assert_int_equal(rc, -1);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(m.mid, fm.mid);
        assert_int_equal(m.status, fm.status);
        assert_int_equal(m.bytes_len, k - hdr_end < fm.bcc ? k - hdr_end : fm.bcc);
        struct smb1_negotiate_rsp nr;
        struct smb1_session_rsp sr;
        if (m.cmd == SMB1_NEGOTIATE) {
            if (smb1_parse_negotiate_rsp(&m, &nr) == 0 && nr.sec_blob) {
                struct ntlm_challenge c;
                (void)ntlmssp_parse_challenge(nr.sec_blob, nr.sec_blob_len, &c);
            }
        }
        if (m.cmd == SMB1_SESSION_SETUP && smb1_parse_session_setup_rsp(&m, &sr) == 0) {
            assert_int_equal(fs_ok, 0);
            /* partial strings are prefixes of the full ones */
            assert_memory_equal(sr.native_os, fs.native_os, strlen(sr.native_os) > 0 ? strlen(sr.native_os) - 1 : 0);
            struct ntlm_challenge c;
            if (ntlmssp_parse_challenge(sr.sec_blob, sr.sec_blob_len, &c) == 0 && c.has_version)
                assert_true(c.major == 6 || c.major == 10);
        }
    }
}

static void test_truncated_prefixes(void **state)
{
    (void)state;
    truncate_all(ID2T_SCAN, 5);
    truncate_all(ID2T_SCAN, 8);
    truncate_all(ID2T_SCAN, 12);
    truncate_all(ID2T_SCAN, 16);
    truncate_all(TM_DP, 44);
    truncate_all(TM_EB, 9);
    truncate_all(WANNACRY, 222);
}

static void test_not_smb1(void **state)
{
    (void)state;
    struct smb1_msg m;
    uint8_t smb2[64] = {0xFE, 'S', 'M', 'B', 64};
    assert_int_equal(smb1_parse(smb2, sizeof smb2, &m), -1);
    assert_int_equal(smb_is_smb2(smb2, sizeof smb2), 1);
    assert_int_equal(smb_is_smb2(smb2, 3), 0);
    assert_int_equal(smb1_parse(NULL, 0, &m), -1);
    uint8_t junk[40] = "HTTP/1.1 400 Bad Request\r\n";
    assert_int_equal(smb1_parse(junk, sizeof junk, &m), -1);
    assert_int_equal(smb_is_smb2(junk, sizeof junk), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negotiate_rsp_wc17_extsec),
        cmocka_unit_test(test_session_rsp_wc4_challenge),
        cmocka_unit_test(test_session_rsp_logon_failure),
        cmocka_unit_test(test_session_rsp_wc3_null_session),
        cmocka_unit_test(test_tree_connect_rsp),
        cmocka_unit_test(test_peek_rsp_insuff_resources),
        cmocka_unit_test(test_dp_ping_clean_reply),
        cmocka_unit_test(test_build_peek_matches_capture),
        cmocka_unit_test(test_build_peek_unicode),
        cmocka_unit_test(test_build_dp_ping_vs_capture),
        cmocka_unit_test(test_msf_ping_bytecount_quirk),
        cmocka_unit_test(test_build_negotiate_vs_nsa),
        cmocka_unit_test(test_build_session_plain_vs_nsa),
        cmocka_unit_test(test_build_session_blob_vs_msf),
        cmocka_unit_test(test_build_tree_connect),
        cmocka_unit_test(test_build_logoff_and_caps),
        cmocka_unit_test(test_win10_smb1_over_139),
        cmocka_unit_test(test_session_rsp_wc3_unicode),
        cmocka_unit_test(test_negotiate_rsp_wc17_names),
        cmocka_unit_test(test_negotiate_rsp_wc13_lanman),
        cmocka_unit_test(test_negotiate_rsp_wc1),
        cmocka_unit_test(test_session_rsp_access_denied),
        cmocka_unit_test(test_dos_status_replies),
        cmocka_unit_test(test_truncated_prefixes),
        cmocka_unit_test(test_not_smb1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
