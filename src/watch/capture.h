/* capture.h: libpcap input for the watch pipeline: capture files (pcap and pcapng, several in
 * order as one capture, "-" for stdin) and live interfaces (BPF filter, promiscuous mode).
 * Frames are numbered from 1 across all files, as one continuous capture. */
#ifndef SG_WATCH_CAPTURE_H
#define SG_WATCH_CAPTURE_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "watch/pipeline.h"

struct wcap_stats {
    uint64_t frames;        /* delivered to the pipeline */
    uint64_t received;      /* live: pcap_stats ps_recv */
    uint64_t dropped;       /* live: ps_drop (buffer full) */
    uint64_t if_dropped;    /* live: ps_ifdrop */
};

/* Optional observer of every frame before the pipeline (e.g. for pcap_filename in records). */
struct wcap_src {
    const char *file;       /* current file name, NULL live */
    const char *iface;      /* interface, NULL for files */
    int linktype;
};

/* Reads the files in order into w (filter: optional BPF expression, NULL for none). Stops early
 * when *stop becomes non-zero (stop may be NULL). src, when non-NULL, is kept up to date.
 * Returns 0, or -1 with a message in err. Frames already delivered stay delivered. */
int wcap_read_files(struct wpipe *w, const char *const *files, size_t n, const char *filter,
                    volatile sig_atomic_t *stop, struct wcap_src *src, struct wcap_stats *st,
                    char *err, size_t errlen);

struct wcap;
/* Opens iface live (snaplen 262144, 100 ms timeout, promiscuous when promisc). NULL + err. */
struct wcap *wcap_open_live(const char *iface, const char *filter, int promisc, char *err, size_t errlen);
/* Feeds w until *stop is set or the interface fails; between batches it expires flows by
 * wall-clock time. Returns 0, or -1 with a message in err. */
int wcap_live_loop(struct wcap *c, struct wpipe *w, volatile sig_atomic_t *stop, char *err, size_t errlen);
/* Frames delivered and libpcap's drop counters. */
void wcap_live_stats(struct wcap *c, struct wcap_stats *st);
void wcap_close(struct wcap *c);
/* Makes a blocked wcap_live_loop return (pcap_breakloop: safe from a signal handler). */
void wcap_break(struct wcap *c);

#endif
