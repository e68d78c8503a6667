/* sink.c: the sink chain (sink_emit, sink_close_all) and the helpers the sinks share (UTF-8,
 * growable buffers, the output file).
 * The chain does not own records; each sink's close frees that sink. */
#include "sink/sink.h"
#include "core/log.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sink_emit(struct sink *chain, const struct record *r)
{
    int rc = 0;
    if (!r)
        return -1;
    for (struct sink *s = chain; s; s = s->next)
        if (s->emit(s, r) != 0)
            rc = -1;
    return rc;
}

int sink_close_all(struct sink *chain)
{
    int rc = 0;
    while (chain) {
        struct sink *next = chain->next; /* close frees the sink */
        if (chain->close(chain) != 0)
            rc = -1;
        chain = next;
    }
    return rc;
}

size_t sink_utf8_next(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if (n < len) {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return len;
}

int sink_cp_width(uint32_t cp)
{
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x3099 && cp <= 0x309A))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) ||   /* Hangul Jamo initials */
        (cp >= 0x2E80 && cp <= 0x303E) ||   /* CJK radicals, Kangxi, CJK symbols and punctuation */
        (cp >= 0x3041 && cp <= 0x33FF) ||   /* Hiragana, Katakana, Bopomofo, CJK compatibility */
        (cp >= 0x3400 && cp <= 0x4DBF) ||   /* CJK extension A */
        (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* CJK unified ideographs */
        (cp >= 0xA000 && cp <= 0xA4CF) ||   /* Yi */
        (cp >= 0xAC00 && cp <= 0xD7A3) ||   /* Hangul syllables */
        (cp >= 0xF900 && cp <= 0xFAFF) ||   /* CJK compatibility ideographs */
        (cp >= 0xFE30 && cp <= 0xFE4F) ||   /* CJK compatibility forms */
        (cp >= 0xFF00 && cp <= 0xFF60) ||   /* fullwidth forms */
        (cp >= 0xFFE0 && cp <= 0xFFE6) ||   /* fullwidth signs */
        (cp >= 0x1F300 && cp <= 0x1F64F) || /* pictographs, emoticons */
        (cp >= 0x1F900 && cp <= 0x1F9FF) ||
        (cp >= 0x20000 && cp <= 0x3FFFD))   /* CJK extensions B and later */
        return 2;
    return 1;
}

size_t sink_str_width(const char *s)
{
    size_t w = 0, n = strlen(s), i = 0;
    while (i < n) {
        uint32_t cp;
        i += sink_utf8_next(s + i, n - i, &cp);
        w += (size_t)sink_cp_width(cp);
    }
    return w;
}

int sink_grow_put(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
    if (n == 0)
        return 0;
    if (*len + n > *cap) {
        size_t nc = *cap ? *cap : 512;
        while (nc < *len + n)
            nc *= 2;
        char *b = realloc(*buf, nc);
        if (!b)
            return -1;
        *buf = b;
        *cap = nc;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    return 0;
}

int sink_file_open(struct sink_file *sf, const char *path, const char *mode)
{
    memset(sf, 0, sizeof *sf);
    if (!(sf->path = strdup(path))) {
        log_error("cannot open '%s': out of memory", path);
        return -1;
    }
    sf->is_stdout = strcmp(path, "-") == 0;
    sf->f = sf->is_stdout ? stdout : fopen(path, mode);
    if (!sf->f) {
        log_error("cannot open '%s': %s", path, strerror(errno));
        free(sf->path);
        sf->path = NULL;
        return -1;
    }
    return 0;
}

int sink_file_fail(struct sink_file *sf, const char *what, int err)
{
    if (!sf->failed)
        log_error("%s '%s': %s", what, sf->path, strerror(err));
    sf->failed = 1;
    return -1;
}

int sink_file_write(struct sink_file *sf, const char *buf, size_t n)
{
    if (sf->failed)
        return -1;
    errno = 0;
    if (fwrite(buf, 1, n, sf->f) != n || fflush(sf->f) != 0)
        return sink_file_fail(sf, "writing", errno ? errno : EIO);
    return 0;
}

int sink_file_close(struct sink_file *sf)
{
    int rc = sf->failed ? -1 : 0;
    errno = 0;
    if (fflush(sf->f) != 0 || ferror(sf->f))
        rc = sink_file_fail(sf, "writing", errno ? errno : EIO);
    if (!sf->is_stdout && fclose(sf->f) != 0)
        rc = sink_file_fail(sf, "closing", errno ? errno : EIO);
    free(sf->path);
    sf->path = NULL;
    return rc;
}
