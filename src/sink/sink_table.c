/* sink_table.c: the terminal table. Rows are buffered (at most TABLE_MAX_ROWS) and printed at close,
 * columns aligned by display width; control characters become '?' so a peer's strings cannot drive
 * the terminal. The caller owns `out` (never closed here). */
#include "core/log.h"
#include "core/text.h"
#include "sink/sink.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_MAX_ROWS 1000000u
#define TABLE_MAX_CELL 40           /* display columns; longer cells end in "…" */
#define TABLE_SEP "  "

struct table_sink {
    struct sink base;           /* first: the chain sees a struct sink */
    FILE *out;
    char **cols;                /* copies of the caller's column names */
    unsigned n_cols;
    int (*filter)(const struct record *r, void *arg);
    void *arg;
    char **rows;                /* each row: one block of n_cols NUL-terminated cells */
    size_t n_rows, cap_rows;
    uint64_t dropped;           /* rows beyond TABLE_MAX_ROWS (or lost to allocation failure) */
    char *raw, *cell;           /* scratch */
    size_t raw_len, raw_cap, cell_len, cell_cap;
};


static int raw_put(struct table_sink *s, const char *p) { return sink_grow_put(&s->raw, &s->raw_len, &s->raw_cap, p, strlen(p)); }

/* Text of one field for the terminal: null "-", bool yes/no, arrays joined with ','. */
static int format_raw(struct table_sink *s, const struct field *f)
{
    char num[32];
    int rc = 0;
    s->raw_len = 0;
    if (!f || f->type == FT_NULL)
        return raw_put(s, "-");
    switch (f->type) {
    case FT_NULL:
        break;
    case FT_STR:
        rc |= raw_put(s, f->v.s ? f->v.s : "-");
        break;
    case FT_INT:
        snprintf(num, sizeof num, "%" PRId64, f->v.i);
        rc |= raw_put(s, num);
        break;
    case FT_BOOL:
        rc |= raw_put(s, f->v.b ? "yes" : "no");
        break;
    case FT_STR_ARRAY:
    case FT_INT_ARRAY:
        if (f->n == 0)
            rc |= raw_put(s, "-");
        for (unsigned j = 0; j < f->n && j < RECORD_MAX_ARRAY; j++) {
            if (j)
                rc |= raw_put(s, ",");
            if (f->type == FT_INT_ARRAY) {
                snprintf(num, sizeof num, "%" PRId64, f->ia[j]);
                rc |= raw_put(s, num);
            } else {
                rc |= raw_put(s, f->sa[j] ? f->sa[j] : "");
            }
        }
        break;
    }
    return rc;
}

/* Cleans s->raw into s->cell (NUL-terminated): invalid UTF-8 -> U+FFFD, C0/C1 controls and DEL -> '?',
 * cut to TABLE_MAX_CELL display columns with a trailing "…". */
static int clean_cell(struct table_sink *s)
{
    size_t n = s->raw_len, i = 0, width = 0, total = 0;
    int rc = 0;
    /* total width first, to know whether to cut */
    for (size_t j = 0; j < n;) {
        uint32_t cp;
        j += sink_utf8_next(s->raw + j, n - j, &cp);
        total += (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) ? 1 : (size_t)sink_cp_width(cp);
    }
    size_t limit = total > TABLE_MAX_CELL ? TABLE_MAX_CELL - 1 : TABLE_MAX_CELL;
    s->cell_len = 0;
    while (i < n) {
        uint32_t cp;
        size_t adv = sink_utf8_next(s->raw + i, n - i, &cp), k = adv;
        const char *p = s->raw + i;
        size_t w;
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
            p = "?";
            k = 1;
            w = 1;
        } else if (cp == 0xFFFD && k == 1) {
            p = "\xEF\xBF\xBD";
            k = 3;
            w = 1;
        } else {
            w = (size_t)sink_cp_width(cp);
        }
        if (width + w > limit)
            break;
        rc |= sink_grow_put(&s->cell, &s->cell_len, &s->cell_cap, p, k);
        width += w;
        i += adv;
    }
    if (total > TABLE_MAX_CELL)
        rc |= sink_grow_put(&s->cell, &s->cell_len, &s->cell_cap, "\xE2\x80\xA6", 3);
    rc |= sink_grow_put(&s->cell, &s->cell_len, &s->cell_cap, "", 1);
    return rc;
}

static int table_emit(struct sink *base, const struct record *r)
{
    struct table_sink *s = (struct table_sink *)base;
    if (s->filter && !s->filter(r, s->arg))
        return 0;
    if (s->n_rows >= TABLE_MAX_ROWS) {
        s->dropped++;
        return 0;
    }
    size_t row_len = 0, row_cap = 0;
    char *row = NULL;
    int rc = 0;
    for (unsigned c = 0; c < s->n_cols && rc == 0; c++) {
        rc |= format_raw(s, record_get(r, s->cols[c]));
        rc |= clean_cell(s);
        rc |= sink_grow_put(&row, &row_len, &row_cap, s->cell, s->cell_len);
    }
    if (rc == 0 && s->n_rows == s->cap_rows) {
        size_t nc = s->cap_rows ? s->cap_rows * 2 : 64;
        char **nr = realloc(s->rows, nc * sizeof *nr);
        if (nr) {
            s->rows = nr;
            s->cap_rows = nc;
        } else {
            rc = -1;
        }
    }
    if (rc != 0) {
        free(row);
        s->dropped++;
        return 0;
    }
    s->rows[s->n_rows++] = row;
    return 0;
}

static const char *cell_at(const char *row, unsigned c)
{
    while (c--)
        row += strlen(row) + 1;
    return row;
}

static void print_line(FILE *out, const char *const *cells, unsigned n, const size_t *widths)
{
    for (unsigned c = 0; c < n; c++) {
        fputs(cells[c], out);
        if (c + 1 < n) {
            for (size_t w = sink_str_width(cells[c]); w < widths[c]; w++)
                fputc(' ', out);
            fputs(TABLE_SEP, out);
        }
    }
    fputc('\n', out);
}

/* Rows sort by their first cell in natural order (core/text.h), so the table reads in address
 * order whatever order hosts finished in. */
static int row_cmp(const void *x, const void *y)
{
    return text_natural_cmp(*(const char *const *)x, *(const char *const *)y);
}

static int table_close(struct sink *base)
{
    struct table_sink *s = (struct table_sink *)base;
    int rc = 0;
    size_t *widths = calloc(s->n_cols ? s->n_cols : 1, sizeof *widths);
    const char **cells = calloc(s->n_cols ? s->n_cols : 1, sizeof *cells);
    if (widths && cells && s->n_rows > 0) {
        qsort(s->rows, s->n_rows, sizeof *s->rows, row_cmp);
        for (unsigned c = 0; c < s->n_cols; c++)
            widths[c] = sink_str_width(s->cols[c]);
        for (size_t i = 0; i < s->n_rows; i++)
            for (unsigned c = 0; c < s->n_cols; c++) {
                size_t w = sink_str_width(cell_at(s->rows[i], c));
                if (w > widths[c])
                    widths[c] = w;
            }
        print_line(s->out, (const char *const *)s->cols, s->n_cols, widths);
        for (size_t i = 0; i < s->n_rows; i++) {
            const char *p = s->rows[i];
            for (unsigned c = 0; c < s->n_cols; c++) {
                cells[c] = p;
                p += strlen(p) + 1;
            }
            print_line(s->out, cells, s->n_cols, widths);
        }
    } else if (s->n_rows > 0) {
        log_error("table: out of memory");
        rc = -1;
    }
    if (s->dropped)
        fprintf(s->out, "(%" PRIu64 " more rows not shown: the table keeps at most %u rows; "
                        "the NDJSON and CSV outputs have every row)\n", s->dropped, TABLE_MAX_ROWS);
    errno = 0;
    if (fflush(s->out) != 0 || ferror(s->out)) {
        log_error("writing the table: %s", strerror(errno ? errno : EIO));
        rc = -1;
    }
    for (size_t i = 0; i < s->n_rows; i++)
        free(s->rows[i]);
    for (unsigned c = 0; c < s->n_cols; c++)
        free(s->cols[c]);
    free(s->rows);
    free(s->cols);
    free(s->raw);
    free(s->cell);
    free(widths);
    free(cells);
    free(s);
    return rc;
}

struct sink *sink_table_open(FILE *out, const char *const *columns, unsigned n_columns,
                             int (*filter)(const struct record *r, void *arg), void *arg)
{
    struct table_sink *s = calloc(1, sizeof *s);
    if (!s || !(s->cols = calloc(n_columns ? n_columns : 1, sizeof *s->cols))) {
        free(s);
        log_error("table: out of memory");
        return NULL;
    }
    s->n_cols = n_columns;
    for (unsigned c = 0; c < n_columns; c++) {
        if (!(s->cols[c] = strdup(columns[c] ? columns[c] : ""))) {
            for (unsigned j = 0; j < c; j++)
                free(s->cols[j]);
            free(s->cols);
            free(s);
            log_error("table: out of memory");
            return NULL;
        }
    }
    s->out = out;
    s->filter = filter;
    s->arg = arg;
    s->base.emit = table_emit;
    s->base.close = table_close;
    return &s->base;
}
