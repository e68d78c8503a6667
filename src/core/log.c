/* log.c: diagnostics to stderr, prefixed "smbguard: ". */
#include "core/log.h"
#include <stdarg.h>
#include <stdio.h>

static enum log_level g_level = LOG_WARN;

void log_set_level(enum log_level lvl) { g_level = lvl; }
enum log_level log_get_level(void) { return g_level; }

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (lvl > g_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "smbguard: %s: ", names[lvl]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
