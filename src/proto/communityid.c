/* communityid.c: Community ID v1 flow hash (see communityid.h) with nettle's SHA-1 and a local
 * base64 encoder. Pure: no I/O, no allocation. */
#include "proto/communityid.h"

#include <nettle/sha1.h>
#include <string.h>

/* ICMP/ICMPv6 request and reply types that pair up into one bidirectional "flow" (the spec's type
 * mapping); *peer receives the counterpart type. 0: a one-way type. */
static int icmp_peer(uint8_t proto, uint16_t type, uint16_t *peer)
{
    static const uint8_t v4[][2] = {{8, 0}, {0, 8}, {13, 14}, {14, 13}, {15, 16}, {16, 15}, {10, 9}, {17, 18}, {18, 17}};
    static const uint8_t v6[][2] = {{128, 129}, {129, 128}, {133, 134}, {134, 133}, {135, 136}, {136, 135},
                                    {130, 131}, {131, 130}, {139, 140}, {140, 139}, {144, 145}, {145, 144}};
    const uint8_t(*map)[2] = proto == 1 ? v4 : v6;
    size_t n = proto == 1 ? sizeof v4 / sizeof v4[0] : sizeof v6 / sizeof v6[0];
    for (size_t i = 0; i < n; i++)
        if (map[i][0] == type) {
            *peer = map[i][1];
            return 1;
        }
    return 0;
}

static void base64(const uint8_t *in, size_t n, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[o] = '\0';
}

int communityid_v1(uint16_t seed, uint8_t ipver, uint8_t proto, const uint8_t *saddr, const uint8_t *daddr,
                   uint16_t sport, uint16_t dport, char out[COMMUNITYID_V1_SIZE])
{
    if (!out)
        return -1;
    out[0] = '\0';
    if (!saddr || !daddr || (ipver != 4 && ipver != 6))
        return -1;
    size_t alen = ipver == 4 ? 4 : 16;
    int ports = proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
    int one_way = 0;
    if (proto == 1 || proto == 58) {
        uint16_t peer;
        if (icmp_peer(proto, sport, &peer))
            dport = peer;   /* the code is replaced by the counterpart type */
        else
            one_way = 1;    /* type and code, in the order seen */
    }
    if (!ports)
        sport = dport = 0;
    int c = memcmp(saddr, daddr, alen);
    if (!one_way && (c > 0 || (c == 0 && sport > dport))) {
        const uint8_t *t = saddr;
        saddr = daddr;
        daddr = t;
        uint16_t tp = sport;
        sport = dport;
        dport = tp;
    }
    uint8_t buf[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, saddr, alen);
    n += alen;
    memcpy(buf + n, daddr, alen);
    n += alen;
    buf[n++] = proto;
    buf[n++] = 0;
    if (ports) {
        buf[n++] = (uint8_t)(sport >> 8);
        buf[n++] = (uint8_t)sport;
        buf[n++] = (uint8_t)(dport >> 8);
        buf[n++] = (uint8_t)dport;
    }
    struct sha1_ctx ctx;
    uint8_t dig[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, n, buf);
    sha1_digest(&ctx, sizeof dig, dig);
    out[0] = '1';
    out[1] = ':';
    base64(dig, sizeof dig, out + 2);
    return 0;
}
