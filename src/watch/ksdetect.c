/* ksdetect.c: WannaCry kill-switch DNS and HTTP detections (see ksdetect.h). */
#include "watch/ksdetect.h"

#include <arpa/inet.h>
#include <stdarg.h>
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

/* A pseudo flow for the packet: client = source (the query / request side). */
static void pseudo_flow(struct wflow *f, const struct wd_pkt *p, int64_t ts, uint64_t idx)
{
    flow_pseudo(f, p->ipver, p->proto, p->src, p->sport, p->dst, p->dport, ts, idx);
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

/* Hash of one query (client address and port, id, name): the same query seen twice (retransmission,
 * duplicate frame, or its answer after it) is one alert. Returns 1 when already seen. */
static int dns_seen(struct ks_ctx *k, const uint8_t cli[16], uint16_t cport, uint16_t id, const char *qname)
{
    uint64_t h = flow_fnv(UINT64_C(14695981039346656037), cli, 16);
    h = flow_fnv(h, &cport, 2);
    h = flow_fnv(h, &id, 2);
    h = flow_fnv(h, qname, strlen(qname));
    for (size_t i = 0; i < KS_DNS_RECENT; i++)
        if (k->dns_recent[i] == h)
            return 1;
    k->dns_recent[k->dns_next] = h;
    k->dns_next = (k->dns_next + 1) % KS_DNS_RECENT;
    return 0;
}

/* The alert of a kill-switch query; q is the packet in the client-to-server direction (the query,
 * or the answer turned around when only the answer was captured: extra then says so). */
static void dns_alert(struct ks_ctx *k, const struct wd_pkt *q, const struct dns_msg *m, const char *qname,
                      const struct killswitch_label *ks, int tcp, int dir, const char *extra, struct wflow *f,
                      int64_t ts, uint64_t idx)
{
    pseudo_flow(f, q, ts, idx);
    char qn[DNS_MAX_NAME * 6 + 1], attrs[DNS_MAX_NAME * 6 + 320];
    json_esc(qn, sizeof qn, qname);
    snprintf(attrs, sizeof attrs, "\"qname\":\"%s\",\"label\":\"%s\",\"qtype\":%u,\"transport\":\"%s\",\"resolver\":%s%s",
             qn, ks->label, (unsigned)m->qtype, tcp ? "tcp" : "udp", is_resolver(k, q) ? "true" : "false", extra);
    sd_alert_flow(k->sd, f, dir, SD_WC_KS_DNS, attrs, ts, idx);
}

static void dns_query(struct ks_ctx *k, const struct wd_pkt *p, const struct dns_msg *m, const char *qname,
                      int tcp, int64_t ts, uint64_t idx)
{
    if (m->is_response || !m->has_question)
        return;
    const struct killswitch_label *ks = killswitch_match(qname);
    if (!ks || dns_seen(k, p->src, p->sport, m->id, qname))
        return;
    struct wflow f;
    dns_alert(k, p, m, qname, ks, tcp, WDIR_TO_SERVER, "", &f, ts, idx);
    /* wait for the answer: a free slot, or else the oldest pending query makes room */
    struct ks_dns_pending *pq = NULL;
    for (size_t i = 0; i < KS_DNS_PENDING; i++) {
        struct ks_dns_pending *c = &k->dns_pending[i];
        if (!c->used) {
            pq = c;
            break;
        }
        if (!pq || c->seq < pq->seq)
            pq = c;
    }
    if (pq->used)
        k->dns_unmatched_dropped++;
    pq->fl = f;
    pq->ks = ks;
    pq->id = m->id;
    snprintf(pq->qname, sizeof pq->qname, "%s", qname);
    pq->seq = ++k->dns_pending_seq;
    pq->used = 1;
}

/* Bounded appender for the dns record: an overflow sets err (the record is then not written). */
struct jbuf {
    char *p;
    size_t cap, len;
    int err;
};

__attribute__((format(printf, 2, 3))) static void jb_printf(struct jbuf *b, const char *fmt, ...)
{
    if (b->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= b->cap - b->len) {
        b->err = 1;
        b->p[b->len] = '\0';
        return;
    }
    b->len += (size_t)n;
}

static void jb_type(struct jbuf *b, const char *key, unsigned type)
{
    const char *t = dns_type_name(type);
    if (t)
        jb_printf(b, "\"%s\":\"%s\"", key, t);
    else
        jb_printf(b, "\"%s\":\"%u\"", key, type);
}

/* JSON for the rdata of rr into out (a JSON string with quotes), or "" when not shown. */
static void rdata_json(const struct dns_rr *rr, char *out, size_t cap)
{
    char txt[DNS_MAX_NAME * 2 + 1];
    out[0] = '\0';
    if (rr->type == DNS_TYPE_A && rr->rdlen == 4) {
        if (!inet_ntop(AF_INET, rr->rdata, txt, sizeof txt))
            return;
    } else if (rr->type == DNS_TYPE_AAAA && rr->rdlen == 16) {
        if (!inet_ntop(AF_INET6, rr->rdata, txt, sizeof txt))
            return;
    } else if (rr->target[0]) {
        json_esc(txt, sizeof txt, rr->target);
    } else {
        return;
    }
    snprintf(out, cap, "\"%s\"", txt);
}

/* A DNS response m (message msg[0..n), question qname) from p: when it answers a pending
 * kill-switch query, writes the dns record and forgets the query. */
static void dns_answer(struct ks_ctx *k, const struct wd_pkt *p, const uint8_t *msg, size_t n,
                       const struct dns_msg *m, const char *qname, int tcp, int64_t ts, uint64_t idx)
{
    struct ks_dns_pending *q = NULL;
    for (size_t i = 0; i < KS_DNS_PENDING && !q; i++) {
        struct ks_dns_pending *c = &k->dns_pending[i];
        const struct wflow *f = &c->fl;
        if (c->used && c->id == m->id && f->l4proto == (tcp ? 6 : 17) && f->ipver == p->ipver &&
            f->sport == p->sport && f->cport == p->dport && !memcmp(f->srv, p->src, 16) &&
            !memcmp(f->cli, p->dst, 16) && (!m->has_question || !strcmp(c->qname, qname)))
            q = c;
    }
    struct ks_dns_pending lone;
    if (!q) {
        /* The query was not captured (a capture of one direction, or a lost frame): the answer
         * repeats the question, so it proves the lookup. Alert from it, unless that query was seen. */
        const struct killswitch_label *ks = m->has_question ? killswitch_match(qname) : NULL;
        if (!ks || dns_seen(k, p->dst, p->dport, m->id, qname))
            return;
        struct wd_pkt rev = *p;
        memcpy(rev.src, p->dst, 16);
        memcpy(rev.dst, p->src, 16);
        rev.sport = p->dport;
        rev.dport = p->sport;
        memset(&lone, 0, sizeof lone);
        lone.ks = ks;
        dns_alert(k, &rev, m, qname, ks, tcp, WDIR_TO_CLIENT, ",\"seen\":\"answer_only\"", &lone.fl, ts, idx);
        q = &lone;
    }
    q->used = 0;
    k->dns_answers++;
    if (!k->on_dns_answer)
        return;
    struct dns_rr rr[KS_DNS_ANSWERS];
    int nrr = dns_parse_answers(msg, n, m, rr, KS_DNS_ANSWERS);
    if (nrr < 0)
        nrr = 0;
    char name[DNS_MAX_NAME * 2 + 1], dns[16384], rd[DNS_MAX_NAME * 2 + 3];
    struct jbuf b = {dns, sizeof dns, 0, 0};
    const char *rcode = dns_rcode_name(m->rcode);
    json_esc(name, sizeof name, m->has_question ? qname : q->qname);
    jb_printf(&b, "{\"version\":2,\"type\":\"answer\",\"id\":%u,\"flags\":\"%x\",\"qr\":true,",
              (unsigned)m->id, (unsigned)m->flags);
    if (m->flags & 0x0400u)
        jb_printf(&b, "\"aa\":true,");
    if (m->flags & 0x0200u)
        jb_printf(&b, "\"tc\":true,");
    jb_printf(&b, "\"rd\":%s,\"ra\":%s,\"opcode\":%u,\"rrname\":\"%s\",", (m->flags & 0x0100u) ? "true" : "false",
              (m->flags & 0x0080u) ? "true" : "false", (unsigned)m->opcode, name);
    jb_type(&b, "rrtype", m->has_question ? m->qtype : 0);
    if (rcode)
        jb_printf(&b, ",\"rcode\":\"%s\"", rcode);
    else
        jb_printf(&b, ",\"rcode\":\"%u\"", (unsigned)m->rcode);
    int resolved_addr = 0;
    for (int i = 0; i < nrr; i++) {
        if (rr[i].type == DNS_TYPE_A || rr[i].type == DNS_TYPE_AAAA)
            resolved_addr = 1;
        json_esc(name, sizeof name, rr[i].name);
        jb_printf(&b, "%s{\"rrname\":\"%s\",", i ? "," : ",\"answers\":[", name);
        jb_type(&b, "rrtype", rr[i].type);
        jb_printf(&b, ",\"ttl\":%u", (unsigned)rr[i].ttl);
        rdata_json(&rr[i], rd, sizeof rd);
        if (rd[0])
            jb_printf(&b, ",\"rdata\":%s", rd);
        jb_printf(&b, "}");
    }
    jb_printf(&b, "%s}", nrr ? "]" : "");
    if (b.err)
        return;
    /* the kill switch fires when the name resolves to an address (the worm then fetches the URL) */
    int resolved = m->rcode == DNS_RCODE_NOERROR && resolved_addr;
    char sg[512];
    snprintf(sg, sizeof sg,
             "\"detection\":\"%s\",\"label\":\"%s\",\"transport\":\"%s\",\"resolved\":%s,\"answers_total\":%u",
             sd_table[SD_WC_KS_DNS].name, q->ks ? q->ks->label : "", tcp ? "tcp" : "udp", resolved ? "true" : "false",
             (unsigned)m->ancount);
    k->on_dns_answer(k->dns_arg, &q->fl, dns, sg, ts, idx);
}

/* A DNS message on port 53 (either side): queries to 53 are checked for kill-switch names, answers
 * from 53 matched against the pending queries. */
static void dns_msg_in(struct ks_ctx *k, const struct wd_pkt *p, const uint8_t *msg, size_t n, int tcp, int64_t ts,
                       uint64_t idx)
{
    struct dns_msg m;
    char qname[DNS_MAX_NAME];
    if (dns_parse(msg, n, &m, qname, sizeof qname) != 0)
        return;
    if (!m.is_response && p->dport == 53)
        dns_query(k, p, &m, qname, tcp, ts, idx);
    else if (m.is_response && p->sport == 53)
        dns_answer(k, p, msg, n, &m, qname, tcp, ts, idx);
}

void ks_on_udp(void *arg, const struct wd_pkt *p, int64_t ts_us, uint64_t index)
{
    struct ks_ctx *k = arg;
    if ((p->dport != 53 && p->sport != 53) || !p->payload_len)
        return;
    dns_msg_in(k, p, p->payload, p->payload_len, 0, ts_us, index);
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
    if (p->dport == 53 || p->sport == 53) {
        /* a 2-byte length prefix; a message longer than this segment is parsed as far as it goes
         * (the question, and the answer records that are complete) */
        if (p->payload_len <= 2)
            return;
        size_t len = ((size_t)p->payload[0] << 8) | p->payload[1];
        if (len > p->payload_len - 2)
            len = p->payload_len - 2;
        dns_msg_in(k, p, p->payload + 2, len, 1, ts_us, index);
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
