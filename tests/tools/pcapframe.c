/* pcapframe.c: reads frames of real captures for tests (see pcapframe.h). */
#include "pcapframe.h"
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int decode_ip(const uint8_t *p, size_t n, struct pcapf_pkt *k)
{
    if (n < 1)
        return -1;
    int v = p[0] >> 4;
    size_t l4off;
    if (v == 4) {
        if (n < 20)
            return -1;
        size_t ihl = (size_t)(p[0] & 0x0F) * 4;
        size_t tot = ((size_t)p[2] << 8) | p[3];
        if (ihl < 20 || n < ihl)
            return -1;
        if (tot >= ihl && tot < n)
            n = tot;                          /* strip Ethernet padding */
        if ((((p[6] & 0x1F) << 8) | p[7]) != 0)
            return -1;                        /* non-first fragment */
        k->ip_version = 4;
        k->proto = p[9];
        memcpy(k->src, p + 12, 4);
        memcpy(k->dst, p + 16, 4);
        l4off = ihl;
    } else if (v == 6) {
        if (n < 40)
            return -1;
        size_t plen = ((size_t)p[4] << 8) | p[5];
        if (40 + plen < n)
            n = 40 + plen;
        k->ip_version = 6;
        k->proto = p[6];
        memcpy(k->src, p + 8, 16);
        memcpy(k->dst, p + 24, 16);
        l4off = 40;
    } else {
        return -1;
    }
    const uint8_t *l4 = p + l4off;
    size_t l4n = n - l4off;
    if (k->proto == 6) {
        if (l4n < 20)
            return -1;
        size_t doff = (size_t)(l4[12] >> 4) * 4;
        if (doff < 20 || l4n < doff)
            return -1;
        k->sport = (uint16_t)((l4[0] << 8) | l4[1]);
        k->dport = (uint16_t)((l4[2] << 8) | l4[3]);
        k->seq = ((uint32_t)l4[4] << 24) | ((uint32_t)l4[5] << 16) | ((uint32_t)l4[6] << 8) | l4[7];
        k->tcp_flags = l4[13];
        k->payload = l4 + doff;
        k->payload_len = l4n - doff;
    } else if (k->proto == 17) {
        if (l4n < 8)
            return -1;
        k->sport = (uint16_t)((l4[0] << 8) | l4[1]);
        k->dport = (uint16_t)((l4[2] << 8) | l4[3]);
        k->payload = l4 + 8;
        k->payload_len = l4n - 8;
    } else {
        return -1;
    }
    return 0;
}

static int decode(int dlt, const uint8_t *p, size_t n, struct pcapf_pkt *k)
{
    size_t off;
    switch (dlt) {
    case DLT_EN10MB: {
        if (n < 14)
            return -1;
        off = 12;
        uint16_t et = (uint16_t)((p[off] << 8) | p[off + 1]);
        while ((et == 0x8100 || et == 0x88A8) && n >= off + 6) {
            off += 4;
            et = (uint16_t)((p[off] << 8) | p[off + 1]);
        }
        off += 2;
        if (et != 0x0800 && et != 0x86DD)
            return -1;
        break;
    }
    case DLT_LINUX_SLL: off = 16; break;
    case DLT_LINUX_SLL2: off = 20; break;
    case DLT_NULL: case DLT_LOOP: off = 4; break;
    case DLT_RAW: case 228 /* IPV4 */: case 229 /* IPV6 */: off = 0; break;
    default: return -1;
    }
    if (n < off)
        return -1;
    return decode_ip(p + off, n - off, k);
}

int pcapf_foreach(const char *path, int (*cb)(const struct pcapf_pkt *p, void *arg), void *arg)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, eb);
    if (!pc) {
        fprintf(stderr, "pcapframe: %s: %s\n", path, eb);
        return -1;
    }
    int dlt = pcap_datalink(pc);
    struct pcap_pkthdr *h;
    const u_char *d;
    unsigned frame = 0;
    while (pcap_next_ex(pc, &h, &d) == 1) {
        struct pcapf_pkt k;
        memset(&k, 0, sizeof k);
        k.frame = ++frame;
        k.ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
        if (decode(dlt, d, h->caplen, &k) != 0)
            k.payload = NULL;
        if (cb(&k, arg))
            break;
    }
    pcap_close(pc);
    return 0;
}

struct one { unsigned want; uint8_t *buf; size_t cap; long len; struct pcapf_pkt *out; };

static int one_cb(const struct pcapf_pkt *p, void *arg)
{
    struct one *o = arg;
    if (p->frame != o->want)
        return 0;
    if (p->payload && p->payload_len <= o->cap) {
        memcpy(o->buf, p->payload, p->payload_len);
        o->len = (long)p->payload_len;
        if (o->out) {
            *o->out = *p;
            o->out->payload = NULL;
        }
    }
    return 1;
}

long pcapf_payload(const char *path, unsigned frame, uint8_t *buf, size_t cap, struct pcapf_pkt *pkt)
{
    struct one o = {frame, buf, cap, -1, pkt};
    if (pcapf_foreach(path, one_cb, &o) != 0)
        return -1;
    return o.len;
}

#ifndef SHARED_DIR_DEFAULT
#define SHARED_DIR_DEFAULT "../shared"
#endif
const char *pcapf_shared(const char *rel, char *buf, size_t cap)
{
    const char *base = getenv("SMBGUARD_SHARED");
    if (!base || !*base)
        base = SHARED_DIR_DEFAULT;
    snprintf(buf, cap, "%s/%s", base, rel);
    return buf;
}
