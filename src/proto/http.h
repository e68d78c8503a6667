/* http.h: HTTP/1.x request line + Host header and response status line from the first bytes of a
 * TCP payload (kill-switch HTTP detection). Pure codec: no I/O, no allocation, bounds-checked. */
#ifndef SG_PROTO_HTTP_H
#define SG_PROTO_HTTP_H
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_METHOD 16
#define HTTP_MAX_TARGET 256
#define HTTP_MAX_HOST 256

struct http_req {
    char method[HTTP_MAX_METHOD];   /* as sent (tokens are case-sensitive) */
    char target[HTTP_MAX_TARGET];   /* request target, truncated to fit (target_truncated set) */
    int target_truncated;
    unsigned version_minor;         /* HTTP/1.<minor> */
    int has_host;
    char host[HTTP_MAX_HOST];       /* Host header value: lower-cased, port and trailing dot removed */
    int headers_complete;           /* the blank line ending the header block was seen */
};

struct http_resp {
    unsigned version_minor;
    unsigned status;                /* 100..599 */
};

/* Parses a request from the start of a client-to-server TCP payload. Returns 0 when a complete
 * request line was parsed (the Host header is filled when it appears in the given bytes),
 * 1 when more bytes are needed (no CRLF yet), -1 when the bytes are not an HTTP/1.x request. */
int http_parse_request(const uint8_t *p, size_t n, struct http_req *req);
/* Parses a status line "HTTP/1.x NNN ...". Returns 0, 1 (need more) or -1 (not HTTP). */
int http_parse_response(const uint8_t *p, size_t n, struct http_resp *resp);

#endif
