/* decode.h: pure link/IP/TCP/UDP decoding of one captured frame for the watch pipeline.
 * No allocation, no I/O; every read bounds-checked (core/rd.h). Pointers in the result point
 * into the caller's frame and live as long as it does. */
#ifndef SG_WATCH_DECODE_H
#define SG_WATCH_DECODE_H
#include <stddef.h>
#include <stdint.h>

/* Link types as libpcap reports them (DLT_*), plus the LINKTYPE_* file values for raw IP. */
enum {
    WD_LINK_NULL = 0, WD_LINK_EN10MB = 1, WD_LINK_RAW = 12, WD_LINK_RAW_OBSD = 14,
    WD_LINK_RAW101 = 101, WD_LINK_LOOP = 108, WD_LINK_SLL = 113, WD_LINK_IPV4 = 228,
    WD_LINK_IPV6 = 229, WD_LINK_SLL2 = 276,
};

enum wd_result {
    WD_ERR = -1,   /* malformed or truncated headers (counted as a decode error) */
    WD_OTHER = 0,  /* not IP, or IP carrying neither TCP nor UDP */
    WD_TCP = 1,
    WD_UDP = 2,
    WD_FRAG = 3,   /* an IP fragment: the frag_* fields are set, hand it to ipfrag */
};

#define WD_TCP_FIN 0x01
#define WD_TCP_SYN 0x02
#define WD_TCP_RST 0x04
#define WD_TCP_PSH 0x08
#define WD_TCP_ACK 0x10

struct wd_pkt {
    uint8_t ipver;            /* 4 or 6 */
    uint8_t proto;            /* transport protocol (6, 17, ...) */
    uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes, rest zero */
    unsigned n_vlan;          /* 802.1Q/QinQ tags stripped */
    uint16_t vlan[2];         /* outermost first (VLAN id, 12 bits) */
    uint16_t sport, dport;
    uint8_t tcp_flags;
    uint32_t seq, ack;
    uint16_t win;
    const uint8_t *payload;   /* TCP/UDP payload, clipped to what was captured */
    size_t payload_len;
    size_t wire_payload_len;  /* payload length the headers announce (> payload_len when snapped) */
    /* fragments (WD_FRAG) */
    uint32_t frag_id;         /* IPv4 16-bit id or IPv6 32-bit id */
    uint32_t frag_off;        /* byte offset */
    int frag_more;            /* MF / M flag */
    uint8_t frag_proto;       /* IPv4 protocol, or IPv6 next header after the fragment header */
    const uint8_t *frag_data;
    size_t frag_len;
};

/* Decodes a frame of the given link type. Returns a wd_result; *out is filled as far as decoded. */
int wd_decode(int linktype, const uint8_t *p, size_t n, struct wd_pkt *out);
/* Decodes from the IP header on (version from the first nibble). */
int wd_decode_ip(const uint8_t *p, size_t n, struct wd_pkt *out);
/* Decodes a transport header of protocol proto at p (for IPv6, extension headers are skipped
 * first); keeps the addresses already in *out. Used for reassembled datagrams. */
int wd_decode_transport(struct wd_pkt *out, uint8_t proto, const uint8_t *p, size_t n);

#endif
