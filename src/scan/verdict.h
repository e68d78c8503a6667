/* verdict.h: exactly one verdict per host from the table of decisions.md section 2, with a reason
 * code, detail and the deciding NT status. Pure function of the observations and identification. */
#ifndef SG_SCAN_VERDICT_H
#define SG_SCAN_VERDICT_H
#include <stdint.h>
#include "scan/ident.h"
#include "scan/obs.h"

enum verdict {
    V_UNREACHABLE, V_CLOSED, V_NO_SMB, V_UNKNOWN, V_PATCHED, V_SMB1_DISABLED,
    V_VULNERABLE, V_NOT_WINDOWS, V_ACCESS_DENIED, V_COUNT
};
struct verdict_out {
    enum verdict v;
    int row;                 /* row of the table that decided (1..11) */
    char reason[48];
    char detail[256];
    int has_status;
    uint32_t status;
    int os_mismatch;
};
void verdict_decide(const struct scan_obs *o, const struct ident *id, struct verdict_out *out);
const char *verdict_name(enum verdict v);
/* 1 for unknown, access_denied, unreachable (decisions.md section 7: undecided). */
int verdict_undecided(enum verdict v);
const char *dp_state_name(enum dp_state d);
const char *auth_name(enum auth_kind a);

#endif
