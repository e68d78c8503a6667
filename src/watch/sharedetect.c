/* sharedetect.c: wannacry.share_encryption (decisions.md 9). NOT IMPLEMENTED YET: the hooks only,
 * so that smbdetect.c links; the detection is work in progress (issue 4). */
#include "watch/sharedetect.h"

void se_on_smb1(struct sd_ctx *c, struct wflow *f, struct se_flow **fs, const struct smb1_msg *m, int dir,
                int64_t ts_us, uint64_t idx)
{
    (void)c, (void)f, (void)fs, (void)m, (void)dir, (void)ts_us, (void)idx;
}

void se_on_smb2(struct sd_ctx *c, struct wflow *f, struct se_flow **fs, const uint8_t *p, size_t n, int dir,
                int64_t ts_us, uint64_t idx)
{
    (void)c, (void)f, (void)fs, (void)p, (void)n, (void)dir, (void)ts_us, (void)idx;
}

void se_flow_end(struct sd_ctx *c, struct wflow *f, struct se_flow **fs) { (void)c, (void)f, (void)fs; }
void se_finish(struct sd_ctx *c) { (void)c; }
void se_free(struct se_ctx *s) { (void)s; }
