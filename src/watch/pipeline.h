/* pipeline.h: the watch front end for one capture: decode -> IP fragment reassembly -> TCP flow
 * table and stream reassembly, delivering NBSS messages and flow ends to the detection layer
 * through struct flow_cbs, and UDP datagrams through on_udp. Owns its ipfrag and flow table. */
#ifndef SG_WATCH_PIPELINE_H
#define SG_WATCH_PIPELINE_H
#include <stddef.h>
#include <stdint.h>

#include "watch/decode.h"
#include "watch/flow.h"
#include "watch/ipfrag.h"

struct wpipe_cfg {
    struct flow_cfg flow;
    size_t frag_memcap;
    int64_t frag_timeout_us;
    /* Optional: every UDP datagram (after reassembly), valid during the call only. */
    void (*on_udp)(void *arg, const struct wd_pkt *p, int64_t ts_us, uint64_t index);
    void *udp_arg;
    /* Optional: every TCP segment (after IP reassembly, before the flow table; not reassembled, so
     * only the first bytes of an application payload are seen), valid during the call only. Used by
     * the kill-switch detections for TCP 53 and 80; the flow table keeps tracking 139/445 only. */
    void (*on_tcp)(void *arg, const struct wd_pkt *p, int64_t ts_us, uint64_t index);
    void *tcp_arg;
};

/* The counters of the human summary. */
struct wpipe_counters {
    uint64_t packets, bytes;              /* frames fed, their captured bytes */
    uint64_t decode_errors, non_ip, tcp, udp;
    uint64_t fragments, frag_reassembled, frag_overlaps, frag_timeouts, frag_dropped;
    uint64_t flows, evictions, flow_timeouts, messages;
    uint64_t gaps, parse_errors, retransmissions, overlaps;
    uint64_t memcap_hits;                 /* flow table + streams + fragments */
    size_t mem_used, mem_peak;            /* flow table, accounted */
};

struct wpipe {
    struct wpipe_cfg cfg;
    struct flow_table flows;
    struct ipfrag frag;
    int64_t now_us;                       /* latest packet time seen (timestamps may go back) */
    uint64_t packets, bytes, decode_errors, non_ip, tcp, udp;
};

/* Fills the defaults: flow_cfg_default, 4 MiB of fragments, 30 s fragment timeout. */
void wpipe_cfg_default(struct wpipe_cfg *cfg);
/* Allocates a pipeline (the fixed-size struct itself is not charged to the memcaps). NULL on
 * failure. The callbacks are copied. */
struct wpipe *wpipe_new(const struct wpipe_cfg *cfg, const struct flow_cbs *cbs);
/* Feeds one frame of link type linktype, captured at ts_us, capture index index (1-based). */
void wpipe_packet(struct wpipe *w, int linktype, int64_t ts_us, const uint8_t *p, size_t caplen, uint64_t index);
/* Ends every flow (FLOW_END_SHUTDOWN) and frees the pipeline. NULL is a no-op. */
void wpipe_free(struct wpipe *w);
void wpipe_counters(const struct wpipe *w, struct wpipe_counters *c);

#endif
