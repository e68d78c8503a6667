/* test_audit_kbtable.c: the MS17-010 knowledge table (audit/kbtable.c + generated data) against KB numbers
 * and thresholds written by hand from ../shared/spec/patches.md and decisions.md 8 (never read from the CSV). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "audit/kbtable.h"

/* effect of a KB for a family; KBE_NONE also when the table does not know it */
static enum kb_effect eff(enum os_family f, uint32_t kb)
{
    const struct kb_info *k = kbtable_lookup(f, kb);
    return k ? k->effect : KBE_NONE;
}

static void assert_fixes(enum os_family f, uint32_t kb)
{
    const struct kb_info *k = kbtable_lookup(f, kb);
    if (!k || k->effect != KBE_FIXES)
        fail_msg("KB%u should fix MS17-010 on %s (got %s)", (unsigned)kb, os_family_name(f),
                 k ? "another effect" : "unknown KB");
}

/* patches.md 1.1/1.3: Windows 7 SP1 / 2008 R2 SP1 March-June 2017 matrix */
static void test_win7_matrix(void **state)
{
    (void)state;
    enum os_family f = OSF_7_2008R2;
    assert_fixes(f, 4012212);   /* March 2017 security-only */
    assert_fixes(f, 4012215);   /* March 2017 monthly rollup */
    assert_fixes(f, 4012218);   /* March 2017 preview */
    assert_fixes(f, 4015549);   /* April 2017 monthly rollup */
    assert_fixes(f, 4015552);   /* April 2017 preview */
    assert_fixes(f, 4019263);   /* May 2017 security-only: carries the fix (decisions.md 12) */
    assert_fixes(f, 4019264);   /* May 2017 monthly rollup */
    assert_fixes(f, 4022719);   /* June 2017 monthly rollup */
    assert_int_equal(eff(f, 4015546), KBE_TRAP);        /* April 2017 security-only: no fix */
    assert_int_equal(eff(f, 3212646), KBE_TRAP);        /* "Updates replaced" */
    assert_int_equal(eff(f, 4022722), KBE_UNVERIFIED);  /* June 2017 security-only */
    assert_int_equal(eff(f, 4539601), KBE_UNVERIFIED);  /* patches.md 1.5: stand-alone, UNVERIFIED */
    assert_fixes(f, 5034169);   /* patches.md 1.5: the Win7/2008 R2 rollup list runs to KB5034169 */
    assert_int_not_equal(eff(f, 4012598), KBE_FIXES);   /* KB4012598 is not the Windows 7 fix */
    assert_int_not_equal(eff(f, 4012213), KBE_FIXES);   /* 8.1's security-only on a 7 host */

    const struct kb_info *k = kbtable_lookup(f, 4012212);
    assert_non_null(k);
    assert_string_equal(k->kind, "security-only");
    assert_string_equal(k->month, "2017-03");
    k = kbtable_lookup(f, 4012215);
    assert_non_null(k);
    assert_string_equal(k->kind, "monthly rollup");
}

/* patches.md 1.3: Server 2012 (and Windows Embedded 8 Standard, decisions.md 8 Editions) */
static void test_2012_matrix(void **state)
{
    (void)state;
    enum os_family f = OSF_2012;
    assert_fixes(f, 4012214);
    assert_fixes(f, 4012217);
    assert_fixes(f, 4012220);
    assert_fixes(f, 4019214);   /* May SO (Tenable swaps it with the May rollup: both fix anyway) */
    assert_fixes(f, 4019216);   /* May monthly rollup */
    assert_fixes(f, 5070887);   /* patches.md 1.5: 2012 list runs to KB5070887 */
    assert_int_equal(eff(f, 4015548), KBE_TRAP);
    assert_int_equal(eff(f, 3205409), KBE_TRAP);
    assert_int_equal(eff(f, 4022718), KBE_UNVERIFIED);
    /* Embedded 8 Standard lives in this family: it takes the 2012 KBs, not KB4012598 */
    assert_int_not_equal(eff(f, 4012598), KBE_FIXES);
    assert_non_null(strstr(kbtable_family(f)->covers, "Embedded 8 Standard"));
    assert_null(kbtable_lookup(OSF_8, 4012214));        /* Windows 8 client gets no 2012 updates */
    assert_null(kbtable_lookup(OSF_8, 4012217));
}

/* patches.md 1.3: 8.1 / RT 8.1 / 2012 R2 */
static void test_81_matrix(void **state)
{
    (void)state;
    enum os_family f = OSF_81_2012R2;
    assert_fixes(f, 4012213);
    assert_fixes(f, 4012216);
    assert_fixes(f, 4012219);
    assert_fixes(f, 4019213);
    assert_fixes(f, 4019215);
    assert_fixes(f, 4022726);
    assert_fixes(f, 5065507);   /* patches.md 1.5: 8.1/2012 R2 list runs to KB5065507 */
    assert_int_equal(eff(f, 4015547), KBE_TRAP);
    assert_int_equal(eff(f, 3205401), KBE_TRAP);
    assert_int_equal(eff(f, 4022717), KBE_UNVERIFIED);
    assert_int_not_equal(eff(f, 4012598), KBE_FIXES);
}

/* patches.md 1.4: KB4012598 for XP / 2003 / Vista / 2008 / 8, KB4018466 for 2008 SP2 */
static void test_kb4012598(void **state)
{
    (void)state;
    assert_fixes(OSF_XP_X86, 4012598);
    assert_fixes(OSF_XP_X64_2003, 4012598);
    assert_fixes(OSF_VISTA_2008, 4012598);
    assert_fixes(OSF_8, 4012598);
    assert_fixes(OSF_VISTA_2008, 4018466);
    assert_int_equal(eff(OSF_VISTA_2008, 3177186), KBE_TRAP);     /* MS16-114, replaced */
    assert_int_equal(eff(OSF_VISTA_2008, 4458010), KBE_UNVERIFIED); /* first 2008 SP2 rollup */
    assert_int_equal(eff(OSF_VISTA_2008, 4463097), KBE_UNVERIFIED);
    assert_int_not_equal(eff(OSF_7_2008R2, 4012598), KBE_FIXES);
    assert_int_not_equal(eff(OSF_10_1607_2016, 4012598), KBE_FIXES);
    /* no fix at all for NT 4 / 2000 */
    assert_null(kbtable_lookup(OSF_NT4, 4012598));
    assert_null(kbtable_lookup(OSF_2000, 4012598));
    assert_int_equal(kbtable_newest(OSF_2000), 0);
    assert_int_equal(kbtable_family(OSF_2000)->smallest_fix, 0);
    assert_null(kbtable_family(OSF_NT4)->srv_sys_fixed);
}

/* patches.md 1.3 / 2.2: Windows 10 cumulative updates and their UBR */
static void test_win10_cus(void **state)
{
    (void)state;
    const struct kb_info *k = kbtable_lookup(OSF_10_1507, 4012606);
    assert_non_null(k);
    assert_int_equal(k->ubr, 17319);        /* not 17312 as a script in the wild says */
    assert_int_equal(k->effect, KBE_FIXES);
    assert_string_equal(k->kind, "cumulative update");
    k = kbtable_lookup(OSF_10_1507, 4016637);
    assert_non_null(k);
    assert_int_equal(k->ubr, 17320);
    assert_fixes(OSF_10_1507, 4019474);
    assert_int_equal(eff(OSF_10_1507, 3210720), KBE_TRAP);

    k = kbtable_lookup(OSF_10_1511, 4013198);
    assert_non_null(k);
    assert_int_equal(k->ubr, 839);
    assert_int_equal(k->effect, KBE_FIXES);
    assert_int_equal(eff(OSF_10_1511, 3210721), KBE_TRAP);

    k = kbtable_lookup(OSF_10_1607_2016, 4013429);
    assert_non_null(k);
    assert_int_equal(k->ubr, 953);
    assert_int_equal(k->effect, KBE_FIXES);
    assert_fixes(OSF_10_1607_2016, 4015438);  /* .969 */
    assert_fixes(OSF_10_1607_2016, 4023680);  /* .1230 */
    k = kbtable_lookup(OSF_10_1607_2016, 4010672);  /* last unfixed CU, 14393.729 */
    assert_non_null(k);
    assert_int_equal(k->ubr, 729);
    assert_int_not_equal(k->effect, KBE_FIXES);
    k = kbtable_lookup(OSF_10_1607_2016, 3213986);  /* January 2017, 14393.693, "Updates replaced" */
    assert_non_null(k);
    assert_int_equal(k->ubr, 693);
    assert_int_equal(k->effect, KBE_TRAP);
    /* a CU of one release is not a fix for another */
    assert_null(kbtable_lookup(OSF_10_1511, 4013429));
}

/* patches.md 2.1 / 2.2: thresholds */
static void test_thresholds(void **state)
{
    (void)state;
    assert_string_equal(kbtable_family(OSF_XP_X86)->srv_sys_fixed, "5.1.2600.7208");
    assert_string_equal(kbtable_family(OSF_XP_X64_2003)->srv_sys_fixed, "5.2.3790.6021");
    assert_string_equal(kbtable_family(OSF_VISTA_2008)->srv_sys_fixed, "6.0.6002.19743");
    assert_string_equal(kbtable_family(OSF_VISTA_2008)->srv_sys_fixed_ldr, "6.0.6002.24067");
    assert_string_equal(kbtable_family(OSF_7_2008R2)->srv_sys_fixed, "6.1.7601.23689");
    assert_null(kbtable_family(OSF_7_2008R2)->srv_sys_fixed_ldr);
    assert_string_equal(kbtable_family(OSF_8)->srv_sys_fixed, "6.2.9200.22099");
    assert_string_equal(kbtable_family(OSF_2012)->srv_sys_fixed, "6.2.9200.22099");
    assert_string_equal(kbtable_family(OSF_81_2012R2)->srv_sys_fixed, "6.3.9600.18604");
    assert_string_equal(kbtable_family(OSF_10_1507)->srv_sys_fixed, "10.0.10240.17319");
    assert_string_equal(kbtable_family(OSF_10_1511)->srv_sys_fixed, "10.0.10586.839");
    assert_string_equal(kbtable_family(OSF_10_1607_2016)->srv_sys_fixed, "10.0.14393.953");

    assert_int_equal(kbtable_family(OSF_10_1507)->ubr_build, 10240);
    assert_int_equal(kbtable_family(OSF_10_1507)->ubr_fixed, 17319);
    assert_int_equal(kbtable_family(OSF_10_1511)->ubr_build, 10586);
    assert_int_equal(kbtable_family(OSF_10_1511)->ubr_fixed, 839);
    assert_int_equal(kbtable_family(OSF_10_1607_2016)->ubr_build, 14393);
    assert_int_equal(kbtable_family(OSF_10_1607_2016)->ubr_fixed, 953);
    assert_int_equal(kbtable_family(OSF_7_2008R2)->ubr_build, 0);
    /* CVE-2024-43491 window on 1507: 10240.20526 .. below 10240.20766 (decisions.md 8 rule 2) */
    assert_int_equal(kbtable_family(OSF_10_1507)->ubr_rollback_lo, 20526);
    assert_int_equal(kbtable_family(OSF_10_1507)->ubr_rollback_hi, 20766);
    assert_int_equal(kbtable_family(OSF_10_1607_2016)->ubr_rollback_hi, 0);
}

/* decisions.md 8 Advice: smallest fix, prerequisites, SMB1 switch, packages */
static void test_advice(void **state)
{
    (void)state;
    assert_int_equal(kbtable_family(OSF_7_2008R2)->smallest_fix, 4012212);
    assert_int_equal(kbtable_family(OSF_81_2012R2)->smallest_fix, 4012213);
    assert_int_equal(kbtable_family(OSF_2012)->smallest_fix, 4012214);
    assert_int_equal(kbtable_family(OSF_XP_X86)->smallest_fix, 4012598);
    assert_int_equal(kbtable_family(OSF_XP_X64_2003)->smallest_fix, 4012598);
    assert_int_equal(kbtable_family(OSF_VISTA_2008)->smallest_fix, 4012598);
    assert_int_equal(kbtable_family(OSF_8)->smallest_fix, 4012598);
    assert_int_equal(kbtable_family(OSF_10_1507)->smallest_fix, 4012606);
    assert_int_equal(kbtable_family(OSF_10_1511)->smallest_fix, 4013198);
    assert_int_equal(kbtable_family(OSF_10_1607_2016)->smallest_fix, 4013429);
    for (int f = OSF_NT4; f < OSF_COUNT; f++) {
        const struct family_info *fi = kbtable_family((enum os_family)f);
        assert_non_null(fi);
        assert_int_equal(fi->family, f);
        assert_non_null(fi->smb1_off);
        assert_non_null(fi->prerequisites);
        if (fi->smallest_fix) {       /* the advised fix is itself a fixing KB of that family */
            assert_non_null(fi->smallest_fix_title);
            assert_true(strlen(fi->smallest_fix_title) < 160);
            assert_int_equal(eff((enum os_family)f, fi->smallest_fix), KBE_FIXES);
        }
        assert_true(strlen(fi->prerequisites) < 256);
    }
    assert_non_null(strstr(kbtable_family(OSF_81_2012R2)->prerequisites, "KB2919355"));
    assert_non_null(strstr(kbtable_family(OSF_7_2008R2)->prerequisites, "KB4474419"));
    assert_non_null(strstr(kbtable_family(OSF_7_2008R2)->prerequisites, "KB4490628"));
    assert_non_null(strstr(kbtable_family(OSF_7_2008R2)->prerequisites, "ESU"));
    assert_non_null(strstr(kbtable_family(OSF_2012)->prerequisites, "ESU"));
    assert_non_null(strstr(kbtable_family(OSF_XP_X86)->prerequisites, "SP1 or SP2 before SP3"));
    assert_non_null(strstr(kbtable_family(OSF_VISTA_2008)->prerequisites, "SP1 before SP2"));
    assert_int_equal(kbtable_family(OSF_XP_X86)->min_sp, 3);
    assert_int_equal(kbtable_family(OSF_XP_X64_2003)->min_sp, 2);
    assert_int_equal(kbtable_family(OSF_VISTA_2008)->min_sp, 2);
    assert_int_equal(kbtable_family(OSF_7_2008R2)->min_sp, 1);

    assert_non_null(strstr(kbtable_family(OSF_7_2008R2)->smb1_off, "SMB1"));
    assert_non_null(strstr(kbtable_family(OSF_7_2008R2)->smb1_off, "restart"));
    assert_non_null(strstr(kbtable_family(OSF_8)->smb1_off, "Set-SmbServerConfiguration -EnableSMB1Protocol $false"));
    assert_non_null(strstr(kbtable_family(OSF_2012)->smb1_off, "Set-SmbServerConfiguration -EnableSMB1Protocol $false"));
    assert_non_null(strstr(kbtable_family(OSF_81_2012R2)->smb1_off, "SMB1Protocol"));
    assert_non_null(strstr(kbtable_family(OSF_XP_X86)->smb1_off, "445"));
    assert_non_null(strstr(kbtable_family(OSF_XP_X64_2003)->smb1_off, "NetBIOS over TCP/IP"));
    /* a Japanese XP needs the -JPN package: the rule names the language code */
    assert_non_null(strstr(kbtable_family(OSF_XP_X86)->package_rule, "JPN"));
    assert_non_null(kbtable_family(OSF_XP_X64_2003)->package_rule);
}

/* lookups: every row is found by binary search, rows strictly ascending, bad families answer nothing */
static void test_lookup_contract(void **state)
{
    (void)state;
    for (int f = OSF_NT4; f < OSF_COUNT; f++) {
        const struct kb_info *rows;
        unsigned n = kbtable_rows((enum os_family)f, &rows);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                assert_true(rows[i - 1].kb < rows[i].kb);
            assert_ptr_equal(kbtable_lookup((enum os_family)f, rows[i].kb), &rows[i]);
            assert_non_null(rows[i].kind);
            assert_non_null(rows[i].month);
            assert_non_null(rows[i].title);
        }
        assert_int_equal(kbtable_newest((enum os_family)f), n ? rows[n - 1].kb : 0);
        assert_null(kbtable_lookup((enum os_family)f, 0));
        assert_null(kbtable_lookup((enum os_family)f, 0xFFFFFFFFu));
    }
    assert_null(kbtable_lookup(OSF_UNKNOWN, 4012212));
    assert_null(kbtable_lookup(OSF_COUNT, 4012212));
    assert_null(kbtable_family(OSF_UNKNOWN));
    assert_null(kbtable_family(OSF_COUNT));
    assert_int_equal(kbtable_newest(OSF_COUNT), 0);
    assert_non_null(os_family_name(OSF_UNKNOWN));
    assert_non_null(os_family_name(OSF_COUNT));
    assert_non_null(strstr(os_family_name(OSF_7_2008R2), "Windows 7"));
    assert_true(kbtable_newest(OSF_7_2008R2) >= 5034169);
    assert_true(kbtable_newest_fix(OSF_7_2008R2) >= 5034169);
    assert_int_equal(kbtable_newest_fix(OSF_XP_X86), 4012598);
    assert_int_equal(kbtable_newest_fix(OSF_NT4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_win7_matrix),
        cmocka_unit_test(test_2012_matrix),
        cmocka_unit_test(test_81_matrix),
        cmocka_unit_test(test_kb4012598),
        cmocka_unit_test(test_win10_cus),
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_advice),
        cmocka_unit_test(test_lookup_contract),
    };
    if (getenv("SG_TEST_FILTER"))
        cmocka_set_test_filter(getenv("SG_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
