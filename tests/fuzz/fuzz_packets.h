/* fuzz_packets.h: the packet-sequence input format of the watch fuzz targets and its feeder:
 * [link selector:1][length:2 BE][frame bytes]..., frames 1 ms apart, the last one cut to what is left. */
#ifndef SG_FUZZ_PACKETS_H
#define SG_FUZZ_PACKETS_H
#include <stddef.h>
#include <stdint.h>

#include "watch/pipeline.h"

static inline void fuzz_feed_packets(struct wpipe *w, const uint8_t *data, size_t size)
{
    static const int links[] = {WD_LINK_EN10MB, WD_LINK_SLL, WD_LINK_SLL2, WD_LINK_RAW, WD_LINK_NULL,
                                WD_LINK_LOOP, WD_LINK_IPV4, WD_LINK_IPV6};
    size_t off = 0;
    uint64_t idx = 0;
    while (size - off >= 3) {
        int link = links[data[off] % (sizeof links / sizeof links[0])];
        size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (len > size - off)
            len = size - off;
        idx++;
        wpipe_packet(w, link, (int64_t)idx * 1000, data + off, len, idx);
        off += len;
    }
}

#endif
