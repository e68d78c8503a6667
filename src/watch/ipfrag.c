/* ipfrag.c: fragment reassembly (see ipfrag.h). Datagrams live in one list, oldest first;
 * a datagram's pieces are kept sorted and disjoint. */
#include "watch/ipfrag.h"

#include <string.h>

struct piece {
    struct piece *next;
    uint32_t off, len;
    uint8_t data[];
};

struct ipfrag_dgram {
    struct ipfrag_dgram *prev, *next;
    uint8_t ipver, proto, have_first, have_last;
    uint8_t src[16], dst[16];
    uint32_t id;
    uint32_t total;     /* known when have_last */
    unsigned n_pieces;
    int64_t first_ts;
    struct piece *pieces;
};

void ipfrag_init(struct ipfrag *f, size_t memcap, int64_t timeout_us)
{
    memset(f, 0, offsetof(struct ipfrag, out));
    wmem_init(&f->mem, memcap);
    f->timeout_us = timeout_us;
}

static void unlink_dgram(struct ipfrag *f, struct ipfrag_dgram *d)
{
    if (d->prev) d->prev->next = d->next; else f->head = d->next;
    if (d->next) d->next->prev = d->prev; else f->tail = d->prev;
    f->count--;
}

static void drop_dgram(struct ipfrag *f, struct ipfrag_dgram *d)
{
    unlink_dgram(f, d);
    for (struct piece *p = d->pieces, *nx; p; p = nx) {
        nx = p->next;
        wmem_free(&f->mem, p);
    }
    wmem_free(&f->mem, d);
}

void ipfrag_free(struct ipfrag *f)
{
    while (f->head)
        drop_dgram(f, f->head);
}

void ipfrag_expire(struct ipfrag *f, int64_t now_us)
{
    while (f->head && f->head->first_ts + f->timeout_us < now_us) {
        f->st.timeouts++;
        drop_dgram(f, f->head);
    }
}

/* Allocates under the cap, evicting the oldest datagrams (other than keep) to make room. */
static void *alloc_evict(struct ipfrag *f, size_t n, const struct ipfrag_dgram *keep)
{
    while (!wmem_fits(&f->mem, n)) {
        struct ipfrag_dgram *old = f->head;
        if (old == keep)
            old = old->next;
        if (!old)
            break;
        f->st.dropped++;
        drop_dgram(f, old);
    }
    void *p = wmem_alloc(&f->mem, n);
    if (!p)
        f->st.memcap_hits++;
    return p;
}

static struct ipfrag_dgram *find(struct ipfrag *f, const struct wd_pkt *k)
{
    for (struct ipfrag_dgram *d = f->tail; d; d = d->prev)
        if (d->id == k->frag_id && d->ipver == k->ipver && !memcmp(d->src, k->src, 16) &&
            !memcmp(d->dst, k->dst, 16) && (k->ipver == 6 || d->proto == k->frag_proto))
            return d;
    return NULL;
}

/* Inserts [off, off+len) minus what is already held. Returns -1 on allocation failure. */
static int insert(struct ipfrag *f, struct ipfrag_dgram *d, uint32_t off, const uint8_t *data, uint32_t len)
{
    uint32_t s = off, e = off + len;
    struct piece **link = &d->pieces;
    int overlapped = 0;
    while (s < e) {
        while (*link && (*link)->off + (*link)->len <= s)
            link = &(*link)->next;
        struct piece *cur = *link;
        uint32_t stop = e;
        if (cur && cur->off <= s) { /* s lies inside cur: skip the held bytes */
            overlapped = 1;
            s = cur->off + cur->len;
            continue;
        }
        if (cur && cur->off < e) {
            stop = cur->off;
            overlapped = 1;
        }
        if (d->n_pieces >= IPFRAG_MAX_PIECES)
            return -1;
        struct piece *p = alloc_evict(f, sizeof *p + (stop - s), d);
        if (!p)
            return -1;
        p->off = s;
        p->len = stop - s;
        memcpy(p->data, data + (s - off), p->len);
        p->next = cur;
        *link = p;
        link = &p->next;
        d->n_pieces++;
        s = stop;
    }
    if (overlapped)
        f->st.overlaps++;
    return 0;
}

int ipfrag_add(struct ipfrag *f, const struct wd_pkt *pkt, int64_t ts_us,
               uint8_t *proto, const uint8_t **data, size_t *len)
{
    f->st.fragments++;
    ipfrag_expire(f, ts_us);
    if ((uint64_t)pkt->frag_off + pkt->frag_len > IPFRAG_MAX_DGRAM) {
        f->st.dropped++;
        return 0;
    }
    struct ipfrag_dgram *d = find(f, pkt);
    if (!d) {
        d = alloc_evict(f, sizeof *d, NULL);
        if (!d)
            return 0;
        memset(d, 0, sizeof *d);
        d->ipver = pkt->ipver;
        d->proto = pkt->frag_proto;
        memcpy(d->src, pkt->src, 16);
        memcpy(d->dst, pkt->dst, 16);
        d->id = pkt->frag_id;
        d->first_ts = ts_us;
        d->prev = f->tail;
        if (f->tail) f->tail->next = d; else f->head = d;
        f->tail = d;
        f->count++;
    }
    uint32_t off = pkt->frag_off, flen = (uint32_t)pkt->frag_len;
    if (off == 0) {
        d->have_first = 1;
        d->proto = pkt->frag_proto;
    }
    if (!pkt->frag_more) {
        if (d->have_last && d->total != off + flen) {
            f->st.overlaps++; /* conflicting ends: the first one wins */
            if (off + flen > d->total)
                flen = d->total > off ? d->total - off : 0;
        } else {
            d->total = off + flen;
        }
        d->have_last = 1;
    } else if (d->have_last && off + flen > d->total) {
        flen = d->total > off ? d->total - off : 0;
    }
    if (flen && insert(f, d, off, pkt->frag_data, flen) < 0) {
        f->st.dropped++;
        drop_dgram(f, d);
        return 0;
    }
    if (!d->have_first || !d->have_last)
        return 0;
    uint32_t at = 0;
    for (struct piece *p = d->pieces; p && p->off == at; p = p->next)
        at = p->off + p->len;
    if (at < d->total)
        return 0;
    for (struct piece *p = d->pieces; p && p->off < d->total; p = p->next)
        memcpy(f->out + p->off, p->data, p->off + p->len <= d->total ? p->len : d->total - p->off);
    *proto = d->proto;
    *data = f->out;
    *len = d->total;
    f->st.reassembled++;
    drop_dgram(f, d);
    return 1;
}
