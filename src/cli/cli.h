/* cli.h: subcommand entry points and the helpers they share (output sinks, usage errors). */
#ifndef SG_CLI_CLI_H
#define SG_CLI_CLI_H
#include "sink/sink.h"

int cmd_scan(int argc, char **argv);
/* `smbguard audit FILE...`: patch listings -> one MS17-010 verdict per host (cmd_audit.c). */
int cmd_audit(int argc, char **argv);
/* `smbguard watch -r FILE... | -i IFACE`: SMB detections -> EVE NDJSON and a summary (cmd_watch.c). */
int cmd_watch(int argc, char **argv);
/* Prints "smbguard CMD: MSG" and "Try 'smbguard CMD --help'." on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
