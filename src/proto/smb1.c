/* smb1.c: SMB1 header parsing, the requests the scanner sends and the replies it reads
 * (protocol.md sections 2-6, decisions.md sections 2-6). Pure codec: no I/O, no allocation. */
#include "proto/wb.h"
#include "proto/smb1.h"
#include "core/rd.h"
#include "core/text.h"
#include <string.h>

#define SMB1_HDR 32
#define SMB1_REQ_FLAGS 0x18                 /* CASE_INSENSITIVE | CANONICALIZED_PATHS */
#define SMB1_CAP_LARGE_FILES 0x00000008u
#define SMB1_MAX_BUFFER 4356
#define SMB1_MAX_MPX 10
/* VcNumber 1: a VcNumber of 0 asks Windows to drop every other session of this client. */
#define SMB1_VC_NUMBER 1
#define SG_NATIVE_OS "smbguard"
#define SG_NATIVE_LANMAN "smbguard"

/* ---------------------------------------------------------------- parsing */

int smb1_parse(const uint8_t *p, size_t n, struct smb1_msg *m)
{
    if (!p || !m)
        return -1;
    memset(m, 0, sizeof *m);
    if (n < SMB1_HDR + 1 + 2 || p[0] != 0xFF || p[1] != 'S' || p[2] != 'M' || p[3] != 'B')
        return -1;
    struct rd r = rd_init(p, n);
    rd_skip(&r, 4);
    m->cmd = rd_u8(&r);
    m->status = rd_le32(&r);
    m->flags = rd_u8(&r);
    m->flags2 = rd_le16(&r);
    m->pid_high = rd_le16(&r);
    const uint8_t *sig = rd_bytes(&r, 8);
    if (sig)
        memcpy(m->signature, sig, 8);
    rd_skip(&r, 2);
    m->tid = rd_le16(&r);
    m->pid_low = rd_le16(&r);
    m->uid = rd_le16(&r);
    m->mid = rd_le16(&r);
    m->wct = rd_u8(&r);
    m->words = rd_bytes(&r, (size_t)m->wct * 2);
    m->bcc = rd_le16(&r);
    if (r.err)
        return -1;
    m->bytes = p + r.off;
    m->bytes_len = rd_left(&r) < m->bcc ? rd_left(&r) : m->bcc;
    m->status_is_dos = !(m->flags2 & SMB1_FLAGS2_NT_STATUS) && m->status != 0;
    m->base = p;
    m->len = n;
    return 0;
}

int smb_is_smb2(const uint8_t *p, size_t n)
{
    return p && n >= 4 && p[0] == 0xFE && p[1] == 'S' && p[2] == 'M' && p[3] == 'B';
}

/* ---------------------------------------------------------------- building */

/* Pads with one zero byte when the next byte would sit at an odd SMB offset. */
static void wb_align2(struct wb *w)
{
    if (wb_smboff(w) & 1)
        wb_u8(w, 0);
}
/* A NUL-terminated string: UTF-16LE when unicode (caller aligned), else ASCII. */
static void wb_str(struct wb *w, const char *s, int unicode)
{
    if (!s)
        s = "";
    if (unicode) {
        if (w->err)
            return;
        size_t room = w->cap - w->off;
        size_t k = text_utf8_to_utf16le(s, w->p + w->off, room);
        if (k == 0 && s[0]) {
            w->err = 1;
            return;
        }
        w->off += k;
        wb_le16(w, 0);
    } else {
        wb_mem(w, s, strlen(s) + 1);
    }
}

static void wb_header(struct wb *w, uint8_t cmd, const struct smb1_ids *ids)
{
    static const uint8_t magic[4] = {0xFF, 'S', 'M', 'B'};
    wb_zero(w, 4); /* NBSS header, written last */
    wb_mem(w, magic, 4);
    wb_u8(w, cmd);
    wb_le32(w, 0);              /* status */
    wb_u8(w, SMB1_REQ_FLAGS);
    wb_le16(w, ids->flags2);
    wb_le16(w, 0);              /* PIDHigh */
    wb_zero(w, 8);              /* signature */
    wb_le16(w, 0);              /* reserved */
    wb_le16(w, ids->tid);
    wb_le16(w, ids->pid);
    wb_le16(w, ids->uid);
    wb_le16(w, ids->mid);
}

/* Finishes a message: patches ByteCount at SMB offset bcc_off and the NBSS length. */
static size_t wb_finish(struct wb *w, size_t bcc_off)
{
    if (w->err)
        return 0;
    size_t smb_len = w->off - 4;
    size_t bcc = smb_len - bcc_off - 2;
    if (bcc > 0xFFFF || smb_len > 0x00FFFFFFu)
        return 0;
    wr_le16(w->p + 4 + bcc_off, (uint16_t)bcc);
    w->p[0] = 0;
    w->p[1] = (uint8_t)(smb_len >> 16);
    w->p[2] = (uint8_t)(smb_len >> 8);
    w->p[3] = (uint8_t)smb_len;
    return w->off;
}

static int unicode_of(const struct smb1_ids *ids) { return (ids->flags2 & SMB1_FLAGS2_UNICODE) != 0; }

static const char *const nt_dialects[6] = {
    "PC NETWORK PROGRAM 1.0", "LANMAN1.0", "Windows for Workgroups 3.1a",
    "LM1.2X002", "LANMAN2.1", "NT LM 0.12",
};

size_t smb1_build_negotiate(uint8_t *out, size_t cap, const struct smb1_ids *ids)
{
    if (!out || !ids)
        return 0;
    struct wb w = {out, cap, 0, 0};
    wb_header(&w, SMB1_NEGOTIATE, ids);
    wb_u8(&w, 0); /* WordCount */
    size_t bcc_off = wb_smboff(&w);
    wb_le16(&w, 0);
    for (size_t i = 0; i < 6; i++) {
        wb_u8(&w, 0x02); /* buffer format: dialect */
        wb_mem(&w, nt_dialects[i], strlen(nt_dialects[i]) + 1);
    }
    return wb_finish(&w, bcc_off);
}

/* AndX block with no chained command. */
static void wb_andx_none(struct wb *w)
{
    wb_u8(w, 0xFF);
    wb_u8(w, 0);
    wb_le16(w, 0);
}

size_t smb1_build_session_setup_blob(uint8_t *out, size_t cap, const struct smb1_ids *ids,
                                     const uint8_t *blob, size_t blob_len)
{
    if (!out || !ids || (!blob && blob_len) || blob_len > 0xFFFF)
        return 0;
    int uni = unicode_of(ids);
    struct wb w = {out, cap, 0, 0};
    wb_header(&w, SMB1_SESSION_SETUP, ids);
    wb_u8(&w, 12);
    wb_andx_none(&w);
    wb_le16(&w, SMB1_MAX_BUFFER);
    wb_le16(&w, SMB1_MAX_MPX);
    wb_le16(&w, SMB1_VC_NUMBER);
    wb_le32(&w, 0);                          /* SessionKey */
    wb_le16(&w, (uint16_t)blob_len);         /* SecurityBlobLength */
    wb_le32(&w, 0);                          /* Reserved */
    wb_le32(&w, SMB1_CAP_EXT_SEC | SMB1_CAP_STATUS32 | SMB1_CAP_UNICODE | SMB1_CAP_NT_SMBS |
                    SMB1_CAP_LARGE_FILES);
    size_t bcc_off = wb_smboff(&w);
    wb_le16(&w, 0);
    wb_mem(&w, blob, blob_len);
    if (uni)
        wb_align2(&w);
    wb_str(&w, SG_NATIVE_OS, uni);
    wb_str(&w, SG_NATIVE_LANMAN, uni);
    return wb_finish(&w, bcc_off);
}

size_t smb1_build_session_setup_plain(uint8_t *out, size_t cap, const struct smb1_ids *ids,
                                      const char *account, const char *domain)
{
    if (!out || !ids)
        return 0;
    int uni = unicode_of(ids);
    struct wb w = {out, cap, 0, 0};
    wb_header(&w, SMB1_SESSION_SETUP, ids);
    wb_u8(&w, 13);
    wb_andx_none(&w);
    wb_le16(&w, SMB1_MAX_BUFFER);
    wb_le16(&w, SMB1_MAX_MPX);
    wb_le16(&w, SMB1_VC_NUMBER);
    wb_le32(&w, 0);   /* SessionKey */
    wb_le16(&w, 1);   /* OEMPasswordLen: one 0x00 byte = empty password (as NSA tools and nmap) */
    wb_le16(&w, 0);   /* UnicodePasswordLen */
    wb_le32(&w, 0);   /* Reserved */
    wb_le32(&w, SMB1_CAP_STATUS32 | SMB1_CAP_UNICODE | SMB1_CAP_NT_SMBS | SMB1_CAP_LARGE_FILES);
    size_t bcc_off = wb_smboff(&w);
    wb_le16(&w, 0);
    wb_u8(&w, 0);     /* OEMPassword */
    if (uni)
        wb_align2(&w);
    wb_str(&w, account, uni);
    wb_str(&w, domain, uni);
    wb_str(&w, SG_NATIVE_OS, uni);
    wb_str(&w, SG_NATIVE_LANMAN, uni);
    return wb_finish(&w, bcc_off);
}

size_t smb1_build_tree_connect(uint8_t *out, size_t cap, const struct smb1_ids *ids, const char *path)
{
    if (!out || !ids || !path)
        return 0;
    int uni = unicode_of(ids);
    struct wb w = {out, cap, 0, 0};
    wb_header(&w, SMB1_TREE_CONNECT, ids);
    wb_u8(&w, 4);
    wb_andx_none(&w);
    wb_le16(&w, 0);   /* Flags */
    wb_le16(&w, 1);   /* PasswordLength */
    size_t bcc_off = wb_smboff(&w);
    wb_le16(&w, 0);
    wb_u8(&w, 0);     /* Password */
    if (uni)
        wb_align2(&w);
    wb_str(&w, path, uni);
    wb_mem(&w, "?????", 6); /* Service: always OEM */
    return wb_finish(&w, bcc_off);
}

size_t smb1_build_peek_nmpipe(uint8_t *out, size_t cap, const struct smb1_ids *ids)
{
    if (!out || !ids)
        return 0;
    int uni = unicode_of(ids);
    /* Name starts at SMB offset 67 (odd): one pad byte before a UTF-16 name. */
    size_t name_off = SMB1_HDR + 1 + 16 * 2 + 2;
    size_t name_len = uni ? 1 + 14 : 7;
    uint16_t end = (uint16_t)(name_off + name_len);
    struct wb w = {out, cap, 0, 0};
    wb_header(&w, SMB1_TRANS, ids);
    wb_u8(&w, 16);
    wb_le16(&w, 0);       /* TotalParameterCount */
    wb_le16(&w, 0);       /* TotalDataCount */
    wb_le16(&w, 0xFFFF);  /* MaxParameterCount */
    wb_le16(&w, 0xFFFF);  /* MaxDataCount */
    wb_u8(&w, 0);         /* MaxSetupCount */
    wb_u8(&w, 0);         /* Reserved1 */
    wb_le16(&w, 0);       /* Flags */
    wb_le32(&w, 0);       /* Timeout */
    wb_le16(&w, 0);       /* Reserved2 */
    wb_le16(&w, 0);       /* ParameterCount */
    wb_le16(&w, end);     /* ParameterOffset */
    wb_le16(&w, 0);       /* DataCount */
    wb_le16(&w, end);     /* DataOffset */
    wb_u8(&w, 2);         /* SetupCount */
    wb_u8(&w, 0);         /* Reserved3 */
    wb_le16(&w, 0x0023);  /* TRANS_PEEK_NMPIPE */
    wb_le16(&w, 0x0000);  /* FID 0 */
    size_t bcc_off = wb_smboff(&w);
    wb_le16(&w, 0);
    if (uni)
        wb_align2(&w);
    wb_str(&w, "\\PIPE\\", uni);
    return wb_finish(&w, bcc_off);
}

size_t smb1_build_dp_ping(uint8_t *out, size_t cap, const struct smb1_ids *ids)
{
    if (!out || !ids)
        return 0;
    struct wb w = {out, cap, 0, 0};
    wb_header(&w, SMB1_TRANS2, ids);
    wb_u8(&w, 15);
    wb_le16(&w, 12);      /* TotalParameterCount */
    wb_le16(&w, 0);       /* TotalDataCount */
    wb_le16(&w, 1);       /* MaxParameterCount */
    wb_le16(&w, 0);       /* MaxDataCount */
    wb_u8(&w, 0);         /* MaxSetupCount */
    wb_u8(&w, 0);         /* Reserved1 */
    wb_le16(&w, 0);       /* Flags */
    wb_le32(&w, SMB1_DP_PING_TIMEOUT); /* opcode 0x23 by byte sum; smbguard's fingerprint */
    wb_le16(&w, 0);       /* Reserved2 */
    wb_le16(&w, 12);      /* ParameterCount */
    wb_le16(&w, 66);      /* ParameterOffset */
    wb_le16(&w, 0);       /* DataCount */
    wb_le16(&w, 78);      /* DataOffset */
    wb_u8(&w, 1);         /* SetupCount */
    wb_u8(&w, 0);         /* Reserved3 */
    wb_le16(&w, 0x000E);  /* TRANS2_SESSION_SETUP */
    size_t bcc_off = wb_smboff(&w);
    wb_le16(&w, 0);
    wb_u8(&w, 0);         /* Pad */
    wb_zero(&w, 12);      /* Trans2_Parameters */
    return wb_finish(&w, bcc_off);
}

size_t smb1_build_logoff(uint8_t *out, size_t cap, const struct smb1_ids *ids)
{
    if (!out || !ids)
        return 0;
    struct wb w = {out, cap, 0, 0};
    wb_header(&w, SMB1_LOGOFF, ids);
    wb_u8(&w, 2);
    wb_andx_none(&w);
    size_t bcc_off = wb_smboff(&w);
    wb_le16(&w, 0);
    return wb_finish(&w, bcc_off);
}

/* ---------------------------------------------------------------- replies */

/* Reads one string at SMB offset *off (relative to m->base) out of the bytes block into out.
 * Unicode strings are first aligned to an even SMB offset when align is set. */
static void rd_smbstr(const struct smb1_msg *m, size_t *off, int unicode, int align, char *out,
                      size_t cap)
{
    size_t start = (size_t)(m->bytes - m->base);
    size_t end = start + m->bytes_len;
    if (unicode && align && (*off & 1))
        (*off)++;
    if (*off >= end) {
        out[0] = '\0';
        *off = end;
        return;
    }
    const uint8_t *s = m->base + *off;
    size_t n = end - *off;
    *off += unicode ? text_utf16le_to_utf8(s, n, out, cap) : text_ascii_copy(s, n, out, cap);
}

int smb1_parse_negotiate_rsp(const struct smb1_msg *m, struct smb1_negotiate_rsp *r)
{
    if (!m || !r)
        return -1;
    memset(r, 0, sizeof *r);
    if (m->cmd != SMB1_NEGOTIATE || m->wct == 0 || !m->words)
        return -1;
    struct rd w = rd_init(m->words, (size_t)m->wct * 2);
    r->wct = m->wct;
    r->dialect_index = rd_le16(&w);
    int uni = (m->flags2 & SMB1_FLAGS2_UNICODE) != 0;
    size_t off = (size_t)(m->bytes - m->base);
    if (m->wct == 1)
        return 0;
    if (m->wct == 17) {
        r->security_mode = rd_u8(&w);
        rd_le16(&w);                      /* MaxMpxCount */
        rd_le16(&w);                      /* MaxNumberVcs */
        r->max_buffer = rd_le32(&w);
        rd_le32(&w);                      /* MaxRawSize */
        rd_le32(&w);                      /* SessionKey */
        r->capabilities = rd_le32(&w);
        rd_skip(&w, 8);                   /* SystemTime */
        rd_le16(&w);                      /* ServerTimeZone */
        r->challenge_len = rd_u8(&w);
        if (w.err)
            return -1;
        if (r->capabilities & SMB1_CAP_EXT_SEC) {
            if (m->bytes_len >= 16) {
                r->sec_blob = m->bytes + 16;
                r->sec_blob_len = m->bytes_len - 16;
            }
            return 0;
        }
        /* Challenge, then DomainName and ServerName (no alignment pad in this reply). */
        off += r->challenge_len;
        rd_smbstr(m, &off, uni, 0, r->domain, sizeof r->domain);
        rd_smbstr(m, &off, uni, 0, r->server, sizeof r->server);
        return 0;
    }
    if (m->wct == 13) {
        r->security_mode = (uint8_t)rd_le16(&w);
        r->max_buffer = rd_le16(&w);
        rd_le16(&w);                      /* MaxMpxCount */
        rd_le16(&w);                      /* MaxNumberVcs */
        rd_le16(&w);                      /* RawMode */
        rd_le32(&w);                      /* SessionKey */
        rd_skip(&w, 6);                   /* ServerTime, ServerDate, ServerTimeZone */
        r->challenge_len = (uint8_t)rd_le16(&w);
        if (w.err)
            return -1;
        /* LANMAN: EncryptionKey then PrimaryDomain, always OEM. */
        off += r->challenge_len;
        rd_smbstr(m, &off, 0, 0, r->domain, sizeof r->domain);
        return 0;
    }
    return -1;
}

int smb1_parse_session_setup_rsp(const struct smb1_msg *m, struct smb1_session_rsp *r)
{
    if (!m || !r)
        return -1;
    memset(r, 0, sizeof *r);
    if (m->cmd != SMB1_SESSION_SETUP || (m->wct != 3 && m->wct != 4) || !m->words)
        return -1;
    struct rd w = rd_init(m->words, (size_t)m->wct * 2);
    rd_skip(&w, 4); /* AndX */
    r->action = rd_le16(&w);
    int uni = (m->flags2 & SMB1_FLAGS2_UNICODE) != 0;
    size_t off = (size_t)(m->bytes - m->base);
    if (m->wct == 4) {
        size_t blen = rd_le16(&w);
        if (blen > m->bytes_len)
            blen = m->bytes_len;
        r->sec_blob = m->bytes;
        r->sec_blob_len = blen;
        off += blen;
    }
    if (w.err)
        return -1;
    rd_smbstr(m, &off, uni, 1, r->native_os, sizeof r->native_os);
    rd_smbstr(m, &off, uni, 1, r->native_lanman, sizeof r->native_lanman);
    rd_smbstr(m, &off, uni, 1, r->primary_domain, sizeof r->primary_domain);
    return 0;
}
