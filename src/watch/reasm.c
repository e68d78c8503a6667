/* reasm.c: TCP stream reassembly and NBSS framing for one direction (see reasm.h). */
#include "watch/reasm.h"

#include <string.h>

#include "proto/nbss.h"

struct reasm_seg {
    struct reasm_seg *next;
    uint32_t seq, len;
    uint8_t data[];
};

#define SEQ_WINDOW 0x40000000u  /* segments further ahead than this are not of this stream */

static int32_t sdiff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

static void *ralloc(const struct reasm_env *env, size_t n)
{
    if (!wmem_fits(env->mem, n) && env->room)
        env->room(env->room_arg, n);
    return wmem_alloc(env->mem, n);
}

size_t reasm_pending(const struct reasm *s) { return s->len - s->start + s->ooo_bytes; }

size_t reasm_announced(const struct reasm *s)
{
    uint8_t type;
    size_t total;
    if (s->resync || !s->buf || nbss_peek(s->buf + s->start, s->len - s->start, &type, &total) != 1)
        return 0;
    return total;
}

void reasm_free(struct reasm *s, struct wmem *mem)
{
    wmem_free(mem, s->buf);
    s->buf = NULL;
    s->start = s->len = s->cap = 0;
    for (struct reasm_seg *g = s->ooo, *nx; g; g = nx) {
        nx = g->next;
        wmem_free(mem, g);
    }
    s->ooo = NULL;
    s->ooo_bytes = 0;
}

/* Where a NetBIOS header could start: type 0x00 with FF/FE/FD 'SMB' at +4, or a session-service
 * control message (0x81-0x85) with its fixed or small length. Returns 1 plausible, 0 when more
 * bytes are needed to tell, -1 not a header. */
static int plausible(const uint8_t *b, size_t n)
{
    if (n < 1)
        return 0;
    uint8_t t = b[0];
    if (t != 0x00 && (t < 0x81 || t > 0x85))
        return -1;
    if (n < 2)
        return 0;
    if (b[1] & 0xFE && t != 0x00)
        return -1;
    if (n < 4)
        return 0;
    size_t l = (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
    switch (t) {
    case 0x00:
        if (n < 8)
            return l >= 32 ? 0 : -1;
        return l >= 32 && (b[4] == 0xFF || b[4] == 0xFE || b[4] == 0xFD) && b[5] == 'S' && b[6] == 'M' &&
               b[7] == 'B' ? 1 : -1;
    case 0x81: return l >= 2 && l <= 1024 ? 1 : -1;
    case 0x83: return l == 1 ? 1 : -1;
    case 0x84: return l == 6 ? 1 : -1;
    default: return l == 0 ? 1 : -1; /* 0x82, 0x85 */
    }
}

/* Delivers every complete message in buf; in resync mode first discards bytes up to a plausible
 * header. */
static void frame(struct reasm *s, const struct reasm_env *env)
{
    while (s->start < s->len) {
        const uint8_t *b = s->buf + s->start;
        size_t avail = s->len - s->start;
        if (s->resync) {
            size_t i = 0;
            int r = -1;
            for (; i < avail; i++)
                if ((r = plausible(b + i, avail - i)) >= 0)
                    break;
            s->start += i;
            if (r != 1)
                break;
            s->resync = 0;
            continue;
        }
        uint8_t type;
        size_t total;
        int r = nbss_peek(b, avail, &type, &total);
        if (r == 0)
            break;
        if (r < 0) {
            s->parse_errors++;
            s->resync = 1;
            s->start++;
            continue;
        }
        if (avail < total)
            break;
        s->msgs++;
        s->start += total;
        env->msg(env->msg_arg, b, total);
    }
    if (s->start == s->len) {
        s->start = s->len = 0;
    } else if (s->start > 0 && s->start >= s->cap / 2) {
        memmove(s->buf, s->buf + s->start, s->len - s->start);
        s->len -= s->start;
        s->start = 0;
    }
}

/* Drops the partial message and restarts framing in resync mode. */
static void lose_buffer(struct reasm *s)
{
    s->start = s->len = 0;
    s->resync = 1;
}

/* Appends in-order bytes; on memory refusal the bytes are lost (a gap) and framing resyncs. */
static void append(struct reasm *s, const struct reasm_env *env, const uint8_t *d, size_t n)
{
    s->next_seq += (uint32_t)n;
    s->bytes += n;
    if (s->resync && s->start == s->len) {
        /* skip bytes that cannot start a header without buffering them */
        size_t i = 0;
        while (i < n && plausible(d + i, n - i) < 0)
            i++;
        d += i;
        n -= i;
        if (!n)
            return;
    }
    if (s->len + n > s->cap) {
        if (s->start) {
            memmove(s->buf, s->buf + s->start, s->len - s->start);
            s->len -= s->start;
            s->start = 0;
        }
        size_t need = s->len + n, ncap = s->cap ? s->cap : 2048;
        while (ncap < need)
            ncap *= 2;
        if (ncap > need && !wmem_fits(env->mem, ncap - s->cap))
            ncap = need; /* tight fit before giving up */
        if (!wmem_fits(env->mem, ncap - s->cap) && env->room)
            env->room(env->room_arg, ncap - s->cap);
        uint8_t *nb = wmem_realloc(env->mem, s->buf, ncap);
        if (!nb) {
            s->memcap_drops++;
            s->gaps++;
            lose_buffer(s);
            return;
        }
        s->buf = nb;
        s->cap = ncap;
    }
    memcpy(s->buf + s->len, d, n);
    s->len += n;
}

/* Moves out-of-order segments that have become contiguous into buf. */
static void drain(struct reasm *s, const struct reasm_env *env)
{
    while (s->ooo && sdiff(s->ooo->seq, s->next_seq) <= 0) {
        struct reasm_seg *g = s->ooo;
        int32_t d = sdiff(s->next_seq, g->seq);
        if ((uint32_t)d < g->len)
            append(s, env, g->data + d, g->len - (uint32_t)d);
        s->ooo = g->next;
        s->ooo_bytes -= g->len;
        wmem_free(env->mem, g);
    }
    if (s->fin && !s->closed && s->next_seq == s->fin_seq) {
        s->next_seq++;
        s->closed = 1;
    }
}

/* Declares [next_seq, seq) lost: the partial message goes, framing resyncs at seq. */
static void skip_to(struct reasm *s, const struct reasm_env *env, uint32_t seq)
{
    s->gaps++;
    lose_buffer(s);
    s->next_seq = seq;
    drain(s, env);
    frame(s, env);
}

/* Stores [seq, seq+n) minus the bytes already held (first wins). */
static void hold(struct reasm *s, const struct reasm_env *env, uint32_t seq, const uint8_t *d, uint32_t n)
{
    struct reasm_seg **link = &s->ooo;
    uint32_t end = seq + n;
    int overlapped = 0;
    while (sdiff(end, seq) > 0) {
        while (*link && sdiff((*link)->seq + (*link)->len, seq) <= 0)
            link = &(*link)->next;
        struct reasm_seg *cur = *link;
        if (cur && sdiff(cur->seq, seq) <= 0) {
            overlapped = 1;
            seq = cur->seq + cur->len;
            continue;
        }
        uint32_t stop = end;
        if (cur && sdiff(cur->seq, end) < 0) {
            stop = cur->seq;
            overlapped = 1;
        }
        uint32_t len = stop - seq;
        struct reasm_seg *g = ralloc(env, sizeof *g + len);
        if (!g) {
            s->memcap_drops++;
            break;
        }
        g->seq = seq;
        g->len = len;
        memcpy(g->data, d + (seq - (end - n)), len);
        g->next = cur;
        *link = g;
        link = &g->next;
        s->ooo_bytes += len;
        seq = stop;
    }
    if (overlapped)
        s->overlaps++;
}

static void skip_acked_hole(struct reasm *s, const struct reasm_env *env);

void reasm_segment(struct reasm *s, const struct reasm_env *env, uint32_t seq, uint8_t flags,
                   const uint8_t *data, size_t len)
{
    if (flags & REASM_SYN) {
        if (!s->have_isn || (s->bytes == 0 && !s->ooo)) {
            s->have_isn = 1;
            s->isn = seq;
            s->next_seq = seq + 1;
            s->midstream = 0;
            s->resync = 0;
        }
        seq++;
    }
    if (len > SEQ_WINDOW)
        len = SEQ_WINDOW;
    if (!s->have_isn) {
        if (!len && !(flags & REASM_FIN))
            return;
        s->have_isn = 1;
        s->midstream = 1;
        s->resync = 1;
        s->next_seq = seq;
    }
    if (flags & REASM_FIN && !s->fin) {
        s->fin = 1;
        s->fin_seq = seq + (uint32_t)len;
    }
    int32_t d = sdiff(seq, s->next_seq);
    if (d < 0) {
        uint32_t behind = (uint32_t)-(int64_t)d;
        if (behind >= len) {
            if (len)
                s->retrans++;
            drain(s, env);
            return;
        }
        s->overlaps++;
        data += behind;
        len -= behind;
        seq = s->next_seq;
        d = 0;
    }
    if (len == 0) {
        drain(s, env);
        return;
    }
    if (d == 0) {
        append(s, env, data, len);
        drain(s, env);
        frame(s, env);
        return;
    }
    if ((uint32_t)d > SEQ_WINDOW)
        return;
    hold(s, env, seq, data, (uint32_t)len);
    if (s->ooo && s->ooo_bytes > env->ooo_limit)
        skip_to(s, env, s->ooo->seq);
    else
        skip_acked_hole(s, env);
}

/* A hole [next_seq, ooo->seq) that the peer has acknowledged will never be filled: skip it. */
static void skip_acked_hole(struct reasm *s, const struct reasm_env *env)
{
    if (s->acked_ahead && sdiff(s->ack_seq, s->next_seq) <= 0)
        s->acked_ahead = 0;
    if (s->acked_ahead && s->ooo && sdiff(s->ooo->seq, s->ack_seq) <= 0)
        skip_to(s, env, s->ooo->seq);
}

void reasm_ack(struct reasm *s, const struct reasm_env *env, uint32_t ack)
{
    if (!s->have_isn)
        return;
    int32_t d = sdiff(ack, s->next_seq);
    if (d <= 0 || (uint32_t)d > SEQ_WINDOW)
        return;
    if (s->fin && !s->closed && ack == s->fin_seq + 1 && s->next_seq == s->fin_seq)
        return;
    if (!s->acked_ahead || sdiff(ack, s->ack_seq) > 0)
        s->ack_seq = ack;
    s->acked_ahead = 1;
    skip_acked_hole(s, env);
}
