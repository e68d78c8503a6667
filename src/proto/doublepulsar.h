/* doublepulsar.h: DoublePulsar arithmetic (decisions.md section 6, protocol.md 6.2-6.4), shared by
 * the scanner's ping check and the traffic detector. Pure functions. */
#ifndef SG_PROTO_DOUBLEPULSAR_H
#define SG_PROTO_DOUBLEPULSAR_H
#include <stdint.h>

#define DP_OP_PING 0x23
#define DP_OP_EXEC 0xC8
#define DP_OP_KILL 0x77
/* opcode = sum of the four Timeout bytes mod 256 (timeout as the LE uint32 on the wire). */
uint8_t dp_opcode(uint32_t timeout);
/* key = ((s << 1) XOR bswap32(s)) mod 2^32, s = LE uint32 at SMB offset 14. */
uint32_t dp_key(uint32_t sig_lo);
/* 1 when x64 (LE uint32 at SMB offset 18 non-zero), 0 for x86. */
int dp_is_x64(uint32_t sig_hi);
/* MID delta of a reply to a ping sent with request MID: 0x10, 0x20, 0x30 for an implant, 0 for
 * the same MID, -1 for anything else. */
int dp_mid_delta(uint16_t request_mid, uint16_t reply_mid);

#endif
