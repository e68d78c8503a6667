/* targets.h: target specifications as nmap takes them, expanded as a stream.
 * Accepted forms: a.b.c.d, CIDR (a.b.c.d/n, IPv6/n), per-octet ranges and wildcards
 * (10.0.0-3.1-254, 10.0.0.*, 10.0.0.1,5,9), whole ranges (10.0.0.1-10.0.3.7), IPv6 literals,
 * host names (resolved once when reached; every address they resolve to). Exclusions take the
 * same forms (host names resolved once at load). Memory does not grow with the number of
 * addresses: a /8 costs one spec. The randomized order is a full-cycle permutation per spec. */
#ifndef SG_CORE_TARGETS_H
#define SG_CORE_TARGETS_H
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct target_addr {
    int family;                 /* AF_INET or AF_INET6 */
    union { struct in_addr v4; struct in6_addr v6; } a;
    const char *name;           /* host name the address came from, or NULL (owned by the set) */
};

struct target_set;  /* opaque */

struct target_set *targets_new(void);
void targets_free(struct target_set *ts);
/* Adds one specification; returns 0, or -1 with a message in err[errcap] (nothing added). */
int targets_add(struct target_set *ts, const char *spec, char *err, size_t errcap);
/* Adds every whitespace/newline-separated spec from a file ("-" = stdin); '#' starts a comment.
 * Returns 0, or -1 with the first error (file and line) in err. */
int targets_add_file(struct target_set *ts, const char *path, char *err, size_t errcap);
int targets_exclude(struct target_set *ts, const char *spec, char *err, size_t errcap);
/* Comma-separated list, as nmap's --exclude. */
int targets_exclude_list(struct target_set *ts, const char *list, char *err, size_t errcap);
int targets_exclude_file(struct target_set *ts, const char *path, char *err, size_t errcap);
/* Spread the order (a pseudo-random permutation inside each spec and an interleave across specs). */
void targets_randomize(struct target_set *ts, uint64_t seed);
/* Number of addresses before exclusions, saturating at UINT64_MAX; host names count 1 each. */
uint64_t targets_count(const struct target_set *ts);
/* Next address not excluded. Returns 1 and fills *out, 0 at the end, -1 when a host name fails to
 * resolve (out->name is set; the caller reports it and goes on). */
int targets_next(struct target_set *ts, struct target_addr *out);
/* Formats an address as text. */
const char *target_addr_str(const struct target_addr *t, char *buf, size_t cap);

/* Additions (targets.c). Add every target and call targets_randomize before the first targets_next
 * (a later targets_randomize is ignored; a target added later is missed in random order).
 * Limits: at most TARGETS_MAX_SPECS target specifications and as many exclusions; a host name
 * yields at most TARGETS_MAX_NAME_ADDRS addresses. */
#define TARGETS_MAX_SPECS 1000000u
#define TARGETS_MAX_NAME_ADDRS 64u
/* Name resolution hook (tests, fuzzing, a future --no-dns). Fills up to cap addresses (name may be
 * left NULL) and returns how many, or -1 (or 0) when the name does not resolve. fn NULL restores
 * getaddrinfo. Set it before adding exclusions: exclusion names are resolved when added. */
typedef int (*targets_resolver)(const char *name, struct target_addr *out, unsigned cap, void *arg);
void targets_set_resolver(struct target_set *ts, targets_resolver fn, void *arg);

#endif
