/* http.c: HTTP/1.x request line, Host header and status line parser (see http.h). Pure; every
 * byte access goes through core/rd.h. */
#include "proto/http.h"

#include <string.h>

#include "core/rd.h"

#define HTTP_MAX_LINE 8192   /* give up on lines longer than this */

/* Finds the end of the line starting at r->off: returns its length without CR/LF and sets *next
 * to the offset after LF. Returns -1 when no LF is in the span, -2 when the line is too long. */
static long line_end(const struct rd *r, size_t *next)
{
    struct rd t = *r;
    size_t start = t.off;
    while (rd_has(&t, 1)) {
        uint8_t c = rd_u8(&t);
        if (c == '\n') {
            size_t len = t.off - 1 - start;
            if (len > 0 && r->p[start + len - 1] == '\r')
                len--;
            *next = t.off;
            return (long)len;
        }
        if (t.off - start > HTTP_MAX_LINE)
            return -2;
    }
    return t.off - start > HTTP_MAX_LINE ? -2 : -1;
}

static int is_tchar(uint8_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* "HTTP/1.x" at s[0..8): returns x (0..9) or -1. */
static int version(const uint8_t *s, size_t n)
{
    if (n != 8 || memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9')
        return -1;
    return s[7] - '0';
}

static void set_host(struct http_req *req, const uint8_t *v, size_t n)
{
    while (n && (v[0] == ' ' || v[0] == '\t')) { v++; n--; }
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t')) n--;
    size_t end = n;
    if (n && v[0] == '[') {            /* IPv6 literal: keep the brackets, drop the port */
        const uint8_t *rb = memchr(v, ']', n);
        end = rb ? (size_t)(rb - v) + 1 : n;
    } else {
        const uint8_t *colon = memchr(v, ':', n);
        if (colon)
            end = (size_t)(colon - v);
    }
    if (end && v[end - 1] == '.')
        end--;
    if (end >= sizeof req->host)
        end = sizeof req->host - 1;
    for (size_t i = 0; i < end; i++) {
        uint8_t c = v[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c - 'A' + 'a');
        req->host[i] = (char)c;
    }
    req->host[end] = '\0';
    req->has_host = 1;
}

int http_parse_request(const uint8_t *p, size_t n, struct http_req *req)
{
    memset(req, 0, sizeof *req);
    struct rd r = rd_init(p, n);
    size_t next;
    long ll = line_end(&r, &next);
    /* reject early when the first bytes cannot start a method */
    for (size_t i = 0; i < n && i < HTTP_MAX_METHOD && p[i] != ' '; i++)
        if (!is_tchar(p[i]))
            return -1;
    if (ll == -2)
        return -1;
    if (ll == -1)
        return (n > 0 && !is_tchar(p[0])) ? -1 : 1;
    const uint8_t *line = rd_bytes(&r, (size_t)ll);
    if (!line)
        return -1;
    size_t len = (size_t)ll;
    const uint8_t *sp1 = memchr(line, ' ', len);
    if (!sp1 || sp1 == line || (size_t)(sp1 - line) >= sizeof req->method)
        return -1;
    size_t mlen = (size_t)(sp1 - line);
    for (size_t i = 0; i < mlen; i++)
        if (!is_tchar(line[i]))
            return -1;
    const uint8_t *tgt = sp1 + 1;
    size_t rest = len - mlen - 1;
    const uint8_t *sp2 = NULL;
    for (size_t i = rest; i > 0; i--)
        if (tgt[i - 1] == ' ') { sp2 = tgt + i - 1; break; }
    if (!sp2 || sp2 == tgt)
        return -1;
    int v = version(sp2 + 1, rest - (size_t)(sp2 - tgt) - 1);
    if (v < 0)
        return -1;
    memcpy(req->method, line, mlen);
    req->method[mlen] = '\0';
    size_t tlen = (size_t)(sp2 - tgt);
    if (tlen >= sizeof req->target) {
        tlen = sizeof req->target - 1;
        req->target_truncated = 1;
    }
    memcpy(req->target, tgt, tlen);
    req->target[tlen] = '\0';
    req->version_minor = (unsigned)v;
    rd_seek(&r, next);
    /* header lines */
    for (;;) {
        ll = line_end(&r, &next);
        if (ll < 0)
            break;                      /* rest not captured yet: keep what we have */
        const uint8_t *h = rd_bytes(&r, (size_t)ll);
        if (!h)
            break;
        rd_seek(&r, next);
        if (ll == 0) {
            req->headers_complete = 1;
            break;
        }
        size_t hl = (size_t)ll;
        const uint8_t *colon = memchr(h, ':', hl);
        if (!colon)
            continue;
        size_t nl = (size_t)(colon - h);
        if (nl == 4 && !req->has_host) {
            char nm[4];
            for (size_t i = 0; i < 4; i++)
                nm[i] = (char)((h[i] >= 'A' && h[i] <= 'Z') ? h[i] - 'A' + 'a' : h[i]);
            if (memcmp(nm, "host", 4) == 0)
                set_host(req, colon + 1, hl - nl - 1);
        }
    }
    return 0;
}

int http_parse_response(const uint8_t *p, size_t n, struct http_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    static const char pre[] = "HTTP/1.";
    for (size_t i = 0; i < n && i < sizeof pre - 1; i++)
        if (p[i] != (uint8_t)pre[i])
            return -1;
    struct rd r = rd_init(p, n);
    size_t next;
    long ll = line_end(&r, &next);
    if (ll == -2)
        return -1;
    if (ll == -1)
        return 1;
    const uint8_t *line = rd_bytes(&r, (size_t)ll);
    size_t len = (size_t)ll;
    if (!line || len < 12)
        return -1;
    int v = version(line, 8);
    if (v < 0 || line[8] != ' ')
        return -1;
    unsigned st = 0;
    for (size_t i = 9; i < 12; i++) {
        if (line[i] < '0' || line[i] > '9')
            return -1;
        st = st * 10 + (unsigned)(line[i] - '0');
    }
    if (st < 100 || st > 599 || (len > 12 && line[12] != ' '))
        return -1;
    resp->version_minor = (unsigned)v;
    resp->status = st;
    return 0;
}
