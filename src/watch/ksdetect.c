/* ksdetect.c: WannaCry kill-switch DNS and HTTP detections (see ksdetect.h). */
#include "watch/ksdetect.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/dns.h"
#include "proto/http.h"
#include "proto/killswitch.h"

void ks_init(struct ks_ctx *k, struct sd_ctx *sd)
{
    memset(k, 0, sizeof *k);
    k->sd = sd;
}

int ks_add_resolver(struct ks_ctx *k, const char *text)
{
    if (k->n_resolvers >= KS_MAX_RESOLVERS)
        return -1;
    struct ks_addr *r = &k->resolvers[k->n_resolvers];
    memset(r, 0, sizeof *r);
    if (inet_pton(AF_INET, text, r->a) == 1)
        r->ipver = 4;
    else if (inet_pton(AF_INET6, text, r->a) == 1)
        r->ipver = 6;
    else
        return -1;
    k->n_resolvers++;
    return 0;
}

static int is_resolver(const struct ks_ctx *k, const struct wd_pkt *p)
{
    for (size_t i = 0; i < k->n_resolvers; i++)
        if (k->resolvers[i].ipver == p->ipver && !memcmp(k->resolvers[i].a, p->src, 16))
            return 1;
    return 0;
}

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const uint8_t *b = data;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* A pseudo flow for the packet: client = source (the query / request side). */
static void pseudo_flow(struct wflow *f, const struct wd_pkt *p, int64_t ts, uint64_t idx)
{
    memset(f, 0, sizeof *f);
    f->ipver = p->ipver;
    f->l4proto = p->proto;
    memcpy(f->cli, p->src, 16);
    memcpy(f->srv, p->dst, 16);
    f->cport = p->sport;
    f->sport = p->dport;
    uint64_t h = UINT64_C(14695981039346656037);
    h = fnv(h, &p->proto, 1);
    h = fnv(h, p->src, 16);
    h = fnv(h, p->dst, 16);
    h = fnv(h, &p->sport, 2);
    h = fnv(h, &p->dport, 2);
    h = fnv(h, &ts, sizeof ts);
    f->id = h & ((UINT64_C(1) << 51) - 1);
    f->first_ts = f->last_ts = ts;
    f->first_index = idx;
}

/* JSON string body of s (no quotes) into out, truncated to fit. */
static void json_esc(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    for (; *s && o + 7 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            out[o++] = '\\';
            out[o++] = (char)ch;
        } else if (ch < 0x20 || ch >= 0x7F) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", ch);
        } else {
            out[o++] = (char)ch;
        }
    }
    out[o] = '\0';
}

static void dns_query(struct ks_ctx *k, const struct wd_pkt *p, const struct dns_msg *m, const char *qname,
                      int tcp, int64_t ts, uint64_t idx)
{
    if (m->is_response || !m->has_question)
        return;
    const struct killswitch_label *ks = killswitch_match(qname);
    if (!ks)
        return;
    /* the same query seen twice (retransmission, duplicate frame) is one alert */
    uint64_t h = fnv(UINT64_C(14695981039346656037), p->src, 16);
    h = fnv(h, &p->sport, 2);
    h = fnv(h, &m->id, 2);
    h = fnv(h, qname, strlen(qname));
    for (size_t i = 0; i < KS_DNS_RECENT; i++)
        if (k->dns_recent[i] == h)
            return;
    k->dns_recent[k->dns_next] = h;
    k->dns_next = (k->dns_next + 1) % KS_DNS_RECENT;
    struct wflow f;
    pseudo_flow(&f, p, ts, idx);
    char q[DNS_MAX_NAME * 6 + 1], attrs[DNS_MAX_NAME * 6 + 256];
    json_esc(q, sizeof q, qname);
    snprintf(attrs, sizeof attrs, "\"qname\":\"%s\",\"label\":\"%s\",\"qtype\":%u,\"transport\":\"%s\",\"resolver\":%s",
             q, ks->label, (unsigned)m->qtype, tcp ? "tcp" : "udp", is_resolver(k, p) ? "true" : "false");
    sd_alert_flow(k->sd, &f, WDIR_TO_SERVER, SD_WC_KS_DNS, attrs, ts, idx);
}

void ks_on_udp(void *arg, const struct wd_pkt *p, int64_t ts_us, uint64_t index)
{
    struct ks_ctx *k = arg;
    if (p->dport != 53 || !p->payload_len)
        return;
    struct dns_msg m;
    char qname[DNS_MAX_NAME];
    if (dns_parse(p->payload, p->payload_len, &m, qname, sizeof qname) == 0)
        dns_query(k, p, &m, qname, 0, ts_us, index);
}

static void http_write(struct ks_ctx *k, const struct ks_http_pending *h, const char *outcome, unsigned status)
{
    char host[sizeof h->host * 6 + 1], attrs[sizeof host + 128];
    json_esc(host, sizeof host, h->host);
    if (status)
        snprintf(attrs, sizeof attrs, "\"host\":\"%s\",\"outcome\":\"%s\",\"status\":%u", host, outcome, status);
    else
        snprintf(attrs, sizeof attrs, "\"host\":\"%s\",\"outcome\":\"%s\"", host, outcome);
    sd_alert_flow(k->sd, &h->fl, WDIR_TO_SERVER, SD_WC_KS_HTTP, attrs, h->ts, h->idx);
}

static void http_drop(struct ks_ctx *k, size_t i, const char *outcome, unsigned status)
{
    http_write(k, &k->http[i], outcome, status);
    memmove(&k->http[i], &k->http[i + 1], (k->n_http - i - 1) * sizeof k->http[0]);
    k->n_http--;
}

/* Index of the pending request of this connection (dir 0: p is client->server), or -1. */
static long http_find(const struct ks_ctx *k, const struct wd_pkt *p, int to_client)
{
    for (size_t i = 0; i < k->n_http; i++) {
        const struct wflow *f = &k->http[i].fl;
        const uint8_t *c = to_client ? p->dst : p->src, *s = to_client ? p->src : p->dst;
        uint16_t cp = to_client ? p->dport : p->sport, sp = to_client ? p->sport : p->dport;
        if (f->ipver == p->ipver && f->cport == cp && f->sport == sp && !memcmp(f->cli, c, 16) &&
            !memcmp(f->srv, s, 16))
            return (long)i;
    }
    return -1;
}

void ks_on_tcp(void *arg, const struct wd_pkt *p, int64_t ts_us, uint64_t index)
{
    struct ks_ctx *k = arg;
    if (!p->payload_len)
        return;
    if (p->dport == 53) {
        struct dns_msg m;
        char qname[DNS_MAX_NAME];
        int rc = dns_parse_tcp(p->payload, p->payload_len, &m, qname, sizeof qname);
        if (rc == 1 && p->payload_len > 2) /* longer than this segment: the question may be here */
            rc = dns_parse(p->payload + 2, p->payload_len - 2, &m, qname, sizeof qname);
        if (rc == 0)
            dns_query(k, p, &m, qname, 1, ts_us, index);
    } else if (p->dport == 80) {
        struct http_req req;
        if (http_parse_request(p->payload, p->payload_len, &req) != 0 || !req.has_host ||
            !killswitch_match(req.host) || http_find(k, p, 0) >= 0)
            return;
        if (k->n_http == KS_MAX_HTTP)
            http_drop(k, 0, "unknown", 0);
        struct ks_http_pending *h = &k->http[k->n_http++];
        pseudo_flow(&h->fl, p, ts_us, index);
        snprintf(h->host, sizeof h->host, "%s", req.host);
        h->ts = ts_us;
        h->idx = index;
    } else if (p->sport == 80) {
        long i = http_find(k, p, 1);
        struct http_resp resp;
        if (i < 0 || http_parse_response(p->payload, p->payload_len, &resp) != 0)
            return;
        /* 2xx/3xx: the sinkhole answered, the worm stops; anything else is recorded as a failure */
        http_drop(k, (size_t)i, resp.status >= 200 && resp.status < 400 ? "success" : "failure", resp.status);
    }
}

void ks_finish(struct ks_ctx *k)
{
    while (k->n_http)
        http_drop(k, 0, "unknown", 0);
}
