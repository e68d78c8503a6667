/* i18n.c: the language of the CLI's human output (English in the source, Japanese from po/ja.po
 * through gettext, domain "smbguard"): choosing it and finding the compiled catalogue. */
#include "cli/i18n.h"

#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------------- */
/* Messages: English in the source, Japanese from po/ja.po through gettext (domain "smbguard").    */

static int g_ja;   /* 1 when the Japanese catalogue is active */

const char *i18n_tr(const char *s) { return g_ja ? dgettext(I18N_DOMAIN, s) : s; }
int i18n_ja(void) { return g_ja; }

static int has_catalog(const char *dir)
{
    char p[4096 + 64];
    int n = snprintf(p, sizeof p, "%s/ja/LC_MESSAGES/" I18N_DOMAIN ".mo", dir);
    return n > 0 && (size_t)n < sizeof p && access(p, R_OK) == 0;
}

/* Where the compiled catalogues are: $SMBGUARD_LOCALEDIR, next to the binary (build tree: BIN/../locale;
 * installed: BIN/../share/locale), then the directories compiled in. NULL when none has ja. */
static const char *find_localedir(char *buf, size_t cap)
{
    const char *e = getenv("SMBGUARD_LOCALEDIR");
    if (e && *e && has_catalog(e)) {
        snprintf(buf, cap, "%s", e);
        return buf;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const rel[] = {"/../locale", "/../share/locale", "/locale"};
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                snprintf(buf, cap, "%s%s", exe, rel[i]);
                if (has_catalog(buf))
                    return buf;
            }
        }
    }
#ifdef SMBGUARD_BUILD_LOCALEDIR
    if (has_catalog(SMBGUARD_BUILD_LOCALEDIR)) {
        snprintf(buf, cap, "%s", SMBGUARD_BUILD_LOCALEDIR);
        return buf;
    }
#endif
#ifdef SMBGUARD_LOCALEDIR
    if (has_catalog(SMBGUARD_LOCALEDIR)) {
        snprintf(buf, cap, "%s", SMBGUARD_LOCALEDIR);
        return buf;
    }
#endif
    return NULL;
}

static const char *nonempty_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* Chooses the language: --lang, else LANGUAGE (first entry; ignored when the messages locale is C or
 * POSIX, as gettext does), else LC_ALL / LC_MESSAGES / LANG. Japanese works with only C.UTF-8 installed:
 * the messages category falls back to C.UTF-8 and LANGUAGE=ja is set for gettext. */
int i18n_init(const char *cmd, const char *lang_opt)
{
    const char *msgloc = nonempty_env("LC_ALL");
    if (!msgloc)
        msgloc = nonempty_env("LC_MESSAGES");
    if (!msgloc)
        msgloc = nonempty_env("LANG");
    if (!msgloc)
        msgloc = "C";
    char lang[16] = "en";
    if (lang_opt) {
        snprintf(lang, sizeof lang, "%s", lang_opt);
    } else if (strcmp(msgloc, "C") != 0 && strcmp(msgloc, "POSIX") != 0) {
        const char *l = nonempty_env("LANGUAGE");
        if (!l)
            l = msgloc;
        snprintf(lang, sizeof lang, "%.*s", (int)strcspn(l, ":"), l);
    }
    g_ja = 0;
    if (strncmp(lang, "ja", 2) != 0)
        return 0;
    char dir[4096];
    if (!find_localedir(dir, sizeof dir)) {
        fprintf(stderr, "smbguard %s: Japanese messages are not installed (no smbguard.mo found); "
                        "using English\n", cmd);
        return 0;
    }
    const char *ml = setlocale(LC_MESSAGES, "");
    if (!ml || !strcmp(ml, "C") || !strcmp(ml, "POSIX")) {
        if (!setlocale(LC_MESSAGES, "C.UTF-8") && !setlocale(LC_MESSAGES, "C.utf8")) {
            fprintf(stderr, "smbguard %s: no usable locale for messages (C.UTF-8 missing); using English\n", cmd);
            return 0;
        }
    }
    setenv("LANGUAGE", "ja", 1);
    if (!bindtextdomain(I18N_DOMAIN, dir) || !bind_textdomain_codeset(I18N_DOMAIN, "UTF-8"))
        return 0;
    g_ja = 1;
    return 1;
}

