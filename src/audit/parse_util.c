/* parse_util.c: helpers shared by the listing parsers: line splitting, trimming, KB numbers, dates
 * in the formats Windows prints, OS name normalisation, CSV records. No I/O. */
#include "parse_int.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t pu_split(char *buf, size_t len, struct pline **lines, int *overflow)
{
    size_t cnt = 1;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\0')
            buf[i] = ' ';
        else if (buf[i] == '\n')
            cnt++;
    }
    if (cnt > PARSE_MAX_LINES) {
        cnt = PARSE_MAX_LINES;
        *overflow = 1;
    }
    struct pline *v = malloc(cnt * sizeof *v);
    if (!v)
        return (size_t)-1;
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= len && k < cnt; i++) {
        if (i == len || buf[i] == '\n') {
            size_t e = i;
            while (e > start && (buf[e - 1] == '\r' || buf[e - 1] == ' ' || buf[e - 1] == '\t'))
                e--;
            /* a lone CR inside the line (wmic "\r\r\n" is handled above) becomes a space */
            for (size_t j = start; j < e; j++)
                if (buf[j] == '\r')
                    buf[j] = ' ';
            if (i < len)
                buf[i] = '\0';
            buf[e] = '\0';
            v[k].s = buf + start;
            v[k].n = (uint32_t)(e - start);
            v[k].no = (uint32_t)(k + 1);
            k++;
            start = i + 1;
        }
    }
    *lines = v;
    return k;
}

int pu_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

const char *pu_skipws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

const char *pu_prefix(const char *s, const char *pre)
{
    for (; *pre; s++, pre++)
        if (tolower((unsigned char)*s) != tolower((unsigned char)*pre))
            return NULL;
    return s;
}

void pu_copy_trim(char *dst, size_t cap, const char *s, size_t n, int *ovf)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (cap == 0)
        return;
    if (n >= cap) {
        n = cap - 1;
        /* do not cut a UTF-8 sequence */
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        if (ovf)
            *ovf = 1;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

const char *pu_stristr(const char *hay, const char *needle)
{
    if (!*needle)
        return hay;
    for (; *hay; hay++)
        if (pu_prefix(hay, needle))
            return hay;
    return NULL;
}

size_t pu_col_to_byte(const char *s, size_t n, size_t col)
{
    size_t i = 0, c = 0;
    while (i < n && c < col) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        c++;
    }
    return i;
}

size_t pu_cols(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

uint32_t pu_kb(const char *s)
{
    s = pu_skipws(s);
    const char *p = pu_prefix(s, "KB");
    int prefixed = p != NULL;
    if (!p)
        p = s;
    if (*p == ' ' || *p == '-' || *p == '_')
        p += prefixed;
    if (!isdigit((unsigned char)*p))
        return 0;
    uint64_t v = 0;
    int digits = 0;
    while (isdigit((unsigned char)*p) && digits < 10) {
        v = v * 10 + (uint64_t)(*p - '0');
        p++;
        digits++;
    }
    if (isdigit((unsigned char)*p) || v == 0 || v > UINT32_MAX)
        return 0;
    if (!prefixed) {
        /* a bare number: 6-7 digits and nothing else but spaces */
        if (digits < 6 || digits > 7 || !pu_blank(p))
            return 0;
        return (uint32_t)v;
    }
    /* after "KBnnnnnn": end, "vN", " - text", "-v2", "_..." are accepted; letters are not */
    if (*p && !(*p == 'v' || *p == 'V' || *p == ' ' || *p == '-' || *p == '_' || *p == '.' ||
                *p == ')' || *p == ',' || *p == ';'))
        return 0;
    return (uint32_t)v;
}

int64_t pu_civil(int y, int mo, int d, int h, int mi, int se)
{
    /* days_from_civil (H. Hinnant) */
    int64_t yy = y - (mo <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + se;
}

static const char *const months[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};

static int valid_ymd(int y, int m, int d)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return y >= 1601 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1];
}

int pu_date(const char *s, enum pu_datepref pref, int64_t *out, int *date_only)
{
    s = pu_skipws(s);
    size_t n = strlen(s);
    /* "/Date(1489446000000)/" (ConvertTo-Json): an instant at the host's local midnight; rounded
     * to the nearest UTC midnight it gives the local date for offsets within +-12 h. */
    const char *dp = pu_prefix(s, "/Date(");
    if (dp) {
        char *end;
        long long ms = strtoll(dp, &end, 10);
        if (end == dp)
            return -1;
        int64_t sec = ms / 1000;
        int64_t day = (sec + 43200) / 86400;
        if (sec + 43200 < 0)
            day -= 1;
        *out = day * 86400;
        *date_only = 1;
        return 0;
    }
    /* 16 hex digits: FILETIME (100 ns since 1601, UTC) */
    if (n == 16) {
        int hex = 1;
        for (size_t i = 0; i < 16; i++)
            if (!isxdigit((unsigned char)s[i]))
                hex = 0;
        if (hex) {
            uint64_t ft = strtoull(s, NULL, 16);
            if (ft < 116444736000000000ull)
                return -1;
            *out = (int64_t)(ft / 10000000ull) - 11644473600ll;
            *date_only = 0;
            return 0;
        }
    }
    /* YYYYMMDD */
    if (n == 8) {
        int all = 1;
        for (size_t i = 0; i < 8; i++)
            if (!isdigit((unsigned char)s[i]))
                all = 0;
        if (all) {
            int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
            int m = (s[4] - '0') * 10 + (s[5] - '0');
            int d = (s[6] - '0') * 10 + (s[7] - '0');
            if (!valid_ymd(y, m, d))
                return -1;
            *out = pu_civil(y, m, d, 0, 0, 0);
            *date_only = 1;
            return 0;
        }
    }
    /* general: collect up to 3 date numbers, an optional month name, then a time */
    int num[3], ndig[3], k = 0, month_name = 0;
    char sep = 0;
    const char *p = s;
    while (*p && k < 3) {
        if (isdigit((unsigned char)*p)) {
            const char *nstart = p;
            long v = 0;
            int dg = 0;
            while (isdigit((unsigned char)*p) && dg < 6) {
                v = v * 10 + (*p - '0');
                p++;
                dg++;
            }
            if (*p == ':') {
                p = nstart; /* the time: parsed below */
                break;
            }
            num[k] = (int)v;
            ndig[k] = dg;
            k++;
            if (k < 3 && (*p == '/' || *p == '-' || *p == '.')) {
                if (!sep)
                    sep = *p;
                p++;
            } else if (k < 3 && !month_name) {
                if (*p == ',' || *p == ' ') { /* "March 14, 2017" */
                    while (*p == ',' || *p == ' ')
                        p++;
                    continue;
                }
                break;
            }
        } else if (isalpha((unsigned char)*p)) {
            const char *w = p;
            while (isalpha((unsigned char)*p))
                p++;
            if (!month_name && p - w >= 3) {
                for (int i = 0; i < 12; i++)
                    if (pu_prefix(w, months[i])) {
                        month_name = i + 1;
                        break;
                    }
            }
            while (*p == ',' || *p == ' ')
                p++;
        } else {
            p++;
        }
    }
    int y, m, d;
    if (month_name) {
        if (k < 2)
            return -1;
        m = month_name;
        if (ndig[0] == 4) {
            y = num[0];
            d = num[1];
        } else {
            d = num[0];
            y = num[1];
        }
        k = 2; /* numbers consumed: day and year */
    } else {
        if (k < 3)
            return -1;
        if (ndig[0] == 4) {
            y = num[0];
            m = num[1];
            d = num[2];
        } else {
            y = num[2];
            if (ndig[2] == 2)
                y += y < 70 ? 2000 : 1900;
            int ampm = pu_stristr(p, "AM") || pu_stristr(p, "PM");
            int mdy = pref == PU_MDY || (ampm && sep == '/');
            if (sep == '.')
                mdy = 0;
            if (num[0] > 12 && num[1] <= 12)
                mdy = 0;
            else if (num[1] > 12 && num[0] <= 12)
                mdy = 1;
            m = mdy ? num[0] : num[1];
            d = mdy ? num[1] : num[0];
        }
    }
    if (!valid_ymd(y, m, d))
        return -1;
    /* time: h:mm[:ss] [AM|PM] */
    int h = 0, mi = 0, se = 0, have_time = 0;
    while (*p && !isdigit((unsigned char)*p))
        p++;
    if (isdigit((unsigned char)*p)) {
        char *e;
        long hh = strtol(p, &e, 10);
        if (*e == ':') {
            long mm = strtol(e + 1, &e, 10);
            long ss = 0;
            if (*e == ':')
                ss = strtol(e + 1, &e, 10);
            if (hh >= 0 && hh <= 23 && mm >= 0 && mm <= 59 && ss >= 0 && ss <= 60) {
                h = (int)hh;
                mi = (int)mm;
                se = (int)ss;
                have_time = 1;
                const char *ap = pu_skipws(e);
                if (pu_prefix(ap, "PM") && h < 12)
                    h += 12;
                else if (pu_prefix(ap, "AM") && h == 12)
                    h = 0;
            }
        }
    }
    *out = pu_civil(y, m, d, h, mi, se);
    *date_only = !have_time || (h == 0 && mi == 0 && se == 0);
    return 0;
}

int pu_wmi_datetime(const char *s, int64_t *out)
{
    s = pu_skipws(s);
    int v[6] = {0};
    static const int w[6] = {4, 2, 2, 2, 2, 2};
    const char *p = s;
    for (int i = 0; i < 6; i++) {
        int x = 0;
        for (int j = 0; j < w[i]; j++, p++) {
            if (!isdigit((unsigned char)*p))
                return -1;
            x = x * 10 + (*p - '0');
        }
        v[i] = x;
    }
    if (!valid_ymd(v[0], v[1], v[2]) || v[3] > 23 || v[4] > 59 || v[5] > 60)
        return -1;
    int64_t t = pu_civil(v[0], v[1], v[2], v[3], v[4], v[5]);
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        long off = strtol(p + 1, NULL, 10); /* minutes east of UTC */
        t -= sign * off * 60;
    }
    *out = t;
    return 0;
}

void pu_add_entry(struct listing *l, uint32_t kb, unsigned line, int64_t installed_on,
                  int date_only, const char *raw)
{
    if (l->n_entries >= LISTING_MAX_ENTRIES) {
        l->overflow = 1;
        return;
    }
    struct hotfix *h = &l->entries[l->n_entries++];
    h->kb = kb;
    h->line = line;
    h->installed_on = installed_on;
    h->installed_on_date_only = date_only;
    pu_copy_trim(h->raw, sizeof h->raw, raw, strlen(raw), NULL);
}

/* ---- OS names ---- */

static void replace_all(char *s, size_t cap, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    char *p = s;
    while ((p = strstr(p, from)) != NULL) {
        size_t rest = strlen(p + fl);
        if ((size_t)(p - s) + tl + rest + 1 > cap)
            return;
        memmove(p + tl, p + fl, rest + 1);
        memcpy(p, to, tl);
        p += tl;
    }
}

/* Replaces a whole word (ASCII letters around it are not allowed). */
static void replace_word(char *s, size_t cap, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    char *p = s;
    while ((p = strstr(p, from)) != NULL) {
        int before = p > s && (isalnum((unsigned char)p[-1]) || ((unsigned char)p[-1] & 0x80));
        int after = isalnum((unsigned char)p[fl]) || ((unsigned char)p[fl] & 0x80);
        if (before || after) {
            p += fl;
            continue;
        }
        size_t rest = strlen(p + fl);
        if ((size_t)(p - s) + tl + rest + 1 > cap)
            return;
        memmove(p + tl, p + fl, rest + 1);
        memcpy(p, to, tl);
        p += tl;
    }
}

static void squeeze_spaces(char *s)
{
    char *w = s;
    int sp = 1;
    for (char *r = s; *r; r++) {
        char c = *r;
        if (c == '\t')
            c = ' ';
        if (c == ' ') {
            if (sp)
                continue;
            sp = 1;
        } else {
            sp = 0;
        }
        *w++ = c;
    }
    while (w > s && w[-1] == ' ')
        w--;
    *w = '\0';
}

void pu_set_os_name(struct listing *l, const char *name)
{
    char b[LISTING_STR * 2];
    pu_copy_trim(b, sizeof b, name, strlen(name), &l->overflow);
    /* no-break spaces (U+00A0, U+202F) and marks */
    replace_all(b, sizeof b, "\xC2\xA0", " ");
    replace_all(b, sizeof b, "\xE2\x80\xAF", " ");
    replace_all(b, sizeof b, "\xC2\xAE", " ");     /* ® */
    replace_all(b, sizeof b, "\xE2\x84\xA2", " "); /* ™ */
    replace_all(b, sizeof b, "(R)", " ");
    replace_all(b, sizeof b, "(r)", " ");
    replace_all(b, sizeof b, "(TM)", " ");
    replace_all(b, sizeof b, "(tm)", " ");
    /* best-fit damage from the OEM code page: ® -> r, ™ -> T glued to the word */
    replace_word(b, sizeof b, "Microsoftr", "Microsoft");
    replace_word(b, sizeof b, "Windowsr", "Windows");
    replace_word(b, sizeof b, "Serverr", "Server");
    replace_word(b, sizeof b, "VistaT", "Vista");
    replace_word(b, sizeof b, "WindowsT", "Windows");
    squeeze_spaces(b);
    pu_copy_trim(l->os_name, sizeof l->os_name, b, strlen(b), &l->overflow);
    /* English edition words, so "Enterprise" / "Professional" can be found in any language */
    static const char *const map[][2] = {
        {"Entreprise", "Enterprise"},     {"Professionnel", "Professional"},
        {"Professionnelle", "Professional"}, {"Profesional", "Professional"},
        {"Professionale", "Professional"}, {"Intégrale", "Ultimate"},
        {"Édition Familiale Premium", "Home Premium"}, {"Édition Familiale Basique", "Home Basic"},
        {"Famille", "Home"},              {"Familiale", "Home"},
        {"Édition Intégrale", "Ultimate"}, {"Éducation", "Education"},
        {"Educación", "Education"},       {"Empresa", "Enterprise"},
        {"Empresas", "Enterprise"},       {"Entreprises", "Enterprise"},
        {"Profissional", "Professional"}, {"Корпоративная", "Enterprise"},
        {"Профессиональная", "Professional"}, {"Максимальная", "Ultimate"},
        {"Домашняя", "Home"},             {"企业版", "Enterprise"},
        {"专业版", "Professional"},       {"旗舰版", "Ultimate"},
        {"家庭版", "Home"},               {"教育版", "Education"},
        {"エンタープライズ", "Enterprise"}, {"プロフェッショナル", "Professional"},
        {"アルティメット", "Ultimate"},   {"ホーム", "Home"},
        {"Édition Standard", "Standard"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        replace_word(b, sizeof b, map[i][0], map[i][1]);
    squeeze_spaces(b);
    pu_copy_trim(l->os_name_en, sizeof l->os_name_en, b, strlen(b), &l->overflow);
}

void pu_set_system_type(struct listing *l, const char *v)
{
    pu_copy_trim(l->system_type, sizeof l->system_type, v, strlen(v), &l->overflow);
    if (pu_stristr(v, "Itanium") || pu_stristr(v, "IA64"))
        l->arch_bits = 65;
    else if (pu_stristr(v, "x64") || pu_stristr(v, "64"))
        l->arch_bits = 64;
    else if (pu_stristr(v, "x86") || pu_stristr(v, "32"))
        l->arch_bits = 32;
}

void pu_set_os_version(struct listing *l, const char *v)
{
    /* the first dotted triple; "Service Pack N" is never localized */
    for (const char *p = v; *p; p++) {
        if (!isdigit((unsigned char)*p) || (p > v && isdigit((unsigned char)p[-1])))
            continue;
        unsigned a, b, c;
        int used = 0;
        if (sscanf(p, "%u.%u.%u%n", &a, &b, &c, &used) == 3 && used > 0) {
            l->ver_major = a;
            l->ver_minor = b;
            l->ver_build = c;
            const char *sp = pu_stristr(p + used, "Service Pack");
            l->service_pack = sp ? atoi(sp + 12) : 0;
            return;
        }
    }
}

void pu_set_product_type(struct listing *l, const char *v)
{
    static const char *const dc[] = {"Domain Controller", "Domänencontroller", "contrôleur de domaine",
                                     "controller di dominio", "controlador de dominio",
                                     "Контроллер домена", "域控制器", "ドメイン コントローラー",
                                     "ドメインコントローラー", "Domeincontroller"};
    static const char *const srv[] = {"Server", "Serveur", "Servidor", "Сервер", "服务器", "サーバー"};
    static const char *const ws[] = {"Workstation", "Arbeitsstation", "Station de travail",
                                     "Estación de trabajo", "Рабочая станция", "工作站",
                                     "ワークステーション", "Werkstation"};
    for (size_t i = 0; i < sizeof dc / sizeof dc[0]; i++)
        if (pu_stristr(v, dc[i])) {
            l->product_type = 2;
            return;
        }
    for (size_t i = 0; i < sizeof srv / sizeof srv[0]; i++)
        if (pu_stristr(v, srv[i])) {
            l->product_type = 3;
            return;
        }
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++)
        if (pu_stristr(v, ws[i])) {
            l->product_type = 1;
            return;
        }
}

size_t pu_csv_split(char *line, char delim, char **fields)
{
    size_t k = 0;
    char *r = line;
    while (k < PU_CSV_MAXF) {
        char *w = r;
        fields[k++] = w;
        if (*r == '"') {
            r++;
            for (;;) {
                if (*r == '\0')
                    break;
                if (*r == '"') {
                    if (r[1] == '"') {
                        *w++ = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                *w++ = *r++;
            }
            while (*r && *r != delim)
                r++; /* junk after the closing quote */
        } else {
            while (*r && *r != delim)
                *w++ = *r++;
        }
        int more = *r == delim;
        *w = '\0';
        if (!more)
            break;
        r++;
    }
    return k;
}
