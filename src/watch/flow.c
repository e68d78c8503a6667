/* flow.c: the TCP flow table (see flow.h): hash buckets, three LRU lists, capped memory. */
#include "watch/flow.h"

#include <stdlib.h>

#include <string.h>

void flow_cfg_default(struct flow_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->memcap = (size_t)64 << 20;
    cfg->idle_timeout_us = 600 * INT64_C(1000000);
    cfg->embryonic_timeout_us = 30 * INT64_C(1000000);
    cfg->closed_timeout_us = 10 * INT64_C(1000000);
    cfg->ooo_limit = (size_t)1 << 20;
    cfg->ports[0] = 445;
    cfg->ports[1] = 139;
    cfg->n_ports = 2;
}

int flow_is_server_port(const struct flow_table *t, uint16_t port)
{
    for (unsigned i = 0; i < t->cfg.n_ports; i++)
        if (t->cfg.ports[i] == port)
            return 1;
    return 0;
}

int flow_table_init(struct flow_table *t, const struct flow_cfg *cfg, const struct flow_cbs *cbs)
{
    memset(t, 0, sizeof *t);
    t->cfg = *cfg;
    t->cbs = *cbs;
    wmem_init(&t->mem, cfg->memcap);
    /* about one bucket per four minimal flows the cap could hold, within [256, 2^20] */
    size_t want = cfg->memcap / (4 * wmem_charge(sizeof(struct wflow)));
    uint32_t nb = 256;
    while (nb < want && nb < (1u << 20))
        nb *= 2;
    t->buckets = wmem_calloc(&t->mem, nb * sizeof *t->buckets);
    if (!t->buckets)
        return -1;
    t->nbuckets = nb;
    return 0;
}

static void list_unlink(struct flow_table *t, struct wflow *f)
{
    if (f->lprev) f->lprev->lnext = f->lnext; else t->head[f->list] = f->lnext;
    if (f->lnext) f->lnext->lprev = f->lprev; else t->tail[f->list] = f->lprev;
    f->lprev = f->lnext = NULL;
}

static void list_append(struct flow_table *t, struct wflow *f, uint8_t list)
{
    f->list = list;
    f->lnext = NULL;
    f->lprev = t->tail[list];
    if (t->tail[list]) t->tail[list]->lnext = f; else t->head[list] = f;
    t->tail[list] = f;
}

static void add_stream_stats(struct flow_stats *st, const struct reasm *r)
{
    st->msgs += r->msgs;
    st->gaps += r->gaps;
    st->parse_errors += r->parse_errors;
    st->retrans += r->retrans;
    st->overlaps += r->overlaps;
    st->memcap_hits += r->memcap_drops;
}

static void end_flow(struct flow_table *t, struct wflow *f, uint8_t reason)
{
    struct wflow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
    while (*pp != f)
        pp = &(*pp)->hnext;
    *pp = f->hnext;
    list_unlink(t, f);
    t->count--;
    f->end_reason = reason;
    if (t->cbs.on_flow_end)
        t->cbs.on_flow_end(t->cbs.arg, f);
    for (int d = 0; d < 2; d++) {
        add_stream_stats(&t->st, &f->dir[d]);
        reasm_free(&f->dir[d], &t->mem);
    }
    wmem_free(&t->mem, f);
}

void flow_table_free(struct flow_table *t)
{
    for (int l = 0; l < FLOW_NLISTS; l++)
        while (t->head[l])
            end_flow(t, t->head[l], FLOW_END_SHUTDOWN);
    wmem_free(&t->mem, t->buckets);
    t->buckets = NULL;
}

void flow_expire(struct flow_table *t, int64_t now_us)
{
    const int64_t to[FLOW_NLISTS] = {t->cfg.embryonic_timeout_us, t->cfg.idle_timeout_us,
                                     t->cfg.closed_timeout_us};
    for (int l = 0; l < FLOW_NLISTS; l++)
        while (t->head[l] && t->head[l]->last_ts + to[l] < now_us) {
            struct wflow *f = t->head[l];
            if (l != FLOW_LIST_CLOSED)
                t->st.timeouts++;
            end_flow(t, f, l == FLOW_LIST_CLOSED ? (f->saw_rst ? FLOW_END_RESET : FLOW_END_CLOSED)
                                                 : FLOW_END_TIMEOUT);
        }
}

/* Frees memory for n more bytes by evicting least recently active flows other than keep: those
 * that never carried data and closed ones first, then (when any_active) flows with data. */
static int make_room(struct flow_table *t, size_t n, const struct wflow *keep, int any_active)
{
    static const uint8_t order[] = {FLOW_LIST_EMBRYONIC, FLOW_LIST_CLOSED, FLOW_LIST_ACTIVE};
    int evicted = 0;
    for (size_t i = 0; i < sizeof order && !wmem_fits(&t->mem, n); i++) {
        if (order[i] == FLOW_LIST_ACTIVE && !any_active)
            break;
        struct wflow *f = t->head[order[i]];
        while (f && !wmem_fits(&t->mem, n)) {
            struct wflow *nx = f->lnext;
            if (f != keep) {
                end_flow(t, f, FLOW_END_EVICTED);
                t->st.evictions++;
                evicted = 1;
            }
            f = nx;
        }
    }
    if (evicted)
        t->st.memcap_hits++;
    return wmem_fits(&t->mem, n);
}

void *flow_user_calloc(struct wflow *f, size_t n)
{
    if (!f->table)
        return calloc(1, n);
    if (!wmem_fits(&f->table->mem, n))
        make_room(f->table, n, f, 0);
    void *p = wmem_calloc(&f->table->mem, n);
    if (!p)
        f->table->st.memcap_hits++;
    return p;
}

void *flow_user_realloc(struct wflow *f, void *p, size_t n)
{
    if (!f->table)
        return realloc(p, n);
    if (!wmem_fits(&f->table->mem, n))
        make_room(f->table, n, f, 0);
    void *q = wmem_realloc(&f->table->mem, p, n);
    if (!q)
        f->table->st.memcap_hits++;
    return q;
}

void flow_user_free(struct wflow *f, void *p)
{
    if (f->table)
        wmem_free(&f->table->mem, p);
    else
        free(p);
}

void flow_identity(struct wflow *dst, const struct wflow *src)
{
    memset(dst, 0, sizeof *dst);
    dst->ipver = src->ipver;
    dst->l4proto = src->l4proto;
    memcpy(dst->cli, src->cli, sizeof dst->cli);
    memcpy(dst->srv, src->srv, sizeof dst->srv);
    dst->cport = src->cport;
    dst->sport = src->sport;
    dst->id = src->id;
    dst->first_ts = src->first_ts;
    dst->last_ts = src->last_ts;
    dst->first_index = src->first_index;
}

struct room_ctx { struct flow_table *t; struct wflow *keep; };
static void room_cb(void *arg, size_t n)
{
    struct room_ctx *c = arg;
    make_room(c->t, n, c->keep, 0);
}

struct msg_ctx { struct flow_table *t; struct wflow *f; int dir; };
static void msg_cb(void *arg, const uint8_t *msg, size_t len)
{
    struct msg_ctx *c = arg;
    if (c->t->cbs.on_msg)
        c->t->cbs.on_msg(c->t->cbs.arg, c->f, c->dir, msg, len, c->t->cur_ts, c->t->cur_index);
}

uint64_t flow_fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* Hash of the unordered endpoint pair, so both directions land in one bucket. */
uint64_t flow_tuple_hash(uint8_t ipver, const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport)
{
    size_t al = ipver == 4 ? 4 : 16;
    int c = memcmp(src, dst, al);
    int src_first = c < 0 || (c == 0 && sport <= dport);
    const uint8_t *a = src_first ? src : dst, *b = src_first ? dst : src;
    uint16_t pa = src_first ? sport : dport, pb = src_first ? dport : sport;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    h = flow_fnv(h, &ipver, 1);
    h = flow_fnv(h, a, al);
    h = flow_fnv(h, &pa, 2);
    h = flow_fnv(h, b, al);
    h = flow_fnv(h, &pb, 2);
    return h;
}

uint64_t flow_id_make(uint64_t tuple_hash, int64_t first_ts)
{
    return flow_fnv(tuple_hash, &first_ts, sizeof first_ts) & ((UINT64_C(1) << 51) - 1);
}

void flow_pseudo(struct wflow *f, uint8_t ipver, uint8_t l4proto, const uint8_t cli[16], uint16_t cport,
                 const uint8_t srv[16], uint16_t sport, int64_t first_ts, uint64_t idx)
{
    memset(f, 0, sizeof *f);
    f->ipver = ipver;
    f->l4proto = l4proto;
    memcpy(f->cli, cli, sizeof f->cli);
    memcpy(f->srv, srv, sizeof f->srv);
    f->cport = cport;
    f->sport = sport;
    uint64_t h = flow_tuple_hash(ipver, cli, cport, srv, sport);
    if (l4proto && l4proto != 6)
        h = flow_fnv(h, &l4proto, 1);  /* TCP keeps the table's id; other protocols differ from it */
    f->id = flow_id_make(h, first_ts);
    f->first_ts = f->last_ts = first_ts;
    f->first_index = idx;
}

static uint64_t tuple_hash(const struct wd_pkt *p)
{
    return flow_tuple_hash(p->ipver, p->src, p->sport, p->dst, p->dport);
}

static struct wflow *lookup(struct flow_table *t, const struct wd_pkt *p, uint32_t h, int *dir)
{
    for (struct wflow *f = t->buckets[h & (t->nbuckets - 1)]; f; f = f->hnext) {
        if (f->hash != h || f->ipver != p->ipver)
            continue;
        if (f->cport == p->sport && f->sport == p->dport && !memcmp(f->cli, p->src, 16) &&
            !memcmp(f->srv, p->dst, 16)) {
            *dir = WDIR_TO_SERVER;
            return f;
        }
        if (f->sport == p->sport && f->cport == p->dport && !memcmp(f->srv, p->src, 16) &&
            !memcmp(f->cli, p->dst, 16)) {
            *dir = WDIR_TO_CLIENT;
            return f;
        }
    }
    return NULL;
}

/* Roles: a lone server port decides; else SYN (client sends) or SYN-ACK (server sends); else the
 * lower port is the server's; equal ports: the sender is the client. */
static int sender_is_client(const struct flow_table *t, const struct wd_pkt *p)
{
    int s = flow_is_server_port(t, p->sport), d = flow_is_server_port(t, p->dport);
    if (s != d)
        return d;
    if (p->tcp_flags & WD_TCP_SYN)
        return !(p->tcp_flags & WD_TCP_ACK);
    return p->sport >= p->dport;
}

static struct wflow *create(struct flow_table *t, const struct wd_pkt *p, uint32_t h, int64_t ts,
                            uint64_t index, int *dir)
{
    if (!make_room(t, sizeof(struct wflow), NULL, 1)) {
        t->st.memcap_hits++;
        return NULL;
    }
    struct wflow *f = wmem_calloc(&t->mem, sizeof *f);
    if (!f)
        return NULL;
    f->table = t;
    int cli = sender_is_client(t, p);
    f->ipver = p->ipver;
    memcpy(cli ? f->cli : f->srv, p->src, 16);
    memcpy(cli ? f->srv : f->cli, p->dst, 16);
    f->cport = cli ? p->sport : p->dport;
    f->sport = cli ? p->dport : p->sport;
    f->first_ts = f->last_ts = ts;
    f->first_index = index;
    f->hash = h;
    f->id = flow_id_make(tuple_hash(p), ts);
    struct wflow **b = &t->buckets[h & (t->nbuckets - 1)];
    f->hnext = *b;
    *b = f;
    list_append(t, f, FLOW_LIST_EMBRYONIC);
    t->count++;
    t->st.flows++;
    *dir = cli ? WDIR_TO_SERVER : WDIR_TO_CLIENT;
    return f;
}

int flow_packet(struct flow_table *t, const struct wd_pkt *p, int64_t ts_us, uint64_t index)
{
    if (!flow_is_server_port(t, p->sport) && !flow_is_server_port(t, p->dport)) {
        t->st.ignored++;
        return 0;
    }
    flow_expire(t, ts_us);
    uint32_t h = (uint32_t)tuple_hash(p);
    int dir = 0;
    struct wflow *f = lookup(t, p, h, &dir);
    uint8_t fl = p->tcp_flags;
    int syn_only = (fl & (WD_TCP_SYN | WD_TCP_ACK)) == WD_TCP_SYN;
    if (f && syn_only && dir == WDIR_TO_SERVER &&
        (f->list == FLOW_LIST_CLOSED || (f->dir[0].have_isn && !f->dir[0].midstream && f->dir[0].isn != p->seq))) {
        end_flow(t, f, FLOW_END_REUSED);  /* port reuse: a new connection on the same tuple */
        f = NULL;
    }
    if (!f) {
        if (fl & WD_TCP_RST) {
            t->st.ignored++;
            return 0;
        }
        f = create(t, p, h, ts_us, index, &dir);
        if (!f)
            return 0;
    }
    if (ts_us > f->last_ts)
        f->last_ts = ts_us;
    f->pkts[dir]++;
    f->bytes[dir] += p->payload_len;
    if (fl & WD_TCP_SYN) {
        if (fl & WD_TCP_ACK) f->saw_synack = 1; else f->saw_syn = 1;
    }
    if (fl & WD_TCP_RST)
        f->saw_rst = 1;
    if (fl & WD_TCP_FIN)
        f->saw_fin[dir] = 1;
    uint8_t list = f->list;
    if (f->saw_rst || (f->saw_fin[0] && f->saw_fin[1]))
        list = FLOW_LIST_CLOSED;
    else if (p->payload_len) {
        f->saw_data = 1;
        list = FLOW_LIST_ACTIVE;
    }
    list_unlink(t, f);
    list_append(t, f, list);

    t->cur_ts = ts_us;
    t->cur_index = index;
    struct room_ctx rc = {t, f};
    struct msg_ctx mc = {t, f, dir};
    struct reasm_env env = {&t->mem, room_cb, &rc, msg_cb, &mc, t->cfg.ooo_limit};
    if (!(fl & WD_TCP_RST))
        reasm_segment(&f->dir[dir], &env, p->seq, fl & (REASM_SYN | REASM_FIN), p->payload, p->payload_len);
    if (fl & WD_TCP_ACK) {
        struct msg_ctx mo = {t, f, !dir};
        env.msg_arg = &mo;
        reasm_ack(&f->dir[!dir], &env, p->ack);
    }
    return 1;
}

void flow_stats_get(const struct flow_table *t, struct flow_stats *out)
{
    *out = t->st;
    for (int l = 0; l < FLOW_NLISTS; l++)
        for (const struct wflow *f = t->head[l]; f; f = f->lnext)
            for (int d = 0; d < 2; d++)
                add_stream_stats(out, &f->dir[d]);
}
