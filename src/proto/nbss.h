/* nbss.h: NetBIOS session service framing (TCP 139/445) and the NetBIOS name service node-status
 * query (UDP 137). Pure codec: no I/O, no allocation. */
#ifndef SG_PROTO_NBSS_H
#define SG_PROTO_NBSS_H
#include <stddef.h>
#include <stdint.h>

enum {
    NBSS_MESSAGE = 0x00, NBSS_SESSION_REQUEST = 0x81, NBSS_POSITIVE = 0x82,
    NBSS_NEGATIVE = 0x83, NBSS_RETARGET = 0x84, NBSS_KEEPALIVE = 0x85,
};
#define NBSS_MAX_MSG 0x00FFFFFFu

/* Looks at the start of a byte stream. Returns 1 and sets *type and *total (header + body length)
 * when a 4-byte header is present (the body may still be incomplete), 0 when fewer than 4 bytes,
 * -1 when the header is not a NetBIOS session header (unknown type). Length is 24-bit on both ports. */
int nbss_peek(const uint8_t *p, size_t n, uint8_t *type, size_t *total);
/* Writes the 4-byte session-message header for a body of len bytes (len <= NBSS_MAX_MSG). */
void nbss_put_header(uint8_t *out, size_t len);
/* First-level encodes a NetBIOS name (padded with spaces, upper-cased; "*" padded with NULs) with
 * the given suffix into out[34] (length byte, 32 chars, empty scope). */
void nb_name_encode(uint8_t out[34], const char *name, uint8_t suffix);
/* Builds a SESSION REQUEST (called name with suffix 0x20, calling name with suffix 0x00).
 * Returns 72 or 0 when cap is too small. */
size_t nbss_build_session_request(uint8_t *out, size_t cap, const char *called, const char *calling);

/* --- UDP 137 node status --- */
#define NBNS_MAX_NAMES 32
struct nbns_name {
    char name[16];       /* NUL-terminated, trailing spaces removed */
    uint8_t suffix;
    uint16_t flags;      /* 0x8000 = group name */
};
struct nbns_node_status {
    uint16_t txid;
    unsigned n_names;
    struct nbns_name names[NBNS_MAX_NAMES];
    uint8_t mac[6];
    int has_mac;
};
/* Builds a node-status query (name "*" + 15 NULs, type NBSTAT 0x21, class IN). Returns 50 or 0. */
size_t nbns_build_node_status(uint8_t *out, size_t cap, uint16_t txid);
/* Parses a node-status reply. Returns 0 on success, -1 when malformed or not a node-status reply. */
int nbns_parse_node_status(const uint8_t *p, size_t n, struct nbns_node_status *st);
/* The unique name with suffix 0x20 (file server), else NULL. */
const char *nbns_server_name(const struct nbns_node_status *st);

#endif
