/* smbdetect.h: SMB1 detections of `smbguard watch` (decisions.md 9): per-flow SMB1 state (outstanding
 * requests, transactions) fed with NBSS messages by the pipeline; alerts go out through callbacks. */
#ifndef SG_WATCH_SMBDETECT_H
#define SG_WATCH_SMBDETECT_H
#include <stddef.h>
#include <stdint.h>

#include "watch/flow.h"

enum sd_det {
    SD_MS17_PROBE, SD_MS17_VULN, SD_MS17_NOTVULN, SD_DP_PING, SD_DP_IMPLANT, SD_DP_UPLOAD,
    SD_DP_UNINSTALL, SD_EB_EXPLOIT, SD_EB_OVERFLOW, SD_EB_POOL, SD_WC_IPC, SD_SMB1_IN_USE,
    SD_WC_KS_DNS, SD_WC_KS_HTTP, SD_EB_GROOM, SD_OTHER_EXPLOIT, SD_WC_SHARE_ENC, SD_WORM_SCAN,
    SD_SMB1_CLIENT_ONLY, SD_SMB_EXPOSED, SD_NDET
};

struct sd_info {
    const char *name;      /* detection name (EVE `signature`) */
    uint32_t sid;          /* EVE signature_id, block 9100001.. (docs/detections.md) */
    int severity;          /* 1 highest */
    int exit3;             /* 1 when the alert makes `watch` exit 3 */
    const char *category;  /* classification.config name */
    const char *app_proto; /* EVE app_proto; NULL: "smb" */
};
extern const struct sd_info sd_table[SD_NDET];

/* An alert at its first match on a flow (attrs: JSON members without braces, may be ""). */
typedef void (*sd_alert_fn)(void *arg, const struct wflow *f, int dir, int det, const char *attrs,
                            int64_t ts_us, uint64_t pkt_index);
/* A flow that carried at least one detection ends: counts per detection. */
typedef void (*sd_flow_fn)(void *arg, const struct wflow *f, const uint32_t counts[SD_NDET]);

#define SD_MAX_SERVERS 4096
struct sd_server { uint8_t ipver; uint8_t addr[16]; uint16_t port; };

struct sd_ctx {
    sd_alert_fn on_alert;
    sd_flow_fn on_flow;
    void *arg;
    uint64_t alerts[SD_NDET];      /* alerts written, per detection */
    uint64_t matches[SD_NDET];     /* matches counted, per detection */
    uint64_t smb_parse_errors;     /* NBSS messages that were not parseable SMB1/SMB2 */
    /* smb1.in_use is one record per server (tests/watch/README.md) */
    struct sd_server *servers;
    size_t n_servers;
    /* eternalblue.groom episodes not yet written (one alert per episode, at its end) */
    struct sd_groom *grooms;
    size_t n_grooms;
    /* wannacry.share_encryption state across flows (sharedetect.c; created on first use) */
    struct se_ctx *se;
    /* smb1.client_only: one entry per client address that sent a negotiate, written at sd_finish */
    struct sd_client *clients;
    size_t n_clients, cap_clients;
    uint64_t clients_overflow;     /* negotiates of clients not tracked because the table was full */
};

/* eternalblue.groom: an episode ends when no groom flow of the same attacker and target starts
 * within SD_GROOM_GAP_US of the previous one; at most SD_MAX_GROOMS open episodes (the oldest is
 * written early when full). */
#define SD_GROOM_GAP_US (60 * INT64_C(1000000))
#define SD_MAX_GROOMS 256
#define SD_GROOM_MIN_ANNOUNCED 0x8000u

/* smb1.client_only: at most SD_MAX_CLIENTS clients; per client at most SD_CLIENT_SERVERS servers and
 * SD_CLIENT_DIALECTS distinct dialect names are kept as evidence. */
#define SD_MAX_CLIENTS 4096
#define SD_CLIENT_SERVERS 8
#define SD_CLIENT_DIALECTS 8

void sd_init(struct sd_ctx *c, sd_alert_fn on_alert, sd_flow_fn on_flow, void *arg);
void sd_free(struct sd_ctx *c);
/* The flow_cbs callbacks (arg = struct sd_ctx *). */
void sd_on_msg(void *arg, struct wflow *f, int dir, const uint8_t *msg, size_t len, int64_t ts_us,
               uint64_t pkt_index);
void sd_on_flow_end(void *arg, struct wflow *f);
/* Writes the episodes still open and the smb1.client_only records (call once, after the pipeline
 * ended every flow, before reading alerts). */
void sd_finish(struct sd_ctx *c);
/* An alert of a detection outside the SMB flow state (kill switch: one alert per call, counted). f
 * may be a pseudo flow built by the caller (only its identity fields are read). */
void sd_alert_flow(struct sd_ctx *c, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts,
                   uint64_t idx);
/* A match of detection det on the real flow f (counted in the flow's per-detection counts and in
 * matches); an alert is written too when alert != 0. For detections that decide their own alert
 * granularity (wannacry.share_encryption: per client and share). */
void sd_flow_hit(struct sd_ctx *c, struct wflow *f, int dir, int det, const char *attrs, int64_t ts, uint64_t idx,
                 int alert);

#endif
