/* host.c: the per-host probe sequence of decisions.md sections 1, 5 and 6, as a state machine
 * driven by connection events. It only records observations (obs.h); ident.c and verdict.c decide.
 * Connection plan (at most three per host): A = SMB1 negotiate, logins, IPC$, the MS17-010 probe
 * and the DoublePulsar ping; A' = a second SMB1 attempt after a reset before any byte; B = SMB2
 * negotiate (+ NTLMSSP challenge for the OS version when SMB1 gave none). Port 139 only when 445
 * is refused or times out, with a NetBIOS session request before each connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/log.h"
#include "core/rd.h"
#include "core/text.h"
#include "proto/doublepulsar.h"
#include "proto/nbss.h"
#include "proto/ntstatus.h"
#include "proto/smb1.h"
#include "proto/smb2.h"
#include "proto/smbsign.h"
#include "scan/dpcheck.h"
#include "scan/internal.h"

#define SCAN_PID 0x4753u          /* "SG": part of the documented probe fingerprint */
#define MAX_CONNS 3
#define BUILD_CAP 2048

enum step {
    ST_IDLE, ST_CONNECTING, ST_NBSS_REQ,
    ST_NEG, ST_SS_NTLM1, ST_SS_NTLM2, ST_SS_NULL, ST_SS_GUEST, ST_SS_CREDS1, ST_SS_CREDS2,
    ST_TREE, ST_PEEK, ST_DP, ST_IDENT, ST_WAIT_IDENT, ST_WAIT_IDENT_END,
    ST_SMB2_NEG, ST_SMB2_SS,
};
enum phase { PH_SMB1, PH_SMB2, PH_SMB2_EACH, PH_DONE };
/* --all-dialects: one more connection per lower dialect, as nmap's smb-protocols does (this goes
 * beyond the three-connection budget, which is why it is not the default). */
static const uint16_t SMB2_DIALECTS[5] = {0x0202, 0x0210, 0x0300, 0x0302, 0x0311};

struct host {
    struct engine *eng;
    struct target_addr addr;
    char ip[64];
    uint16_t slot;
    struct timespec t0;
    struct scan_obs obs;
    struct conn *conn;
    enum step step;
    enum phase phase;
    uint16_t port;              /* port of the current/next connection */
    int nbss;                   /* current transport is port 139 */
    int conns_used;
    int smb1_attempts;
    int unicode;                /* SMB1 strings in UTF-16 (second SMB1 connection) */
    int ladder_done;            /* a session was had or every form was tried */
    int name_idx;               /* port 139 called-name candidate */
    int waiting_rate;
    int finished;
    uint16_t uid, tid, mid, dp_mid;
    uint16_t expect;            /* MID of the outstanding main request */
    /* The identification NTLMSSP NEGOTIATE sent together with the null session (decisions.md 5
     * order kept: the null session is tried first; the CHALLENGE only identifies, and is reused
     * for the NTLMSSP anonymous form if the null session is refused). */
    int ident_pending;
    uint16_t ident_mid, ident_uid;
    int ident_failed;
    uint32_t ident_status;
    int dp_waiting;             /* the ping waits until nothing else is outstanding */
    int each_idx;               /* --all-dialects: index into SMB2_DIALECTS being tried */
    uint8_t ntlm_flags_ok;
    struct ntlm_challenge chal;  /* target_info points into ti[] */
    uint8_t ti[1024];
    int have_chal;
    char nbns_name[16];
    int nbns_done;
    int ext_sec;                /* the server offered extended security (NTLMSSP) */
    int signing;                /* credentialed session on a server that requires signing */
    uint32_t seq;               /* next request's signing sequence number */
    uint8_t sign_key[16];       /* NTLMv2 session base key */
};

static void finish(struct host *h);
static void start_phase(struct host *h, enum phase ph);
static void next_after_smb1(struct host *h);

/* ------------------------------------------------------------------ helpers */

static void drop_conn(struct host *h)
{
    if (h->conn) {
        conn_close(h->conn);
        h->conn = NULL;
    }
}

/* Keeps the first thing worth saying about an exchange that went wrong. */
static void note(struct host *h, const char *what)
{
    if (!h->obs.note[0])
        snprintf(h->obs.note, sizeof h->obs.note, "%s", what);
}

static struct smb1_ids ids(const struct host *h, uint16_t flags2)
{
    if (h->signing)
        flags2 |= SMB1_FLAGS2_SIGNATURES;
    struct smb1_ids i = {h->tid, (uint16_t)SCAN_PID, h->uid, h->mid, flags2};
    return i;
}

/* SMB1 strings are ASCII on the first connection (as the Windows 7 captures show every scanner
 * doing) and UTF-16 on a second one after the server dropped the first mid-ladder. */
#define F2_EXT(h) (uint16_t)(SMB1_FLAGS2_EXT_SEC | SMB1_FLAGS2_NT_STATUS | SMB1_FLAGS2_LONG_NAMES | \
                             ((h)->unicode ? SMB1_FLAGS2_UNICODE : 0))
#define F2_PLAIN(h) (uint16_t)(SMB1_FLAGS2_NT_STATUS | SMB1_FLAGS2_LONG_NAMES | ((h)->unicode ? SMB1_FLAGS2_UNICODE : 0))

static void send_or_end(struct host *h, uint8_t *buf, size_t len, enum step st)
{
    h->step = st;
    h->expect = h->mid;
    if (h->signing && len > 4 && h->phase == PH_SMB1) {
        smb1_sign(buf + 4, len - 4, h->sign_key, sizeof h->sign_key, h->seq);
        h->seq += 2;   /* the reply takes seq + 1 */
    }
    if (len == 0 || conn_send(h->conn, buf, len) != 0) {
        note(h, "a request could not be sent");
        drop_conn(h);
        if (h->phase == PH_SMB1)
            next_after_smb1(h);
        else
            finish(h);
    }
}

static void open_conn(struct host *h)
{
    const struct scan_config *cfg = engine_config(h->eng);
    if (h->conns_used >= MAX_CONNS && h->phase != PH_SMB2_EACH) {
        if (h->phase == PH_SMB1)
            next_after_smb1(h);
        else
            finish(h);
        return;
    }
    if (!engine_rate_ok(h->eng)) {
        h->waiting_rate = 1;
        return;
    }
    h->waiting_rate = 0;
    h->step = ST_CONNECTING;
    h->conn = conn_open(h->eng, h, &h->addr, h->port, cfg->timeout_ms);
    if (!h->conn) {
        note(h, "out of memory opening a connection");
        finish(h);
    }
}

void host_resume(struct host *h)
{
    if (h->waiting_rate && !h->finished)
        open_conn(h);
}

int host_waiting_rate(const struct host *h) { return h->waiting_rate; }

/* ------------------------------------------------------------------ SMB1 requests */

static void send_negotiate(struct host *h)
{
    uint8_t b[BUILD_CAP];
    h->uid = h->tid = 0;
    h->mid = 1;
    struct smb1_ids i = ids(h, F2_EXT(h));
    send_or_end(h, b, smb1_build_negotiate(b, sizeof b, &i), ST_NEG);
}

static void send_ntlm_negotiate(struct host *h, enum step st)
{
    uint8_t blob[256], b[BUILD_CAP];
    size_t bl = ntlmssp_build_negotiate(blob, sizeof blob);
    h->mid++;
    h->uid = 0;
    struct smb1_ids i = ids(h, F2_EXT(h));
    send_or_end(h, b, bl ? smb1_build_session_setup_blob(b, sizeof b, &i, blob, bl) : 0, st);
}

static void send_plain(struct host *h, const char *account, enum step st)
{
    uint8_t b[BUILD_CAP];
    h->mid++;
    h->uid = 0;
    struct smb1_ids i = ids(h, F2_PLAIN(h));
    send_or_end(h, b, smb1_build_session_setup_plain(b, sizeof b, &i, account, ""), st);
}

/* The null session (form a) and, behind it in the same write, an NTLMSSP NEGOTIATE whose
 * CHALLENGE gives the Windows version and names: one round trip instead of two. */
static void send_null_with_ident(struct host *h)
{
    uint8_t b[BUILD_CAP], blob[256];
    h->uid = 0;
    struct smb1_ids i = ids(h, F2_PLAIN(h));
    i.mid = ++h->mid;
    size_t n1 = smb1_build_session_setup_plain(b, sizeof b, &i, "", "");
    size_t bl = ntlmssp_build_negotiate(blob, sizeof blob);
    struct smb1_ids j = ids(h, F2_EXT(h));
    j.mid = ++h->mid;
    size_t n2 = (n1 && bl) ? smb1_build_session_setup_blob(b + n1, sizeof b - n1, &j, blob, bl) : 0;
    h->step = ST_SS_NULL;
    h->expect = i.mid;
    if (n1 && n2) {
        h->ident_pending = 1;
        h->ident_mid = j.mid;
    }
    if (n1 == 0 || conn_send(h->conn, b, n1 + n2) != 0) {
        note(h, "a request could not be sent");
        next_after_smb1(h);
    }
}

static void send_tree(struct host *h)
{
    uint8_t b[BUILD_CAP];
    char path[128];
    snprintf(path, sizeof path, "\\\\%s\\IPC$", h->ip);
    h->mid++;
    h->obs.tree_tried = 1;
    struct smb1_ids i = ids(h, F2_PLAIN(h));
    send_or_end(h, b, smb1_build_tree_connect(b, sizeof b, &i, path), ST_TREE);
}

static void send_peek(struct host *h)
{
    uint8_t b[BUILD_CAP];
    h->mid++;
    h->obs.probe_sent = 1;
    struct smb1_ids i = ids(h, F2_PLAIN(h));
    send_or_end(h, b, smb1_build_peek_nmpipe(b, sizeof b, &i), ST_PEEK);
}

static void send_dp(struct host *h)
{
    uint8_t b[BUILD_CAP];
    /* Not pipelined: nothing else is outstanding, so m+0x10/0x20/0x30 cannot collide. */
    h->mid++;
    h->dp_mid = h->mid;
    h->obs.dp_sent = 1;
    struct smb1_ids i = ids(h, F2_PLAIN(h));
    send_or_end(h, b, smb1_build_dp_ping(b, sizeof b, &i), ST_DP);
}

static void send_smb2_negotiate(struct host *h)
{
    uint8_t b[BUILD_CAP], guid[16];
    for (int k = 0; k < 16; k++)
        guid[k] = (uint8_t)(0x53 + k);
    h->obs.smb2_tried = 1;
    send_or_end(h, b, smb2_build_negotiate(b, sizeof b, 0, guid), ST_SMB2_NEG);
}

static void send_smb2_ss(struct host *h)
{
    uint8_t blob[256], b[BUILD_CAP];
    size_t bl = ntlmssp_build_negotiate(blob, sizeof blob);
    send_or_end(h, b, bl ? smb2_build_session_setup(b, sizeof b, 1, 0, blob, bl) : 0, ST_SMB2_SS);
}

static void send_nbss_request(struct host *h)
{
    uint8_t b[128];
    char label[16];
    const char *name = "*SMBSERVER";
    if (h->name_idx == 1)
        name = h->nbns_name;
    else if (h->name_idx == 2)
        name = h->nbns_name;   /* replaced below by the DNS label when there is one */
    if (h->name_idx == 2 && h->addr.name) {
        size_t n = strcspn(h->addr.name, ".");
        if (n > 15)
            n = 15;
        for (size_t k = 0; k < n; k++)
            label[k] = (char)((h->addr.name[k] >= 'a' && h->addr.name[k] <= 'z') ? h->addr.name[k] - 32 : h->addr.name[k]);
        label[n] = '\0';
        name = label;
    }
    send_or_end(h, b, nbss_build_session_request(b, sizeof b, name, "SMBGUARD"), ST_NBSS_REQ);
}

/* The first request of the current phase, once the transport is ready. */
static void send_smb2_negotiate_one(struct host *h)
{
    uint8_t b[BUILD_CAP], guid[16];
    for (int k = 0; k < 16; k++)
        guid[k] = (uint8_t)(0x53 + k);
    send_or_end(h, b, smb2_build_negotiate_dialects(b, sizeof b, 0, guid, &SMB2_DIALECTS[h->each_idx], 1),
                ST_SMB2_NEG);
}

static void phase_first_request(struct host *h)
{
    if (h->phase == PH_SMB1)
        send_negotiate(h);
    else if (h->phase == PH_SMB2_EACH)
        send_smb2_negotiate_one(h);
    else
        send_smb2_negotiate(h);
}

/* After the SMB2 negotiate: with --all-dialects, the next lower dialect not yet known; else done. */
static void smb2_next_or_finish(struct host *h)
{
    const struct scan_config *cfg = engine_config(h->eng);
    drop_conn(h);
    if (cfg->all_dialects && h->obs.smb2_ok) {
        int start = h->phase == PH_SMB2_EACH ? h->each_idx + 1 : 0;
        for (int i = start; i < 5; i++) {
            if (SMB2_DIALECTS[i] >= h->obs.smb2_dialect)
                break;
            h->each_idx = i;
            h->phase = PH_SMB2_EACH;
            h->obs.smb2_each_tried |= 1u << i;
            open_conn(h);
            return;
        }
    }
    finish(h);
}

/* ------------------------------------------------------------------ phase changes */

static void finish(struct host *h)
{
    if (h->finished)
        return;
    drop_conn(h);
    h->finished = 1;
    h->phase = PH_DONE;
    engine_host_done(h->eng, h);
}

static void start_phase(struct host *h, enum phase ph)
{
    h->phase = ph;
    open_conn(h);
}

/* SMB1 is over (done, refused or failed): learn SMB2 on the same port. */
static void next_after_smb1(struct host *h)
{
    drop_conn(h);
    if (h->obs.not_smb || (h->obs.smb_timeout && !h->obs.any_smb_reply) || h->conns_used >= MAX_CONNS) {
        finish(h);
        return;
    }
    start_phase(h, PH_SMB2);
}

static int try_next_name(struct host *h)
{
    /* candidates: *SMBSERVER, the node-status name, the first DNS label */
    while (++h->name_idx <= 2) {
        if (h->name_idx == 1 && h->nbns_name[0])
            return 1;
        if (h->name_idx == 2 && h->addr.name)
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ events */

static enum port_state *cur_port_state(struct host *h)
{
    return h->port == engine_config(h->eng)->port_smb ? &h->obs.p445 : &h->obs.p139;
}

void host_on_connect(struct host *h, struct conn *c, int status)
{
    const struct scan_config *cfg = engine_config(h->eng);
    if (c != h->conn)
        return;
    enum port_state *ps = cur_port_state(h);
    if (status != 0) {
        drop_conn(h);
        h->obs.connect_errno = status;
        if (*ps != PS_OPEN) {
            *ps = status == UV_ECONNREFUSED ? PS_REFUSED
                : (status == UV_EHOSTUNREACH || status == UV_ENETUNREACH) ? PS_UNREACH : PS_TIMEOUT;
        }
        if (h->phase == PH_SMB1 && !h->nbss && h->obs.p445 != PS_OPEN && h->addr.family == AF_INET &&
            cfg->port_nbss) {
            /* 445 refused or silent: NetBIOS session service on 139. */
            h->nbss = 1;
            h->port = cfg->port_nbss;
            h->name_idx = 0;
            open_conn(h);
            return;
        }
        if (h->phase == PH_SMB1 && *ps == PS_OPEN)
            next_after_smb1(h);
        else if (h->phase == PH_SMB2_EACH)
            smb2_next_or_finish(h);
        else
            finish(h);
        return;
    }
    *ps = PS_OPEN;
    h->obs.port = h->port;
    h->conns_used++;
    if (h->nbss)
        send_nbss_request(h);
    else
        phase_first_request(h);
}

static void parse_challenge_into_obs(struct host *h, const uint8_t *blob, size_t n)
{
    struct ntlm_challenge ch;
    if (ntlmssp_parse_challenge(blob, n, &ch) != 0)
        return;
    struct scan_obs *o = &h->obs;
    if (ch.has_version || ch.version_all_ff) {
        o->has_ntlm_version = 1;
        o->ntlm_version_ff = ch.version_all_ff;
        o->ntlm_major = ch.major;
        o->ntlm_minor = ch.minor;
        o->ntlm_build = ch.build;
        o->ntlm_rev = ch.revision;
    }
    if (ch.nb_computer[0]) text_copy(o->netbios_name, sizeof o->netbios_name, ch.nb_computer);
    if (ch.dns_computer[0]) text_copy(o->dns_name, sizeof o->dns_name, ch.dns_computer);
    if (ch.dns_domain[0]) text_copy(o->domain, sizeof o->domain, ch.dns_domain);
    else if (ch.nb_domain[0] && !o->domain[0]) text_copy(o->domain, sizeof o->domain, ch.nb_domain);
    h->chal = ch;
    size_t tl = ch.target_info_len < sizeof h->ti ? ch.target_info_len : 0;
    if (tl && ch.target_info)
        memcpy(h->ti, ch.target_info, tl);
    h->chal.target_info = tl ? h->ti : NULL;
    h->chal.target_info_len = tl;
    h->have_chal = 1;
}

static void take_session_strings(struct host *h, const struct smb1_session_rsp *sr)
{
    struct scan_obs *o = &h->obs;
    if (sr->native_os[0] && !o->native_os[0]) text_copy(o->native_os, sizeof o->native_os, sr->native_os);
    if (sr->native_lanman[0] && !o->native_lanman[0])
        text_copy(o->native_lanman, sizeof o->native_lanman, sr->native_lanman);
    if (sr->primary_domain[0] && !o->domain[0]) text_copy(o->domain, sizeof o->domain, sr->primary_domain);
}

static int is_busy(uint32_t st)
{
    return st == NT_STATUS_INSUFF_SERVER_RESOURCES || st == NT_STATUS_REQUEST_NOT_ACCEPTED;
}

static void login_ok(struct host *h, const struct smb1_msg *m, enum auth_kind kind)
{
    struct smb1_session_rsp sr;
    if (smb1_parse_session_setup_rsp(m, &sr) == 0) {
        take_session_strings(h, &sr);
        if (sr.action & SMB1_ACTION_GUEST)
            kind = AUTH_GUEST;
    }
    h->obs.auth = kind;
    h->uid = m->uid;
    send_tree(h);
}

/* Supplied credentials go only to hosts identified as Windows, never to an implanted host, and
 * not after the circuit breaker tripped (decisions.md 5). */
static int creds_usable(struct host *h)
{
    const struct scan_config *cfg = engine_config(h->eng);
    if (!cfg->creds || h->obs.login_tried[LF_CREDS])
        return 0;
    struct ident id;
    ident_decide(&h->obs, &id);
    if ((id.kind != ID_WINDOWS && !cfg->creds_any_host) || h->obs.dp == DP_INFECTED || !engine_creds_allowed(h->eng)) {
        h->obs.creds_skipped = 1;
        return 0;
    }
    return 1;
}

/* The login ladder of decisions.md 5: (a) null session, (b) NTLMSSP anonymous, (c) guest,
 * (d) supplied credentials; the first form not yet tried on this host, or the end of SMB1. */
static void send_auth(struct host *h, enum login_form form, uint16_t uid);

static void ladder_next(struct host *h)
{
    struct scan_obs *o = &h->obs;
    if (!o->login_tried[LF_NULL]) {
        if (h->ext_sec && !h->have_chal && !h->ident_pending && !o->login_tried[LF_NTLMSSP_ANON])
            send_null_with_ident(h);
        else
            send_plain(h, "", ST_SS_NULL);
        return;
    }
    if (!o->login_tried[LF_NTLMSSP_ANON]) {
        if (h->ident_pending) {
            h->step = ST_WAIT_IDENT;       /* its CHALLENGE is on the way */
            return;
        }
        if (h->ident_uid && h->have_chal) {
            uint16_t uid = h->ident_uid;
            h->ident_uid = 0;
            send_auth(h, LF_NTLMSSP_ANON, uid);
            return;
        }
        if (h->ident_failed) {
            /* the NEGOTIATE already got a refusal: that is form (b)'s answer */
            h->ident_failed = 0;
            o->login_tried[LF_NTLMSSP_ANON] = 1;
            o->login_status[LF_NTLMSSP_ANON] = h->ident_status;
            ladder_next(h);
            return;
        }
        send_ntlm_negotiate(h, ST_SS_NTLM1);
        return;
    }
    if (!o->login_tried[LF_GUEST]) {
        send_plain(h, "guest", ST_SS_GUEST);
        return;
    }
    if (creds_usable(h)) {
        send_ntlm_negotiate(h, ST_SS_CREDS1);
        return;
    }
    h->ladder_done = 1;
    next_after_smb1(h);
}

static void next_login(struct host *h, enum login_form failed)
{
    (void)failed;
    ladder_next(h);
}

/* After the exchange: one NTLMSSP NEGOTIATE round (never completed) for the Windows version and
 * names in the CHALLENGE, when no earlier round gave them. */
static void ident_or_end(struct host *h)
{
    if (h->ident_pending) {
        h->step = ST_WAIT_IDENT_END;
        return;
    }
    if (!h->obs.has_ntlm_version && !h->have_chal && h->obs.smb1 == SMB1_ACCEPTED && h->ext_sec) {
        send_ntlm_negotiate(h, ST_IDENT);
        return;
    }
    next_after_smb1(h);
}

static void on_login_reply(struct host *h, const struct smb1_msg *m, enum login_form form)
{
    struct scan_obs *o = &h->obs;
    o->login_tried[form] = 1;
    o->login_status[form] = m->status;
    if (m->status == NT_STATUS_SUCCESS) {
        if (form == LF_CREDS && o->sign_req_smb1 == 1) {
            /* MS-SMB 3.2.5.3: the session setup was seq 0, its reply 1; the next request is 2 */
            h->signing = 1;
            h->seq = 2;
        }
        login_ok(h, m, form == LF_CREDS ? AUTH_USER : form == LF_GUEST ? AUTH_GUEST : AUTH_ANONYMOUS);
        return;
    }
    if (is_busy(m->status)) {
        o->busy = 1;
        o->busy_status = m->status;
    }
    if (form == LF_CREDS && (m->status == NT_STATUS_LOGON_FAILURE || m->status == NT_STATUS_ACCOUNT_LOCKED_OUT ||
                             m->status == NT_STATUS_WRONG_PASSWORD)) {
        char why[128];
        snprintf(why, sizeof why, "%s on %s", ntstatus_name(m->status) ? ntstatus_name(m->status) : "logon failure",
                 h->ip);
        engine_creds_trip(h->eng, why);
    }
    next_login(h, form);
}

static void send_dp(struct host *h);

/* The CHALLENGE (or refusal) of the identification NEGOTIATE sent behind the null session. */
static void on_ident_reply(struct host *h, const struct smb1_msg *m)
{
    h->ident_pending = 0;
    if (m->status == NT_STATUS_MORE_PROCESSING_REQUIRED) {
        struct smb1_session_rsp sr;
        if (smb1_parse_session_setup_rsp(m, &sr) == 0) {
            take_session_strings(h, &sr);
            parse_challenge_into_obs(h, sr.sec_blob, sr.sec_blob_len);
        }
        if (h->have_chal)
            h->ident_uid = m->uid;
    }
    if (!h->have_chal) {
        h->ident_failed = 1;
        h->ident_status = m->status;
    }
    if (h->step == ST_WAIT_IDENT) {
        ladder_next(h);
    } else if (h->step == ST_WAIT_IDENT_END) {
        next_after_smb1(h);
    } else if (h->dp_waiting) {
        h->dp_waiting = 0;
        send_dp(h);
    }
}

/* The AUTHENTICATE of form (b) (anonymous) or (d) (NTLMv2 with the supplied credentials) on the
 * pending extended session `uid`, answering h->chal. */
static void send_auth(struct host *h, enum login_form form, uint16_t uid)
{
    uint8_t blob[1024], b[BUILD_CAP];
    size_t bl;
    if (form == LF_CREDS) {
        uint8_t nonce[8], key[16];
        for (int k = 0; k < 8; k++)
            nonce[k] = (uint8_t)rand();
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        uint64_t ft = ((uint64_t)now.tv_sec + 11644473600ull) * 10000000ull + (uint64_t)now.tv_nsec / 100;
        bl = ntlmssp_build_auth_ntlmv2(blob, sizeof blob, &h->chal, engine_config(h->eng)->creds, nonce,
                                       h->chal.timestamp ? h->chal.timestamp : ft, key);
        memcpy(h->sign_key, key, sizeof h->sign_key);
    } else {
        bl = ntlmssp_build_auth_anonymous(blob, sizeof blob, &h->chal);
    }
    h->uid = uid;
    h->mid++;
    struct smb1_ids i = ids(h, F2_EXT(h));
    send_or_end(h, b, bl ? smb1_build_session_setup_blob(b, sizeof b, &i, blob, bl) : 0,
                form == LF_CREDS ? ST_SS_CREDS2 : ST_SS_NTLM2);
}

static void on_smb1(struct host *h, const uint8_t *body, size_t len)
{
    struct scan_obs *o = &h->obs;
    struct smb1_msg m;
    if (smb1_parse(body, len, &m) != 0) {
        if (!o->any_smb_reply)
            o->not_smb = 1;
        else
            note(h, "an SMB1 reply could not be parsed");
        next_after_smb1(h);
        return;
    }
    o->any_smb_reply = 1;
    if (!(m.flags & SMB1_FLAGS_REPLY))
        return;   /* not a reply: ignore */
    if (h->ident_pending && m.mid == h->ident_mid && m.cmd == SMB1_SESSION_SETUP) {
        on_ident_reply(h, &m);
        return;
    }
    /* Every reply but an implant's answer to the ping must carry the request's MID. */
    if (m.mid != h->expect && !(h->step == ST_DP && m.cmd == SMB1_TRANS2)) {
        o->unexpected_mid = 1;
        next_after_smb1(h);
        return;
    }
    switch (h->step) {
    case ST_NEG: {
        struct smb1_negotiate_rsp nr;
        if (m.cmd != SMB1_NEGOTIATE || smb1_parse_negotiate_rsp(&m, &nr) != 0) {
            o->smb1 = SMB1_ODD;
            snprintf(o->note, sizeof o->note, "SMB1 negotiate answered command 0x%02X status 0x%08X", m.cmd, m.status);
            next_after_smb1(h);
            return;
        }
        if (nr.dialect_index == 0xFFFF) {
            o->smb1 = SMB1_REFUSED;
            next_after_smb1(h);
            return;
        }
        if (nr.wct == 13) {
            static const char *const names[] = {"PC NETWORK PROGRAM 1.0", "LANMAN1.0", "Windows for Workgroups 3.1a",
                                                "LM1.2X002", "LANMAN2.1", "NT LM 0.12"};
            o->smb1 = SMB1_LANMAN;
            text_copy(o->smb1_dialect, sizeof o->smb1_dialect, nr.dialect_index < 6 ? names[nr.dialect_index] : "LANMAN");
            next_after_smb1(h);
            return;
        }
        if (nr.wct != 17 || nr.dialect_index != SMB1_NT_DIALECT_INDEX) {
            o->smb1 = SMB1_ODD;
            snprintf(o->note, sizeof o->note, "SMB1 negotiate chose dialect %u with WordCount %u",
                     nr.dialect_index, nr.wct);
            next_after_smb1(h);
            return;
        }
        o->smb1 = SMB1_ACCEPTED;
        text_copy(o->smb1_dialect, sizeof o->smb1_dialect, "NT LM 0.12");
        o->sign_req_smb1 = (nr.security_mode & SMB1_SECMODE_SIGN_REQUIRED) ? 1 : 0;
        o->smb1_caps = nr.capabilities;
        o->has_smb1_caps = 1;
        if (nr.server[0]) text_copy(o->netbios_name, sizeof o->netbios_name, nr.server);
        if (nr.domain[0]) text_copy(o->domain, sizeof o->domain, nr.domain);
        h->ext_sec = (nr.capabilities & SMB1_CAP_EXT_SEC) != 0;
        if (!h->ext_sec)
            h->obs.login_tried[LF_NTLMSSP_ANON] = 1;  /* (b) needs extended security */
        ladder_next(h);
        return;
    }
    case ST_IDENT:
        if (m.cmd == SMB1_SESSION_SETUP && m.status == NT_STATUS_MORE_PROCESSING_REQUIRED) {
            struct smb1_session_rsp sr;
            if (smb1_parse_session_setup_rsp(&m, &sr) == 0) {
                take_session_strings(h, &sr);
                parse_challenge_into_obs(h, sr.sec_blob, sr.sec_blob_len);
            }
        }
        next_after_smb1(h);
        return;
    case ST_SS_NTLM1:
    case ST_SS_CREDS1: {
        enum login_form form = h->step == ST_SS_NTLM1 ? LF_NTLMSSP_ANON : LF_CREDS;
        if (m.cmd == SMB1_SESSION_SETUP && m.status == NT_STATUS_MORE_PROCESSING_REQUIRED) {
            struct smb1_session_rsp sr;
            h->have_chal = 0;
            if (smb1_parse_session_setup_rsp(&m, &sr) == 0) {
                take_session_strings(h, &sr);
                parse_challenge_into_obs(h, sr.sec_blob, sr.sec_blob_len);
            }
            if (!h->have_chal) {
                o->login_tried[form] = 1;
                o->login_status[form] = m.status;
                next_login(h, form);
                return;
            }
            send_auth(h, form, m.uid);
            return;
        }
        on_login_reply(h, &m, form);
        return;
    }
    case ST_SS_NTLM2:
        on_login_reply(h, &m, LF_NTLMSSP_ANON);
        return;
    case ST_SS_NULL:
        on_login_reply(h, &m, LF_NULL);
        return;
    case ST_SS_GUEST:
        on_login_reply(h, &m, LF_GUEST);
        return;
    case ST_SS_CREDS2:
        on_login_reply(h, &m, LF_CREDS);
        return;
    case ST_TREE:
        o->tree_replied = 1;
        if (m.status == NT_STATUS_SUCCESS && m.cmd == SMB1_TREE_CONNECT) {
            o->tree_ok = 1;
            h->tid = m.tid;
            send_peek(h);
            return;
        }
        o->tree_status = m.status;
        if (is_busy(m.status)) {
            o->busy = 1;
            o->busy_status = m.status;
        }
        if (ntstatus_is_access_denied(m.status) && o->auth != AUTH_USER && creds_usable(h)) {
            /* IPC$ refused to the anonymous or guest session: that is what credentials are for */
            o->tree_tried = 0;
            send_ntlm_negotiate(h, ST_SS_CREDS1);
            return;
        }
        ident_or_end(h);
        return;
    case ST_PEEK: {
        const struct scan_config *cfg = engine_config(h->eng);
        o->probe_replied = 1;
        o->probe_cmd = m.cmd;
        o->probe_status = m.status;
        o->probe_dos = m.status_is_dos;
        o->probe_wct = m.wct;
        int vuln = m.cmd == SMB1_TRANS && m.status == NT_STATUS_INSUFF_SERVER_RESOURCES;
        struct ident id;
        ident_decide(o, &id);
        if (cfg->no_doublepulsar) {
            text_copy(o->dp_reason, sizeof o->dp_reason, "disabled");
        } else if (id.kind == ID_NON_WINDOWS && !vuln) {
            text_copy(o->dp_reason, sizeof o->dp_reason, "not_windows");
        } else if (o->auth == AUTH_ANONYMOUS || o->auth == AUTH_GUEST) {
            if (h->ident_pending) {
                h->dp_waiting = 1;     /* never pipelined: wait for the outstanding reply */
                return;
            }
            send_dp(h);
            return;
        } else {
            text_copy(o->dp_reason, sizeof o->dp_reason, "no_anonymous_session");
        }
        ident_or_end(h);
        return;
    }
    case ST_DP: {
        struct dp_result dr;
        o->dp_replied = 1;
        o->dp_status = m.status;
        dp_classify(h->dp_mid, &m, &dr);
        o->dp = dr.state;
        o->dp_delta = dr.delta;
        o->dp_key = dr.key;
        o->dp_x64 = dr.x64;
        text_copy(o->dp_reason, sizeof o->dp_reason, dr.reason);
        ident_or_end(h);
        return;
    }
    default:
        ident_or_end(h);
        return;
    }
}

static void on_smb2(struct host *h, const uint8_t *body, size_t len)
{
    struct scan_obs *o = &h->obs;
    struct smb2_msg m;
    if (smb2_parse(body, len, &m) != 0 || !(m.flags & SMB2_FLAGS_RESPONSE)) {
        note(h, "an SMB2 reply could not be parsed");
        finish(h);
        return;
    }
    o->any_smb_reply = 1;
    if (h->step == ST_SMB2_NEG && h->phase == PH_SMB2_EACH) {
        struct smb2_negotiate_rsp nr;
        if (m.cmd == SMB2_NEGOTIATE && m.status == 0 && smb2_parse_negotiate_rsp(&m, &nr) == 0 &&
            nr.dialect == SMB2_DIALECTS[h->each_idx])
            o->smb2_each_ok |= 1u << h->each_idx;
        smb2_next_or_finish(h);
        return;
    }
    if (h->step == ST_SMB2_NEG) {
        struct smb2_negotiate_rsp nr;
        if (m.cmd != SMB2_NEGOTIATE || m.status != 0 || smb2_parse_negotiate_rsp(&m, &nr) != 0) {
            o->smb2_status = m.status;
            finish(h);
            return;
        }
        o->smb2_ok = 1;
        o->smb2_dialect = nr.dialect;
        o->sign_req_smb2 = (nr.security_mode & SMB2_SECMODE_SIGN_REQUIRED) ? 1 : 0;
        if (!o->has_ntlm_version) {
            send_smb2_ss(h);
            return;
        }
        smb2_next_or_finish(h);
        return;
    }
    if (h->step == ST_SMB2_SS) {
        struct smb2_session_rsp sr;
        /* SMB2 anonymous refusals say nothing about SMB1 logins: only the challenge is used. */
        if (m.cmd == SMB2_SESSION_SETUP && smb2_parse_session_setup_rsp(&m, &sr) == 0)
            parse_challenge_into_obs(h, sr.sec_blob, sr.sec_blob_len);
        smb2_next_or_finish(h);
        return;
    }
    finish(h);
}

void host_on_message(struct host *h, struct conn *c, uint8_t type, const uint8_t *body, size_t len)
{
    struct scan_obs *o = &h->obs;
    if (c != h->conn)
        return;
    if (type == NBSS_KEEPALIVE)
        return;
    if (h->step == ST_NBSS_REQ) {
        if (type == NBSS_POSITIVE) {
            phase_first_request(h);
            return;
        }
        if (type == NBSS_NEGATIVE) {
            o->nbss_negative = 1;
            o->nbss_code = len > 0 ? body[0] : 0;
            drop_conn(h);
            if (try_next_name(h)) {
                open_conn(h);
                return;
            }
            if (h->phase == PH_SMB1)
                finish(h);
            else
                finish(h);
            return;
        }
        if (!o->any_smb_reply)
            o->not_smb = 1;
        finish(h);
        return;
    }
    if (type != NBSS_MESSAGE) {
        if (!o->any_smb_reply)
            o->not_smb = 1;
        if (h->phase == PH_SMB1)
            next_after_smb1(h);
        else
            finish(h);
        return;
    }
    if (smb_is_smb2(body, len)) {
        if (h->phase == PH_SMB1 && h->step == ST_NEG) {
            /* An SMB2 answer to an SMB1-only negotiate: SMB1 is refused. */
            o->any_smb_reply = 1;
            o->smb1 = SMB1_REFUSED;
            next_after_smb1(h);
            return;
        }
        if (h->phase != PH_SMB1) {
            on_smb2(h, body, len);
            return;
        }
        note(h, "SMB2 message in the middle of an SMB1 exchange");
        next_after_smb1(h);
        return;
    }
    if (h->phase != PH_SMB1) {
        /* An SMB1 answer to an SMB2 negotiate: no SMB2. */
        struct smb1_msg m;
        if (smb1_parse(body, len, &m) == 0)
            o->any_smb_reply = 1;
        else if (!o->any_smb_reply)
            o->not_smb = 1;
        finish(h);
        return;
    }
    on_smb1(h, body, len);
}

void host_on_end(struct host *h, struct conn *c, enum conn_end why)
{
    struct scan_obs *o = &h->obs;
    if (c != h->conn)
        return;
    int got = c->got_bytes;
    drop_conn(h);
    if (why == CE_GARBAGE || why == CE_TOO_BIG) {
        if (!o->any_smb_reply)
            o->not_smb = 1;
        else
            note(h, why == CE_TOO_BIG ? "a reply larger than the scanner accepts" : "bytes that are not SMB");
        if (h->phase == PH_SMB1 && o->any_smb_reply)
            next_after_smb1(h);
        else
            finish(h);
        return;
    }
    if (h->phase == PH_SMB2_EACH) {
        smb2_next_or_finish(h);
        return;
    }
    if (h->phase == PH_SMB1) {
        enum login_form lf = LF_COUNT;
        switch (h->step) {
        case ST_SS_NULL: lf = LF_NULL; break;
        case ST_SS_NTLM1: case ST_SS_NTLM2: case ST_WAIT_IDENT: lf = LF_NTLMSSP_ANON; break;
        case ST_SS_GUEST: lf = LF_GUEST; break;
        case ST_SS_CREDS1: case ST_SS_CREDS2: lf = LF_CREDS; break;
        default: break;
        }
        if (lf != LF_COUNT && why != CE_TIMEOUT) {
            /* The server hung up on a login form: that form counts as refused. Go on with the
             * next form on one more connection, in UTF-16 (some servers answer only that), keeping
             * the last connection for SMB2. */
            o->login_tried[lf] = 1;
            o->login_dropped[lf] = 1;
            h->ident_pending = 0;
            h->ident_uid = 0;
            if (!h->unicode && h->conns_used < MAX_CONNS - 1) {
                h->unicode = 1;
                open_conn(h);
                return;
            }
            next_after_smb1(h);
            return;
        }
        if (h->step == ST_NEG || h->step == ST_NBSS_REQ) {
            if (why == CE_TIMEOUT && !got) {
                o->smb_timeout = 1;
                finish(h);
                return;
            }
            if (!got && h->step == ST_NEG) {
                /* closed or reset before any byte: try once more, then call it a reset */
                h->smb1_attempts++;
                if (h->smb1_attempts <= (int)engine_config(h->eng)->retries && h->conns_used < MAX_CONNS) {
                    open_conn(h);
                    return;
                }
                o->smb1 = SMB1_RESET;
                next_after_smb1(h);
                return;
            }
            if (h->step == ST_NBSS_REQ && !got) {
                o->not_smb = o->not_smb || why != CE_TIMEOUT;
                if (why == CE_TIMEOUT)
                    o->smb_timeout = 1;
                finish(h);
                return;
            }
        }
        if (why == CE_TIMEOUT)
            o->smb_timeout = !o->any_smb_reply;
        else if (o->any_smb_reply)
            o->conn_closed = 1;
        switch (h->step) {
        case ST_PEEK: note(h, "the connection ended before the probe reply"); break;
        case ST_TREE: note(h, "the connection ended before the IPC$ tree connect reply"); break;
        case ST_DP:
            o->dp = DP_UNKNOWN;
            text_copy(o->dp_reason, sizeof o->dp_reason, why == CE_TIMEOUT ? "no_reply" : "connection_closed");
            break;
        default: note(h, why == CE_TIMEOUT ? "the SMB1 exchange timed out" : "the server closed the SMB1 connection"); break;
        }
        next_after_smb1(h);
        return;
    }
    finish(h);
}

void host_on_nbns(struct host *h, const uint8_t *p, size_t n)
{
    struct nbns_node_status st;
    if (h->nbns_done || nbns_parse_node_status(p, n, &st) != 0)
        return;
    h->nbns_done = 1;
    const char *nm = nbns_server_name(&st);
    if (nm) {
        text_copy(h->nbns_name, sizeof h->nbns_name, nm);
        if (!h->obs.netbios_name[0])
            text_copy(h->obs.netbios_name, sizeof h->obs.netbios_name, nm);
    }
    if (st.has_mac) {
        memcpy(h->obs.mac, st.mac, 6);
        h->obs.has_mac = 1;
    }
}

/* ------------------------------------------------------------------ lifecycle */

struct host *host_new(struct engine *e, const struct target_addr *addr, uint16_t slot)
{
    struct host *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->eng = e;
    h->addr = *addr;
    h->slot = slot;
    target_addr_str(addr, h->ip, sizeof h->ip);
    clock_gettime(CLOCK_MONOTONIC, &h->t0);
    obs_init(&h->obs);
    return h;
}

void host_start(struct host *h)
{
    const struct scan_config *cfg = engine_config(h->eng);
    h->phase = PH_SMB1;
    h->port = cfg->port_smb;
    if (h->addr.family == AF_INET && !cfg->no_nbns)
        engine_nbns_query(h->eng, h);
    open_conn(h);
}

void host_interrupt(struct host *h)
{
    h->obs.interrupted = 1;
    finish(h);
}

void host_free(struct host *h) { free(h); }
const struct scan_obs *host_obs(const struct host *h) { return &h->obs; }
const char *host_ip(const struct host *h) { return h->ip; }
uint16_t host_slot(const struct host *h) { return h->slot; }
const struct target_addr *host_addr(const struct host *h) { return &h->addr; }

int64_t host_elapsed_ms(const struct host *h)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - h->t0.tv_sec) * 1000 + (now.tv_nsec - h->t0.tv_nsec) / 1000000;
}
