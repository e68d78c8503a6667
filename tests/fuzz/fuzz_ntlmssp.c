/* fuzz_ntlmssp.c: CHALLENGE parsing anywhere in a blob, then both AUTHENTICATE builders over
 * whatever target info the parser accepted. */
#include <stddef.h>
#include <stdint.h>

#include "proto/ntlmssp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ntlm_challenge c;
    if (ntlmssp_parse_challenge(data, size, &c) != 0)
        return 0;
    static uint8_t out[8192];
    (void)ntlmssp_build_auth_anonymous(out, sizeof out, &c);
    static const uint8_t nonce[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const struct ntlm_creds cr = {.user = "user", .password = "pass", .domain = "DOMAIN"};
    uint8_t key[16];
    (void)ntlmssp_build_auth_ntlmv2(out, sizeof out, &c, &cr, nonce, c.timestamp, key);
    return 0;
}
