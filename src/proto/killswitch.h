/* killswitch.h: the WannaCry kill-switch labels (protocol.md 9.1) and a whole-label,
 * case-insensitive matcher over dotted names (DNS query names, HTTP Host values). Pure. */
#ifndef SG_PROTO_KILLSWITCH_H
#define SG_PROTO_KILLSWITCH_H
#include <stddef.h>

#define KILLSWITCH_LABEL_LEN 41

struct killswitch_label {
    const char *label;   /* 41 lower-case characters, first-level label without TLD */
    const char *note;    /* which variant / source, from protocol.md 9.1 */
};

extern const struct killswitch_label killswitch_labels[];
extern const size_t killswitch_nlabels;

/* Returns the table entry whose label appears as a whole label of dotted_name (labels separated by
 * '.', compared case-insensitively, any labels before or after, a trailing root dot allowed), or
 * NULL. NULL input gives NULL. */
const struct killswitch_label *killswitch_match(const char *dotted_name);

#endif
