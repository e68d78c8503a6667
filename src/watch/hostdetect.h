/* hostdetect.h: the host-level detections of `smbguard watch` (decisions.md 9): smb.worm_scan (one
 * source attempting many 139/445 destinations, or several targets with exploit indicators) and
 * smb.exposed (SMB crossing the --home-net boundary). Fed with single TCP segments (the pipeline's
 * on_tcp) and with the alerts of the other detections; alerts go out through sd_alert_flow. */
#ifndef SG_WATCH_HOSTDETECT_H
#define SG_WATCH_HOSTDETECT_H
#include <stddef.h>
#include <stdint.h>

#include "watch/decode.h"
#include "watch/flow.h"
#include "watch/smbdetect.h"

#define HD_MAX_NETS 64               /* CIDRs per list (home net, worm allow-list) */
#define HD_MAX_THRESHOLD 256         /* largest --worm-internal / --worm-external */
#define HD_MAX_IND_THRESHOLD 16      /* largest indicator-target threshold */
#define HD_MAX_WINDOW_S 86400        /* largest --worm-window */
#define HD_TABLE_BYTES (8u << 20)    /* the per-source table's size, whatever the thresholds */
#define HD_MAX_SOURCES 65536         /* and at most this many sources */
#define HD_MIN_SOURCES 64
#define HD_TARGETS_LISTED 32         /* the `targets` array of a worm_scan alert is capped here */
#define HD_EXPOSED_RECENT 4096       /* smb.exposed: flows alerted, remembered to drop duplicates */
#define HD_SYN_CACHE 4096            /* inbound SYN times, to name the flow table's flow_id */
#define HD_SKETCH (1u << 20)         /* admission counters (bytes), see hd_ctx.sketch */

struct hd_net { uint8_t ipver; uint8_t prefix; uint8_t a[16]; };

struct hd_nets {
    struct hd_net n[HD_MAX_NETS];
    size_t count;
};

struct hd_cfg {
    unsigned internal;               /* distinct internal destinations within the window (20) */
    unsigned external;               /* distinct external destinations within the window (5) */
    unsigned indicators;             /* distinct targets with MS17-010/DP/WannaCry alerts (2) */
    int64_t window_us;               /* 60 s */
    size_t max_sources;              /* 0: as many as fit in HD_TABLE_BYTES (capped by HD_MAX_SOURCES) */
    struct hd_nets home;             /* count 0: hd_init fills the default home net */
    struct hd_nets allow;            /* sources never reported by smb.worm_scan */
    uint16_t ports[FLOW_MAX_PORTS];  /* server ports (the flow table's: 139, 445) */
    unsigned n_ports;
};

struct hd_src;                       /* one source of the worm-scan table (hostdetect.c) */

struct hd_stats {
    uint64_t sources;                /* sources ever entered in the table */
    uint64_t evictions;              /* sources dropped from the full table */
    uint64_t rejected;               /* attempts of sources not admitted to the full table */
    uint64_t attempts;               /* client->server attempts counted (SYN, SYN-ACK, first mid-stream) */
    uint64_t indicator_alerts;       /* alerts taken as indicators */
};

struct hd_ctx {
    struct sd_ctx *sd;
    struct hd_cfg cfg;
    /* worm-scan table: fixed capacity, allocated once by hd_init */
    size_t cap, n, nslots;           /* sources held, destination slots per source */
    size_t src_size;                 /* bytes per source (header + slots) */
    unsigned char *srcs;             /* cap entries of src_size bytes */
    int32_t *buckets;                /* nbuckets heads of index chains, -1 empty */
    uint32_t nbuckets;               /* power of two */
    int32_t lru_head, lru_tail;      /* least recently used at the head */
    /* Admission to the full table (a count-min sketch of attempts per source, halved every window
     * or every HD_SKETCH attempts): a new source takes the place of the least valuable of the least
     * recently used ones only when its attempt count reaches that one's evidence, so a flood of
     * single-SYN spoofed sources cannot push out a source that has attempted several destinations. */
    uint8_t *sketch;
    uint8_t *sk_stamp;               /* per counter: the epoch its value is up to date with */
    uint8_t sk_epoch;                /* halvings so far (mod 256): counters are halved lazily */
    uint64_t sk_incs;
    int64_t sk_aged;
    /* smb.exposed */
    struct { uint64_t key; int64_t ts; } exposed[HD_EXPOSED_RECENT];
    struct { uint64_t key; int64_t ts; } syn[HD_SYN_CACHE];
    struct hd_stats st;
};

/* Defaults: 20 internal, 5 external, 2 indicator targets, 60 s, ports 139 and 445, empty lists. */
void hd_cfg_default(struct hd_cfg *cfg);
/* Adds CIDRs ("10.0.0.0/8", "fe80::/10", a bare address = one host; several separated by commas)
 * to a list. Returns 0, or -1 when one is malformed or the list is full (the list is then left as it
 * was before the call). */
int hd_nets_add(struct hd_nets *l, const char *text);
/* The default home net: RFC 1918, RFC 6598 (100.64/10), fc00::/7, 169.254/16, fe80::/10. */
void hd_nets_default_home(struct hd_nets *l);
/* 1 when addr (IPv4 in the first 4 bytes) is in one of the list's networks. */
int hd_nets_match(const struct hd_nets *l, uint8_t ipver, const uint8_t addr[16]);
/* 1 when addr is inside the home net: in cfg.home, or loopback (127/8, ::1), which is never outside
 * (tests/watch/README.md). */
int hd_is_home(const struct hd_ctx *h, uint8_t ipver, const uint8_t addr[16]);

/* Copies cfg (thresholds clamped to their ranges; the default home net when cfg->home is empty) and
 * allocates the fixed-size source table. Returns 0, or -1 when out of memory. */
int hd_init(struct hd_ctx *h, struct sd_ctx *sd, const struct hd_cfg *cfg);
void hd_free(struct hd_ctx *h);
/* The pipeline's on_tcp callback (arg = struct hd_ctx *): every TCP segment; only 139/445 count. */
void hd_on_tcp(void *arg, const struct wd_pkt *p, int64_t ts_us, uint64_t index);
/* 1 when alerts of detection det are MS17-010 / DoublePulsar / WannaCry indicators for the
 * worm-scan rule: probe, vulnerable_response, doublepulsar.*, eternalblue.*, other_exploit,
 * wannacry.ipc_paths, wannacry.share_encryption (not smb1.*, not kill-switch, not host detections). */
int hd_is_indicator(int det);
/* An alert of another detection on flow f (client = f->cli, target = f->srv); ignored unless
 * hd_is_indicator(det). */
void hd_on_alert(struct hd_ctx *h, const struct wflow *f, int det, int64_t ts_us, uint64_t index);

#endif
