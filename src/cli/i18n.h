/* i18n.h: the language of the CLI's human output (tables, summaries, advice); data outputs (JSON,
 * CSV, EVE) stay English. Process-wide: one subcommand runs per process. */
#ifndef SG_CLI_I18N_H
#define SG_CLI_I18N_H

#define I18N_DOMAIN "smbguard"
#define N_(s) s
#define _(s) i18n_tr(s)

/* Chooses the language: lang_opt (--lang), else LANGUAGE (first entry; ignored when the messages
 * locale is C or POSIX, as gettext does), else LC_ALL / LC_MESSAGES / LANG. Japanese works with only
 * C.UTF-8 installed. cmd names the subcommand in warnings. Returns 1 when Japanese is active. */
int i18n_init(const char *cmd, const char *lang_opt);
/* 1 when Japanese is active. */
int i18n_ja(void);
/* s translated when Japanese is active and the catalogue has it, else s. */
const char *i18n_tr(const char *s) __attribute__((format_arg(1)));

#endif
