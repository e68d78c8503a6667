/* flow.h: the watch TCP flow table. Flows are keyed on the 5-tuple; the client/server roles come
 * from ports and TCP flags, never from addresses (decisions.md 9). Memory is capped and accounted
 * by the table's struct wmem (flows, hash buckets, stream buffers); flows end by FIN/RST, idle
 * timeout, eviction under the cap (flows that never carried data go first, so a SYN flood evicts
 * itself) or shutdown, always through the on_flow_end callback. */
#ifndef SG_WATCH_FLOW_H
#define SG_WATCH_FLOW_H
#include <stddef.h>
#include <stdint.h>

#include "watch/decode.h"
#include "watch/mem.h"
#include "watch/reasm.h"

enum { WDIR_TO_SERVER = 0, WDIR_TO_CLIENT = 1 };
enum flow_end_reason {
    FLOW_END_CLOSED, FLOW_END_RESET, FLOW_END_TIMEOUT, FLOW_END_EVICTED, FLOW_END_SHUTDOWN, FLOW_END_REUSED,
};
enum { FLOW_LIST_EMBRYONIC, FLOW_LIST_ACTIVE, FLOW_LIST_CLOSED, FLOW_NLISTS };

struct wflow {
    uint8_t ipver;
    uint8_t l4proto;               /* 0 or 6: TCP; 17: UDP (pseudo flows of the kill-switch detections) */
    uint8_t cli[16], srv[16];      /* client and server addresses (IPv4 in the first 4 bytes) */
    uint16_t cport, sport;
    uint64_t id;                   /* deterministic, < 2^51: hash of the 5-tuple and first packet time */
    int64_t first_ts, last_ts;     /* microseconds */
    uint64_t first_index;          /* capture index of the first packet */
    uint64_t pkts[2], bytes[2];    /* per direction (WDIR_*) */
    uint8_t saw_syn, saw_synack, saw_data, saw_fin[2], saw_rst;
    uint8_t end_reason;            /* set before on_flow_end */
    struct reasm dir[2];           /* per direction (WDIR_*) */
    void *user;                    /* owned by the consumer; release it in on_flow_end */
    struct flow_table *table;      /* the table that made the flow (NULL for pseudo flows): per-flow
                                    * consumer state is charged to its memcap via flow_user_* */
    /* table internals */
    struct wflow *hnext, *lprev, *lnext;
    uint32_t hash;
    uint8_t list;
};

struct flow_cbs {
    /* A complete NBSS message of direction dir, completed by packet pkt_index at ts_us. Must not
     * call back into the table. */
    void (*on_msg)(void *arg, struct wflow *f, int dir, const uint8_t *msg, size_t len,
                   int64_t ts_us, uint64_t pkt_index);
    /* The flow ends (f->end_reason says why); f is freed right after the call. */
    void (*on_flow_end)(void *arg, struct wflow *f);
    void *arg;
};

#define FLOW_MAX_PORTS 8
struct flow_cfg {
    size_t memcap;                 /* bytes, every allocation of the table counted */
    int64_t idle_timeout_us;       /* flows with data */
    int64_t embryonic_timeout_us;  /* flows that never carried data */
    int64_t closed_timeout_us;     /* after FIN from both sides or RST */
    size_t ooo_limit;              /* per direction, see reasm_env */
    uint16_t ports[FLOW_MAX_PORTS];/* server ports (default 139, 445) */
    unsigned n_ports;
};

struct flow_stats {
    uint64_t flows, evictions, timeouts, memcap_hits, ignored;
    uint64_t msgs, gaps, parse_errors, retrans, overlaps;  /* summed from ended flows + live ones */
};

struct flow_table {
    struct wmem mem;
    struct flow_cfg cfg;
    struct flow_cbs cbs;
    struct wflow **buckets;
    uint32_t nbuckets;             /* power of two */
    struct wflow *head[FLOW_NLISTS], *tail[FLOW_NLISTS];  /* least recently active first */
    size_t count;
    struct flow_stats st;
    /* the packet being processed, for on_msg */
    int64_t cur_ts;
    uint64_t cur_index;
};

/* Fills cfg with the defaults: 64 MiB, 600 s idle, 30 s embryonic, 10 s closed, 1 MiB ooo, 139+445. */
void flow_cfg_default(struct flow_cfg *cfg);
/* Returns 0, or -1 when the bucket array does not fit under the cap. */
int flow_table_init(struct flow_table *t, const struct flow_cfg *cfg, const struct flow_cbs *cbs);
/* Ends every flow (FLOW_END_SHUTDOWN) and frees the table. */
void flow_table_free(struct flow_table *t);
/* 1 when port is one of the configured server ports. */
int flow_is_server_port(const struct flow_table *t, uint16_t port);
/* Feeds a decoded TCP packet (WD_TCP). Returns 1 when it belonged to a tracked flow, 0 when
 * ignored (no server port, or a flow could not be created). */
int flow_packet(struct flow_table *t, const struct wd_pkt *p, int64_t ts_us, uint64_t index);
/* Ends flows idle past their timeout at now_us. */
void flow_expire(struct flow_table *t, int64_t now_us);
/* Per-flow consumer state (f->user and what hangs off it), charged to f's table memcap: when the
 * cap is reached, idle flows that never carried data and closed flows are evicted first (never f,
 * never a flow with data), as for stream buffers; NULL when it still does not fit (a memcap hit).
 * Flows without a table use the plain heap. May be called from on_msg and on_flow_end. */
void *flow_user_calloc(struct wflow *f, size_t n);
void *flow_user_realloc(struct wflow *f, void *p, size_t n);
void flow_user_free(struct wflow *f, void *p);
/* FNV-1a 64 of n bytes at p, continuing from h (start: 0xcbf29ce484222325). */
uint64_t flow_fnv(uint64_t h, const void *p, size_t n);
/* Hash of the unordered endpoint pair (both directions give the same), and the flow id made from
 * it and the flow's first packet time (< 2^51, decisions.md 10). Pseudo flows that name a table
 * flow use them so their flow_id is the table's. */
uint64_t flow_tuple_hash(uint8_t ipver, const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport);
uint64_t flow_id_make(uint64_t tuple_hash, int64_t first_ts);
/* A pseudo flow (no table, no streams): client cli:cport -> server srv:sport, first packet at
 * first_ts with capture index idx. A TCP pseudo flow gets the id the table gives the same flow. */
void flow_pseudo(struct wflow *f, uint8_t ipver, uint8_t l4proto, const uint8_t cli[16], uint16_t cport,
                 const uint8_t srv[16], uint16_t sport, int64_t first_ts, uint64_t idx);
/* Copies the identity of src (addresses, ports, protocol, id, times, first index) into dst and clears
 * everything else: a pseudo flow that names src in a record written after src has ended. */
void flow_identity(struct wflow *dst, const struct wflow *src);
/* Counters including the live flows' streams. */
void flow_stats_get(const struct flow_table *t, struct flow_stats *out);

#endif
