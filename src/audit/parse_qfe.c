/* parse_qfe.c: Win32_QuickFixEngineering rows in their text forms: wmic qfe (fixed-width `list`,
 * `list brief`, `/format:csv` with a Node column, `/value` / `list full`) and Get-HotFix (table with a
 * dashed rule, Export-Csv / ConvertTo-Csv with or without #TYPE, ',' or ';'). Columns by name. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

enum col { C_ID, C_SPIE, C_ON, C_HOST, C_NODE, C_N };

static int col_of(const char *name)
{
    static const struct {
        const char *n;
        int c;
    } m[] = {{"HotFixID", C_ID},       {"ServicePackInEffect", C_SPIE}, {"InstalledOn", C_ON},
             {"CSName", C_HOST},       {"Source", C_HOST},              {"PSComputerName", C_HOST},
             {"__SERVER", C_HOST},     {"Node", C_NODE}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        const char *p = pu_prefix(name, m[i].n);
        if (p && *p == '\0')
            return m[i].c;
    }
    return -1;
}

/* One row. v[c] may be NULL. pref: how to read an ambiguous d/m. */
static void row(struct listing *l, const char *const v[C_N], unsigned line, enum pu_datepref pref,
                int *rows)
{
    char id[64] = "", spie[64] = "", on[64] = "", host[LISTING_STR] = "";
    if (v[C_ID])
        pu_copy_trim(id, sizeof id, v[C_ID], strlen(v[C_ID]), NULL);
    if (v[C_SPIE])
        pu_copy_trim(spie, sizeof spie, v[C_SPIE], strlen(v[C_SPIE]), NULL);
    if (v[C_ON])
        pu_copy_trim(on, sizeof on, v[C_ON], strlen(v[C_ON]), NULL);
    const char *hv = v[C_HOST] ? v[C_HOST] : v[C_NODE];
    if (hv)
        pu_copy_trim(host, sizeof host, hv, strlen(hv), NULL);
    if (!id[0] && !spie[0])
        return;
    if (host[0] && !l->host[0])
        pu_copy_trim(l->host, sizeof l->host, host, strlen(host), &l->overflow);
    uint32_t kb = pu_kb(id);
    /* XP/2003: HotFixID "File 1", the KB is in ServicePackInEffect (which otherwise says "SP3",
     * "SP4": the update's own service-pack level, never the OS's) */
    if (!kb && pu_prefix(id, "File"))
        kb = pu_kb(spie);
    int64_t t = INT64_MIN;
    int date_only = 0;
    if (on[0] && pu_date(on, pref, &t, &date_only) != 0)
        t = INT64_MIN, date_only = 0;
    pu_add_entry(l, kb, line, t, date_only, id[0] ? id : spie);
    (*rows)++;
}

/* A PowerShell prompt after a table ends it. */
static int is_prompt(const char *s)
{
    return (strncmp(s, "PS ", 3) == 0 && strchr(s, '>')) || (s[0] && s[1] == ':' && strchr(s, '>'));
}

/* Fixed-width columns from header words (wmic) or from a rule line of '-' (Get-HotFix table). */
static int fixed(struct pline *L, size_t n, size_t hi, int dashed, struct listing *l)
{
    const char *h = L[hi].s;
    size_t hn = L[hi].n;
    /* wmic on XP writes "Please wait while WMIC is being installed." before the header */
    size_t skip = 0;
    if (!dashed) {
        static const char *const first[] = {"Caption", "Description", "CSName", "FixComments", "HotFixID"};
        size_t best = hn;
        for (size_t i = 0; i < sizeof first / sizeof first[0]; i++) {
            const char *p = strstr(h, first[i]);
            if (p && (size_t)(p - h) < best)
                best = (size_t)(p - h);
        }
        skip = best;
    }
    size_t starts[64];
    int cols[64];
    size_t nc = 0;
    const char *rule = dashed ? L[hi + 1].s : h + skip;
    size_t rn = dashed ? L[hi + 1].n : hn - skip;
    char rc = dashed ? '-' : 0;
    for (size_t c = 0; c < rn && nc < 64;) {
        int in = rc ? rule[c] == rc : rule[c] != ' ';
        if (!in) {
            c++;
            continue;
        }
        size_t b = c;
        while (c < rn && (rc ? rule[c] == rc : rule[c] != ' '))
            c++;
        /* header text of this column */
        char name[64];
        const char *hs = h + skip;
        size_t hb = pu_col_to_byte(hs, hn - skip, pu_cols(rule, b));
        size_t he = pu_col_to_byte(hs, hn - skip, pu_cols(rule, c));
        pu_copy_trim(name, sizeof name, hs + hb, he - hb, NULL);
        starts[nc] = pu_cols(rule, b);
        cols[nc] = col_of(name);
        nc++;
    }
    int have_id = 0;
    for (size_t c = 0; c < nc; c++)
        have_id |= cols[c] == C_ID;
    if (!have_id)
        return 0;
    int rows = 0;
    for (size_t i = hi + 1 + (size_t)dashed; i < n; i++) {
        if (L[i].n == 0)
            continue;
        if (is_prompt(L[i].s))
            break;
        char buf[64][256];
        const char *v[C_N] = {0};
        for (size_t c = 0; c < nc; c++) {
            if (cols[c] < 0)
                continue;
            size_t b = pu_col_to_byte(L[i].s, L[i].n, starts[c]);
            size_t e = c + 1 < nc ? pu_col_to_byte(L[i].s, L[i].n, starts[c + 1]) : L[i].n;
            pu_copy_trim(buf[c], sizeof buf[c], L[i].s + b, e - b, NULL);
            v[cols[c]] = buf[c];
        }
        row(l, v, L[i].no, dashed ? PU_DMY : PU_MDY, &rows);
    }
    l->kind = dashed ? LK_GET_HOTFIX : LK_WMIC_QFE;
    int has_host = 0;
    for (size_t c = 0; c < nc; c++)
        has_host |= cols[c] == C_HOST;
    l->format = dashed ? LF_TABLE : (!has_host && strncmp(h + skip, "Description", 11) == 0 ? LF_BRIEF : LF_LIST);
    return 1;
}

/* CSV: header found by name (HotFixID), delimiter ',' or ';'; an optional "#TYPE ..." line first. */
static int csv(struct pline *L, size_t n, size_t hi, struct listing *l, int typeline)
{
    const char *h = L[hi].s;
    size_t commas = 0, semis = 0;
    for (const char *p = h; *p; p++) {
        commas += *p == ',';
        semis += *p == ';';
    }
    char delim = semis > commas ? ';' : ',';
    char *hb = strdup(h);
    if (!hb)
        return 0;
    char *hf[PU_CSV_MAXF];
    size_t nh = pu_csv_split(hb, delim, hf);
    int cols[PU_CSV_MAXF], have_id = 0, node = 0;
    for (size_t k = 0; k < nh; k++) {
        char name[64];
        pu_copy_trim(name, sizeof name, hf[k], strlen(hf[k]), NULL);
        cols[k] = col_of(name);
        have_id |= cols[k] == C_ID;
        node |= cols[k] == C_NODE;
    }
    free(hb);
    if (!have_id)
        return 0;
    int rows = 0;
    for (size_t i = hi + 1; i < n; i++) {
        if (L[i].n == 0)
            continue;
        char *db = strdup(L[i].s);
        if (!db)
            break;
        char *df[PU_CSV_MAXF];
        size_t nd = pu_csv_split(db, delim, df);
        const char *v[C_N] = {0};
        for (size_t k = 0; k < nh && k < nd; k++)
            if (cols[k] >= 0)
                v[cols[k]] = df[k];
        /* wmic /format:csv writes InstalledOn as M/D/YYYY; PowerShell in the culture's format */
        row(l, v, L[i].no, node ? PU_MDY : PU_DMY, &rows);
        free(db);
    }
    l->kind = node && !typeline ? LK_WMIC_QFE : LK_GET_HOTFIX;
    l->format = LF_CSV;
    return 1;
}

/* wmic qfe list full / get ... /value: "Name=Value" lines, records separated by blank lines. */
static int value_list(struct pline *L, size_t n, struct listing *l)
{
    int rows = 0, any = 0;
    char buf[C_N][256];
    const char *v[C_N] = {0};
    unsigned line = 0;
    for (size_t i = 0; i <= n; i++) {
        int flush = i == n || L[i].n == 0;
        int c = -1;
        const char *eq = NULL;
        if (!flush) {
            eq = strchr(L[i].s, '=');
            if (eq) {
                char name[64];
                pu_copy_trim(name, sizeof name, L[i].s, (size_t)(eq - L[i].s), NULL);
                c = col_of(name);
                if (c >= 0 && v[c])
                    flush = 1; /* the same key again: a new record */
            }
        }
        if (flush && (v[C_ID] || v[C_SPIE])) {
            row(l, v, line, PU_MDY, &rows);
            any = 1;
        }
        if (flush)
            memset(v, 0, sizeof v);
        if (c >= 0) {
            pu_copy_trim(buf[c], sizeof buf[c], eq + 1, strlen(eq + 1), NULL);
            v[c] = buf[c];
            if (c == C_ID)
                line = L[i].no;
        }
    }
    if (!any)
        return 0;
    l->kind = LK_WMIC_QFE;
    l->format = LF_LIST;
    return 1;
}

int parse_qfe_lines(struct pline *L, size_t n, struct listing *l)
{
    int typeline = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = L[i].s;
        if (L[i].n == 0)
            continue;
        if (strncmp(s, "#TYPE", 5) == 0) {
            typeline = 1;
            continue;
        }
        if (!strstr(s, "HotFixID"))
            continue;
        if (strncmp(pu_skipws(s), "HotFixID", 8) == 0 && strchr(s, '='))
            return value_list(L, n, l);
        size_t commas = 0, semis = 0;
        for (const char *p = s; *p; p++) {
            commas += *p == ',';
            semis += *p == ';';
        }
        if (s[0] == '"' || (commas + semis > 0 && !strstr(s, "  ")))
            return csv(L, n, i, l, typeline);
        int dashed = i + 1 < n && L[i + 1].n > 0 && strspn(L[i + 1].s, "- ") == L[i + 1].n;
        return fixed(L, n, i, dashed, l);
    }
    /* /value output starts with Caption= etc.: look for a HotFixID= line anywhere */
    for (size_t i = 0; i < n; i++)
        if (pu_prefix(L[i].s, "HotFixID="))
            return value_list(L, n, l);
    return 0;
}
