/* wb.h: the bounded message writer the request builders share (the writing twin of core/rd.h).
 * A message under construction: out[0..3] is the NBSS header, out[4..] the SMB message. Every
 * write checks the capacity; a write that does not fit sets err and later writes do nothing, so a
 * builder checks err once at the end. No allocation. */
#ifndef SG_PROTO_WB_H
#define SG_PROTO_WB_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wb {
    uint8_t *p;
    size_t cap, off;
    int err;
};

static inline void wb_u8(struct wb *w, uint8_t v)
{
    if (w->err || w->off + 1 > w->cap) {
        w->err = 1;
        return;
    }
    w->p[w->off++] = v;
}
static inline void wb_le16(struct wb *w, uint16_t v)
{
    wb_u8(w, (uint8_t)v);
    wb_u8(w, (uint8_t)(v >> 8));
}
static inline void wb_le32(struct wb *w, uint32_t v)
{
    wb_le16(w, (uint16_t)v);
    wb_le16(w, (uint16_t)(v >> 16));
}
static inline void wb_le64(struct wb *w, uint64_t v)
{
    wb_le32(w, (uint32_t)v);
    wb_le32(w, (uint32_t)(v >> 32));
}
static inline void wb_mem(struct wb *w, const void *src, size_t n)
{
    if (w->err || n > w->cap - w->off) {
        w->err = 1;
        return;
    }
    if (n)
        memcpy(w->p + w->off, src, n);
    w->off += n;
}
static inline void wb_zero(struct wb *w, size_t n)
{
    for (size_t i = 0; i < n && !w->err; i++)
        wb_u8(w, 0);
}
/* Offset of the next byte from the SMB header start (the NBSS header excluded). */
static inline size_t wb_smboff(const struct wb *w) { return w->off - 4; }

#endif
