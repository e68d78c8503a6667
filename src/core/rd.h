/* rd.h: bounds-checked little/big-endian reads over a byte span. Every read checks the span;
 * a failed read sets r->err and returns 0, so parsers check err once at the end. No allocation. */
#ifndef SG_CORE_RD_H
#define SG_CORE_RD_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
    const uint8_t *p;
    size_t len;
    size_t off;
    int err;
};

static inline struct rd rd_init(const uint8_t *p, size_t len) { struct rd r = {p, len, 0, 0}; return r; }
static inline int rd_has(const struct rd *r, size_t n) { return !r->err && r->off <= r->len && r->len - r->off >= n; }
static inline size_t rd_left(const struct rd *r) { return r->err || r->off > r->len ? 0 : r->len - r->off; }
static inline void rd_seek(struct rd *r, size_t off) { if (off > r->len) r->err = 1; else r->off = off; }
static inline void rd_skip(struct rd *r, size_t n) { if (!rd_has(r, n)) r->err = 1; else r->off += n; }
static inline uint8_t rd_u8(struct rd *r) {
    if (!rd_has(r, 1)) { r->err = 1; return 0; }
    return r->p[r->off++];
}
static inline uint16_t rd_le16(struct rd *r) {
    if (!rd_has(r, 2)) { r->err = 1; return 0; }
    uint16_t v = (uint16_t)(r->p[r->off] | (r->p[r->off + 1] << 8));
    r->off += 2; return v;
}
static inline uint32_t rd_le32(struct rd *r) {
    if (!rd_has(r, 4)) { r->err = 1; return 0; }
    const uint8_t *b = r->p + r->off;
    r->off += 4;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static inline uint64_t rd_le64(struct rd *r) {
    uint64_t lo = rd_le32(r); uint64_t hi = rd_le32(r); return lo | (hi << 32);
}
static inline uint16_t rd_be16(struct rd *r) {
    if (!rd_has(r, 2)) { r->err = 1; return 0; }
    uint16_t v = (uint16_t)((r->p[r->off] << 8) | r->p[r->off + 1]);
    r->off += 2; return v;
}
static inline uint32_t rd_be32(struct rd *r) {
    uint32_t hi = rd_be16(r); uint32_t lo = rd_be16(r); return (hi << 16) | lo;
}
/* Returns a pointer to n bytes and advances, or NULL (and err) when they are not there. */
static inline const uint8_t *rd_bytes(struct rd *r, size_t n) {
    if (!rd_has(r, n)) { r->err = 1; return NULL; }
    const uint8_t *b = r->p + r->off; r->off += n; return b;
}

/* Little-endian writers into a caller-owned buffer; the caller checks capacity first. */
static inline void wr_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void wr_le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void wr_le64(uint8_t *p, uint64_t v) { wr_le32(p, (uint32_t)v); wr_le32(p + 4, (uint32_t)(v >> 32)); }
static inline uint16_t ld_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t ld_le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

#endif
