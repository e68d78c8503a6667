/* mem.c: capped, self-accounted allocation for the watch pipeline (see mem.h). */
#include "watch/mem.h"

#include <stdlib.h>
#include <string.h>

/* Each block carries its size in a max_align_t-sized header so wmem_free can uncharge it. */
#define HDR sizeof(max_align_t)

size_t wmem_charge(size_t n) { return n + HDR; }

int wmem_fits(const struct wmem *m, size_t n)
{
    return n <= SIZE_MAX - HDR && m->used <= m->cap && m->cap - m->used >= n + HDR;
}

void *wmem_alloc(struct wmem *m, size_t n)
{
    if (!wmem_fits(m, n)) {
        m->hits++;
        return NULL;
    }
    unsigned char *b = malloc(n + HDR);
    if (!b) {
        m->hits++;
        return NULL;
    }
    memcpy(b, &n, sizeof n);
    m->used += n + HDR;
    if (m->used > m->peak)
        m->peak = m->used;
    return b + HDR;
}

void *wmem_calloc(struct wmem *m, size_t n)
{
    void *p = wmem_alloc(m, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *wmem_realloc(struct wmem *m, void *p, size_t n)
{
    if (!p)
        return wmem_alloc(m, n);
    unsigned char *b = (unsigned char *)p - HDR;
    size_t old;
    memcpy(&old, b, sizeof old);
    if (n > old && !wmem_fits(m, n - old)) {
        m->hits++;
        return NULL;
    }
    unsigned char *nb = realloc(b, n + HDR);
    if (!nb) {
        m->hits++;
        return NULL;
    }
    memcpy(nb, &n, sizeof n);
    m->used = m->used - old + n;
    if (m->used > m->peak)
        m->peak = m->used;
    return nb + HDR;
}

void wmem_free(struct wmem *m, void *p)
{
    if (!p)
        return;
    unsigned char *b = (unsigned char *)p - HDR;
    size_t n;
    memcpy(&n, b, sizeof n);
    m->used -= n + HDR;
    free(b);
}

