/* sharedetect.h: wannacry.share_encryption (decisions.md 9): SMB1 NT_CREATE_ANDX and SMB2 CREATE /
 * SET_INFO FileRenameInformation requests naming *.WNCRY, *.WNCRYT, @Please_Read_Me@.txt or
 * @WanaDecryptor@.exe, counted per client and share. Fed by smbdetect.c with every SMB message. */
#ifndef SG_WATCH_SHAREDETECT_H
#define SG_WATCH_SHAREDETECT_H
#include <stddef.h>
#include <stdint.h>

#include "proto/smb1.h"
#include "watch/flow.h"
#include "watch/smbdetect.h"

struct se_ctx;   /* cross-flow state (per client and share); owned by sd_ctx.se */
struct se_flow;  /* per-flow state (tree ids -> share names); owned by the flow's smbdetect state */

/* An SMB1 message (request or reply, direction dir) on flow f; *fs is the flow's state (NULL at
 * first, allocated on demand). c->se is created on demand. */
void se_on_smb1(struct sd_ctx *c, struct wflow *f, struct se_flow **fs, const struct smb1_msg *m, int dir,
                int64_t ts_us, uint64_t idx);
/* An SMB2/3 message (p points at the 0xFE 'SMB' header, n bytes, possibly a compound chain). */
void se_on_smb2(struct sd_ctx *c, struct wflow *f, struct se_flow **fs, const uint8_t *p, size_t n, int dir,
                int64_t ts_us, uint64_t idx);
/* The flow ends: releases *fs (sets it to NULL). */
void se_flow_end(struct sd_ctx *c, struct wflow *f, struct se_flow **fs);
/* End of the capture: writes whatever is still pending. */
void se_finish(struct sd_ctx *c);
/* Frees the cross-flow state (NULL is a no-op). */
void se_free(struct se_ctx *s);

#endif
