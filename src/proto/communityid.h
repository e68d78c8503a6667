/* communityid.h: Community ID Flow Hashing, version 1 (the Corelight spec that Suricata and Zeek
 * implement): a direction-independent flow identifier "1:" + base64(SHA-1(...)). Pure. */
#ifndef SG_PROTO_COMMUNITYID_H
#define SG_PROTO_COMMUNITYID_H
#include <stdint.h>

/* "1:" + 28 base64 characters (20-byte SHA-1 digest, one '=' of padding) + NUL. */
#define COMMUNITYID_V1_SIZE 31

/* Computes the v1 Community ID of a flow into out (NUL-terminated, COMMUNITYID_V1_SIZE bytes).
 * ipver: 4 or 6; saddr/daddr: 4 (IPv4) or 16 (IPv6) bytes in network order. proto: the IP
 * protocol number. sport/dport: host-order ports for TCP (6), UDP (17) and SCTP (132); for ICMP (1)
 * and ICMPv6 (58) the message type and code, mapped as the spec says (request/reply types pair up so
 * both directions share the id; other types are one-way and keep their order); ignored for any
 * other protocol (hashed without ports). The endpoints are ordered so that the smaller address (then
 * the smaller port) comes first, so both directions of a flow give the same id. Hash input: seed
 * (2 bytes, big-endian), address 1, address 2, proto (1 byte), one zero byte, then port 1 and port 2
 * (big-endian) when the protocol has ports. Returns 0, or -1 (out = "") when ipver is neither 4
 * nor 6 or an argument is NULL. No I/O, no allocation. */
int communityid_v1(uint16_t seed, uint8_t ipver, uint8_t proto, const uint8_t *saddr, const uint8_t *daddr,
                   uint16_t sport, uint16_t dport, char out[COMMUNITYID_V1_SIZE]);

#endif
