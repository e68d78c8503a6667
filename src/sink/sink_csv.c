/* sink_csv.c: CSV for spreadsheets: UTF-8 BOM, CRLF, RFC 4180 quoting, header from the first record.
 * Cells: arrays joined with ';', null empty, bool true/false. Formula-injection guard: a text cell
 * starting with = + - @ TAB or CR gets a leading apostrophe ('), so Excel shows it as text. */
#include "core/log.h"
#include "sink/sink.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct csv_sink {
    struct sink base;           /* first: the chain sees a struct sink */
    struct sink_file out;
    int warned_truncated, warned_extra;
    char **cols;                /* header: copies of the first record's field names */
    unsigned n_cols;
    char *cell;                 /* scratch: one cell's raw text */
    size_t cell_len, cell_cap;
    char *line;                 /* scratch: the encoded line */
    size_t len, cap;
};


static int cell_put(struct csv_sink *s, const char *p, size_t n) { return sink_grow_put(&s->cell, &s->cell_len, &s->cell_cap, p, n); }
static int line_put(struct csv_sink *s, const char *p, size_t n) { return sink_grow_put(&s->line, &s->len, &s->cap, p, n); }

/* Appends the scratch cell to the line: invalid UTF-8 becomes U+FFFD, the formula guard applies to
 * text cells, and the cell is quoted when it holds a comma, quote, CR or LF (quotes doubled). */
static int line_cell(struct csv_sink *s, int is_text)
{
    const char *c = s->cell;
    size_t n = s->cell_len;
    int quote = 0, rc = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i] == ',' || c[i] == '"' || c[i] == '\r' || c[i] == '\n')
            quote = 1;
    if (quote)
        rc |= line_put(s, "\"", 1);
    if (is_text && n > 0 && strchr("=+-@\t\r", c[0]))
        rc |= line_put(s, "'", 1);
    for (size_t i = 0; i < n && rc == 0;) {
        uint32_t cp;
        size_t k = sink_utf8_next(c + i, n - i, &cp);
        if (c[i] == '"')
            rc |= line_put(s, "\"\"", 2);
        else if (cp == 0xFFFD && k == 1)
            rc |= line_put(s, "\xEF\xBF\xBD", 3);
        else
            rc |= line_put(s, c + i, k);
        i += k;
    }
    if (quote)
        rc |= line_put(s, "\"", 1);
    return rc ? -1 : 0;
}

/* Formats a field into the scratch cell; returns whether it is a text cell (guarded). */
static int format_field(struct csv_sink *s, const struct field *f, int *rc)
{
    char num[32];
    s->cell_len = 0;
    if (!f)
        return 0;
    switch (f->type) {
    case FT_NULL:
        return 0;
    case FT_STR:
        if (f->v.s)
            *rc |= cell_put(s, f->v.s, strlen(f->v.s));
        return 1;
    case FT_INT:
        snprintf(num, sizeof num, "%" PRId64, f->v.i);
        *rc |= cell_put(s, num, strlen(num));
        return 0;
    case FT_BOOL:
        *rc |= cell_put(s, f->v.b ? "true" : "false", f->v.b ? 4 : 5);
        return 0;
    case FT_STR_ARRAY:
    case FT_INT_ARRAY:
        for (unsigned j = 0; j < f->n && j < RECORD_MAX_ARRAY; j++) {
            if (j)
                *rc |= cell_put(s, ";", 1);
            if (f->type == FT_INT_ARRAY) {
                snprintf(num, sizeof num, "%" PRId64, f->ia[j]);
                *rc |= cell_put(s, num, strlen(num));
            } else if (f->sa[j]) {
                *rc |= cell_put(s, f->sa[j], strlen(f->sa[j]));
            }
        }
        return f->type == FT_STR_ARRAY;
    }
    return 0;
}


static int build_header(struct csv_sink *s, const struct record *r)
{
    int rc = 0;
    s->cols = calloc(r->n_fields ? r->n_fields : 1, sizeof *s->cols);
    if (!s->cols)
        return -1;
    rc |= line_put(s, "\xEF\xBB\xBF", 3);
    for (unsigned i = 0; i < r->n_fields; i++) {
        const char *name = r->fields[i].name ? r->fields[i].name : "";
        if (!(s->cols[i] = strdup(name)))
            return -1;
        s->n_cols = i + 1;
        if (i)
            rc |= line_put(s, ",", 1);
        s->cell_len = 0;
        rc |= cell_put(s, name, strlen(name));
        rc |= line_cell(s, 0);
    }
    rc |= line_put(s, "\r\n", 2);
    return rc ? -1 : 0;
}

static int csv_emit(struct sink *base, const struct record *r)
{
    struct csv_sink *s = (struct csv_sink *)base;
    int rc = 0;
    if (s->out.failed)
        return -1;
    if (r->truncated && !s->warned_truncated) {
        log_warn("%s: a record did not fit its buffer; some values are cut", s->out.path);
        s->warned_truncated = 1;
    }
    s->len = 0;
    if (!s->cols && build_header(s, r) != 0)
        return sink_file_fail(&s->out, "out of memory writing", ENOMEM);
    /* Columns follow the header; a record from the same schema matches position by position. */
    for (unsigned c = 0; c < s->n_cols; c++) {
        const struct field *f = NULL;
        if (c < r->n_fields && r->fields[c].name && strcmp(r->fields[c].name, s->cols[c]) == 0)
            f = &r->fields[c];
        else
            f = record_get(r, s->cols[c]);
        if (c)
            rc |= line_put(s, ",", 1);
        int text = format_field(s, f, &rc);
        rc |= line_cell(s, text);
    }
    if (!s->warned_extra) {
        for (unsigned i = 0; i < r->n_fields; i++) {
            unsigned c = 0;
            while (c < s->n_cols && !(r->fields[i].name && strcmp(r->fields[i].name, s->cols[c]) == 0))
                c++;
            if (c == s->n_cols) {
                log_warn("%s: field '%s' is not in the CSV header; dropped", s->out.path,
                         r->fields[i].name ? r->fields[i].name : "");
                s->warned_extra = 1;
                break;
            }
        }
    }
    rc |= line_put(s, "\r\n", 2);
    if (rc)
        return sink_file_fail(&s->out, "out of memory writing", ENOMEM);
    return sink_file_write(&s->out, s->line, s->len);
}

static int csv_close(struct sink *base)
{
    struct csv_sink *s = (struct csv_sink *)base;
    int rc = sink_file_close(&s->out);
    for (unsigned i = 0; i < s->n_cols; i++)
        free(s->cols[i]);
    free(s->cols);
    free(s->cell);
    free(s->line);
    free(s);
    return rc;
}

struct sink *sink_csv_open(const char *path)
{
    struct csv_sink *s = calloc(1, sizeof *s);
    if (!s) {
        log_error("cannot open '%s': out of memory", path);
        return NULL;
    }
    if (sink_file_open(&s->out, path, "wb") != 0) {
        free(s);
        return NULL;
    }
    s->base.emit = csv_emit;
    s->base.close = csv_close;
    return &s->base;
}
