/* test_targets.c: target specifications (core/targets.c): every accepted form, order, exclusions,
 * randomized order as a permutation, counts, error messages, and streaming without per-address memory.
 * Host names go through a fake resolver; the only real lookup is "localhost". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/targets.h"

/* ---- helpers ---- */

static unsigned g_resolves;

/* Fake DNS: "two.example" -> 10.9.9.9 and 2001:db8::2; "v4.example" -> 10.9.9.9; others fail. */
static int fake_resolver(const char *name, struct target_addr *out, unsigned cap, void *arg)
{
    (void)arg;
    g_resolves++;
    unsigned n = 0;
    if (strcmp(name, "two.example") == 0 || strcmp(name, "v4.example") == 0) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].family = AF_INET;
        inet_pton(AF_INET, "10.9.9.9", &out[n].a.v4);
        n++;
    }
    if (strcmp(name, "two.example") == 0 && n < cap) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].family = AF_INET6;
        inet_pton(AF_INET6, "2001:db8::2", &out[n].a.v6);
        n++;
    }
    return n ? (int)n : -1;
}

static struct target_set *set_of(const char *const *specs)
{
    struct target_set *ts = targets_new();
    char err[256];
    assert_non_null(ts);
    targets_set_resolver(ts, fake_resolver, NULL);
    for (; *specs; specs++) {
        int rc = targets_add(ts, *specs, err, sizeof err);
        if (rc != 0)
            fail_msg("targets_add(%s): %s", *specs, err);
    }
    return ts;
}

/* Next address as text ("" at the end, "!name" for a resolution failure). */
static const char *next_str(struct target_set *ts, char *buf, size_t cap)
{
    struct target_addr t;
    int rc = targets_next(ts, &t);
    if (rc == 0)
        return "";
    if (rc < 0) {
        snprintf(buf, cap, "!%s", t.name ? t.name : "?");
        return buf;
    }
    return target_addr_str(&t, buf, cap);
}

/* Checks that the set yields exactly `expect` (NULL-terminated) and then ends. */
static void expect_seq(struct target_set *ts, const char *const *expect)
{
    char buf[64];
    for (; *expect; expect++)
        assert_string_equal(next_str(ts, buf, sizeof buf), *expect);
    assert_string_equal(next_str(ts, buf, sizeof buf), "");
}

static uint32_t v4(const struct target_addr *t) { return ntohl(t->a.v4.s_addr); }
static uint32_t ip(const char *s)
{
    struct in_addr a;
    assert_int_equal(inet_pton(AF_INET, s, &a), 1);
    return ntohl(a.s_addr);
}

/* Drains a set of IPv4 addresses into a malloc'd array. */
static uint32_t *drain_v4(struct target_set *ts, size_t *n)
{
    size_t cap = 1024;
    uint32_t *v = malloc(cap * sizeof *v);
    struct target_addr t;
    *n = 0;
    assert_non_null(v);
    while (targets_next(ts, &t) == 1) {
        assert_int_equal(t.family, AF_INET);
        if (*n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            assert_non_null(v);
        }
        v[(*n)++] = v4(&t);
    }
    return v;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void expect_error(const char *spec, const char *fragment)
{
    struct target_set *ts = targets_new();
    char err[256] = "";
    assert_int_equal(targets_add(ts, spec, err, sizeof err), -1);
    if (!strstr(err, fragment))
        fail_msg("spec '%s': error '%s' lacks '%s'", spec, err, fragment);
    assert_int_equal(targets_count(ts), 0); /* nothing added */
    targets_free(ts);
}

static long rss_kb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/sg_targets_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* ---- forms ---- */

static void test_single_v4(void **st)
{
    (void)st;
    struct target_set *ts = set_of((const char *[]){"192.168.1.5", NULL});
    assert_int_equal(targets_count(ts), 1);
    expect_seq(ts, (const char *[]){"192.168.1.5", NULL});
    targets_free(ts);
}

static void test_cidr(void **st)
{
    (void)st;
    struct target_set *ts = set_of((const char *[]){"10.1.2.3/30", "10.0.0.9/32", NULL});
    assert_int_equal(targets_count(ts), 5);
    /* the base is masked to the network, as nmap does */
    expect_seq(ts, (const char *[]){"10.1.2.0", "10.1.2.1", "10.1.2.2", "10.1.2.3", "10.0.0.9", NULL});
    targets_free(ts);

    ts = set_of((const char *[]){"0.0.0.0/0", NULL});
    assert_true(targets_count(ts) == (1ULL << 32));
    targets_free(ts);
}

static void test_cidr_zero_first(void **st)
{
    (void)st;
    char buf[64];
    struct target_set *ts = set_of((const char *[]){"1.2.3.4/0", NULL});
    assert_string_equal(next_str(ts, buf, sizeof buf), "0.0.0.0");
    assert_string_equal(next_str(ts, buf, sizeof buf), "0.0.0.1");
    targets_free(ts);
}

static void test_octet_ranges(void **st)
{
    (void)st;
    struct target_set *ts = set_of((const char *[]){"10.0.0-3.1-254", NULL});
    assert_int_equal(targets_count(ts), 4 * 254);
    size_t n;
    uint32_t *v = drain_v4(ts, &n);
    assert_int_equal(n, 4 * 254);
    assert_int_equal(v[0], ip("10.0.0.1"));
    assert_int_equal(v[253], ip("10.0.0.254"));
    assert_int_equal(v[254], ip("10.0.1.1")); /* last octet runs fastest; 0 and 255 skipped */
    assert_int_equal(v[n - 1], ip("10.0.3.254"));
    free(v);
    targets_free(ts);
}

static void test_wildcard_and_lists(void **st)
{
    (void)st;
    struct target_set *ts = set_of((const char *[]){"10.0.0.*", NULL});
    assert_int_equal(targets_count(ts), 256);
    size_t n;
    uint32_t *v = drain_v4(ts, &n);
    assert_int_equal(n, 256);
    assert_int_equal(v[0], ip("10.0.0.0"));
    assert_int_equal(v[255], ip("10.0.0.255"));
    free(v);
    targets_free(ts);

    ts = set_of((const char *[]){"10.0.0.1,5,9", NULL});
    assert_int_equal(targets_count(ts), 3);
    expect_seq(ts, (const char *[]){"10.0.0.1", "10.0.0.5", "10.0.0.9", NULL});
    targets_free(ts);

    /* values come out ascending per octet whatever the list order (nmap's order); duplicates once */
    ts = set_of((const char *[]){"10.0.0.9,1,5-6,5", NULL});
    expect_seq(ts, (const char *[]){"10.0.0.1", "10.0.0.5", "10.0.0.6", "10.0.0.9", NULL});
    targets_free(ts);

    /* open-ended ranges: -M is 0-M, N- is N-255 */
    ts = set_of((const char *[]){"10.0.0.-2", "10.0.0.254-", NULL});
    expect_seq(ts, (const char *[]){"10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.254", "10.0.0.255", NULL});
    targets_free(ts);
}

static void test_mixed_octets(void **st)
{
    (void)st;
    struct target_set *ts = set_of((const char *[]){"10.0-1.*.1-2,7", NULL});
    assert_int_equal(targets_count(ts), 2 * 256 * 3);
    size_t n;
    uint32_t *v = drain_v4(ts, &n);
    assert_int_equal(n, 2 * 256 * 3);
    assert_int_equal(v[0], ip("10.0.0.1"));
    assert_int_equal(v[1], ip("10.0.0.2"));
    assert_int_equal(v[2], ip("10.0.0.7"));
    assert_int_equal(v[3], ip("10.0.1.1"));
    assert_int_equal(v[3 * 256], ip("10.1.0.1"));
    assert_int_equal(v[n - 1], ip("10.1.255.7"));
    for (size_t i = 1; i < n; i++)
        assert_true(v[i] > v[i - 1]);
    free(v);
    targets_free(ts);
}

static void test_whole_range(void **st)
{
    (void)st;
    struct target_set *ts = set_of((const char *[]){"10.0.0.1-10.0.3.7", NULL});
    assert_int_equal(targets_count(ts), 3 * 256 + 7);
    size_t n;
    uint32_t *v = drain_v4(ts, &n);
    assert_int_equal(n, 3 * 256 + 7);
    assert_int_equal(v[0], ip("10.0.0.1"));
    assert_int_equal(v[254], ip("10.0.0.255"));
    assert_int_equal(v[255], ip("10.0.1.0")); /* a whole range crosses octet boundaries */
    assert_int_equal(v[n - 1], ip("10.0.3.7"));
    free(v);
    targets_free(ts);
}

static void test_ipv6(void **st)
{
    (void)st;
    char buf[64];
    struct target_set *ts = set_of((const char *[]){"::1", "fe80::/120", NULL});
    assert_int_equal(targets_count(ts), 1 + 256);
    assert_string_equal(next_str(ts, buf, sizeof buf), "::1");
    assert_string_equal(next_str(ts, buf, sizeof buf), "fe80::");
    assert_string_equal(next_str(ts, buf, sizeof buf), "fe80::1");
    for (int i = 2; i < 255; i++)
        next_str(ts, buf, sizeof buf);
    assert_string_equal(next_str(ts, buf, sizeof buf), "fe80::ff");
    assert_string_equal(next_str(ts, buf, sizeof buf), "");
    targets_free(ts);

    /* a /64 is a stream: its count saturates and it starts at once */
    ts = set_of((const char *[]){"2001:db8:0:1::77/64", NULL});
    assert_true(targets_count(ts) == UINT64_MAX);
    assert_string_equal(next_str(ts, buf, sizeof buf), "2001:db8:0:1::");
    assert_string_equal(next_str(ts, buf, sizeof buf), "2001:db8:0:1::1");
    targets_free(ts);
}

static void test_host_names(void **st)
{
    (void)st;
    g_resolves = 0;
    struct target_set *ts = set_of((const char *[]){"10.0.0.1", "two.example", "nope.invalid", "10.0.0.2", NULL});
    assert_int_equal(targets_count(ts), 4); /* a name counts 1 */
    assert_int_equal(g_resolves, 0);        /* nothing resolved at add time */
    struct target_addr t;
    char buf[64];
    assert_int_equal(targets_next(ts, &t), 1);
    assert_null(t.name);
    assert_int_equal(g_resolves, 0); /* lazily: only when the stream reaches the name */
    assert_int_equal(targets_next(ts, &t), 1);
    assert_int_equal(g_resolves, 1);
    assert_string_equal(target_addr_str(&t, buf, sizeof buf), "10.9.9.9");
    assert_string_equal(t.name, "two.example");
    assert_int_equal(targets_next(ts, &t), 1); /* every address of the name */
    assert_string_equal(target_addr_str(&t, buf, sizeof buf), "2001:db8::2");
    assert_string_equal(t.name, "two.example");
    assert_int_equal(targets_next(ts, &t), -1); /* failure: name set, the stream goes on */
    assert_string_equal(t.name, "nope.invalid");
    assert_int_equal(targets_next(ts, &t), 1);
    assert_string_equal(target_addr_str(&t, buf, sizeof buf), "10.0.0.2");
    assert_int_equal(targets_next(ts, &t), 0);
    targets_free(ts);

    /* name/n: the block around its first IPv4 address */
    ts = set_of((const char *[]){"v4.example/30", NULL});
    expect_seq(ts, (const char *[]){"10.9.9.8", "10.9.9.9", "10.9.9.10", "10.9.9.11", NULL});
    targets_free(ts);
}

static void test_localhost(void **st)
{
    (void)st;
    struct target_set *ts = targets_new();
    char err[256], buf[64];
    assert_int_equal(targets_add(ts, "localhost", err, sizeof err), 0);
    struct target_addr t;
    int rc, seen = 0;
    while ((rc = targets_next(ts, &t)) != 0) {
        assert_int_equal(rc, 1);
        assert_string_equal(t.name, "localhost");
        const char *s = target_addr_str(&t, buf, sizeof buf);
        assert_true(strncmp(s, "127.", 4) == 0 || strcmp(s, "::1") == 0);
        seen++;
    }
    assert_true(seen >= 1);
    targets_free(ts);
}

static void test_order_across_specs(void **st)
{
    (void)st;
    struct target_set *ts = set_of((const char *[]){"10.0.0.2", "::2", "10.0.0.1/31", "10.0.0.1", NULL});
    expect_seq(ts, (const char *[]){"10.0.0.2", "::2", "10.0.0.0", "10.0.0.1", "10.0.0.1", NULL});
    targets_free(ts);
}

static void test_loopback_slash8(void **st)
{
    (void)st;
    struct target_set *ts = set_of((const char *[]){"127.0.0.0/8", NULL});
    assert_int_equal(targets_count(ts), 1 << 24);
    char buf[64];
    assert_string_equal(next_str(ts, buf, sizeof buf), "127.0.0.0");
    assert_string_equal(next_str(ts, buf, sizeof buf), "127.0.0.1");
    assert_string_equal(next_str(ts, buf, sizeof buf), "127.0.0.2");
    targets_free(ts);
}

/* ---- files ---- */

static void test_file(void **st)
{
    (void)st;
    char *path = write_temp("# targets\n10.0.0.1 10.0.0.2\t# trailing comment 10.9.9.9\r\n\n"
                            "  10.0.0.8/31\n::1#glued comment\n");
    struct target_set *ts = targets_new();
    char err[256];
    assert_int_equal(targets_add_file(ts, path, err, sizeof err), 0);
    expect_seq(ts, (const char *[]){"10.0.0.1", "10.0.0.2", "10.0.0.8", "10.0.0.9", "::1", NULL});
    targets_free(ts);
    unlink(path);

    path = write_temp("10.0.0.1\n\n# x\n10.0.0.300\n");
    ts = targets_new();
    assert_int_equal(targets_add_file(ts, path, err, sizeof err), -1);
    assert_non_null(strstr(err, ":4: bad target '10.0.0.300': octet out of range"));
    targets_free(ts);
    unlink(path);

    ts = targets_new();
    assert_int_equal(targets_add_file(ts, "/nonexistent/sg-targets", err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open '/nonexistent/sg-targets'"));
    targets_free(ts);
}

static void test_file_stdin(void **st)
{
    (void)st;
    char *path = write_temp("10.0.0.7\n10.0.0.8\n");
    assert_non_null(freopen(path, "r", stdin));
    struct target_set *ts = targets_new();
    char err[256];
    assert_int_equal(targets_add_file(ts, "-", err, sizeof err), 0);
    expect_seq(ts, (const char *[]){"10.0.0.7", "10.0.0.8", NULL});
    targets_free(ts);
    unlink(path);
}

/* ---- exclusions ---- */

static void test_exclusions_v4(void **st)
{
    (void)st;
    char err[256];
    struct target_set *ts = set_of((const char *[]){"10.0.0.0/24", NULL});
    assert_int_equal(targets_exclude(ts, "10.0.0.0/25", err, sizeof err), 0);
    assert_int_equal(targets_exclude(ts, "10.0.0.200-10.0.0.255", err, sizeof err), 0);
    assert_int_equal(targets_exclude(ts, "10.0.0.130", err, sizeof err), 0);
    assert_int_equal(targets_exclude(ts, "10.0.0.140-149", err, sizeof err), 0);
    assert_int_equal(targets_count(ts), 256); /* the count is before exclusions */
    size_t n;
    uint32_t *v = drain_v4(ts, &n);
    assert_int_equal(n, 72 - 1 - 10);
    assert_int_equal(v[0], ip("10.0.0.128"));
    assert_int_equal(v[1], ip("10.0.0.129"));
    assert_int_equal(v[2], ip("10.0.0.131"));
    assert_int_equal(v[n - 1], ip("10.0.0.199"));
    for (size_t i = 0; i < n; i++)
        assert_false(v[i] >= ip("10.0.0.140") && v[i] <= ip("10.0.0.149"));
    free(v);
    targets_free(ts);
}

static void test_exclude_list_and_wide_octets(void **st)
{
    (void)st;
    char err[256];
    struct target_set *ts = set_of((const char *[]){"10.0.0.0-10.0.0.12", NULL});
    /* nmap's comma list; bare numbers continue the previous address's last octet */
    assert_int_equal(targets_exclude_list(ts, "10.0.0.1,5,9-10,192.168.0.1,,10.0.0.12", err, sizeof err), 0);
    /* too wide to become intervals (2^24 of them): checked per address */
    assert_int_equal(targets_exclude(ts, "*.*.*.3", err, sizeof err), 0);
    expect_seq(ts, (const char *[]){"10.0.0.0", "10.0.0.2", "10.0.0.4", "10.0.0.6", "10.0.0.7",
                                    "10.0.0.8", "10.0.0.11", NULL});
    targets_free(ts);

    ts = targets_new();
    assert_int_equal(targets_exclude_list(ts, "10.0.0.1,bad!name", err, sizeof err), -1);
    assert_non_null(strstr(err, "bad exclusion 'bad!name'"));
    targets_free(ts);
}

static void test_exclude_file_and_names(void **st)
{
    (void)st;
    char err[256];
    char *path = write_temp("# keep out\n10.9.9.0/30 # lab\n10.9.9.5\n");
    struct target_set *ts = set_of((const char *[]){"10.9.9.0/29", "two.example", NULL});
    assert_int_equal(targets_exclude_file(ts, path, err, sizeof err), 0);
    unlink(path);
    assert_int_equal(targets_exclude(ts, "two.example", err, sizeof err), 0); /* resolved now */
    expect_seq(ts, (const char *[]){"10.9.9.4", "10.9.9.6", "10.9.9.7", NULL});
    targets_free(ts);

    ts = set_of((const char *[]){"10.0.0.1", NULL});
    assert_int_equal(targets_exclude(ts, "nope.invalid", err, sizeof err), -1);
    assert_non_null(strstr(err, "does not resolve"));
    targets_free(ts);
}

static void test_exclusions_v6(void **st)
{
    (void)st;
    char err[256], buf[64];
    struct target_set *ts = set_of((const char *[]){"fe80::/120", NULL});
    assert_int_equal(targets_exclude(ts, "fe80::/124", err, sizeof err), 0);
    assert_int_equal(targets_exclude(ts, "fe80::11", err, sizeof err), 0);
    assert_string_equal(next_str(ts, buf, sizeof buf), "fe80::10");
    assert_string_equal(next_str(ts, buf, sizeof buf), "fe80::12");
    unsigned n = 2;
    while (*next_str(ts, buf, sizeof buf))
        n++;
    assert_int_equal(n, 256 - 16 - 1);
    targets_free(ts);

    /* a /64 minus its lower half: the excluded 2^63 are skipped as a block, not walked */
    ts = set_of((const char *[]){"2001:db8::/64", NULL});
    assert_int_equal(targets_exclude(ts, "2001:db8::/65", err, sizeof err), 0);
    assert_string_equal(next_str(ts, buf, sizeof buf), "2001:db8:0:0:8000::");
    targets_free(ts);

    /* a /64 inside a shorter exclusion yields nothing, at once, in both orders */
    for (int r = 0; r < 2; r++) {
        ts = set_of((const char *[]){"2001:db8::/64", "::1", NULL});
        assert_int_equal(targets_exclude(ts, "2001:db8::/32", err, sizeof err), 0);
        if (r)
            targets_randomize(ts, 7);
        assert_string_equal(next_str(ts, buf, sizeof buf), "::1");
        assert_string_equal(next_str(ts, buf, sizeof buf), "");
        targets_free(ts);
    }
}

static void test_exclusion_skips_blocks_v4(void **st)
{
    (void)st;
    char err[256], buf[64];
    /* the whole IPv4 space minus its lower half and more: the first answer comes at once */
    struct target_set *ts = set_of((const char *[]){"0.0.0.0/0", NULL});
    assert_int_equal(targets_exclude(ts, "0.0.0.0/1", err, sizeof err), 0);
    assert_int_equal(targets_exclude(ts, "128.0.0.0-128.255.255.254", err, sizeof err), 0);
    assert_string_equal(next_str(ts, buf, sizeof buf), "128.255.255.255");
    assert_string_equal(next_str(ts, buf, sizeof buf), "129.0.0.0");
    targets_free(ts);
}

/* ---- randomized order ---- */

static uint32_t *drain_random(const char *const *specs, uint64_t seed, const char *exclude, size_t *n)
{
    struct target_set *ts = set_of(specs);
    char err[256];
    if (exclude)
        assert_int_equal(targets_exclude_list(ts, exclude, err, sizeof err), 0);
    targets_randomize(ts, seed);
    uint32_t *v = drain_v4(ts, n);
    targets_free(ts);
    return v;
}

static void test_randomize_permutation(void **st)
{
    (void)st;
    const char *specs[] = {"10.0.0.0/22", "192.168.0.0/24", "172.16.0.1", "10.8.0-1.1-3,9", NULL};
    size_t n_seq, n1, n1b, n2;
    struct target_set *ts = set_of(specs);
    uint32_t *seq = drain_v4(ts, &n_seq);
    targets_free(ts);
    uint32_t *r1 = drain_random(specs, 1, NULL, &n1);
    uint32_t *r1b = drain_random(specs, 1, NULL, &n1b);
    uint32_t *r2 = drain_random(specs, 2, NULL, &n2);
    assert_int_equal(n_seq, 1024 + 256 + 1 + 8);
    assert_int_equal(n1, n_seq);
    assert_int_equal(n2, n_seq);
    /* deterministic per seed, different across seeds and from the plain order */
    assert_int_equal(n1b, n1);
    assert_memory_equal(r1, r1b, n1 * sizeof *r1);
    assert_true(memcmp(r1, r2, n1 * sizeof *r1) != 0);
    assert_true(memcmp(r1, seq, n1 * sizeof *r1) != 0);
    /* interleaved: the first 64 draw from both large specs */
    int a = 0, b = 0;
    for (size_t i = 0; i < 64; i++) {
        a += (r1[i] >> 22) == (ip("10.0.0.0") >> 22);
        b += (r1[i] >> 8) == (ip("192.168.0.0") >> 8);
    }
    assert_true(a > 0 && b > 0);
    /* the same set: a permutation */
    qsort(r1, n1, sizeof *r1, cmp_u32);
    qsort(r2, n2, sizeof *r2, cmp_u32);
    qsort(seq, n_seq, sizeof *seq, cmp_u32);
    assert_memory_equal(r1, seq, n1 * sizeof *r1);
    assert_memory_equal(r2, seq, n2 * sizeof *r2);
    free(seq);
    free(r1);
    free(r1b);
    free(r2);
}

static void test_randomize_sizes(void **st)
{
    (void)st;
    /* every size from 1 to 600 (odd and even bit widths, cycle-walking): a permutation of the range */
    for (unsigned size = 1; size <= 600; size += (size < 40 ? 1 : 37)) {
        char spec[64];
        uint32_t lo = ip("10.20.0.0"), hi = lo + size - 1;
        snprintf(spec, sizeof spec, "10.20.0.0-10.20.%u.%u", (hi >> 8) & 255, hi & 255);
        size_t n;
        uint32_t *v = drain_random((const char *[]){spec, NULL}, 99, NULL, &n);
        assert_int_equal(n, size);
        qsort(v, n, sizeof *v, cmp_u32);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(v[i], lo + i);
        free(v);
    }
}

static void test_randomize_with_exclusions(void **st)
{
    (void)st;
    size_t n;
    uint32_t *v = drain_random((const char *[]){"10.0.0.0/24", NULL}, 5, "10.0.0.0/25,10.0.0.200", &n);
    assert_int_equal(n, 127);
    qsort(v, n, sizeof *v, cmp_u32);
    assert_int_equal(v[0], ip("10.0.0.128"));
    for (size_t i = 0; i < n; i++)
        assert_true(v[i] != ip("10.0.0.200"));
    free(v);
}

static void test_randomize_v6_stream(void **st)
{
    (void)st;
    struct target_set *ts = set_of((const char *[]){"2001:db8::/64", NULL});
    targets_randomize(ts, 3);
    struct target_addr prev[8];
    for (int i = 0; i < 8; i++) {
        assert_int_equal(targets_next(ts, &prev[i]), 1);
        assert_int_equal(prev[i].family, AF_INET6);
        assert_memory_equal(prev[i].a.v6.s6_addr, "\x20\x01\x0d\xb8\0\0\0\0", 8);
        for (int j = 0; j < i; j++)
            assert_memory_not_equal(prev[i].a.v6.s6_addr, prev[j].a.v6.s6_addr, 16);
    }
    targets_free(ts);
}

/* ---- counts and errors ---- */

static void test_counts(void **st)
{
    (void)st;
    struct target_set *ts = set_of((const char *[]){"10.0.0.0/8", "two.example", "10.0.0.1-10.0.0.4", NULL});
    assert_int_equal(targets_count(ts), (1 << 24) + 1 + 4);
    targets_free(ts);
    ts = set_of((const char *[]){"0.0.0.0/0", "0.0.0.0/0", NULL});
    assert_true(targets_count(ts) == (1ULL << 33));
    targets_free(ts);
    ts = set_of((const char *[]){"fe80::/64", "10.0.0.1", NULL});
    assert_true(targets_count(ts) == UINT64_MAX); /* saturates */
    targets_free(ts);
    ts = targets_new();
    assert_int_equal(targets_count(ts), 0);
    struct target_addr t;
    assert_int_equal(targets_next(ts, &t), 0);
    targets_free(ts);
}

static void test_errors(void **st)
{
    (void)st;
    expect_error("10.0.0.300", "bad target '10.0.0.300': octet out of range");
    expect_error("10.0.0.1-300", "octet out of range");
    expect_error("10.0.0.9-2", "range start above end");
    expect_error("10.0.3.7-10.0.0.1", "range start above end");
    expect_error("10.0.0.1-10.0.0.256", "octet out of range");
    expect_error("10.0.0", "expected 4 octets");
    expect_error("10.0.0.1.2", "expected 4 octets");
    expect_error("10.0..1", "empty octet");
    expect_error("10.0.0.1,,2", "empty item");
    expect_error("10.0.0.1,", "empty item");
    expect_error("10.0.0.1/33", "prefix length out of range (0-32)");
    expect_error("10.0.0.1/", "bad prefix length");
    expect_error("10.0.0.*/24", "CIDR needs a single address");
    expect_error("10.0.0.1/24/8", "more than one '/'");
    expect_error("fe80::/48", "shorter than /64");
    expect_error("fe80::/129", "prefix length out of range (0-128)");
    expect_error("fe80::g", "not a valid IPv6 address");
    expect_error("bad host!", "not an address, range or host name");
    expect_error("-foo", "not an address, range or host name");
    expect_error("", "empty specification");
    expect_error("10.0.0.1*", "'*' must stand alone");
    char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    expect_error(longname, "host name too long");
}

static void test_spec_cap(void **st)
{
    (void)st;
    struct target_set *ts = targets_new();
    char err[256];
    for (unsigned i = 0; i < TARGETS_MAX_SPECS; i++)
        if (targets_add(ts, "10.0.0.1", err, sizeof err) != 0)
            fail_msg("spec %u: %s", i, err);
    assert_int_equal(targets_add(ts, "10.0.0.1", err, sizeof err), -1);
    assert_non_null(strstr(err, "too many target specifications (limit 1000000)"));
    assert_int_equal(targets_count(ts), TARGETS_MAX_SPECS);
    targets_free(ts);
}

/* ---- streaming ---- */

/* A /12 (1M addresses) with exclusions, iterated to the end: bounded time, no memory growth. */
static void test_stream_slash12(void **st)
{
    (void)st;
    char err[256];
    struct target_set *ts = set_of((const char *[]){"10.16.0.0/12", NULL});
    assert_int_equal(targets_exclude_list(ts, "10.16.0.0/16,10.20.*.0,10.31.255.255,10.24.0-3.*", err, sizeof err), 0);
    long before = rss_kb();
    clock_t t0 = clock();
    struct target_addr t;
    uint64_t n = 0;
    uint32_t last = 0;
    while (targets_next(ts, &t) == 1) {
        uint32_t a = v4(&t);
        assert_true(a > last || n == 0);
        last = a;
        n++;
    }
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    long grown = rss_kb() - before;
    assert_int_equal(n, (1 << 20) - 65536 - 256 - 1 - 4 * 256);
    assert_int_equal(last, ip("10.31.255.254"));
    assert_true(grown < 2048); /* a 4-byte-per-address list would be 4 MB */
    assert_true(secs < 20.0);  /* hang guard; expected well under a second */
    targets_free(ts);
}

/* SMBGUARD_SLOW=1: a whole /8 (16M addresses) with exclusions, in both orders. */
static void test_stream_slash8_slow(void **st)
{
    (void)st;
    if (!getenv("SMBGUARD_SLOW"))
        skip();
    for (int r = 0; r < 2; r++) {
        char err[256];
        struct target_set *ts = set_of((const char *[]){"127.0.0.0/8", NULL});
        assert_int_equal(targets_exclude_list(ts, "127.0.0.0/16,127.1-2.*.1", err, sizeof err), 0);
        if (r)
            targets_randomize(ts, 11);
        long before = rss_kb();
        struct target_addr t;
        uint64_t n = 0;
        while (targets_next(ts, &t) == 1)
            n++;
        assert_int_equal(n, (1 << 24) - 65536 - 2 * 256);
        assert_true(rss_kb() - before < 2048);
        targets_free(ts);
    }
}

static void test_addr_str(void **st)
{
    (void)st;
    char buf[64];
    struct target_addr t;
    memset(&t, 0, sizeof t);
    t.family = AF_UNSPEC;
    t.name = "x.example";
    assert_string_equal(target_addr_str(&t, buf, sizeof buf), "x.example");
    t.family = AF_INET;
    t.a.v4.s_addr = htonl(ip("1.2.3.4"));
    assert_string_equal(target_addr_str(&t, buf, sizeof buf), "1.2.3.4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_v4),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_cidr_zero_first),
        cmocka_unit_test(test_octet_ranges),
        cmocka_unit_test(test_wildcard_and_lists),
        cmocka_unit_test(test_mixed_octets),
        cmocka_unit_test(test_whole_range),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_host_names),
        cmocka_unit_test(test_localhost),
        cmocka_unit_test(test_order_across_specs),
        cmocka_unit_test(test_loopback_slash8),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_file_stdin),
        cmocka_unit_test(test_exclusions_v4),
        cmocka_unit_test(test_exclude_list_and_wide_octets),
        cmocka_unit_test(test_exclude_file_and_names),
        cmocka_unit_test(test_exclusions_v6),
        cmocka_unit_test(test_exclusion_skips_blocks_v4),
        cmocka_unit_test(test_randomize_permutation),
        cmocka_unit_test(test_randomize_sizes),
        cmocka_unit_test(test_randomize_with_exclusions),
        cmocka_unit_test(test_randomize_v6_stream),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_spec_cap),
        cmocka_unit_test(test_stream_slash12),
        cmocka_unit_test(test_stream_slash8_slow),
        cmocka_unit_test(test_addr_str),
    };
    if (getenv("SG_TEST_FILTER")) /* e.g. SG_TEST_FILTER='*random*' */
        cmocka_set_test_filter(getenv("SG_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
