/* main.c: global options and subcommand dispatch only. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/exitcodes.h"

#ifndef SMBGUARD_VERSION
#define SMBGUARD_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: smbguard COMMAND [OPTIONS] [ARGS]\n"
            "Keep WannaCry / MS17-010 (EternalBlue, DoublePulsar) out of a network.\n"
            "\n"
            "Commands:\n"
            "  scan     find SMB hosts and say, per host, whether MS17-010 is open and whether\n"
            "           DoublePulsar answers\n"
            "  audit    read Windows patch listings (systeminfo, wmic qfe, Get-HotFix, the smbguard\n"
            "           collector) and say, per host, whether the MS17-010 fix is installed\n"
            "  watch    read captures or an interface and report MS17-010 probes, EternalBlue,\n"
            "           DoublePulsar and WannaCry SMB traffic (EVE JSON with --json)\n"
            "  help     show help for a command\n"
            "\n"
            "Run 'smbguard COMMAND --help' for the options of a command.\n"
            "Exit codes: 0 nothing found and nothing undecided, 3 something vulnerable, infected or attacked,\n"
            "4 nothing found but some hosts undecided, 1 error, 2 usage.\n");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "smbguard %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'smbguard %s --help'.\n", cmd);
    va_end(ap);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return EXIT_CLEAN;
    }
    if (!strcmp(cmd, "--version")) {
        printf("smbguard %s\n", SMBGUARD_VERSION);
        return EXIT_CLEAN;
    }
    if (!strcmp(cmd, "help")) {
        if (argc >= 3 && !strcmp(argv[2], "scan")) {
            char *a[] = {argv[2], "--help", NULL};
            return cmd_scan(2, a);
        }
        if (argc >= 3 && !strcmp(argv[2], "audit")) {
            char *a[] = {argv[2], "--help", NULL};
            return cmd_audit(2, a);
        }
        if (argc >= 3 && !strcmp(argv[2], "watch")) {
            char *a[] = {argv[2], "--help", NULL};
            return cmd_watch(2, a);
        }
        usage(stdout);
        return EXIT_CLEAN;
    }
    if (!strcmp(cmd, "watch"))
        return cmd_watch(argc - 1, argv + 1);
    if (!strcmp(cmd, "scan"))
        return cmd_scan(argc - 1, argv + 1);
    if (!strcmp(cmd, "audit"))
        return cmd_audit(argc - 1, argv + 1);
    fprintf(stderr, "smbguard: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
