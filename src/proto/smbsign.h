/* smbsign.h: SMB1 message signing (MS-SMB 3.1.4.1): MAC = first 8 bytes of
 * MD5(session key || message with the signature field set to the sequence number).
 * Used by the scanner for credentialed sessions on servers that require signing. Pure. */
#ifndef SG_PROTO_SMBSIGN_H
#define SG_PROTO_SMBSIGN_H
#include <stddef.h>
#include <stdint.h>

/* Signs the SMB1 message smb[len] (starting at 0xFF 'SMB') in place with sequence number seq.
 * The caller sets SMB1_FLAGS2_SIGNATURES in Flags2 before signing. No-op when len < 32. */
void smb1_sign(uint8_t *smb, size_t len, const uint8_t *key, size_t key_len, uint32_t seq);
/* 1 when smb[len] carries the right MAC for seq, else 0. */
int smb1_verify(const uint8_t *smb, size_t len, const uint8_t *key, size_t key_len, uint32_t seq);

#endif
