/* labprofiles.c: the lab responder's profiles: which captured frame in ../shared/pcaps answers which
 * request kind, loaded at start-up (no captured bytes live in the repository). */
#include "labsmb.h"
#include "pcapframe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID2T "id2t_Win7_eternalblue_scan.pcap"
#define TMDP "tmnids_doublepulsar-backdoor-connect-win7.pcap"
#define WCRY "eternalsafety_wannacry.pcap"
#define BOFL "bofl_ms17-010.pcap"
#define PSEX "elcabezzonn_psexec_cmd.pcap"
#define NSHR "elcabezzonn_more_netshare.pcap"
#define EICR "sv_smb-eicar-file_input.pcap"
#define XPSP3 "nixawk_MS17_010_xpsp3_msf.pcap"

#define P(k, f, q, a) {.kind = (k), .pcap = (f), .req_frame = (q), .rep_frame = (a)}

/* Windows 7 SP1 pieces shared by the Windows 7 profiles. Order matters only among pairs of the same
 * kind: the first whose captured request has the live request's features answers. */
#define WIN7_COMMON                                                                                  \
    P(LK_NBSS_POS, NSHR, 4671, 4672),      /* Win7 7601 (192.168.1.195) positive session response */ \
    P(LK_NEG_NTLM, ID2T, 4, 5),            /* extended security */                                \
    P(LK_NEG_NTLM, TMDP, 80, 81),          /* non-extended, Unicode (the implanted Win7) */       \
    P(LK_NEG_NTLM, BOFL, 2356, 2359),      /* non-extended, ASCII (Windows 7 SP1 in bofl) */       \
    P(LK_NEG_SMB2WILD, PSEX, 4, 5),        /* Win7 7601 (192.168.1.195): SMB2 0x02FF */           \
    P(LK_SMB2_NEG, BOFL, 2403, 2404),      /* Win7 Home Basic 7601 SP1: SMB2 0x0210 */            \
    P(LK_SS_NTLM_NEG, ID2T, 7, 8),         /* CHALLENGE, 0xC0000016 (ASCII request) */            \
    P(LK_SS_NTLM_AUTH, ID2T, 9, 10),       /* empty user, 0xC000006D */                           \
    P(LK_SS_NULL, ID2T, 11, 12),           /* plain null session, ASCII */                        \
    P(LK_SS_NULL, TMDP, 82, 83),           /* plain null session, Unicode */                      \
    P(LK_TREE_IPC, ID2T, 13, 14),          /* ASCII, WordCount 3 reply */                         \
    P(LK_TREE_IPC, TMDP, 84, 85),          /* Unicode, extended response (WordCount 7) */         \
    P(LK_PEEK, ID2T, 15, 16),              /* 0xC0000205 */                                       \
    P(LK_TDIS, TMDP, 88, 89),                                                                     \
    P(LK_LOGOFF, TMDP, 90, 91)

static struct lab_pair win7_unpatched[] = {
    WIN7_COMMON,
    P(LK_DP_PING, ID2T, 18, 19), /* 0xC0000002, MID echoed: no implant */
};

static struct lab_pair win7_implanted[] = {
    WIN7_COMMON,
    {.kind = LK_DP_PING, .pcap = TMDP, .req_frame = 86, .rep_frame = 87, .mid_delta = 0x10},
};

static struct lab_pair win7_patched_modelled[] = {
    P(LK_NBSS_POS, NSHR, 4671, 4672),
    P(LK_NEG_NTLM, ID2T, 4, 5),
    P(LK_NEG_NTLM, TMDP, 80, 81),
    P(LK_NEG_NTLM, BOFL, 2356, 2359),
    P(LK_NEG_SMB2WILD, PSEX, 4, 5),
    P(LK_SMB2_NEG, BOFL, 2403, 2404),
    P(LK_SS_NTLM_NEG, ID2T, 7, 8),
    P(LK_SS_NTLM_AUTH, ID2T, 9, 10),
    P(LK_SS_NULL, ID2T, 11, 12),
    P(LK_SS_NULL, TMDP, 82, 83),
    P(LK_TREE_IPC, ID2T, 13, 14),
    P(LK_TREE_IPC, TMDP, 84, 85),
    /* MODELLED: the real Windows 7 probe reply with only the status changed to STATUS_INVALID_HANDLE */
    {.kind = LK_PEEK, .pcap = ID2T, .req_frame = 15, .rep_frame = 16, .status_override = 1,
     .status = 0xC0000008u},
    P(LK_DP_PING, ID2T, 18, 19),
    P(LK_TDIS, TMDP, 88, 89),
    P(LK_LOGOFF, TMDP, 90, 91),
};

static struct lab_pair s2012r2_member[] = {
    P(LK_NEG_NTLM, WCRY, 216, 217), /* extended security */
    P(LK_NEG_NTLM, WCRY, 237, 238), /* non-extended, Unicode */
    P(LK_SS_NULL, WCRY, 218, 219),  /* 0xC0000022, ASCII request */
    P(LK_SS_NULL, WCRY, 239, 240),  /* 0xC0000022, Unicode request */
};

static struct lab_pair win10_1511[] = {
    P(LK_NBSS_POS, TMDP, 39, 40),
    P(LK_NEG_NTLM, TMDP, 41, 42),     /* extended security, Unicode */
    P(LK_NEG_SMB2WILD, TMDP, 22, 24), /* SMB2 0x02FF */
    /* SMB2 0x0210; Windows 10 would pick 3.x when offered, so only lists topping out at 0x0210 */
    {.kind = LK_SMB2_NEG, .pcap = TMDP, .req_frame = 25, .rep_frame = 26, .smb2_max = 0x0311},
    P(LK_SMB2_SS_NEG, TMDP, 27, 28),  /* CHALLENGE */
    P(LK_SMB2_SS_AUTH, TMDP, 29, 30), /* anonymous refused, 0xC0000022 */
    P(LK_SS_NTLM_NEG, TMDP, 43, 44),  /* CHALLENGE, Unicode */
    P(LK_SS_NTLM_AUTH, TMDP, 45, 46), /* anonymous accepted */
    P(LK_TREE_IPC, TMDP, 47, 48),     /* Unicode, extended response */
    P(LK_TDIS, TMDP, 70, 71),
    P(LK_LOGOFF, TMDP, 72, 73),
};

/* Windows Server 2019 (NTLMSSP 10.0.17763, Native OS "Windows Server 2019 Standard 17763") speaking
 * SMB1 to smbclient, 192.168.1.3 in EICR. Every request there is Unicode; no null session, no IPC$
 * (its one tree connect is to PUBLIC), no Peek, no ping, no SMB2: all of those close. */
static struct lab_pair win2019_smb1[] = {
    P(LK_NEG_NTLM, EICR, 4, 5),     /* extended security, NT LM 0.12 (no SMB2 string offered) */
    P(LK_SS_NTLM_NEG, EICR, 7, 8),  /* SPNEGO CHALLENGE 10.0.17763, 0xC0000016 (Unicode request) */
    P(LK_SS_NTLM_AUTH, EICR, 9, 10), /* true anonymous (empty LM/NT), accepted, Action 0 */
};

/* Windows XP SP3 (NTLMSSP 5.1.2600, Native OS "Windows 5.1") against Metasploit's MS17-010
 * scanner, 10.97.100.208 in XPSP3: every request ASCII, no Trans2 ping, no SMB2. */
static struct lab_pair xpsp3_unpatched[] = {
    P(LK_NEG_NTLM, XPSP3, 1, 2),     /* extended security; empty security blob (raw NTLMSSP) */
    P(LK_SS_NTLM_NEG, XPSP3, 3, 4),  /* raw (not SPNEGO) CHALLENGE 5.1.2600, 0xC0000016 */
    P(LK_SS_NTLM_AUTH, XPSP3, 5, 6), /* empty user with LMv2/NTLMv2 responses: 0xC000006D */
    P(LK_SS_NULL, XPSP3, 7, 8),      /* plain null session, ASCII, accepted (WordCount 3) */
    P(LK_TREE_IPC, XPSP3, 9, 10),    /* ASCII, WordCount 3 reply */
    P(LK_PEEK, XPSP3, 11, 12),       /* 0xC0000205 */
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
static struct lab_profile profiles[] = {
    {"win7-unpatched", "Windows 7 SP1 x64, unpatched (" ID2T ")", win7_unpatched, N(win7_unpatched)},
    {"win7-implanted", "Windows 7, DoublePulsar answers the ping (" TMDP " frames 80-91)",
     win7_implanted, N(win7_implanted)},
    {"win7-patched-modelled", "win7-unpatched with the Peek status MODELLED as 0xC0000008",
     win7_patched_modelled, N(win7_patched_modelled)},
    {"2012r2-member-anon-denied", "WIN-2012-R2-1 refusing the null session (" WCRY ")",
     s2012r2_member, N(s2012r2_member)},
    {"win10-1511", "Windows 10 1511 build 10586: SMB2 anonymous refused, SMB1 anonymous accepted ("
     TMDP ")", win10_1511, N(win10_1511)},
    {"win2019-smb1", "Windows Server 2019 build 17763 over SMB1: NTLMSSP only, anonymous accepted, no IPC$ ("
     EICR ")", win2019_smb1, N(win2019_smb1)},
    {"xpsp3-unpatched", "Windows XP SP3 build 2600, unpatched: Peek 0xC0000205, no ping reply (" XPSP3 ")",
     xpsp3_unpatched, N(xpsp3_unpatched)},
};

size_t lab_profile_count(void) { return N(profiles); }
const struct lab_profile *lab_profile_at(size_t i) { return i < N(profiles) ? &profiles[i] : NULL; }

const struct lab_profile *lab_profile_find(const char *name)
{
    for (size_t i = 0; i < N(profiles); i++)
        if (strcmp(profiles[i].name, name) == 0)
            return &profiles[i];
    return NULL;
}

/* Cache of loaded payloads so a frame shared by several profiles is read once. */
struct cached {
    const char *pcap;
    unsigned frame;
    uint8_t *buf;
    size_t len;
};
static struct cached cache[128];
static size_t n_cache;

static int load_frame(const char *pcap, unsigned frame, uint8_t **out, size_t *len)
{
    for (size_t i = 0; i < n_cache; i++)
        if (cache[i].frame == frame && strcmp(cache[i].pcap, pcap) == 0) {
            *out = cache[i].buf;
            *len = cache[i].len;
            return 0;
        }
    char rel[256], path[4096];
    snprintf(rel, sizeof rel, "pcaps/%s", pcap);
    pcapf_shared(rel, path, sizeof path);
    static uint8_t tmp[65536];
    long n = pcapf_payload(path, frame, tmp, sizeof tmp, NULL);
    if (n < 4) {
        fprintf(stderr, "smbguard-lab: %s frame %u: no TCP payload\n", path, frame);
        return -1;
    }
    size_t nb = ((size_t)tmp[1] << 16) | ((size_t)tmp[2] << 8) | tmp[3];
    if (nb + 4 != (size_t)n) {
        fprintf(stderr, "smbguard-lab: %s frame %u: not exactly one NBSS message (%ld bytes, NBSS %zu)\n",
                path, frame, n, nb);
        return -1;
    }
    if (n_cache == N(cache)) {
        fprintf(stderr, "smbguard-lab: frame cache full\n");
        return -1;
    }
    uint8_t *b = malloc((size_t)n);
    if (!b)
        return -1;
    memcpy(b, tmp, (size_t)n);
    cache[n_cache++] = (struct cached){pcap, frame, b, (size_t)n};
    *out = b;
    *len = (size_t)n;
    return 0;
}

int lab_profiles_load(void)
{
    for (size_t i = 0; i < N(profiles); i++) {
        for (size_t j = 0; j < profiles[i].n_pairs; j++) {
            struct lab_pair *pr = &profiles[i].pairs[j];
            if (load_frame(pr->pcap, pr->req_frame, &pr->req, &pr->req_len) != 0 ||
                load_frame(pr->pcap, pr->rep_frame, &pr->rep, &pr->rep_len) != 0)
                return -1;
            if (pr->kind == LK_NBSS_POS) {
                if (pr->req[0] != 0x81 || pr->rep[0] != 0x82 || pr->rep_len != 4) {
                    fprintf(stderr, "smbguard-lab: %s %u/%u: not an NBSS session request/positive response\n",
                            pr->pcap, pr->req_frame, pr->rep_frame);
                    return -1;
                }
                continue;
            }
            struct lab_req r;
            lab_classify(pr->req + 4, pr->req_len - 4, &r);
            if (r.kind != pr->kind) {
                fprintf(stderr, "smbguard-lab: %s frame %u classifies as %s, expected %s (%s)\n", pr->pcap,
                        pr->req_frame, lab_kind_name(r.kind), lab_kind_name(pr->kind), r.why);
                return -1;
            }
            pr->feat = r.feat;
            const uint8_t *m = pr->rep + 4;
            size_t mn = pr->rep_len - 4;
            if (mn >= 64 + 6 && m[0] == 0xFE && lab_le16(m + 12) == 0)
                pr->rep_smb2_dialect = lab_le16(m + 64 + 4);
            int rep_smb1 = mn >= 33 && m[0] == 0xFF;
            if (pr->kind != LK_NEG_SMB2WILD && pr->kind != LK_SMB2_NEG && pr->kind != LK_SMB2_SS_NEG &&
                pr->kind != LK_SMB2_SS_AUTH && (!rep_smb1 || m[4] != pr->req[4 + 4])) {
                fprintf(stderr, "smbguard-lab: %s frame %u is not the SMB1 reply to frame %u\n", pr->pcap,
                        pr->rep_frame, pr->req_frame);
                return -1;
            }
        }
    }
    return 0;
}

const struct lab_pair *lab_profile_match(const struct lab_profile *p, const struct lab_req *r)
{
    for (size_t j = 0; j < p->n_pairs; j++) {
        const struct lab_pair *pr = &p->pairs[j];
        if (pr->kind != r->kind || pr->feat != r->feat)
            continue;
        if (pr->kind == LK_SMB2_NEG) {
            /* The server picks the highest dialect both sides know: the captured reply applies only
             * when that is the dialect it carries. */
            uint16_t top = pr->smb2_max ? pr->smb2_max : pr->rep_smb2_dialect;
            int has = 0, higher = 0;
            for (unsigned i = 0; i < r->n_smb2_dialects; i++) {
                uint16_t d = r->smb2_dialects[i];
                has |= d == pr->rep_smb2_dialect;
                higher |= d > pr->rep_smb2_dialect && d <= top && d != 0x02FF;
            }
            if (!has || higher)
                continue;
        }
        return pr;
    }
    return NULL;
}
