/* record_scan.c: turns one host's observations and verdict into the scan record of
 * decisions.md section 7 (field names, order and JSON types are the documented contract). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "proto/smb2.h"
#include "scan/scanner.h"

static const char *const FORM_NAMES[LF_COUNT] = {"NTLMSSP anonymous", "null session", "guest", "credentials"};

static void app(char *out, size_t cap, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void app(char *out, size_t cap, size_t *n, const char *fmt, ...)
{
    if (*n >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(out + *n, cap - *n, fmt, ap);
    va_end(ap);
    if (k > 0)
        *n += (size_t)k < cap - *n ? (size_t)k : cap - *n - 1;
}

/* One line naming the exchanges that decided: logins, tree connect, probe, ping. */
void scan_evidence(const struct scan_obs *o, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    if (o->smb1 == SMB1_REFUSED)
        app(out, cap, &n, "SMB1 negotiate refused; ");
    else if (o->smb1 == SMB1_RESET)
        app(out, cap, &n, "SMB1 negotiate reset twice; ");
    if (o->smb2_ok)
        app(out, cap, &n, "SMB2 negotiate -> %s; ", smb2_dialect_name(o->smb2_dialect) ? smb2_dialect_name(o->smb2_dialect) : "?");
    if (o->has_ntlm_version)
        app(out, cap, &n, "NTLMSSP version %u.%u build %u rev %u; ", o->ntlm_major, o->ntlm_minor, o->ntlm_build,
            o->ntlm_rev);
    static const int order[LF_COUNT] = {LF_NULL, LF_NTLMSSP_ANON, LF_GUEST, LF_CREDS};
    for (int k = 0; k < LF_COUNT; k++) {
        int i = order[k];
        if (!o->login_tried[i])
            continue;
        if (o->login_dropped[i])
            app(out, cap, &n, "%s -> connection closed; ", FORM_NAMES[i]);
        else
            app(out, cap, &n, "%s -> 0x%08X; ", FORM_NAMES[i], o->login_status[i]);
    }
    if (o->tree_replied && o->tree_ok)
        app(out, cap, &n, "IPC$ tree connect -> ok; ");
    else if (o->tree_replied)
        app(out, cap, &n, "IPC$ tree connect -> 0x%08X; ", o->tree_status);
    else if (o->tree_tried)
        app(out, cap, &n, "IPC$ tree connect -> no reply; ");
    if (o->probe_replied)
        app(out, cap, &n, "Trans PeekNamedPipe FID 0 -> 0x%08X WordCount %u%s; ", o->probe_status, o->probe_wct,
            o->probe_cmd != 0x25 ? " (not a Trans reply)" : "");
    else if (o->probe_sent)
        app(out, cap, &n, "Trans PeekNamedPipe FID 0 -> no reply; ");
    if (o->dp_replied)
        app(out, cap, &n, "Trans2 SESSION_SETUP ping -> 0x%08X MID delta 0x%X; ", o->dp_status, (unsigned)o->dp_delta);
    if (o->note[0])
        app(out, cap, &n, "%s; ", o->note);
    if (n >= 2 && out[n - 2] == ';')
        out[n - 2] = '\0';
}

void scan_fill_record(struct record *r, const struct scan_host_view *h)
{
    const struct scan_obs *o = h->obs;
    const struct ident *id = h->id;
    const struct verdict_out *vd = h->vd;
    char buf[64];

    record_reset(r, "scan");
    record_str(r, "ip", h->ip);
    /* The port that decided the verdict; when none opened, the SMB port that was refused or silent. */
    record_int(r, "port", o->port ? o->port : (o->p445 != PS_NOT_TRIED ? h->port_smb : h->port_nbss));
    int64_t open[2];
    unsigned n_open = 0;
    if (o->p445 == PS_OPEN) open[n_open++] = 445;
    if (o->p139 == PS_OPEN) open[n_open++] = 139;
    record_int_array(r, "ports_open", open, n_open);
    record_str(r, "verdict", verdict_name(vd->v));
    record_str(r, "reason", vd->reason);
    record_str(r, "detail", vd->detail);
    if (vd->has_status) {
        snprintf(buf, sizeof buf, "0x%08X", vd->status);
        record_str(r, "nt_status", buf);
    } else {
        record_null(r, "nt_status");
    }
    int smb1 = -1;
    if (o->smb1 == SMB1_ACCEPTED || o->smb1 == SMB1_LANMAN) smb1 = 1;
    else if (o->smb1 == SMB1_REFUSED || (o->smb1 == SMB1_RESET && o->smb2_ok)) smb1 = 0;
    record_tri(r, "smb1", smb1);
    record_str(r, "smb1_dialect", o->smb1_dialect[0] ? o->smb1_dialect : NULL);
    /* Always an array (decisions.md 7): the dialect chosen from an offer of all, [] when SMB2 did
     * not answer or was not tried. */
    static const uint16_t all[5] = {0x0202, 0x0210, 0x0300, 0x0302, 0x0311};
    const char *dl[6];
    unsigned nd = 0;
    for (int i = 0; i < 5; i++)
        if (o->smb2_each_ok & (1u << i))
            dl[nd++] = smb2_dialect_name(all[i]);
    if (o->smb2_ok && smb2_dialect_name(o->smb2_dialect))
        dl[nd++] = smb2_dialect_name(o->smb2_dialect);
    record_str_array(r, "smb2_dialects", dl, nd);
    record_tri(r, "signing_required_smb1", o->sign_req_smb1);
    record_tri(r, "signing_required_smb2", o->sign_req_smb2);
    record_str(r, "os", id->os_name[0] ? id->os_name : NULL);
    record_str(r, "native_os", o->native_os[0] ? o->native_os : NULL);
    record_str(r, "native_lanman", o->native_lanman[0] ? o->native_lanman : NULL);
    record_str(r, "build", id->build_str[0] ? id->build_str : NULL);
    record_str(r, "netbios_name", o->netbios_name[0] ? o->netbios_name : NULL);
    record_str(r, "dns_name", o->dns_name[0] ? o->dns_name : NULL);
    record_str(r, "domain", o->domain[0] ? o->domain : NULL);
    if (o->has_mac) {
        snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", o->mac[0], o->mac[1], o->mac[2],
                 o->mac[3], o->mac[4], o->mac[5]);
        record_str(r, "mac", buf);
    } else {
        record_null(r, "mac");
    }
    record_str(r, "auth", auth_name(o->auth));
    record_str(r, "doublepulsar", dp_state_name(o->dp));
    if (o->dp == DP_INFECTED) {
        record_str(r, "doublepulsar_arch", o->dp_x64 ? "x64" : "x86");
        snprintf(buf, sizeof buf, "0x%08X", o->dp_key);
        record_str(r, "doublepulsar_key", buf);
        record_int(r, "doublepulsar_mid_delta", o->dp_delta);
    } else {
        record_null(r, "doublepulsar_arch");
        record_null(r, "doublepulsar_key");
        record_null(r, "doublepulsar_mid_delta");
    }
    /* not_checked always says why: disabled, not_windows, no_anonymous_session, or not_reached
     * (the exchange ended before the ping could be sent: closed port, no session, no IPC$) */
    record_str(r, "doublepulsar_reason", o->dp_reason[0] ? o->dp_reason : o->dp == DP_NOT_CHECKED ? "not_reached" : NULL);
    record_bool(r, "os_mismatch", vd->os_mismatch);
    char ev[512];
    scan_evidence(o, ev, sizeof ev);
    record_str(r, "evidence", ev[0] ? ev : NULL);
    record_int(r, "elapsed_ms", h->elapsed_ms);
}
