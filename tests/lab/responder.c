/* responder.c: smbguard-lab, the lab responder: stands in for Windows hosts by replaying real
 * frames read at start-up from ../shared/pcaps, patching only the echoed fields (docs/lab-responder.md). */
#include "labsmb.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_REPLAY, MODE_SILENT, MODE_GARBAGE, MODE_DRIP, MODE_CLOSED };
static const char *const mode_names[] = {"replay", "silent", "garbage", "drip", "closed"};
static const char garbage_text[] = "HTTP/1.1 400 Bad Request\r\n\r\n";

#define MAX_MSG (1u << 17)
#define OBJ_LISTENER 1
#define OBJ_CONN 2

struct listener {
    int obj;
    int fd;
    struct sockaddr_storage ss;
    socklen_t sslen;
    const struct lab_profile *prof;
    enum mode mode;
    int nbss; /* port 139: NBSS session request first */
};

struct conn {
    int obj;
    int fd;
    struct listener *l;
    struct conn *prev, *next;
    uint8_t *in;
    size_t in_len, in_cap;
    uint8_t *out;
    size_t out_len, out_off, out_cap;
    int nbss_done, closing, want_out;
    uint16_t next_uid, next_tid;
    uint16_t uids[32], tids[32];
    unsigned n_uids, n_tids;
};

static volatile sig_atomic_t g_stop;
static int g_verbose;
static int g_ep = -1;
static struct conn *g_conns;
static size_t g_nconns;

static void on_signal(int sig) { (void)sig; g_stop = 1; }

__attribute__((format(printf, 2, 3))) static void vlog(const struct conn *c, const char *fmt, ...)
{
    if (!g_verbose)
        return;
    fprintf(stderr, "smbguard-lab[%d] fd %d %s: ", (int)getpid(), c ? c->fd : -1,
            c && c->l->prof ? c->l->prof->name : "-");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---------- per-connection SMB state ---------- */

static int has16(const uint16_t *v, unsigned n, uint16_t x)
{
    for (unsigned i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}
static void add16(uint16_t *v, unsigned *n, uint16_t x)
{
    if (!has16(v, *n, x) && *n < 32)
        v[(*n)++] = x;
}
static void del16(uint16_t *v, unsigned *n, uint16_t x)
{
    for (unsigned i = 0; i < *n; i++)
        if (v[i] == x) {
            v[i] = v[--*n];
            return;
        }
}

static int out_append(struct conn *c, const uint8_t *p, size_t n)
{
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 1024;
        while (cap < c->out_len + n)
            cap *= 2;
        uint8_t *o = realloc(c->out, cap);
        if (!o)
            return -1;
        c->out = o;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    return 0;
}

/* Patches the echoed fields of an SMB1 reply and updates the session state. */
static void patch_smb1(struct conn *c, const struct lab_pair *pr, const struct lab_req *r,
                       const uint8_t *q, uint8_t *m)
{
    if (pr->status_override)
        lab_put32(m + 5, pr->status);
    uint32_t st = lab_le32(m + 5);
    lab_put16(m + 10, (uint16_t)(lab_le16(q + 10) | (st ? 0x4000 : 0)));
    memcpy(m + 12, q + 12, 2);  /* PIDHigh */
    memcpy(m + 26, q + 26, 2);  /* PIDLow */
    lab_put16(m + 30, (uint16_t)(lab_le16(q + 30) + pr->mid_delta));
    uint16_t quid = lab_le16(q + 28), qtid = lab_le16(q + 24), uid = quid, tid = qtid;
    switch (r->kind) {
    case LK_NEG_NTLM:
        if (m[32] == 17)
            lab_put16(m + 33, (uint16_t)r->nt_index);
        break;
    case LK_SS_NULL:
    case LK_SS_NTLM_NEG:
    case LK_SS_NTLM_AUTH:
        if (quid == 0 && (st == 0 || st == 0xC0000016u))
            uid = c->next_uid++;
        if (st == 0)
            add16(c->uids, &c->n_uids, uid);
        break;
    case LK_TREE_IPC:
        if (st == 0) {
            tid = c->next_tid++;
            add16(c->tids, &c->n_tids, tid);
        }
        break;
    case LK_TDIS:
        if (st == 0)
            del16(c->tids, &c->n_tids, qtid);
        break;
    case LK_LOGOFF:
        if (st == 0)
            del16(c->uids, &c->n_uids, quid);
        break;
    default:
        break;
    }
    lab_put16(m + 28, uid);
    lab_put16(m + 24, tid);
}

/* Returns 0 when a reply was queued, -1 when the connection must close. */
static int answer(struct conn *c, const uint8_t *msg, size_t n, uint8_t nbss_type)
{
    const struct lab_profile *p = c->l->prof;
    if (c->l->nbss && !c->nbss_done) {
        if (nbss_type != 0x81) {
            vlog(c, "no NBSS session request on 139");
            return -1;
        }
        struct lab_req r = {.kind = LK_NBSS_POS};
        const struct lab_pair *pr = lab_profile_match(p, &r);
        if (!pr) {
            vlog(c, "no captured NBSS positive response for this profile");
            return -1;
        }
        c->nbss_done = 1;
        return out_append(c, pr->rep, pr->rep_len);
    }
    if (nbss_type == 0x85)
        return 0; /* keep-alive */
    if (nbss_type != 0x00) {
        vlog(c, "unexpected NBSS message type 0x%02x", nbss_type);
        return -1;
    }
    struct lab_req r;
    lab_classify(msg, n, &r);
    if (r.kind == LK_NONE) {
        vlog(c, "close: %s", r.why);
        return -1;
    }
    const struct lab_pair *pr = lab_profile_match(p, &r);
    if (!pr) {
        vlog(c, "close: no captured reply for %s with features 0x%x in this profile", lab_kind_name(r.kind), r.feat);
        return -1;
    }
    if (!r.is_smb2) {
        uint16_t uid = lab_le16(msg + 28), tid = lab_le16(msg + 24);
        int need_uid = r.kind == LK_TREE_IPC || r.kind == LK_PEEK || r.kind == LK_DP_PING ||
                       r.kind == LK_TDIS || r.kind == LK_LOGOFF;
        int need_tid = r.kind == LK_PEEK || r.kind == LK_DP_PING || r.kind == LK_TDIS;
        if ((need_uid && !has16(c->uids, c->n_uids, uid)) || (need_tid && !has16(c->tids, c->n_tids, tid))) {
            vlog(c, "close: %s with an unknown UID/TID", lab_kind_name(r.kind));
            return -1;
        }
    }
    size_t at = c->out_len;
    if (out_append(c, pr->rep, pr->rep_len) != 0)
        return -1;
    uint8_t *m = c->out + at + 4;
    if (!r.is_smb2 && m[0] == 0xFF) {
        patch_smb1(c, pr, &r, msg, m);
    } else if (r.is_smb2 && m[0] == 0xFE) {
        memcpy(m + 6, msg + 6, 2);   /* CreditCharge: echoed (MS-SMB2 3.3.5.2.5 analogue of MID) */
        memcpy(m + 24, msg + 24, 8); /* MessageId */
        int zero = 1;
        for (int i = 40; i < 48; i++)
            zero &= msg[i] == 0;
        if (!zero)
            memcpy(m + 40, msg + 40, 8); /* SessionId echoed once handed out */
    }
    vlog(c, "answered %s from %s", lab_kind_name(r.kind), pr->pcap);
    return 0;
}

/* ---------- epoll plumbing ---------- */

static void conn_free(struct conn *c)
{
    epoll_ctl(g_ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        g_conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    g_nconns--;
    free(c->in);
    free(c->out);
    free(c);
}

static void set_out_interest(struct conn *c, int want)
{
    if (want == c->want_out)
        return;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u), .data.ptr = c};
    epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = want;
}

/* Sends pending output (one byte per call in drip mode). Returns -1 when the connection is gone. */
static int flush_out(struct conn *c, int drip_tick)
{
    if (c->l->mode == MODE_DRIP && !drip_tick)
        return 0;
    while (c->out_off < c->out_len) {
        size_t n = c->out_len - c->out_off;
        if (c->l->mode == MODE_DRIP)
            n = 1;
        ssize_t w = send(c->fd, c->out + c->out_off, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                set_out_interest(c, 1);
                return 0;
            }
            if (errno == EINTR)
                continue;
            return -1;
        }
        c->out_off += (size_t)w;
        if (c->l->mode == MODE_DRIP)
            break;
    }
    if (c->out_off == c->out_len) {
        c->out_off = c->out_len = 0;
        set_out_interest(c, 0);
        if (c->closing) {
            shutdown(c->fd, SHUT_WR);
            return -1;
        }
    }
    return 0;
}

static void process_input(struct conn *c)
{
    if (c->l->mode == MODE_SILENT) {
        c->in_len = 0;
        return;
    }
    if (c->l->mode == MODE_GARBAGE) {
        c->in_len = 0;
        if (!c->closing) {
            out_append(c, (const uint8_t *)garbage_text, sizeof garbage_text - 1);
            c->closing = 1;
        }
        return;
    }
    size_t off = 0;
    while (!c->closing && c->in_len - off >= 4) {
        const uint8_t *h = c->in + off;
        size_t len = ((size_t)h[1] << 16) | ((size_t)h[2] << 8) | h[3];
        if (len > MAX_MSG) {
            c->closing = 1;
            break;
        }
        if (c->in_len - off < 4 + len)
            break;
        if (answer(c, h + 4, len, h[0]) != 0)
            c->closing = 1;
        off += 4 + len;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
}

static void on_readable(struct conn *c)
{
    for (;;) {
        if (c->in_cap - c->in_len < 4096) {
            size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
            if (cap > 4 * MAX_MSG) {
                conn_free(c);
                return;
            }
            uint8_t *b = realloc(c->in, cap);
            if (!b) {
                conn_free(c);
                return;
            }
            c->in = b;
            c->in_cap = cap;
        }
        ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (n > 0) {
            if (!c->closing)
                c->in_len += (size_t)n;
            else
                c->in_len = 0;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        conn_free(c); /* EOF or error */
        return;
    }
    process_input(c);
    if (flush_out(c, 0) != 0)
        conn_free(c);
}

static void on_accept(struct listener *l)
{
    for (;;) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return; /* EAGAIN, EMFILE: try again on the next event */
        }
        struct conn *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->obj = OBJ_CONN;
        c->fd = fd;
        c->l = l;
        c->next_uid = 0x0800;
        c->next_tid = 0x0800;
        c->next = g_conns;
        if (g_conns)
            g_conns->prev = c;
        g_conns = c;
        g_nconns++;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
        if (epoll_ctl(g_ep, EPOLL_CTL_ADD, fd, &ev) != 0)
            conn_free(c);
    }
}

static int open_listener(struct listener *l)
{
    l->obj = OBJ_LISTENER;
    l->fd = socket(l->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->fd < 0)
        return -1;
    int one = 1;
    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (l->ss.ss_family == AF_INET6)
        setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(l->fd, (struct sockaddr *)&l->ss, l->sslen) != 0 || listen(l->fd, 128) != 0) {
        int e = errno;
        close(l->fd);
        errno = e;
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
    return epoll_ctl(g_ep, EPOLL_CTL_ADD, l->fd, &ev);
}

static const char *addr_str(const struct listener *l, char *buf, size_t cap)
{
    char a[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (l->ss.ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)&l->ss;
        inet_ntop(AF_INET, &s->sin_addr, a, sizeof a);
        port = ntohs(s->sin_port);
        snprintf(buf, cap, "%s:%u", a, port);
    } else {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&l->ss;
        inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof a);
        port = ntohs(s->sin6_port);
        snprintf(buf, cap, "[%s]:%u", a, port);
    }
    return buf;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Binds listeners [0, n) and serves until SIGTERM/SIGINT. ready_fd >= 0: write one byte when bound;
 * otherwise print "ready". */
static int serve(struct listener *ls, size_t n, int ready_fd)
{
    g_ep = epoll_create1(EPOLL_CLOEXEC);
    if (g_ep < 0) {
        perror("smbguard-lab: epoll_create1");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (ls[i].mode == MODE_CLOSED)
            continue;
        if (open_listener(&ls[i]) != 0) {
            char b[96];
            fprintf(stderr, "smbguard-lab: listen %s: %s\n", addr_str(&ls[i], b, sizeof b), strerror(errno));
            return 1;
        }
    }
    if (ready_fd >= 0) {
        if (write(ready_fd, "r", 1) != 1)
            return 1;
        close(ready_fd);
    } else {
        printf("ready\n");
        fflush(stdout);
    }
    double next_drip = now_s() + 1.0;
    struct epoll_event evs[256];
    while (!g_stop) {
        int timeout = (int)((next_drip - now_s()) * 1000.0);
        if (timeout < 0)
            timeout = 0;
        int k = epoll_wait(g_ep, evs, 256, timeout);
        if (k < 0 && errno != EINTR) {
            perror("smbguard-lab: epoll_wait");
            return 1;
        }
        for (int i = 0; i < k; i++) {
            int obj = *(int *)evs[i].data.ptr;
            if (obj == OBJ_LISTENER) {
                on_accept(evs[i].data.ptr);
                continue;
            }
            struct conn *c = evs[i].data.ptr;
            if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                on_readable(c); /* may free c */
                continue;
            }
            if ((evs[i].events & EPOLLOUT) && flush_out(c, 0) != 0)
                conn_free(c);
        }
        if (now_s() >= next_drip) {
            next_drip += 1.0;
            for (struct conn *c = g_conns, *nx; c; c = nx) {
                nx = c->next;
                if (c->l->mode == MODE_DRIP && flush_out(c, 1) != 0)
                    conn_free(c);
            }
        }
    }
    while (g_conns)
        conn_free(g_conns);
    for (size_t i = 0; i < n; i++)
        if (ls[i].mode != MODE_CLOSED)
            close(ls[i].fd);
    close(g_ep);
    return 0;
}

/* ---------- command line ---------- */

struct mix_ent {
    char name[48];
    const struct lab_profile *prof; /* NULL for closed/silent/garbage */
    enum mode mode;
    unsigned pct;
    uint64_t count;
};

static int parse_mode(const char *s, enum mode *m)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, mode_names[i]) == 0) {
            *m = (enum mode)i;
            return 0;
        }
    return -1;
}

/* "ADDR:PORT[/PROFILE[/MODE]]" with ADDR IPv4 or [IPv6]. */
static int parse_listen(const char *arg, struct listener *l, const struct lab_profile *defp, enum mode defm)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    char *from = buf;
    if (buf[0] == '[' && strchr(buf, ']'))
        from = strchr(buf, ']');
    char *slash = strchr(from, '/');
    char *prof = NULL, *mode = NULL;
    if (slash) {
        *slash = 0;
        prof = slash + 1;
        char *s2 = strchr(prof, '/');
        if (s2) {
            *s2 = 0;
            mode = s2 + 1;
        }
    }
    char *colon = strrchr(buf, ':');
    if (!colon)
        return -1;
    *colon = 0;
    long port = strtol(colon + 1, NULL, 10);
    if (port <= 0 || port > 65535)
        return -1;
    memset(l, 0, sizeof *l);
    if (buf[0] == '[') {
        size_t len = strlen(buf);
        if (len < 3 || buf[len - 1] != ']')
            return -1;
        buf[len - 1] = 0;
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)&l->ss;
        s->sin6_family = AF_INET6;
        s->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, buf + 1, &s->sin6_addr) != 1)
            return -1;
        l->sslen = sizeof *s;
    } else {
        struct sockaddr_in *s = (struct sockaddr_in *)&l->ss;
        s->sin_family = AF_INET;
        s->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, buf, &s->sin_addr) != 1)
            return -1;
        l->sslen = sizeof *s;
    }
    l->prof = prof && *prof ? lab_profile_find(prof) : defp;
    if (!l->prof) {
        fprintf(stderr, "smbguard-lab: unknown profile '%s'\n", prof);
        return -1;
    }
    l->mode = defm;
    if (mode && parse_mode(mode, &l->mode) != 0)
        return -1;
    l->nbss = port == 139;
    return 0;
}

static int parse_mix(const char *spec, struct mix_ent *mix, size_t *n)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", spec);
    unsigned total = 0;
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || *n == 32)
            return -1;
        *eq = 0;
        struct mix_ent *e = &mix[(*n)++];
        memset(e, 0, sizeof *e);
        snprintf(e->name, sizeof e->name, "%s", tok);
        e->pct = (unsigned)strtoul(eq + 1, NULL, 10);
        total += e->pct;
        if (strcmp(tok, "closed") == 0)
            e->mode = MODE_CLOSED;
        else if (strcmp(tok, "silent") == 0)
            e->mode = MODE_SILENT;
        else if (strcmp(tok, "garbage") == 0)
            e->mode = MODE_GARBAGE;
        else if (!(e->prof = lab_profile_find(tok))) {
            fprintf(stderr, "smbguard-lab: unknown profile '%s' in --mix\n", tok);
            return -1;
        }
    }
    if (total != 100) {
        fprintf(stderr, "smbguard-lab: --mix percentages sum to %u, not 100\n", total);
        return -1;
    }
    return 0;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Exact counts: floor(N * pct / 100), the remainder handed out one each in --mix order. The address
 * at index i gets the entry owning rank (i * K + 7) mod N, K the first integer >= 0.618 N coprime to
 * N: deterministic, interleaved, and the counts are exact. */
static void mix_counts(struct mix_ent *mix, size_t n, uint64_t N)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += mix[i].count = N * mix[i].pct / 100;
    for (size_t i = 0; sum < N; i = (i + 1) % n)
        if (mix[i].pct) {
            mix[i].count++;
            sum++;
        }
}

static size_t mix_owner(const struct mix_ent *mix, size_t n, uint64_t N, uint64_t K, uint64_t i)
{
    uint64_t r = (i * K + 7) % N, cum = 0;
    for (size_t j = 0; j < n; j++) {
        cum += mix[j].count;
        if (r < cum)
            return j;
    }
    return n - 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: smbguard-lab [--shared DIR] [--profile NAME] [--mode replay|silent|garbage|drip]\n"
            "                    [--listen ADDR:PORT[/PROFILE[/MODE]]]... [--verbose]\n"
            "       smbguard-lab --hosts A.B.C.D/LEN --port N --mix NAME=PCT,... [--print-mix|--print-map]\n"
            "       smbguard-lab --list-profiles\n"
            "Replays real Windows replies read from DIR/pcaps (default $SMBGUARD_SHARED or the source\n"
            "tree's ../shared). Port 139 listeners expect an NBSS session request first. Mix names: the\n"
            "profiles plus closed (unbound: connects are refused), silent, garbage. Prints \"ready\" when\n"
            "listening; stops on SIGTERM/SIGINT.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"shared", required_argument, 0, 's'}, {"profile", required_argument, 0, 'p'},
        {"mode", required_argument, 0, 'm'},   {"listen", required_argument, 0, 'l'},
        {"hosts", required_argument, 0, 'H'},  {"port", required_argument, 0, 'P'},
        {"mix", required_argument, 0, 'x'},    {"print-mix", no_argument, 0, 'c'},
        {"print-map", no_argument, 0, 'M'},    {"list-profiles", no_argument, 0, 'L'},
        {"verbose", no_argument, 0, 'v'},      {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *profname = "win7-unpatched", *hosts = NULL, *mixspec = NULL;
    const char *listens[256];
    size_t n_listens = 0;
    enum mode mode = MODE_REPLAY;
    long port = 445;
    int print_mix = 0, print_map = 0, list = 0;
    for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        switch (o) {
        case 's': setenv("SMBGUARD_SHARED", optarg, 1); break;
        case 'p': profname = optarg; break;
        case 'm':
            if (parse_mode(optarg, &mode) != 0) {
                fprintf(stderr, "smbguard-lab: unknown mode '%s'\n", optarg);
                return 2;
            }
            break;
        case 'l':
            if (n_listens == 256)
                return 2;
            listens[n_listens++] = optarg;
            break;
        case 'H': hosts = optarg; break;
        case 'P': port = strtol(optarg, NULL, 10); break;
        case 'x': mixspec = optarg; break;
        case 'c': print_mix = 1; break;
        case 'M': print_map = 1; break;
        case 'L': list = 1; break;
        case 'v': g_verbose = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (list) {
        for (size_t i = 0; i < lab_profile_count(); i++)
            printf("%-26s %s\n", lab_profile_at(i)->name, lab_profile_at(i)->summary);
        return 0;
    }

    struct mix_ent mix[32];
    size_t n_mix = 0;
    uint64_t N = 0, K = 0;
    uint32_t base = 0;
    if (hosts) {
        char hb[64];
        snprintf(hb, sizeof hb, "%s", hosts);
        char *sl = strchr(hb, '/');
        unsigned plen = sl ? (unsigned)strtoul(sl + 1, NULL, 10) : 32;
        if (sl)
            *sl = 0;
        struct in_addr a;
        if (inet_pton(AF_INET, hb, &a) != 1 || plen < 12 || plen > 32 || port <= 0 || port > 65535) {
            fprintf(stderr, "smbguard-lab: --hosts wants IPv4 A.B.C.D/LEN with LEN 12-32, --port 1-65535\n");
            return 2;
        }
        N = 1ull << (32 - plen);
        uint32_t mask = plen == 32 ? 0xFFFFFFFFu : ~((1u << (32 - plen)) - 1);
        base = ntohl(a.s_addr) & mask;
        if (parse_mix(mixspec ? mixspec : "win7-unpatched=100", mix, &n_mix) != 0)
            return 2;
        mix_counts(mix, n_mix, N);
        for (K = (N * 618) / 1000; K > 1 && gcd64(K, N) != 1; K++)
            ;
        if (K == 0)
            K = 1;
        if (print_mix) {
            for (size_t j = 0; j < n_mix; j++)
                printf("%s %llu\n", mix[j].name, (unsigned long long)mix[j].count);
            printf("total %llu\n", (unsigned long long)N);
            return 0;
        }
        if (print_map) {
            for (uint64_t i = 0; i < N; i++) {
                struct in_addr x = {.s_addr = htonl(base + (uint32_t)i)};
                printf("%s %s\n", inet_ntoa(x), mix[mix_owner(mix, n_mix, N, K, i)].name);
            }
            return 0;
        }
    } else if (print_mix || print_map) {
        fprintf(stderr, "smbguard-lab: --print-mix/--print-map need --hosts and --mix\n");
        return 2;
    }

    if (lab_profiles_load() != 0)
        return 1;
    const struct lab_profile *defp = lab_profile_find(profname);
    if (!defp) {
        fprintf(stderr, "smbguard-lab: unknown profile '%s' (--list-profiles)\n", profname);
        return 2;
    }
    size_t n_ls = n_listens + (size_t)N;
    if (n_ls == 0) {
        fprintf(stderr, "smbguard-lab: nothing to listen on (--listen or --hosts)\n");
        return 2;
    }
    struct listener *ls = calloc(n_ls, sizeof *ls);
    if (!ls)
        return 1;
    size_t k = 0;
    for (size_t i = 0; i < n_listens; i++, k++)
        if (parse_listen(listens[i], &ls[k], defp, mode) != 0) {
            fprintf(stderr, "smbguard-lab: bad --listen '%s'\n", listens[i]);
            return 2;
        }
    for (uint64_t i = 0; i < N; i++, k++) {
        const struct mix_ent *e = &mix[mix_owner(mix, n_mix, N, K, i)];
        struct sockaddr_in *s = (struct sockaddr_in *)&ls[k].ss;
        s->sin_family = AF_INET;
        s->sin_port = htons((uint16_t)port);
        s->sin_addr.s_addr = htonl(base + (uint32_t)i);
        ls[k].sslen = sizeof *s;
        ls[k].prof = e->prof ? e->prof : defp;
        ls[k].mode = e->prof ? mode : e->mode;
        ls[k].nbss = port == 139;
    }

    /* Descriptors: raise the soft limit to the hard one; split the listeners over worker processes
     * when one process cannot hold them all and still accept connections. */
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    size_t per = rl.rlim_cur > 8192 ? (size_t)rl.rlim_cur - 4096 : (size_t)rl.rlim_cur / 2;
    size_t bound = 0;
    for (size_t i = 0; i < n_ls; i++)
        bound += ls[i].mode != MODE_CLOSED;

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (bound <= per) {
        int rc = serve(ls, n_ls, -1);
        free(ls);
        return rc;
    }
    int pfd[2];
    if (pipe(pfd) != 0)
        return 1;
    pid_t pids[256];
    size_t n_workers = 0;
    for (size_t start = 0; start < n_ls && n_workers < 256;) {
        size_t end = start, cnt = 0;
        while (end < n_ls && cnt < per)
            cnt += ls[end++].mode != MODE_CLOSED;
        pid_t pid = fork();
        if (pid < 0) {
            perror("smbguard-lab: fork");
            g_stop = 1;
            break;
        }
        if (pid == 0) {
            close(pfd[0]);
            _exit(serve(ls + start, end - start, pfd[1]));
        }
        pids[n_workers++] = pid;
        start = end;
    }
    close(pfd[1]);
    size_t ready = 0;
    char ch;
    while (ready < n_workers && !g_stop) {
        ssize_t r = read(pfd[0], &ch, 1);
        if (r == 1)
            ready++;
        else if (r == 0 || errno != EINTR)
            break;
    }
    close(pfd[0]);
    int rc = 0;
    if (ready == n_workers && !g_stop) {
        printf("ready\n");
        fflush(stdout);
        while (!g_stop) {
            int st;
            pid_t w = waitpid(-1, &st, WNOHANG);
            if (w > 0) {
                fprintf(stderr, "smbguard-lab: worker %d exited\n", (int)w);
                rc = 1;
                break;
            }
            struct timespec ts = {0, 200 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    } else if (!g_stop) {
        fprintf(stderr, "smbguard-lab: a worker failed to start\n");
        rc = 1;
    }
    for (size_t i = 0; i < n_workers; i++)
        kill(pids[i], SIGTERM);
    for (size_t i = 0; i < n_workers; i++)
        waitpid(pids[i], NULL, 0);
    free(ls);
    return rc;
}
