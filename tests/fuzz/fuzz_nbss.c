/* fuzz_nbss.c: NBSS framing and the UDP 137 node-status reply parser. */
#include <stddef.h>
#include <stdint.h>

#include "proto/nbss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t type;
    size_t total;
    (void)nbss_peek(data, size, &type, &total);
    struct nbns_node_status st;
    if (nbns_parse_node_status(data, size, &st) == 0) {
        const char *name = nbns_server_name(&st);
        if (name) {
            uint8_t req[72];
            (void)nbss_build_session_request(req, sizeof req, name, "SMBGUARD");
        }
    }
    return 0;
}
