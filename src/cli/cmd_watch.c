/* cmd_watch.c: `smbguard watch`: capture files or a live interface -> SMB detections -> EVE NDJSON
 * (--json) and a human summary on stderr; exit 3 when an alert with the exit-3 flag fired. */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/exitcodes.h"
#include "cli/i18n.h"
#include "model/record.h"
#include "sink/sink.h"
#include "watch/capture.h"
#include "watch/eve.h"
#include "watch/hostdetect.h"
#include "watch/ksdetect.h"
#include "watch/pipeline.h"
#include "watch/sharedetect.h"
#include "watch/smbdetect.h"

static volatile sig_atomic_t g_stop;
static struct wcap *volatile g_live;  /* set while the live loop runs: the handler wakes its poll() */
static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    if (g_live)
        wcap_break(g_live);
}

/* Hosts of the summary, from the alerts: distinct addresses, at most HL_CAP per list (later ones
 * are counted in `dropped`, not listed); HL_PRINT printed. */
#define HL_CAP 1024
#define HL_PRINT 20
struct hl_item {
    uint8_t ipver, has_peer;
    uint8_t a[16], peer[16];  /* the host; the attacker for exploited targets */
    int det;                  /* detection that listed it first */
};
struct host_list {
    struct hl_item *items;
    size_t n;
    uint64_t dropped;
};
enum { HL_VULN, HL_EXPLOITED, HL_INFECTED, HL_SCANNING, HL_SMB1_SRV, HL_SMB1_ONLY, HL_N };
static const char *const hl_title[HL_N] = {
    N_("vulnerable"), N_("exploited (target <- attacker)"), N_("infected"), N_("worm-scanning sources"), N_("SMB1 servers"),
    "SMB1-only clients",
};

struct watch_run {
    struct eve eve;
    struct wcap_src src;
    struct sd_ctx det;
    struct ks_ctx ks;
    struct hd_ctx hd;
    struct host_list hosts[HL_N];
    struct sink *csv;         /* --csv: one row per alert (NULL: none) */
    struct record rec;        /* scratch record for the CSV row */
    int csv_failed;
};

static void hl_add(struct host_list *l, uint8_t ipver, const uint8_t *a, const uint8_t *peer, int det)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].ipver == ipver && !memcmp(l->items[i].a, a, 16))
            return;
    if (!l->items && !(l->items = calloc(HL_CAP, sizeof *l->items))) {
        l->dropped++;
        return;
    }
    if (l->n == HL_CAP) {
        l->dropped++;
        return;
    }
    struct hl_item *it = &l->items[l->n++];
    it->ipver = ipver;
    memcpy(it->a, a, 16);
    it->has_peer = peer != NULL;
    if (peer)
        memcpy(it->peer, peer, 16);
    it->det = det;
}

/* The summary's host lists: which end of the alerted flow each detection says something about. */
static void hosts_from_alert(struct watch_run *r, const struct wflow *f, int det)
{
    struct host_list *h = r->hosts;
    switch (det) {
    case SD_MS17_VULN: case SD_EB_OVERFLOW: hl_add(&h[HL_VULN], f->ipver, f->srv, NULL, det); break;
    case SD_EB_EXPLOIT: case SD_OTHER_EXPLOIT: case SD_EB_POOL: case SD_EB_GROOM:
        hl_add(&h[HL_EXPLOITED], f->ipver, f->srv, f->cli, det);
        break;
    case SD_DP_IMPLANT: case SD_DP_UPLOAD: hl_add(&h[HL_INFECTED], f->ipver, f->srv, NULL, det); break;
    /* WannaCry's own traffic: the client runs the worm */
    case SD_WC_IPC: case SD_WC_SHARE_ENC: hl_add(&h[HL_INFECTED], f->ipver, f->cli, NULL, det); break;
    case SD_WORM_SCAN: hl_add(&h[HL_SCANNING], f->ipver, f->cli, NULL, det); break;
    case SD_SMB1_IN_USE: hl_add(&h[HL_SMB1_SRV], f->ipver, f->srv, NULL, det); break;
    case SD_SMB1_CLIENT_ONLY: hl_add(&h[HL_SMB1_ONLY], f->ipver, f->cli, NULL, det); break;
    default: break;
    }
}

/* Spaces that pad s to width columns (CJK characters take two). */
static int pad_to(const char *s, int width)
{
    int w = (int)sink_str_width(s);
    return w < width ? width - w : 0;
}

static void hosts_print(const struct watch_run *r)
{
    fprintf(stderr, "%s\n", _("hosts seen:"));
    for (int k = 0; k < HL_N; k++) {
        const struct host_list *l = &r->hosts[k];
        fprintf(stderr, "  %s%*s %zu%s", _(hl_title[k]), pad_to(_(hl_title[k]), 32), "", l->n, l->n ? ":" : "");
        for (size_t i = 0; i < l->n && i < HL_PRINT; i++) {
            const struct hl_item *it = &l->items[i];
            char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
            int af = it->ipver == 6 ? AF_INET6 : AF_INET;
            if (!inet_ntop(af, it->a, a, sizeof a))
                strcpy(a, "?");
            fprintf(stderr, "%s %s", i ? "," : "", a);
            if (it->has_peer && inet_ntop(af, it->peer, b, sizeof b))
                fprintf(stderr, " <- %s", b);
            if (k == HL_INFECTED)
                fprintf(stderr, " (%s)", sd_table[it->det].name);
        }
        if (l->n > HL_PRINT)
            fprintf(stderr, _(", and %zu more"), l->n - HL_PRINT);
        if (l->dropped)
            fprintf(stderr, _(" (list full: %llu later alerts not listed)"), (unsigned long long)l->dropped);
        fputc('\n', stderr);
    }
}

/* The CSV row of an alert: the EVE alert's members, flattened; `evidence` holds the `smbguard`
 * attributes as JSON text. Column order is fixed (docs/eve.md). */
static void csv_alert(struct watch_run *r, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts,
                      uint64_t idx)
{
    struct record *rec = &r->rec;
    char tsbuf[40], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], cid[31], ev[1024];
    int af = f->ipver == 6 ? AF_INET6 : AF_INET;
    const uint8_t *src = dir == WDIR_TO_SERVER ? f->cli : f->srv, *dst = dir == WDIR_TO_SERVER ? f->srv : f->cli;
    if (!inet_ntop(af, src, a, sizeof a))
        strcpy(a, "?");
    if (!inet_ntop(af, dst, b, sizeof b))
        strcpy(b, "?");
    eve_timestamp(tsbuf, ts);
    eve_community_id(f, cid);
    snprintf(ev, sizeof ev, "{%s}", attrs ? attrs : "");
    const struct sd_info *in = &sd_table[det];
    record_reset(rec, "alert");
    record_str(rec, "timestamp", tsbuf);
    record_int(rec, "signature_id", in->sid);
    record_str(rec, "signature", in->name);
    record_int(rec, "severity", in->severity);
    record_bool(rec, "exit3", in->exit3);
    record_str(rec, "category", in->category);
    record_str(rec, "src_ip", a);
    record_int(rec, "src_port", dir == WDIR_TO_SERVER ? f->cport : f->sport);
    record_str(rec, "dest_ip", b);
    record_int(rec, "dest_port", dir == WDIR_TO_SERVER ? f->sport : f->cport);
    record_str(rec, "proto", f->l4proto == 17 ? "UDP" : "TCP");
    record_str(rec, "app_proto", in->app_proto ? in->app_proto : "smb");
    record_str(rec, "direction", dir == WDIR_TO_SERVER ? "to_server" : "to_client");
    record_int(rec, "flow_id", (int64_t)f->id);
    record_str(rec, "community_id", cid);
    record_str(rec, "pcap_filename", r->src.file);
    record_int(rec, "pcap_cnt", (int64_t)idx);
    record_str(rec, "in_iface", r->eve.iface);
    record_str(rec, "evidence", ev);
    if (sink_emit(r->csv, rec) != 0)
        r->csv_failed = 1;
}

static void cb_alert(void *arg, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts,
                     uint64_t idx)
{
    struct watch_run *r = arg;
    r->eve.pcap_filename = r->src.file;
    eve_alert(&r->eve, f, dir, det, attrs, ts, idx);
    if (r->csv)
        csv_alert(r, f, dir, det, attrs, ts, idx);
    hosts_from_alert(r, f, det);
    /* indicators for smb.worm_scan (hd_on_alert ignores the others, its own alerts included) */
    hd_on_alert(&r->hd, f, det, ts, idx);
}

/* The pipeline's on_tcp: the kill-switch detections (TCP 53/80) and the host detections (139/445). */
static void on_tcp(void *arg, const struct wd_pkt *p, int64_t ts_us, uint64_t index)
{
    struct watch_run *r = arg;
    ks_on_tcp(&r->ks, p, ts_us, index);
    hd_on_tcp(&r->hd, p, ts_us, index);
}

static void cb_flow(void *arg, const struct wflow *f, const uint32_t counts[SD_NDET])
{
    struct watch_run *r = arg;
    r->eve.pcap_filename = r->src.file;
    eve_flow(&r->eve, f, counts);
}

/* wannacry.share_encryption: files named per client and share (the alert only has the first). */
static void share_totals_print(const struct se_ctx *se)
{
    size_t n = se_n_totals(se);
    if (!n)
        return;
    fprintf(stderr, "%s\n", _("WannaCry file names written, per client and share:"));
    for (size_t i = 0; i < n && i < 20; i++) {
        struct se_total t;
        if (se_total_at(se, i, &t))
            break;
        char cli[INET6_ADDRSTRLEN], srv[INET6_ADDRSTRLEN];
        int af = t.ipver == 6 ? AF_INET6 : AF_INET;
        if (!inet_ntop(af, t.cli, cli, sizeof cli))
            strcpy(cli, "?");
        if (!inet_ntop(af, t.srv, srv, sizeof srv))
            strcpy(srv, "?");
        fprintf(stderr, _("  %s -> %s %s: %llu (first: %s)\n"), cli, srv, t.share ? t.share : _("(share not seen)"),
                (unsigned long long)t.count, t.file ? t.file : "?");
    }
    if (n > 20)
        fprintf(stderr, _("  and %zu more\n"), n - 20);
    if (se_overflow(se))
        fprintf(stderr, _("  %llu more matches not counted per share (table full)\n"),
                (unsigned long long)se_overflow(se));
}

static void usage(FILE *o)
{
    fprintf(o,
            "Usage: smbguard watch -r FILE [-r FILE...] | -i IFACE [--filter BPF] [--json FILE] [--csv FILE]\n"
            "                      [--memcap BYTES] [--resolver IP]... [--home-net CIDR[,CIDR...]]...\n"
            "                      [--worm-internal N] [--worm-external N] [--worm-window SECONDS]\n"
            "                      [--worm-indicators N] [--worm-allow CIDR[,CIDR...]]... [--lang en|ja] [-q]\n"
            "Watch SMB traffic for MS17-010 probes, EternalBlue, DoublePulsar and WannaCry (docs/watch.md).\n"
            "\n"
            "  -r, --read FILE     read a pcap/pcapng file ('-' = stdin); several files are one capture\n"
            "  -i, --iface IFACE   capture live from IFACE (promiscuous)\n"
            "      --filter BPF    BPF filter expression\n"
            "      --json FILE     write EVE NDJSON records to FILE ('-' = stdout)\n"
            "      --csv FILE      write one CSV row per alert to FILE ('-' = stdout)\n"
            "      --memcap BYTES  flow table memory cap (default 64 MiB; suffixes k, m, g)\n"
            "      --resolver IP   a DNS resolver of this network (kill-switch queries it forwards say so)\n"
            "      --home-net CIDR[,CIDR...]\n"
            "                      the home network for smb.exposed and smb.worm_scan (repeatable; replaces the\n"
            "                      default 10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, fc00::/7,\n"
            "                      fe80::/10; loopback is always inside)\n"
            "      --worm-internal N   smb.worm_scan: distinct home-net destinations on 139/445 from one\n"
            "                      source within the window (default 20, 1-256)\n"
            "      --worm-external N   the same for destinations outside the home net (default 5, 1-256)\n"
            "      --worm-window SECONDS  the window of both (default 60)\n"
            "      --worm-indicators N  distinct targets with MS17-010/DoublePulsar/WannaCry alerts from one\n"
            "                      source (default 2, 1-16)\n"
            "      --worm-allow CIDR[,CIDR...]  sources never reported by smb.worm_scan (repeatable)\n"
            "      --lang en|ja    language of the summary (default: from LANGUAGE / LC_ALL /\n"
            "                      LC_MESSAGES / LANG); EVE and CSV stay English\n"
            "  -q, --quiet         no summary on stderr\n"
            "  -h, --help          this help\n"
            "\n"
            "Exit codes: 0 nothing found, 3 an alert with the exit-3 flag fired (docs/detections.md),\n"
            "1 error, 2 usage.\n");
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s)
        return -1;
    unsigned long long mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1024ull, end++;
    else if (*end == 'm' || *end == 'M')
        mul = 1024ull * 1024, end++;
    else if (*end == 'g' || *end == 'G')
        mul = 1024ull * 1024 * 1024, end++;
    if (*end || v == 0 || v > SIZE_MAX / mul)
        return -1;
    *out = (size_t)(v * mul);
    return 0;
}

/* A decimal count 1..max. */
static int parse_count(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

int cmd_watch(int argc, char **argv)
{
    static const struct option opts[] = {
        {"read", required_argument, NULL, 'r'},   {"iface", required_argument, NULL, 'i'},
        {"filter", required_argument, NULL, 'F'}, {"json", required_argument, NULL, 'j'},
        {"csv", required_argument, NULL, 'C'},
        {"memcap", required_argument, NULL, 'm'}, {"quiet", no_argument, NULL, 'q'},
        {"lang", required_argument, NULL, 'l'},
        {"resolver", required_argument, NULL, 'R'},
        {"home-net", required_argument, NULL, 'H'},
        {"worm-internal", required_argument, NULL, 'W'},
        {"worm-external", required_argument, NULL, 'X'},
        {"worm-window", required_argument, NULL, 'N'},
        {"worm-indicators", required_argument, NULL, 'I'},
        {"worm-allow", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files)
        return EXIT_ERROR;
    size_t nfiles = 0;
    const char *iface = NULL, *filter = NULL, *json = NULL, *csv = NULL, *lang = NULL;
    size_t memcap = 0;
    int quiet = 0, c;
    const char **resolvers = calloc((size_t)argc + 1, sizeof *resolvers);
    size_t nres = 0;
    if (!resolvers) {
        free(files), free(resolvers);
        return EXIT_ERROR;
    }
    struct hd_cfg hcfg;
    hd_cfg_default(&hcfg);
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:i:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': files[nfiles++] = optarg; break;
        case 'i': iface = optarg; break;
        case 'F': filter = optarg; break;
        case 'j': json = optarg; break;
        case 'C': csv = optarg; break;
        case 'm':
            if (parse_size(optarg, &memcap)) {
                free(files), free(resolvers);
                return cli_usage_error("watch", "bad --memcap '%s'", optarg);
            }
            break;
        case 'q': quiet = 1; break;
        case 'l':
            if (strcmp(optarg, "en") != 0 && strcmp(optarg, "ja") != 0) {
                free(files), free(resolvers);
                return cli_usage_error("watch", "--lang takes en or ja, not '%s'", optarg);
            }
            lang = optarg;
            break;
        case 'R': resolvers[nres++] = optarg; break;
        case 'H':
        case 'A':
            if (hd_nets_add(c == 'H' ? &hcfg.home : &hcfg.allow, optarg)) {
                free(files), free(resolvers);
                return cli_usage_error("watch", "bad %s '%s' (CIDRs such as 10.0.0.0/8 or fe80::/10, at most %d)",
                                       c == 'H' ? "--home-net" : "--worm-allow", optarg, HD_MAX_NETS);
            }
            break;
        case 'W':
        case 'X':
        case 'I': {
            unsigned long v;
            unsigned long max = c == 'I' ? HD_MAX_IND_THRESHOLD : HD_MAX_THRESHOLD;
            if (parse_count(optarg, max, &v)) {
                free(files), free(resolvers);
                return cli_usage_error("watch", "bad --worm-%s '%s' (1 to %lu)",
                                       c == 'W' ? "internal" : c == 'X' ? "external" : "indicators", optarg, max);
            }
            *(c == 'W' ? &hcfg.internal : c == 'X' ? &hcfg.external : &hcfg.indicators) = (unsigned)v;
            break;
        }
        case 'N': {
            char *end;
            double sec = strtod(optarg, &end);
            if (end == optarg || *end || !(sec > 0 && sec <= HD_MAX_WINDOW_S)) {
                free(files), free(resolvers);
                return cli_usage_error("watch", "bad --worm-window '%s' (seconds, up to %d)", optarg, HD_MAX_WINDOW_S);
            }
            hcfg.window_us = (int64_t)(sec * 1e6 + 0.5);
            break;
        }
        case 'h': usage(stdout); free(files), free(resolvers); return EXIT_CLEAN;
        default: free(files), free(resolvers); return cli_usage_error("watch", "unknown option");
        }
    }
    if (optind < argc) {
        free(files), free(resolvers);
        return cli_usage_error("watch", "unexpected argument '%s'", argv[optind]);
    }
    if ((nfiles == 0) == (iface == NULL)) {
        free(files), free(resolvers);
        return cli_usage_error("watch", "give -r FILE... or -i IFACE (not both)");
    }

    if (!quiet)
        i18n_init("watch", lang);
    struct watch_run *run = calloc(1, sizeof *run);
    if (!run) {
        free(files), free(resolvers);
        return EXIT_ERROR;
    }
    int rc = EXIT_CLEAN;
    if (json) {
        run->eve.f = strcmp(json, "-") ? fopen(json, "w") : stdout;
        if (!run->eve.f) {
            perror(json);
            free(run);
            free(files), free(resolvers);
            return EXIT_ERROR;
        }
    }
    if (csv && json && !strcmp(csv, "-") && !strcmp(json, "-")) {
        if (run->eve.f && run->eve.f != stdout)
            fclose(run->eve.f);
        free(run);
        free(files), free(resolvers);
        return cli_usage_error("watch", "--json - and --csv - cannot both go to stdout");
    }
    if (csv && !(run->csv = sink_csv_open(csv))) {
        if (run->eve.f && run->eve.f != stdout)
            fclose(run->eve.f);
        free(run);
        free(files), free(resolvers);
        return EXIT_ERROR;
    }
    sd_init(&run->det, cb_alert, cb_flow, run);
    ks_init(&run->ks, &run->det);
    run->eve.file_ref = &run->src.file;      /* EVE records name the current -r file */
    run->ks.on_dns_answer = eve_dns_answer;  /* kill-switch DNS answers -> EVE dns records */
    run->ks.dns_arg = &run->eve;
    for (size_t i = 0; i < nres; i++) {
        if (ks_add_resolver(&run->ks, resolvers[i])) {
            if (run->eve.f && run->eve.f != stdout)
                fclose(run->eve.f);
            free(run);
            int urc = cli_usage_error("watch", "bad --resolver '%s' (an IP address, at most %d)", resolvers[i],
                                      KS_MAX_RESOLVERS);
            free(files), free(resolvers);
            return urc;
        }
    }
    struct wpipe_cfg cfg;
    wpipe_cfg_default(&cfg);
    if (memcap)
        cfg.flow.memcap = memcap;
    cfg.on_udp = ks_on_udp;
    cfg.udp_arg = &run->ks;
    cfg.on_tcp = on_tcp;
    cfg.tcp_arg = run;
    for (unsigned i = 0; i < cfg.flow.n_ports && i < FLOW_MAX_PORTS; i++)
        hcfg.ports[i] = cfg.flow.ports[i];
    hcfg.n_ports = cfg.flow.n_ports;
    struct flow_cbs cbs = {sd_on_msg, sd_on_flow_end, &run->det};
    struct wpipe *w = NULL;
    char err[256] = "";
    struct wcap_stats st = {0};
    struct wcap *live = NULL;
    if (hd_init(&run->hd, &run->det, &hcfg)) {
        fprintf(stderr, "smbguard watch: cannot allocate the worm-scan table\n");
        rc = EXIT_ERROR;
        goto out;
    }
    w = wpipe_new(&cfg, &cbs);
    if (!w) {
        fprintf(stderr, "smbguard watch: cannot allocate the pipeline (memcap too small?)\n");
        rc = EXIT_ERROR;
        goto out;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (nfiles) {
        if (wcap_read_files(w, files, nfiles, filter, &g_stop, &run->src, &st, err, sizeof err)) {
            fprintf(stderr, "smbguard watch: %s\n", err);
            rc = EXIT_ERROR;
        }
    } else {
        run->eve.iface = iface;
        live = wcap_open_live(iface, filter, 1, err, sizeof err);
        if (!live) {
            fprintf(stderr, "smbguard watch: %s\n", err);
            rc = EXIT_ERROR;
        } else {
            if (!quiet)
                fprintf(stderr, _("smbguard watch: listening on %s, Ctrl-C to stop\n"), iface);
            g_live = live;
            int lrc = wcap_live_loop(live, w, &g_stop, err, sizeof err);
            g_live = NULL;
            if (lrc) {
                fprintf(stderr, "smbguard watch: %s\n", err);
                rc = EXIT_ERROR;
            }
            wcap_live_stats(live, &st);
        }
    }
    struct wpipe_counters ct;
    wpipe_counters(w, &ct);
    wpipe_free(w);  /* ends every flow: flow records are written here */
    w = NULL;
    sd_finish(&run->det);  /* groom episodes still open */
    ks_finish(&run->ks);   /* kill-switch HTTP requests without a response seen */
    if (live)
        wcap_close(live);
    int found = 0;
    for (int i = 0; i < SD_NDET; i++)
        if (run->det.alerts[i] && sd_table[i].exit3)
            found = 1;
    if (!quiet) {
        fprintf(stderr, "%s\n", _("smbguard watch: alerts by detection (flows alerted / matches):"));
        int any = 0;
        for (int i = 0; i < SD_NDET; i++) {
            if (!run->det.alerts[i])
                continue;
            any = 1;
            fprintf(stderr, _("  %-36s %6llu / %-6llu severity %d%s\n"), sd_table[i].name,
                    (unsigned long long)run->det.alerts[i], (unsigned long long)run->det.matches[i],
                    sd_table[i].severity, sd_table[i].exit3 ? _("  [exit 3]") : "");
        }
        if (!any)
            fprintf(stderr, "  %s\n", _("(none)"));
        hosts_print(run);
        share_totals_print(run->det.se);
        /* the counters line stays English in every language: scripts read it (bench/, tests/) */
        fprintf(stderr,
                "counters: packets %" PRIu64 ", bytes %" PRIu64 ", drops %" PRIu64 ", flows %" PRIu64
                ", messages %" PRIu64 ", gaps %" PRIu64 ", parse errors %" PRIu64 " (smb %" PRIu64
                "), memcap hits %" PRIu64 "\n",
                ct.packets, ct.bytes, st.dropped + st.if_dropped, ct.flows, ct.messages, ct.gaps, ct.parse_errors,
                run->det.smb_parse_errors, ct.memcap_hits);
        fprintf(stderr,
                "worm-scan table: %" PRIu64 " sources, %" PRIu64 " evicted, %" PRIu64
                " attempts of sources not admitted (capacity %zu)\n",
                run->hd.st.sources, run->hd.st.evictions, run->hd.st.rejected, run->hd.cap);
    }
    if (rc == EXIT_CLEAN && found)
        rc = EXIT_FOUND;
out:
    if (run->csv && (sink_close_all(run->csv) != 0 || run->csv_failed)) {
        fprintf(stderr, "smbguard watch: writing %s failed\n", csv);
        rc = EXIT_ERROR;
    }
    if (run->eve.f && run->eve.f != stdout && fclose(run->eve.f)) {
        perror(json);
        rc = EXIT_ERROR;
    } else if (run->eve.f == stdout) {
        fflush(stdout);
    }
    sd_free(&run->det);
    hd_free(&run->hd);
    for (int k = 0; k < HL_N; k++)
        free(run->hosts[k].items);
    free(run);
    free(files), free(resolvers);
    return rc;
}
