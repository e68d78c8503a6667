/* text.h: string helpers shared by codecs and sinks: UTF-16LE to UTF-8 into a fixed buffer,
 * bounded copies. No allocation; outputs are always NUL-terminated and truncated to fit. */
#ifndef SG_CORE_TEXT_H
#define SG_CORE_TEXT_H
#include <stddef.h>
#include <stdint.h>

/* Decode up to nbytes of UTF-16LE (stopping at a NUL code unit) into out[cap] as UTF-8.
 * Unpaired surrogates become U+FFFD. Returns the number of input bytes consumed, including the
 * terminating NUL code unit when one was found. */
size_t text_utf16le_to_utf8(const uint8_t *in, size_t nbytes, char *out, size_t cap);
/* Copy an OEM/ASCII string of at most nbytes (stopping at NUL) into out[cap], replacing bytes
 * >= 0x80 and control characters by '?'. Returns bytes consumed including the NUL if found. */
size_t text_ascii_copy(const uint8_t *in, size_t nbytes, char *out, size_t cap);
/* Encode a UTF-8/ASCII string as UTF-16LE into out[cap]; returns bytes written (no NUL added),
 * or 0 when it does not fit. Non-ASCII input is encoded as '?'. */
size_t text_ascii_to_utf16le(const char *in, uint8_t *out, size_t cap);
/* Encode UTF-8 as UTF-16LE (surrogate pairs above U+FFFF; malformed input becomes U+FFFD) into
 * out[cap]; returns bytes written (no NUL added), or 0 when it does not fit. Used for NTLM
 * user names and passwords, where '?' substitution would give a wrong hash. */
size_t text_utf8_to_utf16le(const char *in, uint8_t *out, size_t cap);
/* Natural order: digit runs compare as numbers (10.0.0.9 < 10.0.0.10, PC2 < PC10), other bytes
 * as unsigned chars. Used to sort hosts in tables. */
int text_natural_cmp(const char *a, const char *b);
/* Bounded copy; always terminates. */
void text_copy(char *dst, size_t cap, const char *src);

#endif
