/* test_proto_doublepulsar.c: DoublePulsar opcode/key/arch/MID arithmetic, on the values of
 * protocol.md 6 and on the implant replies in the shared captures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/rd.h"
#include "pcapframe.h"
#include "proto/doublepulsar.h"
#include "proto/nbss.h"
#include "proto/ntstatus.h"
#include "proto/smb1.h"

static uint8_t g_buf[70000];

static void parse_frame(const char *rel, unsigned frame, struct smb1_msg *m)
{
    char path[1024];
    long n = pcapf_payload(pcapf_shared(rel, path, sizeof path), frame, g_buf, sizeof g_buf, NULL);
    if (n < 4)
        fail_msg("%s frame %u: no payload", rel, frame);
    uint8_t type;
    size_t total;
    assert_int_equal(nbss_peek(g_buf, (size_t)n, &type, &total), 1);
    assert_true(total <= (size_t)n);
    assert_int_equal(smb1_parse(g_buf + 4, total - 4, m), 0);
}

struct implant_case {
    const char *pcap;
    unsigned req_frame, rsp_frame;
    uint16_t req_mid, rsp_mid;
    uint32_t key;
    int x64;
};

/* Each ping request (Trans2 0x000E, opcode 0x23) and the implant's answer. */
static const struct implant_case cases[] = {
    /* decisions.md 6: signature 79 4b 5d a4 00 00 00 00, MID 65 -> 81 */
    {"pcaps/tmnids_doublepulsar-backdoor-connect-win7.pcap", 86, 87, 65, 81, 0x31F1CB56u, 0},
    /* decisions.md 12: MID 66 -> 82 (post-exploit ping); signature 07 b7 ad a5, x86 */
    {"pcaps/tmnids_eternalblue-success-unpatched-win7.pcap", 565, 566, 66, 82, 0, 0},
    /* x64 Windows 7: key 0x343E2067 decrypts the upload chunks (decisions.md 6) */
    {"pcaps/id2t_Win7_eternalblue_exploit.pcap", 320, 321, 66, 82, 0x343E2067u, 1},
    {"pcaps/id2t_Win7_eternalblue_exploit.pcap", 341, 342, 65, 81, 0x343E2067u, 1},
    /* WannaCry against DFIR-WIN7-X64: signature 3A 10 E0 36 01 00 00 00 (protocol.md 6.3) */
    {"pcaps/eternalsafety_wannacry.pcap", 0, 688, 65, 81, 0x57D0C042u, 1},
};

static void test_implant_replies(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct implant_case *c = &cases[i];
        struct smb1_msg m;
        if (c->req_frame) {
            parse_frame(c->pcap, c->req_frame, &m);
            assert_int_equal(m.cmd, SMB1_TRANS2);
            assert_int_equal(m.mid, c->req_mid);
            assert_int_equal(m.wct, 15);
            assert_int_equal(ld_le16(m.words + 28), 0x000E);
            assert_int_equal(dp_opcode(ld_le32(m.words + 12)), DP_OP_PING);
        }
        parse_frame(c->pcap, c->rsp_frame, &m);
        assert_int_equal(m.cmd, SMB1_TRANS2);
        assert_int_equal(m.status, NT_STATUS_NOT_IMPLEMENTED);
        assert_int_equal(m.wct, 0);
        assert_int_equal(m.mid, c->rsp_mid);
        assert_int_equal(dp_mid_delta(c->req_mid, m.mid), 0x10);
        uint32_t lo = ld_le32(m.signature), hi = ld_le32(m.signature + 4);
        assert_int_not_equal(lo, 0);
        assert_int_equal(dp_is_x64(hi), c->x64);
        if (c->key)
            assert_int_equal(dp_key(lo), c->key);
    }
}

/* tmnids frame 87 byte by byte, as decisions.md 6 states it */
static void test_frame87_signature(void **state)
{
    (void)state;
    struct smb1_msg m;
    parse_frame("pcaps/tmnids_doublepulsar-backdoor-connect-win7.pcap", 87, &m);
    static const uint8_t sig[8] = {0x79, 0x4b, 0x5d, 0xa4, 0, 0, 0, 0};
    assert_memory_equal(m.signature, sig, 8);
    assert_int_equal(ld_le32(m.signature), 0xA45D4B79u);
}

/* id2t_Win7_eternalblue_scan frames 18/19: no implant, same MID, zero signature. */
static void test_clean_host(void **state)
{
    (void)state;
    struct smb1_msg m;
    parse_frame("pcaps/id2t_Win7_eternalblue_scan.pcap", 19, &m);
    assert_int_equal(m.status, NT_STATUS_NOT_IMPLEMENTED);
    assert_int_equal(dp_mid_delta(65, m.mid), 0);
    assert_int_equal(ld_le32(m.signature), 0);
    assert_int_equal(ld_le32(m.signature + 4), 0);
}

/* Every Timeout value listed in protocol.md 6.2 decodes to the opcode given there. */
static void test_opcodes(void **state)
{
    (void)state;
    static const struct { uint32_t t; uint8_t op; } v[] = {
        {0x00A4D9A6, 0x23}, {0x00EE3401, 0x23}, {0x00458658, 0x23}, {0x00548748, 0x23},
        {0x00FAD455, 0x23}, {0x0008D546, 0x23}, {0x00EDBF77, 0x23}, {0x00B65419, 0x23},
        {0x001A8925, 0xC8}, {0x00B654BE, 0xC8}, {0x0000690E, 0x77}, {0x0084F798, 0x13},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(dp_opcode(v[i].t), v[i].op);
    /* smbguard's own ping: a ping, and a Timeout no other tool uses */
    assert_int_equal(dp_opcode(SMB1_DP_PING_TIMEOUT), DP_OP_PING);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_not_equal(SMB1_DP_PING_TIMEOUT, v[i].t);
    /* the fourth byte counts too */
    assert_int_equal(dp_opcode(0x01000022u), 0x23);
}

/* Keys verified in protocol.md 6.3 against decrypted WannaCry exec parameters. */
static void test_keys(void **state)
{
    (void)state;
    assert_int_equal(dp_key(0x9B58F121u), 0x1740BAD9u);
    assert_int_equal(dp_key(0x69E9F3A8u), 0x7B200E39u);
    assert_int_equal(dp_key(0x36E0103Au), 0x57D0C042u);
    assert_int_equal(dp_key(0), 0);
    assert_int_equal(dp_is_x64(0), 0);
    assert_int_equal(dp_is_x64(1), 1);
}

static void test_mid_delta(void **state)
{
    (void)state;
    assert_int_equal(dp_mid_delta(65, 81), 0x10);
    assert_int_equal(dp_mid_delta(65, 97), 0x20);   /* bad parameters */
    assert_int_equal(dp_mid_delta(65, 113), 0x30);  /* allocation failure */
    assert_int_equal(dp_mid_delta(65, 65), 0);
    assert_int_equal(dp_mid_delta(65, 66), -1);
    assert_int_equal(dp_mid_delta(65, 129), -1);
    assert_int_equal(dp_mid_delta(81, 65), -1);     /* not backwards */
    assert_int_equal(dp_mid_delta(0xFFF5, 0x0005), 0x10); /* wraps mod 65536 */
    assert_int_equal(dp_mid_delta(0xFFFF, 0x002F), 0x30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_implant_replies),
        cmocka_unit_test(test_frame87_signature),
        cmocka_unit_test(test_clean_host),
        cmocka_unit_test(test_opcodes),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_mid_delta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
