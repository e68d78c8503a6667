/* dns.h: DNS message header, first question and answer records (UDP payload, or TCP with its 2-byte
 * length prefix) for the watch kill-switch detection. Pure codec: no I/O, no allocation, bounds-checked. */
#ifndef SG_PROTO_DNS_H
#define SG_PROTO_DNS_H
#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_NAME 256      /* dotted text incl. NUL: 253 characters + slack */
#define DNS_MAX_PTRS 32       /* compression pointers followed per name before giving up */

#define DNS_FLAG_QR 0x8000u
#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_SERVFAIL 2

#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_PTR 12
#define DNS_TYPE_AAAA 28

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
 * Answer records are not parsed here (see dns_parse_answers). */
int dns_parse(const uint8_t *p, size_t n, struct dns_msg *m, char *qname, size_t cap);

/* The same for DNS over TCP: p starts with the 2-byte big-endian length. Returns 0 on success,
 * 1 when the message is not complete yet (need more bytes), -1 when malformed. */
int dns_parse_tcp(const uint8_t *p, size_t n, struct dns_msg *m, char *qname, size_t cap);

/* One resource record of the answer section. */
struct dns_rr {
    char name[DNS_MAX_NAME];   /* owner name, dotted lower-case text as dns_read_name writes it */
    uint16_t type, rclass;
    uint32_t ttl;
    uint16_t rdlen;
    const uint8_t *rdata;      /* rdlen bytes inside the message passed to dns_parse_answers */
    char target[DNS_MAX_NAME]; /* CNAME, NS, PTR: the (decompressed) name in rdata; "" otherwise or
                                  when it does not parse inside rdata */
};

/* Parses the answer section of the message p[0..n) (no TCP length prefix), whose header m was
 * filled by dns_parse on the same bytes: skips the m->qdcount questions, then reads answer records
 * into out[0..cap) until m->ancount records, cap records, or the first record that is truncated or
 * malformed (the records before it are kept). Returns the number of records stored, or -1 when the
 * header or a question cannot be read. cap 0 (out may then be NULL) just validates the questions. */
int dns_parse_answers(const uint8_t *p, size_t n, const struct dns_msg *m, struct dns_rr *out, size_t cap);

/* Mnemonic of an RCODE ("NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
 * "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"), or NULL for other values. */
const char *dns_rcode_name(unsigned rcode);
/* Mnemonic of an RR type (A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, SRV, SVCB, HTTPS, ANY, ...), or NULL. */
const char *dns_type_name(unsigned type);

#endif
