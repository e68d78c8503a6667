/* cmd_watch.c: `smbguard watch`: capture files or a live interface -> SMB detections -> EVE NDJSON
 * (--json) and a human summary on stderr; exit 3 when an alert with the exit-3 flag fired. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/exitcodes.h"
#include "watch/capture.h"
#include "watch/eve.h"
#include "watch/ksdetect.h"
#include "watch/pipeline.h"
#include "watch/smbdetect.h"

static volatile sig_atomic_t g_stop;
static void on_signal(int sig) { (void)sig; g_stop = 1; }

struct watch_run {
    struct eve eve;
    struct wcap_src src;
    struct sd_ctx det;
    struct ks_ctx ks;
};

static void cb_alert(void *arg, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts,
                     uint64_t idx)
{
    struct watch_run *r = arg;
    r->eve.pcap_filename = r->src.file;
    eve_alert(&r->eve, f, dir, det, attrs, ts, idx);
}

static void cb_flow(void *arg, const struct wflow *f, const uint32_t counts[SD_NDET])
{
    struct watch_run *r = arg;
    r->eve.pcap_filename = r->src.file;
    eve_flow(&r->eve, f, counts);
}

static void usage(FILE *o)
{
    fprintf(o,
            "Usage: smbguard watch -r FILE [-r FILE...] | -i IFACE [--filter BPF] [--json FILE]\n"
            "                      [--memcap BYTES] [--resolver IP]... [-q]\n"
            "Watch SMB traffic for MS17-010 probes, EternalBlue, DoublePulsar and WannaCry (docs/watch.md).\n"
            "\n"
            "  -r, --read FILE     read a pcap/pcapng file ('-' = stdin); several files are one capture\n"
            "  -i, --iface IFACE   capture live from IFACE (promiscuous)\n"
            "      --filter BPF    BPF filter expression\n"
            "      --json FILE     write EVE NDJSON records to FILE ('-' = stdout)\n"
            "      --memcap BYTES  flow table memory cap (default 64 MiB; suffixes k, m, g)\n"
            "      --resolver IP   a DNS resolver of this network (kill-switch queries it forwards say so)\n"
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

int cmd_watch(int argc, char **argv)
{
    static const struct option opts[] = {
        {"read", required_argument, NULL, 'r'},   {"iface", required_argument, NULL, 'i'},
        {"filter", required_argument, NULL, 'F'}, {"json", required_argument, NULL, 'j'},
        {"memcap", required_argument, NULL, 'm'}, {"quiet", no_argument, NULL, 'q'},
        {"resolver", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files)
        return EXIT_ERROR;
    size_t nfiles = 0;
    const char *iface = NULL, *filter = NULL, *json = NULL;
    size_t memcap = 0;
    int quiet = 0, c;
    const char **resolvers = calloc((size_t)argc + 1, sizeof *resolvers);
    size_t nres = 0;
    if (!resolvers) {
        free(files), free(resolvers);
        return EXIT_ERROR;
    }
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:i:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': files[nfiles++] = optarg; break;
        case 'i': iface = optarg; break;
        case 'F': filter = optarg; break;
        case 'j': json = optarg; break;
        case 'm':
            if (parse_size(optarg, &memcap)) {
                free(files), free(resolvers);
                return cli_usage_error("watch", "bad --memcap '%s'", optarg);
            }
            break;
        case 'q': quiet = 1; break;
        case 'R': resolvers[nres++] = optarg; break;
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
    sd_init(&run->det, cb_alert, cb_flow, run);
    ks_init(&run->ks, &run->det);
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
    cfg.on_tcp = ks_on_tcp;
    cfg.tcp_arg = &run->ks;
    struct flow_cbs cbs = {sd_on_msg, sd_on_flow_end, &run->det};
    struct wpipe *w = wpipe_new(&cfg, &cbs);
    char err[256] = "";
    struct wcap_stats st = {0};
    struct wcap *live = NULL;
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
            if (wcap_live_loop(live, w, &g_stop, err, sizeof err)) {
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
        fprintf(stderr, "smbguard watch: alerts by detection (flows alerted / matches):\n");
        int any = 0;
        for (int i = 0; i < SD_NDET; i++) {
            if (!run->det.alerts[i])
                continue;
            any = 1;
            fprintf(stderr, "  %-36s %6" PRIu64 " / %-6" PRIu64 " severity %d%s\n", sd_table[i].name,
                    run->det.alerts[i], run->det.matches[i], sd_table[i].severity,
                    sd_table[i].exit3 ? "  [exit 3]" : "");
        }
        if (!any)
            fprintf(stderr, "  (none)\n");
        fprintf(stderr,
                "counters: packets %" PRIu64 ", bytes %" PRIu64 ", drops %" PRIu64 ", flows %" PRIu64
                ", messages %" PRIu64 ", gaps %" PRIu64 ", parse errors %" PRIu64 " (smb %" PRIu64
                "), memcap hits %" PRIu64 "\n",
                ct.packets, ct.bytes, st.dropped + st.if_dropped, ct.flows, ct.messages, ct.gaps, ct.parse_errors,
                run->det.smb_parse_errors, ct.memcap_hits);
    }
    if (rc == EXIT_CLEAN && found)
        rc = EXIT_FOUND;
out:
    if (run->eve.f && run->eve.f != stdout && fclose(run->eve.f)) {
        perror(json);
        rc = EXIT_ERROR;
    } else if (run->eve.f == stdout) {
        fflush(stdout);
    }
    sd_free(&run->det);
    free(run);
    free(files), free(resolvers);
    return rc;
}
