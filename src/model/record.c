/* record.c: the one record type (record.h). Strings are copied into the record's fixed arena; what
 * does not fit is cut at a UTF-8 boundary (or dropped) and sets `truncated`. Never writes past a buffer. */
#include "model/record.h"
#include <string.h>

void record_reset(struct record *r, const char *kind)
{
    r->kind = kind;
    r->n_fields = 0;
    r->arena_used = 0;
    r->truncated = 0;
    r->arena[0] = '\0';
}

/* Copies s into the arena and returns the copy. When it does not fit, keeps the longest prefix that
 * ends on a UTF-8 character boundary (possibly "") and sets truncated. */
static const char *arena_copy(struct record *r, const char *s)
{
    size_t len = strlen(s);
    size_t room = r->arena_used < RECORD_ARENA ? RECORD_ARENA - r->arena_used : 0;
    if (room == 0) { /* not even a NUL fits: point at a static empty string */
        r->truncated = 1;
        return "";
    }
    if (len + 1 > room) {
        r->truncated = 1;
        len = room - 1;
        /* s[len] is the first byte left out: when it continues a character, cut before that
         * character's lead byte so no multi-byte sequence is split */
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    char *d = r->arena + r->arena_used;
    memcpy(d, s, len);
    d[len] = '\0';
    r->arena_used += len + 1;
    return d;
}

/* Appends a field slot, or returns NULL (and sets truncated) when the record is full. */
static struct field *add_field(struct record *r, const char *name, enum field_type t)
{
    if (r->n_fields >= RECORD_MAX_FIELDS) {
        r->truncated = 1;
        return NULL;
    }
    struct field *f = &r->fields[r->n_fields++];
    f->name = name;
    f->type = t;
    f->n = 0;
    f->v.i = 0;
    return f;
}

void record_str(struct record *r, const char *name, const char *s)
{
    if (!s) {
        record_null(r, name);
        return;
    }
    struct field *f = add_field(r, name, FT_STR);
    if (f)
        f->v.s = arena_copy(r, s);
}

void record_int(struct record *r, const char *name, int64_t v)
{
    struct field *f = add_field(r, name, FT_INT);
    if (f)
        f->v.i = v;
}

void record_bool(struct record *r, const char *name, int v)
{
    struct field *f = add_field(r, name, FT_BOOL);
    if (f)
        f->v.b = v ? 1 : 0;
}

void record_null(struct record *r, const char *name)
{
    add_field(r, name, FT_NULL);
}

void record_tri(struct record *r, const char *name, int v)
{
    if (v < 0)
        record_null(r, name);
    else
        record_bool(r, name, v);
}

/* Arrays keep at most RECORD_MAX_ARRAY elements (more sets truncated); a NULL element becomes "". */
void record_str_array(struct record *r, const char *name, const char *const *v, unsigned n)
{
    struct field *f = add_field(r, name, FT_STR_ARRAY);
    if (!f)
        return;
    if (n > RECORD_MAX_ARRAY) {
        r->truncated = 1;
        n = RECORD_MAX_ARRAY;
    }
    for (unsigned i = 0; i < n; i++)
        f->sa[i] = arena_copy(r, v && v[i] ? v[i] : "");
    f->n = n;
}

void record_int_array(struct record *r, const char *name, const int64_t *v, unsigned n)
{
    struct field *f = add_field(r, name, FT_INT_ARRAY);
    if (!f)
        return;
    if (n > RECORD_MAX_ARRAY) {
        r->truncated = 1;
        n = RECORD_MAX_ARRAY;
    }
    for (unsigned i = 0; i < n && v; i++)
        f->ia[i] = v[i];
    f->n = v ? n : 0;
}

const struct field *record_get(const struct record *r, const char *name)
{
    for (unsigned i = 0; i < r->n_fields; i++)
        if (r->fields[i].name && name && strcmp(r->fields[i].name, name) == 0)
            return &r->fields[i];
    return NULL;
}
