/* ksdetect.h: the WannaCry kill-switch detections of `smbguard watch` (decisions.md 9):
 * wannacry.killswitch_dns (DNS queries on UDP 53 and TCP 53) and wannacry.killswitch_http (HTTP
 * requests on TCP 80 whose Host is a kill-switch name, with the response status when seen). Fed by
 * the pipeline's on_udp/on_tcp callbacks with single datagrams/segments (no TCP reassembly: the DNS
 * question and the HTTP request line + Host must be in the first segment, as they are in practice).
 * Alerts go out through sd_alert_flow on pseudo flows. The answer to a kill-switch query (QR 1, same
 * transaction id and transport, addresses and ports swapped) is written through the optional
 * on_dns_answer callback as a Suricata-style `dns` answer record (docs/eve.md): the alert says the
 * worm looked the name up, the answer says whether the lookup resolved (the worm stops) or failed
 * (NXDOMAIN, SERVFAIL...: the worm goes on). */
#ifndef SG_WATCH_KSDETECT_H
#define SG_WATCH_KSDETECT_H
#include <stddef.h>
#include <stdint.h>

#include "proto/dns.h"
#include "proto/killswitch.h"
#include "watch/decode.h"
#include "watch/smbdetect.h"

#define KS_MAX_RESOLVERS 16
#define KS_MAX_HTTP 64       /* kill-switch HTTP requests waiting for their response */
#define KS_DNS_RECENT 32     /* recent queries remembered to drop retransmissions/duplicates */
#define KS_DNS_PENDING 64    /* kill-switch queries waiting for their answer (when full, the oldest is dropped) */
#define KS_DNS_ANSWERS 8     /* answer records listed per dns record (the rest are counted) */

struct ks_addr { uint8_t ipver; uint8_t a[16]; };

struct ks_http_pending {
    struct wflow fl;         /* pseudo flow: identity of the request */
    char host[256];
    int64_t ts;
    uint64_t idx;
};

struct ks_dns_pending {
    struct wflow fl;         /* pseudo flow of the query (client = query source); same flow_id as its alert */
    const struct killswitch_label *ks;
    char qname[DNS_MAX_NAME];
    uint64_t seq;            /* insertion order: the smallest is the oldest */
    uint16_t id;
    uint8_t used;
};

/* Receives one kill-switch DNS answer: pseudo is the query's pseudo flow, dns_json the complete
 * Suricata-style `dns` object, sg_json JSON members for the record's `smbguard` object (never NULL),
 * ts/idx the answer packet's time and capture index. Both strings are valid JSON, valid during the
 * call only. eve_dns_answer (watch/eve.h) has this signature. */
typedef void (*ks_dns_answer_fn)(void *arg, const struct wflow *pseudo, const char *dns_json,
                                 const char *sg_json, int64_t ts, uint64_t idx);

struct ks_ctx {
    struct sd_ctx *sd;
    struct ks_addr resolvers[KS_MAX_RESOLVERS];
    size_t n_resolvers;
    struct ks_http_pending http[KS_MAX_HTTP];
    size_t n_http;
    uint64_t dns_recent[KS_DNS_RECENT];
    size_t dns_next;
    struct ks_dns_pending dns_pending[KS_DNS_PENDING];
    uint64_t dns_pending_seq;    /* last insertion number given */
    uint64_t dns_answers;        /* answers matched to a pending kill-switch query */
    uint64_t dns_unmatched_dropped; /* pending queries overwritten before their answer came */
    /* Optional (NULL: answers are matched and counted but not written); set after ks_init. */
    ks_dns_answer_fn on_dns_answer;
    void *dns_arg;
};

void ks_init(struct ks_ctx *k, struct sd_ctx *sd);
/* Adds a configured resolver address (text IPv4/IPv6). Returns 0, or -1 when invalid or full. */
int ks_add_resolver(struct ks_ctx *k, const char *text);
/* The pipeline callbacks (arg = struct ks_ctx *). */
void ks_on_udp(void *arg, const struct wd_pkt *p, int64_t ts_us, uint64_t index);
void ks_on_tcp(void *arg, const struct wd_pkt *p, int64_t ts_us, uint64_t index);
/* Writes the HTTP requests whose response was never seen (outcome unknown). */
void ks_finish(struct ks_ctx *k);

#endif
