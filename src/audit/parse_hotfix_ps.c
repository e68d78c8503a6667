/* parse_hotfix_ps.c: Get-HotFix | ConvertTo-Json (an array, or a single object for one hotfix).
 * InstalledOn is "/Date(ms)/", an object {"value": "/Date(ms)/", "DateTime": "Tuesday, March 14,
 * 2017 12:00:00 AM"} (Windows PowerShell 5.1), or an ISO string (PowerShell 7). The table and CSV
 * forms of Get-HotFix are read by parse_qfe.c. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

static const char *str_member(const cJSON *o, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!m)
        m = cJSON_GetObjectItem(o, name); /* case-insensitive */
    return cJSON_IsString(m) ? m->valuestring : NULL;
}

static void installed_on(const cJSON *o, int64_t *t, int *date_only)
{
    *t = INT64_MIN;
    *date_only = 0;
    const cJSON *m = cJSON_GetObjectItem(o, "InstalledOn");
    if (!m)
        return;
    if (cJSON_IsString(m)) {
        if (pu_date(m->valuestring, PU_DMY, t, date_only) != 0)
            *t = INT64_MIN;
        return;
    }
    if (cJSON_IsObject(m)) {
        /* DateTime holds the host's local date in words; value the instant */
        const char *dt = str_member(m, "DateTime");
        if (dt && pu_date(dt, PU_MDY, t, date_only) == 0)
            return;
        const char *v = str_member(m, "value");
        if (v && pu_date(v, PU_DMY, t, date_only) != 0)
            *t = INT64_MIN;
    }
}

/* Line of the k-th "HotFixID" key in the text (ConvertTo-Json keeps property order), 1-based. */
static unsigned line_of_nth(const char *text, size_t len, unsigned k, unsigned line0)
{
    unsigned line = line0, seen = 0;
    const char *end = text + len;
    for (const char *p = text; p < end; p++) {
        if (*p == '\n')
            line++;
        else if (*p == '"' && (size_t)(end - p) > 10 && strncmp(p, "\"HotFixID\"", 10) == 0) {
            if (seen == k)
                return line;
            seen++;
        }
    }
    return line0;
}

static int one(const cJSON *o, struct listing *l, const char *text, size_t len, unsigned idx,
               unsigned line0)
{
    if (!cJSON_IsObject(o))
        return 0;
    const cJSON *idm = cJSON_GetObjectItem(o, "HotFixID");
    if (!idm)
        return 0;
    const char *id = cJSON_IsString(idm) ? idm->valuestring : "";
    const char *spie = str_member(o, "ServicePackInEffect");
    const char *host = str_member(o, "CSName");
    if (!host)
        host = str_member(o, "PSComputerName");
    if (!host)
        host = str_member(o, "Source");
    if (host && host[0] && !l->host[0])
        pu_copy_trim(l->host, sizeof l->host, host, strlen(host), &l->overflow);
    uint32_t kb = pu_kb(id);
    if (!kb && pu_prefix(id, "File") && spie)
        kb = pu_kb(spie);
    int64_t t;
    int d;
    installed_on(o, &t, &d);
    pu_add_entry(l, kb, line_of_nth(text, len, idx, line0), t, d, id);
    return 1;
}

int parse_hotfix_json(const char *text, size_t len, unsigned line0, struct listing *l)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root)
        return 0;
    int ok = 0;
    if (cJSON_IsArray(root)) {
        unsigned idx = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, root)
        {
            if (one(it, l, text, len, idx, line0)) {
                idx++;
                ok = 1;
            }
        }
        /* an empty array from Get-HotFix is an empty list */
        if (cJSON_GetArraySize(root) == 0)
            ok = 0;
    } else {
        ok = one(root, l, text, len, 0, line0);
    }
    cJSON_Delete(root);
    if (ok) {
        l->kind = LK_GET_HOTFIX;
        l->format = LF_JSON;
    }
    return ok;
}
