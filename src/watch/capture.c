/* capture.c: libpcap file and live readers feeding struct wpipe (see capture.h). */
#include "watch/capture.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct feed {
    struct wpipe *w;
    int linktype;
    int nsec;
    uint64_t *frames;
};

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct feed *f = (struct feed *)user;
    int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + (f->nsec ? h->ts.tv_usec / 1000 : h->ts.tv_usec);
    (*f->frames)++;
    wpipe_packet(f->w, f->linktype, ts, bytes, h->caplen, *f->frames);
}

static int set_filter(pcap_t *p, const char *filter, char *err, size_t errlen)
{
    if (!filter || !*filter)
        return 0;
    struct bpf_program prog;
    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(p, &prog) < 0) {
        snprintf(err, errlen, "filter \"%s\": %s", filter, pcap_geterr(p));
        return -1;
    }
    pcap_freecode(&prog);
    return 0;
}

int wcap_read_files(struct wpipe *w, const char *const *files, size_t n, const char *filter,
                    volatile sig_atomic_t *stop, struct wcap_src *src, struct wcap_stats *st,
                    char *err, size_t errlen)
{
    struct wcap_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i < n && !(stop && *stop); i++) {
        char ebuf[PCAP_ERRBUF_SIZE] = "";
        pcap_t *p = pcap_open_offline_with_tstamp_precision(files[i], PCAP_TSTAMP_PRECISION_MICRO, ebuf);
        if (!p) {
            snprintf(err, errlen, "%s: %s", files[i], ebuf);
            return -1;
        }
        if (set_filter(p, filter, err, errlen) < 0) {
            pcap_close(p);
            return -1;
        }
        struct feed f = {w, pcap_datalink(p), 0, &st->frames};
        if (src) {
            src->file = files[i];
            src->iface = NULL;
            src->linktype = f.linktype;
        }
        int rc;
        while ((rc = pcap_dispatch(p, 1024, on_frame, (u_char *)&f)) > 0)
            if (stop && *stop)
                break;
        if (rc == PCAP_ERROR) {
            snprintf(err, errlen, "%s: %s", files[i], pcap_geterr(p));
            pcap_close(p);
            return -1;
        }
        pcap_close(p);
    }
    return 0;
}

struct wcap {
    pcap_t *p;
    uint64_t frames;
};

struct wcap *wcap_open_live(const char *iface, const char *filter, int promisc, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(iface, ebuf);
    if (!p) {
        snprintf(err, errlen, "%s: %s", iface, ebuf);
        return NULL;
    }
    pcap_set_snaplen(p, 262144);
    pcap_set_promisc(p, promisc ? 1 : 0);
    pcap_set_timeout(p, 100);
    pcap_set_buffer_size(p, 64 << 20);
    int rc = pcap_activate(p);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", iface, pcap_statustostr(rc));
        if (rc == PCAP_ERROR)
            snprintf(err, errlen, "%s: %s", iface, pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    if (set_filter(p, filter, err, errlen) < 0) {
        pcap_close(p);
        return NULL;
    }
    struct wcap *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        pcap_close(p);
        return NULL;
    }
    c->p = p;
    return c;
}

void wcap_break(struct wcap *c)
{
    if (c && c->p)
        pcap_breakloop(c->p);
}

int wcap_live_loop(struct wcap *c, struct wpipe *w, volatile sig_atomic_t *stop, char *err, size_t errlen)
{
    struct feed f = {w, pcap_datalink(c->p), 0, &c->frames};
    while (!(stop && *stop)) {
        int rc = pcap_dispatch(c->p, 1024, on_frame, (u_char *)&f);
        if (rc == PCAP_ERROR) {
            snprintf(err, errlen, "%s", pcap_geterr(c->p));
            return -1;
        }
        if (rc == PCAP_ERROR_BREAK)
            break;
        /* quiet link: let time pass so idle flows and fragments expire */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t t = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
        if (t > w->now_us) {
            w->now_us = t;
            flow_expire(&w->flows, t);
            ipfrag_expire(&w->frag, t);
        }
    }
    return 0;
}

void wcap_live_stats(struct wcap *c, struct wcap_stats *st)
{
    memset(st, 0, sizeof *st);
    st->frames = c->frames;
    struct pcap_stat ps;
    if (pcap_stats(c->p, &ps) == 0) {
        st->received = ps.ps_recv;
        st->dropped = ps.ps_drop;
        st->if_dropped = ps.ps_ifdrop;
    }
}

void wcap_close(struct wcap *c)
{
    if (!c)
        return;
    pcap_close(c->p);
    free(c);
}
