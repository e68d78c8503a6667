/* exitcodes.h: the exit codes of every subcommand (docs/exit-codes.md). Only the CLI uses them. */
#ifndef SG_CLI_EXITCODES_H
#define SG_CLI_EXITCODES_H
enum {
    EXIT_CLEAN = 0,       /* completed; nothing vulnerable, infected or attacked; nothing undecided */
    EXIT_ERROR = 1,       /* operational error */
    EXIT_USAGE = 2,       /* bad command line */
    EXIT_FOUND = 3,       /* something vulnerable, infected or attacked */
    EXIT_UNDECIDED = 4,   /* completed, nothing found, but some hosts undecided */
};
#endif
