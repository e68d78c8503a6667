/* fuzz_targets.c: libFuzzer target for target specifications: the input (split at the first newline)
 * is a target spec and an exclusion list; at most MAX_RESULTS addresses are drawn. No DNS: names fail. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/targets.h"

#define MAX_RESULTS 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int no_dns(const char *name, struct target_addr *out, unsigned cap, void *arg)
{
    (void)name;
    (void)out;
    (void)cap;
    (void)arg;
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *excl = strchr(text, '\n');
    if (excl)
        *excl++ = '\0';

    struct target_set *ts = targets_new();
    char err[256];
    targets_set_resolver(ts, no_dns, NULL);
    targets_add(ts, text, err, sizeof err);
    if (excl)
        targets_exclude_list(ts, excl, err, sizeof err);
    if (size & 1)
        targets_randomize(ts, size);
    (void)targets_count(ts);
    struct target_addr t;
    char buf[64];
    for (int i = 0; i < MAX_RESULTS; i++) {
        int rc = targets_next(ts, &t);
        if (rc == 0)
            break;
        target_addr_str(&t, buf, sizeof buf);
    }
    targets_free(ts);
    free(text);
    return 0;
}
