/* cmd_audit.c: `smbguard audit FILE...`: listings -> hosts -> one MS17-010 verdict each (src/audit), written as
 * records, a table, advice, a summary and the exit code; plus the Japanese (gettext) layer for people. */
#include <errno.h>
#include <getopt.h>
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "audit/decide.h"
#include "audit/parse.h"
#include "cli/cli.h"
#include "core/text.h"
#include "cli/exitcodes.h"
#include "cli/i18n.h"
#include "sink/sink.h"

/* Messages: src/cli/i18n.h (English in the source, Japanese from po/ja.po). */
#define AUDIT_DOMAIN I18N_DOMAIN

/* Advice lines come from the decision (src/audit/advice.c) in English, built from fixed phrases and the
 * knowledge table's texts. A line is translated when the catalogue has it as is; else when it matches
 * one of the phrase templates below, where {1}, {2}, ... stand for any text (KB numbers, OS names,
 * commands, the table's texts, which are translated in turn when the catalogue has them). A line that
 * matches nothing stays English. Keep these in step with advice.c: tests/audit/test_ja.sh lists every
 * advice line of the shared listings that stays English. */
static const char *const TEMPLATES[] = {
    /* advice.c smallest_fix(), per prefix; the language-package forms first (more specific) */
    N_("Install KB{1} for {2}, the {3}-language package: {4}"),
    N_("Then install KB{1} for {2}, the {3}-language package: {4}"),
    N_("If srv.sys is below the threshold: install KB{1} for {2}, the {3}-language package: {4}"),
    N_("Install KB{1} for {2}, the package in the OS's UI language (LLL = ENU, JPN, DEU, FRA, CHS, ...; the listing does not tell): {3}"),
    N_("Then install KB{1} for {2}, the package in the OS's UI language (LLL = ENU, JPN, DEU, FRA, CHS, ...; the listing does not tell): {3}"),
    N_("If srv.sys is below the threshold: install KB{1} for {2}, the package in the OS's UI language (LLL = ENU, JPN, DEU, FRA, CHS, ...; the listing does not tell): {3}"),
    N_("Install KB{1} ({2}, {3}) for {4}"),
    N_("Then install KB{1} ({2}, {3}) for {4}"),
    N_("If srv.sys is below the threshold: install KB{1} ({2}, {3}) for {4}"),
    N_("Install KB{1} ({2}) for {3}"),
    N_("Then install KB{1} ({2}) for {3}"),
    N_("If srv.sys is below the threshold: install KB{1} ({2}) for {3}"),
    /* smb1(), read_srv(), chain(), verdict lines */
    N_("Turn the SMB1 server off (what EternalBlue needs): {1}"),
    N_("Turn the SMB1 server off: {1}"),
    N_("Read srv.sys: {1}"),
    N_("or: {1}"),
    N_("No fix exists for {1}: upgrade, or isolate the host, block TCP 139/445 and stop the Server service"),
    N_("If the host has not restarted since KB{1} was installed, restart it (the fix is active only after a restart)"),
    N_("Restart the host: KB{1} is installed but not active until a restart"),
    N_("Prerequisites: {1}"),
    N_("Antivirus: {1} (reported only; not evidence about MS17-010)"),
    /* update titles of the knowledge table */
    N_("{1} monthly or preview rollup, #{2} in the update history (2008 SP2 rollup: check srv.sys)"),
    N_("{1} Security Only Quality Update, #{2} in the update history (security-only after May 2017: check srv.sys)"),
    N_("{1} monthly or preview rollup, #{2} in the update history"),
};

/* Whole lines of advice.c and texts of data/ms17010.csv, for xgettext (translated by exact match). */
static const char *const FIXED_TEXTS[] __attribute__((unused)) = {
    N_("Then install the latest rollup you are entitled to (rollups are cumulative)"),
    N_("Then install the latest rollup you are entitled to (the newest cumulative update)"),
    N_("Then install the latest rollup you are entitled to (Server 2008 SP2: from 2018, ESU; Vista: none, plan the upgrade)"),
    N_("Then install the latest rollup you are entitled to: none after KB4012598 for this OS; plan the upgrade"),
    N_("Before turning SMB1 off, audit SMB1 clients: Set-SmbServerConfiguration -AuditSmb1Access $true (event 3000)"),
    N_("Block TCP 139 and 445 from untrusted networks until the fix is active"),
    /* advice.c smb1_short() */
    N_("no switch on this OS: block 139/445, turn NetBIOS over TCP/IP off, stop the Server service"),
    N_("registry LanmanServer\\Parameters SMB1=0 (after a restart)"),
    N_("Set-SmbServerConfiguration -EnableSMB1Protocol $false"),
    N_("Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol (restart)"),
    /* kb_info kinds (kbtable.h), inside "install KB... (KIND, MONTH)" */
    N_("security-only"),
    N_("monthly rollup"),
    N_("preview rollup"),
    N_("out-of-band"),
    N_("cumulative update"),
    N_("rollup"),
    N_("security update"),
    N_("Install SP1 or SP2 first, then SP3, then KB4012598 (no fix exists below SP3)"),
    N_("Install SP3 first, then KB4012598 (no fix exists below SP3)"),
    N_("Install SP2 first, then KB4012598 (no fix exists below SP2)"),
    N_("Install SP1, then SP2, then KB4012598 (no fix exists for 6000 or 6001)"),
    N_("Install SP2, then KB4012598 (no fix exists for 6001)"),
    N_("Install SP1 (KB976932) first, then KB4012212 or the latest rollup you are entitled to (no fix exists for 7600)"),
    N_("Not affected: the SMB1 server is removed; keep it removed"),
    N_("Not affected: this Windows version shipped with the MS17-010 fix; keep installing the latest cumulative update"),
    N_("The MS17-010 fix is present; keep installing the latest rollup you are entitled to"),
    N_("Restart the host: a restart is pending"),
    N_("If srv.sys (or the build) is still below the threshold after the restart, reinstall it or install the latest rollup you are entitled to"),
    N_("Give an installed-update list of this host: systeminfo, wmic qfe list full /format:csv, Get-HotFix | Export-Csv, or the smbguard collector (a list of missing updates is not one)"),
    N_("Add the OS of this host: its systeminfo output, or wmic os get Caption,Version,BuildNumber,ProductType"),
    N_("Get the complete list: wmic qfe list full /format:csv > qfe.csv (systeminfo cuts long lists), or run the smbguard collector"),
    N_("Run the 64-bit collector (a 32-bit one sees SysWOW64), or read C:\\Windows\\Sysnative\\drivers\\srv.sys"),
    N_("March 2017 monthly rollup for RT 8.1, through Windows Update only"),
    /* data/ms17010.csv: smallest_fix_title, prerequisites, smb1_off */
    N_("KB2919355 first (hosts still at 6.3.9600.16xxx lack it); Server 2012 R2 updates after October 2023 need ESU."),
    N_("No fix exists: upgrade, or isolate the host (block 139/445, stop the Server service)."),
    N_("None: Windows 8 gets no rollups, only KB4012598."),
    N_("None: any cumulative update from March 2017 on."),
    N_("None: shipped with the fix."),
    N_("SP1 (KB976932) on 7600; rollups from August 2019 need SHA-2 KB4474419 and servicing stack KB4490628; updates after January 2020 need ESU."),
    N_("Service Pack 2 (6002): 6000 (RTM) must install SP1 before SP2; 6001 (SP1) installs SP2 directly."),
    N_("Service Pack 2 (RTM or SP1 must install SP2 first); then the KB4012598 package for the UI language. No package for Itanium (UNVERIFIED)."),
    N_("Service Pack 3 (XP RTM must install SP1 or SP2 before SP3); then the KB4012598 package for the UI language (XP, XP Embedded SP3, POSReady 2009: separate packages)."),
    N_("Updates after October 2023 need ESU."),
    N_("March 14, 2017 cumulative update KB4012606 (OS Build 10240.17319)"),
    N_("March 14, 2017 cumulative update KB4013198 (OS Build 10586.839)"),
    N_("March 14, 2017 cumulative update KB4013429 (OS Build 14393.953)"),
    N_("March 2017 Security Only Quality Update for 8.1 / 2012 R2 (KB4012213); RT 8.1: rollup KB4012216 via Windows Update"),
    N_("March 2017 Security Only Quality Update for Windows 7 SP1 / Server 2008 R2 SP1 (KB4012212)"),
    N_("March 2017 Security Only Quality Update for Windows Server 2012 (KB4012214)"),
    N_("Security Update for Windows 8 (KB4012598), May 2017 out-of-band"),
    N_("Security Update for Windows Server 2003 / XP x64 (KB4012598), May 2017 out-of-band, per-language package"),
    N_("Security Update for Windows Vista / Server 2008 (KB4012598), March 2017 (MS17-010)"),
    N_("Security Update for Windows XP SP3 (KB4012598), May 2017 out-of-band, per-language package"),
    N_("No switch for SMB1 alone (SMB1 is the only server dialect): block TCP 139 and 445 at the host and network firewalls, turn NetBIOS over TCP/IP off on every adapter, and stop and disable the Server service (LanmanServer) where no share is needed."),
    N_("Remove the SMB1 feature: Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol (or Server Manager, Remove Roles and Features, \"SMB 1.0/CIFS File Sharing Support\"; on clients Turn Windows features on or off), then restart."),
    N_("Remove the SMB1 feature: Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol (or Server Manager, Remove Roles and Features, \"SMB 1.0/CIFS File Sharing Support\"; on clients Turn Windows features on or off), then restart. Before turning SMB1 off, audit SMB1 clients with Set-SmbServerConfiguration -AuditSmb1Access $true (event 3000)."),
    N_("Remove the SMB1 feature: Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol (or Server Manager, Remove Roles and Features, \"SMB 1.0/CIFS File Sharing Support\"; on clients Turn Windows features on or off), then restart. Before turning SMB1 off, audit SMB1 clients with Set-SmbServerConfiguration -AuditSmb1Access $true (event 3000). On 1709 and later SMB1 is often not installed at all."),
    N_("Server side: Set-SmbServerConfiguration -EnableSMB1Protocol $false (check with Get-SmbServerConfiguration | Select EnableSMB1Protocol); no restart needed for the server side."),
    N_("Server side: set HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters value SMB1 (REG_DWORD) = 0 (absent means enabled), e.g. Set-ItemProperty -Path \"HKLM:\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters\" SMB1 -Type DWORD -Value 0 -Force; takes effect after a restart."),
};

#define MAX_CAPS 9

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Matches the whole of s against pattern p, where {N} matches one or more characters (shortest first,
 * with backtracking). Captures go to cap[N-1] / cap_len[N-1]. */
static int match(const char *p, const char *s, const char **cap, size_t *cap_len, int depth)
{
    if (depth > 16)
        return 0;
    while (*p) {
        if (p[0] == '{' && is_digit(p[1]) && p[1] >= '1' && p[2] == '}') {
            unsigned k = (unsigned)(p[1] - '1');
            for (size_t n = 1; s[n - 1]; n++) {
                if (match(p + 3, s + n, cap, cap_len, depth + 1)) {
                    cap[k] = s;
                    cap_len[k] = n;
                    return 1;
                }
            }
            return 0;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    return *s == '\0';
}

static void tr_text(const char *en, char *out, size_t cap, int depth);

/* The translation of one captured part: itself translated when the catalogue knows it. */
static void put_part(const char *part, size_t n, char *out, size_t *w, size_t cap, int depth)
{
    char in[1024], tx[2048];
    snprintf(in, sizeof in, "%.*s", (int)(n < sizeof in ? n : sizeof in - 1), part);
    tr_text(in, tx, sizeof tx, depth + 1);
    size_t k = strlen(tx);
    if (k > cap - 1 - *w)
        k = cap - 1 - *w;
    memcpy(out + *w, tx, k);
    *w += k;
}

static void tr_text(const char *en, char *out, size_t cap, int depth)
{
    snprintf(out, cap, "%s", en);
    if (!i18n_ja() || !en[0])
        return;
    const char *t = dgettext(AUDIT_DOMAIN, en);
    if (t != en && strcmp(t, en) != 0) {
        snprintf(out, cap, "%s", t);
        return;
    }
    if (depth > 1)
        return;
    for (size_t i = 0; i < sizeof TEMPLATES / sizeof TEMPLATES[0]; i++) {
        const char *cp[MAX_CAPS] = {0};
        size_t cl[MAX_CAPS] = {0};
        if (!match(TEMPLATES[i], en, cp, cl, 0))
            continue;
        t = dgettext(AUDIT_DOMAIN, TEMPLATES[i]);
        if (t == TEMPLATES[i] || strcmp(t, TEMPLATES[i]) == 0)
            return;                              /* template known, not translated: English */
        size_t w = 0;
        for (const char *q = t; *q && w + 1 < cap;) {
            if (q[0] == '{' && q[1] >= '1' && q[1] <= '9' && q[2] == '}' && cp[q[1] - '1']) {
                put_part(cp[q[1] - '1'], cl[q[1] - '1'], out, &w, cap, depth);
                q += 3;
            } else {
                out[w++] = *q++;
            }
        }
        out[w] = '\0';
        return;
    }
}

static void tr_line(const char *en, char *out, size_t cap)
{
    tr_text(en, out, cap, 0);
}

/* ---------------------------------------------------------------------------------------------- */
/* Display names: verdicts, reasons, confidence. The record keeps the codes; these are for people.  */

static const char *verdict_label(enum audit_verdict v)
{
    switch (v) {
    case AV_PATCHED: return _(N_("patched"));
    case AV_VULNERABLE: return _(N_("VULNERABLE"));
    case AV_NOT_AFFECTED: return _(N_("not affected"));
    case AV_UNKNOWN: return _(N_("unknown"));
    }
    return "?";
}

static const char *confidence_label(enum audit_confidence c)
{
    switch (c) {
    case AC_LOW: return _(N_("low"));
    case AC_MEDIUM: return _(N_("medium"));
    case AC_HIGH: return _(N_("high"));
    }
    return "?";
}

struct reason_text {
    const char *code;
    const char *label;     /* short, for the table */
    const char *explain;   /* one sentence, under the table */
};

/* Every reason code of decisions.md 8 and decide.c; an unknown code is shown as is. */
static const struct reason_text REASONS[] = {
    {"shipped_fixed", N_("shipped with the fix"),
     N_("This Windows version (Windows 10 1703 or later, Windows 11, Server 2019 or later) shipped with the MS17-010 fix.")},
    {"smb1_removed", N_("SMB1 removed"),
     N_("srv.sys is absent and the SMB1 server feature is removed: EternalBlue has nothing to attack.")},
    {"srv_sys_fixed", N_("srv.sys is fixed"),
     N_("The file version of srv.sys is at or above the fixed version for this OS.")},
    {"srv_sys_below_threshold", N_("srv.sys is old"),
     N_("The file version of srv.sys is below the fixed version for this OS: the fix is not active.")},
    {"fix_installed_not_active", N_("fix installed, not active"),
     N_("A fixing update is listed but srv.sys (or the build) is still old: a restart is pending or the installation failed.")},
    {"srv_sys_family_mismatch", N_("srv.sys does not match the OS"),
     N_("The srv.sys version belongs to another Windows version than the listing: the files may not describe one host.")},
    {"srv_sys_missing", N_("srv.sys not found"),
     N_("srv.sys was not found although SMB1 cannot be removed on this OS (a 32-bit collector on 64-bit Windows sees SysWOW64).")},
    {"ubr_fixed", N_("build is fixed"),
     N_("The Windows 10 / Server 2016 build number (build.UBR) is at or above the fixed build.")},
    {"ubr_below_threshold", N_("build is old"),
     N_("The Windows 10 / Server 2016 build number (build.UBR) is below the fixed build.")},
    {"cve_2024_43491_window", N_("build in the CVE-2024-43491 window"),
     N_("This Windows 10 1507 build is in the CVE-2024-43491 window, where the build alone does not prove the fix: read srv.sys.")},
    {"fixing_kb", N_("fixing update installed"),
     N_("An update that carries the MS17-010 fix for this exact OS is installed.")},
    {"reboot_pending", N_("restart pending"),
     N_("The fixing update is installed but the computer has not restarted since: the fix is not active yet.")},
    {"no_fix_for_this_level", N_("no fix for this level"),
     N_("No MS17-010 fix was published for this Windows version or service pack level.")},
    {"unverified_kb", N_("unverified update"),
     N_("The only candidate is an update not confirmed to carry the fix (a security-only update of June 2017 or later, or a Server 2008 rollup): read srv.sys.")},
    {"kb_newer_than_table", N_("update newer than the table"),
     N_("An update newer than anything smbguard knows for this OS is installed: it probably includes the fix, but read srv.sys to be sure.")},
    {"list_truncated", N_("update list incomplete"),
     N_("The update list is cut short (fewer entries than declared, or \"File 1\" entries) and the listed part has no fixing update.")},
    {"os_unknown", N_("OS unknown"),
     N_("The listing does not say which Windows it is; update numbers alone never decide the OS. Add the systeminfo of the same host.")},
    {"no_fixing_kb", N_("no fixing update"),
     N_("The update list is complete and contains no update that fixes MS17-010 for this OS.")},
    {"unrecognised_listing", N_("not a patch listing"),
     N_("The file is empty, unreadable, or not a list of installed updates (a list of missing updates does not count).")},
};

static const struct reason_text *reason_find(const char *code)
{
    for (size_t i = 0; i < sizeof REASONS / sizeof REASONS[0]; i++)
        if (!strcmp(REASONS[i].code, code))
            return &REASONS[i];
    return NULL;
}

/* ---------------------------------------------------------------------------------------------- */
/* Options and inputs.                                                                             */

static void audit_help(void)
{
    printf(
        "Usage: smbguard audit [--host NAME] [--json FILE] [--csv FILE] [--lang en|ja] [-q] FILE...\n"
        "Read Windows patch listings and decide, per host, whether the MS17-010 fix (WannaCry,\n"
        "EternalBlue) is installed: patched, vulnerable, not_affected or unknown, with the reason,\n"
        "the evidence (KB and line, srv.sys version, build) and what to do.\n"
        "\n"
        "Inputs (UTF-8, UTF-16LE, CP932 and other Windows code pages are detected):\n"
        "  systeminfo (list or CSV, any display language), wmic qfe (list, brief, CSV), Get-HotFix\n"
        "  (table, CSV, JSON), and the smbguard collector file (collector/smbguard-collect.cmd or .ps1).\n"
        "  FILE '-' is standard input. Files are grouped into hosts by the host name inside them.\n"
        "\n"
        "Options:\n"
        "      --host NAME   the files that follow are one host named NAME (until the next --host)\n"
        "      --json FILE   NDJSON, one record per host ('-' = stdout)\n"
        "      --csv FILE    CSV for spreadsheets, UTF-8 with BOM ('-' = stdout)\n"
        "      --lang en|ja  language of the table, the advice and the summary (default: from\n"
        "                    LANGUAGE / LC_ALL / LC_MESSAGES / LANG)\n"
        "  -q, --quiet       no summary on stderr except the undecided count\n"
        "\n"
        "Exit codes: 3 a host is vulnerable; 1 an input file could not be read, or an output error;\n"
        "4 some hosts are undecided (unknown); 0 every host patched or not affected; 2 usage.\n");
}

struct input {
    const char *path;
    int group;        /* -1: grouped by the names inside; else index into the --host names */
};

/* The host name shown when the listings name none: the first file's base name. */
static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static const char *arch_name(int bits)
{
    switch (bits) {
    case 32: return "x86";
    case 64: return "x64";
    case 65: return "ia64";
    default: return NULL;
    }
}

struct hostres {
    struct audit_host h;
    struct audit_result r;
    char name[256];     /* shown host name */
    char domain[256];
};

static int hostres_cmp(const void *x, const void *y)
{
    const struct hostres *a = *(const struct hostres *const *)x, *b = *(const struct hostres *const *)y;
    int c = text_natural_cmp(a->name, b->name);
    return c ? c : strcmp(a->domain, b->domain);
}

/* advice lines joined with " | " (machine outputs), or NULL when there is none */
static void join_advice(const char *advice, int translate, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    const char *p = advice;
    while (*p && o + 1 < cap) {
        size_t n = strcspn(p, "\n");
        if (n) {
            char en[1024], line[2048];
            snprintf(en, sizeof en, "%.*s", (int)n, p);
            if (translate)
                tr_line(en, line, sizeof line);
            else
                snprintf(line, sizeof line, "%s", en);
            o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " | " : "", line);
            if (o >= cap)
                o = cap - 1;
        }
        p += n;
        if (*p == '\n')
            p++;
    }
}

static void fill_record(struct record *rec, const struct hostres *hr, int translate)
{
    const struct audit_result *r = &hr->r;
    char buf[4096];
    record_reset(rec, "audit");
    record_str(rec, "host", hr->name);
    record_str(rec, "domain", hr->domain[0] ? hr->domain : NULL);
    record_str(rec, "os", r->os_known && r->os.name[0] ? r->os.name : NULL);
    if (r->os_known && r->os.major) {
        int ubr = -1;
        for (unsigned i = 0; i < hr->h.n; i++)
            if (hr->h.src[i]->ubr >= 0 && hr->h.src[i]->ver_build == r->os.build)
                ubr = hr->h.src[i]->ubr;
        if (ubr >= 0)
            snprintf(buf, sizeof buf, "%u.%u.%u.%d", r->os.major, r->os.minor, r->os.build, ubr);
        else
            snprintf(buf, sizeof buf, "%u.%u.%u", r->os.major, r->os.minor, r->os.build);
        record_str(rec, "os_build", buf);
    } else {
        record_null(rec, "os_build");
    }
    record_str(rec, "edition", r->os_known && r->os.edition[0] ? r->os.edition : NULL);
    record_str(rec, "arch", r->os_known ? arch_name(r->os.arch_bits) : NULL);
    record_str(rec, "verdict", audit_verdict_name(r->verdict));
    record_str(rec, "reason", r->reason);
    record_str(rec, "evidence", r->evidence[0] ? r->evidence : NULL);
    record_str(rec, "confidence", audit_confidence_name(r->confidence));
    if (r->fix_kb) {
        snprintf(buf, sizeof buf, "KB%u", (unsigned)r->fix_kb);
        record_str(rec, "fix_kb", buf);
    } else {
        record_null(rec, "fix_kb");
    }
    if (r->fix_title[0] && translate) {
        tr_line(r->fix_title, buf, sizeof buf);
        record_str(rec, "fix_title", buf);
    } else {
        record_str(rec, "fix_title", r->fix_title[0] ? r->fix_title : NULL);
    }
    if (r->prerequisites[0] && translate) {
        tr_line(r->prerequisites, buf, sizeof buf);
        record_str(rec, "prerequisites", buf);
    } else {
        record_str(rec, "prerequisites", r->prerequisites[0] ? r->prerequisites : NULL);
    }
    record_tri(rec, "reboot_pending", r->reboot_pending);
    record_str(rec, "smb1_state", r->smb1_state == 1 ? "on" : r->smb1_state == 0 ? "off" : NULL);
    record_str(rec, "av_status", r->av_status[0] ? r->av_status : NULL);
    join_advice(r->advice, translate, buf, sizeof buf);
    record_str(rec, "advice", buf[0] ? buf : NULL);
    const char *srcs[RECORD_MAX_ARRAY];
    unsigned ns = 0;
    for (unsigned i = 0; i < hr->h.n && ns < RECORD_MAX_ARRAY; i++)
        srcs[ns++] = hr->h.src[i]->path;
    record_str_array(rec, "sources", srcs, ns);
}

/* The terminal row: translated headers and values (the header names double as field names). */
static const char *const *table_columns(void)
{
    static const char *cols[6];
    cols[0] = _(N_("host"));
    cols[1] = _(N_("os"));
    cols[2] = _(N_("verdict"));
    cols[3] = _(N_("reason"));
    cols[4] = _(N_("fix_kb"));
    cols[5] = _(N_("confidence"));
    return cols;
}

static void fill_table_row(struct record *rec, const struct hostres *hr)
{
    const char *const *cols = table_columns();
    const struct audit_result *r = &hr->r;
    const struct reason_text *rt = reason_find(r->reason);
    char kb[32];
    record_reset(rec, "audit");
    record_str(rec, cols[0], hr->name);
    record_str(rec, cols[1], r->os_known && r->os.name[0] ? r->os.name : NULL);
    record_str(rec, cols[2], verdict_label(r->verdict));
    record_str(rec, cols[3], i18n_ja() && rt ? _(rt->label) : r->reason);
    if (r->fix_kb)
        snprintf(kb, sizeof kb, "KB%u", (unsigned)r->fix_kb);
    record_str(rec, cols[4], r->fix_kb ? kb : NULL);
    record_str(rec, cols[5], confidence_label(r->confidence));
}

/* Under the table: per host the verdict, the reason explained, the evidence and the advice lines. */
static void print_details(FILE *out, struct hostres *const *hs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct hostres *hr = hs[i];
        const struct audit_result *r = &hr->r;
        const struct reason_text *rt = reason_find(r->reason);
        char line[2048];
        fprintf(out, "\n== %s: %s (%s)\n", hr->name, verdict_label(r->verdict), r->reason);
        if (rt)
            fprintf(out, "   %s\n", _(rt->explain));
        if (r->evidence[0])
            fprintf(out, "   %s %s\n", _(N_("Evidence:")), r->evidence);
        /* a patched host shows the KB that decided; one decided by srv.sys or the build shows none */
        if (r->fix_kb && (r->verdict != AV_PATCHED || !strcmp(r->reason, "fixing_kb"))) {
            const char *label = r->verdict == AV_PATCHED ? _(N_("Fixing update found:")) : _(N_("Update to install:"));
            if (r->fix_title[0]) {
                tr_line(r->fix_title, line, sizeof line);
                fprintf(out, "   %s KB%u (%s)\n", label, (unsigned)r->fix_kb, line);
            } else {
                fprintf(out, "   %s KB%u\n", label, (unsigned)r->fix_kb);
            }
        }
        if (r->smb1_state >= 0)
            fprintf(out, "   %s %s\n", _(N_("SMB1 server:")), r->smb1_state ? _(N_("on")) : _(N_("off")));
        const char *p = r->advice;
        int first = 1;
        while (*p) {
            size_t k = strcspn(p, "\n");
            if (k) {
                char en[1024];
                snprintf(en, sizeof en, "%.*s", (int)k, p);
                tr_line(en, line, sizeof line);
                if (first)
                    fprintf(out, "   %s\n", _(N_("What to do:")));
                first = 0;
                fprintf(out, "   - %s\n", line);
            }
            p += k;
            if (*p == '\n')
                p++;
        }
    }
}

struct grow_list {
    void **v;
    size_t n, cap;
};

static int grow_push(struct grow_list *g, void *p)
{
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 16;
        void **nv = realloc(g->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        g->v = nv;
        g->cap = nc;
    }
    g->v[g->n++] = p;
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    enum { O_HOST = 256, O_JSON, O_CSV, O_LANG };
    static const struct option longopts[] = {
        {"csv", required_argument, 0, O_CSV},
        {"help", no_argument, 0, 'h'},
        {"host", required_argument, 0, O_HOST},
        {"json", required_argument, 0, O_JSON},
        {"lang", required_argument, 0, O_LANG},
        {"quiet", no_argument, 0, 'q'},
        {0, 0, 0, 0},
    };
    const char *json = NULL, *csv = NULL, *lang = NULL;
    int quiet = 0, c, cur_group = -1;
    struct input *in = calloc((size_t)(argc > 0 ? argc : 1), sizeof *in);
    const char **names = calloc((size_t)(argc > 0 ? argc : 1), sizeof *names);
    size_t n_in = 0, n_names = 0;
    if (!in || !names) {
        free(in);
        free(names);
        fprintf(stderr, "smbguard audit: out of memory\n");
        return EXIT_ERROR;
    }
    /* "-" first in optstring: files come back in order (as 1), so --host applies to what follows. */
    optind = 1;
    while ((c = getopt_long(argc, argv, "-hq", longopts, NULL)) != -1) {
        switch (c) {
        case 1:
            in[n_in].path = optarg;
            in[n_in].group = cur_group;
            n_in++;
            break;
        case 'h':
            audit_help();
            free(in);
            free(names);
            return EXIT_CLEAN;
        case 'q': quiet = 1; break;
        case O_JSON: json = optarg; break;
        case O_CSV: csv = optarg; break;
        case O_HOST:
            if (!optarg[0]) {
                free(in);
                free(names);
                return cli_usage_error("audit", "--host needs a host name");
            }
            names[n_names] = optarg;
            cur_group = (int)n_names++;
            break;
        case O_LANG:
            if (strcmp(optarg, "en") != 0 && strcmp(optarg, "ja") != 0) {
                free(in);
                free(names);
                return cli_usage_error("audit", "--lang takes en or ja, not '%s'", optarg);
            }
            lang = optarg;
            break;
        default:
            free(in);
            free(names);
            fprintf(stderr, "Try 'smbguard audit --help'.\n");
            return EXIT_USAGE;
        }
    }
    /* after "--" every argument is a file */
    for (int i = optind; i < argc; i++) {
        in[n_in].path = argv[i];
        in[n_in].group = cur_group;
        n_in++;
    }
    if (n_in == 0) {
        free(in);
        free(names);
        return cli_usage_error("audit", "no input files given");
    }
    for (size_t g = 0; g < n_names; g++) {
        int used = 0;
        for (size_t i = 0; i < n_in; i++)
            used |= in[i].group == (int)g;
        if (!used) {
            int urc = cli_usage_error("audit", "--host %s is not followed by any file", names[g]);
            free(in);
            free(names);
            return urc;
        }
    }
    i18n_init("audit", lang);

    int rc = EXIT_ERROR, input_error = 0, out_error = 0;
    struct listing **ls = calloc(n_in, sizeof *ls);
    struct grow_list hosts = {0};
    struct sink *json_sink = NULL, *csv_sink = NULL, *table = NULL;
    struct record *rec = malloc(sizeof *rec);
    const struct listing **seg = calloc(n_in, sizeof *seg);
    struct audit_host *tmp = calloc(n_in, sizeof *tmp);
    if (!ls || !rec || !seg || !tmp) {
        fprintf(stderr, "smbguard audit: out of memory\n");
        goto done;
    }

    /* 1. parse every file; an unreadable one still becomes a listing (unrecognised) */
    for (size_t i = 0; i < n_in; i++) {
        char err[512] = "";
        ls[i] = malloc(sizeof *ls[i]);
        if (!ls[i]) {
            fprintf(stderr, "smbguard audit: out of memory\n");
            goto done;
        }
        listing_init(ls[i]);
        if (audit_parse_file(in[i].path, ls[i], err, sizeof err) != 0) {
            fprintf(stderr, "smbguard audit: %s: %s\n", in[i].path, err[0] ? err : strerror(errno ? errno : EIO));
            input_error = 1;
        }
        if (!ls[i]->path[0])
            snprintf(ls[i]->path, sizeof ls[i]->path, "%s", in[i].path);
    }

    /* 2. group: the files named by the listings, then each --host segment */
    for (int g = -1; g < (int)n_names; g++) {
        unsigned k = 0;
        for (size_t i = 0; i < n_in; i++)
            if (in[i].group == g)
                seg[k++] = ls[i];
        if (k == 0)
            continue;
        int nh = audit_group(seg, k, g < 0 ? NULL : names[g], tmp, (unsigned)n_in);
        if (nh < 0) {
            fprintf(stderr, "smbguard audit: grouping failed\n");
            goto done;
        }
        for (int j = 0; j < nh; j++) {
            struct hostres *hr = calloc(1, sizeof *hr);
            if (!hr || grow_push(&hosts, hr) != 0) {
                free(hr);
                fprintf(stderr, "smbguard audit: out of memory\n");
                goto done;
            }
            hr->h = tmp[j];
        }
    }

    /* 3. decide */
    for (size_t i = 0; i < hosts.n; i++) {
        struct hostres *hr = hosts.v[i];
        audit_decide(&hr->h, &hr->r);
        snprintf(hr->name, sizeof hr->name, "%s", hr->h.host[0] ? hr->h.host
                                                  : hr->h.n ? base_name(hr->h.src[0]->path) : "?");
        snprintf(hr->domain, sizeof hr->domain, "%s", hr->h.domain);
        for (unsigned j = 0; j < hr->h.n && !hr->domain[0]; j++)
            if (!strcasecmp(hr->h.src[j]->host, hr->name))
                snprintf(hr->domain, sizeof hr->domain, "%s", hr->h.src[j]->domain);
        if (hr->h.warn_ambiguous)
            fprintf(stderr, "smbguard audit: %s: the computer name matches several hosts in this batch; "
                            "kept alone (use --host NAME FILE... to group it)\n", hr->name);
        if (hr->h.n_dropped)
            fprintf(stderr, "smbguard audit: %s: %u more file(s) of this host were not read (at most %d per host)\n",
                    hr->name, hr->h.n_dropped, AUDIT_MAX_SOURCES);
    }
    qsort(hosts.v, hosts.n, sizeof *hosts.v, hostres_cmp);

    /* 4. output: the files, then the terminal table unless stdout is taken. JSON stays English (a
     * stable format for tools); CSV is for people in a spreadsheet: its text columns follow --lang. */
    if (json && !(json_sink = sink_ndjson_open(json)))
        goto done;
    if (csv && !(csv_sink = sink_csv_open(csv)))
        goto done;
    if (!(json && !strcmp(json, "-")) && !(csv && !strcmp(csv, "-"))) {
        table = sink_table_open(stdout, table_columns(), 6, NULL, NULL);
        if (!table)
            goto done;
    }
    for (size_t i = 0; i < hosts.n; i++) {
        const struct hostres *hr = hosts.v[i];
        if (json_sink) {
            fill_record(rec, hr, 0);
            out_error |= sink_emit(json_sink, rec) != 0;
        }
        if (csv_sink) {
            fill_record(rec, hr, i18n_ja());
            out_error |= sink_emit(csv_sink, rec) != 0;
        }
        if (table) {
            fill_table_row(rec, hr);
            out_error |= sink_emit(table, rec) != 0;
        }
    }
    if (json_sink)
        out_error |= sink_close_all(json_sink) != 0;
    json_sink = NULL;
    if (csv_sink)
        out_error |= sink_close_all(csv_sink) != 0;
    csv_sink = NULL;
    if (table) {
        out_error |= sink_close_all(table) != 0;
        table = NULL;
        print_details(stdout, (struct hostres *const *)hosts.v, hosts.n);
        out_error |= fflush(stdout) != 0;
    }

    /* 5. summary and exit code */
    unsigned long by[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < hosts.n; i++) {
        const struct hostres *hr = hosts.v[i];
        if ((unsigned)hr->r.verdict < 4)
            by[hr->r.verdict]++;
    }
    if (!quiet) {
        fprintf(stderr, "smbguard audit: %s %zu, %s %zu\n", _(N_("files:")), n_in, _(N_("hosts:")), hosts.n);
        static const enum audit_verdict order[] = {AV_VULNERABLE, AV_UNKNOWN, AV_PATCHED, AV_NOT_AFFECTED};
        for (size_t i = 0; i < 4; i++) {
            if (!by[order[i]])
                continue;
            if (i18n_ja())
                fprintf(stderr, "  %-14s %lu  %s\n", audit_verdict_name(order[i]), by[order[i]],
                        verdict_label(order[i]));
            else
                fprintf(stderr, "  %-14s %lu\n", audit_verdict_name(order[i]), by[order[i]]);
        }
        if (by[AV_VULNERABLE])
            fprintf(stderr, "  %s\n", _(N_("Vulnerable hosts: apply the update shown above, or isolate them until you can.")));
    }
    fprintf(stderr, "smbguard audit: undecided: %lu\n", by[AV_UNKNOWN]);
    if (out_error)
        fprintf(stderr, "smbguard audit: writing the output failed\n");
    /* a vulnerable host is never hidden behind an error code */
    if (by[AV_VULNERABLE])
        rc = EXIT_FOUND;
    else if (input_error || out_error)
        rc = EXIT_ERROR;
    else if (by[AV_UNKNOWN])
        rc = EXIT_UNDECIDED;
    else
        rc = EXIT_CLEAN;
done:
    if (json_sink)
        sink_close_all(json_sink);
    if (csv_sink)
        sink_close_all(csv_sink);
    if (table)
        sink_close_all(table);
    for (size_t i = 0; i < hosts.n; i++)
        free(hosts.v[i]);
    free(hosts.v);
    if (ls)
        for (size_t i = 0; i < n_in; i++)
            free(ls[i]);
    free(ls);
    free(seg);
    free(tmp);
    free(rec);
    free(in);
    free(names);
    return rc;
}
