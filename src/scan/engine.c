/* engine.c: the scanner's event loop (libuv): pulls targets from the stream, keeps at most
 * max_parallel hosts in flight, paces new connections (--rate), runs the shared UDP 137 socket,
 * prints progress, turns finished hosts into records, and ends cleanly on Ctrl-C with what it has. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "core/log.h"
#include "core/text.h"
#include "proto/nbss.h"
#include "scan/internal.h"

struct engine {
    const struct scan_config *cfg;
    struct target_set *ts;
    scan_emit_fn emit;
    void *emit_arg;
    struct scan_stats *st;
    uv_loop_t *loop;
    struct host **slots;        /* in-flight hosts by slot; slot is also the NBNS transaction id */
    uint16_t *free_slots;
    unsigned n_free;
    unsigned in_flight;
    int targets_done;
    int stopping;
    int creds_ok;
    /* rate limiting: token bucket refilled by the tick timer */
    double tokens;
    uint64_t last_refill_ns;
    uv_timer_t tick;
    uv_timer_t progress;
    uv_signal_t sigint, sigterm;
    uv_udp_t udp;
    int udp_ok;
    uint64_t t0_ns;
    struct record rec;
    int progress_shown;
    int closed;                 /* loop handles closed: the loop ends */
};

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

void scan_config_defaults(struct scan_config *c)
{
    memset(c, 0, sizeof *c);
    c->timeout_ms = 5000;
    c->max_parallel = 1024;
    c->rate = 0;
    c->retries = 1;
    c->port_smb = 445;
    c->port_nbss = 139;
}

const struct scan_config *engine_config(const struct engine *e) { return e->cfg; }
int engine_creds_allowed(struct engine *e) { return e->creds_ok; }

void engine_creds_trip(struct engine *e, const char *why)
{
    if (!e->creds_ok)
        return;
    e->creds_ok = 0;
    e->st->creds_disabled = 1;
    snprintf(e->st->creds_disabled_why, sizeof e->st->creds_disabled_why, "%s", why);
    log_warn("credentials refused (%s): not used on any further host, so the account is not locked out", why);
}

static void refill(struct engine *e)
{
    if (e->cfg->rate <= 0)
        return;
    uint64_t t = now_ns();
    double add = (double)(t - e->last_refill_ns) * e->cfg->rate / 1e9;
    e->last_refill_ns = t;
    e->tokens += add;
    double burst = e->cfg->rate / 50.0 < 1.0 ? 1.0 : e->cfg->rate / 50.0;
    if (e->tokens > burst)
        e->tokens = burst;
}

int engine_rate_ok(struct engine *e)
{
    if (e->cfg->rate <= 0)
        return 1;
    refill(e);
    if (e->tokens >= 1.0) {
        e->tokens -= 1.0;
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ UDP 137 */

static void udp_alloc(uv_handle_t *hd, size_t sz, uv_buf_t *b)
{
    static char buf[2048];
    (void)hd;
    (void)sz;
    b->base = buf;
    b->len = sizeof buf;
}

static void udp_recv(uv_udp_t *u, ssize_t n, const uv_buf_t *b, const struct sockaddr *from, unsigned flags)
{
    struct engine *e = u->data;
    (void)flags;
    if (n < 12 || !from || from->sa_family != AF_INET)
        return;
    const uint8_t *p = (const uint8_t *)b->base;
    uint16_t txid = (uint16_t)((p[0] << 8) | p[1]);
    if (txid >= e->cfg->max_parallel)
        return;
    struct host *h = e->slots[txid];
    const struct sockaddr_in *sin = (const struct sockaddr_in *)from;
    if (!h || host_addr(h)->family != AF_INET || host_addr(h)->a.v4.s_addr != sin->sin_addr.s_addr)
        return;
    host_on_nbns(h, p, (size_t)n);
}

static void udp_sent(uv_udp_send_t *req, int status)
{
    (void)status;
    free(req);
}

void engine_nbns_query(struct engine *e, struct host *h)
{
    if (!e->udp_ok)
        return;
    struct {
        uv_udp_send_t req;
        uint8_t buf[64];
    } *s = malloc(sizeof *s);
    if (!s)
        return;
    size_t n = nbns_build_node_status(s->buf, sizeof s->buf, host_slot(h));
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(137);
    sin.sin_addr = host_addr(h)->a.v4;
    uv_buf_t b = uv_buf_init((char *)s->buf, (unsigned)n);
    if (n == 0 || uv_udp_send(&s->req, &e->udp, &b, 1, (const struct sockaddr *)&sin, udp_sent) != 0)
        free(s);
}

/* ------------------------------------------------------------------ hosts */

static void launch_more(struct engine *e);

void engine_host_done(struct engine *e, struct host *h)
{
    const struct scan_obs *o = host_obs(h);
    struct ident id;
    struct verdict_out vd;
    ident_decide(o, &id);
    verdict_decide(o, &id, &vd);
    struct scan_host_view v = {host_ip(h), o, &id, &vd, host_elapsed_ms(h), e->cfg->port_smb, e->cfg->port_nbss};
    scan_fill_record(&e->rec, &v);
    if (e->emit(&e->rec, e->emit_arg) != 0 && !e->stopping) {
        log_error("output failed; stopping the scan");
        e->stopping = 1;
    }
    e->st->hosts++;
    e->st->by_verdict[vd.v]++;
    if (o->dp == DP_INFECTED)
        e->st->infected++;
    if (verdict_undecided(vd.v))
        e->st->undecided++;
    uint16_t slot = host_slot(h);
    e->slots[slot] = NULL;
    e->free_slots[e->n_free++] = slot;
    e->in_flight--;
    host_free(h);
    if (!e->stopping)
        launch_more(e);
}

static void launch_more(struct engine *e)
{
    while (!e->stopping && !e->targets_done && e->n_free > 0) {
        if (e->cfg->rate > 0) {
            refill(e);
            if (e->tokens < 1.0)
                return;        /* the tick timer calls again */
        }
        struct target_addr a;
        int r = targets_next(e->ts, &a);
        if (r == 0) {
            e->targets_done = 1;
            break;
        }
        if (r < 0) {
            log_warn("cannot resolve '%s': skipped", a.name ? a.name : "?");
            e->st->resolve_failures++;
            continue;
        }
        uint16_t slot = e->free_slots[--e->n_free];
        struct host *h = host_new(e, &a, slot);
        if (!h) {
            e->free_slots[e->n_free++] = slot;
            log_error("out of memory");
            e->stopping = 1;
            break;
        }
        e->slots[slot] = h;
        e->in_flight++;
        host_start(h);
    }
    if ((e->targets_done || e->stopping) && e->in_flight == 0 && !e->closed) {
        e->closed = 1;
        uv_timer_stop(&e->tick);
        uv_timer_stop(&e->progress);
        uv_close((uv_handle_t *)&e->tick, NULL);
        uv_close((uv_handle_t *)&e->progress, NULL);
        uv_close((uv_handle_t *)&e->sigint, NULL);
        uv_close((uv_handle_t *)&e->sigterm, NULL);
        if (e->udp_ok)
            uv_close((uv_handle_t *)&e->udp, NULL);
    }
}

static void on_tick(uv_timer_t *t)
{
    struct engine *e = t->data;
    /* Hosts waiting for a connection token first (open_conn takes the token), then new hosts. */
    if (e->cfg->rate > 0) {
        for (unsigned i = 0; i < e->cfg->max_parallel; i++) {
            struct host *h = e->slots[i];
            if (h && host_waiting_rate(h))
                host_resume(h);
        }
    }
    launch_more(e);
}

static void print_progress(struct engine *e, int final)
{
    double el = (double)(now_ns() - e->t0_ns) / 1e9;
    double rate = el > 0 ? (double)e->st->hosts / el : 0;
    uint64_t total = e->cfg->total_hint;
    char eta[32] = "";
    if (total && rate > 0 && e->st->hosts <= total) {
        double left = (double)(total - e->st->hosts) / rate;
        snprintf(eta, sizeof eta, ", ETA %02d:%02d", (int)(left / 60), (int)fmod(left, 60));
    }
    if (total)
        fprintf(stderr, "\r%llu/%llu hosts, %.0f hosts/s, %u in flight%s   %s",
                (unsigned long long)e->st->hosts, (unsigned long long)total, rate, e->in_flight, eta,
                final ? "\n" : "");
    else
        fprintf(stderr, "\r%llu hosts, %.0f hosts/s, %u in flight   %s", (unsigned long long)e->st->hosts, rate,
                e->in_flight, final ? "\n" : "");
    e->progress_shown = 1;
}

static void on_progress(uv_timer_t *t) { print_progress(t->data, 0); }

static void on_signal(uv_signal_t *s, int signum)
{
    struct engine *e = s->data;
    (void)signum;
    if (e->stopping) {
        log_warn("second interrupt: exiting now");
        _exit(130);
    }
    log_warn("interrupted: reporting what was found so far (Ctrl-C again to quit at once)");
    e->stopping = 1;
    e->st->interrupted = 1;
    for (unsigned i = 0; i < e->cfg->max_parallel; i++)
        if (e->slots[i])
            host_interrupt(e->slots[i]);
    launch_more(e);
}

int scan_run(struct target_set *ts, const struct scan_config *cfg_in, scan_emit_fn emit, void *arg,
             struct scan_stats *stats)
{
    struct scan_config cfg = *cfg_in;
    memset(stats, 0, sizeof *stats);

    /* Size concurrency to the descriptor limit: one TCP socket per host plus headroom. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        if (rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
            getrlimit(RLIMIT_NOFILE, &rl);
        }
        if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)cfg.max_parallel + 64) {
            unsigned fit = rl.rlim_cur > 96 ? (unsigned)rl.rlim_cur - 64 : 32;
            log_warn("--max-parallel lowered from %u to %u to fit the open-file limit (%llu)", cfg.max_parallel, fit,
                     (unsigned long long)rl.rlim_cur);
            cfg.max_parallel = fit;
        }
    }
    if (cfg.max_parallel == 0)
        cfg.max_parallel = 1;
    if (cfg.max_parallel > 65535)
        cfg.max_parallel = 65535;

    struct engine *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    e->cfg = &cfg;
    e->ts = ts;
    e->emit = emit;
    e->emit_arg = arg;
    e->st = stats;
    e->creds_ok = cfg.creds != NULL;
    e->loop = uv_default_loop();
    e->slots = calloc(cfg.max_parallel, sizeof *e->slots);
    e->free_slots = calloc(cfg.max_parallel, sizeof *e->free_slots);
    if (!e->slots || !e->free_slots) {
        free(e->slots);
        free(e->free_slots);
        free(e);
        return -1;
    }
    for (unsigned i = 0; i < cfg.max_parallel; i++)
        e->free_slots[e->n_free++] = (uint16_t)(cfg.max_parallel - 1 - i);
    e->t0_ns = e->last_refill_ns = now_ns();
    e->tokens = 1.0;

    if (!cfg.no_nbns && uv_udp_init(e->loop, &e->udp) == 0) {
        struct sockaddr_in any;
        uv_ip4_addr("0.0.0.0", 0, &any);
        e->udp.data = e;
        if (uv_udp_bind(&e->udp, (const struct sockaddr *)&any, 0) == 0 &&
            uv_udp_recv_start(&e->udp, udp_alloc, udp_recv) == 0)
            e->udp_ok = 1;
        else
            uv_close((uv_handle_t *)&e->udp, NULL);
    }
    uv_timer_init(e->loop, &e->tick);
    e->tick.data = e;
    uv_timer_start(&e->tick, on_tick, 5, 5);
    uv_timer_init(e->loop, &e->progress);
    e->progress.data = e;
    if (cfg.progress)
        uv_timer_start(&e->progress, on_progress, 500, 500);
    uv_signal_init(e->loop, &e->sigint);
    uv_signal_init(e->loop, &e->sigterm);
    e->sigint.data = e->sigterm.data = e;
    uv_signal_start(&e->sigint, on_signal, SIGINT);
    uv_signal_start(&e->sigterm, on_signal, SIGTERM);
    signal(SIGPIPE, SIG_IGN);

    launch_more(e);
    uv_run(e->loop, UV_RUN_DEFAULT);
    if (cfg.progress && e->progress_shown)
        print_progress(e, 1);
    stats->seconds = (double)(now_ns() - e->t0_ns) / 1e9;
    free(e->slots);
    free(e->free_slots);
    free(e);
    return 0;
}
