/* hostdetect.c: smb.worm_scan and smb.exposed (see hostdetect.h): a fixed-capacity per-source table
 * with LRU-style eviction, the home-net / allow-list CIDR lists, and the alert attributes. */
#include "watch/hostdetect.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* smb.exposed: a second SYN / SYN-ACK of the same 5-tuple within this time is the same flow. */
#define HD_SAME_FLOW_US (120 * INT64_C(1000000))
/* Eviction looks at this many least recently used sources and drops the least valuable one. */
#define HD_EVICT_CANDIDATES 8

struct hd_slot {
    uint8_t addr[16];
    int64_t ts;          /* latest SYN, or first sight of the pair (SYN-ACK, mid-stream) */
    uint64_t seq;        /* insertion order, to list targets in the order they were attempted */
    uint8_t external;
};

struct hd_src {
    uint8_t ipver, fired, nind;
    uint8_t addr[16];
    int32_t hnext, lprev, lnext;
    uint32_t hash;
    uint64_t hkey;       /* 64-bit hash of the address: sketch indexes */
    uint32_t ind_mask;   /* detections seen as indicators (bit per enum sd_det) */
    uint8_t ind[HD_MAX_IND_THRESHOLD][16];
    uint32_t nslot;
    struct hd_slot slots[]; /* ctx->nslots */
};

/* ------------------------------------------------------------------------------------ CIDR lists */

void hd_cfg_default(struct hd_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->internal = 20;
    cfg->external = 5;
    cfg->indicators = 2;
    cfg->window_us = 60 * INT64_C(1000000);
    cfg->ports[0] = 139;
    cfg->ports[1] = 445;
    cfg->n_ports = 2;
}

static int parse_one(const char *s, size_t len, struct hd_net *out)
{
    char buf[INET6_ADDRSTRLEN + 8];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *slash = strchr(buf, '/');
    long prefix = -1;
    if (slash) {
        *slash = '\0';
        char *end;
        if (!slash[1] || slash[1] == '-' || slash[1] == '+')
            return -1;
        prefix = strtol(slash + 1, &end, 10);
        if (*end)
            return -1;
    }
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->a) == 1)
        out->ipver = 4;
    else if (inet_pton(AF_INET6, buf, out->a) == 1)
        out->ipver = 6;
    else
        return -1;
    long max = out->ipver == 4 ? 32 : 128;
    if (prefix < 0)
        prefix = slash ? -1 : max;
    if (prefix < 0 || prefix > max)
        return -1;
    out->prefix = (uint8_t)prefix;
    /* host bits are cleared, so "10.1.2.3/8" means 10.0.0.0/8 */
    for (unsigned bit = out->prefix; bit < 128; bit++)
        out->a[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
    return 0;
}

int hd_nets_add(struct hd_nets *l, const char *text)
{
    struct hd_nets tmp = *l;
    const char *s = text;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (tmp.count >= HD_MAX_NETS || parse_one(s, len, &tmp.n[tmp.count]))
            return -1;
        tmp.count++;
        if (!comma)
            break;
        s = comma + 1;
    }
    *l = tmp;
    return 0;
}

void hd_nets_default_home(struct hd_nets *l)
{
    memset(l, 0, sizeof *l);
    int rc = hd_nets_add(l, "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,169.254.0.0/16,"
                            "fc00::/7,fe80::/10");
    (void)rc; /* literal list: cannot fail */
}

static int net_match(const struct hd_net *n, uint8_t ipver, const uint8_t addr[16])
{
    if (n->ipver != ipver)
        return 0;
    unsigned full = n->prefix / 8u, rest = n->prefix % 8u;
    if (memcmp(n->a, addr, full))
        return 0;
    if (!rest)
        return 1;
    uint8_t mask = (uint8_t)(0xFFu << (8 - rest));
    return (addr[full] & mask) == n->a[full];
}

int hd_nets_match(const struct hd_nets *l, uint8_t ipver, const uint8_t addr[16])
{
    for (size_t i = 0; i < l->count; i++)
        if (net_match(&l->n[i], ipver, addr))
            return 1;
    return 0;
}

static int is_loopback(uint8_t ipver, const uint8_t a[16])
{
    static const uint8_t v6lo[16] = {[15] = 1};
    return ipver == 4 ? a[0] == 127 : !memcmp(a, v6lo, 16);
}

int hd_is_home(const struct hd_ctx *h, uint8_t ipver, const uint8_t addr[16])
{
    return is_loopback(ipver, addr) || hd_nets_match(&h->cfg.home, ipver, addr);
}

/* ------------------------------------------------------------------------------ flow identities */

static void addr_str(uint8_t ipver, const uint8_t *a, char out[INET6_ADDRSTRLEN])
{
    if (!inet_ntop(ipver == 6 ? AF_INET6 : AF_INET, a, out, INET6_ADDRSTRLEN))
        strcpy(out, "?");
}

/* ---------------------------------------------------------------------------- the source table */

static struct hd_src *src_at(const struct hd_ctx *h, int32_t i)
{
    return (struct hd_src *)(void *)(h->srcs + (size_t)i * h->src_size);
}

static uint64_t src_hash(uint8_t ipver, const uint8_t *a)
{
    uint64_t h = flow_fnv(flow_fnv(UINT64_C(0xcbf29ce484222325), &ipver, 1), a, 16);
    return h ^ (h >> 29);
}

/* Counter i as of the current epoch: halved once per epoch since it was last brought up to date. */
static uint8_t sk_value(const struct hd_ctx *h, size_t i)
{
    uint8_t d = (uint8_t)(h->sk_epoch - h->sk_stamp[i]);
    if (d >= 8)
        return 0;
    return (uint8_t)(h->sketch[i] >> d);
}

static uint8_t *sk_fresh(struct hd_ctx *h, size_t i)
{
    h->sketch[i] = sk_value(h, i);
    h->sk_stamp[i] = h->sk_epoch;
    return &h->sketch[i];
}

static unsigned sketch_est(const struct hd_ctx *h, uint64_t hk)
{
    uint8_t a = sk_value(h, hk & (HD_SKETCH - 1)), b = sk_value(h, (hk >> 32) & (HD_SKETCH - 1));
    return a < b ? a : b;
}

/* Halves every counter: a new epoch (O(1)); every 128 epochs all counters are brought up to date,
 * so no stamp falls 256 epochs behind and the mod-256 difference stays exact. */
static void sketch_age(struct hd_ctx *h)
{
    h->sk_epoch++;
    if ((h->sk_epoch & 127) == 0)
        for (size_t i = 0; i < HD_SKETCH; i++)
            sk_fresh(h, i);
}

/* Counts one attempt of the source; returns its estimated attempt count. */
static unsigned sketch_bump(struct hd_ctx *h, uint64_t hk, int64_t now)
{
    int64_t d = now - h->sk_aged;
    if (++h->sk_incs >= HD_SKETCH || d > h->cfg.window_us || d < -h->cfg.window_us) {
        sketch_age(h);
        h->sk_incs = 0;
        h->sk_aged = now;
    }
    uint8_t *a = sk_fresh(h, hk & (HD_SKETCH - 1)), *b = sk_fresh(h, (hk >> 32) & (HD_SKETCH - 1));
    uint8_t m = *a < *b ? *a : *b;  /* conservative update: only the smallest counters grow */
    if (m < 255) {
        if (*a == m)
            (*a)++;
        if (*b == m)
            (*b)++;
    }
    return sketch_est(h, hk);
}

static void lru_unlink(struct hd_ctx *h, int32_t i)
{
    struct hd_src *s = src_at(h, i);
    if (s->lprev >= 0)
        src_at(h, s->lprev)->lnext = s->lnext;
    else
        h->lru_head = s->lnext;
    if (s->lnext >= 0)
        src_at(h, s->lnext)->lprev = s->lprev;
    else
        h->lru_tail = s->lprev;
    s->lprev = s->lnext = -1;
}

static void lru_append(struct hd_ctx *h, int32_t i)
{
    struct hd_src *s = src_at(h, i);
    s->lprev = h->lru_tail;
    s->lnext = -1;
    if (h->lru_tail >= 0)
        src_at(h, h->lru_tail)->lnext = i;
    else
        h->lru_head = i;
    h->lru_tail = i;
}

static int in_window(const struct hd_ctx *h, int64_t ts, int64_t now)
{
    int64_t d = now - ts;
    if (d < 0)
        d = -d; /* timestamps may go back */
    return d <= h->cfg.window_us;
}

/* What a source is worth keeping: fired sources most (their one alert is written), then the
 * evidence they hold (destinations in the window, indicator targets). */
static uint64_t src_value(const struct hd_ctx *h, const struct hd_src *s, int64_t now)
{
    if (s->fired)
        return UINT64_MAX;
    uint64_t v = (uint64_t)s->nind * 4 + sketch_est(h, s->hkey);
    for (uint32_t k = 0; k < s->nslot; k++)
        v += in_window(h, s->slots[k].ts, now) ? 1u : 0u;
    return v;
}

static void bucket_remove(struct hd_ctx *h, int32_t i)
{
    struct hd_src *s = src_at(h, i);
    int32_t *pp = &h->buckets[s->hash & (h->nbuckets - 1)];
    while (*pp >= 0 && *pp != i)
        pp = &src_at(h, *pp)->hnext;
    if (*pp == i)
        *pp = s->hnext;
}

/* Index of a free entry: a never-used one, or the least valuable of the least recently used ones
 * when the newcomer's attempt count est reaches its value; -1 when the newcomer is not admitted. */
static int32_t src_take(struct hd_ctx *h, uint64_t est, int64_t now)
{
    if (h->n < h->cap)
        return (int32_t)h->n++;
    int32_t best = h->lru_head, i = h->lru_head;
    uint64_t bestv = UINT64_MAX;
    for (int k = 0; k < HD_EVICT_CANDIDATES && i >= 0; k++, i = src_at(h, i)->lnext) {
        uint64_t v = src_value(h, src_at(h, i), now);
        if (v < bestv) {
            bestv = v;
            best = i;
        }
    }
    if (est < bestv) {
        h->st.rejected++;
        return -1;
    }
    bucket_remove(h, best);
    lru_unlink(h, best);
    h->st.evictions++;
    return best;
}

/* The source's entry, moved to the LRU tail; created when absent (evicting another when the table
 * is full, if the admission rule lets it in: force for indicator alerts). NULL when not admitted. */
static struct hd_src *src_get(struct hd_ctx *h, uint8_t ipver, const uint8_t *addr, int64_t now, int force)
{
    uint64_t hk = src_hash(ipver, addr);
    uint32_t hv = (uint32_t)hk;
    unsigned est = sketch_bump(h, hk, now);
    for (int32_t i = h->buckets[hv & (h->nbuckets - 1)]; i >= 0; i = src_at(h, i)->hnext) {
        struct hd_src *s = src_at(h, i);
        if (s->hash == hv && s->ipver == ipver && !memcmp(s->addr, addr, 16)) {
            lru_unlink(h, i);
            lru_append(h, i);
            return s;
        }
    }
    int32_t i = src_take(h, force ? UINT64_MAX : est, now);
    if (i < 0)
        return NULL;
    struct hd_src *s = src_at(h, i);
    memset(s, 0, h->src_size);
    s->ipver = ipver;
    memcpy(s->addr, addr, 16);
    s->hash = hv;
    s->hkey = hk;
    uint32_t b = hv & (h->nbuckets - 1);
    s->hnext = h->buckets[b];
    h->buckets[b] = i;
    lru_append(h, i);
    h->st.sources++;
    return s;
}

int hd_init(struct hd_ctx *h, struct sd_ctx *sd, const struct hd_cfg *cfg)
{
    memset(h, 0, sizeof *h);
    h->sd = sd;
    h->cfg = *cfg;
    struct hd_cfg *c = &h->cfg;
    if (c->internal < 1) c->internal = 1;
    if (c->internal > HD_MAX_THRESHOLD) c->internal = HD_MAX_THRESHOLD;
    if (c->external < 1) c->external = 1;
    if (c->external > HD_MAX_THRESHOLD) c->external = HD_MAX_THRESHOLD;
    if (c->indicators < 1) c->indicators = 1;
    if (c->indicators > HD_MAX_IND_THRESHOLD) c->indicators = HD_MAX_IND_THRESHOLD;
    if (c->window_us < 0) c->window_us = 0;
    if (c->window_us > HD_MAX_WINDOW_S * INT64_C(1000000)) c->window_us = HD_MAX_WINDOW_S * INT64_C(1000000);
    if (!c->home.count)
        hd_nets_default_home(&c->home);
    if (!c->n_ports) {
        c->ports[0] = 139, c->ports[1] = 445;
        c->n_ports = 2;
    }
    /* internal + external - 1 slots: a full source with every slot in the window has reached one of
     * the two thresholds, so replacing the oldest slot never hides a crossing */
    h->nslots = (size_t)c->internal + c->external - 1;
    h->src_size = (offsetof(struct hd_src, slots) + h->nslots * sizeof(struct hd_slot) + 7) & ~(size_t)7;
    size_t cap = c->max_sources ? c->max_sources : HD_TABLE_BYTES / h->src_size;
    if (cap > HD_MAX_SOURCES) cap = HD_MAX_SOURCES;
    if (cap < HD_MIN_SOURCES && !c->max_sources) cap = HD_MIN_SOURCES;
    if (cap < 1) cap = 1;
    h->cap = cap;
    h->nbuckets = 1;
    while (h->nbuckets < 2 * cap)
        h->nbuckets <<= 1;
    h->srcs = calloc(cap, h->src_size);
    h->buckets = malloc(h->nbuckets * sizeof *h->buckets);
    h->sketch = calloc(HD_SKETCH, 1);
    h->sk_stamp = calloc(HD_SKETCH, 1);
    if (!h->srcs || !h->buckets || !h->sketch || !h->sk_stamp) {
        hd_free(h);
        return -1;
    }
    for (uint32_t i = 0; i < h->nbuckets; i++)
        h->buckets[i] = -1;
    h->lru_head = h->lru_tail = -1;
    return 0;
}

void hd_free(struct hd_ctx *h)
{
    free(h->srcs);
    free(h->buckets);
    free(h->sketch);
    free(h->sk_stamp);
    h->sk_stamp = NULL;
    h->srcs = NULL;
    h->buckets = NULL;
    h->sketch = NULL;
    h->n = h->cap = 0;
}

static int is_port(const struct hd_ctx *h, uint16_t port)
{
    for (unsigned i = 0; i < h->cfg.n_ports; i++)
        if (h->cfg.ports[i] == port)
            return 1;
    return 0;
}

/* --------------------------------------------------------------------------------- smb.worm_scan */

static int slot_order(const struct hd_slot *a, const struct hd_slot *b)
{
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Appends `"targets":[...]` of the listed addresses (at most HD_TARGETS_LISTED) to out. */
static size_t put_targets(char *out, size_t cap, size_t o, uint8_t ipver, const uint8_t (*addrs)[16], size_t n)
{
    o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, ",\"targets\":[");
    for (size_t i = 0; i < n && i < HD_TARGETS_LISTED; i++) {
        char a[INET6_ADDRSTRLEN];
        addr_str(ipver, addrs[i], a);
        o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s\"%s\"", i ? "," : "", a);
    }
    o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "]");
    return o;
}

#define HD_ATTRS_CAP (HD_TARGETS_LISTED * (INET6_ADDRSTRLEN + 3) + 1024)

/* The internal or external form: src crossed a threshold with the attempt cli:cport -> srv:sport
 * seen at ts (index idx). */
static void fire_sweep(struct hd_ctx *h, struct hd_src *s, int external, uint16_t cport, const uint8_t *srv,
                       uint16_t sport, int64_t ts, uint64_t idx)
{
    /* the class's slots in the window, in attempt order */
    const struct hd_slot *list[HD_MAX_THRESHOLD * 2];
    size_t n = 0;
    for (uint32_t k = 0; k < s->nslot; k++) {
        const struct hd_slot *sl = &s->slots[k];
        if (sl->external != external || !in_window(h, sl->ts, ts))
            continue;
        size_t j = n++;
        while (j && slot_order(list[j - 1], sl) > 0) {
            list[j] = list[j - 1];
            j--;
        }
        list[j] = sl;
    }
    uint8_t addrs[HD_TARGETS_LISTED][16];
    for (size_t i = 0; i < n && i < HD_TARGETS_LISTED; i++)
        memcpy(addrs[i], list[i]->addr, 16);
    char src[INET6_ADDRSTRLEN], attrs[HD_ATTRS_CAP];
    addr_str(s->ipver, s->addr, src);
    size_t o = (size_t)snprintf(attrs, sizeof attrs,
                                "\"form\":\"%s\",\"src\":\"%s\",\"distinct\":%zu,\"threshold\":%u,\"window_s\":%.6g",
                                external ? "external" : "internal", src, n,
                                external ? h->cfg.external : h->cfg.internal, (double)h->cfg.window_us / 1e6);
    put_targets(attrs, sizeof attrs, o, s->ipver, (const uint8_t(*)[16])addrs, n);
    struct wflow f;
    flow_pseudo(&f, s->ipver, 6, s->addr, cport, srv, sport, ts, idx);
    s->fired = 1;
    sd_alert_flow(h->sd, &f, WDIR_TO_SERVER, SD_WORM_SCAN, attrs, ts, idx);
}

enum { ATT_SYN, ATT_OTHER };

/* Client cli:cport attempted server srv:sport: a SYN (ATT_SYN: refreshes the attempt time), or a
 * SYN-ACK / mid-stream segment (ATT_OTHER: counts only a pair not held yet). */
static void attempt(struct hd_ctx *h, uint8_t ipver, const uint8_t *cli, uint16_t cport, const uint8_t *srv,
                    uint16_t sport, int kind, int64_t ts, uint64_t idx)
{
    if (hd_nets_match(&h->cfg.allow, ipver, cli))
        return;
    struct hd_src *s = src_get(h, ipver, cli, ts, 0);
    if (!s || s->fired)
        return;
    struct hd_slot *sl = NULL;
    for (uint32_t k = 0; k < s->nslot; k++)
        if (!memcmp(s->slots[k].addr, srv, 16)) {
            sl = &s->slots[k];
            break;
        }
    if (sl && kind != ATT_SYN)
        return;
    if (!sl) {
        if (s->nslot < h->nslots) {
            sl = &s->slots[s->nslot++];
        } else {
            sl = &s->slots[0];
            for (uint32_t k = 1; k < s->nslot; k++)
                if (slot_order(&s->slots[k], sl) < 0)
                    sl = &s->slots[k];
        }
        memcpy(sl->addr, srv, 16);
        sl->external = (uint8_t)!hd_is_home(h, ipver, srv);
        sl->seq = h->st.attempts;
    }
    sl->ts = ts;
    h->st.attempts++;
    unsigned cnt = 0;
    for (uint32_t k = 0; k < s->nslot; k++)
        if (s->slots[k].external == sl->external && in_window(h, s->slots[k].ts, ts))
            cnt++;
    if (cnt >= (sl->external ? h->cfg.external : h->cfg.internal))
        fire_sweep(h, s, sl->external, cport, srv, sport, ts, idx);
}

int hd_is_indicator(int det)
{
    switch (det) {
    case SD_MS17_PROBE: case SD_MS17_VULN: case SD_DP_PING: case SD_DP_IMPLANT: case SD_DP_UPLOAD:
    case SD_DP_UNINSTALL: case SD_EB_EXPLOIT: case SD_EB_OVERFLOW: case SD_EB_POOL: case SD_EB_GROOM:
    case SD_OTHER_EXPLOIT: case SD_WC_IPC: case SD_WC_SHARE_ENC:
        return 1;
    default:
        return 0;
    }
}

void hd_on_alert(struct hd_ctx *h, const struct wflow *f, int det, int64_t ts_us, uint64_t index)
{
    if (!hd_is_indicator(det) || (f->ipver != 4 && f->ipver != 6) ||
        hd_nets_match(&h->cfg.allow, f->ipver, f->cli))
        return;
    h->st.indicator_alerts++;
    struct hd_src *s = src_get(h, f->ipver, f->cli, ts_us, 1);
    if (!s || s->fired)
        return;
    s->ind_mask |= UINT32_C(1) << det;
    for (unsigned i = 0; i < s->nind; i++)
        if (!memcmp(s->ind[i], f->srv, 16))
            return;
    if (s->nind >= HD_MAX_IND_THRESHOLD)
        return;
    memcpy(s->ind[s->nind++], f->srv, 16);
    if (s->nind < h->cfg.indicators)
        return;
    char src[INET6_ADDRSTRLEN], attrs[HD_ATTRS_CAP];
    addr_str(s->ipver, s->addr, src);
    size_t o = (size_t)snprintf(attrs, sizeof attrs,
                                "\"form\":\"indicators\",\"src\":\"%s\",\"distinct\":%u,\"threshold\":%u,\"indicators\":[",
                                src, (unsigned)s->nind, h->cfg.indicators);
    int k = 0;
    for (int d = 0; d < SD_NDET; d++)
        if (s->ind_mask & (UINT32_C(1) << d))
            o += (size_t)snprintf(attrs + o, o < sizeof attrs ? sizeof attrs - o : 0, "%s\"%s\"", k++ ? "," : "",
                                  sd_table[d].name);
    o += (size_t)snprintf(attrs + o, o < sizeof attrs ? sizeof attrs - o : 0, "]");
    put_targets(attrs, sizeof attrs, o, s->ipver, (const uint8_t(*)[16])s->ind, s->nind);
    struct wflow pf;
    memset(&pf, 0, sizeof pf);
    pf.ipver = f->ipver;
    pf.l4proto = 6;
    memcpy(pf.cli, f->cli, 16);
    memcpy(pf.srv, f->srv, 16);
    pf.cport = f->cport;
    pf.sport = f->sport;
    pf.id = f->id;
    pf.first_ts = f->first_ts;
    pf.last_ts = f->last_ts;
    pf.first_index = f->first_index;
    s->fired = 1;
    sd_alert_flow(h->sd, &pf, WDIR_TO_SERVER, SD_WORM_SCAN, attrs, ts_us, index);
}

/* ----------------------------------------------------------------------------------- smb.exposed */

/* 1 when the flow of key was not alerted yet (and remembers it). */
static int exposed_first(struct hd_ctx *h, uint64_t key, int64_t ts)
{
    size_t i = (size_t)(key % HD_EXPOSED_RECENT);
    int64_t d = ts - h->exposed[i].ts;
    if (h->exposed[i].key == key && (d < 0 ? -d : d) <= HD_SAME_FLOW_US)
        return 0;
    h->exposed[i].key = key;
    h->exposed[i].ts = ts;
    return 1;
}

static void exposed(struct hd_ctx *h, const struct wd_pkt *p, int client_is_src, int outbound, int64_t first_ts,
                    int64_t ts, uint64_t idx)
{
    const uint8_t *cli = client_is_src ? p->src : p->dst, *srv = client_is_src ? p->dst : p->src;
    uint16_t cport = client_is_src ? p->sport : p->dport, sport = client_is_src ? p->dport : p->sport;
    if (!exposed_first(h, flow_tuple_hash(p->ipver, cli, cport, srv, sport), ts))
        return;
    char out[INET6_ADDRSTRLEN], in[INET6_ADDRSTRLEN], attrs[256];
    addr_str(p->ipver, outbound ? srv : cli, out);
    addr_str(p->ipver, outbound ? cli : srv, in);
    snprintf(attrs, sizeof attrs, "\"direction\":\"%s\",\"outside\":\"%s\",\"inside\":\"%s\",\"port\":%u,\"seen\":\"%s\"",
             outbound ? "outbound" : "inbound", out, in, (unsigned)sport, client_is_src ? "syn" : "syn_ack");
    struct wflow f;
    flow_pseudo(&f, p->ipver, 6, cli, cport, srv, sport, first_ts, idx);
    sd_alert_flow(h->sd, &f, client_is_src ? WDIR_TO_SERVER : WDIR_TO_CLIENT, SD_SMB_EXPOSED, attrs, ts, idx);
}

/* ------------------------------------------------------------------------------------ the input */

void hd_on_tcp(void *arg, const struct wd_pkt *p, int64_t ts_us, uint64_t index)
{
    struct hd_ctx *h = arg;
    if (p->ipver != 4 && p->ipver != 6)
        return;
    int s = is_port(h, p->sport), d = is_port(h, p->dport);
    if (!s && !d)
        return;
    uint8_t fl = p->tcp_flags;
    int syn = (fl & (WD_TCP_SYN | WD_TCP_ACK)) == WD_TCP_SYN;
    int synack = (fl & (WD_TCP_SYN | WD_TCP_ACK)) == (WD_TCP_SYN | WD_TCP_ACK);
    /* roles as the flow table decides them: a lone server port, else the SYN / SYN-ACK, else the
     * lower port is the server's */
    int client_is_src = s != d ? d : (fl & WD_TCP_SYN) ? !(fl & WD_TCP_ACK) : p->sport >= p->dport;
    const uint8_t *cli = client_is_src ? p->src : p->dst, *srv = client_is_src ? p->dst : p->src;
    uint16_t cport = client_is_src ? p->sport : p->dport, sport = client_is_src ? p->dport : p->sport;
    if (!(fl & WD_TCP_RST))
        attempt(h, p->ipver, cli, cport, srv, sport, client_is_src && syn ? ATT_SYN : ATT_OTHER, ts_us, index);

    /* smb.exposed: only the handshake decides (a SYN, or the SYN-ACK answering one) */
    int first = client_is_src ? syn : synack;
    if (!first || (fl & WD_TCP_RST))
        return;
    int cli_home = hd_is_home(h, p->ipver, cli), srv_home = hd_is_home(h, p->ipver, srv);
    uint64_t key = flow_tuple_hash(p->ipver, cli, cport, srv, sport);
    size_t ci = (size_t)(key % HD_SYN_CACHE);
    if (cli_home && !srv_home && sport == 445) {
        /* outbound: the SYN, or a SYN-ACK whose SYN was not captured */
        exposed(h, p, client_is_src, 1, ts_us, ts_us, index);
    } else if (!cli_home && srv_home) {
        if (client_is_src) {
            /* remembered for the flow_id of a SYN-ACK to come (a retransmitted SYN keeps the first) */
            int64_t dt = ts_us - h->syn[ci].ts;
            if (h->syn[ci].key != key || (dt < 0 ? -dt : dt) > HD_SAME_FLOW_US) {
                h->syn[ci].key = key;
                h->syn[ci].ts = ts_us;
            }
        } else {
            int64_t first_ts = h->syn[ci].key == key ? h->syn[ci].ts : ts_us;
            exposed(h, p, 0, 0, first_ts, ts_us, index);
        }
    }
}
