/* fuzz_audit_parse.c: listing input side: audit_decode on the raw bytes (all encodings), then
 * audit_parse_text on the decoded text and on the raw bytes taken as text (every format parser). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "audit/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct listing l;
    char *text = NULL;
    size_t len = 0;
    char enc[24];
    if (audit_decode(data, size, &text, &len, enc, sizeof enc) == 0) {
        listing_init(&l);
        (void)audit_parse_text(text, len, &l);
        free(text);
    }
    listing_init(&l);
    (void)audit_parse_text((const char *)data, size, &l);
    return 0;
}
