/* smbdetect.c: SMB1 detections of `smbguard watch` (decisions.md 9): MS17-010 probe and replies,
 * DoublePulsar ping/implant/upload/uninstall, EternalBlue exploit/overflow/pool_alloc, WannaCry IPC$ paths,
 * other MS17-010 exploits (Romance/Synergy, Champion, unknown), SMB1-only clients. */
#include "watch/smbdetect.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "proto/doublepulsar.h"
#include "proto/smb1.h"
#include "proto/smb2.h"
#include "watch/sharedetect.h"

const struct sd_info sd_table[SD_NDET] = {
    [SD_MS17_PROBE] = {"ms17_010.probe", 9100001, 2, 0, "Detection of a Network Scan", NULL},
    [SD_MS17_VULN] = {"ms17_010.vulnerable_response", 9100002, 1, 1, "Potentially Bad Traffic", NULL},
    [SD_MS17_NOTVULN] = {"ms17_010.not_vulnerable_response", 9100003, 3, 0, "Potentially Bad Traffic", NULL},
    [SD_DP_PING] = {"doublepulsar.ping", 9100004, 2, 0, "Detection of a Network Scan", NULL},
    [SD_DP_IMPLANT] = {"doublepulsar.implant_reply", 9100005, 1, 1, "A Network Trojan was detected", NULL},
    [SD_DP_UPLOAD] = {"doublepulsar.payload_upload", 9100006, 1, 1, "A Network Trojan was detected", NULL},
    [SD_DP_UNINSTALL] = {"doublepulsar.uninstall", 9100007, 2, 0, "A Network Trojan was detected", NULL},
    [SD_EB_EXPLOIT] = {"eternalblue.exploit", 9100008, 1, 1, "Attempted Administrator Privilege Gain", NULL},
    [SD_EB_OVERFLOW] = {"eternalblue.overflow", 9100009, 1, 1, "Attempted Administrator Privilege Gain", NULL},
    [SD_EB_POOL] = {"eternalblue.pool_alloc", 9100010, 1, 1, "Attempted Administrator Privilege Gain", NULL},
    [SD_WC_IPC] = {"wannacry.ipc_paths", 9100011, 1, 1, "A Network Trojan was detected", NULL},
    [SD_SMB1_IN_USE] = {"smb1.in_use", 9100012, 3, 0, "Potentially Bad Traffic", NULL},
    [SD_WC_KS_DNS] = {"wannacry.killswitch_dns", 9100013, 2, 1, "A Network Trojan was detected", "dns"},
    [SD_WC_KS_HTTP] = {"wannacry.killswitch_http", 9100014, 1, 1, "A Network Trojan was detected", "http"},
    [SD_EB_GROOM] = {"eternalblue.groom", 9100015, 1, 1, "Attempted Administrator Privilege Gain", NULL},
    [SD_OTHER_EXPLOIT] = {"ms17_010.other_exploit", 9100016, 1, 1, "Attempted Administrator Privilege Gain", NULL},
    [SD_WC_SHARE_ENC] = {"wannacry.share_encryption", 9100017, 1, 1, "A Network Trojan was detected", NULL},
    [SD_WORM_SCAN] = {"smb.worm_scan", 9100018, 2, 1, "Detection of a Network Scan", NULL},
    [SD_SMB1_CLIENT_ONLY] = {"smb1.client_only", 9100019, 3, 0, "Potentially Bad Traffic", NULL},
    [SD_SMB_EXPOSED] = {"smb.exposed", 9100020, 2, 0, "Potentially Bad Traffic", NULL},
};

#define SD_MAX_REQ 32
enum { RQ_PROBE = 1, RQ_DP = 2, RQ_EB = 3, RQ_NEG = 4 };

struct sd_req {
    uint8_t kind, cmd;
    uint16_t mid, pid, tid, uid;
};

/* An open transaction: a Trans/Trans2/NT Trans primary that announced more parameters or data than it
 * carried, and got no final reply yet (an interim reply, status 0 WordCount 0, keeps it open). */
#define SD_MAX_TX 128
struct sd_tx {
    uint16_t mid;
    uint8_t cmd;
    uint8_t used;
};

/* ms17_010.other_exploit: NT Trans RENAME with at least this TotalDataCount is a Champion leak attempt;
 * the variant is `champion` from the SD_CHAMPION_RENAMES-th such request of a flow. */
#define SD_CHAMPION_MIN_TDC 0x1000u
#define SD_CHAMPION_RENAMES 2u

struct sd_flow {
    uint32_t counts[SD_NDET];
    /* ms17_010.other_exploit evidence; the table is FIFO-replaced when full (bounded per flow) */
    struct sd_tx tx[SD_MAX_TX];
    unsigned tx_next;
    uint32_t oe_trans;      /* Trans (0x25) requests: the spray */
    uint32_t oe_renames;    /* NT Trans RENAME requests with TDC >= SD_CHAMPION_MIN_TDC */
    uint32_t oe_oob;        /* out-of-bounds 0x26/0xA1 secondaries */
    uint32_t oe_leaks;      /* replies 0x80000005 (STATUS_BUFFER_OVERFLOW) */
    uint8_t oe_romance;     /* a WRITE_ANDX used an open transaction's MID as FID */
    /* the first out-of-bounds secondary (valid when oe_oob > 0), for the `unknown` alert at flow end */
    uint8_t oob_cmd;
    uint16_t oob_mid;
    uint32_t oob_tdc, oob_dd, oob_dc;
    int64_t oob_ts;
    uint64_t oob_idx;
    struct sd_req req[SD_MAX_REQ];
    unsigned n_req, next_req;
    /* the EternalBlue transaction (NT Trans primary, or the first out-of-bounds 0x33) */
    uint8_t eb_have;
    uint16_t eb_mid, eb_pid, eb_tid, eb_uid;
    struct se_flow *se;  /* owned by sharedetect.c, released by se_flow_end */
};

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

void sd_init(struct sd_ctx *c, sd_alert_fn on_alert, sd_flow_fn on_flow, void *arg)
{
    memset(c, 0, sizeof *c);
    c->on_alert = on_alert;
    c->on_flow = on_flow;
    c->arg = arg;
}

void sd_free(struct sd_ctx *c)
{
    free(c->grooms);
    c->grooms = NULL;
    c->n_grooms = 0;
    free(c->servers);
    c->servers = NULL;
    c->n_servers = 0;
    se_free(c->se);
    c->se = NULL;
    free(c->clients);
    c->clients = NULL;
    c->n_clients = c->cap_clients = 0;
}

static struct sd_flow *flow_state(struct wflow *f)
{
    if (!f->user)
        f->user = flow_user_calloc(f, sizeof(struct sd_flow));  /* charged to the memcap */
    return f->user;
}

/* Counts a match; writes the alert at the first match of the flow. */
static void hit(struct sd_ctx *c, struct wflow *f, struct sd_flow *s, int dir, int det, const char *attrs,
                int64_t ts, uint64_t idx)
{
    c->matches[det]++;
    if (s->counts[det]++ == 0) {
        c->alerts[det]++;
        if (c->on_alert)
            c->on_alert(c->arg, f, dir, det, attrs ? attrs : "", ts, idx);
    }
}

static void req_add(struct sd_flow *s, uint8_t kind, const struct smb1_msg *m)
{
    struct sd_req *r = &s->req[s->next_req];
    r->kind = kind;
    r->cmd = m->cmd;
    r->mid = m->mid;
    r->pid = m->pid_low;
    r->tid = m->tid;
    r->uid = m->uid;
    s->next_req = (s->next_req + 1) % SD_MAX_REQ;
    if (s->n_req < SD_MAX_REQ)
        s->n_req++;
}

/* The outstanding request of this kind and command with MID mid (NULL when none). */
static struct sd_req *req_find(struct sd_flow *s, uint8_t kind, uint8_t cmd, uint16_t mid)
{
    for (unsigned i = 0; i < SD_MAX_REQ; i++) {
        struct sd_req *r = &s->req[i];
        if (r->kind == kind && r->cmd == cmd && r->mid == mid)
            return r;
    }
    return NULL;
}

static const char *probe_tool(const struct smb1_msg *m)
{
    const uint8_t *w = m->words;
    if (m->mid == 0x5EC5)  /* WannaCry and Metasploit's 2017 scanner; the Trans PID decides */
        return m->pid_low == 0x4B2F ? "metasploit" : "wannacry";
    if ((m->flags2 == 0x6045 || m->flags2 == 0x6845))
        return "nmap";
    if (m->flags2 == 0x2801 && le16(w + 4) == 0xFFFF && le16(w + 6) == 0xFFFF)
        return "metasploit";
    return "unknown";
}

/* Trans/Trans2 requests: setup words start at word 14, SetupCount is the low byte of word 13. */
static int trans_setup(const struct smb1_msg *m, unsigned *count, const uint8_t **setup)
{
    if (m->wct < 14)
        return -1;
    *count = m->words[26];
    if ((unsigned)m->wct < 14 + *count)
        return -1;
    *setup = m->words + 28;
    return 0;
}

/* ---- ms17_010.other_exploit ---- */

static struct sd_tx *tx_find(struct sd_flow *s, uint16_t mid)
{
    for (unsigned i = 0; i < SD_MAX_TX; i++)
        if (s->tx[i].used && s->tx[i].mid == mid)
            return &s->tx[i];
    return NULL;
}

static void tx_open(struct sd_flow *s, uint8_t cmd, uint16_t mid)
{
    struct sd_tx *t = tx_find(s, mid);
    if (!t) {
        t = &s->tx[s->tx_next];
        s->tx_next = (s->tx_next + 1) % SD_MAX_TX;
    }
    t->mid = mid;
    t->cmd = cmd;
    t->used = 1;
}

static void tx_close(struct sd_flow *s, uint16_t mid)
{
    for (unsigned i = 0; i < SD_MAX_TX; i++)
        if (s->tx[i].used && s->tx[i].mid == mid)
            s->tx[i].used = 0;
}

/* A secondary that ends exactly at both totals is the transaction's last part: it is no longer open
 * (what matters when replies are missing, as in one-sided captures). */
static void tx_last_part(struct sd_flow *s, uint16_t mid, uint32_t tpc, uint32_t tdc, uint32_t pd, uint32_t pc,
                         uint32_t dd, uint32_t dc)
{
    if ((uint64_t)pd + pc == tpc && (uint64_t)dd + dc == tdc)
        tx_close(s, mid);
}

/* A secondary (0x26 or 0xA1) whose data runs past its own TotalDataCount. */
static void oe_oob(struct sd_flow *s, const struct smb1_msg *m, uint32_t tdc, uint32_t dd, uint32_t dc,
                   int64_t ts, uint64_t idx)
{
    if ((uint64_t)dd + dc <= tdc)
        return;
    if (s->oe_oob++ == 0) {
        s->oob_cmd = m->cmd;
        s->oob_mid = m->mid;
        s->oob_tdc = tdc;
        s->oob_dd = dd;
        s->oob_dc = dc;
        s->oob_ts = ts;
        s->oob_idx = idx;
    }
}

/* WRITE_ANDX FIDs of request m: the first command and the AndX chain behind it (at most 8 blocks,
 * each further into the message than the last). Returns how many were stored in fids[max]. */
static unsigned write_andx_fids(const struct smb1_msg *m, uint16_t *fids, unsigned max)
{
    static const uint8_t andx_cmds[] = {0x24, 0x2D, 0x2E, SMB1_WRITE_ANDX, SMB1_SESSION_SETUP, SMB1_LOGOFF,
                                        SMB1_TREE_CONNECT, SMB1_NT_CREATE};
    unsigned n = 0;
    uint8_t cmd = m->cmd, wct = m->wct;
    const uint8_t *w = m->words;
    size_t prev_off = 32;
    for (int hop = 0; hop < 8 && n < max; hop++) {
        if (cmd == SMB1_WRITE_ANDX && wct >= 12)
            fids[n++] = le16(w + 4);
        if (!memchr(andx_cmds, cmd, sizeof andx_cmds) || wct < 2 || w[0] == 0xFF)
            break;
        size_t off = le16(w + 2);
        if (off <= prev_off || off >= m->len)
            break;
        cmd = w[0];
        wct = m->base[off];
        if (off + 1 + 2u * wct > m->len)
            break;
        w = m->base + off + 1;
        prev_off = off;
    }
    return n;
}

static void oe_romance(struct sd_ctx *c, struct wflow *f, struct sd_flow *s, const struct smb1_msg *m, int dir,
                       int64_t ts, uint64_t idx)
{
    uint16_t fids[8];
    unsigned nf = write_andx_fids(m, fids, 8);
    for (unsigned i = 0; i < nf; i++) {
        const struct sd_tx *t = tx_find(s, fids[i]);
        if (!t)
            continue;
        unsigned open = 0;
        for (unsigned k = 0; k < SD_MAX_TX; k++)
            open += s->tx[k].used;
        char attrs[384];
        snprintf(attrs, sizeof attrs,
                 "\"variant\":\"romance_synergy\",\"write_fid\":\"0x%04X\",\"tx_mid\":\"0x%04X\",\"tx_cmd\":\"0x%02X\","
                 "\"open_transactions\":%u,\"trans_requests\":%u,\"oob_secondaries\":%u,\"leak_replies\":%u",
                 fids[i], t->mid, t->cmd, open, s->oe_trans, s->oe_oob, s->oe_leaks);
        s->oe_romance = 1;
        hit(c, f, s, dir, SD_OTHER_EXPLOIT, attrs, ts, idx);
        return;
    }
}

/* Called for every NT Trans RENAME request with a large TDC (already counted in oe_renames). */
static void oe_champion(struct sd_ctx *c, struct wflow *f, struct sd_flow *s, int dir, uint32_t tdc, int64_t ts,
                        uint64_t idx)
{
    if (s->oe_renames < SD_CHAMPION_RENAMES || s->oe_romance)
        return;
    char attrs[256];
    snprintf(attrs, sizeof attrs, "\"variant\":\"champion\",\"renames\":%u,\"rename_tdc\":%u,\"oob_secondaries\":%u",
             s->oe_renames, tdc, s->oe_oob);
    hit(c, f, s, dir, SD_OTHER_EXPLOIT, attrs, ts, idx);
}

/* Flow end: an out-of-bounds secondary that no variant explained. */
static void oe_flow_end(struct sd_ctx *c, struct wflow *f, struct sd_flow *s)
{
    if (s->counts[SD_OTHER_EXPLOIT] || !s->oe_oob)
        return;
    char attrs[256];
    snprintf(attrs, sizeof attrs,
             "\"variant\":\"unknown\",\"cmd\":\"0x%02X\",\"mid\":%u,\"tdc\":%u,\"dd\":%u,\"dc\":%u,"
             "\"oob_secondaries\":%u,\"renames\":%u",
             s->oob_cmd, s->oob_mid, s->oob_tdc, s->oob_dd, s->oob_dc, s->oe_oob, s->oe_renames);
    hit(c, f, s, WDIR_TO_SERVER, SD_OTHER_EXPLOIT, attrs, s->oob_ts, s->oob_idx);
}

/* ---- smb1.client_only ---- */

struct sd_client {
    uint8_t ipver;
    uint8_t offers_smb2;        /* some negotiate of this client offered an SMB2 dialect: never written */
    uint8_t n_servers, n_dialects;
    uint8_t servers_truncated;  /* a server did not fit in servers[] */
    uint8_t addr[16];
    uint32_t negotiates;
    struct sd_server servers[SD_CLIENT_SERVERS];
    char dialects[SD_CLIENT_DIALECTS][24];
    struct wflow first;         /* identity fields only: the flow of the first negotiate */
    int64_t ts;                 /* time and packet of the first negotiate */
    uint64_t idx;
};

static struct sd_client *client_get(struct sd_ctx *c, const struct wflow *f)
{
    size_t alen = f->ipver == 6 ? 16 : 4;
    for (size_t i = 0; i < c->n_clients; i++)
        if (c->clients[i].ipver == f->ipver && !memcmp(c->clients[i].addr, f->cli, alen))
            return &c->clients[i];
    if (c->n_clients == c->cap_clients) {
        if (c->cap_clients >= SD_MAX_CLIENTS)
            return NULL;
        size_t cap = c->cap_clients ? c->cap_clients * 2 : 16;
        if (cap > SD_MAX_CLIENTS)
            cap = SD_MAX_CLIENTS;
        struct sd_client *nc = realloc(c->clients, cap * sizeof *nc);
        if (!nc)
            return NULL;
        c->clients = nc;
        c->cap_clients = cap;
    }
    struct sd_client *cl = &c->clients[c->n_clients++];
    memset(cl, 0, sizeof *cl);
    cl->ipver = f->ipver;
    memcpy(cl->addr, f->cli, alen);
    return cl;
}

/* A negotiate request of f's client. dialects: the SMB1 dialect list (bytes block), or NULL for SMB2. */
static void client_negotiate(struct sd_ctx *c, const struct wflow *f, int offers_smb2, const uint8_t *dialects,
                             size_t dlen, int64_t ts, uint64_t idx)
{
    struct sd_client *cl = client_get(c, f);
    if (!cl) {
        c->clients_overflow++;
        return;
    }
    if (cl->negotiates++ == 0) {
        flow_identity(&cl->first, f);
        cl->ts = ts;
        cl->idx = idx;
    }
    if (offers_smb2)
        cl->offers_smb2 = 1;
    size_t alen = f->ipver == 6 ? 16 : 4;
    int known = 0;
    for (unsigned i = 0; i < cl->n_servers && !known; i++)
        known = cl->servers[i].port == f->sport && !memcmp(cl->servers[i].addr, f->srv, alen);
    if (!known) {
        if (cl->n_servers < SD_CLIENT_SERVERS) {
            struct sd_server *sv = &cl->servers[cl->n_servers++];
            memset(sv, 0, sizeof *sv);
            sv->ipver = f->ipver;
            memcpy(sv->addr, f->srv, alen);
            sv->port = f->sport;
        } else {
            cl->servers_truncated = 1;
        }
    }
    /* SMB1 dialect list: 0x02 followed by a NUL-terminated name, repeated */
    size_t o = 0;
    while (dialects && o < dlen && dialects[o] == 0x02) {
        char name[24];
        size_t k = 0;
        for (o++; o < dlen && dialects[o]; o++)
            if (k + 1 < sizeof name) {
                uint8_t ch = dialects[o];
                name[k++] = (ch >= 0x20 && ch < 0x7F && ch != '"' && ch != '\\') ? (char)ch : '?';
            }
        name[k] = 0;
        o++;  /* the NUL */
        if (!strncmp(name, "SMB 2.", 6))
            cl->offers_smb2 = 1;
        int dup = 0;
        for (unsigned i = 0; i < cl->n_dialects && !dup; i++)
            dup = !strcmp(cl->dialects[i], name);
        if (!dup && cl->n_dialects < SD_CLIENT_DIALECTS)
            memcpy(cl->dialects[cl->n_dialects++], name, sizeof name);
    }
}

/* An SMB2 message towards the server: a NEGOTIATE request with DialectCount > 0 offers SMB2. Groom
 * headers (FE 'SMB' + zeros) do not parse as SMB2, and would have DialectCount 0 anyway. */
static void smb2_negotiate_req(struct sd_ctx *c, const struct wflow *f, const uint8_t *p, size_t n, int64_t ts,
                               uint64_t idx)
{
    struct smb2_msg m;
    if (smb2_parse(p, n, &m) != 0 || m.cmd != SMB2_NEGOTIATE || (m.flags & SMB2_FLAGS_RESPONSE) || m.body_len < 4 ||
        le16(m.body + 2) == 0)
        return;
    client_negotiate(c, f, 1, NULL, 0, ts, idx);
}

static void client_write(struct sd_ctx *c, const struct sd_client *cl)
{
    char attrs[1024], a[INET6_ADDRSTRLEN];
    int af = cl->ipver == 6 ? AF_INET6 : AF_INET;
    size_t n = 0;
    if (!inet_ntop(af, cl->addr, a, sizeof a))
        strcpy(a, "?");
    n += (size_t)snprintf(attrs + n, sizeof attrs - n, "\"client\":\"%s\",\"negotiates\":%u,\"servers\":[", a,
                          cl->negotiates);
    for (unsigned i = 0; i < cl->n_servers && n < sizeof attrs; i++) {
        if (!inet_ntop(af, cl->servers[i].addr, a, sizeof a))
            strcpy(a, "?");
        n += (size_t)snprintf(attrs + n, sizeof attrs - n, af == AF_INET6 ? "%s\"[%s]:%u\"" : "%s\"%s:%u\"",
                              i ? "," : "", a, (unsigned)cl->servers[i].port);
    }
    if (n < sizeof attrs)
        n += (size_t)snprintf(attrs + n, sizeof attrs - n, "],\"servers_truncated\":%s,\"dialects\":[",
                              cl->servers_truncated ? "true" : "false");
    for (unsigned i = 0; i < cl->n_dialects && n < sizeof attrs; i++)
        n += (size_t)snprintf(attrs + n, sizeof attrs - n, "%s\"%s\"", i ? "," : "", cl->dialects[i]);
    if (n < sizeof attrs)
        n += (size_t)snprintf(attrs + n, sizeof attrs - n, "]");
    if (n >= sizeof attrs)
        return;  /* cannot happen with the caps above; never write truncated JSON */
    sd_alert_flow(c, &cl->first, WDIR_TO_SERVER, SD_SMB1_CLIENT_ONLY, attrs, cl->ts, cl->idx);
}

static void on_request(struct sd_ctx *c, struct wflow *f, struct sd_flow *s, const struct smb1_msg *m,
                       int dir, int64_t ts, uint64_t idx)
{
    char attrs[256];
    const uint8_t *w = m->words;
    unsigned sc;
    const uint8_t *setup;
    oe_romance(c, f, s, m, dir, ts, idx);  /* WRITE_ANDX, first or chained */
    switch (m->cmd) {
    case SMB1_NEGOTIATE:
        req_add(s, RQ_NEG, m);
        client_negotiate(c, f, 0, m->bytes, m->bytes_len, ts, idx);
        break;
    case SMB1_TRANS:
        s->oe_trans++;
        /* TPC(0) TDC(2) ... PC(18) PO(20) DC(22): Trans and Trans2 share the layout */
        if (m->wct >= 14 && (le16(w + 18) < le16(w) || le16(w + 22) < le16(w + 2)))
            tx_open(s, m->cmd, m->mid);
        if (!trans_setup(m, &sc, &setup) && sc >= 2 && le16(setup) == 0x0023 && le16(setup + 2) == 0) {
            snprintf(attrs, sizeof attrs, "\"tool\":\"%s\"", probe_tool(m));
            req_add(s, RQ_PROBE, m);
            hit(c, f, s, dir, SD_MS17_PROBE, attrs, ts, idx);
        }
        break;
    case SMB1_TRANS2:
        if (m->wct >= 14 && (le16(w + 18) < le16(w) || le16(w + 22) < le16(w + 2)))
            tx_open(s, m->cmd, m->mid);
        if (!trans_setup(m, &sc, &setup) && sc >= 1 && le16(setup) == 0x000E) {
            uint8_t op = dp_opcode(le32(w + 12));
            uint16_t tdc = le16(w + 2), dc = le16(w + 22);
            req_add(s, RQ_DP, m);
            if (op == DP_OP_EXEC) {
                if (tdc > 0 || dc > 0) {
                    snprintf(attrs, sizeof attrs, "\"total_data\":%u,\"chunk\":%u", tdc, dc);
                    hit(c, f, s, dir, SD_DP_UPLOAD, attrs, ts, idx);
                }
            } else if (op == DP_OP_KILL) {
                hit(c, f, s, dir, SD_DP_UNINSTALL, "\"opcode\":\"0x77\"", ts, idx);
            } else {
                snprintf(attrs, sizeof attrs, "\"opcode\":\"0x%02X\"", op);
                hit(c, f, s, dir, SD_DP_PING, attrs, ts, idx);
            }
        }
        break;
    case SMB1_NT_TRANS:
        /* MaxSetupCount(1) Reserved(2) TPC TDC MPC MDC PC PO DC DO (LE32 each) SetupCount(1) Function(2) */
        if (m->wct >= 19) {
            uint32_t tdc = le32(w + 7);
            if (le32(w + 19) < le32(w + 3) || le32(w + 27) < tdc)
                tx_open(s, m->cmd, m->mid);
            if (le16(w + 36) == 5 && tdc >= SD_CHAMPION_MIN_TDC) {
                s->oe_renames++;
                oe_champion(c, f, s, dir, tdc, ts, idx);
            }
        }
        if (m->wct >= 20 && w[35] == 1 && le16(w + 36) == 0 && le32(w + 7) > 0xFFFF) {
            uint32_t dc = le32(w + 27), doff = le32(w + 31);
            if (dc >= 4 && doff <= m->len && m->len - doff >= 4 && le32(m->base + doff) == 0x00010000) {
                s->eb_have = 1;
                s->eb_mid = m->mid;
                s->eb_pid = m->pid_low;
                s->eb_tid = m->tid;
                s->eb_uid = m->uid;
            }
        }
        break;
    case SMB1_TRANS2_SECONDARY:
        if (m->wct >= 9) {
            uint32_t tdc = le16(w + 2), dcnt = le16(w + 10), ddisp = le16(w + 14);
            tx_last_part(s, m->mid, le16(w), tdc, le16(w + 8), le16(w + 4), ddisp, dcnt);
            if (s->eb_have == 1 && m->mid == s->eb_mid && m->pid_low == s->eb_pid && m->tid == s->eb_tid &&
                m->uid == s->eb_uid) {
                hit(c, f, s, dir, SD_EB_EXPLOIT, "\"form\":\"stateful\"", ts, idx);
            } else if (ddisp + dcnt > tdc) {
                if (!s->eb_have) {
                    s->eb_have = 2;
                    s->eb_mid = m->mid;
                    s->eb_pid = m->pid_low;
                    s->eb_tid = m->tid;
                    s->eb_uid = m->uid;
                }
                hit(c, f, s, dir, SD_EB_EXPLOIT, "\"form\":\"stateless\"", ts, idx);
            }
        }
        break;
    case SMB1_TRANS_SECONDARY:
        /* TPC(0) TDC(2) PC(4) PO(6) PD(8) DC(10) DO(12) DD(14) */
        if (m->wct >= 8) {
            oe_oob(s, m, le16(w + 2), le16(w + 14), le16(w + 10), ts, idx);
            tx_last_part(s, m->mid, le16(w), le16(w + 2), le16(w + 8), le16(w + 4), le16(w + 14), le16(w + 10));
        }
        break;
    case SMB1_NT_TRANS_SECONDARY:
        /* Reserved(3) TPC(3) TDC(7) PC(11) PO(15) PD(19) DC(23) DO(27) DD(31), LE32 each */
        if (m->wct >= 18) {
            oe_oob(s, m, le32(w + 7), le32(w + 31), le32(w + 23), ts, idx);
            tx_last_part(s, m->mid, le32(w + 3), le32(w + 7), le32(w + 19), le32(w + 11), le32(w + 31), le32(w + 23));
        }
        break;
    case SMB1_SESSION_SETUP:
        /* WordCount 12: caps at word bytes 20..23; the blob opens the data bytes */
        if (m->wct == 12 && (le32(w + 20) & SMB1_CAP_EXT_SEC) && !(m->flags2 & SMB1_FLAGS2_EXT_SEC) &&
            m->bytes_len >= 2 && le16(m->bytes) >= 0x8000) {
            snprintf(attrs, sizeof attrs, "\"blob_size\":\"0x%04X\",\"byte_count\":%u", le16(m->bytes), m->bcc);
            hit(c, f, s, dir, SD_EB_POOL, attrs, ts, idx);
        }
        break;
    case SMB1_TREE_CONNECT:
        if (m->wct == 4) {
            size_t pw = le16(w + 6);
            if (pw > m->bytes_len)
                break;
            size_t off = (size_t)(m->bytes - m->base) + pw;
            char path[128];
            size_t n = 0;
            if (m->flags2 & SMB1_FLAGS2_UNICODE) {
                if (off & 1)
                    off++;
                while (off + 1 < m->len && n + 1 < sizeof path) {
                    uint16_t ch = le16(m->base + off);
                    off += 2;
                    if (!ch)
                        break;
                    path[n++] = ch < 0x80 ? (char)ch : '?';
                }
            } else {
                while (off < m->len && n + 1 < sizeof path && m->base[off])
                    path[n++] = (char)m->base[off++];
            }
            path[n] = 0;
            static const char *const bad[] = {"\\\\192.168.56.20\\IPC$", "\\\\172.16.99.5\\IPC$"};
            static const uint8_t badip[2][4] = {{192, 168, 56, 20}, {172, 16, 99, 5}};
            for (size_t i = 0; i < 2; i++) {
                if (strcasecmp(path, bad[i]) != 0)
                    continue;
                if (f->ipver == 4 && !memcmp(f->srv, badip[i], 4))
                    continue;
                snprintf(attrs, sizeof attrs, "\"path\":\"\\\\\\\\%s\\\\IPC$\"", i == 0 ? "192.168.56.20" : "172.16.99.5");
                hit(c, f, s, dir, SD_WC_IPC, attrs, ts, idx);
            }
        }
        break;
    default:
        break;
    }
}

static void server_accepts_smb1(struct sd_ctx *c, struct wflow *f, struct sd_flow *s, int dir, int64_t ts,
                                uint64_t idx)
{
    size_t alen = f->ipver == 6 ? 16 : 4;
    for (size_t i = 0; i < c->n_servers; i++) {
        const struct sd_server *sv = &c->servers[i];
        if (sv->ipver == f->ipver && sv->port == f->sport && !memcmp(sv->addr, f->srv, alen)) {
            c->matches[SD_SMB1_IN_USE]++;
            return;
        }
    }
    if (c->n_servers >= SD_MAX_SERVERS)
        return;
    if (!c->servers) {
        c->servers = calloc(SD_MAX_SERVERS, sizeof *c->servers);
        if (!c->servers)
            return;
    }
    struct sd_server *sv = &c->servers[c->n_servers++];
    sv->ipver = f->ipver;
    memcpy(sv->addr, f->srv, alen);
    sv->port = f->sport;
    hit(c, f, s, dir, SD_SMB1_IN_USE, "", ts, idx);
}

static void on_reply(struct sd_ctx *c, struct wflow *f, struct sd_flow *s, const struct smb1_msg *m, int dir,
                     int64_t ts, uint64_t idx)
{
    char attrs[256];
    uint32_t st = m->status_is_dos ? 0xFFFFFFFFu : m->status;
    struct sd_req *r;
    if (st == 0x80000005u)
        s->oe_leaks++;
    /* a final (or error) transaction reply closes it; the interim reply is status 0, WordCount 0 */
    if ((m->cmd == SMB1_TRANS || m->cmd == SMB1_TRANS2 || m->cmd == SMB1_NT_TRANS) && (m->wct != 0 || st != 0))
        tx_close(s, m->mid);
    switch (m->cmd) {
    case SMB1_NEGOTIATE:
        if ((m->wct == 17 || m->wct == 13) && le16(m->words) != 0xFFFF)
            server_accepts_smb1(c, f, s, dir, ts, idx);
        if ((r = req_find(s, RQ_NEG, m->cmd, m->mid)))
            r->kind = 0;
        break;
    case SMB1_TRANS:
        if ((r = req_find(s, RQ_PROBE, m->cmd, m->mid))) {
            r->kind = 0;
            if (st == 0xC0000205u)
                hit(c, f, s, dir, SD_MS17_VULN, "\"status\":\"0xC0000205\"", ts, idx);
            else if (st == 0xC0000008u)
                hit(c, f, s, dir, SD_MS17_NOTVULN, "\"status\":\"0xC0000008\",\"ambiguous\":false", ts, idx);
            else if (st == 0xC0000022u)
                hit(c, f, s, dir, SD_MS17_NOTVULN, "\"status\":\"0xC0000022\",\"ambiguous\":true", ts, idx);
        }
        break;
    case SMB1_TRANS2:
        if (st == 0xC000000Du && m->wct == 10 && s->eb_have && m->mid == s->eb_mid) {
            hit(c, f, s, dir, SD_EB_OVERFLOW, "\"status\":\"0xC000000D\"", ts, idx);
            break;
        }
        if ((r = req_find(s, RQ_DP, m->cmd, m->mid))) {
            r->kind = 0;  /* answered with its own MID: no implant */
            break;
        }
        if (st == 0xC0000002u && m->wct == 0) {
            for (uint16_t d = 0x10; d <= 0x30; d = (uint16_t)(d + 0x10)) {
                if (!(r = req_find(s, RQ_DP, m->cmd, (uint16_t)(m->mid - d))))
                    continue;
                uint32_t lo = le32(m->signature), hi = le32(m->signature + 4);
                if (lo || hi)
                    snprintf(attrs, sizeof attrs, "\"mid_delta\":%u,\"arch\":\"%s\",\"key\":\"0x%08X\"", d,
                             dp_is_x64(hi) ? "x64" : "x86", dp_key(lo));
                else
                    snprintf(attrs, sizeof attrs, "\"mid_delta\":%u", d);
                r->kind = 0;
                hit(c, f, s, dir, SD_DP_IMPLANT, attrs, ts, idx);
                break;
            }
        }
        break;
    default:
        break;
    }
}

void sd_on_msg(void *arg, struct wflow *f, int dir, const uint8_t *msg, size_t len, int64_t ts_us,
               uint64_t pkt_index)
{
    struct sd_ctx *c = arg;
    if (len < 8 || msg[0] != 0x00)
        return;  /* session-service control messages */
    const uint8_t *p = msg + 4;
    size_t n = len - 4;
    if (smb_is_smb2(p, n)) {
        if (dir == WDIR_TO_SERVER)
            smb2_negotiate_req(c, f, p, n, ts_us, pkt_index);
        struct sd_flow *s2 = flow_state(f);
        if (s2)
            se_on_smb2(c, f, &s2->se, p, n, dir, ts_us, pkt_index);
        return;
    }
    struct smb1_msg m;
    if (smb1_parse(p, n, &m) != 0) {
        c->smb_parse_errors++;
        return;
    }
    struct sd_flow *s = flow_state(f);
    if (!s)
        return;
    se_on_smb1(c, f, &s->se, &m, dir, ts_us, pkt_index);
    int is_reply = (m.flags & SMB1_FLAGS_REPLY) != 0;
    if (dir == WDIR_TO_SERVER && !is_reply)
        on_request(c, f, s, &m, dir, ts_us, pkt_index);
    else if (dir == WDIR_TO_CLIENT && is_reply)
        on_reply(c, f, s, &m, dir, ts_us, pkt_index);
}

void sd_flow_hit(struct sd_ctx *c, struct wflow *f, int dir, int det, const char *attrs, int64_t ts, uint64_t idx,
                 int alert)
{
    if (det < 0 || det >= SD_NDET)
        return;
    struct sd_flow *s = flow_state(f);
    c->matches[det]++;
    if (s)
        s->counts[det]++;
    if (alert) {
        c->alerts[det]++;
        if (c->on_alert)
            c->on_alert(c->arg, f, dir, det, attrs ? attrs : "", ts, idx);
    }
}

void sd_alert_flow(struct sd_ctx *c, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts,
                   uint64_t idx)
{
    if (det < 0 || det >= SD_NDET)
        return;
    c->matches[det]++;
    c->alerts[det]++;
    if (c->on_alert)
        c->on_alert(c->arg, f, dir, det, attrs ? attrs : "", ts, idx);
}

struct sd_groom {
    struct wflow first;      /* identity of the episode's first groom flow (named by the alert) */
    int64_t last_start;      /* start time of the latest groom flow of the episode */
    uint32_t flows;
};

static void groom_write(struct sd_ctx *c, const struct sd_groom *g)
{
    char cli[INET6_ADDRSTRLEN], srv[INET6_ADDRSTRLEN], attrs[256];
    int af = g->first.ipver == 6 ? AF_INET6 : AF_INET;
    if (!inet_ntop(af, g->first.cli, cli, sizeof cli))
        strcpy(cli, "?");
    if (!inet_ntop(af, g->first.srv, srv, sizeof srv))
        strcpy(srv, "?");
    snprintf(attrs, sizeof attrs, "\"episode\":\"%s->%s:%u\",\"flows\":%u", cli, srv,
             (unsigned)g->first.sport, (unsigned)g->flows);
    sd_alert_flow(c, &g->first, WDIR_TO_SERVER, SD_EB_GROOM, attrs, g->first.first_ts, g->first.first_index);
}

static void groom_drop(struct sd_ctx *c, size_t i)
{
    groom_write(c, &c->grooms[i]);
    memmove(&c->grooms[i], &c->grooms[i + 1], (c->n_grooms - i - 1) * sizeof c->grooms[0]);
    c->n_grooms--;
}

/* A new 139/445 connection whose first client NBSS header announced >= 0x8000 bytes that never
 * arrived (decisions.md 9). */
static int is_groom(const struct wflow *f)
{
    const struct reasm *r = &f->dir[WDIR_TO_SERVER];
    return f->saw_syn && !r->midstream && r->msgs == 0 && reasm_announced(r) >= SD_GROOM_MIN_ANNOUNCED;
}

static void groom_flow(struct sd_ctx *c, const struct wflow *f)
{
    if (!c->grooms) {
        c->grooms = calloc(SD_MAX_GROOMS, sizeof c->grooms[0]);
        if (!c->grooms)
            return;
    }
    for (size_t i = 0; i < c->n_grooms; i++) {
        struct sd_groom *g = &c->grooms[i];
        if (g->first.ipver != f->ipver || g->first.sport != f->sport || memcmp(g->first.cli, f->cli, 16) ||
            memcmp(g->first.srv, f->srv, 16))
            continue;
        int64_t d = f->first_ts - g->last_start;
        if (d < 0)
            d = -d;
        if (d < SD_GROOM_GAP_US) {
            g->flows++;
            if (f->first_ts > g->last_start)
                g->last_start = f->first_ts;
            return;
        }
        groom_drop(c, i);  /* that episode is over: a new one starts */
        break;
    }
    if (c->n_grooms == SD_MAX_GROOMS)
        groom_drop(c, 0);
    struct sd_groom *g = &c->grooms[c->n_grooms++];
    memset(g, 0, sizeof *g);
    flow_identity(&g->first, f);
    g->last_start = f->first_ts;
    g->flows = 1;
}

void sd_finish(struct sd_ctx *c)
{
    while (c->n_grooms)
        groom_drop(c, 0);
    se_finish(c);
    for (size_t i = 0; i < c->n_clients; i++)
        if (c->clients[i].negotiates && !c->clients[i].offers_smb2)
            client_write(c, &c->clients[i]);
    free(c->clients);
    c->clients = NULL;
    c->n_clients = c->cap_clients = 0;
}

void sd_on_flow_end(void *arg, struct wflow *f)
{
    struct sd_ctx *c = arg;
    if (is_groom(f)) {
        c->matches[SD_EB_GROOM]++;
        groom_flow(c, f);
    }
    struct sd_flow *s = f->user;
    if (!s)
        return;
    se_flow_end(c, f, &s->se);
    oe_flow_end(c, f, s);
    int any = 0;
    for (int i = 0; i < SD_NDET; i++)
        any |= s->counts[i] != 0;
    if (any && c->on_flow)
        c->on_flow(c->arg, f, s->counts);
    flow_user_free(f, s);
    f->user = NULL;
}
