/* obs.h: what the scanner observed on one host, filled by the probe state machine (host.c) and
 * read by the pure decision functions (ident.c, verdict.c). Nothing here does I/O. */
#ifndef SG_SCAN_OBS_H
#define SG_SCAN_OBS_H
#include <stdint.h>

enum port_state { PS_NOT_TRIED = 0, PS_OPEN, PS_REFUSED, PS_TIMEOUT, PS_UNREACH };
enum smb1_state {
    SMB1_NOT_TRIED = 0,
    SMB1_ACCEPTED,      /* WordCount 17 reply choosing NT LM 0.12 */
    SMB1_LANMAN,        /* WordCount 13: a LANMAN dialect */
    SMB1_REFUSED,       /* DialectIndex 0xFFFF, an SMB2 reply, or closed before any byte twice */
    SMB1_RESET,         /* closed before any byte twice (a refusal only if SMB2 works) */
    SMB1_ODD,           /* an SMB1 reply we do not understand */
};
enum auth_kind { AUTH_NONE = 0, AUTH_ANONYMOUS, AUTH_GUEST, AUTH_USER };
enum dp_state { DP_NOT_CHECKED = 0, DP_CLEAN, DP_INFECTED, DP_UNKNOWN };
enum login_form { LF_NTLMSSP_ANON = 0, LF_NULL, LF_GUEST, LF_CREDS, LF_COUNT };

struct scan_obs {
    /* transport */
    enum port_state p445, p139;
    uint16_t port;              /* port the SMB conversation ran on (0: none) */
    int connect_errno;          /* last connect error, for detail */
    int not_smb;                /* handshake done, non-NBSS/SMB bytes received */
    int smb_timeout;            /* handshake done, no SMB reply before the deadline */
    int nbss_negative;          /* port 139 session request refused (0x83 code in nbss_code) */
    uint8_t nbss_code;
    int any_smb_reply;
    /* SMB1 */
    enum smb1_state smb1;
    char smb1_dialect[32];
    int sign_req_smb1;          /* -1 unknown */
    uint32_t smb1_caps;
    int has_smb1_caps;
    /* SMB2 */
    int smb2_tried, smb2_ok;
    uint16_t smb2_dialect;
    int sign_req_smb2;          /* -1 unknown */
    uint32_t smb2_status;       /* status of a failed SMB2 negotiate */
    unsigned smb2_each_tried, smb2_each_ok;  /* --all-dialects: bit i = 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1 */
    /* identification */
    int has_ntlm_version, ntlm_version_ff;
    uint8_t ntlm_major, ntlm_minor, ntlm_rev;
    uint16_t ntlm_build;
    char native_os[128], native_lanman[128];
    char netbios_name[64], dns_name[256], domain[256];
    uint8_t mac[6];
    int has_mac;
    /* logins (SMB1 only; SMB2 refusals never count) */
    int login_tried[LF_COUNT];
    uint32_t login_status[LF_COUNT];
    int login_dropped[LF_COUNT];    /* the server closed the connection on that form */
    enum auth_kind auth;
    int creds_skipped;          /* credentials configured but not used (breaker, non-Windows) */
    int tree_tried, tree_ok, tree_replied;
    uint32_t tree_status;
    int busy;                   /* STATUS_INSUFF_SERVER_RESOURCES / REQUEST_NOT_ACCEPTED before the probe */
    uint32_t busy_status;
    /* MS17-010 probe */
    int probe_sent, probe_replied;
    uint8_t probe_cmd;
    uint32_t probe_status;
    int probe_dos;              /* DOS-form error */
    uint8_t probe_wct;
    int unexpected_mid;
    /* DoublePulsar */
    enum dp_state dp;
    int dp_sent, dp_replied;
    uint32_t dp_status;
    uint32_t dp_key;
    int dp_x64;
    int dp_delta;               /* 0x10/0x20/0x30 when infected */
    char dp_reason[48];
    /* free text for "what was seen" when nothing else decides */
    char note[160];
    int conn_closed;            /* the server closed an SMB connection in the middle of an exchange */
    int interrupted;
};

void obs_init(struct scan_obs *o);

#endif
