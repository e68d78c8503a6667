/* dns.c: DNS header and first-question parser (see dns.h). Pure: no I/O, no allocation; every read
 * goes through core/rd.h. */
#include "proto/dns.h"

#include <string.h>

#include "core/rd.h"

static int put(char *out, size_t cap, size_t *w, char c)
{
    if (*w + 1 >= cap)
        return -1;
    out[(*w)++] = c;
    return 0;
}

int dns_read_name(const uint8_t *msg, size_t n, size_t *off, char *out, size_t cap)
{
    if (!out || cap == 0)
        return -1;
    out[0] = '\0';
    struct rd r = rd_init(msg, n);
    rd_seek(&r, *off);
    size_t w = 0, end = 0, limit = *off;
    int jumped = 0;
    unsigned ptrs = 0;
    for (;;) {
        uint8_t len = rd_u8(&r);
        if (r.err)
            goto bad;
        if (len == 0)
            break;
        if ((len & 0xC0) == 0xC0) {
            uint8_t lo = rd_u8(&r);
            if (r.err)
                goto bad;
            size_t target = ((size_t)(len & 0x3F) << 8) | lo;
            /* a pointer must go strictly backwards of every position visited so far */
            if (target >= limit || ++ptrs > DNS_MAX_PTRS)
                goto bad;
            if (!jumped)
                end = r.off;
            jumped = 1;
            limit = target;
            rd_seek(&r, target);
            continue;
        }
        if ((len & 0xC0) != 0)
            goto bad;                 /* 0x40 / 0x80 label types are reserved */
        const uint8_t *lab = rd_bytes(&r, len);
        if (!lab)
            goto bad;
        if (w > 0 && put(out, cap, &w, '.') < 0)
            goto bad;
        for (size_t i = 0; i < len; i++) {
            uint8_t c = lab[i];
            if (c >= 'A' && c <= 'Z')
                c = (uint8_t)(c - 'A' + 'a');
            if (c > 0x20 && c < 0x7F && c != '.' && c != '\\') {
                if (put(out, cap, &w, (char)c) < 0)
                    goto bad;
            } else {
                if (put(out, cap, &w, '\\') < 0 || put(out, cap, &w, (char)('0' + c / 100)) < 0 ||
                    put(out, cap, &w, (char)('0' + (c / 10) % 10)) < 0 ||
                    put(out, cap, &w, (char)('0' + c % 10)) < 0)
                    goto bad;
            }
        }
    }
    out[w] = '\0';
    *off = jumped ? end : r.off;
    return 0;
bad:
    out[0] = '\0';
    return -1;
}

int dns_parse(const uint8_t *p, size_t n, struct dns_msg *m, char *qname, size_t cap)
{
    memset(m, 0, sizeof *m);
    if (qname && cap)
        qname[0] = '\0';
    struct rd r = rd_init(p, n);
    m->id = rd_be16(&r);
    m->flags = rd_be16(&r);
    m->qdcount = rd_be16(&r);
    m->ancount = rd_be16(&r);
    m->nscount = rd_be16(&r);
    m->arcount = rd_be16(&r);
    if (r.err)
        return -1;
    m->is_response = (m->flags & DNS_FLAG_QR) != 0;
    m->opcode = (uint8_t)((m->flags >> 11) & 0x0F);
    m->rcode = (uint8_t)(m->flags & 0x0F);
    if (m->qdcount == 0)
        return 0;
    size_t off = r.off;
    char tmp[DNS_MAX_NAME];
    char *dst = (qname && cap) ? qname : tmp;
    size_t dcap = (qname && cap) ? cap : sizeof tmp;
    if (dns_read_name(p, n, &off, dst, dcap) < 0)
        return -1;
    rd_seek(&r, off);
    m->qtype = rd_be16(&r);
    m->qclass = rd_be16(&r);
    if (r.err) {
        dst[0] = '\0';
        m->qtype = m->qclass = 0;
        return -1;
    }
    m->has_question = 1;
    return 0;
}

int dns_parse_tcp(const uint8_t *p, size_t n, struct dns_msg *m, char *qname, size_t cap)
{
    struct rd r = rd_init(p, n);
    uint16_t len = rd_be16(&r);
    if (r.err || rd_left(&r) < len) {
        memset(m, 0, sizeof *m);
        if (qname && cap)
            qname[0] = '\0';
        return 1;
    }
    return dns_parse(p + 2, len, m, qname, cap);
}

int dns_parse_answers(const uint8_t *p, size_t n, const struct dns_msg *m, struct dns_rr *out, size_t cap)
{
    if (!p || n < 12 || !m)
        return -1;
    size_t off = 12;
    char tmp[DNS_MAX_NAME];
    for (unsigned q = 0; q < m->qdcount; q++) {
        if (dns_read_name(p, n, &off, tmp, sizeof tmp) < 0 || n - off < 4)
            return -1;
        off += 4;  /* qtype, qclass */
    }
    if (!out)
        cap = 0;
    size_t got = 0;
    for (unsigned a = 0; a < m->ancount && got < cap; a++) {
        struct dns_rr *rr = &out[got];
        memset(rr, 0, sizeof *rr);
        if (dns_read_name(p, n, &off, rr->name, sizeof rr->name) < 0)
            break;
        struct rd r = rd_init(p, n);
        rd_seek(&r, off);
        rr->type = rd_be16(&r);
        rr->rclass = rd_be16(&r);
        rr->ttl = rd_be32(&r);
        rr->rdlen = rd_be16(&r);
        rr->rdata = rd_bytes(&r, rr->rdlen);
        if (r.err) {
            memset(rr, 0, sizeof *rr);
            break;
        }
        if (rr->type == DNS_TYPE_CNAME || rr->type == DNS_TYPE_NS || rr->type == DNS_TYPE_PTR) {
            /* the target may be compressed (pointing anywhere before it), but its own bytes must lie
             * inside rdata */
            size_t toff = r.off - rr->rdlen, rend = r.off;
            if (dns_read_name(p, n, &toff, rr->target, sizeof rr->target) < 0 || toff > rend)
                rr->target[0] = '\0';
        }
        off = r.off;
        got++;
    }
    return (int)got;
}

const char *dns_rcode_name(unsigned rcode)
{
    static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                        "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
    return rcode < sizeof names / sizeof names[0] ? names[rcode] : NULL;
}

const char *dns_type_name(unsigned type)
{
    static const struct { unsigned short t; const char *n; } names[] = {
        {1, "A"}, {2, "NS"}, {5, "CNAME"}, {6, "SOA"}, {12, "PTR"}, {15, "MX"}, {16, "TXT"}, {28, "AAAA"},
        {33, "SRV"}, {35, "NAPTR"}, {39, "DNAME"}, {41, "OPT"}, {43, "DS"}, {46, "RRSIG"}, {47, "NSEC"},
        {48, "DNSKEY"}, {64, "SVCB"}, {65, "HTTPS"}, {255, "ANY"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].t == type)
            return names[i].n;
    return NULL;
}
