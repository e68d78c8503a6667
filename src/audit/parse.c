/* parse.c: audit_parse_file / audit_parse_text (parse.h): reads and decodes a file, recognises its
 * format (collector, Get-HotFix JSON, DISM package list, systeminfo, wmic qfe / Get-HotFix columns,
 * missing-updates list) and hands it to the matching parser. Unrecognised input gives LK_UNRECOGNISED, not an error. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/parse.h"
#include "parse_int.h"

/* Resets l to listing_init values, keeping path and encoding. */
static void reset(struct listing *l)
{
    char path[LISTING_STR], enc[24];
    memcpy(path, l->path, sizeof path);
    memcpy(enc, l->encoding, sizeof enc);
    listing_init(l);
    memcpy(l->path, path, sizeof path);
    memcpy(l->encoding, enc, sizeof enc);
}

/* wesng's missing-updates list: "KBnnnnnnn: title" lines (a header line or two allowed). These KBs
 * are NOT installed: no entries are recorded. */
int parse_missing_updates_lines(struct pline *L, size_t n, struct listing *l)
{
    size_t m = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        if (L[i].n == 0)
            continue;
        const char *p = pu_prefix(L[i].s, "KB");
        if (p && isdigit((unsigned char)*p)) {
            while (isdigit((unsigned char)*p))
                p++;
            if (*p == ':') {
                m++;
                continue;
            }
        }
        other++;
    }
    if (m == 0 || other > m || other > 3)
        return 0;
    l->kind = LK_MISSING_UPDATES;
    l->format = LF_LIST;
    l->n_entries = 0;
    return 1;
}

int parse_dispatch_lines(struct pline *L, size_t n, struct listing *l)
{
    reset(l);
    /* first: its test is strict ("Package Identity : Name~Token~..." lines, or such a table row) */
    if (parse_dism_lines(L, n, l))
        return 1;
    reset(l);
    if (parse_systeminfo_lines(L, n, l))
        return 1;
    reset(l);
    if (parse_qfe_lines(L, n, l))
        return 1;
    reset(l);
    if (parse_missing_updates_lines(L, n, l))
        return 1;
    reset(l);
    return 0;
}

int audit_parse_text(const char *text, size_t len, struct listing *l)
{
    reset(l);
    const char *p = text, *end = text + len;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p < end && (*p == '[' || *p == '{')) {
        if (parse_hotfix_json(text, len, 1, l))
            return 0;
        reset(l);
    }
    char *buf = malloc(len + 1);
    if (!buf)
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    struct pline *L;
    int ovf = 0;
    size_t n = pu_split(buf, len, &L, &ovf);
    if (n == (size_t)-1) {
        free(buf);
        return -1;
    }
    size_t first = 0;
    while (first < n && L[first].n == 0)
        first++;
    int ok;
    if (first < n && strncmp(L[first].s, "#smbguard-collector", 19) == 0)
        ok = parse_collector_lines(L + first, n - first, l);
    else
        ok = parse_dispatch_lines(L, n, l);
    if (!ok)
        reset(l);
    if (ovf)
        l->overflow = 1;
    free(L);
    free(buf);
    return 0;
}

/* "'PATH': what" into err. */
static void setmsg(char *err, size_t errcap, const char *path, const char *what)
{
    if (err && errcap)
        snprintf(err, errcap, "'%s': %s", path, what);
}

int audit_parse_file(const char *path, struct listing *l, char *err, size_t errcap)
{
    listing_init(l);
    pu_copy_trim(l->path, sizeof l->path, path, strlen(path), NULL);
    if (err && errcap)
        err[0] = '\0';
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        setmsg(err, errcap, path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *raw = malloc(cap);
    int rc = 0;
    while (raw) {
        if (n == cap) {
            if (cap > PARSE_MAX_FILE) {
                setmsg(err, errcap, path, "larger than 64 MiB (PARSE_MAX_FILE): refused");
                rc = -1;
                break;
            }
            size_t nc = cap * 2;
            if (nc > (size_t)PARSE_MAX_FILE + 1)
                nc = (size_t)PARSE_MAX_FILE + 1;
            unsigned char *r2 = realloc(raw, nc);
            if (!r2) {
                free(raw);
                raw = NULL;
                break;
            }
            raw = r2;
            cap = nc;
        }
        size_t got = fread(raw + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                setmsg(err, errcap, path, strerror(errno));
                rc = -1;
            }
            break;
        }
    }
    if (!is_stdin)
        fclose(f);
    if (!raw) {
        setmsg(err, errcap, path, "out of memory");
        return -1;
    }
    if (rc == 0 && n > PARSE_MAX_FILE) {
        setmsg(err, errcap, path, "larger than 64 MiB (PARSE_MAX_FILE): refused");
        rc = -1;
    }
    if (rc != 0) {
        free(raw);
        return -1;
    }
    char *text;
    size_t tl;
    if (audit_decode(raw, n, &text, &tl, l->encoding, sizeof l->encoding) != 0) {
        free(raw);
        setmsg(err, errcap, path, "cannot decode the file");
        return -1;
    }
    int r = audit_parse_text(text, tl, l);
    free(text);
    free(raw);
    if (r != 0) {
        setmsg(err, errcap, path, "out of memory");
        return -1;
    }
    return 0;
}
