/* smb2.c: SMB2/3 header, NEGOTIATE (2.0.2 .. 3.1.1 with negotiate contexts) and SESSION_SETUP
 * (protocol.md 3.4; MS-SMB2 2.2.1-2.2.6). Pure codec: no I/O, no allocation. */
#include "proto/wb.h"
#include "proto/smb2.h"
#include "core/rd.h"
#include <string.h>

#define SMB2_HDR 64
#define SMB2_FLAGS_ASYNC 0x00000002u
#define SMB2_CREDITS_REQUESTED 31

int smb2_parse(const uint8_t *p, size_t n, struct smb2_msg *m)
{
    if (!p || !m)
        return -1;
    memset(m, 0, sizeof *m);
    if (n < SMB2_HDR || p[0] != 0xFE || p[1] != 'S' || p[2] != 'M' || p[3] != 'B')
        return -1;
    struct rd r = rd_init(p, n);
    rd_skip(&r, 4);
    if (rd_le16(&r) != SMB2_HDR)
        return -1;
    rd_le16(&r);                /* CreditCharge */
    m->status = rd_le32(&r);
    m->cmd = rd_le16(&r);
    rd_le16(&r);                /* Credit request/response */
    m->flags = rd_le32(&r);
    m->next_command = rd_le32(&r);
    m->message_id = rd_le64(&r);
    if (m->flags & SMB2_FLAGS_ASYNC) {
        rd_skip(&r, 8);         /* AsyncId */
    } else {
        rd_le32(&r);            /* Reserved (ProcessId) */
        m->tree_id = rd_le32(&r);
    }
    m->session_id = rd_le64(&r);
    if (r.err)
        return -1;
    size_t len = n;
    if (m->next_command) {
        if (m->next_command < SMB2_HDR)
            return -1;
        if (m->next_command < n)
            len = m->next_command;
    }
    m->base = p;
    m->len = len;
    m->body = p + SMB2_HDR;
    m->body_len = len - SMB2_HDR;
    return 0;
}

static void wb_align8(struct wb *w)
{
    while (!w->err && (wb_smboff(w) & 7))
        wb_u8(w, 0);
}

static void wb_header(struct wb *w, uint16_t cmd, uint64_t message_id, uint64_t session_id)
{
    static const uint8_t magic[4] = {0xFE, 'S', 'M', 'B'};
    wb_zero(w, 4);
    wb_mem(w, magic, 4);
    wb_le16(w, SMB2_HDR);               /* StructureSize */
    wb_le16(w, 0);                      /* CreditCharge (0 = 1 credit, valid for 2.0.2 too) */
    wb_le32(w, 0);                      /* Status */
    wb_le16(w, cmd);
    wb_le16(w, SMB2_CREDITS_REQUESTED);
    wb_le32(w, 0);                      /* Flags */
    wb_le32(w, 0);                      /* NextCommand */
    wb_le64(w, message_id);
    wb_le32(w, 0);                      /* Reserved */
    wb_le32(w, 0);                      /* TreeId */
    wb_le64(w, session_id);
    wb_zero(w, 16);                     /* Signature */
}

static size_t wb_finish(struct wb *w)
{
    if (w->err)
        return 0;
    size_t len = w->off - 4;
    if (len > 0x00FFFFFFu)
        return 0;
    w->p[0] = 0;
    w->p[1] = (uint8_t)(len >> 16);
    w->p[2] = (uint8_t)(len >> 8);
    w->p[3] = (uint8_t)len;
    return w->off;
}

static const uint16_t offered_dialects[5] = {0x0202, 0x0210, 0x0300, 0x0302, 0x0311};
/* Fixed PREAUTH_INTEGRITY salt: the codec has no randomness. The salt only feeds the 3.1.1
 * preauth hash, which matters for signing/encryption keys this scanner never derives. */
static const uint8_t preauth_salt[32] = {
    's', 'm', 'b', 'g', 'u', 'a', 'r', 'd', '-', 'p', 'r', 'e', 'a', 'u', 't', 'h',
    '-', 's', 'a', 'l', 't', '-', 'f', 'i', 'x', 'e', 'd', '-', '0', '0', '0', '1',
};

size_t smb2_build_negotiate_dialects(uint8_t *out, size_t cap, uint64_t message_id, const uint8_t client_guid[16],
                                     const uint16_t *dialects, size_t n_dialects)
{
    static const uint8_t zero_guid[16];
    if (!out || !dialects || n_dialects == 0 || n_dialects > 16)
        return 0;
    int has311 = 0;
    for (size_t i = 0; i < n_dialects; i++)
        has311 |= dialects[i] == 0x0311;
    struct wb w = {out, cap, 0, 0};
    wb_header(&w, SMB2_NEGOTIATE, message_id, 0);
    size_t ctx_off_pos = 0;
    wb_le16(&w, 36);                    /* StructureSize */
    wb_le16(&w, (uint16_t)n_dialects);  /* DialectCount */
    wb_le16(&w, 0x0001);                /* SecurityMode: signing enabled */
    wb_le16(&w, 0);                     /* Reserved */
    wb_le32(&w, has311 ? 0x7F : 0x07);  /* Capabilities */
    wb_mem(&w, client_guid ? client_guid : zero_guid, 16);
    ctx_off_pos = w.off;
    wb_le32(&w, 0);                     /* NegotiateContextOffset (patched below) / ClientStartTime */
    wb_le16(&w, has311 ? 2 : 0);        /* NegotiateContextCount */
    wb_le16(&w, 0);                     /* Reserved2 */
    for (size_t i = 0; i < n_dialects; i++)
        wb_le16(&w, dialects[i]);
    if (!has311) {
        /* no contexts: ClientStartTime stays 0 */
        return w.err ? 0 : wb_finish(&w);
    }
    wb_align8(&w);
    size_t ctx_off = wb_smboff(&w);
    /* SMB2_PREAUTH_INTEGRITY_CAPABILITIES: SHA-512, 32-byte salt */
    wb_le16(&w, 0x0001);
    wb_le16(&w, 2 + 2 + 2 + 32);
    wb_le32(&w, 0);
    wb_le16(&w, 1);                     /* HashAlgorithmCount */
    wb_le16(&w, 32);                    /* SaltLength */
    wb_le16(&w, 0x0001);                /* SHA-512 */
    wb_mem(&w, preauth_salt, 32);
    wb_align8(&w);
    /* SMB2_ENCRYPTION_CAPABILITIES: AES-128-GCM, AES-128-CCM */
    wb_le16(&w, 0x0002);
    wb_le16(&w, 2 + 2 * 2);
    wb_le32(&w, 0);
    wb_le16(&w, 2);                     /* CipherCount */
    wb_le16(&w, 0x0002);                /* AES-128-GCM */
    wb_le16(&w, 0x0001);                /* AES-128-CCM */
    if (w.err)
        return 0;
    wr_le32(out + ctx_off_pos, (uint32_t)ctx_off);
    return wb_finish(&w);
}

size_t smb2_build_negotiate(uint8_t *out, size_t cap, uint64_t message_id, const uint8_t client_guid[16])
{
    return smb2_build_negotiate_dialects(out, cap, message_id, client_guid, offered_dialects, 5);
}

size_t smb2_build_session_setup(uint8_t *out, size_t cap, uint64_t message_id, uint64_t session_id,
                                const uint8_t *blob, size_t blob_len)
{
    if (!out || (!blob && blob_len) || blob_len > 0xFFFF)
        return 0;
    struct wb w = {out, cap, 0, 0};
    wb_header(&w, SMB2_SESSION_SETUP, message_id, session_id);
    wb_le16(&w, 25);                    /* StructureSize */
    wb_u8(&w, 0);                       /* Flags */
    wb_u8(&w, 0x01);                    /* SecurityMode: signing enabled */
    wb_le32(&w, 0x00000001);            /* Capabilities: DFS */
    wb_le32(&w, 0);                     /* Channel */
    wb_le16(&w, SMB2_HDR + 24);         /* SecurityBufferOffset */
    wb_le16(&w, (uint16_t)blob_len);    /* SecurityBufferLength */
    wb_le64(&w, 0);                     /* PreviousSessionId */
    if (blob_len)
        wb_mem(&w, blob, blob_len);
    else
        wb_u8(&w, 0);                   /* StructureSize 25 implies one buffer byte */
    return wb_finish(&w);
}

/* Clips the buffer [off, off+len) (offsets from the SMB2 header start) to what is present. */
static void sec_buffer(const struct smb2_msg *m, size_t off, size_t len, const uint8_t **blob,
                       size_t *blob_len)
{
    *blob = NULL;
    *blob_len = 0;
    if (len == 0 || off < SMB2_HDR || off >= m->len)
        return;
    if (len > m->len - off)
        len = m->len - off;
    *blob = m->base + off;
    *blob_len = len;
}

int smb2_parse_negotiate_rsp(const struct smb2_msg *m, struct smb2_negotiate_rsp *r)
{
    if (!m || !r)
        return -1;
    memset(r, 0, sizeof *r);
    if (m->cmd != SMB2_NEGOTIATE || !(m->flags & SMB2_FLAGS_RESPONSE) || m->status != 0)
        return -1;
    struct rd b = rd_init(m->body, m->body_len);
    if (rd_le16(&b) != 65)
        return -1;
    r->security_mode = rd_le16(&b);
    r->dialect = rd_le16(&b);
    rd_le16(&b);                        /* NegotiateContextCount */
    rd_skip(&b, 16);                    /* ServerGuid */
    r->capabilities = rd_le32(&b);
    rd_skip(&b, 12 + 16);               /* MaxTransact/Read/Write, SystemTime, ServerStartTime */
    uint16_t off = rd_le16(&b), len = rd_le16(&b);
    if (b.err)
        return -1;
    sec_buffer(m, off, len, &r->sec_blob, &r->sec_blob_len);
    return 0;
}

int smb2_parse_session_setup_rsp(const struct smb2_msg *m, struct smb2_session_rsp *r)
{
    if (!m || !r)
        return -1;
    memset(r, 0, sizeof *r);
    /* Other statuses carry an ERROR response (also StructureSize 9): the caller reads status. */
    if (m->cmd != SMB2_SESSION_SETUP || !(m->flags & SMB2_FLAGS_RESPONSE) ||
        (m->status != 0 && m->status != 0xC0000016u))
        return -1;
    struct rd b = rd_init(m->body, m->body_len);
    if (rd_le16(&b) != 9)
        return -1;
    r->session_flags = rd_le16(&b);
    uint16_t off = rd_le16(&b), len = rd_le16(&b);
    if (b.err)
        return -1;
    sec_buffer(m, off, len, &r->sec_blob, &r->sec_blob_len);
    return 0;
}

const char *smb2_dialect_name(uint16_t dialect)
{
    switch (dialect) {
    case 0x0202: return "2.0.2";
    case 0x0210: return "2.1";
    case 0x0300: return "3.0";
    case 0x0302: return "3.0.2";
    case 0x0311: return "3.1.1";
    case 0x02FF: return "2.???";
    default: return NULL;
    }
}

/* Requests carrying a name (MS-SMB2 2.2.9, 2.2.13, 2.2.39 + MS-FSCC 2.4.42): a name that runs past
 * the message is clipped to what is present; an offset outside the message is malformed. */
static int name_buffer(const struct smb2_msg *m, size_t off, size_t len, const uint8_t **name, size_t *name_len)
{
    *name = NULL;
    *name_len = 0;
    if (len == 0)
        return 0;
    if (off < SMB2_HDR || off >= m->len)
        return -1;
    if (len > m->len - off)
        len = m->len - off;
    *name = m->base + off;
    *name_len = len & ~(size_t)1;  /* whole UTF-16 code units */
    return 0;
}

static int is_request(const struct smb2_msg *m, uint16_t cmd)
{
    return m && m->base && m->cmd == cmd && !(m->flags & SMB2_FLAGS_RESPONSE);
}

int smb2_tree_connect_path(const struct smb2_msg *m, const uint8_t **path, size_t *path_len)
{
    if (!path || !path_len || !is_request(m, SMB2_TREE_CONNECT))
        return -1;
    struct rd b = rd_init(m->body, m->body_len);
    if (rd_le16(&b) != 9)
        return -1;
    rd_le16(&b);                        /* Flags (3.1.1) / Reserved */
    uint16_t off = rd_le16(&b), len = rd_le16(&b);
    if (b.err)
        return -1;
    return name_buffer(m, off, len, path, path_len);
}

int smb2_create_name(const struct smb2_msg *m, const uint8_t **name, size_t *name_len)
{
    if (!name || !name_len || !is_request(m, SMB2_CREATE))
        return -1;
    struct rd b = rd_init(m->body, m->body_len);
    if (rd_le16(&b) != 57)
        return -1;
    rd_skip(&b, 42);                    /* SecurityFlags .. CreateOptions */
    uint16_t off = rd_le16(&b), len = rd_le16(&b);
    if (b.err)
        return -1;
    return name_buffer(m, off, len, name, name_len);
}

int smb2_rename_target(const struct smb2_msg *m, const uint8_t **name, size_t *name_len)
{
    if (!name || !name_len || !is_request(m, SMB2_SET_INFO))
        return -1;
    struct rd b = rd_init(m->body, m->body_len);
    if (rd_le16(&b) != 33)
        return -1;
    uint8_t type = rd_u8(&b), cls = rd_u8(&b);
    uint32_t blen = rd_le32(&b);
    uint16_t boff = rd_le16(&b);
    if (b.err || type != SMB2_0_INFO_FILE || cls != SMB2_FILE_RENAME_INFORMATION)
        return -1;
    /* FILE_RENAME_INFORMATION_TYPE_2: ReplaceIfExists(1) Reserved(7) RootDirectory(8)
     * FileNameLength(4) FileName */
    if (boff < SMB2_HDR || boff > m->len || blen < 20 || m->len - boff < 20)
        return -1;
    struct rd r = rd_init(m->base + boff, m->len - boff);
    rd_skip(&r, 16);
    uint32_t nlen = rd_le32(&r);
    if (r.err)
        return -1;
    if (nlen > blen - 20)
        nlen = blen - 20;   /* the name stays inside the announced buffer */
    return name_buffer(m, (size_t)boff + 20, nlen, name, name_len);
}
