/* parse_int.h: private helpers shared by the parse_*.c files (line splitting, field slicing, KB and
 * date parsing, entry appending). Not part of the audit API; only parse*.c and decode.c include it. */
#ifndef SG_AUDIT_PARSE_INT_H
#define SG_AUDIT_PARSE_INT_H
#include <stddef.h>
#include <stdint.h>
#include "audit/listing.h"

#define PARSE_MAX_LINES (1u << 20)   /* lines beyond this are ignored and set overflow */

/* One line of the decoded text, NUL-terminated in a private copy, without '\r'/'\n'. */
struct pline {
    char *s;
    uint32_t n;        /* bytes, trailing CR and spaces removed */
    uint32_t no;       /* 1-based line number in the decoded file */
};

/* Splits a private, writable copy of text into lines (NULs inside become spaces). *lines is
 * malloc'd; returns the count, or (size_t)-1 on allocation failure. *overflow set past the cap. */
size_t pu_split(char *buf, size_t len, struct pline **lines, int *overflow);

/* ---- strings ---- */
int pu_blank(const char *s);
const char *pu_skipws(const char *s);
/* ASCII case-insensitive prefix; returns the char after the prefix or NULL. */
const char *pu_prefix(const char *s, const char *pre);
/* Copies s (trimmed, internal whitespace runs kept) into dst[cap]; sets *ovf when cut. */
void pu_copy_trim(char *dst, size_t cap, const char *s, size_t n, int *ovf);
/* ASCII case-insensitive substring search. */
const char *pu_stristr(const char *hay, const char *needle);
/* Byte offset in s of code point column col (UTF-8), clamped to n. */
size_t pu_col_to_byte(const char *s, size_t n, size_t col);
/* Number of code points in s[0..n). */
size_t pu_cols(const char *s, size_t n);

/* ---- identifiers ---- */
/* Parses a HotFixID-like text: "KB4012212", "KB893803v2 - Update", "kb4012212", a bare 6-7 digit
 * number "943729". Returns the KB number, or 0 for "File 1", GUIDs, Q-numbers, anything else. */
uint32_t pu_kb(const char *s);

/* ---- dates ---- */
enum pu_datepref { PU_DMY = 0, PU_MDY = 1 };
/* Civil seconds since 1970-01-01 of a wall-clock time (no time zone applied). */
int64_t pu_civil(int y, int mo, int d, int h, int mi, int se);
/* Parses a date with an optional time: M/D/YYYY or D/M/YYYY (pref decides when both fields are
 * <= 12; "AM"/"PM" forces M/D), D.M.YYYY, D-M-YYYY, YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, 16 hex digits
 * (FILETIME, UTC), "/Date(ms)/", English month names. *date_only is 1 when no time (or an exact
 * midnight from a date-only source) was given. Returns 0 or -1. */
int pu_date(const char *s, enum pu_datepref pref, int64_t *out, int *date_only);
/* WMI datetime "20170314093012.500000+060" -> UTC seconds (offset applied). */
int pu_wmi_datetime(const char *s, int64_t *out);

/* ---- listing ---- */
/* Appends one entry; sets overflow when full. raw is the listed HotFixID text. */
void pu_add_entry(struct listing *l, uint32_t kb, unsigned line, int64_t installed_on,
                  int date_only, const char *raw);
/* Normalises an OS name (code-page damage, (R)/(TM)/marks, NBSP, spaces) into l->os_name and the
 * edition words mapped to English into l->os_name_en. */
void pu_set_os_name(struct listing *l, const char *name);
/* "x64-based PC" -> l->system_type, l->arch_bits. */
void pu_set_system_type(struct listing *l, const char *v);
/* "6.1.7601 Service Pack 1 Build 7601" (any language) -> version, build, service pack. */
void pu_set_os_version(struct listing *l, const char *v);
/* OS Configuration words (localized) -> product_type. */
void pu_set_product_type(struct listing *l, const char *v);

/* ---- CSV ---- */
#define PU_CSV_MAXF 128
/* Splits one CSV record (RFC 4180 quotes, delimiter delim) in place; returns the field count
 * (at most PU_CSV_MAXF). Fields are NUL-terminated, unquoted. */
size_t pu_csv_split(char *line, char delim, char **fields);

/* ---- format parsers (each returns 1 when it recognised its format and filled l, else 0) ---- */
int parse_systeminfo_lines(struct pline *L, size_t n, struct listing *l);
/* wmic qfe (fixed width, list brief, /format:csv with Node, /value) and Get-HotFix (table, CSV with
 * or without #TYPE, ',' or ';'): one column engine; kind says which tool it was. */
int parse_qfe_lines(struct pline *L, size_t n, struct listing *l);
int parse_hotfix_json(const char *text, size_t len, unsigned line0, struct listing *l);
int parse_missing_updates_lines(struct pline *L, size_t n, struct listing *l);
int parse_collector_lines(struct pline *L, size_t n, struct listing *l);
/* DISM package list (`dism /online /get-packages`, list or /format:table; English, Japanese, German
 * labels and state words; Get-WindowsPackage list): LK_DISM_PACKAGES. Installed / Superseded /
 * Install Pending Package_for_KBnnnnnnn packages become entries (line of the identity); Install
 * Pending also sets reboot_pending = 1 with the package in reboot_why. Packages that may hold a fix
 * without naming its KB (an unrecognised state word, Package_for_RollupFix) are counted in
 * declared_count but not listed, so the list cannot prove a KB absent; a last package without its
 * state sets cut_entry. */
int parse_dism_lines(struct pline *L, size_t n, struct listing *l);
/* Tries every stand-alone format on L[0..n) (used by parse.c and by collector sections). */
int parse_dispatch_lines(struct pline *L, size_t n, struct listing *l);

#endif
