/* fuzz_watch_decode.c: the watch front end (decode -> ipfrag -> flow table -> stream reassembly)
 * over input read as a sequence of packets: [link selector:1][length:2 BE][frame bytes]... */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_packets.h"
#include "watch/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static size_t g_sum;
static void on_msg(void *arg, struct wflow *f, int dir, const uint8_t *m, size_t len, int64_t ts, uint64_t idx)
{
    (void)arg; (void)f; (void)dir; (void)ts; (void)idx;
    g_sum += len ? m[0] + m[len - 1] : 0; /* touch both ends of every message */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wpipe_cfg cfg;
    wpipe_cfg_default(&cfg);
    cfg.flow.memcap = 256 << 10;   /* small, so eviction paths run */
    cfg.flow.ooo_limit = 8 << 10;
    cfg.frag_memcap = 16 << 10;
    struct flow_cbs cbs = {on_msg, NULL, NULL};
    struct wpipe *w = wpipe_new(&cfg, &cbs);
    if (!w)
        return 0;
    fuzz_feed_packets(w, data, size);
    wpipe_free(w);
    return 0;
}
