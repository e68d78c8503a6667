/* smb1.h: SMB1 (CIFS) header, the requests the scanner sends and the replies it reads.
 * Pure codec shared by the scanner and the traffic detector: no I/O, no allocation, every read
 * bounds-checked. Builders write a whole TCP message (4-byte NBSS header + SMB) into out[cap] and
 * return its length, or 0 when cap is too small. Offsets are from the SMB header start. */
#ifndef SG_PROTO_SMB1_H
#define SG_PROTO_SMB1_H
#include <stddef.h>
#include <stdint.h>

enum smb1_cmd {
    SMB1_TREE_DISCONNECT = 0x71, SMB1_NEGOTIATE = 0x72, SMB1_SESSION_SETUP = 0x73, SMB1_LOGOFF = 0x74,
    SMB1_TREE_CONNECT = 0x75, SMB1_TRANS = 0x25, SMB1_TRANS_SECONDARY = 0x26, SMB1_ECHO = 0x2B,
    SMB1_WRITE_ANDX = 0x2F, SMB1_TRANS2 = 0x32, SMB1_TRANS2_SECONDARY = 0x33, SMB1_NT_TRANS = 0xA0,
    SMB1_NT_TRANS_SECONDARY = 0xA1, SMB1_NT_CREATE = 0xA2,
};
#define SMB1_FLAGS_REPLY        0x80
#define SMB1_FLAGS2_LONG_NAMES  0x0001
#define SMB1_FLAGS2_SIGNATURES  0x0004
#define SMB1_FLAGS2_EXT_SEC     0x0800
#define SMB1_FLAGS2_NT_STATUS   0x4000
#define SMB1_FLAGS2_UNICODE     0x8000
#define SMB1_CAP_UNICODE        0x00000004u
#define SMB1_CAP_NT_SMBS        0x00000010u
#define SMB1_CAP_STATUS32       0x00000040u
#define SMB1_CAP_UNIX           0x00800000u
#define SMB1_CAP_EXT_SEC        0x80000000u
#define SMB1_SECMODE_SIGN_REQUIRED 0x08
#define SMB1_ACTION_GUEST       0x0001

/* Parsed header and the parameter/data blocks of one SMB1 message (pointers into the input). */
struct smb1_msg {
    uint8_t cmd;
    uint32_t status;      /* NTSTATUS when flags2 has NT_STATUS, else class/code as on the wire */
    int status_is_dos;    /* 1 when flags2 lacks NT_STATUS and status != 0 */
    uint8_t flags;
    uint16_t flags2;
    uint16_t pid_high;
    uint8_t signature[8];
    uint16_t tid, pid_low, uid, mid;
    uint8_t wct;
    const uint8_t *words;  /* wct*2 bytes */
    uint16_t bcc;
    const uint8_t *bytes;  /* bcc bytes, clipped to what is present; bytes_len says how many */
    size_t bytes_len;
    const uint8_t *base;   /* SMB header start, for offset arithmetic */
    size_t len;            /* whole SMB message length */
};
/* Parses an SMB1 message (input starts at the 0xFF 'SMB' magic, without the NBSS header).
 * Returns 0 on success, -1 when it is not SMB1 or shorter than header + WordCount + ByteCount.
 * A ByteCount larger than what is present is tolerated (bytes_len says what is there). */
int smb1_parse(const uint8_t *p, size_t n, struct smb1_msg *m);
/* 1 when p starts with FE 'SMB' (an SMB2/3 message), else 0. */
int smb_is_smb2(const uint8_t *p, size_t n);

/* Identity fields the client puts in every request header. */
struct smb1_ids {
    uint16_t tid, pid, uid, mid;
    uint16_t flags2;
};

/* The NT-era SMB1-only dialect list of decisions.md section 2 (index 5 = "NT LM 0.12"). */
#define SMB1_NT_DIALECT_INDEX 5
size_t smb1_build_negotiate(uint8_t *out, size_t cap, const struct smb1_ids *ids);
/* SESSION_SETUP_ANDX WordCount 12 carrying a security blob (NTLMSSP/SPNEGO). Capabilities include
 * CAP_EXT_SEC|CAP_STATUS32|CAP_UNICODE|CAP_NT_SMBS. */
size_t smb1_build_session_setup_blob(uint8_t *out, size_t cap, const struct smb1_ids *ids,
                                     const uint8_t *blob, size_t blob_len);
/* SESSION_SETUP_ANDX WordCount 13 with plain account name, empty passwords (null session when
 * account is ""; guest with "guest"). Flags2 should not carry EXT_SEC. */
size_t smb1_build_session_setup_plain(uint8_t *out, size_t cap, const struct smb1_ids *ids,
                                      const char *account, const char *domain);
/* TREE_CONNECT_ANDX to path (e.g. "\\\\127.0.0.1\\IPC$"), service "?????". Unicode when
 * ids->flags2 has UNICODE. */
size_t smb1_build_tree_connect(uint8_t *out, size_t cap, const struct smb1_ids *ids, const char *path);
/* The MS17-010 check: Trans PeekNamedPipe (0x23) on FID 0, MaxParameterCount = MaxDataCount = 0xFFFF. */
size_t smb1_build_peek_nmpipe(uint8_t *out, size_t cap, const struct smb1_ids *ids);
/* The DoublePulsar ping: Trans2 SESSION_SETUP (0x000E), Timeout bytes summing to 0x23, 12 zero
 * parameter bytes. Never any other opcode. */
size_t smb1_build_dp_ping(uint8_t *out, size_t cap, const struct smb1_ids *ids);
/* The ping's fixed Timeout: wire bytes 53 47 89 00 ("SG" + 0x89), byte sum 0x123 -> opcode 0x23.
 * No other tool in protocol.md 6.1 uses it: it is smbguard's fingerprint for allow-listing. */
#define SMB1_DP_PING_TIMEOUT 0x00894753u
size_t smb1_build_logoff(uint8_t *out, size_t cap, const struct smb1_ids *ids);

/* NEGOTIATE reply. */
struct smb1_negotiate_rsp {
    uint8_t wct;             /* 17 NT, 13 LANMAN, 1 = dialect index only */
    uint16_t dialect_index;  /* 0xFFFF = none acceptable */
    uint8_t security_mode;
    uint32_t capabilities;
    uint32_t max_buffer;
    uint8_t challenge_len;
    const uint8_t *sec_blob; /* extended security: blob after the 16-byte GUID */
    size_t sec_blob_len;
    char domain[64];         /* non-extended: NetBIOS domain and server name */
    char server[64];
};
int smb1_parse_negotiate_rsp(const struct smb1_msg *m, struct smb1_negotiate_rsp *r);

/* SESSION_SETUP_ANDX reply (WordCount 3 plain or 4 extended). */
struct smb1_session_rsp {
    uint16_t action;
    const uint8_t *sec_blob;
    size_t sec_blob_len;
    char native_os[128];
    char native_lanman[128];
    char primary_domain[64];
};
int smb1_parse_session_setup_rsp(const struct smb1_msg *m, struct smb1_session_rsp *r);

#endif
