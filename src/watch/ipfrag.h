/* ipfrag.h: IPv4 and IPv6 fragment reassembly for the watch pipeline. Memory is capped and
 * accounted by the module (its own struct wmem); incomplete datagrams time out. Overlaps are
 * resolved deterministically: bytes already held win over later copies (first wins), and counted. */
#ifndef SG_WATCH_IPFRAG_H
#define SG_WATCH_IPFRAG_H
#include <stddef.h>
#include <stdint.h>

#include "watch/decode.h"
#include "watch/mem.h"

#define IPFRAG_MAX_DGRAM 65535u   /* largest reassembled payload */
#define IPFRAG_MAX_PIECES 256u    /* pieces per datagram; more drops the datagram */

struct ipfrag_stats {
    uint64_t fragments;    /* fragments seen */
    uint64_t reassembled;  /* datagrams completed */
    uint64_t overlaps;     /* fragments that overlapped held bytes (trimmed, first wins) */
    uint64_t timeouts;     /* datagrams dropped by age */
    uint64_t dropped;      /* datagrams dropped: memcap, too large, too many pieces, inconsistent */
    uint64_t memcap_hits;
};

struct ipfrag_dgram;
struct ipfrag {
    struct wmem mem;
    int64_t timeout_us;
    struct ipfrag_dgram *head, *tail;   /* oldest first (by first fragment) */
    unsigned count;
    struct ipfrag_stats st;
    uint8_t out[IPFRAG_MAX_DGRAM];      /* the last reassembled payload */
};

/* Prepares an empty reassembler with a memory cap in bytes and a timeout in microseconds. */
void ipfrag_init(struct ipfrag *f, size_t memcap, int64_t timeout_us);
/* Frees every held datagram. */
void ipfrag_free(struct ipfrag *f);
/* Adds a WD_FRAG packet at time ts_us. Returns 1 when it completed a datagram: then *proto, *data
 * and *len give the reassembled transport bytes (f->out, valid until the next call) and the caller
 * decodes them with wd_decode_transport. Returns 0 otherwise (held or dropped). */
int ipfrag_add(struct ipfrag *f, const struct wd_pkt *pkt, int64_t ts_us,
               uint8_t *proto, const uint8_t **data, size_t *len);
/* Drops datagrams whose first fragment is older than now_us - timeout. */
void ipfrag_expire(struct ipfrag *f, int64_t now_us);

#endif
