/* parse.h: reading input files into listings. Detects the encoding (UTF-8 with/without BOM,
 * UTF-16LE with/without BOM, a file that switches from ASCII to UTF-16 midway, CP932, CP850,
 * CP936, CP1251 through iconv; CP932 is WINDOWS-31J, never SHIFT_JIS), the format and the
 * language, then fills `struct listing`. Pure functions over a byte buffer except parse_file. */
#ifndef SG_AUDIT_PARSE_H
#define SG_AUDIT_PARSE_H
#include <stddef.h>
#include "audit/listing.h"

#define PARSE_MAX_FILE (64u << 20)   /* larger input files are refused with a message */

/* Converts raw bytes to UTF-8 (NUL-terminated, malloc'd into *out, *out_len bytes without the NUL),
 * writing the detected encoding name into enc[enc_cap]. Returns 0, or -1 when no conversion fits. */
int audit_decode(const unsigned char *raw, size_t n, char **out, size_t *out_len, char *enc, size_t enc_cap);
/* Parses decoded UTF-8 text. A collector file may hold several sections; they all describe one
 * host and are merged into `l`. Returns 0 (l->kind says what was recognised, LK_UNRECOGNISED
 * included) or -1 on an internal error. */
int audit_parse_text(const char *text, size_t len, struct listing *l);
/* Reads, decodes and parses a file ("-" = stdin). Returns 0, or -1 with a message in err when the
 * file cannot be read (the listing is then LK_UNRECOGNISED with path set). */
int audit_parse_file(const char *path, struct listing *l, char *err, size_t errcap);

#endif
