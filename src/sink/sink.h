/* sink.h: where records go. Producers call sink_emit for every record; the CLI builds the chain
 * (terminal table, NDJSON file, CSV file, later the inventory) and owns every sink it opens. */
#ifndef SG_SINK_SINK_H
#define SG_SINK_SINK_H
#include <stdio.h>
#include "model/record.h"

struct sink {
    /* Returns 0, or -1 on an I/O error (the sink then reports it once on stderr and stops writing). */
    int (*emit)(struct sink *s, const struct record *r);
    /* Flushes and closes; returns 0 or -1 on an I/O error. Frees the sink. */
    int (*close)(struct sink *s);
    struct sink *next;   /* chain; sink_emit walks it */
};

int sink_emit(struct sink *chain, const struct record *r);
int sink_close_all(struct sink *chain);

/* path "-" is stdout. Returns NULL and prints the reason on failure. */
struct sink *sink_ndjson_open(const char *path);
/* CSV with a UTF-8 BOM and CRLF line ends so that Excel opens it correctly; the header comes from
 * the first record's field names; arrays are joined with ';'. */
struct sink *sink_csv_open(const char *path);
/* Terminal table: the listed columns, one row per record whose filter accepts it. Rows are buffered
 * and printed aligned at close. `filter` may be NULL (all rows). */
struct sink *sink_table_open(FILE *out, const char *const *columns, unsigned n_columns,
                             int (*filter)(const struct record *r, void *arg), void *arg);

/* Helpers shared by the sink implementations (sink.c); not for producers. */
/* Decodes one UTF-8 character from s (n > 0 bytes available) into *cp and returns its length; an
 * invalid, overlong, surrogate or cut sequence gives *cp = U+FFFD and length 1. */
size_t sink_utf8_next(const char *s, size_t n, uint32_t *cp);
/* Terminal display width of a code point: 0 for combining marks and zero-width characters, 2 for East
 * Asian wide and fullwidth ones (CJK, Hiragana, Katakana, Hangul, fullwidth forms), else 1. */
int sink_cp_width(uint32_t cp);
/* Display width of a UTF-8 string (invalid bytes count 1 each). */
size_t sink_str_width(const char *s);
/* Appends n bytes to a growable buffer (*buf of *len used, *cap allocated). 0, or -1 out of memory. */
int sink_grow_put(char **buf, size_t *len, size_t *cap, const char *p, size_t n);

/* The output file of a file sink: "-" is stdout (flushed, never closed). After the first I/O error
 * it is reported once on stderr and every later write returns -1. */
struct sink_file {
    FILE *f;
    char *path;
    int is_stdout;
    int failed;
};
/* Opens path with fopen mode; logs and returns -1 on failure. */
int sink_file_open(struct sink_file *sf, const char *path, const char *mode);
/* Reports "WHAT 'PATH': strerror(err)" once; returns -1. */
int sink_file_fail(struct sink_file *sf, const char *what, int err);
/* Writes and flushes one record's bytes. */
int sink_file_write(struct sink_file *sf, const char *buf, size_t n);
/* Flushes, closes (not stdout) and frees the path; 0, or -1 on any error so far. */
int sink_file_close(struct sink_file *sf);

#endif
