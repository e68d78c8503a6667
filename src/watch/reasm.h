/* reasm.h: one direction of a TCP stream, reassembled and framed into NetBIOS session messages.
 * Survives out-of-order segments, retransmissions, overlaps (bytes already held win), gaps
 * (counted; framing resynchronises on the next plausible NBSS header), streams first seen
 * mid-connection, and one-direction captures. Memory comes from the caller's struct wmem. */
#ifndef SG_WATCH_REASM_H
#define SG_WATCH_REASM_H
#include <stddef.h>
#include <stdint.h>

#include "watch/mem.h"

struct reasm_seg;

struct reasm {
    uint8_t have_isn;     /* next_seq is meaningful */
    uint8_t resync;       /* framing lost: looking for a plausible NBSS header */
    uint8_t midstream;    /* first seen without a SYN */
    uint8_t fin, closed;  /* FIN seen at fin_seq; closed once next_seq passed it */
    uint32_t isn;         /* SYN sequence number when seen */
    uint32_t next_seq;    /* next in-order byte expected */
    uint32_t fin_seq;
    uint8_t acked_ahead;  /* the peer acknowledged bytes beyond next_seq: ack_seq */
    uint32_t ack_seq;
    uint8_t *buf;         /* in-order bytes not yet framed: buf[start, len) */
    size_t start, len, cap;
    struct reasm_seg *ooo; /* out-of-order segments, sorted, disjoint */
    size_t ooo_bytes;
    uint64_t msgs, bytes, gaps, parse_errors, retrans, overlaps, memcap_drops;
};

/* How a stream reaches its memory, its owner and the message consumer. */
struct reasm_env {
    struct wmem *mem;
    /* Called before an allocation of n bytes that does not fit; may free memory elsewhere (never
     * this stream). NULL for none. */
    void (*room)(void *arg, size_t n);
    void *room_arg;
    /* One complete NBSS message (4-byte header included), valid during the call only. */
    void (*msg)(void *arg, const uint8_t *msg, size_t len);
    void *msg_arg;
    size_t ooo_limit;     /* buffered out-of-order bytes beyond which the hole is declared a gap */
};

#define REASM_SYN 0x02
#define REASM_FIN 0x01

/* Feeds one segment (flags: REASM_SYN/REASM_FIN as on the wire). Messages it completes are
 * delivered through env->msg before it returns. */
void reasm_segment(struct reasm *s, const struct reasm_env *env, uint32_t seq, uint8_t flags,
                   const uint8_t *data, size_t len);
/* The peer acknowledged up to ack. Bytes before ack that this stream has not seen are either late
 * (a sensor may record the ACK before the data it acknowledges) or lost by the capture: the hole is
 * declared a gap (framing resumes after it) only once data beyond it has arrived, never on the ACK
 * alone. */
void reasm_ack(struct reasm *s, const struct reasm_env *env, uint32_t ack);
/* Bytes buffered but not yet delivered (a partial message or out-of-order data). */
size_t reasm_pending(const struct reasm *s);
/* Total length announced by the NBSS header of the pending partial message, 0 when none. */
size_t reasm_announced(const struct reasm *s);
/* Releases every buffer; the struct may be reused after memset. */
void reasm_free(struct reasm *s, struct wmem *mem);

#endif
