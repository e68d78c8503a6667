/* decode.c: raw listing bytes -> UTF-8 (audit_decode in parse.h). UTF-8 with/without BOM, UTF-16LE
 * with/without BOM (found by its NUL pattern, also after an 8-bit prefix), else the Windows code page
 * (iconv) whose decoding shows known localized systeminfo labels and plausible letters. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/parse.h"
#include "parse_int.h"

/* Candidates in tie-break order. CP932 is WINDOWS-31J: glibc's SHIFT_JIS maps 0x5C to U+00A5 and
 * rejects the NEC/IBM extension rows. */
static const struct {
    const char *iconv_name, *label;
} cands[] = {
    {"CP850", "CP850"},   {"WINDOWS-31J", "CP932"}, {"CP936", "CP936"},
    {"CP1251", "CP1251"}, {"CP866", "CP866"},       {"CP1252", "CP1252"},
};

/* Localized systeminfo and DISM labels and words that only decode right in their own code page
 * (UTF-8). Kept in step with parse_systeminfo.c and parse_dism.c; source:
 * spec/patches-data/systeminfo_locale_labels.csv. */
static const char *const marks[] = {
    /* ja */ "OS 名:", "OS バージョン:", "ホスト名:", "システムの種類:", "ホットフィックス:", "OS 構成:",
    "ビルド", "ワークステーション", "サーバー", "インストールされています",
    /* ja, dism /get-packages */ "パッケージ ID", "状態", "インストール済み", "インストールの保留中",
    /* zh */ "OS 名称:", "OS 版本:", "主机名:", "系统类型:", "修补程序:", "暂缺", "安装了",
    /* ru */ "Название ОС:", "Версия ОС:", "Имя узла:", "Тип системы:", "Исправление(я):", "Н/Д",
    "построение", "Число установленных исправлений",
    /* fr */ "Nom du système d'exploitation:", "Version du système:", "Nom de l'hôte:",
    "Type du système:", "installées", "Station de travail",
    /* es */ "Versión del sistema operativo:", "Revisión(es):", "Compilación", "Configuración",
    "Estación de trabajo",
    /* de */ "Domäne:", "Eigenständige", "Ursprüngliches", "Paketidentität",
    /* it */ "Aggiornamenti rapidi installati", "più", "è",
};

static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += len;
    }
    return 1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* UTF-16LE -> UTF-8 appended at out+*len (capacity: 3 bytes per input byte pair + 4 suffices).
 * NUL code units are dropped; unpaired surrogates become U+FFFD; an odd last byte is dropped. */
static void utf16_append(const unsigned char *in, size_t n, char *out, size_t *len)
{
    size_t o = *len;
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint32_t u = (uint32_t)in[i] | ((uint32_t)in[i + 1] << 8);
        if (u == 0)
            continue;
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
            uint32_t u2 = (uint32_t)in[i + 2] | ((uint32_t)in[i + 3] << 8);
            if (u2 >= 0xDC00 && u2 <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
                i += 2;
            } else {
                u = 0xFFFD;
            }
        } else if (u >= 0xD800 && u <= 0xDFFF) {
            u = 0xFFFD;
        }
        o += put_utf8(out + o, u);
    }
    *len = o;
}

/* iconv with U+FFFD for bytes that do not convert; out must hold 3*n+4 bytes. Returns the bytes
 * written; *nerr counts replaced bytes (an incomplete sequence at the very end counts once). */
static size_t conv(const char *cs, const unsigned char *in, size_t n, char *out, size_t cap, size_t *nerr)
{
    *nerr = 0;
    iconv_t cd = iconv_open("UTF-8", cs);
    if (cd == (iconv_t)-1) {
        *nerr = n + 1;
        return 0;
    }
    char *ip = (char *)(uintptr_t)in;
    size_t il = n;
    char *op = out;
    size_t ol = cap;
    while (il > 0) {
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG || ol < 4)
            break;
        /* EILSEQ / EINVAL: replace one byte */
        (*nerr)++;
        ip++;
        il--;
        op += put_utf8(op, 0xFFFD);
        ol -= 3;
    }
    iconv(cd, NULL, NULL, NULL, NULL);
    iconv_close(cd);
    return (size_t)(op - out);
}

static uint32_t next_cp(const unsigned char **pp, const unsigned char *end)
{
    const unsigned char *p = *pp;
    uint32_t c = *p++;
    if (c >= 0xC0) {
        int len = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
        c &= (uint32_t)(0x3F >> len);
        for (int k = 0; k < len && p < end; k++)
            c = (c << 6) | (*p++ & 0x3F);
    }
    *pp = p;
    return c;
}

/* Higher is more plausible text. */
static long plausibility(const char *s, size_t n)
{
    long sc = 0;
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    uint32_t prev = ' ';
    while (p < end) {
        uint32_t c = next_cp(&p, end);
        if (c < 0x80) {
            prev = c;
            continue;
        }
        int prev_digit = prev >= '0' && prev <= '9';
        if (c == 0xFF)
            sc -= 1; /* y-diaeresis: in practice a CP850 no-break space seen through CP1252 */
        else if (c >= 0xC0 && c <= 0x17F && c != 0xD7 && c != 0xF7)
            sc += (prev >= 0xC0 && prev <= 0x17F) || prev_digit ? -2 : 2; /* accents rarely run */
        else if (c >= 0x400 && c <= 0x4FF)
            sc += (prev >= 0x400 && prev <= 0x4FF) ? 2 : -1; /* Cyrillic comes in words */
        else if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x4E00 && c <= 0x9FFF))
            sc += ((prev >= 0x3040 && prev <= 0x30FF) || (prev >= 0x4E00 && prev <= 0x9FFF)) ? 2 : 0;
        else if (c >= 0xFF61 && c <= 0xFF9F)
            sc -= 2;
        else if (c >= 0x2500 && c <= 0x259F)
            sc -= 3;
        else if ((c >= 0x80 && c <= 0x9F) || (c >= 0xE000 && c <= 0xF8FF) || c == 0xFFFD)
            sc -= 5;
        else if (c >= 0x2200 && c <= 0x22FF)
            sc -= 2;
        prev = c;
    }
    return sc;
}

static long label_hits(const char *s)
{
    long h = 0;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strstr(s, marks[i]))
            h++;
    return h;
}

#define SAMPLE (256u << 10)

static void text_copy_enc(char *dst, size_t cap, const char *src)
{
    if (!cap)
        return;
    size_t l = strlen(src);
    if (l >= cap)
        l = cap - 1;
    memcpy(dst, src, l);
    dst[l] = '\0';
}

/* 8-bit (no NUL pattern) bytes -> UTF-8 appended at out+*len; writes the code page name. */
static int decode_8bit(const unsigned char *in, size_t n, char *out, size_t *len, char *enc, size_t enc_cap)
{
    if (utf8_valid(in, n)) {
        memcpy(out + *len, in, n);
        *len += n;
        text_copy_enc(enc, enc_cap, "UTF-8");
        return 0;
    }
    size_t sn = n < SAMPLE ? n : SAMPLE;
    char *tmp = malloc(3 * sn + 8);
    if (!tmp)
        return -1;
    long best = 0;
    int bi = -1;
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        size_t nerr;
        size_t m = conv(cands[i].iconv_name, in, sn, tmp, 3 * sn + 4, &nerr);
        tmp[m] = '\0';
        long sc = 1000 * label_hits(tmp) + plausibility(tmp, m) - 1000 * (long)nerr;
        if (bi < 0 || sc > best) {
            best = sc;
            bi = (int)i;
        }
    }
    free(tmp);
    size_t nerr;
    *len += conv(cands[bi].iconv_name, in, n, out + *len, 3 * n + 4, &nerr);
    text_copy_enc(enc, enc_cap, cands[bi].label);
    return 0;
}

int audit_decode(const unsigned char *raw, size_t n, char **out, size_t *out_len, char *enc, size_t enc_cap)
{
    *out = NULL;
    *out_len = 0;
    if (enc_cap)
        enc[0] = '\0';
    if (n > PARSE_MAX_FILE)
        return -1;
    char *o = malloc(3 * n + 16);
    if (!o)
        return -1;
    size_t len = 0;
    if (n >= 2 && raw[0] == 0xFF && raw[1] == 0xFE) {
        utf16_append(raw + 2, n - 2, o, &len);
        text_copy_enc(enc, enc_cap, "UTF-16LE");
    } else {
        size_t skip = 0;
        int bom8 = n >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF;
        if (bom8)
            skip = 3;
        const unsigned char *nul = memchr(raw + skip, 0, n - skip);
        size_t s = nul ? (size_t)(nul - raw) : n;
        int utf16 = 0;
        if (nul) {
            s = s > skip ? s - 1 : skip;
            /* confirm: in [s, n) the odd bytes are mostly NUL and the even ones rarely */
            size_t odd0 = 0, even0 = 0, pairs = 0;
            for (size_t i = s; i + 1 < n && pairs < 65536; i += 2, pairs++) {
                even0 += raw[i] == 0;
                odd0 += raw[i + 1] == 0;
            }
            utf16 = pairs > 0 && odd0 * 10 >= pairs * 3 && even0 * 10 <= pairs * 2;
        }
        if (utf16) {
            size_t pe = s;
            /* a UTF-16 BOM where the switch happened */
            int mid_bom = pe >= skip + 2 && raw[pe - 2] == 0xFF && raw[pe - 1] == 0xFE;
            if (s + 1 < n && raw[s] == 0xFF && raw[s + 1] == 0xFE) {
                s += 2;
                mid_bom = 1;
            } else if (mid_bom) {
                pe -= 2;
            }
            char e8[24] = "";
            if (pe > skip && decode_8bit(raw + skip, pe - skip, o, &len, e8, sizeof e8) != 0) {
                free(o);
                return -1;
            }
            utf16_append(raw + s, n - s, o, &len);
            if (pe > skip) {
                char name[48];
                size_t k = strlen(e8);
                memcpy(name, e8, k);
                memcpy(name + k, "+UTF-16LE", 10);
                text_copy_enc(enc, enc_cap, name);
            } else {
                text_copy_enc(enc, enc_cap, "UTF-16LE");
            }
        } else {
            /* stray NULs in 8-bit text are dropped by the parser (they become spaces) */
            if (decode_8bit(raw + skip, n - skip, o, &len, enc, enc_cap) != 0) {
                free(o);
                return -1;
            }
        }
    }
    o[len] = '\0';
    *out = o;
    *out_len = len;
    return 0;
}
