/* test_verdict.c: every row of the verdict table (decisions.md 2), the identification rules (3),
 * the probe-reply mapping (4), the login statuses (5) and the DoublePulsar reply rules (6), on
 * observation records built by hand and on replies read from the shared captures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "pcapframe.h"
#include "proto/ntstatus.h"
#include "proto/smb1.h"
#include "scan/dpcheck.h"
#include "scan/ident.h"
#include "scan/verdict.h"

/* An SMB1 host that got as far as the probe: Windows 7 SP1 by NTLMSSP and Native OS. */
static void win7(struct scan_obs *o)
{
    obs_init(o);
    o->p445 = PS_OPEN;
    o->port = 445;
    o->any_smb_reply = 1;
    o->smb1 = SMB1_ACCEPTED;
    o->has_ntlm_version = 1;
    o->ntlm_major = 6;
    o->ntlm_minor = 1;
    o->ntlm_build = 7601;
    o->ntlm_rev = 15;
    strcpy(o->native_os, "Windows 7 Home Basic 7601 Service Pack 1");
    strcpy(o->native_lanman, "Windows 7 Home Basic 6.1");
    o->auth = AUTH_ANONYMOUS;
    o->tree_tried = o->tree_ok = o->tree_replied = 1;
}

static void probe(struct scan_obs *o, uint32_t st)
{
    o->probe_sent = o->probe_replied = 1;
    o->probe_cmd = 0x25;
    o->probe_status = st;
    o->probe_wct = 0;
}

static void samba(struct scan_obs *o)
{
    win7(o);
    o->ntlm_build = 0;
    strcpy(o->native_os, "Windows 6.1");
    strcpy(o->native_lanman, "Samba 4.17.12-Debian");
    o->has_smb1_caps = 1;
    o->smb1_caps = 0x00800000u | 0x80000000u;
}

static struct verdict_out decide(const struct scan_obs *o)
{
    struct ident id;
    struct verdict_out v;
    ident_decide(o, &id);
    verdict_decide(o, &id, &v);
    return v;
}

#define EXPECT(o, want_verdict, want_row, want_reason)                                        \
    do {                                                                                      \
        struct verdict_out v_ = decide(o);                                                    \
        assert_string_equal(verdict_name(v_.v), want_verdict);                                \
        assert_int_equal(v_.row, want_row);                                                   \
        assert_string_equal(v_.reason, want_reason);                                          \
    } while (0)

static void row1_unreachable(void **s)
{
    struct scan_obs o;
    obs_init(&o);
    o.p445 = PS_TIMEOUT;
    o.p139 = PS_TIMEOUT;
    EXPECT(&o, "unreachable", 1, "tcp_timeout");
    o.p139 = PS_UNREACH;
    EXPECT(&o, "unreachable", 1, "icmp_unreachable");
    assert_true(verdict_undecided(V_UNREACHABLE));
}

static void row2_closed(void **s)
{
    struct scan_obs o;
    obs_init(&o);
    o.p445 = PS_REFUSED;
    o.p139 = PS_REFUSED;
    EXPECT(&o, "closed", 2, "refused");
    /* one refused, one silent: neither row 1 nor 2 holds: not decided */
    o.p139 = PS_TIMEOUT;
    EXPECT(&o, "unknown", 11, "ports_mixed");
}

static void row3_no_smb(void **s)
{
    struct scan_obs o;
    obs_init(&o);
    o.p445 = PS_OPEN;
    o.port = 445;
    o.not_smb = 1;
    EXPECT(&o, "no_smb", 3, "not_smb_reply");
}

static void row4_smb_timeout(void **s)
{
    struct scan_obs o;
    obs_init(&o);
    o.p445 = PS_OPEN;
    o.port = 445;
    o.smb_timeout = 1;
    EXPECT(&o, "unknown", 4, "smb_timeout");
}

static void row5_shipped_fixed(void **s)
{
    struct scan_obs o;
    win7(&o);
    o.ntlm_major = 10;
    o.ntlm_minor = 0;
    o.ntlm_build = 17763;
    o.native_os[0] = '\0';
    /* even with SMB1 off and no session */
    o.smb1 = SMB1_REFUSED;
    o.smb2_ok = 1;
    o.auth = AUTH_NONE;
    EXPECT(&o, "patched", 5, "shipped_fixed");
    o.ntlm_build = 15063;
    EXPECT(&o, "patched", 5, "shipped_fixed");
    /* 1607 is not shipped fixed: SMB1 off decides */
    o.ntlm_build = 14393;
    EXPECT(&o, "smb1_disabled", 6, "smb1_refused");
}

static void row6_smb1_disabled(void **s)
{
    struct scan_obs o;
    obs_init(&o);
    o.p445 = PS_OPEN;
    o.any_smb_reply = 1;
    o.smb1 = SMB1_REFUSED;
    o.smb2_ok = 1;
    EXPECT(&o, "smb1_disabled", 6, "smb1_refused");
    /* resets alone are not a refusal */
    o.smb1 = SMB1_RESET;
    o.smb2_ok = 0;
    EXPECT(&o, "unknown", 11, "smb1_reset_no_smb2");
    o.smb2_ok = 1;
    EXPECT(&o, "smb1_disabled", 6, "smb1_refused");
}

static void row7_vulnerable(void **s)
{
    struct scan_obs o;
    win7(&o);
    probe(&o, NT_STATUS_INSUFF_SERVER_RESOURCES);
    EXPECT(&o, "vulnerable", 7, "insuff_server_resources");
    /* never overridden by identification: a Samba-looking host stays vulnerable, noted */
    samba(&o);
    probe(&o, NT_STATUS_INSUFF_SERVER_RESOURCES);
    struct verdict_out v = decide(&o);
    assert_string_equal(verdict_name(v.v), "vulnerable");
    assert_true(v.os_mismatch);
    /* no fix exists for 7600 */
    win7(&o);
    o.ntlm_build = 7600;
    strcpy(o.native_os, "Windows 7 Ultimate 7600");
    probe(&o, NT_STATUS_INSUFF_SERVER_RESOURCES);
    EXPECT(&o, "vulnerable", 7, "no_fix_exists");
}

static void row8_not_windows(void **s)
{
    struct scan_obs o;
    samba(&o);
    probe(&o, NT_STATUS_INVALID_HANDLE);
    EXPECT(&o, "not_windows", 8, "samba");
    /* impacket: NTLMSSP version FF x 8, random Native OS */
    win7(&o);
    o.ntlm_version_ff = 1;
    strcpy(o.native_os, "qWeRtYuI");
    strcpy(o.native_lanman, "qWeRtYuI");
    probe(&o, NT_STATUS_NOT_IMPLEMENTED);
    EXPECT(&o, "not_windows", 8, "impacket");
    /* LANMAN dialect only */
    obs_init(&o);
    o.p445 = PS_OPEN;
    o.any_smb_reply = 1;
    o.smb1 = SMB1_LANMAN;
    EXPECT(&o, "not_windows", 8, "lanman_only");
}

static void row9_access_denied(void **s)
{
    struct scan_obs o;
    win7(&o);
    o.auth = AUTH_NONE;
    o.tree_tried = o.tree_ok = 0;
    o.login_tried[LF_NTLMSSP_ANON] = 1;
    o.login_status[LF_NTLMSSP_ANON] = NT_STATUS_LOGON_FAILURE;
    o.login_tried[LF_NULL] = 1;
    o.login_status[LF_NULL] = NT_STATUS_ACCESS_DENIED;
    o.login_tried[LF_GUEST] = 1;
    o.login_status[LF_GUEST] = NT_STATUS_ACCOUNT_DISABLED;
    EXPECT(&o, "access_denied", 9, "account_disabled");
    /* one refused form alone is not "needs credentials" (id2t frames 10 and 12) */
    o.login_status[LF_NULL] = NT_STATUS_SUCCESS;
    o.auth = AUTH_ANONYMOUS;
    o.tree_tried = o.tree_ok = o.tree_replied = 1;
    probe(&o, NT_STATUS_INSUFF_SERVER_RESOURCES);
    EXPECT(&o, "vulnerable", 7, "insuff_server_resources");
    /* IPC$ refused */
    win7(&o);
    o.tree_ok = 0;
    o.tree_status = NT_STATUS_ACCESS_DENIED;
    EXPECT(&o, "access_denied", 9, "access_denied");
    /* 0xC00000CC on the tree connect is not access denied */
    o.tree_status = NT_STATUS_BAD_NETWORK_NAME;
    EXPECT(&o, "unknown", 11, "bad_network_name");
    /* a busy server is never access denied nor vulnerable */
    win7(&o);
    o.auth = AUTH_NONE;
    o.tree_tried = 0;
    o.login_tried[LF_NULL] = 1;
    o.login_status[LF_NULL] = NT_STATUS_INSUFF_SERVER_RESOURCES;
    o.busy = 1;
    o.busy_status = NT_STATUS_INSUFF_SERVER_RESOURCES;
    EXPECT(&o, "unknown", 11, "insuff_server_resources");
}

static void login_statuses(void **s)
{
    static const uint32_t denied[] = {0xC0000022u, 0xC000006Du, 0xC000006Eu, 0xC0000072u, 0xC000015Bu, 0xC00000BBu};
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
        assert_true(ntstatus_is_access_denied(denied[i]));
    assert_false(ntstatus_is_access_denied(0xC00000D0u));
    assert_false(ntstatus_is_access_denied(0xC00000CCu));
    assert_false(ntstatus_is_access_denied(0xC0000205u));
}

static void row10_probe_mapping(void **s)
{
    struct scan_obs o;
    win7(&o);
    probe(&o, NT_STATUS_INVALID_HANDLE);
    EXPECT(&o, "patched", 10, "invalid_handle");
    /* not identified */
    win7(&o);
    o.has_ntlm_version = 0;
    o.native_os[0] = '\0';
    probe(&o, NT_STATUS_INVALID_HANDLE);
    EXPECT(&o, "unknown", 10, "invalid_handle_os_unidentified");
    /* 0xC0000022: patched only on Windows 10 / 2016 */
    win7(&o);
    o.ntlm_major = 10;
    o.ntlm_minor = 0;
    o.ntlm_build = 14393;
    strcpy(o.native_os, "Windows Server 2016 Standard 14393");
    probe(&o, NT_STATUS_ACCESS_DENIED);
    EXPECT(&o, "patched", 10, "access_denied_win10");
    win7(&o);
    probe(&o, NT_STATUS_ACCESS_DENIED);
    EXPECT(&o, "unknown", 10, "trans_access_denied");
    /* another status on Windows, a DOS-form error, another command */
    win7(&o);
    probe(&o, NT_STATUS_NOT_IMPLEMENTED);
    EXPECT(&o, "unknown", 10, "not_implemented");
    win7(&o);
    probe(&o, 0x00080001u);
    o.probe_dos = 1;
    EXPECT(&o, "unknown", 10, "probe_dos_error");
    win7(&o);
    probe(&o, 0);
    o.probe_cmd = 0x32;
    EXPECT(&o, "unknown", 10, "probe_unexpected_reply");
    /* no fix exists: anything but 0xC0000205 is unknown, never patched */
    win7(&o);
    o.ntlm_major = 6;
    o.ntlm_minor = 0;
    o.ntlm_build = 6001;
    strcpy(o.native_os, "Windows Server (R) 2008 Standard 6001 Service Pack 1");
    probe(&o, NT_STATUS_INVALID_HANDLE);
    EXPECT(&o, "unknown", 10, "invalid_handle");
}

static void row11_other(void **s)
{
    struct scan_obs o;
    win7(&o);
    o.probe_sent = 1;
    EXPECT(&o, "unknown", 11, "probe_no_reply");
    win7(&o);
    probe(&o, NT_STATUS_INVALID_HANDLE);
    o.unexpected_mid = 1;
    EXPECT(&o, "unknown", 11, "unexpected_mid");
}

static void ident_rules(void **s)
{
    struct scan_obs o;
    struct ident id;
    win7(&o);
    ident_decide(&o, &id);
    assert_int_equal(id.kind, ID_WINDOWS);
    assert_string_equal(id.build_str, "6.1.7601");
    /* Native OS build must agree with NTLMSSP */
    strcpy(o.native_os, "Windows 7 Enterprise 7600");
    ident_decide(&o, &id);
    assert_int_not_equal(id.kind, ID_WINDOWS);
    /* year before build: Server 2003 */
    win7(&o);
    o.ntlm_major = 5;
    o.ntlm_minor = 2;
    o.ntlm_build = 3790;
    strcpy(o.native_os, "Windows Server 2003 3790 Service Pack 2");
    ident_decide(&o, &id);
    assert_int_equal(id.kind, ID_WINDOWS);
    /* XP says only "Windows 5.1" */
    o.ntlm_minor = 1;
    o.ntlm_build = 2600;
    strcpy(o.native_os, "Windows 5.1");
    ident_decide(&o, &id);
    assert_int_equal(id.kind, ID_WINDOWS);
    /* implausible revision or build: not Windows by rule 1 */
    win7(&o);
    o.ntlm_rev = 10;
    ident_decide(&o, &id);
    assert_int_equal(id.kind, ID_UNKNOWN);
    win7(&o);
    o.ntlm_build = 7000;
    strcpy(o.native_os, "Windows 7 7000");
    ident_decide(&o, &id);
    assert_int_equal(id.kind, ID_UNKNOWN);
    /* Native LanMan "6.3" on Windows 10 never gives the version */
    win7(&o);
    o.has_ntlm_version = 0;
    strcpy(o.native_os, "Windows 10 Enterprise Evaluation 10586");
    strcpy(o.native_lanman, "Windows 10 Enterprise Evaluation 6.3");
    ident_decide(&o, &id);
    assert_int_equal(id.kind, ID_UNKNOWN);
    /* rule 2, each sign alone */
    win7(&o);
    o.has_ntlm_version = 0;
    o.native_os[0] = '\0';
    o.native_lanman[0] = '\0';
    o.has_mac = 1;
    ident_decide(&o, &id);
    assert_int_equal(id.kind, ID_NON_WINDOWS);
    assert_string_equal(id.reason, "mac_zero");
    o.has_mac = 0;
    o.has_smb1_caps = 1;
    o.smb1_caps = 0x00800000u;
    ident_decide(&o, &id);
    assert_int_equal(id.kind, ID_NON_WINDOWS);
    o.has_smb1_caps = 0;
    strcpy(o.native_os, "Unix");
    ident_decide(&o, &id);
    assert_string_equal(id.reason, "native_os_not_windows");
    o.native_os[0] = '\0';
    o.has_ntlm_version = 1;
    o.ntlm_build = 0;
    ident_decide(&o, &id);
    assert_int_equal(id.kind, ID_NON_WINDOWS);
}

/* --- DoublePulsar replies from the captures --- */

static int frame(const char *pcap, unsigned no, struct smb1_msg *m, uint8_t *buf, size_t cap)
{
    char path[512];
    long n = pcapf_payload(pcapf_shared(pcap, path, sizeof path), no, buf, cap, NULL);
    if (n < 8)
        return -1;
    return smb1_parse(buf + 4, (size_t)n - 4, m);
}

static void dp_implant_x86(void **s)
{
    uint8_t buf[4096];
    struct smb1_msg m;
    struct dp_result r;
    assert_int_equal(frame("pcaps/tmnids_doublepulsar-backdoor-connect-win7.pcap", 87, &m, buf, sizeof buf), 0);
    dp_classify(65, &m, &r);
    assert_int_equal(r.state, DP_INFECTED);
    assert_int_equal(r.key, 0x31F1CB56u);
    assert_int_equal(r.x64, 0);
    assert_int_equal(r.delta, 0x10);
    /* the same reply read against another ping MID is not an implant answer */
    dp_classify(70, &m, &r);
    assert_int_equal(r.state, DP_UNKNOWN);
    assert_true(r.unexpected_mid);
}

static void dp_implant_mid66(void **s)
{
    uint8_t buf[4096];
    struct smb1_msg m;
    struct dp_result r;
    assert_int_equal(frame("pcaps/tmnids_eternalblue-success-unpatched-win7.pcap", 566, &m, buf, sizeof buf), 0);
    assert_int_equal(m.mid, 82);
    dp_classify(66, &m, &r);
    assert_int_equal(r.state, DP_INFECTED);
    assert_int_equal(r.delta, 0x10);
}

static void dp_clean(void **s)
{
    uint8_t buf[4096];
    struct smb1_msg m;
    struct dp_result r;
    /* id2t scan: the unpatched, uninfected Windows 7 answers the ping 0xC0000002 with MID 65 */
    assert_int_equal(frame("pcaps/id2t_Win7_eternalblue_scan.pcap", 19, &m, buf, sizeof buf), 0);
    dp_classify(65, &m, &r);
    assert_int_equal(r.state, DP_CLEAN);
    assert_string_equal(r.reason, "not_implemented");
    /* delta 0x20 and 0x30 are implant answers too */
    m.mid = (uint16_t)(65 + 0x20);
    dp_classify(65, &m, &r);
    assert_int_equal(r.state, DP_INFECTED);
    assert_int_equal(r.delta, 0x20);
    m.mid = (uint16_t)(65 + 0x30);
    dp_classify(65, &m, &r);
    assert_int_equal(r.delta, 0x30);
    /* wrap-around */
    m.mid = 0x000F;
    dp_classify(0xFFFF, &m, &r);
    assert_int_equal(r.state, DP_INFECTED);
    /* Samba answers 0xC0000022 with the same MID: unknown with the status */
    m.mid = 65;
    m.status = NT_STATUS_ACCESS_DENIED;
    dp_classify(65, &m, &r);
    assert_int_equal(r.state, DP_UNKNOWN);
    assert_string_equal(r.reason, "access_denied");
    /* a non-zero signature with MID == m: unknown */
    m.status = NT_STATUS_NOT_IMPLEMENTED;
    m.signature[0] = 1;
    dp_classify(65, &m, &r);
    assert_int_equal(r.state, DP_UNKNOWN);
    assert_string_equal(r.reason, "signature_nonzero");
}

struct found {
    int ok;
    uint32_t key;
    int x64;
};

/* Finds the first Trans2 reply 0xC0000002 with a non-zero signature (the implant's ping answer). */
static int find_implant_reply(const struct pcapf_pkt *p, void *arg)
{
    struct found *f = arg;
    struct smb1_msg m;
    if (!p->payload || p->payload_len < 8 || p->sport != 445)
        return 0;
    if (smb1_parse(p->payload + 4, p->payload_len - 4, &m) != 0 || m.cmd != SMB1_TRANS2 ||
        m.status != NT_STATUS_NOT_IMPLEMENTED || !(m.signature[0] | m.signature[1] | m.signature[2] | m.signature[3]))
        return 0;
    struct dp_result r;
    dp_classify((uint16_t)(m.mid - 0x10), &m, &r);
    f->ok = r.state == DP_INFECTED;
    f->key = r.key;
    f->x64 = r.x64;
    return 1;
}

static void dp_x64_key(void **s)
{
    /* decisions.md 6: in id2t_Win7_eternalblue_exploit.pcap (x64) the key is 0x343E2067 */
    char path[512];
    struct found f = {0, 0, 0};
    assert_int_equal(pcapf_foreach(pcapf_shared("pcaps/id2t_Win7_eternalblue_exploit.pcap", path, sizeof path),
                                   find_implant_reply, &f), 0);
    assert_true(f.ok);
    assert_int_equal(f.key, 0x343E2067u);
    assert_true(f.x64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(row1_unreachable), cmocka_unit_test(row2_closed),   cmocka_unit_test(row3_no_smb),
        cmocka_unit_test(row4_smb_timeout), cmocka_unit_test(row5_shipped_fixed),
        cmocka_unit_test(row6_smb1_disabled), cmocka_unit_test(row7_vulnerable),
        cmocka_unit_test(row8_not_windows), cmocka_unit_test(row9_access_denied),
        cmocka_unit_test(login_statuses),   cmocka_unit_test(row10_probe_mapping),
        cmocka_unit_test(row11_other),      cmocka_unit_test(ident_rules),   cmocka_unit_test(dp_implant_x86),
        cmocka_unit_test(dp_implant_mid66), cmocka_unit_test(dp_clean),      cmocka_unit_test(dp_x64_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
