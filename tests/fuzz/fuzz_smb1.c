/* fuzz_smb1.c: SMB1 header and reply parsers as the scanner and the detector chain them:
 * NBSS-framed or bare input, negotiate / session-setup replies, the blobs they carry. */
#include <stddef.h>
#include <stdint.h>

#include "core/rd.h"
#include "proto/doublepulsar.h"
#include "proto/nbss.h"
#include "proto/ntlmssp.h"
#include "proto/ntstatus.h"
#include "proto/smb1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *p, size_t n)
{
    struct smb1_msg m;
    if (smb1_parse(p, n, &m) != 0)
        return;
    (void)ntstatus_name(m.status);
    (void)ntstatus_reason(m.status);
    (void)dp_key(ld_le32(m.signature));
    (void)dp_is_x64(ld_le32(m.signature + 4));
    (void)dp_mid_delta(0x41, m.mid);
    struct ntlm_challenge c;
    struct smb1_negotiate_rsp nr;
    if (smb1_parse_negotiate_rsp(&m, &nr) == 0 && nr.sec_blob)
        (void)ntlmssp_parse_challenge(nr.sec_blob, nr.sec_blob_len, &c);
    struct smb1_session_rsp sr;
    if (smb1_parse_session_setup_rsp(&m, &sr) == 0 && sr.sec_blob)
        (void)ntlmssp_parse_challenge(sr.sec_blob, sr.sec_blob_len, &c);
    if (m.cmd == SMB1_TRANS2 && m.wct >= 15)
        (void)dp_opcode(ld_le32(m.words + 12));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t type;
    size_t total;
    one(data, size);
    if (nbss_peek(data, size, &type, &total) == 1 && type == NBSS_MESSAGE)
        one(data + 4, total <= size ? total - 4 : size - 4);
    return 0;
}
