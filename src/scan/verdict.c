/* verdict.c: the verdict table of decisions.md section 2 (first row that applies) and the probe
 * reply mapping of section 4. Every path that does not understand what it saw says `unknown`. */
#include "scan/verdict.h"
#include <stdio.h>
#include <string.h>
#include "proto/ntstatus.h"

static const char *const VERDICT_NAMES[V_COUNT] = {
    "unreachable", "closed", "no_smb", "unknown", "patched", "smb1_disabled",
    "vulnerable", "not_windows", "access_denied",
};

const char *verdict_name(enum verdict v) { return v < V_COUNT ? VERDICT_NAMES[v] : "unknown"; }
int verdict_undecided(enum verdict v) { return v == V_UNKNOWN || v == V_ACCESS_DENIED || v == V_UNREACHABLE; }

const char *dp_state_name(enum dp_state d)
{
    switch (d) {
    case DP_CLEAN: return "clean";
    case DP_INFECTED: return "infected";
    case DP_UNKNOWN: return "unknown";
    default: return "not_checked";
    }
}

const char *auth_name(enum auth_kind a)
{
    switch (a) {
    case AUTH_ANONYMOUS: return "anonymous";
    case AUTH_GUEST: return "guest";
    case AUTH_USER: return "user";
    default: return NULL;
    }
}

static void set(struct verdict_out *out, enum verdict v, int row, const char *reason, const char *detail)
{
    out->v = v;
    out->row = row;
    snprintf(out->reason, sizeof out->reason, "%s", reason);
    snprintf(out->detail, sizeof out->detail, "%s", detail ? detail : "");
}

static void status_reason(uint32_t st, char *buf, size_t cap)
{
    const char *r = ntstatus_reason(st);
    if (r)
        snprintf(buf, cap, "%s", r);
    else
        snprintf(buf, cap, "status_0x%08X", st);
}

static int ports_all(const struct scan_obs *o, enum port_state a, enum port_state b)
{
    int tried = 0, match = 0;
    const enum port_state ps[2] = {o->p445, o->p139};
    for (int i = 0; i < 2; i++) {
        if (ps[i] == PS_NOT_TRIED)
            continue;
        tried++;
        if (ps[i] == a || ps[i] == b)
            match++;
    }
    return tried > 0 && tried == match;
}

/* The probe reply mapping of decisions.md section 4 (rows 7 and 10 of the verdict table). */
static void probe_mapping(const struct scan_obs *o, const struct ident *id, struct verdict_out *out)
{
    char r[48], d[256];
    const int nofix = ident_no_fix_exists(o, id);
    out->has_status = 1;
    out->status = o->probe_status;
    if (o->probe_cmd != 0x25 || o->probe_dos) {
        snprintf(d, sizeof d, "probe answered with %s 0x%08X (command 0x%02X): not understood",
                 o->probe_dos ? "DOS-form error" : "status", o->probe_status, o->probe_cmd);
        set(out, V_UNKNOWN, 10, o->probe_dos ? "probe_dos_error" : "probe_unexpected_reply", d);
        return;
    }
    if (nofix) {
        status_reason(o->probe_status, r, sizeof r);
        snprintf(d, sizeof d, "no MS17-010 fix exists for this Windows; probe answered 0x%08X", o->probe_status);
        set(out, V_UNKNOWN, 10, r, d);
        return;
    }
    switch (o->probe_status) {
    case NT_STATUS_INVALID_HANDLE:
        if (id->kind == ID_WINDOWS)
            set(out, V_PATCHED, 10, "invalid_handle",
                "PeekNamedPipe on FID 0 answered STATUS_INVALID_HANDLE: the MS17-010 fix clamps the request");
        else if (id->kind == ID_NON_WINDOWS)
            set(out, V_NOT_WINDOWS, 10, id->reason, "not Windows; probe answered STATUS_INVALID_HANDLE");
        else
            set(out, V_UNKNOWN, 10, "invalid_handle_os_unidentified",
                "probe answered STATUS_INVALID_HANDLE but the server was not identified as Windows");
        return;
    case NT_STATUS_ACCESS_DENIED:
        if (id->kind == ID_WINDOWS && id->major == 10 && id->build >= 10240)
            set(out, V_PATCHED, 10, "access_denied_win10",
                "Windows 10 / Server 2016 answers the probe STATUS_ACCESS_DENIED when patched");
        else
            set(out, V_UNKNOWN, 10, "trans_access_denied",
                "probe answered STATUS_ACCESS_DENIED: patched, or the session may not use IPC$ transactions");
        return;
    default:
        if (id->kind == ID_NON_WINDOWS) {
            snprintf(d, sizeof d, "not Windows; probe answered 0x%08X", o->probe_status);
            set(out, V_NOT_WINDOWS, 10, id->reason, d);
            return;
        }
        status_reason(o->probe_status, r, sizeof r);
        snprintf(d, sizeof d, "probe answered 0x%08X: not a known MS17-010 answer", o->probe_status);
        set(out, V_UNKNOWN, 10, r, d);
    }
}

void verdict_decide(const struct scan_obs *o, const struct ident *id, struct verdict_out *out)
{
    char d[256], r[48];
    memset(out, 0, sizeof *out);

    /* Ctrl-C: a host cut short is undecided unless what it already answered decides it. */
    if (o->interrupted && !o->probe_replied && !((o->smb1 == SMB1_REFUSED || o->smb1 == SMB1_RESET) && o->smb2_ok)) {
        set(out, V_UNKNOWN, 11, "interrupted", "the scan was interrupted before this host was decided");
        return;
    }
    /* Row 1-2: nothing answered, or only resets. */
    if (ports_all(o, PS_TIMEOUT, PS_UNREACH)) {
        int icmp = o->p445 == PS_UNREACH || o->p139 == PS_UNREACH;
        set(out, V_UNREACHABLE, 1, icmp ? "icmp_unreachable" : "tcp_timeout",
            icmp ? "ICMP unreachable on every port tried" : "no SYN-ACK or RST before the deadline on every port tried");
        return;
    }
    if (ports_all(o, PS_REFUSED, PS_REFUSED)) {
        set(out, V_CLOSED, 2, "refused", "connection refused on every port tried");
        return;
    }
    if (o->p445 != PS_OPEN && o->p139 != PS_OPEN) {
        snprintf(d, sizeof d, "port 445 %s, port 139 %s",
                 o->p445 == PS_REFUSED ? "refused" : o->p445 == PS_NOT_TRIED ? "not tried" : "filtered",
                 o->p139 == PS_REFUSED ? "refused" : o->p139 == PS_NOT_TRIED ? "not tried" : "filtered");
        set(out, V_UNKNOWN, 11, "ports_mixed", d);
        return;
    }
    /* Row 3-4: a handshake, then no SMB. */
    if (o->not_smb && !o->any_smb_reply) {
        set(out, V_NO_SMB, 3, "not_smb_reply", o->port == 139 ? "port 139 did not answer as NetBIOS session service"
                                                               : "the peer answered bytes that are not SMB");
        return;
    }
    if (o->nbss_negative && !o->any_smb_reply) {
        snprintf(d, sizeof d, "NetBIOS session request refused (code 0x%02X) for every name tried", o->nbss_code);
        set(out, V_UNKNOWN, 11, "nbss_negative", d);
        return;
    }
    if (!o->any_smb_reply) {
        set(out, V_UNKNOWN, 4, "smb_timeout", "handshake completed but no SMB reply before the deadline");
        return;
    }
    /* Row 5: shipped fixed. */
    if (id->kind == ID_WINDOWS && id->major == 10 && id->build >= 15063) {
        snprintf(d, sizeof d, "%s (build %u) shipped with the MS17-010 fix", id->os_name, id->build);
        set(out, V_PATCHED, 5, "shipped_fixed", d);
        return;
    }
    /* Row 6: SMB1 refused, SMB2 works. */
    if ((o->smb1 == SMB1_REFUSED || o->smb1 == SMB1_RESET) && o->smb2_ok) {
        set(out, V_SMB1_DISABLED, 6, "smb1_refused",
            "not exploitable by EternalBlue while SMB1 stays off; patch level not checked (run audit)");
        return;
    }
    /* Row 7: the vulnerable answer, never overridden by identification. */
    if (o->probe_replied && o->probe_cmd == 0x25 && !o->probe_dos &&
        o->probe_status == NT_STATUS_INSUFF_SERVER_RESOURCES && o->probe_wct == 0) {
        int nofix = ident_no_fix_exists(o, id);
        set(out, V_VULNERABLE, 7, nofix ? "no_fix_exists" : "insuff_server_resources",
            nofix ? "PeekNamedPipe on FID 0 answered STATUS_INSUFF_SERVER_RESOURCES; no fix exists for this Windows: isolate it"
                  : "PeekNamedPipe on FID 0 answered STATUS_INSUFF_SERVER_RESOURCES: MS17-010 is missing");
        out->has_status = 1;
        out->status = o->probe_status;
        out->os_mismatch = id->kind == ID_NON_WINDOWS;
        return;
    }
    /* Row 8: not Windows. */
    if (id->kind == ID_NON_WINDOWS) {
        snprintf(d, sizeof d, "identified as non-Windows (%s): MS17-010 is a Windows flaw", id->reason);
        set(out, V_NOT_WINDOWS, 8, id->reason, d);
        if (o->probe_replied && o->probe_cmd == 0x25) {
            out->has_status = 1;      /* the probe's answer, as evidence */
            out->status = o->probe_status;
        }
        return;
    }
    /* Row 9: every login refused, or IPC$ refused. */
    if (o->smb1 == SMB1_ACCEPTED && o->auth == AUTH_NONE) {
        /* Every form tried was refused: an access-denied status, or the server hung up on it;
         * at least one must be an explicit refusal (a server that only hangs up is not "needs
         * credentials", it is not understood). */
        int tried = 0, refused = 0, explicit = 0, last = -1;
        for (int i = 0; i < LF_COUNT; i++) {
            if (!o->login_tried[i])
                continue;
            tried++;
            if (o->login_dropped[i]) {
                refused++;
            } else if (ntstatus_is_access_denied(o->login_status[i])) {
                refused++;
                explicit++;
                last = i;
            }
        }
        if (tried > 0 && tried == refused && explicit > 0 && !o->busy) {
            status_reason(o->login_status[last], r, sizeof r);
            set(out, V_ACCESS_DENIED, 9, r, "needs credentials; not evidence of safety");
            out->has_status = 1;
            out->status = o->login_status[last];
            return;
        }
    }
    if (o->tree_replied && !o->tree_ok && ntstatus_is_access_denied(o->tree_status)) {
        status_reason(o->tree_status, r, sizeof r);
        set(out, V_ACCESS_DENIED, 9, r, "IPC$ tree connect refused: needs credentials; not evidence of safety");
        out->has_status = 1;
        out->status = o->tree_status;
        return;
    }
    /* Row 10: the probe reply mapping. */
    if (o->probe_replied && !o->unexpected_mid) {
        probe_mapping(o, id, out);
        return;
    }
    /* Row 11: anything else, with what was seen. */
    if (o->unexpected_mid) {
        set(out, V_UNKNOWN, 11, "unexpected_mid", "a reply carried a MID no request had");
    } else if (o->smb1 == SMB1_RESET) {
        set(out, V_UNKNOWN, 11, "smb1_reset_no_smb2",
            "SMB1 negotiate reset twice and SMB2 did not work: overload, a connection limit or a middlebox");
    } else if (o->smb1 == SMB1_REFUSED) {
        set(out, V_UNKNOWN, 11, "smb1_refused_no_smb2", "SMB1 refused and SMB2 did not answer");
    } else if (o->busy) {
        status_reason(o->busy_status, r, sizeof r);
        snprintf(d, sizeof d, "server busy before the probe (0x%08X): not evidence either way", o->busy_status);
        set(out, V_UNKNOWN, 11, r, d);
        out->has_status = 1;
        out->status = o->busy_status;
    } else if (o->tree_replied && !o->tree_ok) {
        status_reason(o->tree_status, r, sizeof r);
        snprintf(d, sizeof d, "IPC$ tree connect failed with 0x%08X", o->tree_status);
        set(out, V_UNKNOWN, 11, r, d);
        out->has_status = 1;
        out->status = o->tree_status;
    } else if (o->probe_sent && !o->probe_replied) {
        set(out, V_UNKNOWN, 11, "probe_no_reply", "the MS17-010 probe got no reply before the deadline");
    } else if (o->smb1 == SMB1_ODD) {
        set(out, V_UNKNOWN, 11, "smb1_unexpected_reply", o->note[0] ? o->note : "SMB1 reply not understood");
    } else if (o->conn_closed) {
        set(out, V_UNKNOWN, 11, "connection_closed", o->note[0] ? o->note : "the server closed the connection mid-exchange");
    } else if (o->interrupted) {
        set(out, V_UNKNOWN, 11, "interrupted", "the scan was interrupted before this host was decided");
    } else {
        set(out, V_UNKNOWN, 11, "undecided", o->note[0] ? o->note : "the exchange ended before the probe");
    }
}
