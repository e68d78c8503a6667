/* killswitch.c: WannaCry kill-switch label table and matcher (see killswitch.h). The labels and
 * their sources are protocol.md section 9.1. */
#include "proto/killswitch.h"

#include <string.h>

const struct killswitch_label killswitch_labels[] = {
    {"iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea",
     "original 12 May 2017 (www.<label>.com), sinkholed by MalwareTech; Talos, ET 2024291/2024298"},
    {"ifferfsodp9ifjaposdfjhgosurijfaewrwergwea",
     "second variant (<label>.com), registered by Matt Suiche 14 May 2017; ET 2024293"},
    {"ayylmaotjhsstasdfasdfasdfasdfasdfasdfasdf",
     "latest variant per Cisco Umbrella; ET 2024294/2024300; TLD unverified"},
    {"iuqssfsodp9ifjaposdfjhgosurijfaewrwergwea", "ET 2024295 only; TLD unverified"},
    {"iuqerfsodp9ifjaposdfjhgosurijfaewrwergweb", "ET 2024296 only; TLD unverified"},
};
const size_t killswitch_nlabels = sizeof killswitch_labels / sizeof killswitch_labels[0];

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

const struct killswitch_label *killswitch_match(const char *name)
{
    if (!name)
        return NULL;
    const char *s = name;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        if (len == KILLSWITCH_LABEL_LEN) {
            for (size_t k = 0; k < killswitch_nlabels; k++) {
                const char *l = killswitch_labels[k].label;
                size_t i = 0;
                while (i < len && lower(s[i]) == l[i])
                    i++;
                if (i == len)
                    return &killswitch_labels[k];
            }
        }
        if (!dot)
            return NULL;
        s = dot + 1;
    }
}
