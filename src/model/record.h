/* record.h: the one record type that every producer (scan, audit, watch) hands to the sinks.
 * A record is a kind plus an ordered list of typed, named fields, so sinks (table, NDJSON, CSV,
 * later the inventory) need no knowledge of the producer. A record owns copies of its strings in
 * an internal arena with a fixed cap; it is reused with record_reset(). Not thread-safe. */
#ifndef SG_MODEL_RECORD_H
#define SG_MODEL_RECORD_H
#include <stddef.h>
#include <stdint.h>

enum field_type { FT_NULL, FT_STR, FT_INT, FT_BOOL, FT_STR_ARRAY, FT_INT_ARRAY };

#define RECORD_MAX_FIELDS 64
#define RECORD_MAX_ARRAY 16
#define RECORD_ARENA 8192

struct field {
    const char *name;           /* static string owned by the producer's schema */
    enum field_type type;
    union {
        const char *s;          /* points into the record arena */
        int64_t i;
        int b;
    } v;
    unsigned n;                 /* element count for arrays */
    const char *sa[RECORD_MAX_ARRAY];
    int64_t ia[RECORD_MAX_ARRAY];
};

struct record {
    const char *kind;           /* "scan", "audit", "alert", ... (static) */
    unsigned n_fields;
    struct field fields[RECORD_MAX_FIELDS];
    size_t arena_used;
    int truncated;              /* set when a string or field did not fit; sinks may warn */
    char arena[RECORD_ARENA];
};

void record_reset(struct record *r, const char *kind);
/* Each adder appends a field; a NULL string adds FT_NULL. */
void record_str(struct record *r, const char *name, const char *s);
void record_int(struct record *r, const char *name, int64_t v);
void record_bool(struct record *r, const char *name, int v);
void record_null(struct record *r, const char *name);
/* tri-state: -1 null, 0 false, 1 true */
void record_tri(struct record *r, const char *name, int v);
void record_str_array(struct record *r, const char *name, const char *const *v, unsigned n);
void record_int_array(struct record *r, const char *name, const int64_t *v, unsigned n);
const struct field *record_get(const struct record *r, const char *name);

#endif
