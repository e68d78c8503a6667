/* dpcheck.c: classifies the reply to the DoublePulsar ping (decisions.md section 6): `infected`
 * only for a Trans2 0xC0000002 WordCount 0 reply whose MID is the ping's + 0x10/0x20/0x30;
 * `clean` only for 0xC0000002 with the ping's MID and an all-zero signature; else `unknown`. */
#include "scan/dpcheck.h"
#include <stdio.h>
#include <string.h>
#include "core/rd.h"
#include "proto/doublepulsar.h"
#include "proto/ntstatus.h"

void dp_classify(uint16_t ping_mid, const struct smb1_msg *m, struct dp_result *r)
{
    memset(r, 0, sizeof *r);
    uint32_t s1 = ld_le32(m->signature), s2 = ld_le32(m->signature + 4);
    int delta = dp_mid_delta(ping_mid, m->mid);
    if (m->cmd != SMB1_TRANS2 || delta < 0) {
        r->state = DP_UNKNOWN;
        r->unexpected_mid = 1;
        snprintf(r->reason, sizeof r->reason, "unexpected_mid");
        return;
    }
    if (m->status == NT_STATUS_NOT_IMPLEMENTED && m->wct == 0 && delta > 0) {
        r->state = DP_INFECTED;
        r->delta = delta;
        r->key = dp_key(s1);
        r->x64 = dp_is_x64(s2);
        snprintf(r->reason, sizeof r->reason, "%s",
                 delta == 0x10 ? "implant_ok" : delta == 0x20 ? "implant_bad_parameters" : "implant_alloc_failure");
        return;
    }
    if (delta > 0) {
        /* a shifted MID without the implant's status: not an implant answer we understand */
        r->state = DP_UNKNOWN;
        r->unexpected_mid = 1;
        snprintf(r->reason, sizeof r->reason, "unexpected_mid");
        return;
    }
    if (m->status == NT_STATUS_NOT_IMPLEMENTED && s1 == 0 && s2 == 0) {
        r->state = DP_CLEAN;
        snprintf(r->reason, sizeof r->reason, "not_implemented");
        return;
    }
    r->state = DP_UNKNOWN;
    if (m->status == NT_STATUS_NOT_IMPLEMENTED) {
        snprintf(r->reason, sizeof r->reason, "signature_nonzero");
        return;
    }
    const char *n = ntstatus_reason(m->status);
    if (n)
        snprintf(r->reason, sizeof r->reason, "%s", n);
    else
        snprintf(r->reason, sizeof r->reason, "status_0x%08X", m->status);
}
