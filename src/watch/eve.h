/* eve.h: EVE NDJSON writer of `smbguard watch` (decisions.md 10): one `alert` record per detection per
 * flow at its first match, and a `flow` record with per-detection counts when such a flow ends. */
#ifndef SG_WATCH_EVE_H
#define SG_WATCH_EVE_H
#include <stdint.h>
#include <stdio.h>

#include "watch/flow.h"
#include "watch/smbdetect.h"

struct eve {
    FILE *f;                   /* NULL: nothing written */
    const char *pcap_filename; /* current file (files), or NULL */
    const char *iface;         /* live interface, or NULL */
    uint64_t records;
};

/* Formats ts_us as YYYY-MM-DDTHH:MM:SS.ffffff+0000 into out[40]. */
void eve_timestamp(char out[40], int64_t ts_us);
void eve_alert(struct eve *e, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts_us,
               uint64_t pkt_index);
void eve_flow(struct eve *e, const struct wflow *f, const uint32_t counts[SD_NDET]);

#endif
