/* conn.c: one TCP connection on the libuv loop with an absolute deadline from connect() to the
 * last byte, reassembling NetBIOS session messages (24-bit length) and handing each complete one
 * to the host. A peer that drips bytes still ends at the deadline. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "proto/nbss.h"
#include "scan/internal.h"

static void on_handle_closed(uv_handle_t *hd)
{
    struct conn *c = hd->data;
    if (--c->handles_open == 0)
        free(c);
}

void conn_close(struct conn *c)
{
    if (!c)
        return;
    c->host = NULL;
    if (!uv_is_closing((uv_handle_t *)&c->timer)) {
        uv_timer_stop(&c->timer);
        uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    }
    if (!uv_is_closing((uv_handle_t *)&c->tcp)) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        /* A connected socket is closed with a reset, as port scanners do: the exchange is over, and
         * this spares both ends the FIN handshake and TIME_WAIT (a /16 leaves no 130,000 sockets
         * in TIME_WAIT). The reset goes out only after every reply we wait for has arrived. */
        if (!c->connected || uv_tcp_close_reset(&c->tcp, on_handle_closed) != 0)
            uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    }
}

static void end(struct conn *c, enum conn_end why)
{
    struct host *h = c->host;
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_timer_stop(&c->timer);
    if (h)
        host_on_end(h, c, why);
}

static void on_timeout(uv_timer_t *t)
{
    struct conn *c = t->data;
    if (!c->connected) {
        struct host *h = c->host;
        if (h)
            host_on_connect(h, c, c->sync_err ? c->sync_err : UV_ETIMEDOUT);
        return;
    }
    end(c, CE_TIMEOUT);
}

static void on_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *buf)
{
    struct conn *c = hd->data;
    (void)suggested;
    buf->base = (char *)c->rbuf + c->rlen;
    buf->len = sizeof c->rbuf - c->rlen;
}

static void deliver(struct conn *c)
{
    for (;;) {
        uint8_t type;
        size_t total;
        int r = nbss_peek(c->rbuf, c->rlen, &type, &total);
        if (r == 0)
            return;
        if (r < 0) {
            end(c, CE_GARBAGE);
            return;
        }
        if (total > sizeof c->rbuf) {
            end(c, CE_TOO_BIG);
            return;
        }
        if (c->rlen < total)
            return;
        struct host *h = c->host;
        if (!h)
            return;
        host_on_message(h, c, type, c->rbuf + 4, total - 4);
        if (c->host != h)          /* the host closed or replaced this connection */
            return;
        memmove(c->rbuf, c->rbuf + total, c->rlen - total);
        c->rlen -= total;
    }
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct conn *c = s->data;
    (void)buf;
    if (!c->host)
        return;
    if (n > 0) {
        c->got_bytes = 1;
        c->rlen += (size_t)n;
        deliver(c);
        if (c->host && c->rlen == sizeof c->rbuf)
            end(c, CE_TOO_BIG);
        return;
    }
    if (n == UV_EOF)
        end(c, CE_EOF);
    else if (n == UV_ECONNRESET)
        end(c, CE_RESET);
    else if (n < 0)
        end(c, CE_ERROR);
}

static void on_connect(uv_connect_t *req, int status)
{
    struct conn *c = req->data;
    struct host *h = c->host;
    if (!h)
        return;
    if (status == 0) {
        c->connected = 1;
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    } else if (status == UV_ECANCELED) {
        return;
    }
    host_on_connect(h, c, status);
}

struct conn *conn_open(struct engine *e, struct host *h, const struct target_addr *addr, uint16_t port,
                       unsigned timeout_ms)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->eng = e;
    c->host = h;
    uv_loop_t *loop = uv_default_loop();
    uv_tcp_init(loop, &c->tcp);
    uv_timer_init(loop, &c->timer);
    c->handles_open = 2;
    c->tcp.data = c;
    c->timer.data = c;
    c->creq.data = c;
    uv_tcp_nodelay(&c->tcp, 1);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (addr->family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr = addr->a.v4;
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        s6->sin6_addr = addr->a.v6;
    }
    uv_timer_start(&c->timer, on_timeout, timeout_ms, 0);
    int rc = uv_tcp_connect(&c->creq, &c->tcp, (struct sockaddr *)&ss, on_connect);
    if (rc != 0) {
        /* Reported asynchronously so the host sees one code path. */
        log_debug("connect: %s", uv_strerror(rc));
        c->connected = 0;
        uv_timer_stop(&c->timer);
        uv_timer_start(&c->timer, on_timeout, 0, 0);
        c->sync_err = rc;
    }
    return c;
}

/* One write request with its bytes; freed by its callback (which libuv runs, cancelled if need
 * be, before the stream's close callback, so the connection is still alive there). */
struct wr {
    uv_write_t req;
    struct conn *c;
    uint8_t data[];
};

static void on_write(uv_write_t *req, int status)
{
    struct wr *w = req->data;
    struct conn *c = w->c;
    free(w);
    if (status < 0 && status != UV_ECANCELED && c->host)
        end(c, status == UV_ECONNRESET || status == UV_EPIPE ? CE_RESET : CE_ERROR);
}

int conn_send(struct conn *c, const uint8_t *buf, size_t len)
{
    if (len == 0 || len > CONN_WBUF)
        return -1;
    struct wr *w = malloc(sizeof *w + len);
    if (!w)
        return -1;
    w->c = c;
    w->req.data = w;
    memcpy(w->data, buf, len);
    uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)len);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0) {
        free(w);
        return -1;
    }
    return 0;
}
