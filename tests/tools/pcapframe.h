/* pcapframe.h: test helper that reads TCP/UDP payloads of given frames from the shared captures
 * at run time (frame numbers as tshark counts them, from 1). Link types: Ethernet (with 802.1Q),
 * Linux SLL/SLL2, BSD null/loop, raw IP; IPv4 and IPv6 without extension headers. */
#ifndef SG_TEST_PCAPFRAME_H
#define SG_TEST_PCAPFRAME_H
#include <stddef.h>
#include <stdint.h>

struct pcapf_pkt {
    unsigned frame;          /* 1-based */
    int ip_version;          /* 4 or 6, 0 when not IP */
    uint8_t proto;           /* 6 TCP, 17 UDP */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint8_t tcp_flags;
    uint32_t seq;
    const uint8_t *payload;  /* valid only during the callback */
    size_t payload_len;
    double ts;
};

/* Calls cb for every frame; stops early when cb returns non-zero. Returns 0, or -1 when the file
 * cannot be opened (message on stderr). */
int pcapf_foreach(const char *path, int (*cb)(const struct pcapf_pkt *p, void *arg), void *arg);
/* Copies the transport payload of one frame into buf. Returns its length, or -1 when the frame
 * does not exist, is not TCP/UDP, or does not fit. If pkt is non-NULL it receives the metadata
 * (payload pointer cleared). */
long pcapf_payload(const char *path, unsigned frame, uint8_t *buf, size_t cap, struct pcapf_pkt *pkt);
/* Path of a shared file: $SMBGUARD_SHARED or the compiled-in SHARED_DIR, plus "/" + rel. */
const char *pcapf_shared(const char *rel, char *buf, size_t cap);

#endif
