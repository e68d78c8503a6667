/* test_audit_parse.c: the audit input side (audit/parse.h): every real listing in ../shared/hostdumps
 * (read at run time) against a hand-written table, the synthetic fixtures in tests/fixtures/audit
 * (CP932, UTF-16LE, mixed encodings, CSV/TABLE/JSON forms, a collector file, DISM package lists) and
 * the decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/parse.h"

/* ---- helpers ---- */

static int64_t civil(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
    return (int64_t)timegm(&tm);
}

static struct listing *parse_path(const char *envdir, const char *sub, const char *name)
{
    const char *dir = getenv(envdir);
    assert_non_null(dir);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    struct listing *l = malloc(sizeof *l);
    assert_non_null(l);
    char err[256];
    int rc = audit_parse_file(path, l, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: %s", path, err);
    return l;
}

static unsigned unique_kbs(const struct listing *l)
{
    unsigned u = 0;
    for (unsigned i = 0; i < l->n_entries; i++) {
        if (!l->entries[i].kb)
            continue;
        int seen = 0;
        for (unsigned j = 0; j < i && !seen; j++)
            seen = l->entries[j].kb == l->entries[i].kb;
        u += !seen;
    }
    return u;
}

static const struct hotfix *find_kb(const struct listing *l, uint32_t kb, unsigned line)
{
    for (unsigned i = 0; i < l->n_entries; i++)
        if (l->entries[i].kb == kb && (line == 0 || l->entries[i].line == line))
            return &l->entries[i];
    return NULL;
}

/* ---- the real listings ---- */

/* One row per file of ../shared/hostdumps, written from reading the file (labels, the "Hotfix(s)"
 * header, the [NN] entries, the wmic rows). listed = entries as listed (cut entry excluded, duplicates
 * and KB-less entries such as "File 1", Q147222, GUIDs included); ukb = distinct KB numbers among
 * them (bare 6-7 digit HotFixIDs such as "943729" count as KBs, patches.md 3.4); data_ukb = DATA.md
 * section B's "unique KB" column. kb/kb_line: one KB that must be listed, at that line of the
 * decoded file. */
struct row {
    const char *file;
    enum listing_kind kind;
    enum listing_format fmt;
    const char *enc, *lang, *host, *os; /* os: substring of os_name; NULL = must be empty */
    unsigned maj, min, build;
    int sp, ptype, arch, declared;
    unsigned listed, ukb;
    int data_ukb;
    uint32_t kb;
    unsigned kb_line;
    int cut;
};

#define SI LK_SYSTEMINFO
#define QFE LK_WMIC_QFE
#define MISS LK_MISSING_UPDATES
#define UNREC LK_UNRECOGNISED
static const struct row rows[] = {
    /* DATA.md gives the OS as the cmd banner "Microsoft Windows [Version 10.0.20348.2527]"; the
     * OS Name line says Server 2022 Datacenter. The banner's UBR (2527) is taken (checked below). */
    {"gowdhamraman-aws-task_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "EC2AMAZ-GKQHEH2", "Windows Server 2022 Datacenter", 10, 0, 20348, 0, 3, 64, 5, 5, 5, 5, 5034439, 42, 0},
    {"wesng_10_1803_x64_education_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "LAPTOP", "Windows 10 Education", 10, 0, 17134, 0, 1, 64, 5, 5, 5, 5, 4343909, 38, 0},
    /* no Host Name line at all in this file: host stays empty */
    {"wesng_10_1803_x64_enterprise_es-ar_20190307_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "", "Windows 10 Enterprise", 10, 0, 17134, 0, 1, 64, 6, 6, 6, 6, 4487029, 35, 0},
    {"wesng_10_1803_x64_pro_it_systeminfo.txt", SI, LF_LIST, "CP850", "it", "PC044", "Windows 10 Pro", 10, 0, 17134, 0, 1, 64, 10, 10, 10, 10, 4487017, 43, 0},
    /* BOM + CRLF only: an empty listing, no verdict of its own (decisions.md 8) */
    {"wesng_10_1803_x64_proforworkstations_en-us_B_20190306_qfe.txt", UNREC, LF_LIST, "UTF-16LE", "", "", NULL, 0, 0, 0, -1, -1, 0, -1, 0, 0, 0, 0, 0, 0},
    /* "Hotfix(s): N/A": an empty list (declared 0), not an unknown one */
    {"wesng_10_1803_x64_proforworkstations_en-us_B_20190306_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "DESKTOP-OOF6NB5", "Windows 10 Pro for Workstations", 10, 0, 17134, 0, 1, 64, 0, 0, 0, 0, 0, 0, 0},
    /* missing updates: KBs listed as NOT installed -> no entries (DATA.md counts 5 missing) */
    {"wesng_10_1803_x64_proforworkstations_en-us_B_20190306_updates.txt", MISS, LF_LIST, "UTF-8", "", "", NULL, 0, 0, 0, -1, -1, 0, -1, 0, 0, 5, 0, 0, 0},
    {"wesng_10_1803_x64_proforworkstations_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "DESKTOP-OOF6NB5", "Windows 10 Pro for Workstations", 10, 0, 17134, 0, 1, 64, 0, 0, 0, 0, 0, 0, 0},
    /* Dutch region, English labels (labels follow the display language) */
    {"wesng_10_1803_x86_enterprise_nl_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "DESKTOP-LFQSJM4", "Windows 10 Enterprise", 10, 0, 17134, 0, 1, 32, 4, 4, 4, 4, 4457128, 37, 0},
    /* wmic qfe list brief: no Caption/CSName columns, so no host (DATA.md "none in file" agrees) */
    {"wesng_10_1809_x64_education_en-us_20190306_qfe.txt", QFE, LF_BRIEF, "UTF-16LE", "", "", NULL, 0, 0, 0, -1, -1, 0, -1, 9, 9, 9, 4487044, 10, 0},
    {"wesng_10_1809_x64_education_en-us_20190306_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "LAPTOP", "Windows 10 Education", 10, 0, 17763, 0, 1, 64, 9, 9, 9, 9, 4487044, 42, 0},
    {"wesng_10_1809_x64_education_en-us_20190306_updates.txt", MISS, LF_LIST, "UTF-8", "", "", NULL, 0, 0, 0, -1, -1, 0, -1, 0, 0, 1, 0, 0, 0},
    {"wesng_10_1809_x64_education_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "LAPTOP", "Windows 10 Education", 10, 0, 17763, 0, 1, 64, 6, 6, 6, 6, 4483235, 39, 0},
    /* host name and boot time redacted to "..." in the file */
    {"wesng_10_1809_x64_education_es_systeminfo.txt", SI, LF_LIST, "CP850", "es", "...", "Windows 10 Education", 10, 0, 17763, 0, 1, 64, 9, 9, 9, 9, 4482887, 42, 0},
    {"wesng_10_1809_x64_pro_en-us_20190307_qfe.txt", QFE, LF_BRIEF, "UTF-16LE", "", "", NULL, 0, 0, 0, -1, -1, 0, -1, 5, 5, 5, 4482887, 6, 0},
    /* English labels, but CP850 no-break spaces (0xFF) as thousands separators: "32 503 MB" */
    {"wesng_10_1809_x64_pro_en-us_20190307_systeminfo.txt", SI, LF_LIST, "CP850", "en", "DESKTOP-LOQ9L09", "Windows 10 Pro", 10, 0, 17763, 0, 1, 64, 5, 5, 5, 5, 4482887, 38, 0},
    {"wesng_10_21H1_x64_enterprise_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "DESKTOP-92B51CV", "Windows 10 Enterprise", 10, 0, 19043, 0, 1, 64, 4, 4, 4, 4, 5003742, 37, 0},
    {"wesng_10_21H2_x64_pro_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "DESKTOP", "Windows 10 Pro", 10, 0, 19044, 0, 1, 64, 7, 7, 7, 7, 5005699, 39, 0},
    {"wesng_10_22H2_x64_enterprise_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "DESKTOP-92B51CV", "Windows 10 Enterprise", 10, 0, 19045, 0, 1, 64, 1, 1, 1, 1, 5022502, 33, 0},
    {"wesng_11_21H2_x64_enterprise_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WINXI21H2", "Windows 11 Enterprise", 10, 0, 22000, 0, 1, 64, 4, 4, 4, 4, 5005703, 37, 0},
    {"wesng_11_22H2_x64_home-single-language_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "test", "Windows 11 Home Single Language", 10, 0, 22621, 0, 1, 64, 1, 1, 1, 1, 5008215, 33, 0},
    {"wesng_11_23H2_x64_enterprise_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "DESKTOP-JNEKK9U", "Windows 11 Enterprise", 10, 0, 22631, 0, 1, 64, 4, 4, 4, 4, 5031592, 37, 0},
    /* 276 rows, no CSName (list brief); the systeminfo of the same day declares 273: the counts do
     * not match, so this list does not prove the systeminfo complete (decisions.md 8) */
    {"wesng_7_sp1_x64_enterprise_en-us_20190305_qfe.txt", QFE, LF_BRIEF, "UTF-16LE", "", "", NULL, 0, 0, 0, -1, -1, 0, -1, 276, 276, 276, 4467107, 277, 0},
    /* declared 273, [01]..[245] listed, then a cut "[246]" */
    {"wesng_7_sp1_x64_enterprise_en-us_20190305_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WIN7SP1X64", "Windows 7 Enterprise", 6, 1, 7601, 1, 1, 64, 273, 245, 245, 245, 3127220, 278, 1},
    /* 70 lines, 37 distinct KBs (language packs repeat KB2483139) */
    {"wesng_7_sp1_x64_enterprise_en-us_20190305_updates.txt", MISS, LF_LIST, "UTF-8", "", "", NULL, 0, 0, 0, -1, -1, 0, -1, 0, 0, 37, 0, 0, 0},
    {"wesng_7_sp1_x64_enterprise_en-us_A_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WIN7SP1X64", "Windows 7 Enterprise", 6, 1, 7601, 1, 1, 64, 219, 219, 219, 219, 982018, 252, 0},
    /* French, CP850, LF only; "Entreprise N" kept (os_name_en says Enterprise N) */
    {"wesng_7_sp1_x64_enterprise_fr_systeminfo_cmd.txt", SI, LF_LIST, "CP850", "fr", "WIN-IDKKFN87EL8", "Windows 7 Entreprise N", 6, 1, 7601, 1, 1, 64, 73, 73, 73, 73, 4493472, 106, 0},
    /* German, UTF-8: declared 263, [01]..[245] listed (KB2849697 twice, 242 distinct), then "[24" */
    {"wesng_7_sp1_x64_ultimaten_de_systeminfo.txt", SI, LF_LIST, "UTF-8", "de", "OLI7-PC", "Windows 7 Ultimate N", 6, 1, 7601, 1, 1, 64, 263, 245, 242, 242, 3162835, 278, 1},
    {"wesng_7_sp1_x86_enterprise_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WIN7SP1X86", "Windows 7 Enterprise", 6, 1, 7601, 1, 1, 32, 2, 2, 2, 2, 976902, 35, 0},
    /* "File 1", "Q147222", "KB893803v2 - Update": one KB */
    {"wesng_srv_2003_rtm_x86_standard_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WINSRV2K3SP0X86", "Windows Server 2003, Standard Edition", 5, 2, 3790, 0, 3, 32, 3, 3, 1, 1, 893803, 36, 0},
    /* one entry, Q147222: no KB */
    {"wesng_srv_2003_sp1_x64_standard_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WINSRV2K3SP1X64", "Windows Server 2003 Standard x64 Edition", 5, 2, 3790, 1, 3, 64, 1, 1, 0, 0, 0, 0, 0},
    {"wesng_srv_2003r2_sp2_rtm_x64_standard_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "SRV2K3R2SP2X64", "Windows Server 2003 Standard x64 Edition", 5, 2, 3790, 2, 3, 64, 1, 1, 0, 0, 0, 0, 0},
    /* file name says rtm; the OS Version line says 6.0.6001 Service Pack 1 (DATA.md agrees) */
    {"wesng_srv_2008_rtm_x64_standard_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "SRV2K8SP0X64", "Windows Server 2008 Standard", 6, 0, 6001, 1, 3, 64, 1, 1, 1, 1, 956250, 34, 0},
    {"wesng_srv_2008_rtm_x86_standard_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "SRV2K8SP0X86", "Windows Server 2008 Standard", 6, 0, 6001, 1, 3, 32, 1, 1, 1, 1, 956250, 34, 0},
    /* full wmic list with CSName (DATA.md says "(none in file)" for the OS, right: wmic qfe has no OS) */
    {"wesng_srv_2012r2_u1_qfe.txt", QFE, LF_LIST, "UTF-16LE", "", "SRV12R2U1X64", NULL, 0, 0, 0, -1, -1, 0, -1, 154, 154, 154, 4489881, 155, 0},
    {"wesng_srv_2012r2_u1_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "SRV12R2U1X64", "Windows Server 2012 R2 Standard", 6, 3, 9600, 0, 3, 64, 154, 154, 154, 154, 4489881, 188, 0},
    {"wesng_srv_2012r2_u1_systeminfo2.txt", SI, LF_LIST, "UTF-8", "en", "SRV12R2U1X64", "Windows Server 2012 R2 Standard", 6, 3, 9600, 0, 3, 64, 156, 156, 156, 156, 4489881, 190, 0},
    {"wesng_srv_2012r2_u1_updates_optional.txt", MISS, LF_LIST, "UTF-8", "", "", NULL, 0, 0, 0, -1, -1, 0, -1, 0, 0, 1, 0, 0, 0},
    {"wesng_srv_2019_rtm_datacenter_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WIN-O863JARO7CM", "Windows Server 2019 Datacenter", 10, 0, 17763, 0, 3, 64, 5, 5, 5, 5, 4480116, 38, 0},
    {"wesng_srv_2022_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WIN-RIBN7SM07BK", "Windows Server 2022 Standard", 10, 0, 20348, 0, 3, 64, 3, 3, 3, 3, 5005552, 36, 0},
    /* "Microsoftr Windows VistaT": code-page damage normalised. 105 entries: a GUID, the bare
     * "943729" and 103 KBnnnnnn. DATA.md's 103 leaves the bare number out; we count it (104). */
    {"wesng_vista_x64_sp0_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WINVISTASP0X64", "Microsoft Windows Vista Enterprise", 6, 0, 6000, 0, 1, 64, 105, 105, 104, 103, 981349, 138, 0},
    /* host WINVISTASP0X64 is in CSName (DATA.md: "none in file"); 174 rows = GUID + two bare
     * numbers (943729, 940157) + 171 KBs; we count the bare ones (173). DATA.md section 12: this
     * host is 6.0.6001 (SP1), not 6.0.6002 as DATA.md's table says. */
    {"wesng_vista_x64_sp1_qfe.txt", QFE, LF_LIST, "UTF-16LE", "", "WINVISTASP0X64", NULL, 0, 0, 0, -1, -1, 0, -1, 174, 173, 171, 968930, 174, 0},
    {"wesng_vista_x64_sp1_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WINVISTASP0X64", "Microsoft Windows Vista Enterprise", 6, 0, 6001, 1, 1, 64, 174, 174, 173, 171, 968930, 206, 0},
    /* "Please wait while WMIC is being installed." glued to the header, CR CR LF; CSName WINXPSP0
     * (DATA.md: "none in file"). Row 1 "File 1" carries KB893803v2 in ServicePackInEffect. */
    {"wesng_xp_rtm_x86_professional_en-us_qfe.txt", QFE, LF_LIST, "UTF-8", "", "WINXPSP0", NULL, 0, 0, 0, -1, -1, 0, -1, 3, 1, 1, 893803, 4, 0},
    {"wesng_xp_rtm_x86_professional_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WINXPSP0", "Windows XP Professional", 5, 1, 2600, 0, 1, 32, 3, 3, 1, 1, 893803, 36, 0},
    {"wesng_xp_sp1_x86_qfe.txt", QFE, LF_LIST, "UTF-8", "", "WINXPSP1", NULL, 0, 0, 0, -1, -1, 0, -1, 3, 1, 1, 893803, 4, 0},
    {"wesng_xp_sp1_x86_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WINXPSP1", "Windows XP Professional", 5, 1, 2600, 1, 1, 32, 3, 3, 1, 1, 893803, 36, 0},
    /* ASCII preamble then UTF-16LE without BOM; one row, Q147222 */
    {"wesng_xp_sp2_x86_qfe.txt", QFE, LF_LIST, "UTF-8+UTF-16LE", "", "WINXPSP2", NULL, 0, 0, 0, -1, -1, 0, -1, 1, 0, 0, 0, 0, 0},
    {"wesng_xp_sp2_x86_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WINXPSP2", "Windows XP Professional", 5, 1, 2600, 2, 1, 32, 1, 1, 0, 0, 0, 0, 0},
    /* 262 rows (= systeminfo's declared 262): 127 "File 1" rows whose KB is in ServicePackInEffect;
     * the Q147222 row has none; 134 distinct KBs as DATA.md says. DATA.md's OS column
     * ("Microsoft Windows (KB2564958) Update ...") is a mis-parse of a Caption. */
    {"wesng_xp_sp3_x86_professional_en-us_qfe.txt", QFE, LF_LIST, "UTF-16LE", "", "WINXPSP3", NULL, 0, 0, 0, -1, -1, 0, -1, 262, 134, 134, 982665, 263, 0},
    /* declared 262, [01]..[220] listed (127 "File 1", Q147222, 92 KBs), then "[221" */
    {"wesng_xp_sp3_x86_professional_en-us_systeminfo.txt", SI, LF_LIST, "UTF-8", "en", "WINXPSP3", "Windows XP Professional", 5, 1, 2600, 3, 1, 32, 262, 220, 92, 92, 946648, 253, 1},
};

static void test_hostdumps(void **state)
{
    (void)state;
    size_t n = sizeof rows / sizeof rows[0];
    /* every file of ../shared/hostdumps: 51 files; DATA.md section B and the brief speak of 50 */
    assert_int_equal(n, 51);
    for (size_t i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        struct listing *l = parse_path("SMBGUARD_SHARED", "hostdumps", r->file);
        printf("# %-66s kind=%d enc=%-14s host=%-16s decl=%d listed=%u kb=%u cut=%d\n", r->file, l->kind,
               l->encoding, l->host, l->declared_count, l->n_entries, unique_kbs(l), l->cut_entry);
        if (l->kind != r->kind)
            fail_msg("%s: kind %d, want %d", r->file, l->kind, r->kind);
        assert_string_equal(l->encoding, r->enc);
        assert_string_equal(l->host, r->host);
        assert_int_equal(l->declared_count, r->declared);
        assert_int_equal(l->n_entries, r->listed);
        assert_int_equal(unique_kbs(l), r->ukb);
        assert_int_equal(l->cut_entry, r->cut);
        assert_int_equal(l->overflow, 0);
        if (r->kind == LK_UNRECOGNISED || r->kind == LK_MISSING_UPDATES) {
            assert_int_equal(l->n_entries, 0); /* never installed evidence */
            free(l);
            continue;
        }
        assert_int_equal(l->format, r->fmt);
        if (r->os) {
            if (!strstr(l->os_name, r->os))
                fail_msg("%s: os_name '%s' lacks '%s'", r->file, l->os_name, r->os);
            assert_string_equal(l->language, r->lang);
            assert_int_equal(l->ver_major, r->maj);
            assert_int_equal(l->ver_minor, r->min);
            assert_int_equal(l->ver_build, r->build);
            assert_int_equal(l->service_pack, r->sp);
            assert_int_equal(l->product_type, r->ptype);
            assert_int_equal(l->arch_bits, r->arch);
            /* no trademark damage or stray spaces survive normalisation */
            assert_null(strstr(l->os_name, "Microsoftr"));
            assert_null(strstr(l->os_name, "(R)"));
            assert_null(strstr(l->os_name, "VistaT"));
            assert_null(strstr(l->os_name, "Serverr"));
            assert_true(l->os_name[strlen(l->os_name) - 1] != ' ');
        } else {
            assert_string_equal(l->os_name, "");
            assert_int_equal(l->ver_major, 0);
        }
        if (r->kb) {
            const struct hotfix *h = find_kb(l, r->kb, r->kb_line);
            if (!h)
                fail_msg("%s: KB%u not listed at line %u", r->file, r->kb, r->kb_line);
        }
        free(l);
    }
}

/* Field details a table row cannot hold. */
static void test_hostdump_details(void **state)
{
    (void)state;
    struct listing *l;

    l = parse_path("SMBGUARD_SHARED", "hostdumps", "gowdhamraman-aws-task_systeminfo.txt");
    assert_int_equal(l->ubr, 2527); /* from "Microsoft Windows [Version 10.0.20348.2527]" */
    assert_int_equal(l->boot_time, civil(2024, 7, 3, 12, 48, 24));
    assert_int_equal(l->boot_time_local, 1);
    assert_string_equal(l->domain, "WORKGROUP");
    assert_string_equal(l->system_type, "x64-based PC");
    free(l);

    /* Italian, D/M without AM/PM: 04/03/2019 is 4 March */
    l = parse_path("SMBGUARD_SHARED", "hostdumps", "wesng_10_1803_x64_pro_it_systeminfo.txt");
    assert_int_equal(l->boot_time, civil(2019, 3, 4, 8, 34, 58));
    assert_string_equal(l->domain, "intranet.xxxxx.it");
    free(l);

    /* German date with dots; duplicates counted as listed; cut entry "[24" */
    l = parse_path("SMBGUARD_SHARED", "hostdumps", "wesng_7_sp1_x64_ultimaten_de_systeminfo.txt");
    assert_int_equal(l->boot_time, civil(2019, 3, 4, 11, 44, 54));
    assert_int_equal(l->entries[0].kb, 2849697);
    assert_int_equal(l->entries[1].kb, 2849697);
    assert_int_equal(l->entries[244].kb, 3162835);
    free(l);

    /* French: "Entreprise N" findable in English */
    l = parse_path("SMBGUARD_SHARED", "hostdumps", "wesng_7_sp1_x64_enterprise_fr_systeminfo_cmd.txt");
    assert_string_equal(l->os_name, "Microsoft Windows 7 Entreprise N");
    assert_string_equal(l->os_name_en, "Microsoft Windows 7 Enterprise N");
    assert_int_equal(l->boot_time, civil(2019, 4, 29, 18, 56, 1));
    free(l);

    /* an en-US label set with a 24 h clock and dd/MM: 07/03/2019 is read as 7 March */
    l = parse_path("SMBGUARD_SHARED", "hostdumps", "wesng_10_1803_x64_proforworkstations_en-us_B_20190306_systeminfo.txt");
    assert_int_equal(l->boot_time, civil(2019, 3, 7, 0, 46, 33));
    free(l);

    /* ISO date with AM/PM */
    l = parse_path("SMBGUARD_SHARED", "hostdumps", "wesng_10_22H2_x64_enterprise_en-us_systeminfo.txt");
    assert_int_equal(l->boot_time, civil(1999, 1, 1, 2, 0, 0));
    free(l);

    /* 2003 RTM: "System Up Time: 0 Days, 0 Hours, 0 Minutes, 50 Seconds", no boot time */
    l = parse_path("SMBGUARD_SHARED", "hostdumps", "wesng_srv_2003_rtm_x86_standard_en-us_systeminfo.txt");
    assert_int_equal(l->uptime_s, 50);
    assert_true(l->boot_time == INT64_MIN);
    assert_int_equal(l->entries[0].kb, 0); /* File 1 */
    assert_string_equal(l->entries[0].raw, "File 1");
    assert_int_equal(l->entries[1].kb, 0); /* Q147222 */
    assert_int_equal(l->entries[2].kb, 893803); /* KB893803v2 - Update */
    free(l);

    l = parse_path("SMBGUARD_SHARED", "hostdumps", "wesng_xp_sp3_x86_professional_en-us_systeminfo.txt");
    assert_int_equal(l->uptime_s, 98);
    free(l);

    /* Vista wmic: GUID row with YYYYMMDD; KB rows with a FILETIME (UTC, exact) */
    l = parse_path("SMBGUARD_SHARED", "hostdumps", "wesng_vista_x64_sp1_qfe.txt");
    assert_int_equal(l->entries[0].kb, 0);
    assert_int_equal(l->entries[0].installed_on, civil(2019, 3, 21, 0, 0, 0));
    assert_int_equal(l->entries[0].installed_on_date_only, 1);
    assert_int_equal(l->entries[1].kb, 937286);
    assert_int_equal(l->entries[1].installed_on, (int64_t)(0x01d4dfd0fb4eb361ull / 10000000ull) - 11644473600ll);
    assert_int_equal(l->entries[1].installed_on_date_only, 0);
    assert_non_null(find_kb(l, 943729, 5)); /* bare number */
    free(l);

    /* XP wmic: "File 1" rows take the KB from ServicePackInEffect; "SP4" there is not the OS SP */
    l = parse_path("SMBGUARD_SHARED", "hostdumps", "wesng_xp_sp3_x86_professional_en-us_qfe.txt");
    assert_int_equal(l->entries[0].kb, 2115168);
    assert_string_equal(l->entries[0].raw, "File 1");
    assert_int_equal(l->service_pack, -1);
    assert_non_null(find_kb(l, 982665, 263));
    assert_int_equal(l->entries[261].installed_on, civil(2016, 12, 31, 0, 0, 0));
    free(l);

    /* wmic M/D/YYYY */
    l = parse_path("SMBGUARD_SHARED", "hostdumps", "wesng_srv_2012r2_u1_qfe.txt");
    assert_int_equal(l->entries[l->n_entries - 1].installed_on, civil(2019, 3, 17, 0, 0, 0));
    assert_int_equal(l->entries[l->n_entries - 1].installed_on_date_only, 1);
    free(l);
}

/* ---- synthetic fixtures (tests/fixtures/audit, made by make_fixtures.py) ---- */

static struct listing *fx(const char *name)
{
    return parse_path("SMBGUARD_FIXTURES", "audit", name);
}

static void check_ja(struct listing *l, const char *enc)
{
    assert_int_equal(l->kind, LK_SYSTEMINFO);
    assert_string_equal(l->encoding, enc);
    assert_string_equal(l->language, "ja");
    assert_string_equal(l->host, "JA-PC01");
    assert_string_equal(l->os_name, "Microsoft Windows 7 Professional");
    assert_int_equal(l->ver_build, 7601);
    assert_int_equal(l->service_pack, 1);
    assert_int_equal(l->product_type, 1);
    assert_int_equal(l->arch_bits, 64);
    assert_string_equal(l->domain, "CORP.EXAMPLE");
    assert_int_equal(l->declared_count, 4);
    assert_int_equal(l->n_entries, 4);
    assert_non_null(find_kb(l, 4012212, 17)); /* line 1 is empty */
    assert_int_equal(l->boot_time, civil(2017, 5, 15, 9, 12, 30));
}

static void test_japanese(void **state)
{
    (void)state;
    struct listing *l = fx("synthetic_ja_systeminfo_cp932.txt");
    check_ja(l, "CP932");
    free(l);
    l = fx("synthetic_ja_systeminfo_utf16le.txt");
    check_ja(l, "UTF-16LE");
    free(l);
}

/* The decoder itself: backslash and NEC extension characters survive CP932 (WINDOWS-31J). */
static void test_decode_cp932(void **state)
{
    (void)state;
    const char *dir = getenv("SMBGUARD_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/audit/synthetic_ja_systeminfo_cp932.txt", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static unsigned char raw[8192];
    size_t n = fread(raw, 1, sizeof raw, f);
    fclose(f);
    char *out;
    size_t ol;
    char enc[24];
    assert_int_equal(audit_decode(raw, n, &out, &ol, enc, sizeof enc), 0);
    assert_string_equal(enc, "CP932");
    assert_non_null(strstr(out, "C:\\Windows\\system32"));
    assert_null(strstr(out, "\xC2\xA5")); /* no yen sign */
    assert_non_null(strstr(out, "山田①Ⅲ"));
    free(out);
}

static void test_decode_forms(void **state)
{
    (void)state;
    char *out;
    size_t ol;
    char enc[24];
    /* UTF-8 BOM */
    const unsigned char b8[] = {0xEF, 0xBB, 0xBF, 'h', 0xC3, 0xA9};
    assert_int_equal(audit_decode(b8, sizeof b8, &out, &ol, enc, sizeof enc), 0);
    assert_string_equal(out, "h\xC3\xA9");
    assert_string_equal(enc, "UTF-8");
    free(out);
    /* UTF-16LE without BOM */
    const unsigned char u16[] = {'O', 0, 'K', 0, '\r', 0, '\n', 0};
    assert_int_equal(audit_decode(u16, sizeof u16, &out, &ol, enc, sizeof enc), 0);
    assert_string_equal(out, "OK\r\n");
    assert_string_equal(enc, "UTF-16LE");
    free(out);
    /* ASCII then UTF-16LE with a BOM at the switch */
    const unsigned char mix[] = {'a', 'b', '\n', 0xFF, 0xFE, 'c', 0, 'd', 0};
    assert_int_equal(audit_decode(mix, sizeof mix, &out, &ol, enc, sizeof enc), 0);
    assert_string_equal(out, "ab\ncd");
    assert_string_equal(enc, "UTF-8+UTF-16LE");
    free(out);
    /* CP850 Spanish label */
    const unsigned char es[] = "Revisi\xA2n(es):   1 revisi\xA2n(es) instaladas.\r\n";
    assert_int_equal(audit_decode(es, sizeof es - 1, &out, &ol, enc, sizeof enc), 0);
    assert_string_equal(enc, "CP850");
    assert_non_null(strstr(out, "Revisión(es):"));
    free(out);
    /* CP1251 Russian labels */
    const unsigned char ru[] = "\xcd\xe0\xe7\xe2\xe0\xed\xe8\xe5 \xce\xd1:   Microsoft Windows Server 2012 R2\r\n"
                               "\xc2\xe5\xf0\xf1\xe8\xff \xce\xd1:   6.3.9600 \xcd/\xc4 \xef\xee\xf1\xf2\xf0\xee\xe5\xed\xe8\xe5 9600\r\n";
    assert_int_equal(audit_decode(ru, sizeof ru - 1, &out, &ol, enc, sizeof enc), 0);
    assert_string_equal(enc, "CP1251");
    free(out);
    /* GBK Chinese label "OS 名称:" + "修补程序:" */
    const unsigned char zh[] = "OS \xc3\xfb\xb3\xc6:  Microsoft Windows 10\r\n\xd0\xde\xb2\xb9\xb3\xcc\xd0\xf2:  \xb0\xb2\xd7\xb0\xc1\xcb 1 \xb8\xf6\xd0\xde\xb2\xb9\xb3\xcc\xd0\xf2\xa1\xa3\r\n";
    assert_int_equal(audit_decode(zh, sizeof zh - 1, &out, &ol, enc, sizeof enc), 0);
    assert_string_equal(enc, "CP936");
    assert_non_null(strstr(out, "修补程序:"));
    free(out);
    /* the size cap */
    assert_int_equal(audit_decode(b8, (size_t)PARSE_MAX_FILE + 1, &out, &ol, enc, sizeof enc), -1);
}

static void test_mixed_file(void **state)
{
    (void)state;
    struct listing *l = fx("synthetic_mixed_ascii_utf16.txt");
    assert_int_equal(l->kind, LK_SYSTEMINFO);
    assert_string_equal(l->encoding, "UTF-8+UTF-16LE");
    assert_string_equal(l->host, "MIXED-PC");
    assert_int_equal(l->declared_count, 3);
    assert_int_equal(l->n_entries, 3);
    assert_non_null(find_kb(l, 4012215, 11)); /* after the switch */
    assert_int_equal(l->boot_time, civil(2017, 3, 14, 21, 2, 31));
    free(l);
}

static void test_systeminfo_csv_table_cut(void **state)
{
    (void)state;
    struct listing *l = fx("synthetic_systeminfo.csv");
    assert_int_equal(l->kind, LK_SYSTEMINFO);
    assert_int_equal(l->format, LF_CSV);
    assert_string_equal(l->host, "CSV-SRV");
    assert_string_equal(l->os_name, "Microsoft Windows Server 2008 R2 Standard");
    assert_int_equal(l->product_type, 2); /* Primary Domain Controller */
    assert_int_equal(l->declared_count, 3);
    assert_int_equal(l->n_entries, 3);
    assert_non_null(find_kb(l, 4012212, 3));
    assert_int_equal(l->boot_time, civil(2017, 5, 2, 7, 0, 1));
    free(l);

    l = fx("synthetic_systeminfo_table.txt");
    assert_int_equal(l->kind, LK_SYSTEMINFO);
    assert_int_equal(l->format, LF_TABLE);
    assert_string_equal(l->host, "TABLE-PC");
    assert_int_equal(l->ver_minor, 3);
    assert_int_equal(l->declared_count, 2);
    assert_non_null(find_kb(l, 4012216, 4));
    free(l);

    l = fx("synthetic_systeminfo_cut.txt");
    assert_int_equal(l->declared_count, 5);
    assert_int_equal(l->n_entries, 2); /* "[03]: KB40122" dropped */
    assert_int_equal(l->cut_entry, 1);
    free(l);
}

static void test_wmic_forms(void **state)
{
    (void)state;
    struct listing *l = fx("synthetic_wmic_qfe_brief.txt");
    assert_int_equal(l->kind, LK_WMIC_QFE);
    assert_int_equal(l->format, LF_BRIEF);
    assert_int_equal(l->n_entries, 3);
    assert_non_null(find_kb(l, 4012212, 3));
    assert_int_equal(l->entries[1].installed_on, civil(2017, 3, 15, 0, 0, 0));
    free(l);

    l = fx("synthetic_wmic_qfe.csv");
    assert_int_equal(l->kind, LK_WMIC_QFE);
    assert_int_equal(l->format, LF_CSV);
    assert_string_equal(l->host, "WMICSV-PC");
    assert_int_equal(l->n_entries, 3);
    assert_non_null(find_kb(l, 4012598, 4)); /* File 1 + ServicePackInEffect */
    assert_int_equal(l->entries[2].kb, 0);    /* GUID */
    assert_int_equal(l->entries[2].installed_on, civil(2017, 3, 16, 0, 0, 0));
    free(l);
}

static void test_gethotfix_forms(void **state)
{
    (void)state;
    struct listing *l = fx("synthetic_gethotfix_type.csv");
    assert_int_equal(l->kind, LK_GET_HOTFIX);
    assert_int_equal(l->format, LF_CSV);
    assert_string_equal(l->host, "PS-PC01");
    assert_int_equal(l->n_entries, 2);
    assert_non_null(find_kb(l, 4012215, 3));
    assert_int_equal(l->entries[0].installed_on, civil(2017, 3, 14, 0, 0, 0));
    assert_int_equal(l->entries[0].installed_on_date_only, 1);
    free(l);

    l = fx("synthetic_gethotfix_semicolon.csv");
    assert_int_equal(l->kind, LK_GET_HOTFIX);
    assert_string_equal(l->host, "DE-PC02");
    assert_non_null(find_kb(l, 4012212, 2));
    assert_int_equal(l->entries[1].installed_on, civil(2017, 5, 2, 0, 0, 0));
    free(l);

    l = fx("synthetic_gethotfix.json");
    assert_int_equal(l->kind, LK_GET_HOTFIX);
    assert_int_equal(l->format, LF_JSON);
    assert_string_equal(l->host, "JSON-PC");
    assert_int_equal(l->n_entries, 2);
    assert_non_null(find_kb(l, 4012212, 5));
    assert_int_equal(l->entries[0].installed_on, civil(2017, 3, 14, 0, 0, 0));
    /* /Date(1290294000000)/ = 2010-11-20T23:00Z, a local midnight at UTC+1: 21 November */
    assert_int_equal(l->entries[1].installed_on, civil(2010, 11, 21, 0, 0, 0));
    assert_non_null(find_kb(l, 976902, 15));
    free(l);

    l = fx("synthetic_gethotfix_single.json");
    assert_int_equal(l->kind, LK_GET_HOTFIX);
    assert_string_equal(l->host, "ONE-PC");
    assert_int_equal(l->n_entries, 1);
    assert_int_equal(l->entries[0].kb, 4012215);
    assert_int_equal(l->entries[0].installed_on, civil(2017, 3, 14, 0, 0, 0));
    free(l);
}

static void test_collector(void **state)
{
    (void)state;
    struct listing *l = fx("synthetic_collector.txt");
    assert_int_equal(l->kind, LK_COLLECTOR);
    assert_string_equal(l->encoding, "UTF-16LE");
    assert_string_equal(l->host, "COLL-PC");
    assert_string_equal(l->domain, "CORP");
    assert_string_equal(l->ui_language, "de-DE");
    assert_int_equal(l->listing_time, civil(2017, 5, 15, 8, 30, 0));
    assert_string_equal(l->os_name, "Microsoft Windows 7 Enterprise");
    assert_int_equal(l->ver_build, 7601);
    assert_int_equal(l->service_pack, 1);
    assert_int_equal(l->product_type, 1);
    assert_int_equal(l->arch_bits, 64);
    /* wmic-os LastBootUpTime 07:00 at +120 min = 05:00 UTC, exact */
    assert_int_equal(l->boot_time, civil(2017, 5, 15, 5, 0, 0));
    assert_int_equal(l->boot_time_local, 0);
    /* systeminfo (2 + cut [03]) merged with wmic-qfe (3 rows, 2 already listed): complete list */
    assert_int_equal(l->n_entries, 3);
    assert_int_equal(l->declared_count, 3);
    assert_int_equal(l->cut_entry, 0);
    assert_non_null(find_kb(l, 976902, 11));  /* from systeminfo, first */
    assert_non_null(find_kb(l, 4012215, 19)); /* from wmic-qfe */
    assert_string_equal(l->srv_sys_version, "6.1.7601.23689");
    assert_string_equal(l->srv_sys_path, "C:\\Windows\\System32\\drivers\\srv.sys");
    assert_int_equal(l->srv_sys_absent, 0);
    assert_int_equal(l->ubr, -1); /* empty ubr section */
    assert_int_equal(l->reboot_pending, 1);
    assert_non_null(strstr(l->reboot_why, "srv.sys"));
    assert_int_equal(l->smb1_server, 0);
    assert_int_equal(l->server_service_running, 1);
    assert_int_equal(l->listening_445, 1);
    assert_int_equal(l->listening_139, 0);
    assert_non_null(strstr(l->av_status, "Windows Defender"));
    assert_int_equal(l->overflow, 0);
    free(l);
}

/* Collector sections from text (no file): ubr forms, srv.sys absent, reboot none, SMB1 feature. */
static void test_collector_text(void **state)
{
    (void)state;
    static const char t[] =
        "#smbguard-collector v1 host=T1 time=2020-01-02T03:04:05Z\n"
        "#smbguard-begin ubr\n    UBR    REG_DWORD    0x3a9\n#smbguard-end ubr\n"
        "#smbguard-begin srv-sys-version\nabsent\npath=C:\\Windows\\System32\\drivers\\srv.sys\n#smbguard-end srv-sys-version\n"
        "#smbguard-begin reboot-pending\n#check cbs-reboot-pending\nabsent\n#check wu-reboot-required\nabsent\n"
        "#check dism-packages\nState : Installed\n#smbguard-end reboot-pending\n"
        "#smbguard-begin smb1\nState : DisabledWithPayloadRemoved\nEnableSMB1Protocol : False\n#smbguard-end smb1\n"
        "#smbguard-begin server-service\nStatus : Stopped\n#smbguard-end server-service\n"
        "#smbguard-begin netstat\n  TCP    [::]:139    [::]:0    LISTENING\n";  /* no end marker */
    struct listing *l = malloc(sizeof *l);
    listing_init(l);
    assert_int_equal(audit_parse_text(t, sizeof t - 1, l), 0);
    assert_int_equal(l->kind, LK_COLLECTOR);
    assert_string_equal(l->host, "T1");
    assert_int_equal(l->ubr, 0x3a9);
    assert_int_equal(l->srv_sys_absent, 1);
    assert_string_equal(l->srv_sys_version, "");
    assert_int_equal(l->reboot_pending, 0);
    assert_int_equal(l->smb1_server, 0);
    assert_int_equal(l->smb1_feature_removed, 1);
    assert_int_equal(l->server_service_running, 0);
    assert_int_equal(l->listening_139, 1);
    assert_int_equal(l->listening_445, 0);
    assert_int_equal(l->n_entries, 0);
    free(l);
}

static void test_unrecognised_and_errors(void **state)
{
    (void)state;
    struct listing *l = malloc(sizeof *l);
    listing_init(l);
    assert_int_equal(audit_parse_text("", 0, l), 0);
    assert_int_equal(l->kind, LK_UNRECOGNISED);
    static const char junk[] = "hello\nworld: 1\n[01]: KB4012212\n";
    assert_int_equal(audit_parse_text(junk, sizeof junk - 1, l), 0);
    assert_int_equal(l->kind, LK_UNRECOGNISED);
    assert_int_equal(l->n_entries, 0);
    /* a missing-updates list with a header line */
    static const char miss[] = "Missing updates:\nKB4012212: 2017-03 Security Only Quality Update\n";
    assert_int_equal(audit_parse_text(miss, sizeof miss - 1, l), 0);
    assert_int_equal(l->kind, LK_MISSING_UPDATES);
    assert_int_equal(l->n_entries, 0);
    char err[256];
    assert_int_equal(audit_parse_file("/nonexistent/file.txt", l, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/file.txt"));
    assert_int_equal(l->kind, LK_UNRECOGNISED);
    assert_string_equal(l->path, "/nonexistent/file.txt");
    free(l);
}

/* ---- DISM package lists (docs/audit.md "DISM package lists") ---- */

static struct listing *text_listing(const char *t)
{
    struct listing *l = malloc(sizeof *l);
    assert_non_null(l);
    listing_init(l);
    assert_int_equal(audit_parse_text(t, strlen(t), l), 0);
    return l;
}

static void test_dism_files(void **state)
{
    (void)state;
    /* English list: Installed and Superseded count; Staged RollupFix and Uninstall Pending do not */
    struct listing *l = fx("synthetic_dism_en.txt");
    assert_int_equal(l->kind, LK_DISM_PACKAGES);
    assert_int_equal(l->format, LF_LIST);
    assert_string_equal(l->language, "en");
    assert_string_equal(l->host, "");         /* DISM names no host ... */
    assert_string_equal(l->os_name, "");      /* ... and no OS (Image Version is not read) */
    assert_int_equal(l->ver_major, 0);
    assert_int_equal(l->n_entries, 4);
    assert_non_null(find_kb(l, 976902, 14));
    assert_non_null(find_kb(l, 4012212, 24)); /* Installed: the line of its Package Identity */
    assert_non_null(find_kb(l, 4015546, 29)); /* Superseded counts as installed */
    assert_null(find_kb(l, 4019264, 0));      /* Uninstall Pending */
    assert_string_equal(l->entries[2].raw, "Package_for_KB4012212");
    assert_int_equal(l->entries[2].installed_on, INT64_MIN); /* Install Time is not read */
    assert_int_equal(l->declared_count, 4);   /* complete: nothing hidden */
    assert_int_equal(l->cut_entry, 0);
    assert_int_equal(l->reboot_pending, -1);
    free(l);

    /* Install Pending: listed, and a pending reboot naming the KB */
    l = fx("synthetic_dism_pending.txt");
    assert_int_equal(l->kind, LK_DISM_PACKAGES);
    assert_int_equal(l->n_entries, 2);
    assert_non_null(find_kb(l, 4012212, 14));
    assert_int_equal(l->reboot_pending, 1);
    assert_string_equal(l->reboot_why, "DISM Install Pending: KB4012212");
    free(l);

    /* /format:table, UTF-16LE (PowerShell redirection) */
    l = fx("synthetic_dism_table_utf16le.txt");
    assert_int_equal(l->kind, LK_DISM_PACKAGES);
    assert_int_equal(l->format, LF_TABLE);
    assert_string_equal(l->encoding, "UTF-16LE");
    assert_int_equal(l->n_entries, 2);
    assert_non_null(find_kb(l, 4015546, 15));
    assert_null(find_kb(l, 4012212, 0));      /* Staged */
    assert_null(find_kb(l, 4019264, 0));      /* Uninstall Pending */
    assert_int_equal(l->declared_count, 2);
    assert_int_equal(l->reboot_pending, -1);
    free(l);

    /* Japanese without /english, CP932 (cmd) and UTF-16LE (PowerShell): インストール済み counts,
     * インストールの保留中 is a pending install, アンインストールの保留中 is an unknown word: not
     * counted, but it keeps the list from proving a KB absent (declared 4, listed 3) */
    static const char *const ja[][2] = {{"synthetic_dism_ja_cp932.txt", "CP932"},
                                        {"synthetic_dism_ja_utf16le.txt", "UTF-16LE"}};
    for (size_t i = 0; i < 2; i++) {
        l = fx(ja[i][0]);
        assert_int_equal(l->kind, LK_DISM_PACKAGES);
        assert_string_equal(l->encoding, ja[i][1]);
        assert_string_equal(l->language, "ja");
        assert_int_equal(l->n_entries, 3);
        assert_non_null(find_kb(l, 4012212, 14));
        assert_non_null(find_kb(l, 4015549, 24));
        assert_null(find_kb(l, 4019264, 0));
        assert_int_equal(l->declared_count, 4);
        assert_int_equal(l->reboot_pending, 1);
        assert_string_equal(l->reboot_why, "DISM Install Pending: KB4015549");
        free(l);
    }

    /* a collector whose hotfix list comes from its dism-packages section (systeminfo's is cut) */
    l = fx("synthetic_collector_dism.txt");
    assert_int_equal(l->kind, LK_COLLECTOR);
    assert_string_equal(l->host, "COLLD-SRV");
    assert_int_equal(l->n_entries, 3);        /* KB976902, KB2534111 from systeminfo; KB4012215 added */
    assert_non_null(find_kb(l, 976902, 11));
    assert_non_null(find_kb(l, 4012215, 34));
    assert_null(find_kb(l, 4015549, 0));      /* Staged */
    assert_int_equal(l->declared_count, 3);   /* the complete DISM list makes the merged list complete */
    assert_int_equal(l->cut_entry, 0);
    assert_int_equal(l->reboot_pending, 0);
    free(l);
}

static void test_dism_text(void **state)
{
    (void)state;
    /* German without /english: Installiert, Installation ausstehend; "Deinstallation ausstehend" is
     * not a pending install (whole words, never substrings) and not a known word either */
    struct listing *l = text_listing(
        "Tool zur Imageverwaltung f\xC3\xBCr die Bereitstellung\n\n"
        "Paketidentit\xC3\xA4t : Package_for_KB4012212~31bf3856ad364e35~amd64~~6.1.1.2\n"
        "Status : Installiert\n\n"
        "Paketidentit\xC3\xA4t : Package_for_KB4019264~31bf3856ad364e35~amd64~~6.1.1.0\n"
        "Status : Deinstallation ausstehend\n\n"
        "Paketidentit\xC3\xA4t : Package_2_for_KB4015549~31bf3856ad364e35~amd64~~6.1.1.0\n"
        "Status : Installation ausstehend\n");
    assert_int_equal(l->kind, LK_DISM_PACKAGES);
    assert_string_equal(l->language, "de");
    assert_int_equal(l->n_entries, 2);
    assert_non_null(find_kb(l, 4012212, 3));
    assert_non_null(find_kb(l, 4015549, 9)); /* Package_2_for_KBnnnnnnn */
    assert_null(find_kb(l, 4019264, 0));
    assert_int_equal(l->declared_count, 3);  /* the unknown word hides one package */
    assert_int_equal(l->reboot_pending, 1);
    assert_string_equal(l->reboot_why, "DISM Install Pending: KB4015549");
    free(l);

    /* English: Uninstall Pending is not Install Pending; RollupFix hides its KB (not complete) */
    l = text_listing("Package Identity : Package_for_KB4012212~31bf3856ad364e35~amd64~~6.1.1.2\n"
                     "State : Uninstall Pending\n"
                     "Package Identity : Package_for_RollupFix~31bf3856ad364e35~amd64~~7601.23714.1.4\n"
                     "State : Installed\n"
                     "Package Identity : Package_for_KB2533552_SP1~31bf3856ad364e35~amd64~~6.1.1.0\n"
                     "State : Installed\n");
    assert_int_equal(l->kind, LK_DISM_PACKAGES);
    assert_int_equal(l->n_entries, 1);
    assert_non_null(find_kb(l, 2533552, 5));
    assert_int_equal(l->declared_count, 2);
    assert_int_equal(l->reboot_pending, -1);
    free(l);

    /* Get-WindowsPackage -Online (list): PackageName / PackageState */
    l = text_listing("PackageName  : Package_for_KB4012212~31bf3856ad364e35~amd64~~6.1.1.2\n"
                     "PackageState : InstallPending\n"
                     "ReleaseType  : SecurityUpdate\n\n"
                     "PackageName  : Package_for_RollupFix~31bf3856ad364e35~amd64~~7601.23714.1.4\n"
                     "PackageState : Superseded\n");
    assert_int_equal(l->kind, LK_DISM_PACKAGES);
    assert_int_equal(l->n_entries, 1);
    assert_non_null(find_kb(l, 4012212, 1));
    assert_int_equal(l->reboot_pending, 1);
    assert_string_equal(l->reboot_why, "DISM Install Pending: KB4012212");
    free(l);

    /* cut: the last package has no State line */
    l = text_listing("Package Identity : Package_for_KB976902~31bf3856ad364e35~amd64~~6.1.1.17514\n"
                     "State : Installed\n\n"
                     "Package Identity : Package_for_KB4012212~31bf3856ad364e35~am\n");
    assert_int_equal(l->kind, LK_DISM_PACKAGES);
    assert_int_equal(l->n_entries, 1);
    assert_int_equal(l->cut_entry, 1);
    free(l);

    /* the DISM banner alone (no package) is no listing */
    l = text_listing("Deployment Image Servicing and Management tool\nVersion: 6.1.7600.16385\n\n"
                     "Image Version: 6.1.7601.18489\n\nPackages listing:\n\nThe operation completed successfully.\n");
    assert_int_equal(l->kind, LK_UNRECOGNISED);
    free(l);

    /* collector: Install Pending in dism-packages survives a later reboot-pending section that
     * found neither key; an incomplete DISM list (RollupFix) leaves the cut systeminfo list cut */
    l = text_listing("#smbguard-collector v1 host=T2 domain=D time=2017-06-01T10:00:00Z\n"
                     "#smbguard-begin systeminfo\n"
                     "Host Name:                 T2\n"
                     "OS Name:                   Microsoft Windows 7 Enterprise\n"
                     "OS Version:                6.1.7601 Service Pack 1 Build 7601\n"
                     "Hotfix(s):                 3 Hotfix(s) Installed.\n"
                     "                           [01]: KB976902\n"
                     "#smbguard-end systeminfo\n"
                     "#smbguard-begin dism-packages\n"
                     "Package Identity : Package_for_KB4012212~31bf3856ad364e35~amd64~~6.1.1.2\n"
                     "State : Install Pending\n"
                     "Package Identity : Package_for_RollupFix~31bf3856ad364e35~amd64~~7601.23714.1.4\n"
                     "State : Installed\n"
                     "#smbguard-end dism-packages\n"
                     "#smbguard-begin reboot-pending\n#check cbs-reboot-pending\nabsent\n"
                     "#check wu-reboot-required\nabsent\n#smbguard-end reboot-pending\n");
    assert_int_equal(l->kind, LK_COLLECTOR);
    assert_int_equal(l->n_entries, 2);
    assert_non_null(find_kb(l, 4012212, 10));
    assert_int_equal(l->reboot_pending, 1);
    assert_non_null(strstr(l->reboot_why, "DISM Install Pending: KB4012212"));
    assert_true(l->declared_count > (int)l->n_entries);
    free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostdumps),
        cmocka_unit_test(test_hostdump_details),
        cmocka_unit_test(test_japanese),
        cmocka_unit_test(test_decode_cp932),
        cmocka_unit_test(test_decode_forms),
        cmocka_unit_test(test_mixed_file),
        cmocka_unit_test(test_systeminfo_csv_table_cut),
        cmocka_unit_test(test_wmic_forms),
        cmocka_unit_test(test_gethotfix_forms),
        cmocka_unit_test(test_collector),
        cmocka_unit_test(test_collector_text),
        cmocka_unit_test(test_unrecognised_and_errors),
        cmocka_unit_test(test_dism_files),
        cmocka_unit_test(test_dism_text),
    };
    if (getenv("SG_TEST_FILTER"))
        cmocka_set_test_filter(getenv("SG_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
