/* ident.h: identification of the SMB server (decisions.md section 3): Windows, non-Windows, or not
 * identified. Pure function of the observations. */
#ifndef SG_SCAN_IDENT_H
#define SG_SCAN_IDENT_H
#include "scan/obs.h"

enum ident_kind { ID_UNKNOWN = 0, ID_WINDOWS, ID_NON_WINDOWS };
struct ident {
    enum ident_kind kind;
    const char *reason;     /* non-Windows: "samba", "impacket", "lanman_only", "cap_unix", ... */
    unsigned build;         /* Windows: NTLMSSP build */
    unsigned major, minor;
    char build_str[24];     /* "6.1.7601" or "" */
    char os_name[64];       /* "Windows 7 / Server 2008 R2" mapped from version and build, or "" */
};
void ident_decide(const struct scan_obs *o, struct ident *id);
/* Windows versions for which no MS17-010 fix exists (2000/NT4, 7600, 6000, 6001). */
int ident_no_fix_exists(const struct scan_obs *o, const struct ident *id);

#endif
