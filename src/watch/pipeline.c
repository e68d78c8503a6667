/* pipeline.c: one frame through decode, ipfrag and the flow table (see pipeline.h). */
#include "watch/pipeline.h"

#include <stdlib.h>
#include <string.h>

void wpipe_cfg_default(struct wpipe_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    flow_cfg_default(&cfg->flow);
    cfg->frag_memcap = (size_t)4 << 20;
    cfg->frag_timeout_us = 30 * INT64_C(1000000);
}

struct wpipe *wpipe_new(const struct wpipe_cfg *cfg, const struct flow_cbs *cbs)
{
    struct wpipe *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->cfg = *cfg;
    if (flow_table_init(&w->flows, &cfg->flow, cbs) < 0) {
        free(w);
        return NULL;
    }
    ipfrag_init(&w->frag, cfg->frag_memcap, cfg->frag_timeout_us);
    return w;
}

void wpipe_free(struct wpipe *w)
{
    if (!w)
        return;
    flow_table_free(&w->flows);
    ipfrag_free(&w->frag);
    free(w);
}

static void transport(struct wpipe *w, int rc, const struct wd_pkt *pkt, int64_t ts, uint64_t index)
{
    if (rc == WD_TCP) {
        w->tcp++;
        if (w->cfg.on_tcp)
            w->cfg.on_tcp(w->cfg.tcp_arg, pkt, ts, index);
        flow_packet(&w->flows, pkt, ts, index);
    } else if (rc == WD_UDP) {
        w->udp++;
        if (w->cfg.on_udp)
            w->cfg.on_udp(w->cfg.udp_arg, pkt, ts, index);
    } else if (rc == WD_ERR) {
        w->decode_errors++;
    } else {
        w->non_ip++;
    }
}

void wpipe_packet(struct wpipe *w, int linktype, int64_t ts_us, const uint8_t *p, size_t caplen, uint64_t index)
{
    w->packets++;
    w->bytes += caplen;
    if (ts_us > w->now_us)
        w->now_us = ts_us;
    int64_t now = w->now_us;
    struct wd_pkt pkt;
    int rc = wd_decode(linktype, p, caplen, &pkt);
    if (rc == WD_FRAG) {
        uint8_t proto;
        const uint8_t *data;
        size_t len;
        if (!ipfrag_add(&w->frag, &pkt, now, &proto, &data, &len))
            return;
        rc = wd_decode_transport(&pkt, proto, data, len);
        if (rc == WD_FRAG)
            rc = WD_ERR; /* a fragment inside a fragment */
    } else {
        ipfrag_expire(&w->frag, now);
    }
    transport(w, rc, &pkt, now, index);
    flow_expire(&w->flows, now);
}

void wpipe_counters(const struct wpipe *w, struct wpipe_counters *c)
{
    memset(c, 0, sizeof *c);
    struct flow_stats fs;
    flow_stats_get(&w->flows, &fs);
    c->packets = w->packets;
    c->bytes = w->bytes;
    c->decode_errors = w->decode_errors;
    c->non_ip = w->non_ip;
    c->tcp = w->tcp;
    c->udp = w->udp;
    c->fragments = w->frag.st.fragments;
    c->frag_reassembled = w->frag.st.reassembled;
    c->frag_overlaps = w->frag.st.overlaps;
    c->frag_timeouts = w->frag.st.timeouts;
    c->frag_dropped = w->frag.st.dropped;
    c->flows = fs.flows;
    c->evictions = fs.evictions;
    c->flow_timeouts = fs.timeouts;
    c->messages = fs.msgs;
    c->gaps = fs.gaps;
    c->parse_errors = fs.parse_errors;
    c->retransmissions = fs.retrans;
    c->overlaps = fs.overlaps;
    c->memcap_hits = fs.memcap_hits + w->frag.st.memcap_hits;
    c->mem_used = w->flows.mem.used;
    c->mem_peak = w->flows.mem.peak;
}
