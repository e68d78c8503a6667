/* fuzz_http.c: the HTTP request/response line parsers (proto/http.c) and the kill-switch matcher
 * on the Host value. */
#include <stddef.h>
#include <stdint.h>

#include "proto/http.h"
#include "proto/killswitch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_req req;
    if (http_parse_request(data, size, &req) == 0 && req.has_host)
        (void)killswitch_match(req.host);
    struct http_resp resp;
    (void)http_parse_response(data, size, &resp);
    return 0;
}
