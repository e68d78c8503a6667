/* ntlmssp.c: NTLMSSP NEGOTIATE / CHALLENGE / AUTHENTICATE (MS-NLMP 2.2.1) in minimal SPNEGO
 * (RFC 4178) DER, and NTLMv2 responses (MS-NLMP 3.3.2) with nettle's MD4 and HMAC-MD5.
 * Pure: no I/O, no allocation; scratch buffers live on the stack with fixed bounds. */
#include "proto/ntlmssp.h"
#include "core/rd.h"
#include "core/text.h"
#include <nettle/hmac.h>
#include <nettle/md4.h>
#include <nettle/md5.h>
#include <string.h>

static const uint8_t ntlmssp_sig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
static const uint8_t oid_spnego[] = {0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
static const uint8_t oid_ntlmssp[] = {0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01,
                                      0x82, 0x37, 0x02, 0x02, 0x0a};
/* Our Version field: 0.0 build 0, NTLMSSP revision 15. Informational only (MS-NLMP 2.2.2.10);
 * we do not pretend to be a Windows build. */
static const uint8_t our_version[8] = {0, 0, 0, 0, 0, 0, 0, 0x0F};

#define NEG_FLAGS                                                                                  \
    (NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_NTLM |                  \
     NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_EXT_SESSION | NTLMSSP_NEGOTIATE_TARGET_INFO | \
     NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56)
/* Flags an AUTHENTICATE may carry: ours, as far as the server granted them. */
#define AUTH_FLAGS (NEG_FLAGS & ~NTLMSSP_REQUEST_TARGET)

#define NTLM_NEGOTIATE_LEN 40
#define NTLM_AUTH_HDR 72       /* 64 + Version; no MIC */
#define MAX_NAME_UTF16 512     /* bytes of UTF-16 for user, domain */
#define MAX_TARGET_INFO 2048

/* ---------------------------------------------------------------- DER helpers */

static size_t der_lensize(size_t n) { return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4; }
static size_t der_tlv(size_t n) { return 1 + der_lensize(n) + n; }
static uint8_t *der_hdr(uint8_t *p, uint8_t tag, size_t n)
{
    *p++ = tag;
    if (n < 0x80) {
        *p++ = (uint8_t)n;
    } else if (n < 0x100) {
        *p++ = 0x81;
        *p++ = (uint8_t)n;
    } else if (n < 0x10000) {
        *p++ = 0x82;
        *p++ = (uint8_t)(n >> 8);
        *p++ = (uint8_t)n;
    } else {
        *p++ = 0x83;
        *p++ = (uint8_t)(n >> 16);
        *p++ = (uint8_t)(n >> 8);
        *p++ = (uint8_t)n;
    }
    return p;
}

/* NegTokenInit { mechTypes [NTLMSSP], mechToken } around an NTLMSSP message of n bytes.
 * Returns the header length to put before the message, and writes it when out != NULL. */
static size_t spnego_init_hdr(uint8_t *out, size_t n)
{
    size_t mech_seq = der_tlv(sizeof oid_ntlmssp);   /* 30 L oid */
    size_t mech_types = der_tlv(mech_seq);           /* a0 L */
    size_t octets = der_tlv(n);                      /* 04 L msg */
    size_t mech_token = der_tlv(octets);             /* a2 L */
    size_t seq_body = mech_types + mech_token;
    size_t seq = der_tlv(seq_body);                  /* 30 L */
    size_t init = der_tlv(seq);                      /* a0 L */
    size_t app_body = sizeof oid_spnego + init;
    size_t total = der_tlv(app_body);                /* 60 L */
    size_t hdr = total - n;
    if (!out)
        return hdr;
    uint8_t *p = der_hdr(out, 0x60, app_body);
    memcpy(p, oid_spnego, sizeof oid_spnego);
    p += sizeof oid_spnego;
    p = der_hdr(p, 0xa0, seq);
    p = der_hdr(p, 0x30, seq_body);
    p = der_hdr(p, 0xa0, mech_seq);
    p = der_hdr(p, 0x30, sizeof oid_ntlmssp);
    memcpy(p, oid_ntlmssp, sizeof oid_ntlmssp);
    p += sizeof oid_ntlmssp;
    p = der_hdr(p, 0xa2, octets);
    p = der_hdr(p, 0x04, n);
    return (size_t)(p - out);
}

/* NegTokenResp { responseToken } around n bytes. */
static size_t spnego_resp_hdr(uint8_t *out, size_t n)
{
    size_t octets = der_tlv(n);
    size_t tok = der_tlv(octets);
    size_t seq = der_tlv(tok);
    size_t total = der_tlv(seq);
    size_t hdr = total - n;
    if (!out)
        return hdr;
    uint8_t *p = der_hdr(out, 0xa1, seq);
    p = der_hdr(p, 0x30, tok);
    p = der_hdr(p, 0xa2, octets);
    p = der_hdr(p, 0x04, n);
    return (size_t)(p - out);
}

/* ---------------------------------------------------------------- NEGOTIATE */

size_t ntlmssp_build_negotiate(uint8_t *out, size_t cap)
{
    size_t n = NTLM_NEGOTIATE_LEN;
    size_t hdr = spnego_init_hdr(NULL, n);
    if (!out || cap < hdr + n)
        return 0;
    spnego_init_hdr(out, n);
    uint8_t *m = out + hdr;
    memcpy(m, ntlmssp_sig, 8);
    wr_le32(m + 8, 1);
    wr_le32(m + 12, NEG_FLAGS);
    /* DomainNameFields, WorkstationFields: empty, offsets at the end of the message. */
    wr_le16(m + 16, 0);
    wr_le16(m + 18, 0);
    wr_le32(m + 20, NTLM_NEGOTIATE_LEN);
    wr_le16(m + 24, 0);
    wr_le16(m + 26, 0);
    wr_le32(m + 28, NTLM_NEGOTIATE_LEN);
    memcpy(m + 32, our_version, 8);
    return hdr + n;
}

/* ---------------------------------------------------------------- CHALLENGE */

static void av_string(const uint8_t *v, size_t n, char *out, size_t cap)
{
    text_utf16le_to_utf8(v, n, out, cap);
}

static int parse_challenge_at(const uint8_t *m, size_t n, struct ntlm_challenge *c)
{
    struct rd r = rd_init(m, n);
    rd_skip(&r, 12);                            /* signature, type */
    uint16_t tn_len = rd_le16(&r);
    rd_le16(&r);
    uint32_t tn_off = rd_le32(&r);
    c->flags = rd_le32(&r);
    const uint8_t *ch = rd_bytes(&r, 8);
    rd_skip(&r, 8);                             /* Reserved */
    uint16_t ti_len = rd_le16(&r);
    rd_le16(&r);
    uint32_t ti_off = rd_le32(&r);
    if (r.err || !ch)
        return -1;
    memcpy(c->challenge, ch, 8);

    /* Version sits at 48..55 only when the payload starts at or after 56. */
    int payload_after_version = n >= 56 && (tn_len == 0 || tn_off >= 56) &&
                                (ti_len == 0 || ti_off >= 56);
    if (payload_after_version) {
        const uint8_t *v = m + 48;
        int ff = 1;
        for (size_t i = 0; i < 8; i++)
            ff &= v[i] == 0xFF;
        c->version_all_ff = ff;
        if (c->flags & NTLMSSP_NEGOTIATE_VERSION) {
            c->has_version = 1;
            c->major = v[0];
            c->minor = v[1];
            c->build = ld_le16(v + 2);
            c->revision = v[7];
        }
    }

    if (ti_len && ti_off < n) {
        size_t len = ti_len;
        if (len > n - ti_off)
            len = n - ti_off;
        c->target_info = m + ti_off;
        c->target_info_len = len;
        struct rd a = rd_init(c->target_info, len);
        while (rd_left(&a) >= 4) {
            uint16_t id = rd_le16(&a), alen = rd_le16(&a);
            const uint8_t *v = rd_bytes(&a, alen);
            if (id == 0 || !v)
                break;
            switch (id) {
            case 1: av_string(v, alen, c->nb_computer, sizeof c->nb_computer); break;
            case 2: av_string(v, alen, c->nb_domain, sizeof c->nb_domain); break;
            case 3: av_string(v, alen, c->dns_computer, sizeof c->dns_computer); break;
            case 4: av_string(v, alen, c->dns_domain, sizeof c->dns_domain); break;
            case 5: av_string(v, alen, c->dns_forest, sizeof c->dns_forest); break;
            case 7:
                if (alen == 8)
                    c->timestamp = (uint64_t)ld_le32(v) | ((uint64_t)ld_le32(v + 4) << 32);
                break;
            default: break;
            }
        }
    }
    return 0;
}

int ntlmssp_parse_challenge(const uint8_t *blob, size_t n, struct ntlm_challenge *c)
{
    if (!blob || !c)
        return -1;
    for (size_t i = 0; i + 12 <= n; i++) {
        if (blob[i] != 'N' || memcmp(blob + i, ntlmssp_sig, 8) != 0 || ld_le32(blob + i + 8) != 2)
            continue;
        memset(c, 0, sizeof *c);
        if (parse_challenge_at(blob + i, n - i, c) == 0)
            return 0;
    }
    memset(c, 0, sizeof *c);
    return -1;
}

/* ---------------------------------------------------------------- AUTHENTICATE */

struct fld {
    const uint8_t *p;
    size_t n;
};

/* Writes an AUTHENTICATE (wrapped in NegTokenResp) from its six payload fields in the order
 * Domain, User, Workstation, LM, NT, EncryptedRandomSessionKey. */
static size_t build_auth(uint8_t *out, size_t cap, uint32_t flags, const struct fld f[6])
{
    /* Field-descriptor positions in the header, per MS-NLMP 2.2.1.3. */
    static const size_t desc_pos[6] = {28, 36, 44, 12, 20, 52};
    size_t n = NTLM_AUTH_HDR;
    for (size_t i = 0; i < 6; i++) {
        if (f[i].n > 0xFFFF)
            return 0;
        n += f[i].n;
    }
    if (n > 0xFFFF)
        return 0;
    size_t hdr = spnego_resp_hdr(NULL, n);
    if (!out || cap < hdr + n)
        return 0;
    spnego_resp_hdr(out, n);
    uint8_t *m = out + hdr;
    memset(m, 0, NTLM_AUTH_HDR);
    memcpy(m, ntlmssp_sig, 8);
    wr_le32(m + 8, 3);
    wr_le32(m + 60, flags);
    memcpy(m + 64, our_version, 8);
    size_t off = NTLM_AUTH_HDR;
    for (size_t i = 0; i < 6; i++) {
        wr_le16(m + desc_pos[i], (uint16_t)f[i].n);
        wr_le16(m + desc_pos[i] + 2, (uint16_t)f[i].n);
        wr_le32(m + desc_pos[i] + 4, (uint32_t)off);
        if (f[i].n)
            memcpy(m + off, f[i].p, f[i].n);
        off += f[i].n;
    }
    return hdr + n;
}

static uint32_t auth_flags(const struct ntlm_challenge *c)
{
    uint32_t granted = c ? c->flags : AUTH_FLAGS;
    /* Names are always sent as UTF-16LE, so UNICODE is always set. */
    return (granted & AUTH_FLAGS) | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_UNICODE;
}

size_t ntlmssp_build_auth_anonymous(uint8_t *out, size_t cap, const struct ntlm_challenge *c)
{
    /* MS-NLMP 3.1.5.1.2: anonymous = LmChallengeResponse Z(1), empty NT response, user, domain. */
    static const uint8_t z1[1] = {0};
    struct fld f[6] = {{NULL, 0}, {NULL, 0}, {NULL, 0}, {z1, 1}, {NULL, 0}, {NULL, 0}};
    return build_auth(out, cap, auth_flags(c) | NTLMSSP_NEGOTIATE_ANONYMOUS, f);
}

static void hmac_md5(const uint8_t key[16], const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                     uint8_t mac[16])
{
    struct hmac_md5_ctx h;
    hmac_md5_set_key(&h, 16, key);
    if (an)
        hmac_md5_update(&h, an, a);
    if (bn)
        hmac_md5_update(&h, bn, b);
    hmac_md5_digest(&h, MD5_DIGEST_SIZE, mac);
}

/* ASCII upper case on UTF-16LE code units (Windows upper-cases with its own table; names are
 * ASCII in practice). */
static void utf16_upper_ascii(uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        if (p[i + 1] == 0 && p[i] >= 'a' && p[i] <= 'z')
            p[i] = (uint8_t)(p[i] - 'a' + 'A');
}

static size_t utf16_or_empty(const char *s, uint8_t *out, size_t cap, int *err)
{
    if (!s || !*s)
        return 0;
    size_t k = text_utf8_to_utf16le(s, out, cap);
    if (k == 0)
        *err = 1;
    return k;
}

size_t ntlmssp_build_auth_ntlmv2(uint8_t *out, size_t cap, const struct ntlm_challenge *c,
                                 const struct ntlm_creds *cr, const uint8_t client_nonce[8],
                                 uint64_t timestamp, uint8_t session_key_out[16])
{
    if (!out || !c || !cr || !client_nonce || c->target_info_len > MAX_TARGET_INFO ||
        (c->target_info_len && !c->target_info))
        return 0;
    int err = 0;
    uint8_t user16[MAX_NAME_UTF16], dom16[MAX_NAME_UTF16], pw16[MAX_NAME_UTF16];
    uint8_t id16[2 * MAX_NAME_UTF16];
    size_t user_n = utf16_or_empty(cr->user, user16, sizeof user16, &err);
    size_t dom_n = utf16_or_empty(cr->domain, dom16, sizeof dom16, &err);
    size_t pw_n = utf16_or_empty(cr->password, pw16, sizeof pw16, &err);
    if (err)
        return 0;

    /* NT hash = MD4(UTF-16LE(password)) */
    uint8_t nthash[16];
    struct md4_ctx md4;
    md4_init(&md4);
    md4_update(&md4, pw_n, pw16);
    md4_digest(&md4, MD4_DIGEST_SIZE, nthash);
    memset(pw16, 0, sizeof pw16);

    /* NTOWFv2 = HMAC-MD5(NT hash, UTF-16LE(UPPER(user) + domain)) */
    memcpy(id16, user16, user_n);
    utf16_upper_ascii(id16, user_n);
    memcpy(id16 + user_n, dom16, dom_n);
    uint8_t ntowf[16];
    hmac_md5(nthash, id16, user_n + dom_n, NULL, 0, ntowf);
    memset(nthash, 0, sizeof nthash);

    /* temp = 01 01 00 00, Z(4), timestamp, client nonce, Z(4), AV pairs, Z(4) */
    uint8_t resp[16 + 28 + MAX_TARGET_INFO + 4];
    uint8_t *blob = resp + 16;
    size_t bn = 0;
    blob[bn++] = 0x01;
    blob[bn++] = 0x01;
    memset(blob + bn, 0, 6);
    bn += 6;
    wr_le64(blob + bn, timestamp);
    bn += 8;
    memcpy(blob + bn, client_nonce, 8);
    bn += 8;
    memset(blob + bn, 0, 4);
    bn += 4;
    if (c->target_info_len)
        memcpy(blob + bn, c->target_info, c->target_info_len);
    bn += c->target_info_len;
    memset(blob + bn, 0, 4);
    bn += 4;

    /* NTProofStr = HMAC-MD5(NTOWFv2, ServerChallenge + temp); NT response = NTProofStr + temp */
    hmac_md5(ntowf, c->challenge, 8, blob, bn, resp);
    /* LMv2 = HMAC-MD5(NTOWFv2, ServerChallenge + nonce) + nonce; Z(24) when the server sent a
     * timestamp (MS-NLMP 3.1.5.1.2). */
    uint8_t lm[24];
    if (c->timestamp) {
        memset(lm, 0, sizeof lm);
    } else {
        hmac_md5(ntowf, c->challenge, 8, client_nonce, 8, lm);
        memcpy(lm + 16, client_nonce, 8);
    }
    if (session_key_out)
        hmac_md5(ntowf, resp, 16, NULL, 0, session_key_out);
    memset(ntowf, 0, sizeof ntowf);

    struct fld f[6] = {
        {dom16, dom_n}, {user16, user_n}, {NULL, 0}, {lm, sizeof lm}, {resp, 16 + bn}, {NULL, 0},
    };
    return build_auth(out, cap, auth_flags(c), f);
}
