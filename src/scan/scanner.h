/* scanner.h: the active scanner. One process, non-blocking sockets on a libuv loop, bounded
 * concurrency, absolute per-connection deadlines, a connection rate limit. Each finished host is
 * handed to `emit` as one record (kind "scan", fields of decisions.md section 7). */
#ifndef SG_SCAN_SCANNER_H
#define SG_SCAN_SCANNER_H
#include <stdint.h>
#include "core/targets.h"
#include "model/record.h"
#include "proto/ntlmssp.h"
#include "scan/verdict.h"

struct scan_config {
    unsigned timeout_ms;        /* absolute deadline per connection (default 5000) */
    unsigned max_parallel;      /* hosts in flight (default 1024, lowered to fit RLIMIT_NOFILE) */
    double rate;                /* new connections per second; 0 = unlimited */
    unsigned retries;           /* extra attempts after a reset before any byte (default 1) */
    int no_doublepulsar;
    int no_nbns;                /* skip the UDP 137 node-status query */
    int all_dialects;           /* every SMB2/3 dialect, one connection each (beyond the 3-connection budget) */
    uint16_t port_smb;          /* 445 */
    uint16_t port_nbss;         /* 139; 0 = never fall back */
    const struct ntlm_creds *creds;  /* NULL: anonymous and guest only */
    int creds_any_host;         /* tests only (SMBGUARD_TEST_CREDS_ANY_HOST=1): also non-Windows */
    int progress;               /* live progress line on stderr */
    uint64_t total_hint;        /* for the progress ETA (targets_count) */
};

struct scan_stats {
    uint64_t hosts;
    uint64_t by_verdict[V_COUNT];
    uint64_t infected;
    uint64_t undecided;
    uint64_t resolve_failures;
    int interrupted;
    int creds_disabled;         /* the credential circuit breaker tripped */
    char creds_disabled_why[128];
    double seconds;
};

typedef int (*scan_emit_fn)(const struct record *r, void *arg);

void scan_config_defaults(struct scan_config *c);
/* Runs the whole scan. Returns 0 when it ran to the end or was interrupted (stats->interrupted),
 * -1 on a setup error (message logged). */
int scan_run(struct target_set *ts, const struct scan_config *cfg, scan_emit_fn emit, void *arg,
             struct scan_stats *stats);

/* The scan record of one host (exposed for tests and for other producers' reuse of the layout). */
struct scan_host_view {
    const char *ip;
    const struct scan_obs *obs;
    const struct ident *id;
    const struct verdict_out *vd;
    int64_t elapsed_ms;
    uint16_t port_smb, port_nbss;
};
void scan_fill_record(struct record *r, const struct scan_host_view *h);
/* The `evidence` line: the exchanges that decided, with their statuses. */
void scan_evidence(const struct scan_obs *o, char *out, size_t cap);

#endif
