/* ident.c: Windows / non-Windows / not identified, by the rules of decisions.md section 3.
 * Never guesses: a host that fits neither rule stays ID_UNKNOWN. */
#include "scan/ident.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int plausible_build(unsigned b)
{
    return b == 2600 || b == 3790 || (b >= 6000 && b <= 6003) || b == 7600 || b == 7601 ||
           b == 9200 || b == 9600 || b >= 10240;
}

static int plausible_version(unsigned maj, unsigned min)
{
    return (maj == 5 && (min == 1 || min == 2)) || (maj == 6 && min <= 3) || (maj == 10 && min == 0);
}

/* The last run of 4-5 digits >= 2000 in a Native OS string ("Windows 7 Enterprise 7601 Service
 * Pack 1" -> 7601, "Windows Server 2003 3790 Service Pack 2" -> 3790: the year comes first), or 0. */
static unsigned native_os_build(const char *s)
{
    unsigned last = 0;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p) || (p > s && isalnum((unsigned char)p[-1])))
            continue;
        size_t n = 0;
        while (isdigit((unsigned char)p[n]))
            n++;
        if ((n == 4 || n == 5) && !isalpha((unsigned char)p[n])) {
            unsigned v = (unsigned)strtoul(p, NULL, 10);
            if (v >= 2000)
                last = v;
        }
        p += n - 1;
    }
    return last;
}

/* "Windows 5.1" style: fills major.minor and returns 1. */
static int native_os_version(const char *s, unsigned *maj, unsigned *min)
{
    return sscanf(s, "Windows %u.%u", maj, min) == 2;
}

static void name_windows(unsigned maj, unsigned min, unsigned b, char *out, size_t cap)
{
    const char *n = "";
    if (maj == 5 && min == 1) n = "Windows XP";
    else if (maj == 5 && min == 2) n = "Windows XP x64 / Server 2003";
    else if (maj == 6 && min == 0) n = "Windows Vista / Server 2008";
    else if (maj == 6 && min == 1) n = "Windows 7 / Server 2008 R2";
    else if (maj == 6 && min == 2) n = "Windows 8 / Server 2012";
    else if (maj == 6 && min == 3) n = "Windows 8.1 / Server 2012 R2";
    else if (maj == 10) {
        if (b == 10240) n = "Windows 10 1507";
        else if (b == 10586) n = "Windows 10 1511";
        else if (b == 14393) n = "Windows 10 1607 / Server 2016";
        else if (b == 15063) n = "Windows 10 1703";
        else if (b == 16299) n = "Windows 10 1709";
        else if (b == 17134) n = "Windows 10 1803";
        else if (b == 17763) n = "Windows 10 1809 / Server 2019";
        else if (b >= 18362 && b <= 19045) n = "Windows 10 1903+";
        else if (b == 20348) n = "Windows Server 2022";
        else if (b >= 22000) n = "Windows 11 / Server 2025";
        else n = "Windows 10 / Server 2016+";
    }
    snprintf(out, cap, "%s", n);
}

void ident_decide(const struct scan_obs *o, struct ident *id)
{
    memset(id, 0, sizeof *id);
    const int has_nos = o->native_os[0] != '\0';

    /* Rule 1: a plausible NTLMSSP version, consistent with the SMB1 Native OS when present. */
    if (o->has_ntlm_version && !o->ntlm_version_ff && o->ntlm_rev == 15 &&
        plausible_version(o->ntlm_major, o->ntlm_minor) && plausible_build(o->ntlm_build)) {
        int consistent = 1;
        if (has_nos) {
            unsigned nb = native_os_build(o->native_os), ma, mi;
            if (nb)
                consistent = nb == o->ntlm_build;
            else if (native_os_version(o->native_os, &ma, &mi))
                consistent = ma == o->ntlm_major && mi == o->ntlm_minor;
            else
                consistent = 0;
        }
        if (consistent) {
            id->kind = ID_WINDOWS;
            id->major = o->ntlm_major;
            id->minor = o->ntlm_minor;
            id->build = o->ntlm_build;
            snprintf(id->build_str, sizeof id->build_str, "%u.%u.%u", id->major, id->minor, id->build);
            name_windows(id->major, id->minor, id->build, id->os_name, sizeof id->os_name);
            return;
        }
    }
    /* Rule 2: any sign of a non-Windows server. */
    if (o->smb1 == SMB1_LANMAN)
        id->reason = "lanman_only";
    else if (strstr(o->native_lanman, "Samba"))
        id->reason = "samba";
    else if (o->has_ntlm_version && o->ntlm_version_ff)
        id->reason = "impacket";
    else if (o->has_smb1_caps && (o->smb1_caps & 0x00800000u))
        id->reason = "samba";
    else if (o->has_ntlm_version && o->ntlm_build == 0)
        id->reason = "ntlm_build_zero";
    else if (has_nos && strncmp(o->native_os, "Windows", 7) != 0)
        id->reason = "native_os_not_windows";
    else if (o->has_mac && !(o->mac[0] | o->mac[1] | o->mac[2] | o->mac[3] | o->mac[4] | o->mac[5]))
        id->reason = "mac_zero";
    if (id->reason) {
        id->kind = ID_NON_WINDOWS;
        return;
    }
    /* Rule 3: not identified. */
    id->kind = ID_UNKNOWN;
}

int ident_no_fix_exists(const struct scan_obs *o, const struct ident *id)
{
    if (id->kind == ID_WINDOWS && (id->build == 7600 || id->build == 6000 || id->build == 6001))
        return 1;
    const char *n = o->native_os;
    return strncmp(n, "Windows 5.0", 11) == 0 || strncmp(n, "Windows 2000", 12) == 0 ||
           strncmp(n, "Windows NT 1381", 15) == 0 || strncmp(n, "Windows NT 4.0", 14) == 0;
}
