/* decode.c: link, IPv4/IPv6 (extension headers, fragments) and TCP/UDP header decoding. */
#include "watch/decode.h"

#include <string.h>

#include "core/rd.h"

enum { ET_IPV4 = 0x0800, ET_IPV6 = 0x86DD, ET_VLAN = 0x8100, ET_QINQ = 0x88A8, ET_QINQ_OLD = 0x9100 };

static int by_ethertype(uint16_t et, const uint8_t *p, size_t n, struct wd_pkt *out)
{
    if (et == ET_IPV4 || et == ET_IPV6)
        return wd_decode_ip(p, n, out);
    return WD_OTHER;
}

static int decode_ether(const uint8_t *p, size_t n, struct wd_pkt *out)
{
    struct rd r = rd_init(p, n);
    rd_skip(&r, 12);
    uint16_t et = rd_be16(&r);
    for (int i = 0; i < 4 && (et == ET_VLAN || et == ET_QINQ || et == ET_QINQ_OLD); i++) {
        uint16_t tci = rd_be16(&r);
        if (out->n_vlan < 2)
            out->vlan[out->n_vlan++] = (uint16_t)(tci & 0x0FFF);
        et = rd_be16(&r);
    }
    if (r.err)
        return WD_ERR;
    return by_ethertype(et, p + r.off, n - r.off, out);
}

int wd_decode(int linktype, const uint8_t *p, size_t n, struct wd_pkt *out)
{
    memset(out, 0, sizeof *out);
    struct rd r = rd_init(p, n);
    switch (linktype) {
    case WD_LINK_EN10MB:
        return decode_ether(p, n, out);
    case WD_LINK_SLL: {
        rd_skip(&r, 14);
        uint16_t et = rd_be16(&r);
        return r.err ? WD_ERR : by_ethertype(et, p + 16, n - 16, out);
    }
    case WD_LINK_SLL2: {
        uint16_t et = rd_be16(&r);
        rd_skip(&r, 18);
        return r.err ? WD_ERR : by_ethertype(et, p + 20, n - 20, out);
    }
    case WD_LINK_RAW: case WD_LINK_RAW_OBSD: case WD_LINK_RAW101: case WD_LINK_IPV4: case WD_LINK_IPV6:
        return wd_decode_ip(p, n, out);
    case WD_LINK_NULL: case WD_LINK_LOOP: {
        /* The 4-byte family is in the capturing host's byte order (NULL) or network order (LOOP):
         * accept either. AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24, 28 or 30 (BSDs). */
        if (n < 4)
            return WD_ERR;
        uint32_t le = ld_le32(p), be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        uint32_t fam = le < 256 ? le : be;
        if (fam == 2 || fam == 10 || fam == 24 || fam == 28 || fam == 30)
            return wd_decode_ip(p + 4, n - 4, out);
        return WD_OTHER;
    }
    default:
        return WD_OTHER;
    }
}

static int decode_ipv4(const uint8_t *p, size_t n, struct wd_pkt *out)
{
    struct rd r = rd_init(p, n);
    uint8_t vihl = rd_u8(&r);
    rd_skip(&r, 1);
    uint16_t total = rd_be16(&r);
    uint16_t id = rd_be16(&r);
    uint16_t fo = rd_be16(&r);
    rd_skip(&r, 1);
    uint8_t proto = rd_u8(&r);
    rd_skip(&r, 2);
    const uint8_t *s = rd_bytes(&r, 4), *d = rd_bytes(&r, 4);
    size_t ihl = (size_t)(vihl & 0x0F) * 4;
    if (r.err || ihl < 20 || total < ihl || n < ihl)
        return WD_ERR;
    out->ipver = 4;
    out->proto = proto;
    memcpy(out->src, s, 4);
    memcpy(out->dst, d, 4);
    size_t avail = (total < n ? total : n) - ihl; /* clip Ethernet padding */
    const uint8_t *body = p + ihl;
    uint16_t off8 = fo & 0x1FFF;
    int mf = (fo & 0x2000) != 0;
    if (mf || off8) {
        out->frag_id = id;
        out->frag_off = (uint32_t)off8 * 8;
        out->frag_more = mf;
        out->frag_proto = proto;
        out->frag_data = body;
        out->frag_len = avail;
        if (total > n)
            return WD_ERR; /* a snapped fragment cannot be reassembled */
        return WD_FRAG;
    }
    int rc = wd_decode_transport(out, proto, body, avail);
    if (rc > 0 && total > n)
        out->wire_payload_len += (size_t)total - n;
    return rc;
}

static int decode_ipv6(const uint8_t *p, size_t n, struct wd_pkt *out)
{
    struct rd r = rd_init(p, n);
    rd_skip(&r, 4);
    uint16_t plen = rd_be16(&r);
    uint8_t nh = rd_u8(&r);
    rd_skip(&r, 1);
    const uint8_t *s = rd_bytes(&r, 16), *d = rd_bytes(&r, 16);
    if (r.err)
        return WD_ERR;
    out->ipver = 6;
    memcpy(out->src, s, 16);
    memcpy(out->dst, d, 16);
    size_t avail = n - 40;
    size_t wire = plen ? plen : avail; /* 0: jumbogram, take what is there */
    if (wire < avail)
        avail = wire;
    int rc = wd_decode_transport(out, nh, p + 40, avail);
    if (rc > 0 && rc != WD_FRAG && wire > avail)
        out->wire_payload_len += wire - avail;
    return rc;
}

int wd_decode_ip(const uint8_t *p, size_t n, struct wd_pkt *out)
{
    if (n < 1)
        return WD_ERR;
    switch (p[0] >> 4) {
    case 4: return decode_ipv4(p, n, out);
    case 6: return decode_ipv6(p, n, out);
    default: return WD_ERR;
    }
}

int wd_decode_transport(struct wd_pkt *out, uint8_t proto, const uint8_t *p, size_t n)
{
    struct rd r = rd_init(p, n);
    if (out->ipver == 6) {
        /* hop-by-hop 0, routing 43, destination options 60, AH 51; fragment 44 */
        for (int i = 0; i < 16; i++) {
            if (proto == 0 || proto == 43 || proto == 60) {
                uint8_t nh = rd_u8(&r);
                uint8_t len = rd_u8(&r);
                rd_skip(&r, (size_t)len * 8 + 6);
                proto = nh;
            } else if (proto == 51) {
                uint8_t nh = rd_u8(&r);
                uint8_t len = rd_u8(&r);
                rd_skip(&r, (size_t)len * 4 + 6);
                proto = nh;
            } else if (proto == 44) {
                uint8_t nh = rd_u8(&r);
                rd_skip(&r, 1);
                uint16_t fo = rd_be16(&r);
                uint32_t id = rd_be32(&r);
                if (r.err)
                    return WD_ERR;
                if ((fo & 0xFFF8) || (fo & 1)) {
                    out->proto = nh;
                    out->frag_id = id;
                    out->frag_off = (uint32_t)(fo & 0xFFF8);
                    out->frag_more = fo & 1;
                    out->frag_proto = nh;
                    out->frag_data = p + r.off;
                    out->frag_len = n - r.off;
                    return WD_FRAG;
                }
                proto = nh; /* atomic fragment */
            } else {
                break;
            }
            if (r.err)
                return WD_ERR;
        }
    }
    out->proto = proto;
    if (proto == 6) {
        out->sport = rd_be16(&r);
        out->dport = rd_be16(&r);
        out->seq = rd_be32(&r);
        out->ack = rd_be32(&r);
        uint8_t doff = rd_u8(&r);
        out->tcp_flags = rd_u8(&r);
        out->win = rd_be16(&r);
        if (r.err)
            return WD_ERR;
        size_t hl = (size_t)(doff >> 4) * 4;
        size_t start = r.off - 16; /* TCP header start */
        if (hl < 20 || !rd_has(&(struct rd){p, n, start, 0}, hl))
            return WD_ERR;
        out->payload = p + start + hl;
        out->payload_len = n - start - hl;
        out->wire_payload_len = out->payload_len;
        return WD_TCP;
    }
    if (proto == 17) {
        out->sport = rd_be16(&r);
        out->dport = rd_be16(&r);
        uint16_t ulen = rd_be16(&r);
        rd_skip(&r, 2);
        if (r.err)
            return WD_ERR;
        size_t avail = n - r.off;
        size_t wire = ulen >= 8 ? (size_t)ulen - 8 : avail;
        out->payload = p + r.off;
        out->payload_len = wire < avail ? wire : avail;
        out->wire_payload_len = wire;
        return WD_UDP;
    }
    return r.err ? WD_ERR : WD_OTHER;
}
