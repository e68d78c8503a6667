/* text.c: bounded string conversions for wire text (UTF-16LE, OEM) into fixed UTF-8 buffers.
 * Outputs are always NUL-terminated (when cap > 0) and truncated on a character boundary.
 * Control characters are replaced by '?' so that names from the wire are safe to print. */
#include "core/text.h"
#include <string.h>

/* Appends the UTF-8 encoding of cp to out[*o] if the whole sequence plus a NUL fits. Returns 0
 * when it did not fit (output is then full: callers stop). */
static int put_utf8(char *out, size_t cap, size_t *o, uint32_t cp)
{
    char tmp[4];
    size_t k;
    if (cp < 0x20 || cp == 0x7F)
        cp = '?';
    if (cp < 0x80) {
        tmp[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        tmp[0] = (char)(0xC0 | (cp >> 6));
        tmp[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        tmp[0] = (char)(0xE0 | (cp >> 12));
        tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        tmp[0] = (char)(0xF0 | (cp >> 18));
        tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[3] = (char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    if (*o + k + 1 > cap)
        return 0;
    memcpy(out + *o, tmp, k);
    *o += k;
    return 1;
}

size_t text_utf16le_to_utf8(const uint8_t *in, size_t nbytes, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    int room = cap > 0;
    if (!in)
        nbytes = 0;
    while (i + 2 <= nbytes) {
        uint32_t u = (uint32_t)in[i] | ((uint32_t)in[i + 1] << 8);
        i += 2;
        if (u == 0)
            break;
        uint32_t cp = u;
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t lo = i + 2 <= nbytes ? ((uint32_t)in[i] | ((uint32_t)in[i + 1] << 8)) : 0;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            } else {
                cp = 0xFFFD;
            }
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            cp = 0xFFFD;
        }
        if (room)
            room = put_utf8(out, cap, &o, cp);
    }
    if (cap > 0)
        out[o] = '\0';
    return i;
}

size_t text_ascii_copy(const uint8_t *in, size_t nbytes, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    if (!in)
        nbytes = 0;
    while (i < nbytes) {
        uint8_t b = in[i++];
        if (b == 0)
            break;
        if (o + 1 < cap)
            out[o++] = (b < 0x20 || b >= 0x7F) ? '?' : (char)b;
    }
    if (cap > 0)
        out[o] = '\0';
    return i;
}

size_t text_ascii_to_utf16le(const char *in, uint8_t *out, size_t cap)
{
    size_t o = 0;
    if (!in)
        return 0;
    for (const unsigned char *s = (const unsigned char *)in; *s; s++) {
        unsigned char c = *s;
        if (c >= 0x80 && c < 0xC0)
            continue; /* UTF-8 continuation byte: the lead byte already produced '?' */
        if (c >= 0x80)
            c = '?';
        if (o + 2 > cap)
            return 0;
        out[o++] = c;
        out[o++] = 0;
    }
    return o;
}

size_t text_utf8_to_utf16le(const char *in, uint8_t *out, size_t cap)
{
    size_t o = 0;
    if (!in)
        return 0;
    const unsigned char *s = (const unsigned char *)in;
    while (*s) {
        uint32_t cp;
        size_t k;
        unsigned char c = *s;
        if (c < 0x80) {
            cp = c;
            k = 0;
        } else if ((c & 0xE0) == 0xC0) {
            cp = c & 0x1Fu;
            k = 1;
        } else if ((c & 0xF0) == 0xE0) {
            cp = c & 0x0Fu;
            k = 2;
        } else if ((c & 0xF8) == 0xF0) {
            cp = c & 0x07u;
            k = 3;
        } else {
            cp = 0xFFFD;
            k = 0;
        }
        s++;
        for (size_t j = 0; j < k; j++) {
            if ((*s & 0xC0) != 0x80) {
                cp = 0xFFFD;
                break;
            }
            cp = (cp << 6) | (*s & 0x3Fu);
            s++;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
        if (cp >= 0x10000) {
            if (o + 4 > cap)
                return 0;
            uint32_t v = cp - 0x10000;
            uint32_t hi = 0xD800 + (v >> 10), lo = 0xDC00 + (v & 0x3FF);
            out[o++] = (uint8_t)hi;
            out[o++] = (uint8_t)(hi >> 8);
            out[o++] = (uint8_t)lo;
            out[o++] = (uint8_t)(lo >> 8);
        } else {
            if (o + 2 > cap)
                return 0;
            out[o++] = (uint8_t)cp;
            out[o++] = (uint8_t)(cp >> 8);
        }
    }
    return o;
}

void text_copy(char *dst, size_t cap, const char *src)
{
    if (!dst || cap == 0)
        return;
    size_t i = 0;
    if (src)
        for (; src[i] && i + 1 < cap; i++)
            dst[i] = src[i];
    dst[i] = '\0';
}

int text_natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t na = 0, nb = 0;
            while (a[na] >= '0' && a[na] <= '9')
                na++;
            while (b[nb] >= '0' && b[nb] <= '9')
                nb++;
            if (na != nb)
                return na < nb ? -1 : 1;
            int c = strncmp(a, b, na);
            if (c)
                return c;
            a += na;
            b += nb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}
