/* parse_systeminfo.c: systeminfo output in any of its three forms (list, /FO CSV, /FO TABLE) and
 * eight UI languages (en, de, fr, it, es, ru, zh, ja; labels follow the display language). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

enum sk { K_HOST, K_OSNAME, K_OSVER, K_OSCONF, K_SYSTYPE, K_BOOT, K_UPTIME, K_DOMAIN, K_HOTFIX, K_N };

/* Labels without the colon (spec/patches-data/systeminfo_locale_labels.csv, patches.md 3.2; ja
 * from vuls parseSystemInfo; the remaining ru/zh/ja labels are Windows' own strings). */
static const struct {
    enum sk k;
    const char *lang, *label;
} labels[] = {
    {K_HOST, "en", "Host Name"},          {K_HOST, "de", "Hostname"},
    {K_HOST, "fr", "Nom de l'hôte"},      {K_HOST, "it", "Nome host"},
    {K_HOST, "es", "Nombre de host"},     {K_HOST, "ru", "Имя узла"},
    {K_HOST, "zh", "主机名"},             {K_HOST, "ja", "ホスト名"},
    {K_OSNAME, "en", "OS Name"},          {K_OSNAME, "de", "Betriebssystemname"},
    {K_OSNAME, "fr", "Nom du système d'exploitation"}, {K_OSNAME, "it", "Nome SO"},
    {K_OSNAME, "es", "Nombre del sistema operativo"},  {K_OSNAME, "ru", "Название ОС"},
    {K_OSNAME, "zh", "OS 名称"},          {K_OSNAME, "ja", "OS 名"},
    {K_OSVER, "en", "OS Version"},        {K_OSVER, "de", "Betriebssystemversion"},
    {K_OSVER, "fr", "Version du système"}, {K_OSVER, "it", "Versione SO"},
    {K_OSVER, "es", "Versión del sistema operativo"}, {K_OSVER, "ru", "Версия ОС"},
    {K_OSVER, "zh", "OS 版本"},           {K_OSVER, "ja", "OS バージョン"},
    {K_OSCONF, "en", "OS Configuration"}, {K_OSCONF, "de", "Betriebssystemkonfiguration"},
    {K_OSCONF, "fr", "Configuration du système d'exploitation"}, {K_OSCONF, "it", "Configurazione SO"},
    {K_OSCONF, "es", "Configuración del sistema operativo"}, {K_OSCONF, "ru", "Конфигурация ОС"},
    {K_OSCONF, "zh", "OS 配置"},          {K_OSCONF, "ja", "OS 構成"},
    {K_SYSTYPE, "en", "System Type"},     {K_SYSTYPE, "de", "Systemtyp"},
    {K_SYSTYPE, "fr", "Type du système"}, {K_SYSTYPE, "it", "Tipo sistema"},
    {K_SYSTYPE, "es", "Tipo de sistema"}, {K_SYSTYPE, "ru", "Тип системы"},
    {K_SYSTYPE, "zh", "系统类型"},        {K_SYSTYPE, "ja", "システムの種類"},
    {K_BOOT, "en", "System Boot Time"},   {K_BOOT, "de", "Systemstartzeit"},
    {K_BOOT, "fr", "Heure de démarrage du système"}, {K_BOOT, "it", "Tempo di avvio sistema"},
    {K_BOOT, "es", "Tiempo de arranque del sistema"}, {K_BOOT, "ru", "Время загрузки системы"},
    {K_BOOT, "zh", "系统启动时间"},       {K_BOOT, "ja", "システム起動時間"},
    {K_UPTIME, "en", "System Up Time"},   {K_UPTIME, "de", "Systembetriebszeit"},
    {K_DOMAIN, "en", "Domain"},           {K_DOMAIN, "de", "Domäne"},
    {K_DOMAIN, "fr", "Domaine"},          {K_DOMAIN, "it", "Dominio"},
    {K_DOMAIN, "es", "Dominio"},          {K_DOMAIN, "ru", "Домен"},
    {K_DOMAIN, "zh", "域"},               {K_DOMAIN, "ja", "ドメイン"},
    {K_HOTFIX, "en", "Hotfix(s)"},        {K_HOTFIX, "de", "Hotfix(es)"},
    {K_HOTFIX, "fr", "Correctif(s)"},     {K_HOTFIX, "it", "Aggiornamenti rapidi"},
    {K_HOTFIX, "es", "Revisión(es)"},     {K_HOTFIX, "ru", "Исправление(я)"},
    {K_HOTFIX, "zh", "修补程序"},         {K_HOTFIX, "ja", "ホットフィックス"},
};
#define NLABELS (sizeof labels / sizeof labels[0])

/* Matches a label at s. colon: the label must be followed by spaces and ':' (list form; *rest
 * then points after the colon); else it must be the whole (trimmed) text. Returns the index. */
static int match_label(const char *s, int colon, const char **rest)
{
    for (size_t i = 0; i < NLABELS; i++) {
        const char *p = pu_prefix(s, labels[i].label);
        if (!p)
            continue;
        p = pu_skipws(p);
        if (colon) {
            if (*p != ':')
                continue;
            *rest = p + 1;
            return (int)i;
        }
        if (*p == '\0')
            return (int)i;
    }
    return -1;
}

static int is_na(const char *v)
{
    v = pu_skipws(v);
    return pu_prefix(v, "N/A") || pu_prefix(v, "N/D") || pu_prefix(v, "Н/Д") || pu_prefix(v, "暂缺");
}

/* One hotfix entry text ("[01]: KB4012212" in the list, or the same inside a CSV cell).
 * Returns 1 for an entry, 2 for a cut entry, 0 when the text is no entry. */
static int entry_text(const char *t, const char **val)
{
    t = pu_skipws(t);
    if (*t != '[')
        return 0;
    t++;
    if (!isdigit((unsigned char)*t))
        return *t == '\0' ? 2 : 0;
    while (isdigit((unsigned char)*t))
        t++;
    if (*t != ']')
        return *t == '\0' ? 2 : 0;
    t = pu_skipws(t + 1);
    if (*t != ':')
        return *t == '\0' ? 2 : 0;
    t = pu_skipws(t + 1);
    if (*t == '\0')
        return 2;
    *val = t;
    return 1;
}

/* "KB2862" at the end of a cut list: a KB with fewer than 6 digits and nothing after it. */
static int short_kb(const char *v)
{
    const char *p = pu_prefix(v, "KB");
    if (!p)
        return 0;
    size_t d = 0;
    while (isdigit((unsigned char)p[d]))
        d++;
    return d > 0 && d < 6 && p[d] == '\0';
}

struct sstate {
    int seen[K_N];
    int lang_votes[8];
    int pending_cut;
};

static const char *const langs[8] = {"en", "de", "fr", "it", "es", "ru", "zh", "ja"};

static void vote(struct sstate *st, int li)
{
    for (int i = 0; i < 8; i++)
        if (strcmp(labels[li].lang, langs[i]) == 0)
            st->lang_votes[i] += labels[li].k == K_DOMAIN ? 0 : 1;
}

static void add_sys_entry(struct listing *l, struct sstate *st, const char *v, unsigned line)
{
    st->pending_cut = 0;
    pu_add_entry(l, pu_kb(v), line, INT64_MIN, 0, v);
}

static void hotfix_header(struct listing *l, const char *v)
{
    v = pu_skipws(v);
    if (is_na(v)) {
        l->declared_count = 0;
        return;
    }
    for (const char *p = v; *p; p++)
        if (isdigit((unsigned char)*p)) {
            l->declared_count = atoi(p);
            return;
        }
}

static void field(struct listing *l, struct sstate *st, int li, const char *v)
{
    enum sk k = labels[li].k;
    st->seen[k] = 1;
    vote(st, li);
    v = pu_skipws(v);
    switch (k) {
    case K_HOST:
        pu_copy_trim(l->host, sizeof l->host, v, strlen(v), &l->overflow);
        break;
    case K_OSNAME:
        pu_set_os_name(l, v);
        break;
    case K_OSVER:
        pu_set_os_version(l, v);
        break;
    case K_OSCONF:
        pu_set_product_type(l, v);
        break;
    case K_SYSTYPE:
        pu_set_system_type(l, v);
        break;
    case K_BOOT: {
        int64_t t;
        int d;
        if (pu_date(v, PU_DMY, &t, &d) == 0) {
            l->boot_time = t;
            l->boot_time_local = 1;
        }
        break;
    }
    case K_UPTIME: {
        long x[4];
        int k4 = 0;
        const char *p = v;
        while (*p && k4 < 4) {
            if (isdigit((unsigned char)*p)) {
                char *e;
                x[k4++] = strtol(p, &e, 10);
                p = e;
            } else {
                p++;
            }
        }
        if (k4 == 4)
            l->uptime_s = (int64_t)x[0] * 86400 + x[1] * 3600 + x[2] * 60 + x[3];
        break;
    }
    case K_DOMAIN:
        pu_copy_trim(l->domain, sizeof l->domain, v, strlen(v), &l->overflow);
        break;
    case K_HOTFIX:
        hotfix_header(l, v);
        break;
    case K_N:
        break;
    }
}

static void finish(struct listing *l, struct sstate *st, enum listing_format f)
{
    if (st->pending_cut)
        l->cut_entry = 1;
    /* a last entry "KB2862" in a list shorter than declared was cut mid-number */
    if (!l->cut_entry && l->n_entries > 0 && l->declared_count != (int)l->n_entries &&
        short_kb(l->entries[l->n_entries - 1].raw)) {
        l->n_entries--;
        l->cut_entry = 1;
    }
    int best = -1, bv = 0;
    for (int i = 0; i < 8; i++)
        if (st->lang_votes[i] > bv) {
            bv = st->lang_votes[i];
            best = i;
        }
    if (best >= 0)
        snprintf(l->language, sizeof l->language, "%s", langs[best]);
    l->kind = LK_SYSTEMINFO;
    l->format = f;
}

static int enough(const struct sstate *st)
{
    int n = 0;
    for (int i = 0; i < K_N; i++)
        n += st->seen[i];
    return n >= 2 && (st->seen[K_OSNAME] || st->seen[K_OSVER] || st->seen[K_HOTFIX]);
}

/* "Microsoft Windows [Version 10.0.20348.2527]" (a cmd banner saved with the output): the UBR. */
static void banner_ubr(struct pline *L, size_t n, struct listing *l)
{
    for (size_t i = 0; i < n && i < 8; i++) {
        const char *p = strstr(L[i].s, "[Version ");
        if (!p)
            p = strstr(L[i].s, "[バージョン ");
        if (!p)
            continue;
        p = strchr(p, ' ') + 1;
        unsigned a, b, c, d;
        if (sscanf(p, "%u.%u.%u.%u", &a, &b, &c, &d) == 4 && l->ver_build == c && l->ver_major == a)
            l->ubr = (int)d;
    }
}

/* The cells of a CSV/TABLE systeminfo: header cell h, value cell v, at line `line`. */
static void cell(struct listing *l, struct sstate *st, const char *h, char *v, unsigned line)
{
    char hb[128];
    pu_copy_trim(hb, sizeof hb, h, strlen(h), NULL);
    int li = match_label(hb, 0, NULL);
    if (li < 0)
        return;
    if (labels[li].k != K_HOTFIX) {
        char vb[LISTING_STR * 2];
        pu_copy_trim(vb, sizeof vb, v, strlen(v), NULL);
        field(l, st, li, vb);
        return;
    }
    /* "5 Hotfix(s) Installed.,[01]: KB5037930,[02]: KB5012170" */
    char *save = NULL;
    int first = 1;
    for (char *tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (first) {
            field(l, st, li, tok);
            first = 0;
            continue;
        }
        const char *val;
        int r = entry_text(tok, &val);
        if (r == 1)
            add_sys_entry(l, st, val, line);
        else if (r == 2)
            st->pending_cut = 1;
    }
}

static int parse_csv(struct pline *L, size_t n, struct listing *l)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (L[i].s[0] != '"')
            continue;
        char *hbuf = strdup(L[i].s);
        if (!hbuf)
            return 0;
        char *hf[PU_CSV_MAXF];
        size_t nh = pu_csv_split(hbuf, ',', hf);
        int keys = 0;
        for (size_t k = 0; k < nh; k++)
            keys += match_label(pu_skipws(hf[k]), 0, NULL) >= 0;
        if (keys < 2) {
            free(hbuf);
            continue;
        }
        size_t j = i + 1;
        while (j < n && L[j].n == 0)
            j++;
        struct sstate st = {0};
        if (j < n) {
            char *dbuf = strdup(L[j].s);
            if (dbuf) {
                char *df[PU_CSV_MAXF];
                size_t nd = pu_csv_split(dbuf, ',', df);
                for (size_t k = 0; k < nh && k < nd; k++)
                    cell(l, &st, hf[k], df[k], L[j].no);
                free(dbuf);
            }
        }
        free(hbuf);
        if (!enough(&st))
            return 0;
        finish(l, &st, LF_CSV);
        return 1;
    }
    return 0;
}

static int is_rule(const char *s, char c)
{
    int any = 0;
    for (; *s; s++) {
        if (*s == c)
            any = 1;
        else if (*s != ' ')
            return 0;
    }
    return any;
}

static int parse_table(struct pline *L, size_t n, struct listing *l)
{
    for (size_t i = 0; i + 2 < n; i++) {
        if (!is_rule(L[i + 1].s, '='))
            continue;
        /* column bounds from the runs of '=' (code point columns) */
        size_t starts[64], ends[64], nc = 0;
        const char *r = L[i + 1].s;
        size_t len = L[i + 1].n;
        for (size_t c = 0; c < len && nc < 64;) {
            if (r[c] == '=') {
                starts[nc] = c;
                while (c < len && r[c] == '=')
                    c++;
                ends[nc++] = c;
            } else {
                c++;
            }
        }
        size_t j = i + 2;
        while (j < n && L[j].n == 0)
            j++;
        if (j >= n)
            return 0;
        struct sstate st = {0};
        for (size_t c = 0; c < nc; c++) {
            size_t e = c + 1 < nc ? starts[c + 1] : (size_t)-1;
            const char *hs = L[i].s;
            size_t hb = pu_col_to_byte(hs, L[i].n, starts[c]);
            size_t he = pu_col_to_byte(hs, L[i].n, e == (size_t)-1 ? ends[c] + 4096 : e);
            char h[128], v[LISTING_STR * 8];
            pu_copy_trim(h, sizeof h, hs + hb, he - hb, NULL);
            const char *ds = L[j].s;
            size_t db = pu_col_to_byte(ds, L[j].n, starts[c]);
            size_t de = e == (size_t)-1 ? L[j].n : pu_col_to_byte(ds, L[j].n, e);
            pu_copy_trim(v, sizeof v, ds + db, de - db, NULL);
            cell(l, &st, h, v, L[j].no);
        }
        if (!enough(&st))
            return 0;
        finish(l, &st, LF_TABLE);
        return 1;
    }
    return 0;
}

int parse_systeminfo_lines(struct pline *L, size_t n, struct listing *l)
{
    struct sstate st = {0};
    int in_hotfix = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = L[i].s;
        if (L[i].n == 0)
            continue;
        if (s[0] != ' ' && s[0] != '\t') {
            in_hotfix = 0;
            const char *rest;
            int li = match_label(s, 1, &rest);
            if (li < 0)
                continue;
            field(l, &st, li, rest);
            if (labels[li].k == K_HOTFIX)
                in_hotfix = 1;
            continue;
        }
        if (!in_hotfix)
            continue;
        const char *val;
        int r = entry_text(s, &val);
        if (r == 1)
            add_sys_entry(l, &st, val, L[i].no);
        else if (r == 2)
            st.pending_cut = 1;
    }
    if (enough(&st)) {
        finish(l, &st, LF_LIST);
        banner_ubr(L, n, l);
        return 1;
    }
    if (parse_csv(L, n, l) || parse_table(L, n, l)) {
        banner_ubr(L, n, l);
        return 1;
    }
    return 0;
}
