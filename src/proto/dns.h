/* dns.h: DNS message header and first question (UDP payload, or TCP with its 2-byte length prefix)
 * for the watch kill-switch detection. Pure codec: no I/O, no allocation, bounds-checked. */
#ifndef SG_PROTO_DNS_H
#define SG_PROTO_DNS_H
#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_NAME 256      /* dotted text incl. NUL: 253 characters + slack */
#define DNS_MAX_PTRS 32       /* compression pointers followed per name before giving up */

#define DNS_FLAG_QR 0x8000u
#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_NXDOMAIN 3

struct dns_msg {
    uint16_t id;
    uint16_t flags;
    int is_response;          /* QR bit */
    uint8_t opcode;           /* bits 11-14 */
    uint8_t rcode;            /* low 4 bits */
    uint16_t qdcount, ancount, nscount, arcount;
    int has_question;         /* qdcount >= 1 and the first question parsed */
    uint16_t qtype, qclass;
};

/* Reads a (possibly compressed) domain name at *off in the message msg[0..n) into out as dotted
 * lower-case text ("" for the root). Follows at most DNS_MAX_PTRS pointers, each of which must
 * point strictly backwards of the previous label position (no loops). Bytes other than printable
 * ASCII, and '.' or '\\' inside a label, are written as "\\DDD". On success advances *off past the
 * name in the original position and returns 0; returns -1 on truncation, a loop, a reserved label
 * type, or when the text does not fit in cap bytes (out is then an empty string). */
int dns_read_name(const uint8_t *msg, size_t n, size_t *off, char *out, size_t cap);

/* Parses a DNS message: header, then the first question name into qname (cap bytes), qtype and
 * qclass. Returns 0 on success (qdcount 0 is a success with has_question 0), -1 when the header is
 * short or a present question is malformed or truncated. qname is "" unless has_question.
 * Answer records are not parsed: ancount and rcode tell whether the name resolved. */
int dns_parse(const uint8_t *p, size_t n, struct dns_msg *m, char *qname, size_t cap);

/* The same for DNS over TCP: p starts with the 2-byte big-endian length. Returns 0 on success,
 * 1 when the message is not complete yet (need more bytes), -1 when malformed. */
int dns_parse_tcp(const uint8_t *p, size_t n, struct dns_msg *m, char *qname, size_t cap);

#endif
