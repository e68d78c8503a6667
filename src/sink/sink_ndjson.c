/* sink_ndjson.c: one JSON object per record and line, fields in record order with their JSON types.
 * Flushed per record so an interrupted run loses nothing; "-" is stdout (flushed, never closed). */
#include "core/log.h"
#include "sink/sink.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct ndjson_sink {
    struct sink base;           /* first: the chain sees a struct sink */
    struct sink_file out;                 /* an I/O error was reported; nothing more is written */
    int warned_truncated;
    char *buf;                  /* the line being built; reused */
    size_t len, cap;
};

static int put(struct ndjson_sink *s, const char *p, size_t n) { return sink_grow_put(&s->buf, &s->len, &s->cap, p, n); }

static int puts_(struct ndjson_sink *s, const char *p) { return put(s, p, strlen(p)); }

/* A JSON string: quotes, backslashes and control characters escaped, U+2028/2029 escaped (so the line
 * is also valid JavaScript), invalid UTF-8 replaced by U+FFFD. */
static int put_json_str(struct ndjson_sink *s, const char *str)
{
    size_t n = strlen(str), i = 0;
    int rc = put(s, "\"", 1);
    while (i < n && rc == 0) {
        uint32_t cp;
        size_t k = sink_utf8_next(str + i, n - i, &cp);
        char esc[8];
        if (cp == '"')
            rc = put(s, "\\\"", 2);
        else if (cp == '\\')
            rc = put(s, "\\\\", 2);
        else if (cp == '\n')
            rc = put(s, "\\n", 2);
        else if (cp == '\r')
            rc = put(s, "\\r", 2);
        else if (cp == '\t')
            rc = put(s, "\\t", 2);
        else if (cp < 0x20 || cp == 0x2028 || cp == 0x2029) {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
            rc = puts_(s, esc);
        } else if (cp == 0xFFFD && k == 1)
            rc = put(s, "\xEF\xBF\xBD", 3);
        else
            rc = put(s, str + i, k);
        i += k;
    }
    return rc ? rc : put(s, "\"", 1);
}

static int put_int(struct ndjson_sink *s, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, v);
    return puts_(s, num);
}

static int build_line(struct ndjson_sink *s, const struct record *r)
{
    int rc = put(s, "{", 1);
    for (unsigned i = 0; i < r->n_fields && rc == 0; i++) {
        const struct field *f = &r->fields[i];
        if (i)
            rc |= put(s, ",", 1);
        rc |= put_json_str(s, f->name ? f->name : "");
        rc |= put(s, ":", 1);
        switch (f->type) {
        case FT_NULL:
            rc |= puts_(s, "null");
            break;
        case FT_STR:
            rc |= f->v.s ? put_json_str(s, f->v.s) : puts_(s, "null");
            break;
        case FT_INT:
            rc |= put_int(s, f->v.i);
            break;
        case FT_BOOL:
            rc |= puts_(s, f->v.b ? "true" : "false");
            break;
        case FT_STR_ARRAY:
        case FT_INT_ARRAY:
            rc |= put(s, "[", 1);
            for (unsigned j = 0; j < f->n && j < RECORD_MAX_ARRAY; j++) {
                if (j)
                    rc |= put(s, ",", 1);
                if (f->type == FT_INT_ARRAY)
                    rc |= put_int(s, f->ia[j]);
                else
                    rc |= f->sa[j] ? put_json_str(s, f->sa[j]) : puts_(s, "null");
            }
            rc |= put(s, "]", 1);
            break;
        }
    }
    return rc ? -1 : put(s, "}\n", 2);
}


static int ndjson_emit(struct sink *base, const struct record *r)
{
    struct ndjson_sink *s = (struct ndjson_sink *)base;
    if (s->out.failed)
        return -1;
    if (r->truncated && !s->warned_truncated) {
        log_warn("%s: a record did not fit its buffer; some values are cut", s->out.path);
        s->warned_truncated = 1;
    }
    s->len = 0;
    if (build_line(s, r) != 0)
        return sink_file_fail(&s->out, "out of memory writing", ENOMEM);
    return sink_file_write(&s->out, s->buf, s->len);
}

static int ndjson_close(struct sink *base)
{
    struct ndjson_sink *s = (struct ndjson_sink *)base;
    int rc = sink_file_close(&s->out);
    free(s->buf);
    free(s);
    return rc;
}

struct sink *sink_ndjson_open(const char *path)
{
    struct ndjson_sink *s = calloc(1, sizeof *s);
    if (!s) {
        log_error("cannot open '%s': out of memory", path);
        return NULL;
    }
    if (sink_file_open(&s->out, path, "w") != 0) {
        free(s);
        return NULL;
    }
    s->base.emit = ndjson_emit;
    s->base.close = ndjson_close;
    return &s->base;
}
