/* sharedetect.c: wannacry.share_encryption (decisions.md 9): file names of SMB1 NT_CREATE_ANDX, SMB2
 * CREATE and SMB2 rename requests matched against the WannaCry names, counted per (client, share). */
#include "watch/sharedetect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "proto/smb2.h"

/* A share as the detection keys it: client and server address plus the share component of the
 * tree connect path (case-folded); the first path seen is kept for display. */
struct se_entry {
    uint8_t ipver;
    uint8_t cli[16], srv[16];
    char key[SE_SHARE_MAX];     /* share component, ASCII lower case; "" = tree not seen */
    char path[SE_SHARE_MAX];    /* tree connect path as sent ("" = unknown) */
    char file[SE_NAME_MAX];     /* first matching name */
    uint64_t count;
};

struct se_ctx {
    struct se_entry *e;
    size_t n, cap;
    uint64_t overflow;          /* matches whose (client, share) found no room in the table */
};

struct se_tree {
    uint32_t tid;
    char path[SE_SHARE_MAX];
};

/* A tree connect request awaiting its reply (matched by MID / MessageId). */
struct se_pending {
    uint64_t mid;
    uint8_t smb2, used;
    char path[SE_SHARE_MAX];
};

struct se_flow {
    struct se_tree *trees;      /* grown on demand up to SE_MAX_TREES, then FIFO-replaced */
    unsigned n_trees, cap_trees, next_tree;
    struct se_pending pend[SE_MAX_PENDING];  /* ring, oldest overwritten */
    unsigned next_pend;
    uint8_t saw_reply;          /* a reply was seen: the one-way fallback is off */
    uint8_t overflow_alerted;   /* the flow's alert for a table-full match was written */
    struct wflow *owner;        /* the flow: this state and trees are charged to its table */
};

/* A file name on the wire: UTF-16LE (wide) or OEM bytes, up to its first NUL. */
struct wname {
    const uint8_t *p;
    size_t units;
    int wide;
};

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static struct wname wname_make(const uint8_t *p, size_t n, int wide)
{
    struct wname w = {p, 0, wide};
    size_t max = p ? (wide ? n / 2 : n) : 0;
    while (w.units < max && (wide ? le16(p + 2 * w.units) : p[w.units]) != 0)
        w.units++;
    return w;
}

static unsigned wunit(const struct wname *w, size_t i) { return w->wide ? le16(w->p + 2 * i) : w->p[i]; }

static unsigned lower(unsigned c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* 1 when units [from, w->units) end with (or, exact, equal) the ASCII string s, ignoring ASCII case. */
static int ends_with(const struct wname *w, size_t from, const char *s, int exact)
{
    size_t k = strlen(s), len = w->units - from;
    if (len < k || (exact && len != k))
        return 0;
    for (size_t i = 0; i < k; i++)
        if (lower(wunit(w, w->units - k + i)) != lower((unsigned char)s[i]))
            return 0;
    return 1;
}

/* The base name starts after the last '\' or '/'. */
static size_t base_start(const struct wname *w)
{
    size_t b = 0;
    for (size_t i = 0; i < w->units; i++)
        if (wunit(w, i) == '\\' || wunit(w, i) == '/')
            b = i + 1;
    return b;
}

static int name_matches(const struct wname *w)
{
    size_t b = base_start(w);
    return ends_with(w, b, ".wncry", 0) || ends_with(w, b, ".wncryt", 0) ||
           ends_with(w, b, "@please_read_me@.txt", 1) || ends_with(w, b, "@wanadecryptor@.exe", 1);
}

int se_name_matches(const uint8_t *p, size_t n, int wide)
{
    struct wname w = wname_make(p, n, wide);
    return name_matches(&w);
}

/* Decodes units [from, w->units) into out[cap] as UTF-8 (truncated to fit); returns 0 when the
 * whole name may not have fit (an upper bound of its UTF-8 size is checked, not the decoder). */
static int decode(const struct wname *w, size_t from, char *out, size_t cap)
{
    size_t len = w->units - from, need = 1;
    if (!w->p || !len) {  /* nothing to copy (and no pointer arithmetic on NULL) */
        if (cap)
            out[0] = 0;
        return 1;
    }
    for (size_t i = from; i < w->units; i++) {
        unsigned u = wunit(w, i);
        need += u < 0x80 ? 1 : u < 0x800 ? 2 : 3;
    }
    if (w->wide)
        text_utf16le_to_utf8(w->p + 2 * from, 2 * len, out, cap);
    else
        text_ascii_copy(w->p + from, len, out, cap);
    return need <= cap;
}

/* JSON string body of s (control characters were already replaced by the decoders). */
static void json_escape(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    for (; *s && o + 3 < cap; s++) {
        if (*s == '"' || *s == '\\')
            out[o++] = '\\';
        out[o++] = *s;
    }
    out[o] = 0;
}

/* The share component of a tree path (after its last '\'), ASCII-lowered into key. */
static void share_key(const char *path, char *key, size_t cap)
{
    const char *s = strrchr(path, '\\');
    s = s ? s + 1 : path;
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        key[i] = (char)lower((unsigned char)s[i]);
    key[i] = 0;
}

static struct se_flow *flow_get(struct se_flow **fs, struct wflow *f)
{
    if (!*fs && (*fs = flow_user_calloc(f, sizeof **fs)))
        (*fs)->owner = f;
    return *fs;
}

static const char *tree_find(struct se_flow *s, uint32_t tid)
{
    for (unsigned i = 0; s && i < s->n_trees; i++)
        if (s->trees[i].tid == tid)
            return s->trees[i].path;
    return NULL;
}

static void tree_bind(struct se_flow *s, uint32_t tid, const char *path)
{
    struct se_tree *t = NULL;
    for (unsigned i = 0; i < s->n_trees && !t; i++)
        if (s->trees[i].tid == tid)
            t = &s->trees[i];
    if (!t && s->n_trees == s->cap_trees && s->cap_trees < SE_MAX_TREES) {
        unsigned nc = s->cap_trees ? s->cap_trees * 2 : 4;
        if (nc > SE_MAX_TREES)
            nc = SE_MAX_TREES;
        struct se_tree *nt = flow_user_realloc(s->owner, s->trees, nc * sizeof *nt);
        if (nt) {
            s->trees = nt;
            s->cap_trees = nc;
        }
    }
    if (!t && s->n_trees < s->cap_trees) {
        t = &s->trees[s->n_trees++];
    } else if (!t && s->cap_trees) {
        t = &s->trees[s->next_tree];  /* full: the oldest binding goes */
        s->next_tree = (s->next_tree + 1) % s->cap_trees;
    }
    if (!t)
        return;
    t->tid = tid;
    text_copy(t->path, sizeof t->path, path);
}

static void tree_unbind(struct se_flow *s, uint32_t tid)
{
    for (unsigned i = 0; s && i < s->n_trees; i++) {
        if (s->trees[i].tid == tid) {
            s->trees[i] = s->trees[--s->n_trees];
            if (s->next_tree >= s->n_trees)
                s->next_tree = 0;
            return;
        }
    }
}

static void pend_add(struct se_flow *s, uint64_t mid, int smb2, const char *path)
{
    struct se_pending *p = &s->pend[s->next_pend];
    s->next_pend = (s->next_pend + 1) % SE_MAX_PENDING;
    p->mid = mid;
    p->smb2 = (uint8_t)smb2;
    p->used = 1;
    text_copy(p->path, sizeof p->path, path);
}

/* The pending tree connect with this MID (or, when mid is NULL, the latest one); NULL if none. */
static struct se_pending *pend_find(struct se_flow *s, const uint64_t *mid, int smb2)
{
    for (unsigned k = 1; s && k <= SE_MAX_PENDING; k++) {
        struct se_pending *p = &s->pend[(s->next_pend + SE_MAX_PENDING - k) % SE_MAX_PENDING];
        if (p->used && p->smb2 == smb2 && (!mid || p->mid == *mid))
            return p;
    }
    return NULL;
}

/* The tree path of tid: a bound tree, else (one-way captures only, no reply ever seen) the latest
 * unanswered tree connect, which is then bound to tid. NULL when unknown. */
static const char *tree_path(struct se_flow *s, uint32_t tid, int smb2)
{
    const char *path = tree_find(s, tid);
    if (path || !s || s->saw_reply)
        return path;
    struct se_pending *p = pend_find(s, NULL, smb2);
    if (!p)
        return NULL;
    p->used = 0;
    tree_bind(s, tid, p->path);
    return tree_find(s, tid);
}

static struct se_entry *entry_get(struct sd_ctx *c, const struct wflow *f, int dir, const char *path, int *created)
{
    if (!c->se && !(c->se = calloc(1, sizeof *c->se)))
        return NULL;
    struct se_ctx *t = c->se;
    const uint8_t *cli = dir == WDIR_TO_SERVER ? f->cli : f->srv;  /* the sender of the request */
    const uint8_t *srv = dir == WDIR_TO_SERVER ? f->srv : f->cli;
    char key[SE_SHARE_MAX];
    share_key(path ? path : "", key, sizeof key);
    *created = 0;
    for (size_t i = 0; i < t->n; i++) {
        struct se_entry *e = &t->e[i];
        if (e->ipver == f->ipver && !memcmp(e->cli, cli, 16) && !memcmp(e->srv, srv, 16) && !strcmp(e->key, key))
            return e;
    }
    if (t->n == t->cap) {
        if (t->cap >= SE_MAX_ENTRIES)
            return NULL;
        size_t nc = t->cap ? t->cap * 2 : 16;
        if (nc > SE_MAX_ENTRIES)
            nc = SE_MAX_ENTRIES;
        struct se_entry *ne = realloc(t->e, nc * sizeof *ne);
        if (!ne)
            return NULL;
        t->e = ne;
        t->cap = nc;
    }
    struct se_entry *e = &t->e[t->n++];
    memset(e, 0, sizeof *e);
    e->ipver = f->ipver;
    memcpy(e->cli, cli, 16);
    memcpy(e->srv, srv, 16);
    text_copy(e->key, sizeof e->key, key);
    text_copy(e->path, sizeof e->path, path ? path : "");
    *created = 1;
    return e;
}

/* A name-carrying request on tree tid (chain_path: the path of a tree connect earlier in the same
 * AndX chain or compound, whose tree id the request cannot know yet). */
static void on_name(struct sd_ctx *c, struct wflow *f, struct se_flow **fs, int dir, const struct wname *w,
                    uint32_t tid, const char *chain_path, const char *op, int smb2, int64_t ts, uint64_t idx)
{
    if (!name_matches(w))
        return;
    size_t b = base_start(w);
    const char *path = chain_path ? chain_path : tree_path(*fs, tid, smb2);
    char file[SE_NAME_MAX];
    if (!decode(w, 0, file, sizeof file))
        decode(w, b, file, sizeof file);  /* the full name does not fit: the base name decides */
    int created = 0;
    struct se_entry *e = entry_get(c, f, dir, path, &created);
    int alert = created;
    if (e) {
        e->count++;
        if (created)
            text_copy(e->file, sizeof e->file, file);
    } else {
        struct se_flow *s = flow_get(fs, f);
        if (c->se)
            c->se->overflow++;
        alert = s && !s->overflow_alerted;  /* table full: at most one alert per flow */
        if (s)
            s->overflow_alerted = 1;
    }
    char ef[SE_NAME_MAX * 2], ep[SE_SHARE_MAX * 2], attrs[SE_NAME_MAX * 2 + SE_SHARE_MAX * 2 + 128];
    attrs[0] = 0;
    if (alert) {
        json_escape(ef, sizeof ef, file);
        if (path) {
            json_escape(ep, sizeof ep, path);
            snprintf(attrs, sizeof attrs, "\"share\":\"%s\",\"file\":\"%s\",\"operation\":\"%s\",\"smb\":%d,"
                     "\"tree_id\":%u%s", ep, ef, op, smb2 ? 2 : 1, (unsigned)tid, e ? "" : ",\"table_full\":true");
        } else {
            snprintf(attrs, sizeof attrs, "\"share\":null,\"file\":\"%s\",\"operation\":\"%s\",\"smb\":%d,"
                     "\"tree_id\":%u%s", ef, op, smb2 ? 2 : 1, (unsigned)tid, e ? "" : ",\"table_full\":true");
        }
    }
    sd_flow_hit(c, f, dir, SD_WC_SHARE_ENC, attrs, ts, idx, alert);
}

/* ---- SMB1 */

/* One command of an AndX chain. */
struct andx {
    uint8_t cmd, wct;
    const uint8_t *words;
    size_t bytes_off, bytes_len;  /* data bytes, offsets from the SMB header */
};

static int is_andx(uint8_t cmd)
{
    return cmd == 0x24 || cmd == 0x2D || cmd == 0x2E || cmd == SMB1_WRITE_ANDX || cmd == SMB1_SESSION_SETUP ||
           cmd == SMB1_LOGOFF || cmd == SMB1_TREE_CONNECT || cmd == SMB1_NT_CREATE;
}

/* The command after x in m's AndX chain; 0 at the end. Offsets must grow (no loops). */
static int andx_next(const struct smb1_msg *m, struct andx *x, size_t *at)
{
    if (!is_andx(x->cmd) || x->wct < 2 || x->words[0] == 0xFF)
        return 0;
    size_t off = le16(x->words + 2);
    if (off <= *at || off >= m->len)
        return 0;
    uint8_t wct = m->base[off];
    size_t bo = off + 1 + 2 * (size_t)wct;
    if (bo + 2 > m->len)
        return 0;
    x->cmd = x->words[0];
    x->wct = wct;
    x->words = m->base + off + 1;
    size_t bcc = le16(m->base + bo);
    x->bytes_off = bo + 2;
    x->bytes_len = bcc < m->len - x->bytes_off ? bcc : m->len - x->bytes_off;
    *at = off;
    return 1;
}

/* A string at offset off of the data bytes: Unicode ones start 2-aligned from the SMB header. */
static struct wname smb1_string(const struct smb1_msg *m, const struct andx *x, size_t off, size_t max)
{
    int wide = (m->flags2 & SMB1_FLAGS2_UNICODE) != 0;
    size_t end = x->bytes_off + x->bytes_len, at = x->bytes_off + off;
    if (wide && (at & 1))
        at++;
    if (at > end)
        at = end;
    size_t n = end - at;
    if (max && max < n)
        n = max;
    return wname_make(m->base + at, n, wide);
}

void se_on_smb1(struct sd_ctx *c, struct wflow *f, struct se_flow **fs, const struct smb1_msg *m, int dir,
                int64_t ts_us, uint64_t idx)
{
    if (!c || !f || !fs || !m || !m->base)
        return;
    int reply = (m->flags & SMB1_FLAGS_REPLY) != 0;
    struct andx x = {m->cmd, m->wct, m->words, (size_t)(m->bytes - m->base), m->bytes_len};
    size_t at = 0;
    char chain_path[SE_SHARE_MAX];
    int have_chain = 0;
    if (reply) {
        struct se_flow *s = *fs;
        if (s)
            s->saw_reply = 1;
        uint64_t mid = m->mid;
        struct se_pending *p = pend_find(s, &mid, 0);
        if (!p)
            return;
        for (int i = 0; i < 8; i++) {
            if (x.cmd == SMB1_TREE_CONNECT && m->status == 0 && x.wct >= 2)
                tree_bind(s, m->tid, p->path);
            if (!andx_next(m, &x, &at))
                break;
        }
        p->used = 0;  /* answered (or refused) */
        return;
    }
    for (int i = 0; i < 8; i++) {
        if (x.cmd == SMB1_TREE_CONNECT && x.wct >= 4) {
            struct wname w = smb1_string(m, &x, le16(x.words + 6), 0);  /* after the password */
            char path[SE_SHARE_MAX];
            decode(&w, 0, path, sizeof path);
            struct se_flow *s = flow_get(fs, f);
            if (s)
                pend_add(s, m->mid, 0, path);
            text_copy(chain_path, sizeof chain_path, path);
            have_chain = 1;
        } else if (x.cmd == SMB1_TREE_DISCONNECT) {
            tree_unbind(*fs, m->tid);
        } else if (x.cmd == SMB1_NT_CREATE && x.wct >= 24) {
            /* NameLength is at word byte 5; Windows counts the name without the alignment pad */
            struct wname w = smb1_string(m, &x, 0, le16(x.words + 5));
            on_name(c, f, fs, dir, &w, m->tid, have_chain ? chain_path : NULL, "create", 0, ts_us, idx);
        }
        if (!andx_next(m, &x, &at))
            break;
    }
}

/* ---- SMB2 */

#define SMB2_FLAGS_RELATED 0x00000004u
#define SMB2_TREE_DISCONNECT 4

void se_on_smb2(struct sd_ctx *c, struct wflow *f, struct se_flow **fs, const uint8_t *p, size_t n, int dir,
                int64_t ts_us, uint64_t idx)
{
    if (!c || !f || !fs || !p)
        return;
    uint32_t prev_tid = 0;
    char chain_path[SE_SHARE_MAX];
    int have_chain = 0;
    for (int i = 0; i < SE_MAX_COMPOUND; i++) {
        struct smb2_msg m;
        if (smb2_parse(p, n, &m) != 0)
            return;
        uint32_t tid = m.tree_id;
        int related = i > 0 && (m.flags & SMB2_FLAGS_RELATED);
        if (related)
            tid = prev_tid;  /* MS-SMB2 3.3.5.2.7.2: related operations use the previous tree */
        else
            have_chain = 0;
        const uint8_t *name;
        size_t len;
        if (m.flags & SMB2_FLAGS_RESPONSE) {
            struct se_flow *s = *fs;
            if (s)
                s->saw_reply = 1;
            struct se_pending *pd;
            if (m.cmd == SMB2_TREE_CONNECT && (pd = pend_find(s, &m.message_id, 1))) {
                if (m.status == 0)
                    tree_bind(s, m.tree_id, pd->path);
                if (m.status != 0x00000103u)  /* STATUS_PENDING: the final reply follows */
                    pd->used = 0;
            }
        } else if (m.cmd == SMB2_TREE_CONNECT && smb2_tree_connect_path(&m, &name, &len) == 0) {
            struct wname w = wname_make(name, len, 1);
            char path[SE_SHARE_MAX];
            decode(&w, 0, path, sizeof path);
            struct se_flow *s = flow_get(fs, f);
            if (s)
                pend_add(s, m.message_id, 1, path);
            text_copy(chain_path, sizeof chain_path, path);
            have_chain = 1;
        } else if (m.cmd == SMB2_TREE_DISCONNECT) {
            tree_unbind(*fs, tid);
        } else if (m.cmd == SMB2_CREATE && smb2_create_name(&m, &name, &len) == 0) {
            struct wname w = wname_make(name, len, 1);
            on_name(c, f, fs, dir, &w, tid, have_chain ? chain_path : NULL, "create", 1, ts_us, idx);
        } else if (m.cmd == SMB2_SET_INFO && smb2_rename_target(&m, &name, &len) == 0) {
            struct wname w = wname_make(name, len, 1);
            on_name(c, f, fs, dir, &w, tid, have_chain ? chain_path : NULL, "rename", 1, ts_us, idx);
        }
        prev_tid = tid;
        if (m.next_command == 0 || m.next_command >= n)
            return;
        p += m.next_command;
        n -= m.next_command;
    }
}

void se_flow_end(struct sd_ctx *c, struct wflow *f, struct se_flow **fs)
{
    (void)c, (void)f;
    if (!fs || !*fs)
        return;
    flow_user_free((*fs)->owner, (*fs)->trees);
    flow_user_free((*fs)->owner, *fs);
    *fs = NULL;
}

/* Alerts are written at the first match: nothing is pending at the end. */
void se_finish(struct sd_ctx *c) { (void)c; }

void se_free(struct se_ctx *s)
{
    if (!s)
        return;
    free(s->e);
    free(s);
}

size_t se_n_totals(const struct se_ctx *s) { return s ? s->n : 0; }

uint64_t se_overflow(const struct se_ctx *s) { return s ? s->overflow : 0; }

int se_total_at(const struct se_ctx *s, size_t i, struct se_total *out)
{
    if (!s || !out || i >= s->n)
        return -1;
    const struct se_entry *e = &s->e[i];
    out->ipver = e->ipver;
    memcpy(out->cli, e->cli, 16);
    memcpy(out->srv, e->srv, 16);
    out->share = e->path[0] ? e->path : NULL;
    out->file = e->file;
    out->count = e->count;
    return 0;
}
