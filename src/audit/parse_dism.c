/* parse_dism.c: DISM package lists (`dism /online /get-packages [/format:table] [/english]`, English,
 * Japanese and German words; Get-WindowsPackage -Online) read as a list of installed KBs (docs/audit.md). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

/* Labels (the text before the colon). ja/de are the words Windows uses in a localized DISM; a label
 * not in this table is not read. */
static const struct {
    const char *label, *lang;
} id_labels[] = {
    {"Package Identity", "en"}, {"PackageName", "en"}, {"パッケージ ID", "ja"}, {"Paketidentität", "de"},
};
static const struct {
    const char *label, *lang;
} state_labels[] = {
    {"State", "en"}, {"PackageState", "en"}, {"状態", "ja"}, {"Status", "de"},
};

enum dstate { DS_UNKNOWN = 0, DS_INSTALLED, DS_PENDING, DS_NOT };

/* The whole (trimmed) state word; a word not listed is DS_UNKNOWN (never guessed: a substring match
 * would read "Uninstall Pending" / "アンインストールの保留中" / "Deinstallation ausstehend" as a
 * pending install). Superseded counts as installed: CBS marks a package superseded only when newer
 * installed packages carry every one of its components (docs/audit.md "DISM package lists"). */
static const struct {
    const char *word;
    enum dstate st;
} states[] = {
    {"Installed", DS_INSTALLED},       {"Superseded", DS_INSTALLED},
    {"インストール済み", DS_INSTALLED}, {"Installiert", DS_INSTALLED},
    {"Install Pending", DS_PENDING},   {"InstallPending", DS_PENDING},
    {"インストールの保留中", DS_PENDING}, {"Installation ausstehend", DS_PENDING},
    {"Staged", DS_NOT},                {"Uninstall Pending", DS_NOT}, {"UninstallPending", DS_NOT},
    {"Not Present", DS_NOT},           {"NotPresent", DS_NOT},        {"Absent", DS_NOT},
    {"Removed", DS_NOT},               {"Resolved", DS_NOT},          {"Resolving", DS_NOT},
    {"Partially Installed", DS_NOT},   {"PartiallyInstalled", DS_NOT}, {"Installation Failed", DS_NOT},
};

/* ASCII case-insensitive whole-string compare (UTF-8 bytes compared as they are). */
static int same(const char *a, const char *b)
{
    const char *p = pu_prefix(a, b);
    return p && *p == '\0';
}

static enum dstate classify(const char *w)
{
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (same(w, states[i].word))
            return states[i].st;
    return DS_UNKNOWN;
}

/* 1 when v looks like a package identity: Name~PublicKeyToken~Arch~Language~Version, no spaces. */
static int identity_like(const char *v)
{
    if (!*v || strchr(v, ' ') || strchr(v, '\t'))
        return 0;
    return strchr(v, '~') != NULL;
}

/* An identity cut short (fewer than four '~' or an empty version). */
static int identity_cut(const char *v)
{
    int t = 0;
    const char *last = NULL;
    for (const char *p = v; *p; p++)
        if (*p == '~') {
            t++;
            last = p;
        }
    return t < 4 || !last || last[1] == '\0';
}

/* The KB of "Package_for_KB4012212~...", "Package_1_for_KB4012215~...", "Package_for_KB2533552_SP1~..."
 * (6-7 digits after "for_KB" in the package name), else 0. */
static uint32_t identity_kb(const char *v)
{
    const char *end = strchr(v, '~');
    size_t n = end ? (size_t)(end - v) : strlen(v);
    for (size_t i = 0; i + 6 < n; i++) {
        const char *p = pu_prefix(v + i, "for_KB");
        if (!p)
            continue;
        size_t d = 0;
        uint32_t kb = 0;
        while (p + d < v + n && isdigit((unsigned char)p[d]) && d < 8) {
            kb = kb * 10 + (uint32_t)(p[d] - '0');
            d++;
        }
        if (d >= 6 && d <= 7 && (p + d == v + n || !isdigit((unsigned char)p[d])))
            return kb;
    }
    return 0;
}

/* "LABEL : value" (ASCII ':' or the full-width '：'): splits a private copy; returns 1 with the
 * trimmed label and value. */
static int split_kv(const char *s, char *label, size_t lcap, char *value, size_t vcap)
{
    const char *c = strchr(s, ':');
    const char *fw = strstr(s, "\xEF\xBC\x9A");
    size_t clen = 1;
    if (fw && (!c || fw < c)) {
        c = fw;
        clen = 3;
    }
    if (!c || c == s)
        return 0;
    pu_copy_trim(label, lcap, s, (size_t)(c - s), NULL);
    pu_copy_trim(value, vcap, c + clen, strlen(c + clen), NULL);
    return label[0] != '\0';
}

static const char *id_label_lang(const char *label)
{
    for (size_t i = 0; i < sizeof id_labels / sizeof id_labels[0]; i++)
        if (same(label, id_labels[i].label))
            return id_labels[i].lang;
    return NULL;
}

static int is_state_label(const char *label)
{
    for (size_t i = 0; i < sizeof state_labels / sizeof state_labels[0]; i++)
        if (same(label, state_labels[i].label))
            return 1;
    return 0;
}

struct dism {
    struct listing *l;
    int open;                  /* a package block is open */
    char id[LISTING_STR];
    unsigned id_line;
    int have_state;
    enum dstate st;
    unsigned packages, hidden;
    char why[128];
};

static void add_why(struct dism *d, const char *what)
{
    size_t k = strlen(d->why);
    if (k + strlen(what) + 24 >= sizeof d->why) {
        if (k + 5 < sizeof d->why && !strstr(d->why, ", ..."))
            snprintf(d->why + k, sizeof d->why - k, ", ...");
        return;
    }
    snprintf(d->why + k, sizeof d->why - k, "%s%s", k ? ", " : "DISM Install Pending: ", what);
}

/* Ends the open package block; at_end: the file ends right after it (a block without its state
 * there is a cut list, elsewhere a package whose state is unknown). */
static void flush(struct dism *d, int at_end)
{
    if (!d->open)
        return;
    d->open = 0;
    d->packages++;
    uint32_t kb = identity_kb(d->id);
    char name[LISTING_STR];
    const char *t = strchr(d->id, '~');
    pu_copy_trim(name, sizeof name, d->id, t ? (size_t)(t - d->id) : strlen(d->id), NULL);
    int rollup = pu_prefix(name, "Package_for_RollupFix") != NULL;
    if (at_end && (!d->have_state || identity_cut(d->id))) {
        d->l->cut_entry = 1;
        return;
    }
    enum dstate st = d->have_state ? d->st : DS_UNKNOWN;
    if (st == DS_PENDING) {
        char w[48];
        if (kb)
            snprintf(w, sizeof w, "KB%u", (unsigned)kb);
        else
            pu_copy_trim(w, sizeof w, name, strlen(name), NULL);
        add_why(d, w);
    }
    if (kb && (st == DS_INSTALLED || st == DS_PENDING)) {
        pu_add_entry(d->l, kb, d->id_line, INT64_MIN, 0, name);
    } else if ((kb || rollup) && st != DS_NOT) {
        /* may hold the fix, but which KB (RollupFix) or whether it is installed (unknown word) is
         * not known: the list cannot prove a KB absent */
        d->hidden++;
    }
}

static void open_block(struct dism *d, const char *id, unsigned line)
{
    flush(d, 0);
    d->open = 1;
    pu_copy_trim(d->id, sizeof d->id, id, strlen(id), &d->l->overflow);
    d->id_line = line;
    d->have_state = 0;
    d->st = DS_UNKNOWN;
}

static void set_state(struct dism *d, const char *w)
{
    if (!d->open || d->have_state)
        return;
    d->have_state = 1;
    d->st = classify(w);
}

/* Splits a table row at '|' in place; returns the field count (fields trimmed). */
static size_t split_bar(char *s, char **f, size_t max)
{
    size_t n = 0;
    char *p = s;
    while (n < max) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        size_t k = strlen(p);
        while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
            p[--k] = '\0';
        f[n++] = p;
        if (!bar)
            break;
        p = bar + 1;
    }
    return n;
}

int parse_dism_lines(struct pline *L, size_t n, struct listing *l)
{
    struct dism d;
    memset(&d, 0, sizeof d);
    d.l = l;
    int table = 0;
    size_t id_col = 0, st_col = 1;
    const char *lang = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *s = pu_skipws(L[i].s);
        if (!*s)
            continue;
        if (strchr(s, '|')) {
            char buf[1024], *f[16];
            pu_copy_trim(buf, sizeof buf, s, strlen(s), NULL);
            size_t nf = split_bar(buf, f, 16);
            if (nf < 2)
                continue;
            const char *hl = id_label_lang(f[0]);
            if (hl) { /* header row: find the columns by name */
                lang = lang ? lang : hl;
                id_col = 0;
                for (size_t k = 1; k < nf; k++)
                    if (is_state_label(f[k])) {
                        st_col = k;
                        break;
                    }
                table = 1;
                continue;
            }
            if (id_col < nf && identity_like(f[id_col])) {
                open_block(&d, f[id_col], L[i].no);
                if (st_col < nf && f[st_col][0])
                    set_state(&d, f[st_col]);
                table = 1;
            }
            continue;
        }
        char label[128], value[LISTING_STR];
        if (!split_kv(s, label, sizeof label, value, sizeof value))
            continue;
        const char *il = id_label_lang(label);
        if (il && identity_like(value)) {
            lang = lang ? lang : il;
            open_block(&d, value, L[i].no);
        } else if (is_state_label(label) && value[0]) {
            set_state(&d, value);
        }
    }
    flush(&d, 1);
    if (d.packages == 0)
        return 0;
    l->kind = LK_DISM_PACKAGES;
    l->format = table ? LF_TABLE : LF_LIST;
    if (lang)
        pu_copy_trim(l->language, sizeof l->language, lang, strlen(lang), NULL);
    l->declared_count = (int)(l->n_entries + d.hidden);
    if (d.why[0]) {
        l->reboot_pending = 1;
        pu_copy_trim(l->reboot_why, sizeof l->reboot_why, d.why, strlen(d.why), &l->overflow);
    }
    return 1;
}
