/* ntlmssp.h: NTLMSSP messages inside SPNEGO as the scanner uses them: NEGOTIATE (with
 * NEGOTIATE_VERSION so the server reveals its version), CHALLENGE parsing (version, names),
 * the anonymous AUTHENTICATE and an NTLMv2 AUTHENTICATE for supplied credentials (MD4/HMAC-MD5
 * from nettle). Pure: no I/O, no allocation; outputs go to caller buffers. */
#ifndef SG_PROTO_NTLMSSP_H
#define SG_PROTO_NTLMSSP_H
#include <stddef.h>
#include <stdint.h>

#define NTLMSSP_NEGOTIATE_UNICODE     0x00000001u
#define NTLMSSP_REQUEST_TARGET        0x00000004u
#define NTLMSSP_NEGOTIATE_NTLM        0x00000200u
#define NTLMSSP_NEGOTIATE_ANONYMOUS   0x00000800u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN 0x00008000u
#define NTLMSSP_NEGOTIATE_EXT_SESSION 0x00080000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO 0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION     0x02000000u
#define NTLMSSP_NEGOTIATE_128         0x20000000u
#define NTLMSSP_NEGOTIATE_56          0x80000000u

struct ntlm_challenge {
    uint32_t flags;
    uint8_t challenge[8];
    int has_version;         /* only when flags carry NEGOTIATE_VERSION and payload offsets >= 56 */
    uint8_t major, minor, revision;
    uint16_t build;
    int version_all_ff;      /* the 8 version bytes are FF (impacket) */
    char nb_computer[64], nb_domain[64], dns_computer[256], dns_domain[256], dns_forest[256];
    const uint8_t *target_info;   /* raw AV pairs (needed for NTLMv2) */
    size_t target_info_len;
    uint64_t timestamp;           /* MsvAvTimestamp, 0 when absent */
};

/* SPNEGO NegTokenInit wrapping an NTLMSSP NEGOTIATE. Returns length or 0. */
size_t ntlmssp_build_negotiate(uint8_t *out, size_t cap);
/* Finds "NTLMSSP\0" type 2 inside a (possibly SPNEGO-wrapped) blob and parses it. 0 ok, -1 not found/malformed. */
int ntlmssp_parse_challenge(const uint8_t *blob, size_t n, struct ntlm_challenge *c);
/* SPNEGO NegTokenResp wrapping an anonymous AUTHENTICATE (empty LM/NT, user, domain;
 * flags include NEGOTIATE_ANONYMOUS). */
size_t ntlmssp_build_auth_anonymous(uint8_t *out, size_t cap, const struct ntlm_challenge *c);

struct ntlm_creds { const char *user, *password, *domain; };
/* NTLMv2 AUTHENTICATE for supplied credentials. client_nonce: 8 random bytes from the caller;
 * timestamp: the server's MsvAvTimestamp when present, else the caller's FILETIME now.
 * session_key_out (16 bytes) receives the session base key for signing. Returns length or 0. */
size_t ntlmssp_build_auth_ntlmv2(uint8_t *out, size_t cap, const struct ntlm_challenge *c,
                                 const struct ntlm_creds *cr, const uint8_t client_nonce[8],
                                 uint64_t timestamp, uint8_t session_key_out[16]);

#endif
