/* test_watch_decode.c: the watch frame decoder (src/watch/decode.c) on synthetic frames of every
 * link type, and every shared capture read through capture.c with tshark's frame counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pcapframe.h"
#include "watch/capture.h"
#include "watch/decode.h"

/* IPv4 + TCP 10.0.0.1:1025 -> 10.0.0.2:445, seq 100, PSH|ACK, payload "abcd". */
static size_t ip4_tcp(uint8_t *o)
{
    static const uint8_t f[] = {
        0x45, 0, 0, 44, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0x04, 0x01, 0x01, 0xBD, 0, 0, 0, 100, 0, 0, 0, 7, 0x50, 0x18, 0x10, 0, 0, 0, 0, 0,
        'a', 'b', 'c', 'd'};
    memcpy(o, f, sizeof f);
    return sizeof f;
}

static void check_tcp(int rc, const struct wd_pkt *p)
{
    assert_int_equal(rc, WD_TCP);
    assert_int_equal(p->ipver, 4);
    assert_int_equal(p->sport, 1025);
    assert_int_equal(p->dport, 445);
    assert_int_equal(p->seq, 100);
    assert_int_equal(p->ack, 7);
    assert_int_equal(p->tcp_flags, WD_TCP_PSH | WD_TCP_ACK);
    assert_int_equal(p->payload_len, 4);
    assert_memory_equal(p->payload, "abcd", 4);
    static const uint8_t s[4] = {10, 0, 0, 1}, d[4] = {10, 0, 0, 2};
    assert_memory_equal(p->src, s, 4);
    assert_memory_equal(p->dst, d, 4);
}

static void test_link_types(void **state)
{
    (void)state;
    uint8_t f[256];
    struct wd_pkt p;
    /* Ethernet with QinQ (88A8 outer, 8100 inner) and 6 bytes of padding after the datagram */
    memset(f, 0, sizeof f);
    static const uint8_t qinq[] = {0x88, 0xA8, 0x00, 0x64, 0x81, 0x00, 0x00, 0xC8, 0x08, 0x00};
    memcpy(f + 12, qinq, sizeof qinq);
    size_t n = 22 + ip4_tcp(f + 22);
    memset(f + n, 0xEE, 6);
    check_tcp(wd_decode(WD_LINK_EN10MB, f, n + 6, &p), &p);
    assert_int_equal(p.n_vlan, 2);
    assert_int_equal(p.vlan[0], 100);
    assert_int_equal(p.vlan[1], 200);
    /* Linux SLL: protocol at offset 14 */
    memset(f, 0, sizeof f);
    f[14] = 0x08;
    n = 16 + ip4_tcp(f + 16);
    check_tcp(wd_decode(WD_LINK_SLL, f, n, &p), &p);
    /* SLL2: protocol at offset 0, 20-byte header */
    memset(f, 0, sizeof f);
    f[0] = 0x08;
    n = 20 + ip4_tcp(f + 20);
    check_tcp(wd_decode(WD_LINK_SLL2, f, n, &p), &p);
    /* raw IP under every raw link type */
    n = ip4_tcp(f);
    check_tcp(wd_decode(WD_LINK_RAW, f, n, &p), &p);
    check_tcp(wd_decode(WD_LINK_RAW101, f, n, &p), &p);
    check_tcp(wd_decode(WD_LINK_IPV4, f, n, &p), &p);
    /* BSD null, family 2 in little- and big-endian order */
    static const uint8_t le[4] = {2, 0, 0, 0}, be[4] = {0, 0, 0, 2};
    memcpy(f, le, 4);
    n = 4 + ip4_tcp(f + 4);
    check_tcp(wd_decode(WD_LINK_NULL, f, n, &p), &p);
    memcpy(f, be, 4);
    check_tcp(wd_decode(WD_LINK_NULL, f, n, &p), &p);
    check_tcp(wd_decode(WD_LINK_LOOP, f, n, &p), &p);
    /* ARP is not IP; a truncated TCP header is an error */
    memset(f, 0, sizeof f);
    f[12] = 0x08; f[13] = 0x06;
    assert_int_equal(wd_decode(WD_LINK_EN10MB, f, 42, &p), WD_OTHER);
    n = ip4_tcp(f);
    assert_int_equal(wd_decode(WD_LINK_RAW, f, 30, &p), WD_ERR);
    assert_int_equal(wd_decode(WD_LINK_RAW, f, 0, &p), WD_ERR);
}

static void test_ipv6_extension_headers(void **state)
{
    (void)state;
    uint8_t f[200];
    memset(f, 0, sizeof f);
    f[0] = 0x60;
    f[6] = 0;                     /* hop-by-hop */
    f[8 + 15] = 1;                /* src ::1 */
    f[24 + 15] = 2;               /* dst ::2 */
    uint8_t *x = f + 40;
    x[0] = 60; x[1] = 0;          /* hop-by-hop -> destination options, 8 bytes */
    x[8] = 6; x[9] = 1;           /* destination options -> TCP, 16 bytes */
    uint8_t *t = x + 24;
    t[0] = 0xC0; t[1] = 0x00; t[2] = 0x01; t[3] = 0xBD; /* 49152 -> 445 */
    t[7] = 9; t[12] = 0x50; t[13] = WD_TCP_SYN;
    f[5] = 24 + 20;
    struct wd_pkt p;
    assert_int_equal(wd_decode(WD_LINK_IPV6, f, 40 + 44, &p), WD_TCP);
    assert_int_equal(p.ipver, 6);
    assert_int_equal(p.sport, 49152);
    assert_int_equal(p.dport, 445);
    assert_int_equal(p.seq, 9);
    assert_int_equal(p.tcp_flags, WD_TCP_SYN);
    assert_int_equal(p.payload_len, 0);
    assert_int_equal(p.src[15], 1);
    assert_int_equal(p.dst[15], 2);
    /* a fragment header instead: offset 8, more fragments, id 0x01020304 */
    x[0] = 44; x[1] = 0;
    uint8_t *fh = x + 8;
    memset(fh, 0, 16);
    fh[0] = 6; fh[2] = 0x00; fh[3] = 0x09; fh[4] = 1; fh[5] = 2; fh[6] = 3; fh[7] = 4;
    assert_int_equal(wd_decode(WD_LINK_RAW, f, 40 + 44, &p), WD_FRAG);
    assert_int_equal(p.frag_off, 8);
    assert_int_equal(p.frag_more, 1);
    assert_int_equal(p.frag_id, 0x01020304);
    assert_int_equal(p.frag_proto, 6);
    assert_int_equal(p.frag_len, 44 - 16);
    /* an extension header running past the end */
    x[0] = 60; x[1] = 200;
    assert_int_equal(wd_decode(WD_LINK_RAW, f, 40 + 44, &p), WD_ERR);
}

/* Frame counts and link types of the shared captures, as capinfos/tshark report them. */
static const struct { const char *file; int link; uint64_t frames; } CAPS[] = {
    {"bofl_ms17-010.pcap", 1, 3724},
    {"elcabezzonn_aug16_part2.pcap", 1, 5148},
    {"elcabezzonn_aug_16_par4.pcap", 1, 7645},
    {"elcabezzonn_more_netshare.pcap", 1, 5681},
    {"elcabezzonn_normal_share_traversal.pcap", 1, 383},
    {"elcabezzonn_psexec_cmd.pcap", 1, 298},
    {"elcabezzonn_remote_copy_of_file.pcap", 1, 62},
    {"elcabezzonn_windows_miscellany.pcap", 1, 1557},
    {"eternalsafety_eternalchampion.pcap", 1, 1301},
    {"eternalsafety_metasploit-ms017-010-win7x64.pcap", 1, 608},
    {"eternalsafety_wannacry.pcap", 1, 4981},
    {"id2t_Win7_eternalblue_exploit.pcap", 1, 723},
    {"id2t_Win7_eternalblue_scan.pcap", 1, 23},
    {"malcolm_protocols_DNS.pcap", 1, 2999},
    {"ndpi_smb_deletefile.pcap", 1, 101},
    {"ndpi_smb_frags.pcap", 1, 8},
    {"nixawk_MS17_010_xpsp3_msf.pcap", 1, 12},
    {"nixawk_cve-2017-7494-sambacry.pcap", 1, 124},
    {"sop_eternalblue.pcapng", 1, 85},
    {"sv_dcerpc_zerologon_input.pcap", 1, 1012},
    {"sv_smb-eicar-file_input.pcap", 113, 31},
    {"sv_smb-length-5770_input.pcap", 0, 3519},
    {"sv_smb1-02_smb1_osx.pcap", 1, 79},
    {"sv_smb2-01_smb2-peter.pcap", 1, 792},
    {"sv_smb2-05_20171220_smb_mimikatz_copy_to_host.pcap", 1, 649},
    {"sv_smb2-ntlmssp-negotiateflags_input.pcap", 1, 1000},
    {"tmnids_doublepulsar-backdoor-connect-win7.pcap", 1, 94},
    {"tmnids_esteemedaudit-failed-XPSP2.pcap", 1, 3016},
    {"tmnids_eternalblue-failed-patched-win7.pcap", 1, 82},
    {"tmnids_eternalblue-success-unpatched-win7.pcap", 1, 576},
    {"tmnids_eternalromance-doublepulsar-meterpreter.pcap", 1, 740},
    {"tmnids_eternalromance-success-2008r2.pcap", 1, 205},
    {"zeek_cifs_negotiate_lanman.pcap", 1, 7},
    {"zeek_dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap", 1, 9},
    {"zeek_raw_ntlm_in_smb.pcap", 1, 178},
    {"zeek_smb1_transaction_request.pcap", 1, 16},
    {"zeek_smb2-zero-byte-error-ioctl.pcapng", 1, 180},
    {"zeek_smb2_100_small_files.pcap", 1, 979},
    {"zeek_smb2readwrite.pcap", 1, 56},
    {"zeek_smb3.pcap", 1, 54},
    {"zeek_smb311.pcap", 1, 34},
};

/* Every shared capture: all frames read (pcap, pcapng, big-endian, SLL, null), each one decoded
 * as IP without a decode error, and SMB messages come out of every capture that has SMB. */
static void test_shared_captures(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CAPS / sizeof CAPS[0]; i++) {
        char rel[256], path[1024], err[256] = "";
        snprintf(rel, sizeof rel, "pcaps/%s", CAPS[i].file);
        const char *files[1] = {pcapf_shared(rel, path, sizeof path)};
        struct wpipe_cfg cfg;
        wpipe_cfg_default(&cfg);
        struct flow_cbs cbs = {0};
        struct wpipe *w = wpipe_new(&cfg, &cbs);
        assert_non_null(w);
        struct wcap_src src;
        struct wcap_stats st;
        if (wcap_read_files(w, files, 1, NULL, NULL, &src, &st, err, sizeof err) != 0)
            fail_msg("%s: %s", CAPS[i].file, err);
        struct wpipe_counters c;
        wpipe_counters(w, &c);
        if (src.linktype != CAPS[i].link || c.packets != CAPS[i].frames || c.decode_errors != 0 ||
            c.tcp + c.udp == 0)
            fail_msg("%s: link %d frames %llu decode errors %llu tcp %llu udp %llu", CAPS[i].file, src.linktype,
                     (unsigned long long)c.packets, (unsigned long long)c.decode_errors,
                     (unsigned long long)c.tcp, (unsigned long long)c.udp);
        assert_int_equal(st.frames, CAPS[i].frames);
        wpipe_free(w);
    }
}

/* Two files read as one capture: frame indexes continue across files. */
static void test_files_in_order(void **state)
{
    (void)state;
    char p1[1024], p2[1024], err[256] = "";
    const char *files[2] = {pcapf_shared("pcaps/id2t_Win7_eternalblue_scan.pcap", p1, sizeof p1),
                            pcapf_shared("pcaps/ndpi_smb_frags.pcap", p2, sizeof p2)};
    struct wpipe_cfg cfg;
    wpipe_cfg_default(&cfg);
    struct flow_cbs cbs = {0};
    struct wpipe *w = wpipe_new(&cfg, &cbs);
    struct wcap_stats st;
    assert_int_equal(wcap_read_files(w, files, 2, NULL, NULL, NULL, &st, err, sizeof err), 0);
    assert_int_equal(st.frames, 23 + 8);
    const char *bad[1] = {"/nonexistent.pcap"};
    assert_int_equal(wcap_read_files(w, bad, 1, NULL, NULL, NULL, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent.pcap"));
    /* a BPF filter applies to files too */
    assert_int_equal(wcap_read_files(w, files, 1, "tcp port 445 and tcp[tcpflags] & tcp-syn != 0", NULL, NULL,
                                     &st, err, sizeof err), 0);
    assert_int_equal(st.frames, 2);
    wpipe_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_types),
        cmocka_unit_test(test_ipv6_extension_headers),
        cmocka_unit_test(test_shared_captures),
        cmocka_unit_test(test_files_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
