/* decide.c: the listings of one host to one verdict, by the decision order of decisions.md 8 (first
 * rule that applies): 0 shipped fixed, 1 srv.sys, 2 Windows 10 build.UBR, 3 fixing KB (reboot
 * pending), 4 no fix for this level, 5 unverified / newer-than-table KB, 6 truncated list or unknown
 * OS, 7 complete list without a fixing KB. Snapshots: a fixing KB in any listing counts; the newest
 * snapshot decides the OS row and must hold the complete list. Unrecognised files and lists of
 * missing updates are never evidence. Pure: no I/O. */
#include "audit/decide.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DAY 86400
#define MAX_TZ (14 * 3600)     /* the widest UTC offset: a local date spans [d - 14h, d + 38h) in UTC */
#define MAX_FIX 256            /* fixing entries examined for the reboot rule */

const char *audit_verdict_name(enum audit_verdict v)
{
    switch (v) {
    case AV_PATCHED: return "patched";
    case AV_VULNERABLE: return "vulnerable";
    case AV_NOT_AFFECTED: return "not_affected";
    case AV_UNKNOWN: return "unknown";
    }
    return "unknown";
}

const char *audit_confidence_name(enum audit_confidence c)
{
    switch (c) {
    case AC_LOW: return "low";
    case AC_MEDIUM: return "medium";
    case AC_HIGH: return "high";
    }
    return "low";
}

int audit_version_parse(const char *s, unsigned v[4])
{
    int parts = 0;
    v[0] = v[1] = v[2] = v[3] = 0;
    if (!s)
        return -1;
    while (*s == ' ' || *s == '\t')
        s++;
    while (parts < 4 && *s >= '0' && *s <= '9') {
        unsigned long x = 0;
        while (*s >= '0' && *s <= '9') {
            x = x * 10 + (unsigned long)(*s - '0');
            if (x > 0xFFFFFFFFul)
                return -1;
            s++;
        }
        v[parts++] = (unsigned)x;
        if (*s != '.')
            break;
        s++;
    }
    return parts >= 2 ? parts : -1;
}

static int vcmp(const unsigned a[4], const unsigned b[4])
{
    for (int i = 0; i < 4; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static int is_evidence(const struct listing *l)
{
    return l->kind != LK_UNRECOGNISED && l->kind != LK_MISSING_UPDATES;
}

/* ---- one host's listings ---------------------------------------------------------------------- */

struct ctx {
    const struct audit_host *h;
    const struct listing *ev[AUDIT_MAX_SOURCES];   /* evidence listings */
    int newest[AUDIT_MAX_SOURCES];                 /* ev[i] belongs to the newest snapshot */
    unsigned nev;
    const struct listing *os_src;                  /* the listing that gave the OS row */
    struct os_id os;
    int os_known;
    const struct family_info *fi;
    struct audit_result *r;
};

static int ver_cmp_l(const struct listing *a, const struct listing *b)
{
    unsigned va[4] = { a->ver_major, a->ver_minor, a->ver_build, 0 };
    unsigned vb[4] = { b->ver_major, b->ver_minor, b->ver_build, 0 };
    if (a->ver_build == b->ver_build && a->ubr >= 0 && b->ubr >= 0) {
        va[3] = (unsigned)a->ubr;
        vb[3] = (unsigned)b->ubr;
    }
    return vcmp(va, vb);
}

/* 1 when listing a is a later snapshot than b: a higher build (build.UBR), else a later listing time,
 * else (two listings without their own time) a later boot. Times closer than an hour are one snapshot. */
static int newer(const struct listing *a, const struct listing *b)
{
    if (a->ver_major && b->ver_major) {
        int c = ver_cmp_l(a, b);
        if (c)
            return c > 0;
    }
    if (a->listing_time != INT64_MIN && b->listing_time != INT64_MIN)
        return a->listing_time > b->listing_time + 3600;
    if (a->listing_time == INT64_MIN && b->listing_time == INT64_MIN && a->boot_time != INT64_MIN &&
        b->boot_time != INT64_MIN)
        return a->boot_time > b->boot_time + 3600;
    return 0;
}

static void collect(struct ctx *c)
{
    for (unsigned i = 0; i < c->h->n; i++)
        if (c->h->src[i] && is_evidence(c->h->src[i]) && c->nev < AUDIT_MAX_SOURCES)
            c->ev[c->nev++] = c->h->src[i];
    for (unsigned i = 0; i < c->nev; i++) {
        c->newest[i] = 1;
        for (unsigned k = 0; k < c->nev; k++)
            if (k != i && newer(c->ev[k], c->ev[i]))
                c->newest[i] = 0;
    }
}

/* The OS row: the newest snapshot's listing that identifies the OS (highest version first). */
static void pick_os(struct ctx *c)
{
    const struct listing *best = NULL;
    struct os_id first;
    int have_first = 0;

    for (int pass = 0; pass < 2 && !c->os_known; pass++)
        for (unsigned i = 0; i < c->nev; i++) {
            const struct listing *l = c->ev[i];
            struct os_id o;
            if ((pass == 0 && !c->newest[i]) || !l->ver_major)
                continue;
            int ok = audit_identify(l, &o) == 0;
            if (!have_first) {
                first = o;
                have_first = 1;
            }
            if (ok && (!best || ver_cmp_l(l, best) > 0)) {
                best = l;
                c->os = o;
                c->os_known = 1;
            }
        }
    c->os_src = best;
    if (!c->os_known) {
        if (have_first)
            c->os = first;
        else if (c->nev)
            audit_identify(c->ev[0], &c->os);
    }
}

/* ---- output helpers --------------------------------------------------------------------------- */

static void set(struct audit_result *r, enum audit_verdict v, const char *reason, enum audit_confidence cf)
{
    r->verdict = v;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
    r->confidence = cf;
}

static void evid(struct audit_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void evid(struct audit_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->evidence, sizeof r->evidence, fmt, ap);
    va_end(ap);
    for (char *p = r->evidence; *p; p++)           /* one line */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* "KB4012215 (path:42)" */
static void kb_at(char *buf, size_t cap, const struct listing *l, const struct hotfix *e)
{
    snprintf(buf, cap, "KB%" PRIu32 " (%s:%u)", e->kb, l->path, e->line);
}

static void fmt_date(char *buf, size_t cap, int64_t t, int date_only, int local)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t == INT64_MIN || !gmtime_r(&tt, &tm)) {
        snprintf(buf, cap, "%s", "?");
        return;
    }
    if (date_only)
        strftime(buf, cap, "%Y-%m-%d", &tm);
    else
        strftime(buf, cap, local ? "%Y-%m-%d %H:%M (local)" : "%Y-%m-%d %H:%M UTC", &tm);
}

/* ---- KB entries ------------------------------------------------------------------------------- */

struct found {
    const struct listing *l;
    const struct hotfix *e;
    const struct kb_info *ki;
};

/* The first entry (newest snapshot first, then listing order) whose table effect is `eff`. */
static int find_effect(const struct ctx *c, enum kb_effect eff, struct found *f)
{
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < c->nev; i++) {
            if ((pass == 0) != (c->newest[i] != 0))
                continue;
            const struct listing *l = c->ev[i];
            for (unsigned k = 0; k < l->n_entries && k < LISTING_MAX_ENTRIES; k++) {
                const struct hotfix *e = &l->entries[k];
                const struct kb_info *ki = e->kb ? kbtable_lookup(c->os.family, e->kb) : NULL;
                if (ki && ki->effect == eff) {
                    f->l = l;
                    f->e = e;
                    f->ki = ki;
                    return 1;
                }
            }
        }
    return 0;
}

/* Windows 10: the highest UBR any listed CU sets (the newest installed CU), with its entry. */
static int mapped_ubr(const struct ctx *c, struct found *f)
{
    int best = 0;
    for (unsigned i = 0; i < c->nev; i++) {
        const struct listing *l = c->ev[i];
        if (l->ver_major && l->ver_build != c->os.build)
            continue;
        for (unsigned k = 0; k < l->n_entries && k < LISTING_MAX_ENTRIES; k++) {
            const struct hotfix *e = &l->entries[k];
            const struct kb_info *ki = e->kb ? kbtable_lookup(c->os.family, e->kb) : NULL;
            if (ki && ki->ubr > best) {
                best = ki->ubr;
                f->l = l;
                f->e = e;
                f->ki = ki;
            }
        }
    }
    return best;
}

/* ---- reboot pending --------------------------------------------------------------------------- */

enum order { ORD_UNKNOWN, ORD_BEFORE, ORD_AFTER };

/* Install time vs boot time; ORD_UNKNOWN whenever the order is not certain (decisions.md 8 "Reboot
 * pending"): a date-only InstalledOn on the boot day, an exact UTC time within a day of a local boot. */
static enum order install_vs_boot(const struct hotfix *e, int64_t boot, int boot_local)
{
    int64_t t = e->installed_on;
    if (t == INT64_MIN || boot == INT64_MIN)
        return ORD_UNKNOWN;
    if (e->installed_on_date_only) {
        if (boot_local) {
            int64_t dd = t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
            int64_t bd = boot >= 0 ? boot / DAY : -((-boot + DAY - 1) / DAY);
            return dd < bd ? ORD_BEFORE : dd > bd ? ORD_AFTER : ORD_UNKNOWN;
        }
        if (t + DAY + MAX_TZ <= boot)
            return ORD_BEFORE;
        if (t - MAX_TZ > boot)
            return ORD_AFTER;
        return ORD_UNKNOWN;
    }
    if (boot_local) {
        if (t <= boot - DAY)
            return ORD_BEFORE;
        if (t >= boot + DAY)
            return ORD_AFTER;
        return ORD_UNKNOWN;
    }
    return t < boot ? ORD_BEFORE : t > boot ? ORD_AFTER : ORD_UNKNOWN;
}

/* The last boot: systeminfo's System Boot Time or the collector's, else (XP/2003 "System Up Time")
 * the listing's own time minus the uptime. Newest snapshot first, latest boot wins. */
static int64_t last_boot(const struct ctx *c, int *local, const struct listing **from)
{
    int64_t best = INT64_MIN;
    for (int pass = 0; pass < 2 && best == INT64_MIN; pass++)
        for (unsigned i = 0; i < c->nev; i++) {
            const struct listing *l = c->ev[i];
            int64_t b = INT64_MIN;
            int loc = 0;
            if ((pass == 0) != (c->newest[i] != 0))
                continue;
            if (l->boot_time != INT64_MIN) {
                b = l->boot_time;
                loc = l->boot_time_local;
            } else if (l->uptime_s >= 0 && l->listing_time != INT64_MIN) {
                b = l->listing_time - l->uptime_s;
                loc = l->kind == LK_SYSTEMINFO;
            }
            if (b != INT64_MIN && b > best) {
                best = b;
                *local = loc;
                *from = l;
            }
        }
    return best;
}

struct reboot {
    int pending;                  /* -1 unknown, 0 no, 1 yes (as reported in the result) */
    int fix_inactive;             /* 1: the fix is not active yet (verdict vulnerable) */
    struct found after;           /* a fixing KB installed after the boot */
    const struct listing *flag;   /* the collector that said a reboot is pending */
    int64_t boot;
    int boot_local;
};

/* Dates: the fix is active when any fixing KB was certainly installed before the last boot; inactive
 * when every fixing KB was certainly installed after it; else unknown. The collector's reboot-pending
 * flag makes the fix inactive unless a fixing KB certainly predates the boot. */
static void reboot_state(const struct ctx *c, struct reboot *rb)
{
    const struct listing *bl = NULL;
    int any_before = 0, n_after = 0, n_unknown = 0, flag = -1;

    memset(rb, 0, sizeof *rb);
    rb->boot = last_boot(c, &rb->boot_local, &bl);
    for (unsigned i = 0; i < c->nev; i++) {
        const struct listing *l = c->ev[i];
        if (c->newest[i] && l->reboot_pending == 1) {
            flag = 1;
            rb->flag = l;
        } else if (c->newest[i] && l->reboot_pending == 0 && flag < 0) {
            flag = 0;
        }
        for (unsigned k = 0; k < l->n_entries && k < LISTING_MAX_ENTRIES; k++) {
            const struct hotfix *e = &l->entries[k];
            const struct kb_info *ki = e->kb ? kbtable_lookup(c->os.family, e->kb) : NULL;
            if (!ki || ki->effect != KBE_FIXES)
                continue;
            /* an entry without a date (systeminfo) is the same install as a dated entry of that KB */
            int dated_elsewhere = 0;
            if (e->installed_on == INT64_MIN)
                for (unsigned j = 0; j < c->nev && !dated_elsewhere; j++)
                    for (unsigned m = 0; m < c->ev[j]->n_entries && m < LISTING_MAX_ENTRIES; m++)
                        if (c->ev[j]->entries[m].kb == e->kb &&
                            c->ev[j]->entries[m].installed_on != INT64_MIN) {
                            dated_elsewhere = 1;
                            break;
                        }
            if (dated_elsewhere)
                continue;
            switch (install_vs_boot(e, rb->boot, rb->boot_local)) {
            case ORD_BEFORE:
                any_before = 1;
                break;
            case ORD_AFTER:
                if (!n_after++) {
                    rb->after.l = l;
                    rb->after.e = e;
                    rb->after.ki = ki;
                }
                break;
            default:
                n_unknown++;
            }
        }
    }
    int by_date = any_before ? 0 : (n_after > 0 && n_unknown == 0) ? 1 : -1;
    rb->fix_inactive = by_date == 1 || (flag == 1 && by_date != 0);
    rb->pending = (by_date == 1 || flag == 1) ? 1 : (by_date == 0 || flag == 0) ? 0 : -1;
}

/* ---- list completeness (rule 6) ---------------------------------------------------------------- */

static unsigned file1_entries(const struct listing *l)
{
    unsigned n = 0;
    for (unsigned k = 0; k < l->n_entries && k < LISTING_MAX_ENTRIES; k++)
        if (l->entries[k].kb == 0 && strncasecmp(l->entries[k].raw, "File", 4) == 0)
            n++;
    return n;
}

static int same_date(const struct listing *a, const struct listing *b)
{
    if (a->listing_time == INT64_MIN || b->listing_time == INT64_MIN)
        return 1;
    int64_t d = a->listing_time - b->listing_time;
    return d < DAY && d > -DAY;
}

static int is_qfe(const struct listing *l)
{
    return l->kind == LK_WMIC_QFE || l->kind == LK_GET_HOTFIX;
}

/* 1 when the listing can prove a KB absent; else 0 with the reason in why. */
static int complete(const struct ctx *c, const struct listing *l, char *why, size_t cap)
{
    if (l->overflow) {
        snprintf(why, cap, "%s: more entries than could be read", l->path);
        return 0;
    }
    if (l->cut_entry) {
        snprintf(why, cap, "%s: the hotfix list ends in a cut entry", l->path);
        return 0;
    }
    if (l->declared_count >= 0 && l->n_entries < (unsigned)l->declared_count) {
        snprintf(why, cap, "%s: declared %d hotfixes, listed %u", l->path, l->declared_count, l->n_entries);
        return 0;
    }
    if (l->declared_count < 0 && l->n_entries == 0) {
        snprintf(why, cap, "%s: holds no hotfix list", l->path);
        return 0;
    }
    unsigned f1 = file1_entries(l);
    if (l->kind == LK_SYSTEMINFO && f1) {
        /* proven complete only by a wmic qfe of the same host and date with as many rows */
        unsigned want = l->declared_count >= 0 ? (unsigned)l->declared_count : l->n_entries;
        for (unsigned i = 0; i < c->nev; i++) {
            const struct listing *w = c->ev[i];
            if (is_qfe(w) && w->n_entries == want && !w->cut_entry && !w->overflow && same_date(w, l) &&
                file1_entries(w) == 0)
                return 1;
        }
        snprintf(why, cap, "%s: %u \"File 1\" entries hide their KB numbers (add wmic qfe list full)", l->path, f1);
        return 0;
    }
    if (l->kind == LK_COLLECTOR && f1) {
        /* merged sections: "File 1" entries are proven only when a wmic / Get-HotFix section gave
         * KB numbers for such entries (HotFixID "File 1" with the KB from ServicePackInEffect) */
        for (unsigned k = 0; k < l->n_entries && k < LISTING_MAX_ENTRIES; k++)
            if (l->entries[k].kb != 0 && strncasecmp(l->entries[k].raw, "File", 4) == 0)
                return 1;
        snprintf(why, cap, "%s: %u \"File 1\" entries hide their KB numbers (add a wmic-qfe section)", l->path, f1);
        return 0;
    }
    if (is_qfe(l)) {
        if (f1) {
            snprintf(why, cap, "%s: %u \"File 1\" entries without a KB number", l->path, f1);
            return 0;
        }
        int compared = 0;
        for (unsigned i = 0; i < c->nev; i++) {
            const struct listing *s = c->ev[i];
            if (s->kind != LK_SYSTEMINFO || s->declared_count < 0 || !same_date(s, l))
                continue;
            compared = 1;
            if ((unsigned)s->declared_count == l->n_entries)
                return 1;
        }
        if (compared) {
            snprintf(why, cap, "%s: %u rows, not the count systeminfo declares", l->path, l->n_entries);
            return 0;
        }
        if (!l->host[0]) {
            snprintf(why, cap, "%s: a list that names no host cannot be checked for completeness", l->path);
            return 0;
        }
        return 1;
    }
    return 1;
}

/* ---- the rules -------------------------------------------------------------------------------- */

static int srv_sys_family_ok(const struct os_id *os, const unsigned v[4])
{
    if (v[0] != os->major || v[1] != os->minor)
        return 0;
    if (v[2] == os->build)
        return 1;
    return os->major == 6 && os->minor == 0 && (v[2] == 6002 || v[2] == 6003) &&
           (os->build == 6002 || os->build == 6003);
}

/* 1 fixed, 0 not, -1 no threshold known. Vista/2008: the GDR/LDR branch test on 6.0.6002.x only. */
static int srv_sys_fixed(const struct family_info *fi, const unsigned v[4])
{
    unsigned g[4], d[4];
    if (!fi || !fi->srv_sys_fixed || audit_version_parse(fi->srv_sys_fixed, g) < 4)
        return -1;
    if (fi->srv_sys_fixed_ldr && audit_version_parse(fi->srv_sys_fixed_ldr, d) == 4 && v[0] == g[0] &&
        v[1] == g[1] && v[2] == g[2]) {
        if (v[3] >= d[3])
            return 1;
        if (v[3] >= 20000)                 /* LDR branch (6.0.6002.2xxxx) below its threshold */
            return 0;
        return v[3] >= g[3];
    }
    return vcmp(v, g) >= 0;
}

static int has_fixing_kb(const struct ctx *c, struct found *f)
{
    return find_effect(c, KBE_FIXES, f);
}

/* Rule 1. Returns 1 when decided. */
static int rule_srv_sys(struct ctx *c)
{
    struct audit_result *r = c->r;
    const struct listing *s = NULL;
    for (int pass = 0; pass < 2 && !s; pass++)
        for (unsigned i = 0; i < c->nev; i++) {
            const struct listing *l = c->ev[i];
            if ((pass == 0) != (c->newest[i] != 0))
                continue;
            if (!l->srv_sys_version[0] && l->srv_sys_absent != 1)
                continue;
            if (!s || (l->listing_time != INT64_MIN && s->listing_time != INT64_MIN &&
                       l->listing_time > s->listing_time))
                s = l;
        }
    if (!s)
        return 0;
    unsigned v[4];
    if (s->srv_sys_version[0]) {
        if (audit_version_parse(s->srv_sys_version, v) != 4)
            return 0;                                 /* not a numeric version: not evidence */
        if (!srv_sys_family_ok(&c->os, v)) {
            set(r, AV_UNKNOWN, "srv_sys_family_mismatch", AC_LOW);
            evid(r, "srv.sys %s (%s) does not belong to %s (%u.%u.%u)", s->srv_sys_version, s->path,
                 c->os.name, c->os.major, c->os.minor, c->os.build);
            return 1;
        }
        int fx = srv_sys_fixed(c->fi, v);
        if (fx < 0)
            return 0;
        const char *thr = c->fi->srv_sys_fixed;
        if (fx) {
            set(r, AV_PATCHED, "srv_sys_fixed", AC_HIGH);
            evid(r, "srv.sys %s >= %s%s%s (%s)", s->srv_sys_version, thr,
                 c->fi->srv_sys_fixed_ldr ? " / LDR " : "",
                 c->fi->srv_sys_fixed_ldr ? c->fi->srv_sys_fixed_ldr : "", s->path);
            return 1;
        }
        struct found f;
        if (has_fixing_kb(c, &f)) {
            char kb[320];
            kb_at(kb, sizeof kb, f.l, f.e);
            set(r, AV_VULNERABLE, "fix_installed_not_active", AC_HIGH);
            evid(r, "srv.sys %s below %s (%s) although %s is installed: reboot pending or the install failed",
                 s->srv_sys_version, v[3] >= 20000 && c->fi->srv_sys_fixed_ldr ? c->fi->srv_sys_fixed_ldr : thr,
                 s->path, kb);
            r->fix_kb = f.e->kb;
            snprintf(r->fix_title, sizeof r->fix_title, "%s", f.ki->title ? f.ki->title : "");
            return 1;
        }
        set(r, AV_VULNERABLE, "srv_sys_below_threshold", AC_HIGH);
        evid(r, "srv.sys %s below %s (%s)", s->srv_sys_version,
             v[3] >= 20000 && c->fi->srv_sys_fixed_ldr ? c->fi->srv_sys_fixed_ldr : thr, s->path);
        return 1;
    }
    /* srv.sys absent */
    if (s->smb1_feature_removed == 1 && c->os.family >= OSF_81_2012R2) {
        set(r, AV_NOT_AFFECTED, "smb1_removed", AC_HIGH);
        evid(r, "srv.sys absent and the SMB1Protocol feature removed (%s)", s->path);
        return 1;
    }
    set(r, AV_UNKNOWN, "srv_sys_missing", AC_LOW);
    evid(r, "srv.sys not found by the collector (%s%s%s); a 32-bit collector on 64-bit Windows sees SysWOW64",
         s->path, s->srv_sys_path[0] ? ", looked at " : "", s->srv_sys_path);
    return 1;
}

static int in_window(const struct family_info *fi, int ubr)
{
    return fi->ubr_rollback_hi > fi->ubr_rollback_lo && ubr >= (int)fi->ubr_rollback_lo &&
           ubr < (int)fi->ubr_rollback_hi;
}

/* Rule 2. A given UBR (registry / ver) decides; a UBR mapped from the newest installed CU only
 * decides the CVE-2024-43491 window (below or above it, the CU is a KB for rule 3). */
static int rule_ubr(struct ctx *c)
{
    struct audit_result *r = c->r;
    const struct family_info *fi = c->fi;
    if (!fi || !fi->ubr_build || !fi->ubr_fixed)
        return 0;
    const struct listing *g = NULL;
    for (int pass = 0; pass < 2 && !g; pass++)
        for (unsigned i = 0; i < c->nev; i++) {
            const struct listing *l = c->ev[i];
            if ((pass == 0) != (c->newest[i] != 0) || l->ubr < 0)
                continue;
            if (l->ver_major && l->ver_build != c->os.build)
                continue;
            if (!g || l->ubr > g->ubr)
                g = l;
        }
    if (g) {
        if (in_window(fi, g->ubr)) {
            set(r, AV_UNKNOWN, "cve_2024_43491_window", AC_LOW);
            evid(r, "build %u.%d (%s) is in the CVE-2024-43491 window [%u.%u, %u.%u): read srv.sys", c->os.build,
                 g->ubr, g->path, fi->ubr_build, fi->ubr_rollback_lo, fi->ubr_build, fi->ubr_rollback_hi);
            return 1;
        }
        if (g->ubr >= (int)fi->ubr_fixed) {
            set(r, AV_PATCHED, "ubr_fixed", AC_HIGH);
            evid(r, "build %u.%d >= %u.%u (%s)", c->os.build, g->ubr, fi->ubr_build, fi->ubr_fixed, g->path);
            return 1;
        }
        struct found f;
        if (has_fixing_kb(c, &f)) {
            char kb[320];
            kb_at(kb, sizeof kb, f.l, f.e);
            set(r, AV_VULNERABLE, "fix_installed_not_active", AC_HIGH);
            evid(r, "build %u.%d below %u.%u (%s) although %s is installed: reboot pending or the install failed",
                 c->os.build, g->ubr, fi->ubr_build, fi->ubr_fixed, g->path, kb);
            r->fix_kb = f.e->kb;
            snprintf(r->fix_title, sizeof r->fix_title, "%s", f.ki->title ? f.ki->title : "");
            return 1;
        }
        set(r, AV_VULNERABLE, "ubr_below_threshold", AC_HIGH);
        evid(r, "build %u.%d below %u.%u (%s)", c->os.build, g->ubr, fi->ubr_build, fi->ubr_fixed, g->path);
        return 1;
    }
    struct found f;
    int m = mapped_ubr(c, &f);
    if (m > 0 && in_window(fi, m)) {
        char kb[320];
        kb_at(kb, sizeof kb, f.l, f.e);
        set(r, AV_UNKNOWN, "cve_2024_43491_window", AC_LOW);
        evid(r, "newest cumulative update %s sets build %u.%d, in the CVE-2024-43491 window [%u.%u, %u.%u): read srv.sys",
             kb, fi->ubr_build, m, fi->ubr_build, fi->ubr_rollback_lo, fi->ubr_build, fi->ubr_rollback_hi);
        return 1;
    }
    return 0;
}

/* Rule 3. */
static int rule_fixing_kb(struct ctx *c)
{
    struct audit_result *r = c->r;
    struct found f;
    if (!has_fixing_kb(c, &f))
        return 0;
    /* Windows 10: name the newest CU (the build the host is at) rather than the first listed */
    struct found m;
    if (mapped_ubr(c, &m) > 0 && m.ki->effect == KBE_FIXES)
        f = m;
    struct reboot rb;
    reboot_state(c, &rb);
    r->reboot_pending = rb.pending;
    char kb[320], build[48] = "";
    if (rb.fix_inactive) {
        set(r, AV_VULNERABLE, "reboot_pending", AC_MEDIUM);
        if (rb.after.e) {
            char d1[40], d2[40];
            kb_at(kb, sizeof kb, rb.after.l, rb.after.e);
            fmt_date(d1, sizeof d1, rb.after.e->installed_on, rb.after.e->installed_on_date_only, 0);
            fmt_date(d2, sizeof d2, rb.boot, 0, rb.boot_local);
            evid(r, "%s installed %s, after the last boot %s: restart to activate the fix", kb, d1, d2);
            f = rb.after;
        } else {
            kb_at(kb, sizeof kb, f.l, f.e);
            evid(r, "%s is installed but %s reports a reboot pending%s%s", kb, rb.flag->path,
                 rb.flag->reboot_why[0] ? ": " : "", rb.flag->reboot_why);
        }
    } else {
        set(r, AV_PATCHED, "fixing_kb", AC_MEDIUM);
        kb_at(kb, sizeof kb, f.l, f.e);
        if (f.ki->ubr > 0)
            snprintf(build, sizeof build, ", OS build %u.%d", c->os.build, f.ki->ubr);
        evid(r, "%s: %s%s%s%s", kb, f.ki->title ? f.ki->title : "fixing update",
             f.ki->month && f.ki->month[0] ? " " : "", f.ki->month ? f.ki->month : "", build);
    }
    r->fix_kb = f.e->kb;
    snprintf(r->fix_title, sizeof r->fix_title, "%s", f.ki->title ? f.ki->title : "");
    return 1;
}

/* Rule 4: levels for which no fix was shipped (decisions.md 8 rule 4). */
static int no_fix_level(const struct os_id *os)
{
    switch (os->family) {
    case OSF_NT4:
    case OSF_2000:
        return 1;
    case OSF_XP_X86:
        return os->sp >= 0 && os->sp < 3;
    case OSF_XP_X64_2003:
        return os->sp >= 0 && os->sp < 2;
    case OSF_VISTA_2008:
        return os->build == 6000 || os->build == 6001;
    case OSF_7_2008R2:
        return os->build == 7600;
    default:
        return 0;
    }
}

static int rule_no_fix(struct ctx *c)
{
    if (!no_fix_level(&c->os))
        return 0;
    set(c->r, AV_VULNERABLE, "no_fix_for_this_level", AC_HIGH);
    evid(c->r, "%s (%u.%u.%u%s%s): no MS17-010 fix exists for this level (%s)", c->os.name, c->os.major,
         c->os.minor, c->os.build, c->os.sp >= 0 ? ", service pack " : "",
         c->os.sp == 0 ? "none" : c->os.sp == 1 ? "1" : c->os.sp == 2 ? "2" : c->os.sp >= 3 ? "3+" : "",
         c->os_src ? c->os_src->path : "");
    return 1;
}

/* Rule 5. */
static int rule_unverified(struct ctx *c)
{
    struct audit_result *r = c->r;
    struct found f;
    char kb[320];
    if (find_effect(c, KBE_UNVERIFIED, &f)) {
        kb_at(kb, sizeof kb, f.l, f.e);
        set(r, AV_UNKNOWN, "unverified_kb", AC_LOW);
        evid(r, "only candidate %s (%s%s%s) is not known to carry the fix: read srv.sys", kb,
             f.ki->kind ? f.ki->kind : "update", f.ki->month && f.ki->month[0] ? " " : "",
             f.ki->month ? f.ki->month : "");
        return 1;
    }
    uint32_t newest = kbtable_newest(c->os.family);
    if (!newest)
        return 0;
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < c->nev; i++) {
            const struct listing *l = c->ev[i];
            if ((pass == 0) != (c->newest[i] != 0))
                continue;
            for (unsigned k = 0; k < l->n_entries && k < LISTING_MAX_ENTRIES; k++) {
                const struct hotfix *e = &l->entries[k];
                if (e->kb > newest && !kbtable_lookup(c->os.family, e->kb)) {
                    kb_at(kb, sizeof kb, l, e);
                    set(r, AV_UNKNOWN, "kb_newer_than_table", AC_LOW);
                    evid(r, "%s is newer than every KB the table knows for %s (newest KB%" PRIu32
                         "): it may be a later rollup; read srv.sys", kb, os_family_name(c->os.family), newest);
                    return 1;
                }
            }
        }
    return 0;
}

/* Rules 6 and 7: the newest snapshot must hold a complete list. */
static void rule_list(struct ctx *c)
{
    struct audit_result *r = c->r;
    char why[400] = "";
    const struct listing *full = NULL;
    for (unsigned i = 0; i < c->nev && !full; i++) {
        char w[400];
        if (!c->newest[i])
            continue;
        if (complete(c, c->ev[i], w, sizeof w))
            full = c->ev[i];
        else if (!why[0])
            snprintf(why, sizeof why, "%s", w);
    }
    if (!full) {
        set(r, AV_UNKNOWN, "list_truncated", AC_LOW);
        evid(r, "no fixing KB, but the newest list is incomplete: %s", why[0] ? why : "no hotfix list");
        return;
    }
    set(r, AV_VULNERABLE, "no_fixing_kb", AC_MEDIUM);
    struct found t;
    char trap[400] = "";
    if (find_effect(c, KBE_TRAP, &t)) {
        char kb[320];
        kb_at(kb, sizeof kb, t.l, t.e);
        snprintf(trap, sizeof trap, "; %s (%s%s%s) does not carry the fix", kb, t.ki->kind ? t.ki->kind : "update",
                 t.ki->month && t.ki->month[0] ? " " : "", t.ki->month ? t.ki->month : "");
    }
    evid(r, "no fixing KB for %s (%u.%u.%u) among the %u entries of the complete list %s%s", c->os.name,
         c->os.major, c->os.minor, c->os.build, full->n_entries, full->path, trap);
}

static void sources(const struct audit_host *h, struct audit_result *r)
{
    size_t o = 0;
    for (unsigned i = 0; i < h->n && h->src[i]; i++) {
        int w = snprintf(r->sources + o, sizeof r->sources - o, "%s%s", i ? "," : "", h->src[i]->path);
        if (w < 0 || (size_t)w >= sizeof r->sources - o) {
            r->sources[o] = '\0';
            break;
        }
        o += (size_t)w;
    }
}

void audit_decide(const struct audit_host *h, struct audit_result *r)
{
    struct ctx c;
    memset(r, 0, sizeof *r);
    memset(&c, 0, sizeof c);
    r->verdict = AV_UNKNOWN;
    r->confidence = AC_LOW;
    r->reboot_pending = -1;
    r->smb1_state = -1;
    r->os.family = OSF_UNKNOWN;
    r->os.sp = -1;
    r->os.product_type = -1;
    c.h = h;
    c.r = r;
    sources(h, r);
    collect(&c);

    for (unsigned i = 0; i < h->n; i++) {
        const struct listing *l = h->src[i];
        if (!l || !is_evidence(l))
            continue;
        if (!r->av_status[0] && l->av_status[0])
            snprintf(r->av_status, sizeof r->av_status, "%s", l->av_status);
        if (l->smb1_server >= 0 && r->smb1_state < 0)
            r->smb1_state = l->smb1_server;
        if (l->smb1_feature_removed == 1)
            r->smb1_state = 0;
        if (l->reboot_pending >= 0 && r->reboot_pending < 1)
            r->reboot_pending = l->reboot_pending;
    }
    if (c.nev == 0) {
        set(r, AV_UNKNOWN, "unrecognised_listing", AC_LOW);
        int missing = 0;
        for (unsigned i = 0; i < h->n; i++)
            if (h->src[i] && h->src[i]->kind == LK_MISSING_UPDATES)
                missing = 1;
        evid(r, "no installed-update list among %u file(s)%s: %s", h->n,
             missing ? " (a list of missing updates is not a list of installed ones)" : "", r->sources);
        audit_advise(h, r);
        return;
    }
    pick_os(&c);
    r->os = c.os;
    r->os_known = c.os_known;
    c.fi = kbtable_family(c.os.family);

    if (!c.os_known) {
        set(r, AV_UNKNOWN, "os_unknown", AC_LOW);
        if (c.os.major)
            evid(r, "%s: the family is not told apart (OS Name / OS Configuration missing); KB numbers never guess the OS",
                 c.os.name);
        else
            evid(r, "no OS version in %s; KB numbers never guess the OS", r->sources);
        audit_advise(h, r);
        return;
    }
    if (c.os.family == OSF_SHIPPED_FIXED) {
        set(r, AV_NOT_AFFECTED, "shipped_fixed", AC_HIGH);
        evid(r, "%s: version %u.%u.%u, build %u >= 15063 shipped with the fix (%s)", c.os.name, c.os.major,
             c.os.minor, c.os.build, c.os.build, c.os_src ? c.os_src->path : "");
    } else if (rule_srv_sys(&c) || rule_ubr(&c) || rule_fixing_kb(&c) || rule_no_fix(&c) ||
               rule_unverified(&c)) {
        /* decided */
    } else {
        rule_list(&c);
    }
    audit_advise(h, r);
}
