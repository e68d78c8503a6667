/* test_audit_decide.c: the audit decision (decisions.md 8) on `struct listing` values built by hand.
 * THE table test: every OS row x every cell of the issue, with LITERAL KB numbers, srv.sys versions
 * and builds written from ../shared/spec/patches.md (sections 1.0, 1.3, 1.4, 2.1, 2.2), never read from
 * data/ms17010.csv (the table under test, decisions.md 11). Each cell asserts verdict, reason and the
 * decisive evidence. Then identification, grouping, snapshots, truncation, reboot pending, srv.sys
 * branches, the UBR window, the missing-updates rule and the advice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "audit/decide.h"
#include "audit/listing.h"

/* ---- builders --------------------------------------------------------------------------------- */

#define MAXL 8
static struct listing *pool[MAXL];
static unsigned npool;

static struct listing *L(int kind, const char *path)
{
    assert_true(npool < MAXL);
    struct listing *l = calloc(1, sizeof *l);
    assert_non_null(l);
    listing_init(l);
    l->kind = (enum listing_kind)kind;
    snprintf(l->path, sizeof l->path, "%s", path);
    pool[npool++] = l;
    return l;
}

static int teardown(void **state)
{
    (void)state;
    for (unsigned i = 0; i < npool; i++)
        free(pool[i]);
    npool = 0;
    return 0;
}

/* days since 1970-01-01 of a civil date (H. Hinnant's algorithm) */
static int64_t ymd(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400;
}

static void os(struct listing *l, unsigned ma, unsigned mi, unsigned b, int sp, int pt, const char *name,
               const char *systype)
{
    l->ver_major = ma;
    l->ver_minor = mi;
    l->ver_build = b;
    l->service_pack = sp;
    l->product_type = pt;
    snprintf(l->os_name, sizeof l->os_name, "%s", name ? name : "");
    snprintf(l->system_type, sizeof l->system_type, "%s", systype ? systype : "");
}

static struct hotfix *kb(struct listing *l, uint32_t k)
{
    struct hotfix *e = &l->entries[l->n_entries];
    e->kb = k;
    e->line = 10 + l->n_entries;
    e->installed_on = INT64_MIN;
    snprintf(e->raw, sizeof e->raw, "KB%u", (unsigned)k);
    l->n_entries++;
    return e;
}

static void raw_entry(struct listing *l, const char *raw)
{
    struct hotfix *e = kb(l, 0);
    snprintf(e->raw, sizeof e->raw, "%s", raw);
}

static void declare_all(struct listing *l)
{
    l->declared_count = (int)l->n_entries;
}

static void host(struct listing *l, const char *h, const char *dom)
{
    snprintf(l->host, sizeof l->host, "%s", h);
    snprintf(l->domain, sizeof l->domain, "%s", dom ? dom : "");
}

static void decide_n(struct audit_result *r, unsigned n, ...)
{
    struct audit_host h;
    va_list ap;
    memset(&h, 0, sizeof h);
    va_start(ap, n);
    for (unsigned i = 0; i < n; i++)
        h.src[h.n++] = va_arg(ap, const struct listing *);
    va_end(ap);
    audit_decide(&h, r);
}

static void expect(const struct audit_result *r, enum audit_verdict v, const char *reason, const char *ev,
                   const char *where)
{
    if (r->verdict != v || strcmp(r->reason, reason) != 0 || (ev && !strstr(r->evidence, ev))) {
        print_error("%s: got %s/%s evidence \"%s\"; want %s/%s with \"%s\"\n", where,
                    audit_verdict_name(r->verdict), r->reason, r->evidence, audit_verdict_name(v), reason,
                    ev ? ev : "");
        fail();
    }
    assert_non_null(memchr(r->evidence, '\0', sizeof r->evidence));
    assert_null(strchr(r->evidence, '\n'));            /* one line */
}

/* ---- THE table -------------------------------------------------------------------------------- */

enum cell {
    C_NONE, C_MAR_SO, C_MAR_MR, C_APR_SO, C_MAY, C_JUN_SO, C_2019, C_TRUNC,
    C_SRV_BELOW, C_SRV_AT, C_UBR_BELOW, C_UBR_AT, C_AFTER_BOOT, C_COUNT
};
static const char *const cell_name[C_COUNT] = {
    "no updates", "March security-only", "March rollup/CU", "April security-only only", "May 2017 update",
    "June 2017 security-only", "2019 rollup/CU", "truncated list", "srv.sys below", "srv.sys at threshold",
    "UBR below", "UBR at threshold", "fixing KB installed after the last boot",
};

/* Expected outcome codes, one per cell in enum order:
 * P patched/fixing_kb (evidence: the KB and file:line)   V vulnerable/no_fixing_kb ("no fixing KB")
 * T vulnerable/no_fixing_kb naming the trap KB             U unknown/unverified_kb (the KB)
 * Q unknown/list_truncated ("declared 273")                X vulnerable/no_fix_for_this_level (version)
 * N not_affected/shipped_fixed (build)                     S patched/srv_sys_fixed (srv.sys version)
 * s vulnerable/srv_sys_below_threshold (srv.sys version)   B patched/ubr_fixed (build.UBR)
 * b vulnerable/ubr_below_threshold (build.UBR)             R vulnerable/reboot_pending (the KB)
 * - the cell does not apply to the row (reason in the row's comment) */
struct row {
    const char *label, *path;
    unsigned ma, mi, build;
    int sp, pt;
    const char *name, *systype;
    uint32_t mar_so, mar_mr, apr_so, may, jun_so, r2019;
    const char *srv_below, *srv_at;
    int ubr_below, ubr_at;
    const char *expect;            /* C_COUNT codes */
};

/* Unrelated update present on every "complete" list (KB2534111, a 2011 Windows update seen in the
 * wesng samples): it carries no MS17-010 fix for any family. */
#define UNRELATED 2534111u

static const struct row rows[] = {
    /* XP SP3: only KB4012598 (May 2017 out-of-band, patches.md 1.4); no March/April/June security-only,
     * no rollups. srv.sys >= 5.1.2600.7208 (2.1). */
    { "XP SP3 x86", "t/xp_sp3.txt", 5, 1, 2600, 3, 1, "Microsoft Windows XP Professional", "X86-based PC",
      0, 0, 0, 4012598, 0, 0, "5.1.2600.7207", "5.1.2600.7208", -1, -1,
      "V---P--QsS--R" },
    /* XP x64 SP2: KB4012598 (May 2017), srv.sys 5.2.3790.6021 */
    { "XP x64 SP2", "t/xp_x64.txt", 5, 2, 3790, 2, 1, "Microsoft(R) Windows(R) XP Professional x64 Edition",
      "x64-based PC", 0, 0, 0, 4012598, 0, 0, "5.2.3790.6020", "5.2.3790.6021", -1, -1,
      "V---P--QsS--R" },
    /* Server 2003 SP2: same package and threshold */
    { "2003 SP2", "t/2003.txt", 5, 2, 3790, 2, 3, "Microsoft(R) Windows(R) Server 2003, Standard Edition",
      "X86-based PC", 0, 0, 0, 4012598, 0, 0, "5.2.3790.6020", "5.2.3790.6021", -1, -1,
      "V---P--QsS--R" },
    /* Vista SP2: KB4012598 is the March 2017 update (bulletin, 1.1); no May update and no rollups for
     * Vista in patches.md. GDR threshold 6.0.6002.19743 (LDR: see test_vista_branches). */
    { "Vista SP2", "t/vista.txt", 6, 0, 6002, 2, 1, "Microsoftr Windows VistaT Enterprise", "x64-based PC",
      0, 4012598, 0, 0, 0, 0, "6.0.6002.19742", "6.0.6002.19743", -1, -1,
      "V-P----QsS--R" },
    /* Server 2008 SP2: KB4012598 (March), KB4018466 (May 2017, supersedes it, 1.4); the 2019 rollups
     * (KB4480968, January 2019) are UNVERIFIED (1.4) -> unknown */
    { "2008 SP2", "t/2008.txt", 6, 0, 6002, 2, 3, "Microsoftr Windows Serverr 2008 Standard", "x64-based PC",
      0, 4012598, 0, 4018466, 0, 4480968, "6.0.6002.19742", "6.0.6002.19743", -1, -1,
      "V-P-P-UQsS--R" },
    /* 7 SP1 (1.3): SO KB4012212, MR KB4012215, April SO KB4015546 NO, May SO KB4019263 yes, June SO
     * KB4022722 UNVERIFIED, January 2019 rollup KB4480970 (1.5: every later rollup); srv.sys 6.1.7601.23689 */
    { "7 SP1 x64", "t/7sp1.txt", 6, 1, 7601, 1, 1, "Microsoft Windows 7 Enterprise", "x64-based PC",
      4012212, 4012215, 4015546, 4019263, 4022722, 4480970, "6.1.7601.23688", "6.1.7601.23689", -1, -1,
      "VPPTPUPQsS--R" },
    /* 2008 R2 SP1: the Windows 7 KBs */
    { "2008 R2 SP1", "t/2008r2.txt", 6, 1, 7601, 1, 3, "Microsoft Windows Server 2008 R2 Standard", "x64-based PC",
      4012212, 4012215, 4015546, 4019263, 4022722, 4480970, "6.1.7601.23688", "6.1.7601.23689", -1, -1,
      "VPPTPUPQsS--R" },
    /* Windows 8: KB4012598 only (May 2017 out-of-band, no rollups); srv.sys 6.2.9200.22099 */
    { "8", "t/8.txt", 6, 2, 9200, 0, 1, "Microsoft Windows 8 Pro", "x64-based PC",
      0, 0, 0, 4012598, 0, 0, "6.2.9200.22098", "6.2.9200.22099", -1, -1,
      "V---P--QsS--R" },
    /* Server 2012 (1.3): KB4012214, KB4012217, April SO KB4015548 NO, May SO KB4019214, June SO
     * KB4022718 UNVERIFIED, January 2019 rollup KB4480975 */
    { "2012", "t/2012.txt", 6, 2, 9200, 0, 3, "Microsoft Windows Server 2012 Standard", "x64-based PC",
      4012214, 4012217, 4015548, 4019214, 4022718, 4480975, "6.2.9200.22098", "6.2.9200.22099", -1, -1,
      "VPPTPUPQsS--R" },
    /* 8.1 (1.3): KB4012213, KB4012216, April SO KB4015547 NO, May SO KB4019213, June SO KB4022717
     * UNVERIFIED, January 2019 rollup KB4480963; srv.sys 6.3.9600.18604 */
    { "8.1", "t/81.txt", 6, 3, 9600, 0, 1, "Microsoft Windows 8.1 Enterprise", "x64-based PC",
      4012213, 4012216, 4015547, 4019213, 4022717, 4480963, "6.3.9600.18603", "6.3.9600.18604", -1, -1,
      "VPPTPUPQsS--R" },
    { "2012 R2", "t/2012r2.txt", 6, 3, 9600, 0, 3, "Microsoft Windows Server 2012 R2 Standard", "x64-based PC",
      4012213, 4012216, 4015547, 4019213, 4022717, 4480963, "6.3.9600.18603", "6.3.9600.18604", -1, -1,
      "VPPTPUPQsS--R" },
    /* 10 1507 (1.3, 2.2): March CU KB4012606 (.17319), May CU KB4019474 (.17394), January 2019 CU
     * KB4480962 (.18094); no security-only updates on Windows 10; threshold 10240.17319 */
    { "10 1507", "t/1507.txt", 10, 0, 10240, 0, 1, "Microsoft Windows 10 Enterprise 2015 LTSB", "x64-based PC",
      0, 4012606, 0, 4019474, 0, 4480962, "10.0.10240.17318", "10.0.10240.17319", 17318, 17319,
      "V-P-P-PQsSbBR" },
    /* 10 1511: March CU KB4013198 (.839), May CU KB4019473 (.916); no 2019 CU (1511 servicing ended in
     * 2018: its last CU is KB4093109, April 2018) */
    { "10 1511", "t/1511.txt", 10, 0, 10586, 0, 1, "Microsoft Windows 10 Pro", "x64-based PC",
      0, 4013198, 0, 4019473, 0, 0, "10.0.10586.838", "10.0.10586.839", 838, 839,
      "V-P-P--QsSbBR" },
    /* 10 1607: March CU KB4013429 (.953), May CU KB4019472 (.1198), January 2019 CU KB4480961 (.2724) */
    { "10 1607", "t/1607.txt", 10, 0, 14393, 0, 1, "Microsoft Windows 10 Enterprise 2016 LTSB", "x64-based PC",
      0, 4013429, 0, 4019472, 0, 4480961, "10.0.14393.952", "10.0.14393.953", 952, 953,
      "V-P-P-PQsSbBR" },
    { "2016", "t/2016.txt", 10, 0, 14393, 0, 3, "Microsoft Windows Server 2016 Datacenter", "x64-based PC",
      0, 4013429, 0, 4019472, 0, 4480961, "10.0.14393.952", "10.0.14393.953", 952, 953,
      "V-P-P-PQsSbBR" },
    /* 10 1703 (15063) and later shipped fixed: every cell is not_affected by rule 0 (the 2019 CU is
     * KB4480973, 15063.1563); there is no March/April/May/June 2017 1703 update in patches.md */
    { "10 1703", "t/1703.txt", 10, 0, 15063, 0, 1, "Microsoft Windows 10 Pro", "x64-based PC",
      0, 0, 0, 0, 0, 4480973, "10.0.15063.0", NULL, 0, 1563,
      "N-----NNN-NNN" },
    /* No fix for these levels (1.4, decisions.md 8 rule 4): the fixing KBs cannot be installed there, so
     * the KB cells and "installed after boot" do not apply; srv.sys of the level is below the threshold. */
    { "XP SP2", "t/xp_sp2.txt", 5, 1, 2600, 2, 1, "Microsoft Windows XP Professional", "X86-based PC",
      0, 0, 0, 0, 0, 0, "5.1.2600.3625", NULL, -1, -1,
      "X------Xs----" },
    { "2003 SP1", "t/2003sp1.txt", 5, 2, 3790, 1, 3, "Microsoft(R) Windows(R) Server 2003, Enterprise Edition",
      "X86-based PC", 0, 0, 0, 0, 0, 0, "5.2.3790.2830", NULL, -1, -1,
      "X------Xs----" },
    { "2008 SP1", "t/2008sp1.txt", 6, 0, 6001, 1, 3, "Microsoftr Windows Serverr 2008 Enterprise", "x64-based PC",
      0, 0, 0, 0, 0, 0, "6.0.6001.18000", NULL, -1, -1,
      "X------Xs----" },
    { "7 RTM", "t/7rtm.txt", 6, 1, 7600, 0, 1, "Microsoft Windows 7 Professional", "x64-based PC",
      0, 0, 0, 0, 0, 0, "6.1.7600.16385", NULL, -1, -1,
      "X------Xs----" },
};

static uint32_t cell_kb(const struct row *w, enum cell c)
{
    switch (c) {
    case C_MAR_SO: return w->mar_so;
    case C_MAR_MR: return w->mar_mr;
    case C_APR_SO: return w->apr_so;
    case C_MAY: return w->may;
    case C_JUN_SO: return w->jun_so;
    case C_2019: return w->r2019;
    case C_AFTER_BOOT: return w->mar_mr ? w->mar_mr : w->mar_so ? w->mar_so : w->may ? w->may : w->r2019;
    default: return 0;
    }
}

static unsigned run_cell(const struct row *w, enum cell c, char code)
{
    struct audit_result r;
    struct listing *s = L(c == C_SRV_BELOW || c == C_SRV_AT || c == C_UBR_BELOW || c == C_UBR_AT ? LK_COLLECTOR
                                                                                                   : LK_SYSTEMINFO,
                          w->path);
    struct listing *q = NULL;
    char where[160], ev[160] = "";
    uint32_t k = cell_kb(w, c);

    snprintf(where, sizeof where, "%s x %s", w->label, cell_name[c]);
    os(s, w->ma, w->mi, w->build, w->sp, w->pt, w->name, w->systype);
    host(s, "PC1", "CORP");
    kb(s, UNRELATED);
    switch (c) {
    case C_NONE:
        declare_all(s);
        break;
    case C_MAR_SO: case C_MAR_MR: case C_APR_SO: case C_MAY: case C_JUN_SO: case C_2019:
        kb(s, k);
        declare_all(s);
        break;
    case C_TRUNC:                                   /* 273 declared, entries stop at [245] */
        for (unsigned i = 1; i < 245; i++)
            kb(s, 2000000u + i);
        s->declared_count = 273;
        break;
    case C_SRV_BELOW:
    case C_SRV_AT:
        snprintf(s->srv_sys_version, sizeof s->srv_sys_version, "%s", c == C_SRV_AT ? w->srv_at : w->srv_below);
        declare_all(s);
        break;
    case C_UBR_BELOW:
    case C_UBR_AT:
        s->ubr = c == C_UBR_AT ? w->ubr_at : w->ubr_below;
        declare_all(s);
        break;
    case C_AFTER_BOOT:
        /* systeminfo: booted 2017-05-01 09:00 local, lists the KB without a date; wmic qfe of the same
         * host: the KB installed 6/15/2017 (date only): certainly after the boot */
        kb(s, k);
        declare_all(s);
        s->boot_time = ymd(2017, 5, 1) + 9 * 3600;
        s->boot_time_local = 1;
        q = L(LK_WMIC_QFE, "t/qfe.txt");
        host(q, "PC1", NULL);
        kb(q, UNRELATED);
        struct hotfix *e = kb(q, k);
        e->installed_on = ymd(2017, 6, 15);
        e->installed_on_date_only = 1;
        break;
    default:
        break;
    }
    if (q)
        decide_n(&r, 2, s, q);
    else
        decide_n(&r, 1, s);

    switch (code) {
    case 'P':
        snprintf(ev, sizeof ev, "KB%u (%s:11)", (unsigned)k, w->path);
        expect(&r, AV_PATCHED, "fixing_kb", ev, where);
        assert_int_equal(r.fix_kb, k);
        assert_int_equal(r.confidence, AC_MEDIUM);
        break;
    case 'V':
        expect(&r, AV_VULNERABLE, "no_fixing_kb", "no fixing KB", where);
        assert_int_equal(r.confidence, AC_MEDIUM);
        break;
    case 'T':
        snprintf(ev, sizeof ev, "KB%u (%s:11) (security-only", (unsigned)k, w->path);
        expect(&r, AV_VULNERABLE, "no_fixing_kb", ev, where);
        break;
    case 'U':
        snprintf(ev, sizeof ev, "KB%u (%s:11)", (unsigned)k, w->path);
        expect(&r, AV_UNKNOWN, "unverified_kb", ev, where);
        assert_non_null(strstr(r.advice, AUDIT_SRV_SYS_PS));
        assert_non_null(strstr(r.advice, AUDIT_SRV_SYS_WMIC));
        break;
    case 'Q':
        expect(&r, AV_UNKNOWN, "list_truncated", "declared 273 hotfixes, listed 245", where);
        assert_int_equal(r.confidence, AC_LOW);
        break;
    case 'X':
        snprintf(ev, sizeof ev, "(%u.%u.%u", w->ma, w->mi, w->build);
        expect(&r, AV_VULNERABLE, "no_fix_for_this_level", ev, where);
        break;
    case 'N':
        snprintf(ev, sizeof ev, "build %u >= 15063", w->build);
        expect(&r, AV_NOT_AFFECTED, "shipped_fixed", ev, where);
        break;
    case 'S':
        snprintf(ev, sizeof ev, "srv.sys %s >= %s", w->srv_at, w->srv_at);
        expect(&r, AV_PATCHED, "srv_sys_fixed", ev, where);
        assert_int_equal(r.confidence, AC_HIGH);
        break;
    case 's':
        snprintf(ev, sizeof ev, "srv.sys %s below", w->srv_below);
        expect(&r, AV_VULNERABLE, "srv_sys_below_threshold", ev, where);
        assert_int_equal(r.confidence, AC_HIGH);
        break;
    case 'B':
        snprintf(ev, sizeof ev, "build %u.%d >= %u.%d", w->build, w->ubr_at, w->build, w->ubr_at);
        expect(&r, AV_PATCHED, "ubr_fixed", ev, where);
        assert_int_equal(r.confidence, AC_HIGH);
        break;
    case 'b':
        snprintf(ev, sizeof ev, "build %u.%d below %u.%d", w->build, w->ubr_below, w->build, w->ubr_at);
        expect(&r, AV_VULNERABLE, "ubr_below_threshold", ev, where);
        break;
    case 'R':
        snprintf(ev, sizeof ev, "KB%u (t/qfe.txt:11) installed 2017-06-15, after the last boot 2017-05-01", (unsigned)k);
        expect(&r, AV_VULNERABLE, "reboot_pending", ev, where);
        assert_int_equal(r.reboot_pending, 1);
        assert_non_null(strstr(r.advice, "Restart the host"));
        break;
    default:
        fail_msg("bad code %c", code);
    }
    assert_int_equal(r.os_known, 1);
    teardown(NULL);
    return 1;
}

static void test_table(void **state)
{
    unsigned run = 0, skipped = 0;
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_int_equal(strlen(rows[i].expect), C_COUNT);
        for (int c = 0; c < C_COUNT; c++) {
            if (rows[i].expect[c] == '-') {
                skipped++;
                continue;
            }
            run += run_cell(&rows[i], (enum cell)c, rows[i].expect[c]);
        }
    }
    print_message("table: %zu OS rows x %d cells: %u cells run, %u do not apply\n",
                  sizeof rows / sizeof rows[0], C_COUNT, run, skipped);
    assert_true(run >= 150);
}

/* ---- identification --------------------------------------------------------------------------- */

static struct os_id ident(unsigned ma, unsigned mi, unsigned b, int sp, int pt, const char *name,
                          const char *st, int *rc)
{
    struct listing *l = L(LK_SYSTEMINFO, "t/id.txt");
    struct os_id o;
    os(l, ma, mi, b, sp, pt, name, st);
    *rc = audit_identify(l, &o);
    teardown(NULL);
    return o;
}

static void test_identify(void **state)
{
    int rc;
    struct os_id o;
    (void)state;

    o = ident(6, 1, 7600, -1, 1, "Microsoft Windows 7 Ultimate", "x64-based PC", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(o.family, OSF_7_2008R2);
    assert_int_equal(o.sp, 0);
    assert_int_equal(o.arch_bits, 64);
    assert_string_equal(o.edition, "Ultimate");

    o = ident(5, 2, 3790, 2, -1, "Microsoft(R) Windows(R) XP Professional x64 Edition", "", &rc);
    assert_int_equal(o.family, OSF_XP_X64_2003);
    assert_int_equal(o.product_type, 1);
    assert_int_equal(o.arch_bits, 64);
    assert_non_null(strstr(o.name, "XP Professional x64"));

    o = ident(5, 2, 3790, 2, 3, "Microsoft(R) Windows(R) Server 2003, Standard Edition", "X86-based PC", &rc);
    assert_non_null(strstr(o.name, "Server 2003"));
    assert_int_equal(o.arch_bits, 32);

    o = ident(6, 2, 9200, 0, 1, "Microsoft Windows Embedded 8 Standard", "x64-based PC", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(o.family, OSF_2012);                        /* takes the Server 2012 KBs */
    o = ident(6, 2, 9200, 0, 1, "Microsoft Windows 8 Enterprise", "x64-based PC", &rc);
    assert_int_equal(o.family, OSF_8);
    o = ident(6, 2, 9200, 0, -1, "", "", &rc);                    /* 8 or 2012: not told apart */
    assert_int_equal(rc, -1);
    o = ident(6, 2, 9200, 0, 3, "Microsoft Windows MultiPoint Server 2012 Premium", "x64-based PC", &rc);
    assert_int_equal(o.family, OSF_2012);
    o = ident(6, 2, 9200, 0, -1, "Microsoft Windows Server 2012 Foundation", "", &rc);
    assert_int_equal(o.family, OSF_2012);
    assert_string_equal(o.edition, "Foundation");

    o = ident(6, 1, 7601, 1, 1, "Microsoft Windows Embedded Standard 7", "X86-based PC", &rc);
    assert_int_equal(o.family, OSF_7_2008R2);
    assert_string_equal(o.edition, "Embedded Standard 7");
    o = ident(6, 1, 7601, 1, 1, "Microsoft Windows Embedded POSReady 7", "", &rc);
    assert_string_equal(o.edition, "POSReady 7");
    o = ident(6, 1, 7601, 1, 1, "Microsoft Windows Thin PC", "", &rc);
    assert_int_equal(o.family, OSF_7_2008R2);
    assert_string_equal(o.edition, "Thin PC");
    o = ident(6, 1, 7601, 1, 3, "Microsoft Windows Small Business Server 2011 Standard", "", &rc);
    assert_int_equal(o.family, OSF_7_2008R2);
    assert_int_equal(o.product_type, 3);
    o = ident(6, 1, 7601, 1, 3, "Microsoft Windows Storage Server 2008 R2 Essentials", "", &rc);
    assert_int_equal(o.family, OSF_7_2008R2);
    o = ident(5, 2, 3790, 2, 3, "Microsoft Windows Home Server", "", &rc);
    assert_int_equal(o.family, OSF_XP_X64_2003);
    assert_non_null(strstr(o.name, "Server 2003"));

    o = ident(5, 1, 2600, 3, 1, "Microsoft Windows XP Embedded", "", &rc);
    assert_int_equal(o.family, OSF_XP_X86);
    assert_string_equal(o.edition, "XP Embedded");
    o = ident(5, 1, 2600, 3, 1, "Windows Embedded POSReady 2009", "", &rc);
    assert_int_equal(o.family, OSF_XP_X86);
    assert_string_equal(o.edition, "POSReady 2009");

    o = ident(6, 0, 6002, 2, -1, "Microsoftr Windows VistaT Business", "", &rc);
    assert_int_equal(o.family, OSF_VISTA_2008);
    assert_string_equal(o.edition, "Business");
    assert_non_null(strstr(o.name, "Vista"));
    o = ident(6, 1, 7601, 1, 1, "Microsoft Windows 7 Entreprise", "", &rc);     /* fr */
    assert_string_equal(o.edition, "Enterprise");
    o = ident(6, 1, 7601, 1, 1, "Microsoft Windows 7 Professionnel", "", &rc);
    assert_string_equal(o.edition, "Professional");
    o = ident(6, 1, 7601, 1, 1, "Microsoft\xc2\xa0Windows 7\xc2\xa0Profesional", "", &rc);   /* es, NBSP */
    assert_string_equal(o.edition, "Professional");

    o = ident(10, 0, 15063, 0, 1, "Microsoft Windows 10 Pro", "", &rc);
    assert_int_equal(o.family, OSF_SHIPPED_FIXED);
    o = ident(10, 0, 22631, 0, 1, "Microsoft Windows 11 Pro", "", &rc);
    assert_int_equal(o.family, OSF_SHIPPED_FIXED);
    o = ident(10, 0, 17763, 0, 3, "Microsoft Windows Server 2019 Standard", "", &rc);
    assert_int_equal(o.family, OSF_SHIPPED_FIXED);
    o = ident(10, 0, 14393, 0, 3, "Microsoft Windows Server 2016 Standard", "", &rc);
    assert_int_equal(o.family, OSF_10_1607_2016);
    o = ident(6, 3, 9600, 0, -1, "Microsoft Windows 8.1 Industry Pro", "", &rc);
    assert_int_equal(o.family, OSF_81_2012R2);

    o = ident(0, 0, 0, -1, 1, "Microsoft Windows 7 Enterprise", "", &rc);       /* no version */
    assert_int_equal(rc, -1);
    assert_int_equal(o.family, OSF_UNKNOWN);
}

/* KB numbers never guess the OS: a wmic qfe list with KB4012212 and no OS is os_unknown */
static void test_kb_never_guesses_os(void **state)
{
    struct audit_result r;
    (void)state;
    struct listing *q = L(LK_WMIC_QFE, "t/qfe_only.txt");
    host(q, "PC9", NULL);
    kb(q, 4012212);
    decide_n(&r, 1, q);
    expect(&r, AV_UNKNOWN, "os_unknown", "no OS version", "qfe only");
    assert_int_equal(r.os_known, 0);
}

/* ---- grouping --------------------------------------------------------------------------------- */

static void test_group(void **state)
{
    struct audit_host out[8];
    (void)state;
    struct listing *s1 = L(LK_SYSTEMINFO, "a.txt"), *s2 = L(LK_SYSTEMINFO, "b.txt");
    struct listing *w1 = L(LK_WMIC_QFE, "c.txt"), *w2 = L(LK_WMIC_QFE, "d.txt");
    struct listing *m = L(LK_MISSING_UPDATES, "e.txt"), *c = L(LK_COLLECTOR, "f.txt");
    host(s1, "PC1", "CORP");
    host(s2, "PC2", "CORP");
    host(w1, "pc1", NULL);                    /* CSName, case differs: joins PC1 */
    host(w2, "", NULL);                       /* no CSName: alone */
    host(c, "PC2", "CORP");                   /* collector header with domain: joins PC2 */
    const struct listing *ls[] = { s1, s2, w1, w2, m, c };
    int n = audit_group(ls, 6, NULL, out, 8);
    assert_int_equal(n, 4);
    assert_string_equal(out[0].host, "PC1");
    assert_int_equal(out[0].n, 2);
    assert_ptr_equal(out[0].src[1], w1);
    assert_string_equal(out[1].host, "PC2");
    assert_int_equal(out[1].n, 2);
    assert_ptr_equal(out[1].src[1], c);
    assert_int_equal(out[2].n, 1);            /* wmic without CSName */
    assert_ptr_equal(out[2].src[0], w2);
    assert_int_equal(out[3].n, 1);            /* the missing-updates list, alone */
    assert_ptr_equal(out[3].src[0], m);
    assert_int_equal(out[0].warn_ambiguous + out[1].warn_ambiguous, 0);
    assert_int_equal(audit_group(ls, 6, NULL, out, 3), -1);     /* max too small */

    /* the same host name in two domains: a CSName cannot choose -> alone with a warning */
    struct listing *s3 = L(LK_SYSTEMINFO, "g.txt");
    host(s3, "PC1", "LAB");
    const struct listing *ls2[] = { s1, s3, w1 };
    n = audit_group(ls2, 3, NULL, out, 8);
    assert_int_equal(n, 3);
    assert_int_equal(out[2].n, 1);
    assert_ptr_equal(out[2].src[0], w1);
    assert_int_equal(out[2].warn_ambiguous, 1);
    assert_int_equal(out[0].n, 1);
    assert_int_equal(out[1].n, 1);

    /* no systeminfo of that name: wmic lists of one CSName group together (snapshots of one host) */
    struct listing *w3 = L(LK_GET_HOTFIX, "h.txt");
    host(w3, "PC1", NULL);
    const struct listing *ls3[] = { w1, w3 };
    n = audit_group(ls3, 2, NULL, out, 8);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].n, 2);

    /* --host NAME: everything in one host, unrecognised files included */
    n = audit_group(ls, 6, "SRV-X", out, 8);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].host, "SRV-X");
    assert_int_equal(out[0].n, 6);
}

/* A missing-updates list (wesng "KBnnnnnnn: title") is never read as installed */
static void test_missing_updates_not_installed(void **state)
{
    struct audit_result r;
    (void)state;
    struct listing *m = L(LK_MISSING_UPDATES, "t/missing.txt");
    kb(m, 4012212);
    kb(m, 4012215);
    decide_n(&r, 1, m);
    expect(&r, AV_UNKNOWN, "unrecognised_listing", "list of missing updates", "missing alone");

    struct listing *s = L(LK_SYSTEMINFO, "t/7.txt");
    os(s, 6, 1, 7601, 1, 1, "Microsoft Windows 7 Enterprise", "x64-based PC");
    host(s, "PC1", "CORP");
    kb(s, UNRELATED);
    declare_all(s);
    decide_n(&r, 2, s, m);
    expect(&r, AV_VULNERABLE, "no_fixing_kb", "no fixing KB", "systeminfo + missing list");
    assert_non_null(strstr(r.sources, "t/missing.txt"));

    struct listing *u = L(LK_UNRECOGNISED, "t/empty.txt");
    decide_n(&r, 1, u);
    expect(&r, AV_UNKNOWN, "unrecognised_listing", "t/empty.txt", "unrecognised");
}

/* ---- snapshots and truncation ----------------------------------------------------------------- */

static struct listing *win7(const char *path, int64_t when)
{
    struct listing *s = L(LK_SYSTEMINFO, path);
    os(s, 6, 1, 7601, 1, 3, "Microsoft Windows Server 2008 R2 Standard", "x64-based PC");
    host(s, "SRV1", "CORP");
    s->listing_time = when;
    kb(s, UNRELATED);
    return s;
}

static void test_snapshots(void **state)
{
    struct audit_result r;
    (void)state;
    /* the fix in an older snapshot counts even when the newer list is truncated */
    struct listing *old = win7("t/2017.txt", ymd(2017, 6, 1));
    kb(old, 4019264);                                   /* May 2017 monthly rollup, 1.3 */
    declare_all(old);
    struct listing *neu = win7("t/2018.txt", ymd(2018, 6, 1));
    neu->declared_count = 300;
    decide_n(&r, 2, neu, old);
    expect(&r, AV_PATCHED, "fixing_kb", "KB4019264 (t/2017.txt:11)", "fix in old snapshot");
    teardown(NULL);

    /* complete-without-fix must hold for the newest snapshot */
    old = win7("t/2017.txt", ymd(2017, 6, 1));
    declare_all(old);
    neu = win7("t/2018.txt", ymd(2018, 6, 1));
    neu->cut_entry = 1;
    decide_n(&r, 2, old, neu);
    expect(&r, AV_UNKNOWN, "list_truncated", "t/2018.txt: the hotfix list ends in a cut entry", "newest cut");
    /* and the other way round: the newest complete decides */
    old->cut_entry = 1;
    neu->cut_entry = 0;
    declare_all(neu);
    decide_n(&r, 2, old, neu);
    expect(&r, AV_VULNERABLE, "no_fixing_kb", "t/2018.txt", "newest complete");
    teardown(NULL);

    /* the newest snapshot's build decides the OS row: 7600 then 7601 */
    old = win7("t/rtm.txt", ymd(2010, 1, 1));
    old->ver_build = 7600;
    old->service_pack = 0;
    declare_all(old);
    neu = win7("t/sp1.txt", ymd(2018, 1, 1));
    declare_all(neu);
    decide_n(&r, 2, old, neu);
    expect(&r, AV_VULNERABLE, "no_fixing_kb", "6.1.7601", "newest build");
    assert_int_equal(r.os.build, 7601);
}

static void test_truncation(void **state)
{
    struct audit_result r;
    (void)state;
    /* entries are counted, not distinct KBs: 3 declared, KB listed twice + 1 = complete */
    struct listing *s = win7("t/dup.txt", INT64_MIN);
    kb(s, UNRELATED);
    kb(s, 3020369);
    s->declared_count = 3;
    decide_n(&r, 1, s);
    expect(&r, AV_VULNERABLE, "no_fixing_kb", "3 entries", "duplicates");
    s->declared_count = 4;
    decide_n(&r, 1, s);
    expect(&r, AV_UNKNOWN, "list_truncated", "declared 4 hotfixes, listed 3", "declared > listed");
    teardown(NULL);

    /* XP "File 1" entries: systeminfo cannot prove KB4012598 absent ... */
    s = L(LK_SYSTEMINFO, "t/xp.txt");
    os(s, 5, 1, 2600, 3, 1, "Microsoft Windows XP Professional", "X86-based PC");
    host(s, "XP1", "WORKGROUP");
    kb(s, 958644);
    raw_entry(s, "File 1");
    raw_entry(s, "File 1");
    declare_all(s);
    decide_n(&r, 1, s);
    expect(&r, AV_UNKNOWN, "list_truncated", "2 \"File 1\" entries", "XP File 1");
    /* ... unless a wmic qfe of the same host and date with the same row count is in the group */
    struct listing *q = L(LK_WMIC_QFE, "t/xp_qfe.txt");
    host(q, "XP1", NULL);
    kb(q, 958644);
    kb(q, 950974);
    kb(q, 2347290);
    decide_n(&r, 2, s, q);
    expect(&r, AV_VULNERABLE, "no_fixing_kb", "complete list t/xp.txt", "XP File 1 + qfe");
    /* the qfe shows KB4012598 from ServicePackInEffect behind a "File 1" HotFixID */
    q->entries[2].kb = 4012598;
    decide_n(&r, 2, s, q);
    expect(&r, AV_PATCHED, "fixing_kb", "KB4012598 (t/xp_qfe.txt:12)", "XP qfe KB4012598");
    q->entries[2].kb = 2347290;
    /* a qfe whose row count differs proves nothing */
    q->n_entries = 2;
    decide_n(&r, 2, s, q);
    expect(&r, AV_UNKNOWN, "list_truncated", "\"File 1\"", "XP qfe count mismatch");
    teardown(NULL);

    /* a collector whose merged list still holds KB-less "File 1" entries (no wmic-qfe section) */
    struct listing *c = L(LK_COLLECTOR, "t/xpcol.txt");
    os(c, 5, 2, 3790, 2, 3, "Microsoft(R) Windows(R) Server 2003, Standard Edition", "X86-based PC");
    host(c, "S3", "W");
    kb(c, 958644);
    raw_entry(c, "File 1");
    declare_all(c);
    decide_n(&r, 1, c);
    expect(&r, AV_UNKNOWN, "list_truncated", "1 \"File 1\"", "collector File 1");
    struct hotfix *f = kb(c, 4012598);                 /* the wmic-qfe section: File 1 -> KB4012598 */
    snprintf(f->raw, sizeof f->raw, "%s", "File 1");
    declare_all(c);
    decide_n(&r, 1, c);
    expect(&r, AV_PATCHED, "fixing_kb", "KB4012598 (t/xpcol.txt:12)", "collector File 1 KB");
    f->kb = 950974;
    decide_n(&r, 1, c);
    expect(&r, AV_VULNERABLE, "no_fixing_kb", "t/xpcol.txt", "collector File 1 proven");
    teardown(NULL);

    /* a wmic list with no systeminfo to compare: complete only when it names its host */
    q = L(LK_WMIC_QFE, "t/qfe7.txt");
    os(q, 6, 1, 7601, 1, 1, "Microsoft Windows 7 Professional", "x64-based PC");  /* e.g. from --host + wmic os */
    kb(q, UNRELATED);
    decide_n(&r, 1, q);
    expect(&r, AV_UNKNOWN, "list_truncated", "names no host", "qfe without host");
    host(q, "PC7", NULL);
    decide_n(&r, 1, q);
    expect(&r, AV_VULNERABLE, "no_fixing_kb", "t/qfe7.txt", "qfe with host");
}

/* ---- reboot pending --------------------------------------------------------------------------- */

static void test_reboot(void **state)
{
    struct audit_result r;
    (void)state;
    struct listing *s = win7("t/si.txt", INT64_MIN);
    kb(s, 4012215);
    declare_all(s);
    s->boot_time = ymd(2017, 4, 10) + 8 * 3600;          /* local */
    s->boot_time_local = 1;
    struct listing *q = L(LK_WMIC_QFE, "t/q.txt");
    host(q, "SRV1", NULL);
    kb(q, UNRELATED);
    struct hotfix *e = kb(q, 4012215);
    e->installed_on_date_only = 1;

    e->installed_on = ymd(2017, 4, 10);                  /* the boot day: order unknown */
    decide_n(&r, 2, s, q);
    expect(&r, AV_PATCHED, "fixing_kb", "KB4012215", "boot day");
    assert_int_equal(r.reboot_pending, -1);
    assert_non_null(strstr(r.advice, "If the host has not restarted since KB4012215"));

    e->installed_on = ymd(2017, 3, 20);                  /* before: the fix is active */
    decide_n(&r, 2, s, q);
    expect(&r, AV_PATCHED, "fixing_kb", "KB4012215", "before boot");
    assert_int_equal(r.reboot_pending, 0);

    e->installed_on = ymd(2017, 4, 11);                  /* the day after */
    decide_n(&r, 2, s, q);
    expect(&r, AV_VULNERABLE, "reboot_pending", "KB4012215 (t/q.txt:11) installed 2017-04-11", "after boot");
    assert_int_equal(r.confidence, AC_MEDIUM);

    /* an exact UTC FILETIME within a day of a local boot time: unknown */
    e->installed_on_date_only = 0;
    e->installed_on = ymd(2017, 4, 10) + 20 * 3600;
    decide_n(&r, 2, s, q);
    expect(&r, AV_PATCHED, "fixing_kb", "KB4012215", "UTC within a day");
    assert_int_equal(r.reboot_pending, -1);
    e->installed_on = ymd(2017, 4, 12) + 20 * 3600;
    decide_n(&r, 2, s, q);
    expect(&r, AV_VULNERABLE, "reboot_pending", "KB4012215", "UTC two days after");

    /* one fixing KB installed before the boot is enough, whatever a later one says */
    struct hotfix *e2 = kb(q, 4015549);                  /* April 2017 monthly rollup, 1.3 */
    e2->installed_on = ymd(2017, 3, 1);
    e2->installed_on_date_only = 1;
    decide_n(&r, 2, s, q);
    expect(&r, AV_PATCHED, "fixing_kb", NULL, "one before");
    teardown(NULL);

    /* the collector says a reboot is pending (no dates) */
    struct listing *c = L(LK_COLLECTOR, "t/col.txt");
    os(c, 6, 1, 7601, 1, 1, "Microsoft Windows 7 Enterprise", "x64-based PC");
    host(c, "PC1", "CORP");
    kb(c, 4012212);
    declare_all(c);
    c->reboot_pending = 1;
    snprintf(c->reboot_why, sizeof c->reboot_why, "%s", "CBS RebootPending");
    decide_n(&r, 1, c);
    expect(&r, AV_VULNERABLE, "reboot_pending", "CBS RebootPending", "collector flag");
    assert_int_equal(r.reboot_pending, 1);
    teardown(NULL);

    /* XP: boot = listing time - System Up Time */
    s = L(LK_SYSTEMINFO, "t/xpboot.txt");
    os(s, 5, 1, 2600, 3, 1, "Microsoft Windows XP Professional", "X86-based PC");
    host(s, "XP2", "WG");
    s->listing_time = ymd(2017, 6, 20) + 12 * 3600;
    s->uptime_s = 40 * 86400;                            /* booted 2017-05-11 */
    kb(s, 4012598);
    declare_all(s);
    q = L(LK_WMIC_QFE, "t/xpq.txt");
    host(q, "XP2", NULL);
    e = kb(q, 4012598);
    e->installed_on = ymd(2017, 5, 20);
    e->installed_on_date_only = 1;
    decide_n(&r, 2, s, q);
    expect(&r, AV_VULNERABLE, "reboot_pending", "KB4012598 (t/xpq.txt:10) installed 2017-05-20", "xp uptime");
    s->uptime_s = 20 * 86400;                            /* booted 2017-05-31: after the install */
    decide_n(&r, 2, s, q);
    expect(&r, AV_PATCHED, "fixing_kb", "KB4012598", "xp uptime 2");
    assert_int_equal(r.reboot_pending, 0);
    s->listing_time = INT64_MIN;                         /* no time of its own: boot unknown */
    decide_n(&r, 2, s, q);
    assert_int_equal(r.reboot_pending, -1);
}

/* ---- srv.sys ---------------------------------------------------------------------------------- */

static struct listing *collector(unsigned ma, unsigned mi, unsigned b, int sp, int pt, const char *name,
                                 const char *srv)
{
    struct listing *c = L(LK_COLLECTOR, "t/col.txt");
    os(c, ma, mi, b, sp, pt, name, "x64-based PC");
    host(c, "H", "D");
    c->declared_count = 0;
    if (srv)
        snprintf(c->srv_sys_version, sizeof c->srv_sys_version, "%s", srv);
    return c;
}

static void test_vista_branches(void **state)
{
    struct audit_result r;
    (void)state;
    static const struct { const char *v; enum audit_verdict want; } cases[] = {
        { "6.0.6002.19742", AV_VULNERABLE }, { "6.0.6002.19743", AV_PATCHED },   /* GDR */
        { "6.0.6002.19999", AV_PATCHED },
        { "6.0.6002.23000", AV_VULNERABLE }, { "6.0.6002.24066", AV_VULNERABLE }, /* LDR */
        { "6.0.6002.24067", AV_PATCHED },
        { "6.0.6003.20000", AV_PATCHED },                                          /* 6003: above both */
        { "6.0.6003.20512", AV_PATCHED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct listing *c = collector(6, 0, 6002, 2, 3, "Microsoft Windows Server 2008 Standard", cases[i].v);
        decide_n(&r, 1, c);
        if (r.verdict != cases[i].want)
            fail_msg("srv.sys %s: got %s (%s)", cases[i].v, audit_verdict_name(r.verdict), r.evidence);
        assert_non_null(strstr(r.evidence, cases[i].v));
        teardown(NULL);
    }
}

static void test_srv_sys_rules(void **state)
{
    struct audit_result r;
    (void)state;
    /* a srv.sys of another OS: unknown */
    struct listing *c = collector(6, 3, 9600, 0, 3, "Microsoft Windows Server 2012 R2 Standard", "6.1.7601.23689");
    decide_n(&r, 1, c);
    expect(&r, AV_UNKNOWN, "srv_sys_family_mismatch", "6.1.7601.23689", "mismatch");
    teardown(NULL);

    /* below the threshold with the fixing KB listed: installed, not active */
    c = collector(6, 1, 7601, 1, 1, "Microsoft Windows 7 Enterprise", "6.1.7601.23403");
    kb(c, 4012212);
    declare_all(c);
    decide_n(&r, 1, c);
    expect(&r, AV_VULNERABLE, "fix_installed_not_active", "KB4012212 (t/col.txt:10)", "not active");
    teardown(NULL);

    /* srv.sys decides before the KB list: at the threshold with no KB at all */
    c = collector(6, 1, 7601, 1, 1, "Microsoft Windows 7 Enterprise", "6.1.7601.23689");
    c->cut_entry = 1;
    decide_n(&r, 1, c);
    expect(&r, AV_PATCHED, "srv_sys_fixed", "srv.sys 6.1.7601.23689", "srv first");
    teardown(NULL);

    /* srv.sys absent: not_affected only with the SMB1 feature removed on 8.1/2012 R2 and later */
    c = collector(6, 3, 9600, 0, 3, "Microsoft Windows Server 2012 R2 Standard", NULL);
    c->srv_sys_absent = 1;
    decide_n(&r, 1, c);
    expect(&r, AV_UNKNOWN, "srv_sys_missing", "SysWOW64", "missing");
    c->smb1_feature_removed = 1;
    decide_n(&r, 1, c);
    expect(&r, AV_NOT_AFFECTED, "smb1_removed", "SMB1Protocol feature removed", "removed");
    teardown(NULL);
    c = collector(6, 1, 7601, 1, 1, "Microsoft Windows 7 Enterprise", NULL);
    c->srv_sys_absent = 1;
    c->smb1_feature_removed = 1;                         /* no such feature on 7 */
    decide_n(&r, 1, c);
    expect(&r, AV_UNKNOWN, "srv_sys_missing", NULL, "missing on 7");
}

/* ---- Windows 10 UBR --------------------------------------------------------------------------- */

static void test_ubr(void **state)
{
    struct audit_result r;
    (void)state;
    /* CVE-2024-43491 window on 1507: [20526, 20766) needs srv.sys */
    struct listing *c = collector(10, 0, 10240, 0, 1, "Microsoft Windows 10 Enterprise 2015 LTSB", NULL);
    c->ubr = 20600;
    decide_n(&r, 1, c);
    expect(&r, AV_UNKNOWN, "cve_2024_43491_window", "10240.20600", "window");
    assert_non_null(strstr(r.advice, AUDIT_SRV_SYS_PS));
    c->ubr = 20526;
    decide_n(&r, 1, c);
    expect(&r, AV_UNKNOWN, "cve_2024_43491_window", NULL, "window lo");
    c->ubr = 20766;
    decide_n(&r, 1, c);
    expect(&r, AV_PATCHED, "ubr_fixed", "10240.20766", "window hi");
    c->ubr = 20600;                                      /* srv.sys known: it decides (rule 1) */
    snprintf(c->srv_sys_version, sizeof c->srv_sys_version, "%s", "10.0.10240.17319");
    decide_n(&r, 1, c);
    expect(&r, AV_PATCHED, "srv_sys_fixed", "10.0.10240.17319", "window + srv.sys");
    teardown(NULL);

    /* the UBR mapped from the newest installed CU: KB5035858 = 10240.20526 (patches-data CU list,
     * decisions.md 12) is in the window; KB5043083 = 10240.20766 is out of it */
    struct listing *s = L(LK_SYSTEMINFO, "t/ltsb.txt");
    os(s, 10, 0, 10240, 0, 1, "Microsoft Windows 10 Enterprise 2015 LTSB", "x64-based PC");
    host(s, "L1", "D");
    kb(s, 5035858);
    declare_all(s);
    decide_n(&r, 1, s);
    expect(&r, AV_UNKNOWN, "cve_2024_43491_window", "KB5035858 (t/ltsb.txt:10) sets build 10240.20526", "mapped window");
    kb(s, 5043083);
    declare_all(s);
    decide_n(&r, 1, s);
    expect(&r, AV_PATCHED, "fixing_kb", "KB5043083", "mapped past window");
    teardown(NULL);

    /* a given UBR below the threshold with the March CU listed: installed, not active */
    c = collector(10, 0, 14393, 0, 3, "Microsoft Windows Server 2016 Standard", NULL);
    c->ubr = 693;
    kb(c, 4013429);
    declare_all(c);
    decide_n(&r, 1, c);
    expect(&r, AV_VULNERABLE, "fix_installed_not_active", "14393.693", "ubr not active");
    teardown(NULL);

    /* the replaced January CU KB3213986 (14393.693) alone is not a fix (1.1 "Updates replaced") */
    s = L(LK_SYSTEMINFO, "t/2016.txt");
    os(s, 10, 0, 14393, 0, 3, "Microsoft Windows Server 2016 Standard", "x64-based PC");
    host(s, "S16", "D");
    kb(s, 3213986);
    declare_all(s);
    decide_n(&r, 1, s);
    expect(&r, AV_VULNERABLE, "no_fixing_kb", "KB3213986", "replaced CU");
}

/* ---- rule 5: newer than the table, never vulnerable ------------------------------------------ */

static void test_newer_than_table(void **state)
{
    struct audit_result r;
    (void)state;
    struct listing *s = win7("t/new.txt", INT64_MIN);
    kb(s, 5099999);                           /* a KB number above anything known for 7/2008 R2 */
    declare_all(s);
    decide_n(&r, 1, s);
    expect(&r, AV_UNKNOWN, "kb_newer_than_table", "KB5099999 (t/new.txt:11)", "newer");
    teardown(NULL);

    /* the Azure FAQ trap list: replaced KB3212646 alone does not fix 7 (1.1) */
    s = win7("t/trap.txt", INT64_MIN);
    kb(s, 3212646);
    declare_all(s);
    decide_n(&r, 1, s);
    expect(&r, AV_VULNERABLE, "no_fixing_kb", "KB3212646", "replaced rollup");
}

/* ---- advice ----------------------------------------------------------------------------------- */

static void test_advice(void **state)
{
    struct audit_result r;
    (void)state;
    /* Japanese XP: the -JPN KB4012598 package */
    struct listing *s = L(LK_SYSTEMINFO, "t/xp_ja.txt");
    os(s, 5, 1, 2600, 3, 1, "Microsoft Windows XP Professional", "X86-based PC");
    host(s, "XPJ", "WG");
    snprintf(s->language, sizeof s->language, "%s", "ja");
    kb(s, 958644);
    declare_all(s);
    snprintf(s->av_status, sizeof s->av_status, "%s", "Symantec Endpoint Protection, definitions 2017-05-12");
    decide_n(&r, 1, s);
    expect(&r, AV_VULNERABLE, "no_fixing_kb", "no fixing KB", "xp ja");
    assert_non_null(strstr(r.advice, "KB4012598"));
    assert_non_null(strstr(r.advice, "JPN"));
    assert_non_null(strstr(r.advice, "latest rollup you are entitled to"));
    assert_non_null(strstr(r.advice, "139 and 445"));
    assert_non_null(strstr(r.advice, "Antivirus: Symantec"));
    assert_null(strstr(r.evidence, "Symantec"));          /* never evidence */
    assert_string_equal(r.av_status, "Symantec Endpoint Protection, definitions 2017-05-12");
    /* the collector's UI language wins over the label language */
    snprintf(s->ui_language, sizeof s->ui_language, "%s", "de-DE");
    decide_n(&r, 1, s);
    assert_non_null(strstr(r.advice, "DEU"));
    teardown(NULL);

    /* 7 SP1 x64 vulnerable: smallest fix, latest rollup, prerequisites, SMB1 off */
    s = win7("t/w7.txt", INT64_MIN);
    declare_all(s);
    decide_n(&r, 1, s);
    expect(&r, AV_VULNERABLE, "no_fixing_kb", NULL, "7 advice");
    assert_non_null(strstr(r.advice, "KB4012212"));
    assert_non_null(strstr(r.advice, "latest rollup you are entitled to"));
    assert_non_null(strstr(r.advice, "SMB1"));
    assert_non_null(strstr(r.advice, "x64"));
    assert_int_equal(r.fix_kb, 4012212);
    assert_true(r.prerequisites[0] != '\0');
    teardown(NULL);

    /* no fix for 7600: the chain starts with SP1 */
    s = win7("t/rtm.txt", INT64_MIN);
    s->ver_build = 7600;
    s->service_pack = 0;
    declare_all(s);
    decide_n(&r, 1, s);
    expect(&r, AV_VULNERABLE, "no_fix_for_this_level", "6.1.7600", "7600");
    assert_non_null(strstr(r.advice, "Install SP1"));
    assert_int_equal(r.confidence, AC_HIGH);
    teardown(NULL);

    /* XP RTM: SP1 or SP2 before SP3 */
    s = L(LK_SYSTEMINFO, "t/xprtm.txt");
    os(s, 5, 1, 2600, 0, 1, "Microsoft Windows XP Professional", "X86-based PC");
    host(s, "X", "W");
    declare_all(s);
    decide_n(&r, 1, s);
    expect(&r, AV_VULNERABLE, "no_fix_for_this_level", "5.1.2600", "xp rtm");
    assert_non_null(strstr(r.advice, "SP1 or SP2 first, then SP3"));
    teardown(NULL);

    /* Vista 6000: SP1 before SP2 */
    s = L(LK_SYSTEMINFO, "t/vrtm.txt");
    os(s, 6, 0, 6000, 0, 1, "Microsoftr Windows VistaT Business", "X86-based PC");
    host(s, "V", "W");
    declare_all(s);
    decide_n(&r, 1, s);
    expect(&r, AV_VULNERABLE, "no_fix_for_this_level", "6.0.6000", "vista rtm");
    assert_non_null(strstr(r.advice, "Install SP1, then SP2"));
    teardown(NULL);

    /* names */
    assert_string_equal(audit_verdict_name(AV_NOT_AFFECTED), "not_affected");
    assert_string_equal(audit_confidence_name(AC_MEDIUM), "medium");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_table, teardown),
        cmocka_unit_test_teardown(test_identify, teardown),
        cmocka_unit_test_teardown(test_kb_never_guesses_os, teardown),
        cmocka_unit_test_teardown(test_group, teardown),
        cmocka_unit_test_teardown(test_missing_updates_not_installed, teardown),
        cmocka_unit_test_teardown(test_snapshots, teardown),
        cmocka_unit_test_teardown(test_truncation, teardown),
        cmocka_unit_test_teardown(test_reboot, teardown),
        cmocka_unit_test_teardown(test_vista_branches, teardown),
        cmocka_unit_test_teardown(test_srv_sys_rules, teardown),
        cmocka_unit_test_teardown(test_ubr, teardown),
        cmocka_unit_test_teardown(test_newer_than_table, teardown),
        cmocka_unit_test_teardown(test_advice, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
