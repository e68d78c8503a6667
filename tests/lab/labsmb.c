/* labsmb.c: minimal request classification for the lab responder (SMB1 command/WordCount, SMB2
 * command, negotiate dialect lists, the NTLMSSP message of a session setup). Not the project codec. */
#include "labsmb.h"

#include <ctype.h>
#include <string.h>

static const char *const kind_names[LK__COUNT] = {
    "nbss-session", "negotiate", "negotiate-smb2-wildcard", "smb2-negotiate", "smb2-ntlm-negotiate",
    "smb2-ntlm-auth", "null-session", "ntlm-negotiate", "ntlm-auth", "tree-ipc", "peek", "dp-ping",
    "tree-disconnect", "logoff",
};

const char *lab_kind_name(enum lab_kind k)
{
    return (k >= 0 && k < LK__COUNT) ? kind_names[k] : "none";
}

long lab_find_ntlmssp(const uint8_t *p, size_t n)
{
    static const uint8_t sig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    for (size_t i = 0; i + 12 <= n; i++)
        if (memcmp(p + i, sig, 8) == 0)
            return (long)i;
    return -1;
}

/* NTLMSSP message type at blob offset, and for AUTHENTICATE whether the user name is empty. */
static enum lab_kind ntlm_kind(const uint8_t *blob, size_t n, enum lab_kind neg, enum lab_kind auth,
                               const char **why)
{
    long at = lab_find_ntlmssp(blob, n);
    if (at < 0) {
        *why = "session setup without NTLMSSP (no captured reply)";
        return LK_NONE;
    }
    const uint8_t *t = blob + at;
    size_t left = n - (size_t)at;
    uint32_t type = lab_le32(t + 8);
    if (type == 1)
        return neg;
    if (type == 3) {
        if (left < 44) {
            *why = "truncated NTLMSSP AUTHENTICATE";
            return LK_NONE;
        }
        if (lab_le16(t + 36) != 0) { /* UserNameFields.Len */
            *why = "NTLMSSP AUTHENTICATE with a user name (no captured reply)";
            return LK_NONE;
        }
        return auth;
    }
    *why = "unexpected NTLMSSP message type";
    return LK_NONE;
}

static int ascii_ieq(const uint8_t *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (toupper(p[i]) != toupper((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Does the path end in IPC$ (ASCII or UTF-16LE, case-insensitive)? */
static int path_is_ipc(const uint8_t *b, size_t n, int uni)
{
    if (!uni) {
        size_t len = 0;
        while (len < n && b[len])
            len++;
        return len >= 4 && ascii_ieq(b + len - 4, "IPC$", 4);
    }
    size_t len = 0;
    while (len + 1 < n && (b[len] || b[len + 1]))
        len += 2;
    if (len < 8)
        return 0;
    const uint8_t *e = b + len - 8;
    static const char ipc[4] = {'I', 'P', 'C', '$'};
    for (int i = 0; i < 4; i++)
        if (e[2 * i + 1] != 0 || toupper(e[2 * i]) != ipc[i])
            return 0;
    return 1;
}

static void classify_smb1(const uint8_t *m, size_t n, struct lab_req *r)
{
    if (n < 35) {
        r->why = "short SMB1 message";
        return;
    }
    uint8_t cmd = m[4];
    uint16_t flags2 = lab_le16(m + 10);
    unsigned wc = m[32];
    size_t words = 33, bcoff = 33 + 2u * wc;
    if (bcoff + 2 > n) {
        r->why = "SMB1 WordCount beyond the message";
        return;
    }
    size_t bc = lab_le16(m + bcoff), boff = bcoff + 2;
    if (boff + bc > n) {
        r->why = "SMB1 ByteCount beyond the message";
        return;
    }
    const uint8_t *w = m + words, *b = m + boff;
    int uni = (flags2 & 0x8000) != 0;

    switch (cmd) {
    case 0x72: { /* NEGOTIATE: dialects are 0x02 + NUL-terminated strings */
        int idx = 0, wild = 0, s2002 = 0;
        r->nt_index = -1;
        for (size_t i = 0; i < bc;) {
            if (b[i] != 0x02) {
                r->why = "malformed dialect list";
                return;
            }
            size_t s = i + 1, e = s;
            while (e < bc && b[e])
                e++;
            if (e >= bc) {
                r->why = "unterminated dialect string";
                return;
            }
            size_t len = e - s;
            if (len == 10 && memcmp(b + s, "NT LM 0.12", 10) == 0 && r->nt_index < 0)
                r->nt_index = idx;
            if (len == 9 && memcmp(b + s, "SMB 2.???", 9) == 0)
                wild = 1;
            if (len == 9 && memcmp(b + s, "SMB 2.002", 9) == 0)
                s2002 = 1;
            idx++;
            i = e + 1;
        }
        if (wild) {
            r->kind = LK_NEG_SMB2WILD;
        } else if (s2002) {
            r->why = "SMB1 negotiate offering SMB 2.002 without SMB 2.???: no captured reply";
        } else if (r->nt_index >= 0) {
            r->kind = LK_NEG_NTLM;
            r->feat = (flags2 & 0x0800) ? LF_EXTSEC : (uni ? LF_UNICODE : 0);
        } else {
            r->why = "no NT LM 0.12 dialect (no captured DialectIndex 0xFFFF reply)";
        }
        return;
    }
    case 0x73: /* SESSION_SETUP_ANDX */
        if (w[0] != 0xFF) {
            r->why = "chained AndX session setup (no captured reply)";
            return;
        }
        if (wc == 13) {
            size_t oem = lab_le16(w + 14), upw = lab_le16(w + 16);
            if (oem > 1 || upw > 1) {
                r->why = "session setup with a password (no captured reply)";
                return;
            }
            size_t acct = oem + upw;
            if (uni && ((boff + acct) & 1))
                acct++;
            if (acct < bc && !(b[acct] == 0 && (!uni || (acct + 1 < bc && b[acct + 1] == 0)))) {
                r->why = "session setup with an account name (no captured reply)";
                return;
            }
            r->kind = LK_SS_NULL;
            r->feat = uni ? LF_UNICODE : 0;
            return;
        }
        if (wc == 12) {
            size_t bl = lab_le16(w + 14);
            if (bl > bc) {
                r->why = "security blob beyond the message";
                return;
            }
            r->kind = ntlm_kind(b, bl, LK_SS_NTLM_NEG, LK_SS_NTLM_AUTH, &r->why);
            r->feat = uni ? LF_UNICODE : 0;
            return;
        }
        r->why = "session setup WordCount not 12 or 13";
        return;
    case 0x75: { /* TREE_CONNECT_ANDX */
        if (wc != 4 || w[0] != 0xFF) {
            r->why = "tree connect not WordCount 4 or chained";
            return;
        }
        uint16_t tflags = lab_le16(w + 4);
        size_t pwl = lab_le16(w + 6);
        if (pwl > bc) {
            r->why = "tree connect password beyond the message";
            return;
        }
        size_t p = pwl;
        if (uni && ((boff + p) & 1))
            p++;
        if (p > bc || !path_is_ipc(b + p, bc - p, uni)) {
            r->why = "tree connect to a share other than IPC$ (no captured reply)";
            return;
        }
        r->kind = LK_TREE_IPC;
        r->feat = (uni ? LF_UNICODE : 0) | ((tflags & 0x0008) ? LF_TREE_EXT : 0);
        return;
    }
    case 0x25:   /* TRANSACTION */
    case 0x32: { /* TRANSACTION2 */
        if (wc < 14 || w[26] == 0 || 28 + 2u * w[26] > 2u * wc) {
            r->why = "transaction without setup words";
            return;
        }
        uint16_t s0 = lab_le16(w + 28);
        if (cmd == 0x25 && w[26] == 2 && s0 == 0x0023 && lab_le16(w + 30) == 0) {
            r->kind = LK_PEEK;
            return;
        }
        if (cmd == 0x32 && s0 == 0x000E) {
            r->kind = LK_DP_PING;
            return;
        }
        r->why = "transaction subcommand without a captured reply";
        return;
    }
    case 0x71:
        r->kind = LK_TDIS;
        return;
    case 0x74:
        if (w[0] != 0xFF && wc >= 2) {
            r->why = "chained logoff";
            return;
        }
        r->kind = LK_LOGOFF;
        return;
    default:
        r->why = "SMB1 command without a captured reply";
        return;
    }
}

static void classify_smb2(const uint8_t *m, size_t n, struct lab_req *r)
{
    r->is_smb2 = 1;
    if (n < 64 + 4 || lab_le16(m + 4) != 64) {
        r->why = "short SMB2 message";
        return;
    }
    uint16_t cmd = lab_le16(m + 12);
    const uint8_t *body = m + 64;
    size_t blen = n - 64;
    if (cmd == 0) {
        if (blen < 36) {
            r->why = "short SMB2 NEGOTIATE";
            return;
        }
        size_t cnt = lab_le16(body + 2);
        if (36 + 2 * cnt > blen) {
            r->why = "SMB2 dialects beyond the message";
            return;
        }
        for (size_t i = 0; i < cnt && r->n_smb2_dialects < 16; i++)
            r->smb2_dialects[r->n_smb2_dialects++] = lab_le16(body + 36 + 2 * i);
        r->kind = LK_SMB2_NEG;
        return;
    }
    if (cmd == 1) {
        if (blen < 24) {
            r->why = "short SMB2 SESSION_SETUP";
            return;
        }
        size_t off = lab_le16(body + 12), len = lab_le16(body + 14);
        if (off > n || len > n - off) {
            r->why = "SMB2 security buffer beyond the message";
            return;
        }
        r->kind = ntlm_kind(m + off, len, LK_SMB2_SS_NEG, LK_SMB2_SS_AUTH, &r->why);
        return;
    }
    r->why = "SMB2 command without a captured reply";
}

void lab_classify(const uint8_t *m, size_t n, struct lab_req *r)
{
    memset(r, 0, sizeof *r);
    r->kind = LK_NONE;
    r->nt_index = -1;
    r->why = "not SMB";
    if (n >= 4 && m[0] == 0xFF && memcmp(m + 1, "SMB", 3) == 0)
        classify_smb1(m, n, r);
    else if (n >= 4 && m[0] == 0xFE && memcmp(m + 1, "SMB", 3) == 0)
        classify_smb2(m, n, r);
}
