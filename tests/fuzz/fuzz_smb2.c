/* fuzz_smb2.c: SMB2 header (with compound NextCommand chains) and reply parsers. */
#include <stddef.h>
#include <stdint.h>

#include "proto/nbss.h"
#include "proto/ntlmssp.h"
#include "proto/smb1.h"
#include "proto/smb2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void chain(const uint8_t *p, size_t n)
{
    for (int i = 0; i < 16 && smb_is_smb2(p, n); i++) {
        struct smb2_msg m;
        if (smb2_parse(p, n, &m) != 0)
            return;
        struct ntlm_challenge c;
        struct smb2_negotiate_rsp nr;
        if (smb2_parse_negotiate_rsp(&m, &nr) == 0) {
            (void)smb2_dialect_name(nr.dialect);
            if (nr.sec_blob)
                (void)ntlmssp_parse_challenge(nr.sec_blob, nr.sec_blob_len, &c);
        }
        struct smb2_session_rsp sr;
        if (smb2_parse_session_setup_rsp(&m, &sr) == 0 && sr.sec_blob)
            (void)ntlmssp_parse_challenge(sr.sec_blob, sr.sec_blob_len, &c);
        if (m.next_command == 0 || m.next_command >= n)
            return;
        p += m.next_command;
        n -= m.next_command;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t type;
    size_t total;
    chain(data, size);
    if (nbss_peek(data, size, &type, &total) == 1 && type == NBSS_MESSAGE)
        chain(data + 4, total <= size ? total - 4 : size - 4);
    return 0;
}
