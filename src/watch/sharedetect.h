/* sharedetect.h: wannacry.share_encryption (decisions.md 9): SMB1 NT_CREATE_ANDX and SMB2 CREATE /
 * SET_INFO FileRenameInformation requests naming *.WNCRY, *.WNCRYT, @Please_Read_Me@.txt or
 * @WanaDecryptor@.exe, counted per client and share. Fed by smbdetect.c with every SMB message.
 * Every match counts on its flow (sd_flow_hit); the alert is written at the first match of each
 * (client address, server address, share name) across flows. */
#ifndef SG_WATCH_SHAREDETECT_H
#define SG_WATCH_SHAREDETECT_H
#include <stddef.h>
#include <stdint.h>

#include "proto/smb1.h"
#include "watch/flow.h"
#include "watch/smbdetect.h"

/* Bounds. Entries: distinct (client address, server address, share name) across flows; a match
 * that finds the table full is counted in se_overflow and alerted at most once per flow. Trees:
 * tree-id -> path bindings per flow (the oldest goes when full). Pending: tree connects awaiting
 * their reply per flow. Names and paths are decoded to UTF-8 within these sizes (truncated). */
#define SE_MAX_ENTRIES 4096
#define SE_MAX_TREES 64
#define SE_MAX_PENDING 8
#define SE_MAX_COMPOUND 32   /* SMB2 messages walked per compound chain */
#define SE_NAME_MAX 512
#define SE_SHARE_MAX 256

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
/* End of the capture. Alerts are written at the first match of each (client, share), so nothing is
 * pending: the totals stay readable through se_total_at until se_free. */
void se_finish(struct sd_ctx *c);
/* Frees the cross-flow state (NULL is a no-op). */
void se_free(struct se_ctx *s);

/* 1 when the base name (after the last '\\' or '/', up to the first NUL) of the n-byte name p
 * (UTF-16LE when wide, else OEM) ends with ".WNCRY" or ".WNCRYT", or is "@Please_Read_Me@.txt" or
 * "@WanaDecryptor@.exe", ignoring ASCII case. */
int se_name_matches(const uint8_t *p, size_t n, int wide);

/* Per (client, share) totals, for the summary. share is the first tree connect path seen (NULL when
 * the tree connect was not in the capture), file the first matching name. Valid until se_free. */
struct se_total {
    uint8_t ipver;
    uint8_t cli[16], srv[16];
    const char *share;
    const char *file;
    uint64_t count;
};
size_t se_n_totals(const struct se_ctx *s);
/* 0, or -1 when i >= se_n_totals(s). */
int se_total_at(const struct se_ctx *s, size_t i, struct se_total *out);
/* Matches not counted per (client, share) because the table was full. */
uint64_t se_overflow(const struct se_ctx *s);

#endif
