/* targets.c: nmap-style target specifications parsed into specs and expanded as a stream (targets.h).
 * Memory is O(specs + exclusions), never O(addresses); host names are resolved when the stream reaches them.
 * Add targets, exclusions and call targets_randomize before the first targets_next. */
#include "core/targets.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SPEC_LEN 1024          /* longest accepted specification (file tokens included) */
#define OCT_MAX_INTERVALS 4096u    /* an octet-form exclusion up to this many intervals is merged */

enum spec_kind { SK_V4, SK_OCT, SK_V6, SK_NAME };

/* Per-octet value sets of an octet-form spec ("10.0-3.*.1,5"): one 256-bit map per octet. */
struct oct_spec {
    uint64_t bits[4][4];
    uint16_t cnt[4];
};

/* One specification. Addresses are indexed 0..last in the non-random order; `cursor` is the next
 * index to hand out. Owned by the set; name, oct and res are heap blocks owned by the spec. */
struct spec {
    uint8_t kind;
    uint8_t plen;       /* SK_V6: prefix length; SK_NAME: prefix from "name/n", or NO_PLEN */
    uint8_t done;
    uint64_t last;      /* number of addresses - 1 (SK_NAME: 0 until resolved) */
    uint64_t cursor;
    char *name;         /* host name this spec came from, or NULL */
    union {
        uint32_t v4lo;                  /* SK_V4: first address (host order), hi = lo + last */
        struct oct_spec *oct;           /* SK_OCT */
        uint8_t v6[16];                 /* SK_V6: base; index is added to the low 64 bits */
        struct target_addr *res;        /* SK_NAME once resolved: last + 1 addresses */
    } u;
};
#define NO_PLEN 255

struct v4iv { uint32_t lo, hi; };
struct v6ex { uint8_t a[16]; unsigned plen; };

struct target_set {
    struct spec *specs;
    size_t n_specs, cap_specs;
    size_t cur;                 /* sequential mode: spec being iterated */
    int started;
    int random;
    uint64_t seed, rng;
    uint32_t *active;           /* random mode: specs not yet done */
    size_t n_active;

    struct v4iv *ex4;           /* IPv4 exclusion intervals; sorted and merged when !ex4_dirty */
    size_t n_ex4, cap_ex4;
    int ex4_dirty;
    struct oct_spec *exoct;     /* octet-form exclusions too wide to turn into intervals */
    size_t n_exoct;
    struct v6ex *ex6;
    size_t n_ex6;
    size_t n_excl_specs;        /* counted against TARGETS_MAX_SPECS */

    targets_resolver resolve;
    void *resolve_arg;
};

/* ---- small helpers ---- */

static void seterr(char *err, size_t errcap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errcap, const char *fmt, ...)
{
    if (!err || errcap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errcap, fmt, ap);
    va_end(ap);
}

static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int bit_get(const uint64_t b[4], unsigned v) { return (int)((b[v >> 6] >> (v & 63)) & 1); }
static void bit_set(uint64_t b[4], unsigned v) { b[v >> 6] |= 1ULL << (v & 63); }

/* The idx-th (0-based) set value of a 256-bit map; idx < popcount. */
static unsigned bit_select(const uint64_t b[4], unsigned idx)
{
    for (unsigned w = 0; w < 4; w++) {
        uint64_t x = b[w];
        unsigned pc = (unsigned)__builtin_popcountll(x);
        if (idx >= pc) {
            idx -= pc;
            continue;
        }
        unsigned pos = 0;
        for (unsigned s = 32; s; s >>= 1) {
            unsigned c = (unsigned)__builtin_popcountll(x & ((1ULL << s) - 1));
            if (idx >= c) {
                idx -= c;
                x >>= s;
                pos += s;
            }
        }
        return w * 64 + pos;
    }
    return 0;
}

/* Runs of consecutive values in a map; fills lo/hi of the first run. */
static unsigned bit_runs(const uint64_t b[4], unsigned *lo, unsigned *hi)
{
    unsigned runs = 0;
    int in = 0;
    for (unsigned v = 0; v < 256; v++) {
        int s = bit_get(b, v);
        if (s && !in) {
            if (runs == 0)
                *lo = v;
            runs++;
        }
        if (!s && in && runs == 1)
            *hi = v - 1;
        in = s;
    }
    if (in && runs == 1)
        *hi = 255;
    return runs;
}

static void v6_low_add(uint8_t a[16], uint64_t add)
{
    uint64_t low = 0;
    for (int i = 8; i < 16; i++)
        low = (low << 8) | a[i];
    low += add;
    for (int i = 15; i >= 8; i--) {
        a[i] = (uint8_t)low;
        low >>= 8;
    }
}

static void v6_mask(uint8_t a[16], unsigned plen)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
        if (bits >= 8)
            continue;
        a[i] &= (uint8_t)(0xFF00u >> bits);
    }
}

static int v6_prefix_eq(const uint8_t *a, const uint8_t *b, unsigned plen)
{
    unsigned full = plen / 8, rest = plen % 8;
    if (memcmp(a, b, full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    uint8_t m = (uint8_t)(0xFF00u >> rest);
    return (a[full] & m) == (b[full] & m);
}

/* ---- parsing ---- */

/* Decimal number of up to 10 digits at s[*i]; 0 on success, -1 when no digit is there. */
static int parse_num(const char *s, size_t len, size_t *i, unsigned long *out)
{
    size_t start = *i;
    unsigned long v = 0;
    while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
        if (v < 100000000UL)
            v = v * 10 + (unsigned long)(s[*i] - '0');
        (*i)++;
    }
    if (*i == start)
        return -1;
    *out = v;
    return 0;
}

/* One octet field: comma list of '*', N, N-M, -M, N-, '-'. Sets the values in b. */
static int parse_octet_field(const char *s, size_t len, uint64_t b[4], const char **why)
{
    if (len == 0) {
        *why = "empty octet";
        return -1;
    }
    size_t i = 0;
    for (;;) {
        unsigned long lo, hi;
        if (i < len && s[i] == '*') {
            lo = 0;
            hi = 255;
            i++;
        } else {
            int have_lo = parse_num(s, len, &i, &lo) == 0;
            if (!have_lo)
                lo = 0;
            if (i < len && s[i] == '-') {
                i++;
                if (parse_num(s, len, &i, &hi) != 0)
                    hi = 255;
            } else if (have_lo) {
                hi = lo;
            } else {
                *why = (i < len && s[i] == ',') || i == len ? "empty item in octet list"
                                                            : "bad character in octet";
                return -1;
            }
            if (lo > 255 || hi > 255) {
                *why = "octet out of range";
                return -1;
            }
            if (lo > hi) {
                *why = "range start above end";
                return -1;
            }
        }
        for (unsigned long v = lo; v <= hi; v++)
            bit_set(b, (unsigned)v);
        if (i == len)
            return 0;
        if (s[i] != ',') {
            *why = s[i] == '*' ? "'*' must stand alone in an octet item" : "bad character in octet";
            return -1;
        }
        i++;
        if (i == len) {
            *why = "empty item in octet list";
            return -1;
        }
    }
}

/* Strict dotted quad of four decimal octets (no ranges). */
static int parse_quad(const char *s, size_t len, uint32_t *out, const char **why)
{
    uint32_t a = 0;
    size_t i = 0;
    for (int k = 0; k < 4; k++) {
        unsigned long v;
        if (parse_num(s, len, &i, &v) != 0) {
            *why = "expected a dotted-quad IPv4 address";
            return -1;
        }
        if (v > 255) {
            *why = "octet out of range";
            return -1;
        }
        a = (a << 8) | (uint32_t)v;
        if (k < 3) {
            if (i >= len || s[i] != '.') {
                *why = "expected a dotted-quad IPv4 address";
                return -1;
            }
            i++;
        }
    }
    if (i != len) {
        *why = "expected a dotted-quad IPv4 address";
        return -1;
    }
    *out = a;
    return 0;
}

static int parse_prefix(const char *s, unsigned max, unsigned *out, const char **why)
{
    size_t len = strlen(s), i = 0;
    unsigned long v;
    if (parse_num(s, len, &i, &v) != 0 || i != len) {
        *why = "bad prefix length";
        return -1;
    }
    if (v > max) {
        *why = max == 32 ? "prefix length out of range (0-32)" : "prefix length out of range (0-128)";
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static void v4_range_spec(struct spec *sp, uint32_t lo, uint32_t hi)
{
    sp->kind = SK_V4;
    sp->u.v4lo = lo;
    sp->last = (uint64_t)hi - lo;
}

static void v4_cidr(uint32_t a, unsigned plen, uint32_t *lo, uint32_t *hi)
{
    uint32_t mask = plen == 0 ? 0 : 0xFFFFFFFFu << (32 - plen);
    *lo = a & mask;
    *hi = *lo | ~mask;
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

/* Parses one specification into *sp (heap parts owned by sp on success). `excl` relaxes the IPv6
 * prefix rule (an exclusion may be any prefix). Returns 0 or -1 with a reason in *why. */
static int parse_spec(const char *spec, struct spec *sp, int excl, const char **why)
{
    memset(sp, 0, sizeof *sp);
    sp->plen = NO_PLEN;
    size_t len = strlen(spec);
    if (len == 0) {
        *why = "empty specification";
        return -1;
    }
    if (len > MAX_SPEC_LEN) {
        *why = "specification too long";
        return -1;
    }
    const char *slash = strchr(spec, '/');
    if (slash && strchr(slash + 1, '/')) {
        *why = "more than one '/'";
        return -1;
    }
    size_t left = slash ? (size_t)(slash - spec) : len;

    if (memchr(spec, ':', len)) {
        char buf[INET6_ADDRSTRLEN + 1];
        unsigned plen = 128;
        if (left >= sizeof buf) {
            *why = "not a valid IPv6 address";
            return -1;
        }
        memcpy(buf, spec, left);
        buf[left] = '\0';
        sp->kind = SK_V6;
        if (inet_pton(AF_INET6, buf, sp->u.v6) != 1) {
            *why = "not a valid IPv6 address";
            return -1;
        }
        if (slash && parse_prefix(slash + 1, 128, &plen, why) != 0)
            return -1;
        if (plen < 64 && !excl) {
            *why = "IPv6 prefix shorter than /64: only the low 64 bits are iterated";
            return -1;
        }
        v6_mask(sp->u.v6, plen);
        sp->plen = (uint8_t)plen;
        sp->last = plen >= 128 ? 0 : plen <= 64 ? UINT64_MAX : (1ULL << (128 - plen)) - 1;
        return 0;
    }

    if (strspn(spec, "0123456789.,*-/") == len) {
        if (slash) {
            uint32_t a, lo, hi;
            unsigned plen;
            if (strspn(spec, "0123456789.") < left) {
                *why = "CIDR needs a single address before '/'";
                return -1;
            }
            if (parse_quad(spec, left, &a, why) != 0 || parse_prefix(slash + 1, 32, &plen, why) != 0)
                return -1;
            v4_cidr(a, plen, &lo, &hi);
            v4_range_spec(sp, lo, hi);
            return 0;
        }
        size_t dots = 0, dashes = 0;
        for (size_t i = 0; i < len; i++) {
            dots += spec[i] == '.';
            dashes += spec[i] == '-';
        }
        if (dots == 6 && dashes == 1 && strspn(spec, "0123456789.-") == len) {
            const char *d = strchr(spec, '-');
            uint32_t lo, hi;
            if (parse_quad(spec, (size_t)(d - spec), &lo, why) != 0 ||
                parse_quad(d + 1, strlen(d + 1), &hi, why) != 0)
                return -1;
            if (lo > hi) {
                *why = "range start above end";
                return -1;
            }
            v4_range_spec(sp, lo, hi);
            return 0;
        }
        if (dots != 3) {
            *why = "expected 4 octets (a.b.c.d)";
            return -1;
        }
        if (strspn(spec, "0123456789.") == len) { /* the common case: one address */
            uint32_t a;
            if (parse_quad(spec, len, &a, why) == 0) {
                v4_range_spec(sp, a, a);
                return 0;
            }
        }
        struct oct_spec o;
        memset(&o, 0, sizeof o);
        const char *p = spec;
        for (int k = 0; k < 4; k++) {
            const char *e = strchr(p, '.');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (parse_octet_field(p, n, o.bits[k], why) != 0)
                return -1;
            o.cnt[k] = 0;
            for (int w = 0; w < 4; w++)
                o.cnt[k] = (uint16_t)(o.cnt[k] + __builtin_popcountll(o.bits[k][w]));
            p = e ? e + 1 : p + n;
        }
        /* A spec that is one contiguous interval (10.0.0.*, 10.0.0.1-254, 10.0.0.1) becomes SK_V4. */
        int k = 0;
        while (k < 3 && o.cnt[k] == 1)
            k++;
        unsigned rlo = 0, rhi = 0;
        int contiguous = bit_runs(o.bits[k], &rlo, &rhi) == 1;
        for (int j = k + 1; j < 4 && contiguous; j++)
            contiguous = o.cnt[j] == 256;
        if (contiguous) {
            uint32_t lo = 0, hi = 0;
            for (int j = 0; j < 4; j++) {
                unsigned vlo = j < k ? bit_select(o.bits[j], 0) : j == k ? rlo : 0;
                unsigned vhi = j < k ? vlo : j == k ? rhi : 255;
                lo = (lo << 8) | vlo;
                hi = (hi << 8) | vhi;
            }
            v4_range_spec(sp, lo, hi);
            return 0;
        }
        sp->kind = SK_OCT;
        sp->u.oct = malloc(sizeof o);
        if (!sp->u.oct) {
            *why = "out of memory";
            return -1;
        }
        *sp->u.oct = o;
        sp->last = (uint64_t)o.cnt[0] * o.cnt[1] * o.cnt[2] * o.cnt[3] - 1;
        return 0;
    }

    /* Host name, optionally name/n (n applies to its first IPv4 address, as nmap does). */
    if (left > 253) {
        *why = "host name too long";
        return -1;
    }
    for (size_t i = 0; i < left; i++) {
        if (!is_name_char(spec[i])) {
            *why = "not an address, range or host name";
            return -1;
        }
    }
    if (left == 0 || spec[0] == '.' || spec[0] == '-') {
        *why = "not an address, range or host name";
        return -1;
    }
    if (slash) {
        unsigned plen;
        if (parse_prefix(slash + 1, 32, &plen, why) != 0)
            return -1;
        sp->plen = (uint8_t)plen;
    }
    sp->kind = SK_NAME;
    sp->name = strndup(spec, left);
    if (!sp->name) {
        *why = "out of memory";
        return -1;
    }
    return 0;
}

static void spec_free_parts(struct spec *sp)
{
    if (sp->kind == SK_OCT)
        free(sp->u.oct);
    if (sp->kind == SK_NAME)
        free(sp->u.res);
    free(sp->name);
    sp->name = NULL;
}

/* ---- set management ---- */

struct target_set *targets_new(void)
{
    struct target_set *ts = calloc(1, sizeof *ts);
    return ts;
}

void targets_free(struct target_set *ts)
{
    if (!ts)
        return;
    for (size_t i = 0; i < ts->n_specs; i++)
        spec_free_parts(&ts->specs[i]);
    free(ts->specs);
    free(ts->active);
    free(ts->ex4);
    free(ts->exoct);
    free(ts->ex6);
    free(ts);
}

void targets_set_resolver(struct target_set *ts, targets_resolver fn, void *arg)
{
    ts->resolve = fn;
    ts->resolve_arg = arg;
}

int targets_add(struct target_set *ts, const char *spec, char *err, size_t errcap)
{
    if (ts->n_specs >= TARGETS_MAX_SPECS) {
        seterr(err, errcap, "too many target specifications (limit %u)", TARGETS_MAX_SPECS);
        return -1;
    }
    struct spec sp;
    const char *why = "invalid";
    if (parse_spec(spec, &sp, 0, &why) != 0) {
        spec_free_parts(&sp);
        seterr(err, errcap, "bad target '%.200s': %s", spec, why);
        return -1;
    }
    if (ts->n_specs == ts->cap_specs) {
        size_t nc = ts->cap_specs ? ts->cap_specs * 2 : 16;
        struct spec *n = realloc(ts->specs, nc * sizeof *n);
        if (!n) {
            spec_free_parts(&sp);
            seterr(err, errcap, "out of memory");
            return -1;
        }
        ts->specs = n;
        ts->cap_specs = nc;
    }
    ts->specs[ts->n_specs++] = sp;
    return 0;
}

/* Whitespace-separated tokens of a file ("-" = stdin), '#' to end of line is a comment; each token
 * goes to add(). Stops at the first error, which names the file and line. */
static int read_spec_file(struct target_set *ts, const char *path, char *err, size_t errcap,
                          int (*add)(struct target_set *, const char *, char *, size_t))
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "r");
    if (!f) {
        seterr(err, errcap, "cannot open '%.200s': %s", path, strerror(errno));
        return -1;
    }
    char tok[MAX_SPEC_LEN + 1];
    size_t n = 0;
    unsigned line = 1, tok_line = 1;
    int rc = 0, c, comment = 0, too_long = 0;
    do {
        c = getc(f);
        if (c == '#' && !comment)
            comment = 1;
        int sep = c == EOF || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
                  c == '\f' || comment;
        if (sep) {
            if (too_long) {
                seterr(err, errcap, "%.200s:%u: target too long (limit %d characters)", path,
                       tok_line, MAX_SPEC_LEN);
                rc = -1;
                break;
            }
            if (n > 0) {
                char inner[512];
                tok[n] = '\0';
                if (add(ts, tok, inner, sizeof inner) != 0) {
                    seterr(err, errcap, "%.200s:%u: %s", path, tok_line, inner);
                    rc = -1;
                    break;
                }
                n = 0;
            }
            if (c == '\n') {
                line++;
                comment = 0;
            }
        } else {
            if (n == 0)
                tok_line = line;
            if (n < MAX_SPEC_LEN)
                tok[n++] = (char)c;
            else
                too_long = 1;
        }
    } while (c != EOF);
    if (rc == 0 && ferror(f)) {
        seterr(err, errcap, "reading '%.200s': %s", path, strerror(errno));
        rc = -1;
    }
    if (!is_stdin)
        fclose(f);
    return rc;
}

int targets_add_file(struct target_set *ts, const char *path, char *err, size_t errcap)
{
    return read_spec_file(ts, path, err, errcap, targets_add);
}

/* ---- exclusions ---- */

static int ex4_push(struct target_set *ts, uint32_t lo, uint32_t hi)
{
    if (ts->n_ex4 == ts->cap_ex4) {
        size_t nc = ts->cap_ex4 ? ts->cap_ex4 * 2 : 16;
        struct v4iv *n = realloc(ts->ex4, nc * sizeof *n);
        if (!n)
            return -1;
        ts->ex4 = n;
        ts->cap_ex4 = nc;
    }
    ts->ex4[ts->n_ex4].lo = lo;
    ts->ex4[ts->n_ex4].hi = hi;
    ts->n_ex4++;
    ts->ex4_dirty = 1;
    return 0;
}

static int ex6_push(struct target_set *ts, const uint8_t a[16], unsigned plen)
{
    struct v6ex *n = realloc(ts->ex6, (ts->n_ex6 + 1) * sizeof *n);
    if (!n)
        return -1;
    ts->ex6 = n;
    memcpy(n[ts->n_ex6].a, a, 16);
    v6_mask(n[ts->n_ex6].a, plen);
    n[ts->n_ex6].plen = plen;
    ts->n_ex6++;
    return 0;
}

/* An octet-form exclusion: as intervals when they are few, else kept as a map checked per address. */
static int ex_oct(struct target_set *ts, const struct oct_spec *o)
{
    int m = 3;
    while (m >= 0 && o->cnt[m] == 256)
        m--;
    if (m < 0)
        return ex4_push(ts, 0, 0xFFFFFFFFu);
    unsigned rlo, rhi;
    uint64_t n = bit_runs(o->bits[m], &rlo, &rhi);
    for (int j = 0; j < m; j++)
        n *= o->cnt[j];
    if (n > OCT_MAX_INTERVALS) {
        struct oct_spec *x = realloc(ts->exoct, (ts->n_exoct + 1) * sizeof *x);
        if (!x)
            return -1;
        ts->exoct = x;
        x[ts->n_exoct++] = *o;
        return 0;
    }
    /* Odometer over the values of octets 0..m-1; each run of octet m is one interval. */
    unsigned idx[4] = {0, 0, 0, 0};
    unsigned shift = (unsigned)(3 - m) * 8;
    uint32_t low = shift ? (uint32_t)((1ULL << shift) - 1) : 0;
    for (;;) {
        uint32_t pre = 0;
        for (int j = 0; j < m; j++)
            pre |= (uint32_t)bit_select(o->bits[j], idx[j]) << (24 - 8 * j);
        for (unsigned v = 0; v < 256;) {
            if (!bit_get(o->bits[m], v)) {
                v++;
                continue;
            }
            unsigned s = v;
            while (v < 256 && bit_get(o->bits[m], v))
                v++;
            if (ex4_push(ts, pre | ((uint32_t)s << shift), pre | ((uint32_t)(v - 1) << shift) | low) != 0)
                return -1;
        }
        int j = m - 1;
        while (j >= 0) {
            if (++idx[j] < o->cnt[j])
                break;
            idx[j] = 0;
            j--;
        }
        if (j < 0)
            break;
    }
    return 0;
}

static int resolve_name(struct target_set *ts, const char *name, struct target_addr *out, unsigned cap)
{
    if (ts->resolve)
        return ts->resolve(name, out, cap, ts->resolve_arg);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(name, NULL, &hints, &res) != 0)
        return -1;
    unsigned n = 0;
    for (struct addrinfo *ai = res; ai && n < cap; ai = ai->ai_next) {
        struct target_addr t;
        memset(&t, 0, sizeof t);
        if (ai->ai_family == AF_INET) {
            t.family = AF_INET;
            t.a.v4 = ((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
        } else if (ai->ai_family == AF_INET6) {
            t.family = AF_INET6;
            t.a.v6 = ((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
        } else {
            continue;
        }
        int dup = 0;
        for (unsigned i = 0; i < n && !dup; i++)
            dup = out[i].family == t.family && memcmp(&out[i].a, &t.a, sizeof t.a) == 0;
        if (!dup)
            out[n++] = t;
    }
    freeaddrinfo(res);
    return n ? (int)n : -1;
}

int targets_exclude(struct target_set *ts, const char *spec, char *err, size_t errcap)
{
    if (ts->n_excl_specs >= TARGETS_MAX_SPECS) {
        seterr(err, errcap, "too many exclusions (limit %u)", TARGETS_MAX_SPECS);
        return -1;
    }
    struct spec sp;
    const char *why = "invalid";
    int rc = 0;
    if (parse_spec(spec, &sp, 1, &why) != 0) {
        spec_free_parts(&sp);
        seterr(err, errcap, "bad exclusion '%.200s': %s", spec, why);
        return -1;
    }
    switch (sp.kind) {
    case SK_V4:
        rc = ex4_push(ts, sp.u.v4lo, (uint32_t)(sp.u.v4lo + sp.last));
        break;
    case SK_OCT:
        rc = ex_oct(ts, sp.u.oct);
        break;
    case SK_V6:
        rc = ex6_push(ts, sp.u.v6, sp.plen);
        break;
    case SK_NAME: {
        struct target_addr addrs[TARGETS_MAX_NAME_ADDRS];
        int n = resolve_name(ts, sp.name, addrs, TARGETS_MAX_NAME_ADDRS);
        if (n <= 0) {
            seterr(err, errcap, "bad exclusion '%.200s': host name does not resolve", spec);
            spec_free_parts(&sp);
            return -1;
        }
        for (int i = 0; i < n && rc == 0; i++) {
            if (addrs[i].family == AF_INET) {
                uint32_t a = ntohl(addrs[i].a.v4.s_addr), lo = a, hi = a;
                if (sp.plen != NO_PLEN)
                    v4_cidr(a, sp.plen, &lo, &hi);
                rc = ex4_push(ts, lo, hi);
            } else if (addrs[i].family == AF_INET6 && sp.plen == NO_PLEN) {
                rc = ex6_push(ts, addrs[i].a.v6.s6_addr, 128);
            }
        }
        break;
    }
    }
    spec_free_parts(&sp);
    if (rc != 0) {
        seterr(err, errcap, "out of memory");
        return -1;
    }
    ts->n_excl_specs++;
    return 0;
}

/* A piece without '.' or ':' made only of digits, '*' and '-' continues the previous piece's last
 * octet list, so "10.0.0.1,5,9" excludes three addresses (nmap would reject "5" and "9"). */
static int is_octet_continuation(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '*' || p[i] == '-'))
            return 0;
    return n > 0;
}

int targets_exclude_list(struct target_set *ts, const char *list, char *err, size_t errcap)
{
    char cur[MAX_SPEC_LEN + 1];
    size_t curlen = 0;
    const char *p = list;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int cont = curlen > 0 && is_octet_continuation(p, n) &&
                   strspn(cur, "0123456789.,*-") == curlen && !strchr(cur, '/');
        if (!cont && curlen > 0) {
            cur[curlen] = '\0';
            if (targets_exclude(ts, cur, err, errcap) != 0)
                return -1;
            curlen = 0;
        }
        if (n > 0) {
            size_t need = curlen + (cont ? 1 : 0) + n;
            if (need > MAX_SPEC_LEN) {
                seterr(err, errcap, "bad exclusion '%.200s': specification too long", p);
                return -1;
            }
            if (cont)
                cur[curlen++] = ',';
            memcpy(cur + curlen, p, n);
            curlen += n;
            cur[curlen] = '\0';
        }
        if (!e)
            break;
        p = e + 1;
    }
    if (curlen > 0) {
        cur[curlen] = '\0';
        return targets_exclude(ts, cur, err, errcap);
    }
    return 0;
}

int targets_exclude_file(struct target_set *ts, const char *path, char *err, size_t errcap)
{
    return read_spec_file(ts, path, err, errcap, targets_exclude);
}

static int cmp_iv(const void *a, const void *b)
{
    const struct v4iv *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}

static void ex4_merge(struct target_set *ts)
{
    if (!ts->ex4_dirty)
        return;
    ts->ex4_dirty = 0;
    if (ts->n_ex4 == 0)
        return;
    qsort(ts->ex4, ts->n_ex4, sizeof *ts->ex4, cmp_iv);
    size_t w = 0;
    for (size_t r = 1; r < ts->n_ex4; r++) {
        struct v4iv *c = &ts->ex4[w];
        if ((uint64_t)ts->ex4[r].lo <= (uint64_t)c->hi + 1) {
            if (ts->ex4[r].hi > c->hi)
                c->hi = ts->ex4[r].hi;
        } else {
            ts->ex4[++w] = ts->ex4[r];
        }
    }
    ts->n_ex4 = w + 1;
}

/* Is a (host order) excluded? When an interval excludes it, *hi is that interval's end. */
static int excluded_v4(const struct target_set *ts, uint32_t a, uint32_t *hi, int *by_interval)
{
    *by_interval = 0;
    size_t lo = 0, n = ts->n_ex4;
    while (n > 0) { /* last interval with lo <= a */
        size_t half = n / 2;
        if (ts->ex4[lo + half].lo <= a) {
            lo += half + 1;
            n -= half + 1;
        } else {
            n = half;
        }
    }
    if (lo > 0 && a <= ts->ex4[lo - 1].hi) {
        *hi = ts->ex4[lo - 1].hi;
        *by_interval = 1;
        return 1;
    }
    for (size_t i = 0; i < ts->n_exoct; i++) {
        const struct oct_spec *o = &ts->exoct[i];
        if (bit_get(o->bits[0], a >> 24) && bit_get(o->bits[1], (a >> 16) & 255) &&
            bit_get(o->bits[2], (a >> 8) & 255) && bit_get(o->bits[3], a & 255))
            return 1;
    }
    return 0;
}

/* Is a excluded? *plen is the shortest matching exclusion prefix (the largest excluded block). */
static int excluded_v6(const struct target_set *ts, const uint8_t a[16], unsigned *plen)
{
    int hit = 0;
    for (size_t i = 0; i < ts->n_ex6; i++) {
        if (v6_prefix_eq(a, ts->ex6[i].a, ts->ex6[i].plen)) {
            if (!hit || ts->ex6[i].plen < *plen)
                *plen = ts->ex6[i].plen;
            hit = 1;
        }
    }
    return hit;
}

/* ---- iteration ---- */

void targets_randomize(struct target_set *ts, uint64_t seed)
{
    if (ts->started)
        return;
    ts->random = 1;
    ts->seed = seed;
    ts->rng = mix64(seed ^ 0x5bd1e9955bd1e995ULL);
}

uint64_t targets_count(const struct target_set *ts)
{
    uint64_t total = 0;
    for (size_t i = 0; i < ts->n_specs; i++) {
        const struct spec *sp = &ts->specs[i];
        uint64_t n = sp->name ? 1 : sp->last == UINT64_MAX ? UINT64_MAX : sp->last + 1;
        total = UINT64_MAX - total < n ? UINT64_MAX : total + n;
    }
    return total;
}

/* A bijection on [0, 2^(2*half)): a 4-round Feistel network keyed per spec. */
static uint64_t feistel(uint64_t x, unsigned half, uint64_t key)
{
    uint64_t mask = half >= 64 ? UINT64_MAX : (1ULL << half) - 1;
    uint64_t l = x >> half, r = x & mask;
    for (uint64_t round = 0; round < 4; round++) {
        uint64_t f = mix64(r ^ mix64(key + round)) & mask;
        uint64_t nl = r;
        r = l ^ f;
        l = nl;
    }
    return (l << half) | r;
}

/* The i-th index of a full-cycle permutation of [0, last]: Feistel over the smallest even bit width
 * that covers last, cycle-walking until the value falls inside (fewer than 4 steps on average). */
static uint64_t permute(uint64_t i, uint64_t last, uint64_t key)
{
    if (last == 0)
        return 0;
    unsigned bits = 64u - (unsigned)__builtin_clzll(last);
    bits += bits & 1;
    uint64_t x = i;
    do
        x = feistel(x, bits / 2, key);
    while (x > last);
    return x;
}

static void addr_of(const struct spec *sp, uint64_t idx, struct target_addr *out)
{
    memset(out, 0, sizeof *out);
    out->name = sp->name;
    switch (sp->kind) {
    case SK_V4:
        out->family = AF_INET;
        out->a.v4.s_addr = htonl((uint32_t)(sp->u.v4lo + idx));
        break;
    case SK_OCT: {
        const struct oct_spec *o = sp->u.oct;
        uint32_t a = 0;
        for (int k = 3; k >= 0; k--) {
            unsigned v = bit_select(o->bits[k], (unsigned)(idx % o->cnt[k]));
            idx /= o->cnt[k];
            a |= (uint32_t)v << (8 * (3 - k));
        }
        out->family = AF_INET;
        out->a.v4.s_addr = htonl(a);
        break;
    }
    case SK_V6:
        out->family = AF_INET6;
        memcpy(out->a.v6.s6_addr, sp->u.v6, 16);
        v6_low_add(out->a.v6.s6_addr, idx);
        break;
    case SK_NAME:
        *out = sp->u.res[idx];
        out->name = sp->name;
        break;
    }
}

/* Resolves a name spec in place: its addresses, or with name/n the block of its first IPv4 address. */
static int spec_resolve(struct target_set *ts, struct spec *sp)
{
    struct target_addr addrs[TARGETS_MAX_NAME_ADDRS];
    int n = resolve_name(ts, sp->name, addrs, TARGETS_MAX_NAME_ADDRS);
    if (n <= 0)
        return -1;
    if (sp->plen != NO_PLEN) {
        for (int i = 0; i < n; i++) {
            if (addrs[i].family == AF_INET) {
                uint32_t lo, hi;
                v4_cidr(ntohl(addrs[i].a.v4.s_addr), sp->plen, &lo, &hi);
                v4_range_spec(sp, lo, hi);
                return 0;
            }
        }
        return -1;
    }
    sp->u.res = malloc((size_t)n * sizeof *sp->u.res);
    if (!sp->u.res)
        return -1;
    memcpy(sp->u.res, addrs, (size_t)n * sizeof *addrs);
    sp->last = (uint64_t)n - 1;
    return 0;
}

static int spec_needs_resolve(const struct spec *sp) { return sp->kind == SK_NAME && !sp->u.res && !sp->done; }

static void spec_finish(struct spec *sp)
{
    sp->done = 1;
    if (sp->kind == SK_NAME) { /* addresses are no longer needed; the name stays for out->name */
        free(sp->u.res);
        sp->u.res = NULL;
    }
}

/* Marks specs that one exclusion covers entirely, so a fully excluded /64 does not spin. */
static void drop_covered(struct target_set *ts, struct spec *sp)
{
    if (sp->kind == SK_V4) {
        uint32_t hi;
        int iv;
        if (excluded_v4(ts, sp->u.v4lo, &hi, &iv) && iv && (uint64_t)hi >= sp->u.v4lo + sp->last)
            spec_finish(sp);
    } else if (sp->kind == SK_V6) {
        for (size_t i = 0; i < ts->n_ex6; i++)
            if (ts->ex6[i].plen <= sp->plen && v6_prefix_eq(sp->u.v6, ts->ex6[i].a, ts->ex6[i].plen))
                spec_finish(sp);
    }
}

static void start(struct target_set *ts)
{
    ex4_merge(ts);
    if (ts->started)
        return;
    ts->started = 1;
    for (size_t i = 0; i < ts->n_specs; i++)
        drop_covered(ts, &ts->specs[i]);
    if (ts->random && ts->n_specs > 0) {
        ts->active = malloc(ts->n_specs * sizeof *ts->active);
        if (ts->active)
            for (size_t i = 0; i < ts->n_specs; i++)
                if (!ts->specs[i].done)
                    ts->active[ts->n_active++] = (uint32_t)i;
        if (!ts->active) /* out of memory: fall back to the sequential order */
            ts->random = 0;
    }
}

/* Sequential mode: after the address at index idx of sp was found excluded, skip the rest of the
 * exclusion block that contains it when the spec is a contiguous range. */
static void skip_excluded_block(struct spec *sp, uint64_t idx, int v4_iv, uint32_t v4_hi, unsigned v6_plen)
{
    uint64_t next = idx + 1;
    if (sp->kind == SK_V4 && v4_iv) {
        next = (uint64_t)v4_hi - sp->u.v4lo + 1;
    } else if (sp->kind == SK_V6) {
        if (v6_plen <= sp->plen) { /* the exclusion covers the whole spec */
            spec_finish(sp);
            return;
        }
        uint64_t blk = v6_plen >= 128 ? 0 : v6_plen == 64 ? UINT64_MAX : (1ULL << (128 - v6_plen)) - 1;
        uint64_t off = idx | blk; /* base low bits are zero below the spec prefix */
        if (off >= sp->last) {
            spec_finish(sp);
            return;
        }
        next = off + 1;
    }
    if (next > sp->last || next <= idx)
        spec_finish(sp);
    else
        sp->cursor = next;
}

int targets_next(struct target_set *ts, struct target_addr *out)
{
    start(ts);
    for (;;) {
        struct spec *sp;
        size_t ai = 0;
        if (ts->random) {
            if (ts->n_active == 0)
                return 0;
            ts->rng += 0x9e3779b97f4a7c15ULL;
            ai = (size_t)(mix64(ts->rng) % ts->n_active);
            sp = &ts->specs[ts->active[ai]];
            if (sp->done) { /* finished by an exclusion added after the start */
                ts->active[ai] = ts->active[--ts->n_active];
                continue;
            }
        } else {
            while (ts->cur < ts->n_specs && ts->specs[ts->cur].done)
                ts->cur++;
            if (ts->cur >= ts->n_specs)
                return 0;
            sp = &ts->specs[ts->cur];
        }
        if (spec_needs_resolve(sp) && spec_resolve(ts, sp) != 0) {
            memset(out, 0, sizeof *out);
            out->family = AF_UNSPEC;
            out->name = sp->name;
            spec_finish(sp);
            if (ts->random)
                ts->active[ai] = ts->active[--ts->n_active];
            return -1;
        }
        uint64_t idx = sp->cursor;
        uint64_t pidx = idx;
        if (ts->random)
            pidx = permute(idx, sp->last, mix64(ts->seed ^ mix64((uint64_t)(sp - ts->specs) + 1)));
        addr_of(sp, pidx, out);
        if (idx == sp->last) {
            spec_finish(sp);
            if (ts->random)
                ts->active[ai] = ts->active[--ts->n_active];
        } else {
            sp->cursor = idx + 1;
        }
        if (out->family == AF_INET && (ts->n_ex4 || ts->n_exoct)) {
            uint32_t hi = 0;
            int iv;
            if (excluded_v4(ts, ntohl(out->a.v4.s_addr), &hi, &iv)) {
                if (!ts->random && !sp->done && sp->kind == SK_V4)
                    skip_excluded_block(sp, idx, iv, hi, 0);
                continue;
            }
        } else if (out->family == AF_INET6 && ts->n_ex6) {
            unsigned plen = 128;
            if (excluded_v6(ts, out->a.v6.s6_addr, &plen)) {
                if (!ts->random && !sp->done && sp->kind == SK_V6)
                    skip_excluded_block(sp, idx, 0, 0, plen);
                continue;
            }
        }
        return 1;
    }
}

const char *target_addr_str(const struct target_addr *t, char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return "";
    if (t->family == AF_INET || t->family == AF_INET6) {
        if (inet_ntop(t->family, &t->a, buf, (socklen_t)cap))
            return buf;
    } else if (t->name) {
        snprintf(buf, cap, "%s", t->name);
        return buf;
    }
    snprintf(buf, cap, "?");
    return buf;
}
