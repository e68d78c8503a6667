/* doublepulsar.c: DoublePulsar arithmetic (decisions.md section 6, protocol.md 6.2-6.3). */
#include "proto/doublepulsar.h"

uint8_t dp_opcode(uint32_t timeout)
{
    return (uint8_t)((timeout & 0xFFu) + ((timeout >> 8) & 0xFFu) + ((timeout >> 16) & 0xFFu) +
                     (timeout >> 24));
}

uint32_t dp_key(uint32_t s)
{
    uint32_t swapped = (s >> 24) | ((s >> 8) & 0x0000FF00u) | ((s << 8) & 0x00FF0000u) | (s << 24);
    return (s << 1) ^ swapped;
}

int dp_is_x64(uint32_t sig_hi) { return sig_hi != 0; }

int dp_mid_delta(uint16_t request_mid, uint16_t reply_mid)
{
    uint16_t d = (uint16_t)(reply_mid - request_mid);
    if (d == 0 || d == 0x10 || d == 0x20 || d == 0x30)
        return d;
    return -1;
}
