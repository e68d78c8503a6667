/* fuzz_watch_full.c: the whole watch stack as the CLI wires it (decode -> ipfrag -> flow table ->
 * reassembly -> SMB, share, kill-switch and host detections), with a small memcap so flows are
 * evicted while a detection allocates its per-flow state inside on_msg. Input as fuzz_watch_decode:
 * a sequence of packets [link selector:1][length:2 BE][frame bytes]. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_packets.h"
#include "watch/hostdetect.h"
#include "watch/ksdetect.h"
#include "watch/pipeline.h"
#include "watch/smbdetect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


struct stack {
    struct sd_ctx sd;
    struct ks_ctx ks;
    struct hd_ctx hd;   /* 10 MiB of fixed tables: made once per process */
    int hd_ready;
};
static struct stack g;

static void on_alert(void *arg, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts,
                     uint64_t idx)
{
    (void)arg, (void)dir;
    if (attrs && attrs[0] && attrs[strlen(attrs) - 1] == ',')
        __builtin_trap();  /* attrs are JSON members: never a dangling comma */
    if (g.hd_ready)
        hd_on_alert(&g.hd, f, det, ts, idx);
}

static void on_tcp(void *arg, const struct wd_pkt *p, int64_t ts, uint64_t idx)
{
    (void)arg;
    ks_on_tcp(&g.ks, p, ts, idx);
    if (g.hd_ready)
        hd_on_tcp(&g.hd, p, ts, idx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sd_init(&g.sd, on_alert, NULL, NULL);
    ks_init(&g.ks, &g.sd);
    if (!g.hd_ready) {
        struct hd_cfg hc;
        hd_cfg_default(&hc);
        g.hd_ready = hd_init(&g.hd, &g.sd, &hc) == 0;
    }
    struct wpipe_cfg cfg;
    wpipe_cfg_default(&cfg);
    cfg.flow.memcap = 256 << 10;   /* small: eviction inside on_msg runs */
    cfg.flow.ooo_limit = 8 << 10;
    cfg.frag_memcap = 16 << 10;
    cfg.on_udp = ks_on_udp;
    cfg.udp_arg = &g.ks;
    cfg.on_tcp = on_tcp;
    struct flow_cbs cbs = {sd_on_msg, sd_on_flow_end, &g.sd};
    struct wpipe *w = wpipe_new(&cfg, &cbs);
    if (w) {
        fuzz_feed_packets(w, data, size);
        wpipe_free(w);
    }
    sd_finish(&g.sd);
    ks_finish(&g.ks);
    sd_free(&g.sd);
    return 0;
}
