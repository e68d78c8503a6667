/* cmd_scan.c: `smbguard scan`: options, credentials, output sinks, the summary and the exit code.
 * The scanner itself (src/scan) decides verdicts; this file decides only policy and output. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/exitcodes.h"
#include "core/log.h"
#include "core/targets.h"
#include "scan/scanner.h"
#include "sink/sink.h"

static void scan_help(void)
{
    printf(
        "Usage: smbguard scan [OPTIONS] TARGET...\n"
        "Find SMB hosts and give each exactly one verdict: vulnerable, patched, smb1_disabled,\n"
        "not_windows, access_denied (needs credentials), no_smb, closed, unreachable or unknown,\n"
        "with the reason and the evidence; and whether the DoublePulsar implant answers.\n"
        "Only read-only checks are sent: never exploit bytes.\n"
        "\n"
        "Targets (as nmap takes them): 10.0.0.1, 10.0.0.0/24, 10.0.0-3.1-254, 10.0.0.*,\n"
        "10.0.0.1-10.0.3.7, host names, IPv6 (::1, fe80::/120).\n"
        "  -iL FILE               read targets from FILE ('-' = stdin)\n"
        "      --exclude LIST     comma-separated targets to skip\n"
        "      --excludefile FILE targets to skip, one per line (alias --exclude-file)\n"
        "      --randomize        spread the scan order\n"
        "\n"
        "Output:\n"
        "      --json FILE        NDJSON, one record per host ('-' = stdout)\n"
        "      --csv FILE         CSV for spreadsheets, UTF-8 with BOM ('-' = stdout)\n"
        "      --all              show closed and unreachable hosts in the table too\n"
        "      --no-table         no table on stdout\n"
        "      --progress / --no-progress   live progress line on stderr (default: when stderr is a terminal)\n"
        "  -q, --quiet            no summary on stderr except the undecided count\n"
        "  -v, --verbose          more diagnostics on stderr\n"
        "\n"
        "Probing:\n"
        "      --timeout SEC      absolute deadline per connection (default 5)\n"
        "      --max-parallel N   hosts in flight (default 1024, lowered to fit the open-file limit)\n"
        "      --rate N           new connections per second (default: unlimited on loopback targets,\n"
        "                         1000 otherwise; 0 = unlimited)\n"
        "      --retries N        extra attempts after a reset before any byte (default 1)\n"
        "      --port N           SMB port (default 445)\n"
        "      --nbss-port N      NetBIOS session port used when 445 fails (default 139, 0 = never)\n"
        "      --no-nbns          no UDP 137 node-status query (no MAC, no NetBIOS name from it)\n"
        "      --all-dialects     list every SMB2/3 dialect the server accepts (one more connection each)\n"
        "      --no-doublepulsar  do not send the DoublePulsar ping\n"
        "      --dry-run          print the probe bytes as hex and send nothing\n"
        "\n"
        "Credentials (used only on hosts identified as Windows that refuse anonymous and guest,\n"
        "never given on the command line; the first logon failure stops their use everywhere):\n"
        "      environment SMBGUARD_USER, SMBGUARD_PASSWORD, SMBGUARD_DOMAIN, or\n"
        "      --auth-file FILE   smbclient -A format (username=, password=, domain=); must not be\n"
        "                         readable by group or others\n"
        "\n"
        "Exit codes: 0 nothing vulnerable or infected and nothing undecided; 3 something vulnerable\n"
        "or infected; 4 nothing found but some hosts undecided (unknown, access_denied,\n"
        "unreachable); 1 error; 2 usage.\n");
}

struct out_ctx {
    struct sink *chain;
    int failed;
};

static int emit_to_sinks(const struct record *r, void *arg)
{
    struct out_ctx *o = arg;
    if (sink_emit(o->chain, r) != 0) {
        o->failed = 1;
        return -1;
    }
    return 0;
}

static int table_filter(const struct record *r, void *arg)
{
    int all = *(int *)arg;
    if (all)
        return 1;
    const struct field *f = record_get(r, "ports_open");
    return f && f->type == FT_INT_ARRAY && f->n > 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static char g_user[256], g_pass[256], g_dom[256];

static int load_auth_file(const char *path, struct ntlm_creds *c)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        log_error("--auth-file %s: %s", path, strerror(errno));
        return -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        log_error("--auth-file %s is readable by group or others: refused (chmod 600 it)", path);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        log_error("--auth-file %s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        char *k = trim(line), *v = trim(eq + 1);
        if (!strcmp(k, "username"))
            snprintf(g_user, sizeof g_user, "%s", v);
        else if (!strcmp(k, "password"))
            snprintf(g_pass, sizeof g_pass, "%s", v);
        else if (!strcmp(k, "domain"))
            snprintf(g_dom, sizeof g_dom, "%s", v);
    }
    fclose(f);
    if (!g_user[0]) {
        log_error("--auth-file %s has no username", path);
        return -1;
    }
    /* smbclient allows DOMAIN\user in username */
    char *bs = strchr(g_user, '\\');
    if (bs && !g_dom[0]) {
        *bs = '\0';
        snprintf(g_dom, sizeof g_dom, "%s", g_user);
        memmove(g_user, bs + 1, strlen(bs + 1) + 1);
    }
    c->user = g_user;
    c->password = g_pass;
    c->domain = g_dom;
    return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > max || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

/* A whole-number option value in [min, max]; prints the usage error and returns -1 otherwise. */
static int num_opt(const char *opt, const char *arg, unsigned long min, unsigned long max, const char *what,
                   unsigned long *v)
{
    if (parse_uint(arg, max, v) == 0 && *v >= min)
        return 0;
    cli_usage_error("scan", "%s needs %s, not '%s'", opt, what, arg);
    return -1;
}

static void dry_run(void);

int cmd_scan(int argc, char **argv)
{
    enum { O_EXCLUDE = 256, O_EXCLUDEFILE, O_RANDOMIZE, O_JSON, O_CSV, O_ALL, O_NOTABLE, O_PROGRESS, O_NOPROGRESS,
           O_TIMEOUT, O_MAXPAR, O_RATE, O_RETRIES, O_PORT, O_NBSSPORT, O_NONBNS, O_NODP, O_DRYRUN, O_AUTHFILE,
           O_INPUTLIST, O_ALLDIALECTS };
    static const struct option longopts[] = {
        {"all", no_argument, 0, O_ALL},
        {"all-dialects", no_argument, 0, O_ALLDIALECTS},
        {"auth-file", required_argument, 0, O_AUTHFILE},
        {"csv", required_argument, 0, O_CSV},
        {"dry-run", no_argument, 0, O_DRYRUN},
        {"exclude", required_argument, 0, O_EXCLUDE},
        {"exclude-file", required_argument, 0, O_EXCLUDEFILE},
        {"excludefile", required_argument, 0, O_EXCLUDEFILE},
        {"help", no_argument, 0, 'h'},
        {"input-list", required_argument, 0, O_INPUTLIST},
        {"json", required_argument, 0, O_JSON},
        {"max-parallel", required_argument, 0, O_MAXPAR},
        {"nbss-port", required_argument, 0, O_NBSSPORT},
        {"no-doublepulsar", no_argument, 0, O_NODP},
        {"no-nbns", no_argument, 0, O_NONBNS},
        {"no-progress", no_argument, 0, O_NOPROGRESS},
        {"no-table", no_argument, 0, O_NOTABLE},
        {"port", required_argument, 0, O_PORT},
        {"progress", no_argument, 0, O_PROGRESS},
        {"quiet", no_argument, 0, 'q'},
        {"randomize", no_argument, 0, O_RANDOMIZE},
        {"rate", required_argument, 0, O_RATE},
        {"retries", required_argument, 0, O_RETRIES},
        {"timeout", required_argument, 0, O_TIMEOUT},
        {"verbose", no_argument, 0, 'v'},
        {0, 0, 0, 0},
    };
    /* nmap's -iL is not a getopt-style short option: rewrite it. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-iL"))
            argv[i] = "--input-list";
        else if (!strcmp(argv[i], "--"))
            break;
    }
    struct scan_config cfg;
    scan_config_defaults(&cfg);
    struct target_set *ts = targets_new();
    if (!ts)
        return EXIT_ERROR;
    const char *json = NULL, *csv = NULL, *auth_file = NULL;
    int all = 0, no_table = 0, progress = -1, quiet = 0, randomize = 0, rate_set = 0, dry = 0;
    char err[256];
    int rc = EXIT_ERROR, c;
    unsigned long v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hqv", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': scan_help(); targets_free(ts); return EXIT_CLEAN;
        case 'q': quiet = 1; break;
        case 'v': log_set_level(log_get_level() < LOG_DEBUG ? log_get_level() + 1 : LOG_DEBUG); break;
        case O_ALL: all = 1; break;
        case O_ALLDIALECTS: cfg.all_dialects = 1; break;
        case O_NOTABLE: no_table = 1; break;
        case O_PROGRESS: progress = 1; break;
        case O_NOPROGRESS: progress = 0; break;
        case O_RANDOMIZE: randomize = 1; break;
        case O_JSON: json = optarg; break;
        case O_CSV: csv = optarg; break;
        case O_AUTHFILE: auth_file = optarg; break;
        case O_NODP: cfg.no_doublepulsar = 1; break;
        case O_NONBNS: cfg.no_nbns = 1; break;
        case O_DRYRUN: dry = 1; break;
        case O_INPUTLIST:
            if (targets_add_file(ts, optarg, err, sizeof err) != 0) {
                targets_free(ts);
                return cli_usage_error("scan", "%s", err);
            }
            break;
        case O_EXCLUDE:
            if (targets_exclude_list(ts, optarg, err, sizeof err) != 0) {
                targets_free(ts);
                return cli_usage_error("scan", "--exclude: %s", err);
            }
            break;
        case O_EXCLUDEFILE:
            if (targets_exclude_file(ts, optarg, err, sizeof err) != 0) {
                targets_free(ts);
                return cli_usage_error("scan", "--excludefile: %s", err);
            }
            break;
        case O_TIMEOUT: {
            char *end;
            double t = strtod(optarg, &end);
            if (end == optarg || *end || t <= 0 || t > 3600) {
                targets_free(ts);
                return cli_usage_error("scan", "--timeout needs seconds between 0 and 3600, not '%s'", optarg);
            }
            cfg.timeout_ms = (unsigned)(t * 1000.0 + 0.5);
            if (cfg.timeout_ms == 0)
                cfg.timeout_ms = 1;
            break;
        }
        case O_MAXPAR:
            if (num_opt("--max-parallel", optarg, 1, 65535, "a number from 1 to 65535", &v) != 0) {
                targets_free(ts);
                return EXIT_USAGE;
            }
            cfg.max_parallel = (unsigned)v;
            break;
        case O_RATE:
            if (num_opt("--rate", optarg, 0, 10000000, "connections per second (0 = unlimited)", &v) != 0) {
                targets_free(ts);
                return EXIT_USAGE;
            }
            cfg.rate = (double)v;
            rate_set = 1;
            break;
        case O_RETRIES:
            if (num_opt("--retries", optarg, 0, 10, "a number from 0 to 10", &v) != 0) {
                targets_free(ts);
                return EXIT_USAGE;
            }
            cfg.retries = (unsigned)v;
            break;
        case O_PORT:
            if (num_opt("--port", optarg, 1, 65535, "a port number", &v) != 0) {
                targets_free(ts);
                return EXIT_USAGE;
            }
            cfg.port_smb = (uint16_t)v;
            break;
        case O_NBSSPORT:
            if (num_opt("--nbss-port", optarg, 0, 65535, "a port number (0 = never)", &v) != 0) {
                targets_free(ts);
                return EXIT_USAGE;
            }
            cfg.port_nbss = (uint16_t)v;
            break;
        default:
            targets_free(ts);
            fprintf(stderr, "Try 'smbguard scan --help'.\n");
            return EXIT_USAGE;
        }
    }
    if (dry) {
        targets_free(ts);
        dry_run();
        return EXIT_CLEAN;
    }
    int loopback_only = 1;
    for (int i = optind; i < argc; i++) {
        if (targets_add(ts, argv[i], err, sizeof err) != 0) {
            targets_free(ts);
            return cli_usage_error("scan", "%s", err);
        }
        if (strncmp(argv[i], "127.", 4) != 0 && strcmp(argv[i], "::1") != 0 && strcmp(argv[i], "localhost") != 0)
            loopback_only = 0;
    }
    uint64_t total = targets_count(ts);
    if (total == 0) {
        targets_free(ts);
        return cli_usage_error("scan", "no targets given");
    }
    if (!rate_set)
        cfg.rate = loopback_only ? 0 : 1000;
    if (randomize) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        targets_randomize(ts, (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 20));
    }

    struct ntlm_creds creds;
    const char *eu = getenv("SMBGUARD_USER");
    if (auth_file) {
        if (load_auth_file(auth_file, &creds) != 0) {
            targets_free(ts);
            return EXIT_USAGE;
        }
        cfg.creds = &creds;
    } else if (eu && *eu) {
        creds.user = eu;
        creds.password = getenv("SMBGUARD_PASSWORD") ? getenv("SMBGUARD_PASSWORD") : "";
        creds.domain = getenv("SMBGUARD_DOMAIN") ? getenv("SMBGUARD_DOMAIN") : "";
        cfg.creds = &creds;
    }

    if (cfg.creds && getenv("SMBGUARD_TEST_CREDS_ANY_HOST") && !strcmp(getenv("SMBGUARD_TEST_CREDS_ANY_HOST"), "1")) {
        log_warn("SMBGUARD_TEST_CREDS_ANY_HOST=1: credentials may go to non-Windows hosts (test hook)");
        cfg.creds_any_host = 1;
    }

    /* Output chain: files first, then the terminal table unless stdout is already taken. */
    struct out_ctx out = {NULL, 0};
    struct sink **tail = &out.chain;
    int stdout_taken = 0;
    if (json) {
        struct sink *s = sink_ndjson_open(json);
        if (!s)
            goto done;
        *tail = s;
        tail = &s->next;
        stdout_taken |= !strcmp(json, "-");
    }
    if (csv) {
        struct sink *s = sink_csv_open(csv);
        if (!s)
            goto done;
        *tail = s;
        tail = &s->next;
        stdout_taken |= !strcmp(csv, "-");
    }
    if (!no_table && !stdout_taken) {
        static const char *const cols[] = {"ip", "port", "verdict", "reason", "smb1", "os", "netbios_name",
                                           "doublepulsar"};
        struct sink *s = sink_table_open(stdout, cols, sizeof cols / sizeof cols[0], table_filter, &all);
        if (!s)
            goto done;
        *tail = s;
        tail = &s->next;
    }
    cfg.progress = progress < 0 ? isatty(2) : progress;
    cfg.total_hint = total;

    struct scan_stats st;
    if (scan_run(ts, &cfg, emit_to_sinks, &out, &st) != 0)
        goto done;
    if (sink_close_all(out.chain) != 0 || out.failed) {
        out.chain = NULL;
        log_error("writing the output failed");
        goto done;
    }
    out.chain = NULL;

    if (!quiet) {
        fprintf(stderr, "smbguard scan: %llu hosts in %.1f s%s\n", (unsigned long long)st.hosts, st.seconds,
                st.interrupted ? " (interrupted)" : "");
        for (int i = 0; i < V_COUNT; i++)
            if (st.by_verdict[i])
                fprintf(stderr, "  %-14s %llu\n", verdict_name((enum verdict)i), (unsigned long long)st.by_verdict[i]);
        if (st.infected)
            fprintf(stderr, "  DOUBLEPULSAR   %llu host(s) answer as infected: isolate them now\n",
                    (unsigned long long)st.infected);
        if (st.resolve_failures)
            fprintf(stderr, "  %llu host name(s) did not resolve\n", (unsigned long long)st.resolve_failures);
    }
    if (st.creds_disabled)
        fprintf(stderr, "smbguard scan: credentials were disabled after %s\n", st.creds_disabled_why);
    fprintf(stderr, "smbguard scan: undecided: %llu\n", (unsigned long long)st.undecided);
    if (st.by_verdict[V_VULNERABLE] || st.infected)
        rc = EXIT_FOUND;
    else if (st.undecided)
        rc = EXIT_UNDECIDED;
    else
        rc = EXIT_CLEAN;
done:
    if (out.chain)
        sink_close_all(out.chain);
    targets_free(ts);
    return rc;
}

/* --dry-run: the exact requests the scanner sends, for allow-listing and review. */
#include "proto/nbss.h"
#include "proto/ntlmssp.h"
#include "proto/smb1.h"
#include "proto/smb2.h"

static void hex(const char *what, const uint8_t *b, size_t n)
{
    printf("# %s (%zu bytes)\n", what, n);
    for (size_t i = 0; i < n; i++)
        printf("%02x%s", b[i], (i % 16 == 15 || i + 1 == n) ? "\n" : " ");
}

static void dry_run(void)
{
    uint8_t b[2048], blob[512], guid[16];
    struct smb1_ids ext = {0, 0x4753, 0, 1, 0xC801}, plain = {0x0800, 0x4753, 0x0800, 5, 0xC001};
    hex("SMB1 negotiate", b, smb1_build_negotiate(b, sizeof b, &ext));
    size_t bl = ntlmssp_build_negotiate(blob, sizeof blob);
    ext.mid = 2;
    hex("SMB1 session setup, NTLMSSP NEGOTIATE", b, smb1_build_session_setup_blob(b, sizeof b, &ext, blob, bl));
    plain.uid = 0;
    plain.tid = 0;
    plain.mid = 3;
    hex("SMB1 session setup, null session", b, smb1_build_session_setup_plain(b, sizeof b, &plain, "", ""));
    plain.uid = 0x0800;
    plain.mid = 4;
    hex("SMB1 tree connect \\\\127.0.0.1\\IPC$", b, smb1_build_tree_connect(b, sizeof b, &plain, "\\\\127.0.0.1\\IPC$"));
    plain.tid = 0x0800;
    plain.mid = 5;
    hex("SMB1 Trans PeekNamedPipe FID 0 (the MS17-010 check)", b, smb1_build_peek_nmpipe(b, sizeof b, &plain));
    plain.mid = 6;
    hex("SMB1 Trans2 SESSION_SETUP (the DoublePulsar ping)", b, smb1_build_dp_ping(b, sizeof b, &plain));
    for (int k = 0; k < 16; k++)
        guid[k] = (uint8_t)(0x53 + k);
    hex("SMB2 negotiate", b, smb2_build_negotiate(b, sizeof b, 0, guid));
    hex("NetBIOS session request to *SMBSERVER", b, nbss_build_session_request(b, sizeof b, "*SMBSERVER", "SMBGUARD"));
    hex("NetBIOS node status query (UDP 137)", b, nbns_build_node_status(b, sizeof b, 0));
}
