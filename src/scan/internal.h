/* internal.h: contracts between the scanner's engine (engine.c: scheduling, loop, UDP),
 * connections (conn.c: one TCP connection with an absolute deadline, NBSS framing) and the
 * per-host protocol steps (host.c). Not used outside src/scan. */
#ifndef SG_SCAN_INTERNAL_H
#define SG_SCAN_INTERNAL_H
#include <stdint.h>
#include <uv.h>
#include "core/targets.h"
#include "proto/ntlmssp.h"
#include "scan/ident.h"
#include "scan/obs.h"
#include "scan/scanner.h"
#include "scan/verdict.h"

#define CONN_RBUF 16384           /* largest reply accepted; more is a protocol error */
#define CONN_WBUF 2048

struct host;
struct engine;

enum conn_end { CE_NONE, CE_EOF, CE_RESET, CE_TIMEOUT, CE_GARBAGE, CE_TOO_BIG, CE_ERROR };

/* One TCP connection. Owned by the engine; freed after both libuv handles closed. The host sees
 * it only through the functions below; after conn_close the host must drop its pointer. */
struct conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_connect_t creq;
    struct host *host;            /* NULL once the host let go */
    struct engine *eng;
    int handles_open;
    int connected;
    int got_bytes;
    int sync_err;                 /* connect() failed at once; reported from the timer */
    size_t rlen;
    uint8_t rbuf[CONN_RBUF];
};

struct conn *conn_open(struct engine *e, struct host *h, const struct target_addr *addr, uint16_t port,
                       unsigned timeout_ms);
/* Copies len bytes and writes them. Returns 0 or -1 (too large / write error: host gets an end). */
int conn_send(struct conn *c, const uint8_t *buf, size_t len);
void conn_close(struct conn *c);

/* Events from conn.c into host.c. Each hands over control; the host calls conn_close itself. */
void host_on_connect(struct host *h, struct conn *c, int status);   /* 0 or a UV error */
/* One complete NetBIOS session message: type and body (without the 4-byte header). */
void host_on_message(struct host *h, struct conn *c, uint8_t type, const uint8_t *body, size_t len);
void host_on_end(struct host *h, struct conn *c, enum conn_end why);

/* Engine services for hosts. */
const struct scan_config *engine_config(const struct engine *e);
int engine_creds_allowed(struct engine *e);            /* 0 once the breaker tripped */
void engine_creds_trip(struct engine *e, const char *why);
void engine_nbns_query(struct engine *e, struct host *h);
void engine_host_done(struct engine *e, struct host *h);
int engine_rate_ok(struct engine *e);                 /* consumes one connection token */

/* Host lifecycle (host.c). */
struct host *host_new(struct engine *e, const struct target_addr *addr, uint16_t slot);
void host_start(struct host *h);
void host_interrupt(struct host *h);                  /* Ctrl-C: end now with what is known */
void host_on_nbns(struct host *h, const uint8_t *p, size_t n);
void host_free(struct host *h);
/* Accessors used by the engine when the host is done. */
const struct scan_obs *host_obs(const struct host *h);
const char *host_ip(const struct host *h);
uint16_t host_slot(const struct host *h);
const struct target_addr *host_addr(const struct host *h);
int64_t host_elapsed_ms(const struct host *h);
int host_waiting_rate(const struct host *h);
void host_resume(struct host *h);                     /* a rate token is available */

#endif
