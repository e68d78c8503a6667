/* kbtable.c: lookups over the MS17-010 knowledge table that tools/gen_kbtable.py generates from
 * data/ms17010.csv (kbtable_data.c): binary search per OS family, newest KB, family facts. */
#include "audit/kbtable.h"
#include <stddef.h>

/* Defined in the generated kbtable_data.c. */
extern const struct kb_info *const sg_kbtable_rows[OSF_COUNT];
extern const unsigned sg_kbtable_count[OSF_COUNT];
extern const struct family_info sg_kbtable_family[OSF_COUNT];

static int family_ok(enum os_family f)
{
    return (int)f > (int)OSF_UNKNOWN && (int)f < (int)OSF_COUNT;
}

unsigned kbtable_rows(enum os_family f, const struct kb_info **rows)
{
    if (!family_ok(f)) {
        if (rows)
            *rows = NULL;
        return 0;
    }
    if (rows)
        *rows = sg_kbtable_rows[f];
    return sg_kbtable_count[f];
}

const struct kb_info *kbtable_lookup(enum os_family f, uint32_t kb)
{
    const struct kb_info *rows;
    unsigned lo = 0, hi = kbtable_rows(f, &rows);

    while (lo < hi) {                   /* rows sorted by kb, unique (the generator checks) */
        unsigned mid = lo + (hi - lo) / 2;
        if (rows[mid].kb == kb)
            return &rows[mid];
        if (rows[mid].kb < kb)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

uint32_t kbtable_newest(enum os_family f)
{
    const struct kb_info *rows;
    unsigned n = kbtable_rows(f, &rows);
    return n ? rows[n - 1].kb : 0;
}

uint32_t kbtable_newest_fix(enum os_family f)
{
    const struct kb_info *rows;
    unsigned n = kbtable_rows(f, &rows);
    while (n > 0) {
        n--;
        if (rows[n].effect == KBE_FIXES)
            return rows[n].kb;
    }
    return 0;
}

const struct family_info *kbtable_family(enum os_family f)
{
    return family_ok(f) ? &sg_kbtable_family[f] : NULL;
}

const char *os_family_name(enum os_family f)
{
    return family_ok(f) ? sg_kbtable_family[f].name : "unknown OS";
}
