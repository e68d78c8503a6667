/* fuzz_share.c: wannacry.share_encryption (sharedetect.c) through sd_on_msg on one flow. Input: records of
 * [direction byte (bit 0: 1 = to client)][NBSS message, its 24-bit length clipped to what is left]. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "watch/smbdetect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sd_ctx c;
    struct wflow f;
    sd_init(&c, NULL, NULL, NULL);
    memset(&f, 0, sizeof f);
    f.ipver = 4;
    f.sport = 445;
    f.cport = 49152;
    uint64_t idx = 0;
    while (size >= 5) {
        int dir = (data[0] & 1) ? WDIR_TO_CLIENT : WDIR_TO_SERVER;
        size_t len = 4 + (((size_t)data[2] << 16) | ((size_t)data[3] << 8) | data[4]);
        data++, size--;
        if (len > size)
            len = size;
        idx++;
        sd_on_msg(&c, &f, dir, data, len, (int64_t)idx, idx);
        data += len, size -= len;
    }
    sd_on_flow_end(&c, &f);
    sd_finish(&c);
    sd_free(&c);
    return 0;
}
