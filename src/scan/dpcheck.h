/* dpcheck.h: the DoublePulsar ping verdict of decisions.md section 6 for one Trans2 reply.
 * Pure: used by the scanner's state machine and tested on captured replies. */
#ifndef SG_SCAN_DPCHECK_H
#define SG_SCAN_DPCHECK_H
#include <stdint.h>
#include "proto/smb1.h"
#include "scan/obs.h"

struct dp_result {
    enum dp_state state;
    int delta;            /* 0x10 / 0x20 / 0x30 when infected */
    uint32_t key;         /* infected: ((s << 1) ^ bswap32(s)) of the signature's first dword */
    int x64;
    int unexpected_mid;   /* not a Trans2 reply to the outstanding ping */
    char reason[48];
};
void dp_classify(uint16_t ping_mid, const struct smb1_msg *m, struct dp_result *r);

#endif
