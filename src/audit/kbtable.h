/* kbtable.h: the MS17-010 knowledge table, generated at build time from data/ms17010.csv (see
 * data/README.md): per OS family, the KBs that carry the fix, the traps, the thresholds, the
 * smallest fixing update and the prerequisites. Read-only, no I/O. */
#ifndef SG_AUDIT_KBTABLE_H
#define SG_AUDIT_KBTABLE_H
#include <stdint.h>

enum os_family {
    OSF_UNKNOWN = 0,
    OSF_NT4, OSF_2000,
    OSF_XP_X86,            /* XP x86 RTM..SP3, XP Embedded, POSReady 2009 */
    OSF_XP_X64_2003,       /* XP Professional x64, Server 2003 / R2 (x86, x64, Itanium) */
    OSF_VISTA_2008,        /* Vista, Server 2008 (6000..6003) */
    OSF_7_2008R2,          /* 7, 2008 R2, Embedded Standard 7, POSReady 7, Thin PC */
    OSF_8,                 /* Windows 8 client (no rollups: KB4012598) */
    OSF_2012,              /* Server 2012, Windows Embedded 8 Standard */
    OSF_81_2012R2,         /* 8.1, RT 8.1, Server 2012 R2, Embedded 8.1 Industry */
    OSF_10_1507, OSF_10_1511, OSF_10_1607_2016,
    OSF_SHIPPED_FIXED,     /* 10 1703+, 11, Server 2019+ (build >= 15063) */
    OSF_COUNT
};

enum kb_effect {
    KBE_NONE = 0,          /* unrelated */
    KBE_FIXES,             /* carries the MS17-010 fix for this family */
    KBE_TRAP,              /* looks related but does not fix (April 2017 security-only, replaced KBs) */
    KBE_UNVERIFIED,        /* a security-only update of June 2017 or later, a 2008 SP2 rollup marked UNVERIFIED */
};

struct kb_info {
    uint32_t kb;
    enum kb_effect effect;
    const char *kind;      /* "security-only", "monthly rollup", "preview rollup", "out-of-band", "cumulative update" */
                           /* also "rollup" (monthly or preview: the source does not tell which) and
                            * "security update" (Vista/2008: KB4012598, KB4018466, KB3177186) */
    const char *month;     /* "2017-03" */
                           /* "" when the source gives no release month */
    const char *title;     /* short English title */
    int ubr;               /* Windows 10/2016 CU: the UBR it sets; 0 otherwise */
};

/* Looks a KB up for a family. Returns NULL when the table does not know the KB for that family. */
const struct kb_info *kbtable_lookup(enum os_family f, uint32_t kb);
/* The newest KB the table knows for the family (for `kb_newer_than_table`), or 0. */
uint32_t kbtable_newest(enum os_family f);

struct family_info {
    enum os_family family;
    const char *name;                   /* "Windows 7 SP1 / Server 2008 R2 SP1" */
    const char *srv_sys_fixed;          /* "6.1.7601.23689"; Vista/2008: GDR threshold */
    const char *srv_sys_fixed_ldr;      /* Vista/2008 LDR threshold, else NULL */
    unsigned ubr_build, ubr_fixed;      /* 14393, 953; 0 when not a Windows 10 family */
    uint32_t smallest_fix;              /* KB of the smallest installable fixing update */
    const char *smallest_fix_title;
    const char *prerequisites;          /* "SP1 (KB976932)", "KB2919355", ... or NULL */
    const char *smb1_off;               /* how to turn the SMB1 server off on this OS */
    /* additions (after the fields above, which keep their order) */
    const char *id;                     /* stable token of the family in data/ms17010.csv: "7_2008r2" */
    const char *covers;                 /* editions, builds and architectures the family stands for */
    unsigned min_sp;                    /* lowest service pack that can take the fix (XP x86 3, XP x64/2003 2,
                                         * Vista/2008 2, 7/2008 R2 1); 0 when no service-pack floor */
    const char *no_fix_levels;          /* levels for which no fix exists ("6000 (RTM), 6001 (SP1)"), or NULL */
    const char *package_rule;           /* how the KB4012598 package is named (per UI language on XP/2003), or NULL */
    unsigned ubr_rollback_lo, ubr_rollback_hi;  /* 10240: UBR window [lo, hi) of CVE-2024-43491 in which the
                                                 * UBR alone does not decide (decisions.md 8 rule 2); 0, 0 elsewhere */
};
const struct family_info *kbtable_family(enum os_family f);
const char *os_family_name(enum os_family f);

/* additions */
/* All rows of a family, sorted by KB number, unique: *rows gets the array (NULL when none), returns the count. */
unsigned kbtable_rows(enum os_family f, const struct kb_info **rows);
/* The newest (highest-numbered) KB that carries the fix for the family (advice: "the latest rollup you are
 * entitled to"), or 0. */
uint32_t kbtable_newest_fix(enum os_family f);

#endif
