/* group.c: many input files into hosts (decisions.md 8 "Grouping"). systeminfo groups by Host Name +
 * Domain; a collector file by its header (host + domain when it names one); a wmic / Get-HotFix list
 * carries only a computer name (CSName / Source): it joins the systeminfo group of that name when
 * exactly one such group is in the batch, stays alone with a warning when several are, and groups with
 * the other lists of the same name when none is. A listing that names no host stands alone. Files that
 * are not installed-update lists (unrecognised, missing-updates) follow the same rules; they are part
 * of their group for the report but never evidence (decide.c). `--host NAME` puts everything in one. */
#include "audit/decide.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum gkind { GK_FULL, GK_NAME, GK_ALONE };   /* keyed by host+domain, by name only, one listing */

struct gstate {
    struct audit_host *out;
    unsigned max, n;
};

static int add_group(struct gstate *g, const char *host, const char *domain)
{
    if (g->n >= g->max)
        return -1;
    struct audit_host *h = &g->out[g->n];
    memset(h, 0, sizeof *h);
    snprintf(h->host, sizeof h->host, "%s", host);
    snprintf(h->domain, sizeof h->domain, "%s", domain);
    return (int)g->n++;
}

static void add_src(struct audit_host *h, const struct listing *l)
{
    if (h->n < AUDIT_MAX_SOURCES)
        h->src[h->n++] = l;
    else
        h->n_dropped++;
}

/* Collectors name their domain in the header; systeminfo always has a Domain line. */
static int full_key(const struct listing *l)
{
    return l->host[0] && (l->kind == LK_SYSTEMINFO || (l->kind == LK_COLLECTOR && l->domain[0]));
}

/* What a group is keyed on, from its first listing (pass 1 groups start with a full-key listing). */
static enum gkind kind_of(const struct audit_host *h)
{
    if (h->n == 0 || h->warn_ambiguous || !h->host[0])
        return GK_ALONE;
    return full_key(h->src[0]) ? GK_FULL : GK_NAME;
}

int audit_group(const struct listing *const *ls, unsigned n, const char *forced_host,
                struct audit_host *out, unsigned max)
{
    struct gstate g;
    memset(&g, 0, sizeof g);
    g.out = out;
    g.max = max;

    if (forced_host) {
        if (n == 0)
            return 0;
        if (add_group(&g, forced_host, "") < 0)
            return -1;
        for (unsigned i = 0; i < n; i++)
            add_src(&out[0], ls[i]);
        return 1;
    }

    /* pass 1: host + domain groups */
    for (unsigned i = 0; i < n; i++) {
        const struct listing *l = ls[i];
        if (!full_key(l))
            continue;
        int gi = -1;
        for (unsigned k = 0; k < g.n; k++)
            if (kind_of(&out[k]) == GK_FULL && strcasecmp(out[k].host, l->host) == 0 &&
                strcasecmp(out[k].domain, l->domain) == 0) {
                gi = (int)k;
                break;
            }
        if (gi < 0 && (gi = add_group(&g, l->host, l->domain)) < 0)
            return -1;
        add_src(&out[gi], l);
    }
    /* pass 2: name-only listings (wmic CSName, Get-HotFix Source, collector without domain) */
    for (unsigned i = 0; i < n; i++) {
        const struct listing *l = ls[i];
        if (full_key(l))
            continue;
        if (!l->host[0]) {
            int gi = add_group(&g, "", "");
            if (gi < 0)
                return -1;
            add_src(&out[gi], l);
            continue;
        }
        unsigned matches = 0;
        int gi = -1;
        for (unsigned k = 0; k < g.n; k++)
            if (kind_of(&out[k]) == GK_FULL && strcasecmp(out[k].host, l->host) == 0) {
                matches++;
                gi = (int)k;
            }
        if (matches > 1) {
            gi = add_group(&g, l->host, "");
            if (gi < 0)
                return -1;
            out[gi].warn_ambiguous = 1;
        } else if (matches == 0) {
            gi = -1;
            for (unsigned k = 0; k < g.n; k++)
                if (kind_of(&out[k]) == GK_NAME && strcasecmp(out[k].host, l->host) == 0) {
                    gi = (int)k;
                    break;
                }
            if (gi < 0 && (gi = add_group(&g, l->host, "")) < 0)
                return -1;
        }
        add_src(&out[gi], l);
    }

    return (int)g.n;
}
