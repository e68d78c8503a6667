/* advice.c: what to do, for the exact OS of a verdict (decisions.md 8 "Advice"): the smallest
 * installable fixing update (per-language KB4012598 package on XP/2003), then "the latest rollup you
 * are entitled to", prerequisites, the SMB1 server switch of that OS, blocking TCP 139/445, a restart
 * when the fix waits for one, and the antivirus status (reported, never evidence). English lines
 * separated by '\n'; a line that does not fit is left out whole, never cut. */
#include "audit/decide.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct sb {
    char *p;
    size_t cap, len;
};

/* Appends one line; returns 0 when it does not fit (then nothing is written). */
static int line(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int line(struct sb *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n <= 0 || (size_t)n >= sizeof tmp)
        return 0;
    size_t need = (size_t)n + (b->len ? 1 : 0);
    if (b->len + need + 1 > b->cap)
        return 0;
    if (b->len)
        b->p[b->len++] = '\n';
    memcpy(b->p + b->len, tmp, (size_t)n + 1);
    b->len += (size_t)n;
    return 1;
}

/* Microsoft's 3-letter package language code from "ja-JP" / "ja". */
static const char *lang3(const char *tag)
{
    static const struct { const char *tag, *code; } map[] = {
        { "zh-tw", "CHT" }, { "zh-hk", "CHT" }, { "zh", "CHS" }, { "pt-br", "PTB" }, { "pt", "PTG" },
        { "ja", "JPN" }, { "de", "DEU" }, { "fr", "FRA" }, { "it", "ITA" }, { "es", "ESN" },
        { "ru", "RUS" }, { "ko", "KOR" }, { "nl", "NLD" }, { "sv", "SVE" }, { "pl", "PLK" },
        { "cs", "CSY" }, { "tr", "TRK" }, { "hu", "HUN" }, { "da", "DAN" }, { "fi", "FIN" },
        { "nb", "NOR" }, { "no", "NOR" }, { "el", "ELL" }, { "he", "HEB" }, { "ar", "ARA" },
        { "en", "ENU" },
    };
    char t[16];
    size_t i;
    for (i = 0; tag[i] && i + 1 < sizeof t; i++)
        t[i] = (char)tolower((unsigned char)(tag[i] == '_' ? '-' : tag[i]));
    t[i] = '\0';
    if (!t[0])
        return NULL;
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
        size_t ml = strlen(map[k].tag);
        if (strncmp(t, map[k].tag, ml) == 0 && (t[ml] == '\0' || t[ml] == '-'))
            return map[k].code;
    }
    return NULL;
}

/* The UI language: the collector's, else the language of the listings' labels. */
static const char *host_lang(const struct audit_host *h)
{
    for (unsigned i = 0; i < h->n; i++)
        if (h->src[i] && h->src[i]->ui_language[0] && lang3(h->src[i]->ui_language))
            return lang3(h->src[i]->ui_language);
    for (unsigned i = 0; i < h->n; i++)
        if (h->src[i] && h->src[i]->kind != LK_UNRECOGNISED && h->src[i]->kind != LK_MISSING_UPDATES &&
            h->src[i]->language[0] && lang3(h->src[i]->language))
            return lang3(h->src[i]->language);
    return NULL;
}

/* The KB4012598 package file for XP / 2003 (per language), "" elsewhere. */
static void package(const struct os_id *os, const char *lll, char *out, size_t cap)
{
    const char *l = lll ? lll : "LLL";
    out[0] = '\0';
    if (os->family == OSF_XP_X86) {
        if (strcmp(os->edition, "POSReady 2009") == 0)
            snprintf(out, cap, "WindowsXP-KB4012598-x86-Embedded-%s.exe", l);
        else if (strstr(os->edition, "Embedded"))
            snprintf(out, cap, "WindowsXP-KB4012598-x86-Embedded-Custom-%s.exe", l);
        else
            snprintf(out, cap, "WindowsXP-KB4012598-x86-Custom-%s.exe", l);
    } else if (os->family == OSF_XP_X64_2003) {
        if (os->arch_bits == 65)
            snprintf(out, cap, "%s", "no Itanium package was published");
        else
            snprintf(out, cap, "WindowsServer2003-KB4012598-%s-Custom-%s.exe", os->arch_bits == 32 ? "x86" : "x64", l);
    }
}

static void smallest_fix(struct sb *b, const struct audit_host *h, const struct audit_result *r,
                         const struct family_info *fi, const char *prefix)
{
    uint32_t kb = fi->smallest_fix;
    const char *title = fi->smallest_fix_title ? fi->smallest_fix_title : "";
    if (!kb)
        return;
    if (r->os.family == OSF_81_2012R2 && strcmp(r->os.edition, "RT") == 0) {
        kb = 4012216;                       /* RT 8.1: no security-only update; rollup via Windows Update */
        title = "March 2017 monthly rollup for RT 8.1, through Windows Update only";
    }
    if (r->os.family == OSF_XP_X86 || r->os.family == OSF_XP_X64_2003) {
        const char *lll = host_lang(h);
        char pkg[96];
        package(&r->os, lll, pkg, sizeof pkg);
        if (lll)
            line(b, "%sinstall KB%" PRIu32 " for %s, the %s-language package: %s", prefix, kb, r->os.name, lll, pkg);
        else
            line(b, "%sinstall KB%" PRIu32 " for %s, the package in the OS's UI language (LLL = ENU, JPN, DEU, FRA, CHS, ...; "
                 "the listing does not tell): %s", prefix, kb, r->os.name, pkg);
        return;
    }
    const struct kb_info *ki = kbtable_lookup(r->os.family, kb);
    if (ki && ki->kind && ki->month && ki->month[0])
        line(b, "%sinstall KB%" PRIu32 " (%s, %s) for %s", prefix, kb, ki->kind, ki->month, r->os.name);
    else
        line(b, "%sinstall KB%" PRIu32 " (%s) for %s", prefix, kb, title, r->os.name);
}

static void latest(struct sb *b, const struct audit_result *r)
{
    switch (r->os.family) {
    case OSF_7_2008R2:
    case OSF_2012:
    case OSF_81_2012R2:
        line(b, "Then install the latest rollup you are entitled to (rollups are cumulative)");
        break;
    case OSF_10_1507:
    case OSF_10_1511:
    case OSF_10_1607_2016:
    case OSF_SHIPPED_FIXED:
        line(b, "Then install the latest rollup you are entitled to (the newest cumulative update)");
        break;
    case OSF_VISTA_2008:
        line(b, "Then install the latest rollup you are entitled to (Server 2008 SP2: from 2018, ESU; Vista: none, plan the upgrade)");
        break;
    default:
        line(b, "Then install the latest rollup you are entitled to: none after KB4012598 for this OS; plan the upgrade");
        break;
    }
}

/* The short form of decisions.md 8 "Advice", used when the table's wording does not fit. */
static const char *smb1_short(enum os_family f)
{
    switch (f) {
    case OSF_NT4: case OSF_2000: case OSF_XP_X86: case OSF_XP_X64_2003:
        return "no switch on this OS: block 139/445, turn NetBIOS over TCP/IP off, stop the Server service";
    case OSF_VISTA_2008: case OSF_7_2008R2:
        return "registry LanmanServer\\Parameters SMB1=0 (after a restart)";
    case OSF_8: case OSF_2012:
        return "Set-SmbServerConfiguration -EnableSMB1Protocol $false";
    default:
        return "Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol (restart)";
    }
}

static void smb1(struct sb *b, const struct audit_result *r, const struct family_info *fi)
{
    if (!(fi && fi->smb1_off && line(b, "Turn the SMB1 server off (what EternalBlue needs): %s", fi->smb1_off)))
        line(b, "Turn the SMB1 server off: %s", smb1_short(r->os.family));
}

static void smb1_audit(struct sb *b, const struct audit_result *r)
{
    if (r->os.family == OSF_10_1607_2016 || r->os.family == OSF_SHIPPED_FIXED)
        line(b, "Before turning SMB1 off, audit SMB1 clients: Set-SmbServerConfiguration -AuditSmb1Access $true (event 3000)");
}

static void block(struct sb *b)
{
    line(b, "Block TCP 139 and 445 from untrusted networks until the fix is active");
}

static void read_srv(struct sb *b)
{
    line(b, "Read srv.sys: %s", AUDIT_SRV_SYS_PS);
    line(b, "or: %s", AUDIT_SRV_SYS_WMIC);
}

static int reason_is(const struct audit_result *r, const char *s)
{
    return strcmp(r->reason, s) == 0;
}

/* Rule 4: the service-pack chain to a fixable level. */
static void chain(struct sb *b, const struct audit_host *h, const struct audit_result *r, const struct family_info *fi)
{
    const struct os_id *os = &r->os;
    switch (os->family) {
    case OSF_NT4:
    case OSF_2000:
        line(b, "No fix exists for %s: upgrade, or isolate the host, block TCP 139/445 and stop the Server service", os->name);
        return;
    case OSF_XP_X86:
        line(b, os->sp == 0 ? "Install SP1 or SP2 first, then SP3, then KB4012598 (no fix exists below SP3)"
                            : "Install SP3 first, then KB4012598 (no fix exists below SP3)");
        break;
    case OSF_XP_X64_2003:
        line(b, "Install SP2 first, then KB4012598 (no fix exists below SP2)");
        break;
    case OSF_VISTA_2008:
        line(b, os->build == 6000 ? "Install SP1, then SP2, then KB4012598 (no fix exists for 6000 or 6001)"
                                  : "Install SP2, then KB4012598 (no fix exists for 6001)");
        break;
    case OSF_7_2008R2:
        line(b, "Install SP1 (KB976932) first, then KB4012212 or the latest rollup you are entitled to (no fix exists for 7600)");
        break;
    default:
        break;
    }
    if (fi)
        smallest_fix(b, h, r, fi, "Then ");
}

void audit_advise(const struct audit_host *h, struct audit_result *r)
{
    struct sb b = { r->advice, sizeof r->advice, 0 };
    const struct family_info *fi = r->os_known ? kbtable_family(r->os.family) : NULL;

    r->advice[0] = '\0';
    if (fi && fi->prerequisites)
        snprintf(r->prerequisites, sizeof r->prerequisites, "%s", fi->prerequisites);
    if (fi && !r->fix_kb && fi->smallest_fix) {
        r->fix_kb = fi->smallest_fix;
        snprintf(r->fix_title, sizeof r->fix_title, "%s", fi->smallest_fix_title ? fi->smallest_fix_title : "");
    }

    switch (r->verdict) {
    case AV_NOT_AFFECTED:
        if (reason_is(r, "smb1_removed"))
            line(&b, "Not affected: the SMB1 server is removed; keep it removed");
        else
            line(&b, "Not affected: this Windows version shipped with the MS17-010 fix; keep installing the latest cumulative update");
        if (!reason_is(r, "smb1_removed") && r->smb1_state != 0) {
            smb1(&b, r, fi);
            smb1_audit(&b, r);
        }
        break;
    case AV_PATCHED:
        line(&b, "The MS17-010 fix is present; keep installing the latest rollup you are entitled to");
        if (r->reboot_pending == 1)
            line(&b, "Restart the host: a restart is pending");
        else if (r->reboot_pending < 0 && reason_is(r, "fixing_kb"))
            line(&b, "If the host has not restarted since KB%" PRIu32 " was installed, restart it (the fix is active only after a restart)",
                 r->fix_kb);
        if (r->smb1_state != 0)
            smb1(&b, r, fi);
        break;
    case AV_VULNERABLE:
        if (reason_is(r, "reboot_pending") || reason_is(r, "fix_installed_not_active")) {
            line(&b, "Restart the host: KB%" PRIu32 " is installed but not active until a restart", r->fix_kb);
            line(&b, "If srv.sys (or the build) is still below the threshold after the restart, reinstall it or install the "
                 "latest rollup you are entitled to");
        } else if (reason_is(r, "no_fix_for_this_level")) {
            chain(&b, h, r, fi);
            if (fi && r->os.family != OSF_NT4 && r->os.family != OSF_2000)
                latest(&b, r);
        } else if (fi) {
            smallest_fix(&b, h, r, fi, "");
            /* capitalise the first word of the first line */
            if (b.len)
                b.p[0] = (char)toupper((unsigned char)b.p[0]);
            latest(&b, r);
        }
        if (fi && fi->prerequisites && !reason_is(r, "reboot_pending") && !reason_is(r, "fix_installed_not_active"))
            line(&b, "Prerequisites: %s", fi->prerequisites);
        block(&b);
        smb1(&b, r, fi);
        smb1_audit(&b, r);
        break;
    case AV_UNKNOWN:
        if (reason_is(r, "unrecognised_listing")) {
            line(&b, "Give an installed-update list of this host: systeminfo, wmic qfe list full /format:csv, "
                 "Get-HotFix | Export-Csv, or the smbguard collector (a list of missing updates is not one)");
            break;
        }
        if (reason_is(r, "os_unknown")) {
            line(&b, "Add the OS of this host: its systeminfo output, or wmic os get Caption,Version,BuildNumber,ProductType");
            break;
        }
        if (reason_is(r, "list_truncated"))
            line(&b, "Get the complete list: wmic qfe list full /format:csv > qfe.csv (systeminfo cuts long lists), "
                 "or run the smbguard collector");
        if (reason_is(r, "srv_sys_missing"))
            line(&b, "Run the 64-bit collector (a 32-bit one sees SysWOW64), or read C:\\Windows\\Sysnative\\drivers\\srv.sys");
        read_srv(&b);
        if (fi) {
            smallest_fix(&b, h, r, fi, "If srv.sys is below the threshold: ");
            latest(&b, r);
        }
        block(&b);
        smb1(&b, r, fi);
        smb1_audit(&b, r);
        break;
    }
    if (r->av_status[0])
        line(&b, "Antivirus: %s (reported only; not evidence about MS17-010)", r->av_status);
}
