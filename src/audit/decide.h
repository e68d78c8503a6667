/* decide.h: from the listings of one host to one verdict, by the decision order of decisions.md
 * section 8, with the evidence that decided, a confidence and the advice for that exact OS.
 * Also the grouping of many files into hosts. Pure: no I/O. */
#ifndef SG_AUDIT_DECIDE_H
#define SG_AUDIT_DECIDE_H
#include "audit/kbtable.h"
#include "audit/listing.h"

/* The OS a listing describes, normalised (decisions.md 8 "Editions"). */
struct os_id {
    enum os_family family;
    unsigned major, minor, build;
    int sp;                  /* -1 unknown */
    int product_type;        /* -1 unknown, 1 workstation, 2 DC, 3 server */
    int arch_bits;           /* 32, 64, 65 (Itanium), 0 unknown */
    char edition[64];        /* "Enterprise", "Embedded Standard 7", "POSReady 2009", ... */
    char name[128];          /* display name: "Windows 7 Enterprise SP1 x64" */
};
/* 0 when the listing says enough to know the OS family, -1 when not (KB numbers never guess it). */
int audit_identify(const struct listing *l, struct os_id *os);

enum audit_verdict { AV_PATCHED, AV_VULNERABLE, AV_NOT_AFFECTED, AV_UNKNOWN };
enum audit_confidence { AC_LOW, AC_MEDIUM, AC_HIGH };

#define AUDIT_MAX_SOURCES 16
struct audit_host {
    char host[256], domain[256];
    unsigned n;                                  /* listings in this host */
    const struct listing *src[AUDIT_MAX_SOURCES];
    int warn_ambiguous;                          /* a wmic CSName matched more than one group */
    /* additions */
    unsigned n_dropped;                          /* listings of this host beyond AUDIT_MAX_SOURCES, not read */
};

struct audit_result {
    enum audit_verdict verdict;
    char reason[48];          /* snake_case: shipped_fixed, srv_sys_fixed, fixing_kb, reboot_pending, ... */
    char evidence[512];       /* "KB4012215 (file wesng_7...txt line 42)", "srv.sys 6.1.7601.23689" ... */
    enum audit_confidence confidence;
    struct os_id os;
    int os_known;
    uint32_t fix_kb;          /* the KB that decided, or the advised smallest fix */
    char fix_title[160];
    char advice[1024];        /* English advice lines separated by '\n' (the CLI translates the parts) */
    char prerequisites[256];
    int reboot_pending;       /* -1 unknown, 0, 1 */
    int smb1_state;           /* -1 unknown, 0 off, 1 on */
    char av_status[256];
    char sources[512];        /* comma-separated input paths */
};

/* Groups listings into hosts (decisions.md 8 "Grouping"); forced_host, when non-NULL, puts every
 * listing into that one host (`--host NAME FILE...`). Returns the number of hosts written to
 * out[max], or -1 when max is too small. */
int audit_group(const struct listing *const *ls, unsigned n, const char *forced_host,
                struct audit_host *out, unsigned max);
void audit_decide(const struct audit_host *h, struct audit_result *r);
const char *audit_verdict_name(enum audit_verdict v);
const char *audit_confidence_name(enum audit_confidence c);

/* additions */
/* The commands that read srv.sys's numeric file version on the host (printed with `unverified_kb` and
 * the other undecided reasons). */
#define AUDIT_SRV_SYS_PS "powershell \"(Get-Item C:\\Windows\\System32\\drivers\\srv.sys).VersionInfo | " \
    "% { '{0}.{1}.{2}.{3}' -f $_.FileMajorPart,$_.FileMinorPart,$_.FileBuildPart,$_.FilePrivatePart }\""
#define AUDIT_SRV_SYS_WMIC "wmic datafile where name=\"C:\\\\Windows\\\\System32\\\\drivers\\\\srv.sys\" get Version"
/* Fills r->advice, r->prerequisites and the advised fix (when none decided) from r->verdict, r->reason,
 * r->os and the host's listings (UI language for the KB4012598 package). Called by audit_decide. */
void audit_advise(const struct audit_host *h, struct audit_result *r);
/* Parses a numeric dotted version ("6.1.7601.23689", leading blanks allowed, text after the last number
 * ignored) into v[4]; missing parts are 0. Returns the number of parts read (>= 2), or -1. */
int audit_version_parse(const char *s, unsigned v[4]);

#endif
