/* mem.h: the watch pipeline's memory accounting. Every heap allocation of the frame decoder's
 * state (fragments, flows, stream buffers) goes through a struct wmem, which counts the bytes of
 * each block (header included) against a hard cap, in every build. No global state. */
#ifndef SG_WATCH_MEM_H
#define SG_WATCH_MEM_H
#include <stddef.h>
#include <stdint.h>

struct wmem {
    size_t cap;        /* hard limit on used */
    size_t used;       /* bytes currently allocated, headers included */
    size_t peak;
    uint64_t hits;     /* allocations refused because of the cap */
};

static inline void wmem_init(struct wmem *m, size_t cap) { m->cap = cap; m->used = 0; m->peak = 0; m->hits = 0; }
/* Returns a block of n bytes, or NULL when used + n (+ header) would pass the cap (hits counted)
 * or malloc fails. The caller owns the block and releases it with wmem_free on the same wmem. */
void *wmem_alloc(struct wmem *m, size_t n);
/* Like wmem_alloc but zeroed. */
void *wmem_calloc(struct wmem *m, size_t n);
/* Resizes p (may be NULL) to n bytes. On refusal returns NULL and p is left untouched. */
void *wmem_realloc(struct wmem *m, void *p, size_t n);
/* 1 when n more bytes (+ header) would fit under the cap; does not count a hit. */
int wmem_fits(const struct wmem *m, size_t n);
void wmem_free(struct wmem *m, void *p);
/* Bytes charged for a block of n bytes. */
size_t wmem_charge(size_t n);

#endif
