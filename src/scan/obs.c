/* obs.c: initial values of an observation record (unknown tri-states are -1). */
#include "scan/obs.h"
#include <string.h>

void obs_init(struct scan_obs *o)
{
    memset(o, 0, sizeof *o);
    o->sign_req_smb1 = -1;
    o->sign_req_smb2 = -1;
}
