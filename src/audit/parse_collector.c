/* parse_collector.c: the smbguard collector file (docs/collector-format.md): a header line, then
 * sections between #smbguard-begin NAME / #smbguard-end NAME, merged into one LK_COLLECTOR listing
 * (the dism-packages section is read by parse_dism.c). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

static void header(const char *s, struct listing *l)
{
    char buf[1024];
    pu_copy_trim(buf, sizeof buf, s, strlen(s), NULL);
    char *save = NULL;
    for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(t, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *v = eq + 1;
        if (strcmp(t, "host") == 0)
            pu_copy_trim(l->host, sizeof l->host, v, strlen(v), &l->overflow);
        else if (strcmp(t, "domain") == 0)
            pu_copy_trim(l->domain, sizeof l->domain, v, strlen(v), &l->overflow);
        else if (strcmp(t, "ui_language") == 0)
            pu_copy_trim(l->ui_language, sizeof l->ui_language, v, strlen(v), &l->overflow);
        else if (strcmp(t, "time") == 0) {
            int y, mo, d, h, mi, se;
            if (sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) == 6 && mo >= 1 &&
                mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 60)
                l->listing_time = pu_civil(y, mo, d, h, mi, se);
        }
    }
}

/* "Name=Value" or "Name : Value"; returns the value or NULL. */
static const char *kv(const char *line, const char *name)
{
    const char *p = pu_prefix(pu_skipws(line), name);
    if (!p)
        return NULL;
    p = pu_skipws(p);
    if (*p != '=' && *p != ':')
        return NULL;
    return pu_skipws(p + 1);
}

static void wmic_os(struct pline *L, size_t n, struct listing *l)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = L[i].s, *v;
        if ((v = kv(s, "Caption")) && *v && !l->os_name[0])
            pu_set_os_name(l, v);
        else if ((v = kv(s, "Version")) && *v && !l->ver_major) {
            int sp = l->service_pack;
            pu_set_os_version(l, v);
            l->service_pack = sp;
        } else if ((v = kv(s, "ServicePackMajorVersion")) && isdigit((unsigned char)*v))
            l->service_pack = atoi(v);
        else if ((v = kv(s, "ProductType")) && *v >= '1' && *v <= '3')
            l->product_type = *v - '0';
        else if ((v = kv(s, "OSArchitecture")) && *v && !l->arch_bits)
            l->arch_bits = strstr(v, "64") ? 64 : strstr(v, "32") ? 32 : 0;
        else if ((v = kv(s, "LastBootUpTime")) && *v) {
            int64_t t;
            if (pu_wmi_datetime(v, &t) == 0) {
                l->boot_time = t; /* exact UTC beats systeminfo's local wall time */
                l->boot_time_local = 0;
            }
        } else if ((v = kv(s, "LocalDateTime")) && *v && l->listing_time == INT64_MIN) {
            int64_t t;
            if (pu_wmi_datetime(v, &t) == 0)
                l->listing_time = t;
        } else if ((v = kv(s, "CSName")) && *v && !l->host[0])
            pu_copy_trim(l->host, sizeof l->host, v, strlen(v), &l->overflow);
    }
}

static void srv_sys(struct pline *L, size_t n, struct listing *l)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = pu_skipws(L[i].s), *v;
        unsigned a, b, c, d;
        int used = 0;
        if ((v = pu_prefix(s, "path=")))
            pu_copy_trim(l->srv_sys_path, sizeof l->srv_sys_path, v, strlen(v), &l->overflow);
        else if (pu_prefix(s, "absent"))
            l->srv_sys_absent = 1;
        else if (!l->srv_sys_version[0] && sscanf(s, "%u.%u.%u.%u%n", &a, &b, &c, &d, &used) == 4 &&
                 used > 0 && pu_blank(s + used))
            snprintf(l->srv_sys_version, sizeof l->srv_sys_version, "%u.%u.%u.%u", a, b, c, d);
    }
}

static void ubr(struct pline *L, size_t n, struct listing *l)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = pu_skipws(L[i].s);
        const char *r = strstr(s, "REG_DWORD");
        if (r && strstr(s, "UBR")) {
            const char *x = pu_skipws(r + 9);
            long v = strtol(x, NULL, 0);
            if (v > 0 && v < 1000000)
                l->ubr = (int)v;
        } else if (isdigit((unsigned char)*s) && strspn(s, "0123456789") == strlen(s) && strlen(s) < 7) {
            l->ubr = atoi(s);
        }
    }
}

static void appendf(char *dst, size_t cap, const char *what)
{
    size_t k = strlen(dst);
    snprintf(dst + k, cap - k, "%s%s", k ? ", " : "", what);
}

/* Reboot pending = yes, the reason appended to what an earlier section found. */
static void set_reboot(struct listing *l, const char *why)
{
    char w[sizeof l->reboot_why];
    if (l->reboot_pending == 1 && l->reboot_why[0] && !strstr(l->reboot_why, why)) {
        snprintf(w, sizeof w, "%s", l->reboot_why);
        appendf(w, sizeof w, why);
    } else {
        snprintf(w, sizeof w, "%s", l->reboot_pending == 1 && l->reboot_why[0] ? l->reboot_why : why);
    }
    l->reboot_pending = 1;
    pu_copy_trim(l->reboot_why, sizeof l->reboot_why, w, strlen(w), &l->overflow);
}

static void reboot(struct pline *L, size_t n, struct listing *l)
{
    enum { NONE, CBS, WU, PFRO, DISM } cur = NONE;
    int cbs = -1, wu = -1, pfro = -1, dism = -1;
    for (size_t i = 0; i < n; i++) {
        const char *s = pu_skipws(L[i].s);
        if (L[i].n == 0)
            continue;
        const char *c = pu_prefix(s, "#check");
        if (c) {
            c = pu_skipws(c);
            cur = pu_prefix(c, "cbs") ? CBS : pu_prefix(c, "wu") ? WU : pu_prefix(c, "pending-file") ? PFRO
                : pu_prefix(c, "dism") ? DISM : NONE;
            continue;
        }
        int present = pu_prefix(s, "present") != NULL;
        int absent = pu_prefix(s, "absent") != NULL;
        int hkey = pu_prefix(s, "HKEY_LOCAL_MACHINE\\") != NULL || pu_prefix(s, "HKLM\\") != NULL;
        if (cur == CBS || (cur == NONE && hkey && pu_stristr(s, "RebootPending"))) {
            if (present || hkey)
                cbs = 1;
            else if (absent && cbs < 0)
                cbs = 0;
        } else if (cur == WU || (cur == NONE && hkey && pu_stristr(s, "RebootRequired"))) {
            if (present || hkey)
                wu = 1;
            else if (absent && wu < 0)
                wu = 0;
        }
        if (cur == PFRO || cur == NONE) {
            if (pu_stristr(s, "srv.sys"))
                pfro = 1;
            else if (cur == PFRO && pfro < 0 && (absent || pu_stristr(s, "PendingFileRenameOperations")))
                pfro = 0;
        }
        if (cur == DISM || cur == NONE) {
            if (pu_stristr(s, "Install Pending") || pu_stristr(s, "InstallPending"))
                dism = 1;
            else if (cur == DISM && dism < 0)
                dism = 0;
        }
    }
    char why[128] = "";
    if (cbs == 1)
        appendf(why, sizeof why, "CBS RebootPending");
    if (wu == 1)
        appendf(why, sizeof why, "WindowsUpdate RebootRequired");
    if (pfro == 1)
        appendf(why, sizeof why, "PendingFileRenameOperations names srv.sys");
    if (dism == 1)
        appendf(why, sizeof why, "DISM Install Pending");
    if (why[0])
        set_reboot(l, why);
    else if (cbs == 0 && wu == 0 && l->reboot_pending != 1)
        l->reboot_pending = 0; /* a pending reboot from another section (dism-packages) stands */
}

static void smb1(struct pline *L, size_t n, struct listing *l)
{
    int off = 0, on = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = pu_skipws(L[i].s), *v;
        const char *r = strstr(s, "REG_DWORD");
        if (r && pu_prefix(s, "SMB1")) {
            long x = strtol(pu_skipws(r + 9), NULL, 0);
            if (x == 0)
                off = 1;
            else
                on = 1;
        } else if ((v = kv(s, "State"))) {
            if (pu_prefix(v, "Enabled")) {
                on = 1;
                l->smb1_feature_removed = 0;
            } else if (pu_prefix(v, "Disabled") || pu_prefix(v, "Removed")) {
                off = 1;
                l->smb1_feature_removed = 1;
            }
        } else if ((v = kv(s, "EnableSMB1Protocol"))) {
            if (pu_prefix(v, "True"))
                on = 1;
            else if (pu_prefix(v, "False"))
                off = 1;
        }
    }
    if (off)
        l->smb1_server = 0;
    else if (on)
        l->smb1_server = 1;
}

static void service(struct pline *L, size_t n, struct listing *l)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = L[i].s, *v;
        if (strstr(s, "RUNNING"))
            l->server_service_running = 1;
        else if (strstr(s, "STOPPED") || strstr(s, "STOP_PENDING"))
            l->server_service_running = 0;
        else if ((v = kv(s, "Status"))) {
            if (pu_prefix(v, "Running"))
                l->server_service_running = 1;
            else if (pu_prefix(v, "Stopped"))
                l->server_service_running = 0;
        }
    }
}

static int ends_with_port(const char *addr, const char *port)
{
    size_t a = strlen(addr), p = strlen(port);
    return a > p && strcmp(addr + a - p, port) == 0;
}

static void netstat(struct pline *L, size_t n, struct listing *l)
{
    int any = 0, l445 = 0, l139 = 0;
    for (size_t i = 0; i < n; i++) {
        char buf[256];
        pu_copy_trim(buf, sizeof buf, L[i].s, L[i].n, NULL);
        char *save = NULL;
        char *proto = strtok_r(buf, " \t", &save);
        if (!proto || strcmp(proto, "TCP") != 0)
            continue;
        char *local = strtok_r(NULL, " \t", &save);
        char *foreign = strtok_r(NULL, " \t", &save);
        if (!local || !foreign)
            continue;
        any = 1;
        int listening = strcmp(foreign, "0.0.0.0:0") == 0 || strcmp(foreign, "[::]:0") == 0 ||
                        strcmp(foreign, "*:*") == 0;
        if (!listening)
            continue;
        if (ends_with_port(local, ":445"))
            l445 = 1;
        if (ends_with_port(local, ":139"))
            l139 = 1;
    }
    if (any) {
        l->listening_445 = l445;
        l->listening_139 = l139;
    }
}

static void antivirus(struct pline *L, size_t n, struct listing *l)
{
    char buf[LISTING_STR] = "";
    for (size_t i = 0; i < n; i++) {
        if (L[i].n == 0)
            continue;
        char t[LISTING_STR];
        pu_copy_trim(t, sizeof t, L[i].s, L[i].n, NULL);
        size_t k = strlen(buf);
        if (k + strlen(t) + 3 >= sizeof buf) {
            l->overflow = 1;
            break;
        }
        snprintf(buf + k, sizeof buf - k, "%s%s", k ? "; " : "", t);
    }
    pu_copy_trim(l->av_status, sizeof l->av_status, buf, strlen(buf), &l->overflow);
}

struct mstate {
    int hotfix_sections;   /* sections that listed entries */
    int list_complete;     /* a wmic-qfe / get-hotfix-csv section or a complete dism-packages section was read */
    int dism_seen;         /* a dism-packages section was read */
    unsigned dism_hidden;  /* its packages that may hold a fix without naming the KB (parse_dism.c) */
    int dism_cut;          /* its last package was cut */
    int sys_complete;      /* the systeminfo section lists as many entries as it declares, none cut */
    unsigned char sec[LISTING_MAX_ENTRIES];
};

static void merge(struct listing *l, const struct listing *s, struct mstate *ms, int secno, int qfe)
{
    if (!l->host[0] && s->host[0])
        memcpy(l->host, s->host, sizeof l->host);
    if (!l->domain[0] && s->domain[0])
        memcpy(l->domain, s->domain, sizeof l->domain);
    if (!l->os_name[0] && s->os_name[0]) {
        memcpy(l->os_name, s->os_name, sizeof l->os_name);
        memcpy(l->os_name_en, s->os_name_en, sizeof l->os_name_en);
    }
    if (!l->language[0])
        memcpy(l->language, s->language, sizeof l->language);
    if (!l->ver_major && s->ver_major) {
        l->ver_major = s->ver_major;
        l->ver_minor = s->ver_minor;
        l->ver_build = s->ver_build;
    }
    if (l->ubr < 0)
        l->ubr = s->ubr;
    if (l->service_pack < 0)
        l->service_pack = s->service_pack;
    if (l->product_type < 0)
        l->product_type = s->product_type;
    if (!l->system_type[0])
        memcpy(l->system_type, s->system_type, sizeof l->system_type);
    if (!l->arch_bits)
        l->arch_bits = s->arch_bits;
    if (l->boot_time == INT64_MIN && s->boot_time != INT64_MIN) {
        l->boot_time = s->boot_time;
        l->boot_time_local = s->boot_time_local;
    }
    if (l->uptime_s < 0)
        l->uptime_s = s->uptime_s;
    if (s->kind == LK_DISM_PACKAGES) {
        /* complete DISM list: as a wmic list; else its declared count and cut entry are applied at
         * the end (parse_collector_lines), not mixed into systeminfo's */
        if (qfe)
            ms->list_complete = 1;
    } else if (!qfe) {
        if (s->declared_count >= 0)
            l->declared_count = s->declared_count;
        l->cut_entry |= s->cut_entry;
        ms->sys_complete = s->declared_count >= 0 && s->n_entries >= (unsigned)s->declared_count &&
                           !s->cut_entry && !s->overflow;
    } else {
        ms->list_complete = 1;
    }
    l->overflow |= s->overflow;
    int first = ms->hotfix_sections == 0;
    for (unsigned i = 0; i < s->n_entries; i++) {
        const struct hotfix *h = &s->entries[i];
        int dup = 0;
        if (h->kb == 0)
            dup = !first;
        else
            for (unsigned j = 0; j < l->n_entries && !dup; j++)
                dup = l->entries[j].kb == h->kb && ms->sec[j] != secno;
        if (dup)
            continue;
        if (l->n_entries >= LISTING_MAX_ENTRIES) {
            l->overflow = 1;
            break;
        }
        ms->sec[l->n_entries] = (unsigned char)secno;
        l->entries[l->n_entries++] = *h;
    }
    if (s->n_entries)
        ms->hotfix_sections++;
}

int parse_collector_lines(struct pline *L, size_t n, struct listing *l)
{
    if (n == 0 || strncmp(L[0].s, "#smbguard-collector", 19) != 0)
        return 0;
    header(L[0].s + 19, l);
    struct mstate *ms = calloc(1, sizeof *ms);
    struct listing *tmp = malloc(sizeof *tmp);
    if (!ms || !tmp) {
        free(ms);
        free(tmp);
        return 0;
    }
    int secno = 0;
    size_t i = 1;
    while (i < n) {
        const char *b = pu_prefix(L[i].s, "#smbguard-begin");
        if (!b) {
            i++;
            continue;
        }
        char name[64];
        pu_copy_trim(name, sizeof name, b, strlen(b), NULL);
        size_t s = i + 1, e = s;
        while (e < n && !pu_prefix(L[e].s, "#smbguard-end") && !pu_prefix(L[e].s, "#smbguard-begin"))
            e++;
        struct pline *S = L + s;
        size_t sn = e - s;
        secno = (secno + 1) & 0xFF;
        int is_sys = strcmp(name, "systeminfo") == 0;
        int is_qfe = strcmp(name, "wmic-qfe") == 0 || strcmp(name, "get-hotfix-csv") == 0;
        if (is_sys || is_qfe) {
            listing_init(tmp);
            if (parse_dispatch_lines(S, sn, tmp) &&
                (tmp->kind == LK_SYSTEMINFO || tmp->kind == LK_WMIC_QFE || tmp->kind == LK_GET_HOTFIX))
                merge(l, tmp, ms, secno, tmp->kind != LK_SYSTEMINFO);
        } else if (strcmp(name, "dism-packages") == 0) {
            listing_init(tmp);
            if (parse_dism_lines(S, sn, tmp)) {
                unsigned hidden = tmp->declared_count > (int)tmp->n_entries
                                      ? (unsigned)tmp->declared_count - tmp->n_entries : 0;
                int dism_complete = hidden == 0 && !tmp->cut_entry && !tmp->overflow;
                ms->dism_seen = 1;
                ms->dism_hidden += hidden;
                ms->dism_cut |= tmp->cut_entry;
                if (tmp->reboot_pending == 1)
                    set_reboot(l, tmp->reboot_why);
                merge(l, tmp, ms, secno, dism_complete);
            }
        } else if (strcmp(name, "wmic-os") == 0) {
            wmic_os(S, sn, l);
        } else if (strcmp(name, "srv-sys-version") == 0) {
            srv_sys(S, sn, l);
        } else if (strcmp(name, "ubr") == 0) {
            ubr(S, sn, l);
        } else if (strcmp(name, "reboot-pending") == 0) {
            reboot(S, sn, l);
        } else if (strcmp(name, "smb1") == 0) {
            smb1(S, sn, l);
        } else if (strcmp(name, "server-service") == 0) {
            service(S, sn, l);
        } else if (strcmp(name, "netstat") == 0) {
            netstat(S, sn, l);
        } else if (strcmp(name, "antivirus") == 0) {
            antivirus(S, sn, l);
        }
        i = e < n && pu_prefix(L[e].s, "#smbguard-end") ? e + 1 : e;
    }
    if (ms->list_complete || (ms->dism_seen && ms->sys_complete)) {
        l->declared_count = (int)l->n_entries;
        l->cut_entry = 0;
    } else if (ms->dism_seen) {
        /* neither list is complete: the DISM packages whose KB or state is unknown stay unlisted */
        l->declared_count = (int)(l->n_entries + (ms->dism_hidden ? ms->dism_hidden : 1));
        l->cut_entry |= ms->dism_cut;
    }
    free(ms);
    free(tmp);
    l->kind = LK_COLLECTOR;
    l->format = LF_LIST;
    return 1;
}
