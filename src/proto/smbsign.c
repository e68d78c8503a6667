/* smbsign.c: SMB1 message signing with nettle's MD5 (see smbsign.h). */
#include "proto/smbsign.h"
#include <nettle/md5.h>
#include <string.h>

static void mac(const uint8_t *smb, size_t len, const uint8_t *key, size_t key_len, uint32_t seq, uint8_t out[8])
{
    uint8_t seqf[8] = {(uint8_t)seq, (uint8_t)(seq >> 8), (uint8_t)(seq >> 16), (uint8_t)(seq >> 24), 0, 0, 0, 0};
    uint8_t digest[MD5_DIGEST_SIZE];
    struct md5_ctx c;
    md5_init(&c);
    md5_update(&c, key_len, key);
    md5_update(&c, 14, smb);
    md5_update(&c, 8, seqf);
    md5_update(&c, len - 22, smb + 22);
    md5_digest(&c, sizeof digest, digest);
    memcpy(out, digest, 8);
}

void smb1_sign(uint8_t *smb, size_t len, const uint8_t *key, size_t key_len, uint32_t seq)
{
    if (len < 32)
        return;
    uint8_t m[8];
    mac(smb, len, key, key_len, seq, m);
    memcpy(smb + 14, m, 8);
}

int smb1_verify(const uint8_t *smb, size_t len, const uint8_t *key, size_t key_len, uint32_t seq)
{
    if (len < 32)
        return 0;
    uint8_t m[8];
    mac(smb, len, key, key_len, seq, m);
    return memcmp(m, smb + 14, 8) == 0;
}
