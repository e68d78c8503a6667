/* labsmb.h: the lab responder's own minimal SMB parsing (NBSS framing, SMB1/SMB2 request kinds,
 * NTLMSSP message type) and its profile tables of captured frames. Independent of src/proto. */
#ifndef SG_LAB_LABSMB_H
#define SG_LAB_LABSMB_H
#include <stddef.h>
#include <stdint.h>

/* Request kinds the responder can answer with a captured reply. */
enum lab_kind {
    LK_NONE = -1,
    LK_NBSS_POS = 0,   /* NBSS session request (0x81) -> positive response (0x82) */
    LK_NEG_NTLM,       /* SMB1 negotiate offering "NT LM 0.12" and no SMB2 dialect */
    LK_NEG_SMB2WILD,   /* SMB1 negotiate offering "SMB 2.???" -> SMB2 negotiate response */
    LK_SMB2_NEG,       /* SMB2 NEGOTIATE */
    LK_SMB2_SS_NEG,    /* SMB2 SESSION_SETUP carrying NTLMSSP NEGOTIATE */
    LK_SMB2_SS_AUTH,   /* SMB2 SESSION_SETUP carrying NTLMSSP AUTHENTICATE with an empty user */
    LK_SS_NULL,        /* SMB1 SESSION_SETUP_ANDX WordCount 13, empty passwords and account */
    LK_SS_NTLM_NEG,    /* SMB1 SESSION_SETUP_ANDX WordCount 12, NTLMSSP NEGOTIATE */
    LK_SS_NTLM_AUTH,   /* SMB1 SESSION_SETUP_ANDX WordCount 12, NTLMSSP AUTHENTICATE, empty user */
    LK_TREE_IPC,       /* TREE_CONNECT_ANDX to IPC$ */
    LK_PEEK,           /* TRANSACTION PeekNamedPipe (setup 0x0023), FID 0 */
    LK_DP_PING,        /* TRANSACTION2 SESSION_SETUP (setup 0x000E), the DoublePulsar ping */
    LK_TDIS,           /* TREE_DISCONNECT */
    LK_LOGOFF,         /* LOGOFF_ANDX */
    LK__COUNT
};

/* Feature bits: a captured reply answers a live request only when their features are equal. */
#define LF_UNICODE  0x01u /* SMB1 Flags2 0x8000 (reply strings follow it) */
#define LF_EXTSEC   0x02u /* SMB1 negotiate Flags2 0x0800 */
#define LF_TREE_EXT 0x04u /* TREE_CONNECT_ANDX Flags 0x0008 (extended response) */

struct lab_req {
    enum lab_kind kind;
    unsigned feat;
    int is_smb2;            /* message starts with FE 'SMB' */
    int nt_index;           /* SMB1 negotiate: index of "NT LM 0.12", -1 when absent */
    uint16_t smb2_dialects[16];
    unsigned n_smb2_dialects;
    const char *why;        /* when kind == LK_NONE: why no captured reply applies */
};

/* Classifies one SMB message (the bytes after the 4-byte NBSS header). */
void lab_classify(const uint8_t *m, size_t n, struct lab_req *r);
const char *lab_kind_name(enum lab_kind k);

/* Little-endian helpers. */
static inline uint16_t lab_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t lab_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void lab_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void lab_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* Finds "NTLMSSP\0" in [p, p+n); returns its offset or -1. */
long lab_find_ntlmssp(const uint8_t *p, size_t n);

/* ---- profiles (labprofiles.c) ---- */

/* One captured request/reply pair, loaded from ../shared at start-up. */
struct lab_pair {
    enum lab_kind kind;
    const char *pcap;       /* file name under pcaps/ */
    unsigned req_frame, rep_frame;
    int mid_delta;          /* reply MID = request MID + mid_delta (DoublePulsar: 0x10) */
    int status_override;    /* non-zero: reply status replaced (modelled profiles only) */
    uint32_t status;
    uint16_t smb2_max;      /* SMB2 negotiate: the server's highest dialect (0: the reply's) */
    /* loaded */
    uint8_t *req, *rep;     /* full TCP payloads, NBSS header included */
    size_t req_len, rep_len;
    unsigned feat;
    uint16_t rep_smb2_dialect; /* SMB2 negotiate replies: the dialect it picks */
};

struct lab_profile {
    const char *name;
    const char *summary;
    struct lab_pair *pairs;
    size_t n_pairs;
};

/* Loads every profile's frames; returns 0 or -1 with a message on stderr. */
int lab_profiles_load(void);
size_t lab_profile_count(void);
const struct lab_profile *lab_profile_at(size_t i);
const struct lab_profile *lab_profile_find(const char *name);
/* The captured pair answering request r, or NULL (then the connection is closed). */
const struct lab_pair *lab_profile_match(const struct lab_profile *p, const struct lab_req *r);

#endif
