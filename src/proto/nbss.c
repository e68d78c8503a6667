/* nbss.c: NetBIOS session service framing (RFC 1002 4.3) and the node-status query/reply
 * (RFC 1002 4.2.17/4.2.18). Pure codec: no I/O, no allocation, every read bounds-checked. */
#include "proto/nbss.h"
#include "core/rd.h"
#include <string.h>

int nbss_peek(const uint8_t *p, size_t n, uint8_t *type, size_t *total)
{
    if (!p || n < 4)
        return 0;
    switch (p[0]) {
    case NBSS_MESSAGE: case NBSS_SESSION_REQUEST: case NBSS_POSITIVE:
    case NBSS_NEGATIVE: case NBSS_RETARGET: case NBSS_KEEPALIVE:
        break;
    default:
        return -1;
    }
    if (type)
        *type = p[0];
    if (total)
        *total = 4 + (((size_t)p[1] << 16) | ((size_t)p[2] << 8) | (size_t)p[3]);
    return 1;
}

void nbss_put_header(uint8_t *out, size_t len)
{
    if (len > NBSS_MAX_MSG)
        len = NBSS_MAX_MSG;
    out[0] = NBSS_MESSAGE;
    out[1] = (uint8_t)(len >> 16);
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
}

void nb_name_encode(uint8_t out[34], const char *name, uint8_t suffix)
{
    uint8_t raw[16];
    int star = name && name[0] == '*' && name[1] == '\0';
    memset(raw, star ? 0x00 : 0x20, 15);
    if (name) {
        for (size_t i = 0; i < 15 && name[i]; i++) {
            uint8_t c = (uint8_t)name[i];
            if (c >= 'a' && c <= 'z')
                c = (uint8_t)(c - 'a' + 'A');
            raw[i] = c;
        }
    }
    raw[15] = suffix;
    out[0] = 32;
    for (size_t i = 0; i < 16; i++) {
        out[1 + 2 * i] = (uint8_t)('A' + (raw[i] >> 4));
        out[2 + 2 * i] = (uint8_t)('A' + (raw[i] & 0x0F));
    }
    out[33] = 0; /* empty scope */
}

size_t nbss_build_session_request(uint8_t *out, size_t cap, const char *called, const char *calling)
{
    if (!out || cap < 72)
        return 0;
    out[0] = NBSS_SESSION_REQUEST;
    out[1] = 0;
    out[2] = 0;
    out[3] = 68;
    nb_name_encode(out + 4, called, 0x20);
    nb_name_encode(out + 38, calling, 0x00);
    return 72;
}

size_t nbns_build_node_status(uint8_t *out, size_t cap, uint16_t txid)
{
    if (!out || cap < 50)
        return 0;
    memset(out, 0, 12);
    out[0] = (uint8_t)(txid >> 8);
    out[1] = (uint8_t)txid;
    /* flags 0x0000: unicast query, no recursion (as Windows nbtstat -A sends it) */
    out[5] = 1; /* QDCOUNT */
    nb_name_encode(out + 12, "*", 0x00);
    out[46] = 0x00;
    out[47] = 0x21; /* NBSTAT */
    out[48] = 0x00;
    out[49] = 0x01; /* IN */
    return 50;
}

/* Skips a (possibly compressed) domain-style name. */
static void skip_name(struct rd *r)
{
    for (unsigned guard = 0; guard < 128 && !r->err; guard++) {
        uint8_t l = rd_u8(r);
        if (l == 0)
            return;
        if ((l & 0xC0) == 0xC0) {
            rd_skip(r, 1);
            return;
        }
        if (l & 0xC0) {
            r->err = 1;
            return;
        }
        rd_skip(r, l);
    }
    r->err = 1;
}

int nbns_parse_node_status(const uint8_t *p, size_t n, struct nbns_node_status *st)
{
    if (!p || !st)
        return -1;
    memset(st, 0, sizeof *st);
    struct rd r = rd_init(p, n);
    st->txid = rd_be16(&r);
    uint16_t flags = rd_be16(&r);
    uint16_t qd = rd_be16(&r), an = rd_be16(&r);
    rd_skip(&r, 4); /* NSCOUNT, ARCOUNT */
    if (r.err || !(flags & 0x8000) || ((flags >> 11) & 0xF) != 0 || (flags & 0xF) != 0 || an == 0)
        return -1;
    for (unsigned i = 0; i < qd && !r.err; i++) {
        skip_name(&r);
        rd_skip(&r, 4);
    }
    skip_name(&r);
    uint16_t type = rd_be16(&r);
    rd_be16(&r); /* class */
    rd_skip(&r, 4); /* TTL */
    uint16_t rdlen = rd_be16(&r);
    if (r.err || type != 0x21)
        return -1;
    size_t avail = rd_left(&r) < rdlen ? rd_left(&r) : rdlen;
    struct rd d = rd_init(rd_bytes(&r, avail), avail);
    uint8_t count = rd_u8(&d);
    if (d.err)
        return -1;
    for (unsigned i = 0; i < count; i++) {
        const uint8_t *e = rd_bytes(&d, 18);
        if (!e)
            return -1;
        if (st->n_names >= NBNS_MAX_NAMES)
            continue;
        struct nbns_name *nm = &st->names[st->n_names++];
        size_t len = 15;
        while (len > 0 && (e[len - 1] == ' ' || e[len - 1] == '\0'))
            len--;
        for (size_t k = 0; k < len; k++)
            nm->name[k] = (e[k] < 0x20 || e[k] >= 0x7F) ? '?' : (char)e[k];
        nm->name[len] = '\0';
        nm->suffix = e[15];
        nm->flags = (uint16_t)((e[16] << 8) | e[17]);
    }
    const uint8_t *mac = rd_bytes(&d, 6);
    if (mac) {
        memcpy(st->mac, mac, 6);
        st->has_mac = 1;
    }
    return 0;
}

const char *nbns_server_name(const struct nbns_node_status *st)
{
    if (!st)
        return NULL;
    for (unsigned i = 0; i < st->n_names && i < NBNS_MAX_NAMES; i++)
        if (st->names[i].suffix == 0x20 && !(st->names[i].flags & 0x8000) && st->names[i].name[0])
            return st->names[i].name;
    return NULL;
}
