/* listing.h: what one input file says about one Windows host, whatever its format, language and
 * encoding (systeminfo list/CSV/table, wmic qfe list/brief/CSV, Get-HotFix table/CSV/JSON, the
 * smbguard collector file, a list of missing updates). Filled by the parsers (parse_*.c), read by
 * grouping and the decision (decide.c). Fixed-size storage: a listing owns no heap memory; entry
 * and string caps are documented below and exceeding them sets `overflow`. */
#ifndef SG_AUDIT_LISTING_H
#define SG_AUDIT_LISTING_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define LISTING_MAX_ENTRIES 2048
#define LISTING_STR 256

enum listing_kind {
    LK_UNRECOGNISED = 0,   /* empty, unreadable, or not a patch listing: no verdict of its own */
    LK_SYSTEMINFO,
    LK_WMIC_QFE,
    LK_GET_HOTFIX,
    LK_COLLECTOR,          /* smbguard collector file: several sections, one host */
    LK_MISSING_UPDATES,    /* wesng _listupdates.vbs style "KBnnnnnnn: title": NOT installed */
    LK_DISM_PACKAGES,      /* dism /online /get-packages (list or table) / Get-WindowsPackage: no host, no OS */
};
enum listing_format { LF_LIST = 0, LF_CSV, LF_TABLE, LF_JSON, LF_BRIEF };

/* One hotfix entry as listed (entries are counted as listed, duplicates included). */
struct hotfix {
    uint32_t kb;             /* 4012212 for "KB4012212"; 0 when the entry names no KB ("File 1", GUID, Q-number) */
    unsigned line;           /* 1-based line in the decoded file, for evidence */
    int64_t installed_on;    /* UTC seconds at local midnight or the exact FILETIME; INT64_MIN unknown */
    int installed_on_date_only; /* 1 when only a date was given (M/D/YYYY, locale date, YYYYMMDD) */
    char raw[32];            /* the HotFixID text as listed (truncated) */
};

/* Tri-state: -1 unknown, 0 no, 1 yes. */
struct listing {
    enum listing_kind kind;
    enum listing_format format;
    char path[LISTING_STR];          /* input file, for messages */
    char encoding[24];               /* "UTF-8", "UTF-16LE", "CP932", ... as detected */
    char language[8];                /* "en", "ja", "de", "fr", "it", "es", "ru", "zh", "" unknown */
    char host[LISTING_STR];          /* Host Name / CSName / collector header, upper-cased as given */
    char domain[LISTING_STR];        /* systeminfo Domain, "" when absent */
    char os_name[LISTING_STR];       /* normalised OS Name ("Microsoft Windows 7 Enterprise") */
    unsigned ver_major, ver_minor, ver_build;   /* from OS Version; 0 when absent */
    int ubr;                         /* -1 unknown */
    int service_pack;                /* -1 unknown, 0 none */
    int product_type;                /* -1 unknown, 1 workstation, 2 domain controller, 3 server */
    char system_type[64];            /* "x64-based PC", "X86-based PC", ... */
    int arch_bits;                   /* 32, 64, 0 unknown; 65 Itanium */
    int64_t boot_time;               /* UTC seconds, INT64_MIN unknown */
    int boot_time_local;             /* 1 when boot_time is local wall time (systeminfo), 0 UTC */
    int64_t listing_time;            /* when the listing was taken, INT64_MIN unknown */
    int64_t uptime_s;                /* XP/2003 "System Up Time", -1 unknown */
    int declared_count;              /* "273 Hotfix(s) Installed.", -1 when not declared */
    int cut_entry;                   /* the last entry is cut ("[24", "[240]: KB2862") */
    unsigned n_entries;
    struct hotfix entries[LISTING_MAX_ENTRIES];
    int overflow;                    /* more entries than fit, or a string cut */
    /* collector-only facts (unknown = -1 / empty) */
    char srv_sys_version[32];        /* numeric "6.1.7601.23689" */
    char srv_sys_path[LISTING_STR];
    int srv_sys_absent;              /* 1: the collector looked and found no srv.sys */
    int reboot_pending;              /* -1 unknown, 0 no, 1 yes (CBS / WU / PendingFileRename srv.sys / DISM) */
    char reboot_why[128];
    int smb1_server;                 /* -1 unknown, 0 off/removed, 1 on */
    int smb1_feature_removed;        /* -1 unknown, 1 SMB1Protocol feature removed/disabled */
    int server_service_running;      /* -1 unknown */
    int listening_445, listening_139;/* -1 unknown */
    char av_status[LISTING_STR];     /* free text, never evidence */
    char ui_language[16];            /* "ja-JP" from the collector, for the KB4012598 package */
    /* added by the parsers (append-only): */
    char os_name_en[LISTING_STR];    /* os_name with localized edition words in English
                                      * ("Microsoft Windows 7 Entreprise N" -> "... Enterprise N") */
};

void listing_init(struct listing *l);

#endif
