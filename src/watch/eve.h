/* eve.h: EVE NDJSON writer of `smbguard watch` (decisions.md 10, schema in docs/eve.md): one `alert`
 * record per detection per flow at its first match, a `flow` record with per-detection counts when
 * such a flow ends, and `dns` answer records for kill-switch lookups. One JSON object per line. */
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
    /* Optional: when set, *file_ref is read at every record as the current file name instead of
     * pcap_filename (point it at struct wcap_src.file, which follows the -r files in order). */
    const char *const *file_ref;
    uint64_t records;
};

/* Formats ts_us as YYYY-MM-DDTHH:MM:SS.ffffff+0000 (UTC) into out[40]. */
void eve_timestamp(char out[40], int64_t ts_us);
/* Writes s as a JSON string (quotes included): '"', '\\' and control characters escaped, valid
 * UTF-8 sequences kept, any other byte (invalid UTF-8, DEL) written as \u00XX. NULL writes "". */
void eve_json_str(FILE *o, const char *s);
/* The v1 Community ID (seed 0) of f's 5-tuple (l4proto 0 counts as TCP) into out[31]; "" when the
 * address family is unknown. Direction-independent: every record of a flow carries the same. */
void eve_community_id(const struct wflow *f, char out[31]);

/* An alert of detection det on flow f, in direction dir (WDIR_*) of the message that decided it.
 * attrs: JSON object members without braces ("" or NULL for none), written into `smbguard`; the
 * caller guarantees they are valid JSON with escaped strings. */
void eve_alert(struct eve *e, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts_us,
               uint64_t pkt_index);
/* The flow record of f (which carried at least one detection) when it ends. */
void eve_flow(struct eve *e, const struct wflow *f, const uint32_t counts[SD_NDET]);
/* A Suricata-style `dns` record (event_type "dns", app_proto "dns", direction to_client: src is the
 * server side of the pseudo flow) for the DNS answer seen at ts_us / pkt_index. dns_json: the
 * complete JSON object written as the value of `dns`; sg_json: JSON members written into a
 * `smbguard` object (NULL or "": no such object). Both must be valid JSON with escaped strings.
 * Signature of struct ks_ctx.on_dns_answer: arg is the struct eve *. */
void eve_dns_answer(void *arg, const struct wflow *pseudo, const char *dns_json, const char *sg_json,
                    int64_t ts_us, uint64_t pkt_index);

#endif
