/* test_sinks.c: the record (model/record.c) and the output sinks (sink/sink*.c): exact bytes of NDJSON,
 * CSV and the terminal table written to temporary files, JSON types read back with cJSON, the CSV
 * formula guard, table alignment with Japanese text, arena truncation and I/O error reporting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/record.h"
#include "sink/sink.h"

static struct record g_rec; /* large: keep it off the stack */

/* ---- helpers ---- */

static char *temp_path(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/sg_sinks_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

/* Whole file into a NUL-terminated malloc'd buffer; *len excludes the NUL. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static char *slurp_stream(FILE *f)
{
    rewind(f);
    size_t cap = 1 << 16, n = fread(NULL, 0, 0, f);
    char *buf = malloc(cap);
    assert_non_null(buf);
    n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    return buf;
}

/* Runs fn with stderr redirected to a file; returns what was written there. */
static char *capture_stderr(void (*fn)(void *), void *arg)
{
    char *path = temp_path();
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char *out = slurp(path, NULL);
    unlink(path);
    return out;
}

static unsigned count_of(const char *hay, const char *needle)
{
    unsigned n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* A small record exercising every field type and the escaping cases. */
static void small_record(struct record *r)
{
    static const int64_t ports[] = {139, 445};
    static const char *const dialects[] = {"2.1", "3.1.1"};
    record_reset(r, "scan");
    record_str(r, "ip", "10.0.0.1");
    record_int(r, "port", 445);
    record_int_array(r, "ports_open", ports, 2);
    record_bool(r, "smb1", 1);
    record_str(r, "os", NULL);
    record_str_array(r, "smb2_dialects", dialects, 2);
    record_str(r, "detail", "q\"b\\n\nc\x01");
    record_str(r, "jp", "日本");
    record_str(r, "bad", "a\xff" "b");
    record_int(r, "neg", INT64_MIN);
    record_tri(r, "signing_required_smb2", -1);
}

/* ---- record ---- */

static void test_record_fields(void **st)
{
    (void)st;
    struct record *r = &g_rec;
    small_record(r);
    assert_string_equal(r->kind, "scan");
    assert_int_equal(r->n_fields, 11);
    assert_false(r->truncated);
    const struct field *f = record_get(r, "ip");
    assert_non_null(f);
    assert_int_equal(f->type, FT_STR);
    assert_string_equal(f->v.s, "10.0.0.1");
    assert_true(f->v.s >= r->arena && f->v.s < r->arena + RECORD_ARENA); /* copied */
    assert_int_equal(record_get(r, "os")->type, FT_NULL);
    assert_int_equal(record_get(r, "signing_required_smb2")->type, FT_NULL);
    f = record_get(r, "ports_open");
    assert_int_equal(f->type, FT_INT_ARRAY);
    assert_int_equal(f->n, 2);
    assert_int_equal(f->ia[1], 445);
    assert_null(record_get(r, "missing"));

    record_reset(r, "scan");
    record_tri(r, "a", 0);
    record_tri(r, "b", 1);
    assert_int_equal(r->fields[0].type, FT_BOOL);
    assert_int_equal(r->fields[0].v.b, 0);
    assert_int_equal(r->fields[1].v.b, 1);
    assert_int_equal(r->n_fields, 2);
    assert_int_equal(r->arena_used, 0);
}

static void test_record_truncation(void **st)
{
    (void)st;
    struct record *r = &g_rec;
    char *big = malloc(RECORD_ARENA + 100);
    assert_non_null(big);

    /* a string larger than the arena is cut to fit, never overflowing */
    memset(big, 'a', RECORD_ARENA + 99);
    big[RECORD_ARENA + 99] = '\0';
    record_reset(r, "scan");
    record_str(r, "detail", big);
    assert_true(r->truncated);
    assert_int_equal(strlen(record_get(r, "detail")->v.s), RECORD_ARENA - 1);
    record_str(r, "after", "x"); /* the arena is full: the field exists, empty */
    assert_string_equal(record_get(r, "after")->v.s, "");
    assert_true(r->arena_used <= RECORD_ARENA);

    /* a cut never splits a UTF-8 character: 6 bytes left, "日本" needs 7 */
    memset(big, 'a', RECORD_ARENA - 7);
    big[RECORD_ARENA - 7] = '\0';
    record_reset(r, "scan");
    record_str(r, "fill", big);
    assert_false(r->truncated);
    record_str(r, "jp", "日本");
    assert_true(r->truncated);
    assert_string_equal(record_get(r, "jp")->v.s, "日");

    /* too many fields; too many array elements */
    record_reset(r, "scan");
    for (int i = 0; i < RECORD_MAX_FIELDS; i++)
        record_int(r, "n", i);
    assert_false(r->truncated);
    record_int(r, "one_too_many", 1);
    assert_true(r->truncated);
    assert_int_equal(r->n_fields, RECORD_MAX_FIELDS);
    record_reset(r, "scan");
    assert_false(r->truncated);
    int64_t many[RECORD_MAX_ARRAY + 4];
    for (int i = 0; i < RECORD_MAX_ARRAY + 4; i++)
        many[i] = i;
    record_int_array(r, "ports_open", many, RECORD_MAX_ARRAY + 4);
    assert_true(r->truncated);
    assert_int_equal(record_get(r, "ports_open")->n, RECORD_MAX_ARRAY);
    free(big);
}

/* ---- NDJSON ---- */

static void test_ndjson_exact(void **st)
{
    (void)st;
    char *path = temp_path();
    struct sink *s = sink_ndjson_open(path);
    assert_non_null(s);
    small_record(&g_rec);
    assert_int_equal(sink_emit(s, &g_rec), 0);
    /* flushed per record: the line is on disk before close */
    char *mid = slurp(path, NULL);
    assert_true(strlen(mid) > 0 && mid[strlen(mid) - 1] == '\n');
    free(mid);
    record_reset(&g_rec, "scan");
    record_str(&g_rec, "ip", "::1");
    assert_int_equal(sink_emit(s, &g_rec), 0);
    assert_int_equal(sink_close_all(s), 0);
    char *got = slurp(path, NULL);
    const char *want =
        "{\"ip\":\"10.0.0.1\",\"port\":445,\"ports_open\":[139,445],\"smb1\":true,\"os\":null,"
        "\"smb2_dialects\":[\"2.1\",\"3.1.1\"],\"detail\":\"q\\\"b\\\\n\\nc\\u0001\",\"jp\":\"日本\","
        "\"bad\":\"a\xEF\xBF\xBD" "b\",\"neg\":-9223372036854775808,\"signing_required_smb2\":null}\n"
        "{\"ip\":\"::1\"}\n";
    assert_string_equal(got, want);
    free(got);
    unlink(path);
}

static void test_ndjson_types_roundtrip(void **st)
{
    (void)st;
    char *path = temp_path();
    struct sink *s = sink_ndjson_open(path);
    assert_non_null(s);
    small_record(&g_rec);
    assert_int_equal(sink_emit(s, &g_rec), 0);
    assert_int_equal(sink_close_all(s), 0);
    char *got = slurp(path, NULL);
    cJSON *j = cJSON_Parse(got);
    assert_non_null(j);
    /* the fields in record order, with their JSON types */
    static const char *const order[] = {"ip", "port", "ports_open", "smb1", "os", "smb2_dialects",
                                        "detail", "jp", "bad", "neg", "signing_required_smb2"};
    unsigned i = 0;
    for (cJSON *c = j->child; c; c = c->next, i++)
        assert_string_equal(c->string, order[i]);
    assert_int_equal(i, 11);
    assert_true(cJSON_IsString(cJSON_GetObjectItem(j, "ip")));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(j, "port")));
    assert_int_equal(cJSON_GetObjectItem(j, "port")->valueint, 445);
    cJSON *po = cJSON_GetObjectItem(j, "ports_open");
    assert_true(cJSON_IsArray(po));
    assert_int_equal(cJSON_GetArraySize(po), 2);
    assert_int_equal(cJSON_GetArrayItem(po, 0)->valueint, 139);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "smb1")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "os")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "signing_required_smb2")));
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "smb2_dialects"), 1)->valuestring, "3.1.1");
    assert_string_equal(cJSON_GetObjectItem(j, "detail")->valuestring, "q\"b\\n\nc\x01");
    assert_string_equal(cJSON_GetObjectItem(j, "jp")->valuestring, "日本");
    cJSON_Delete(j);
    free(got);
    unlink(path);
}

static void write_to_full(void *arg)
{
    int *rcs = arg;
    struct sink *s = sink_ndjson_open("/dev/full");
    assert_non_null(s);
    small_record(&g_rec);
    rcs[0] = sink_emit(s, &g_rec);
    rcs[1] = sink_emit(s, &g_rec);
    rcs[2] = sink_close_all(s);
}

static void test_ndjson_io_error_once(void **st)
{
    (void)st;
    if (access("/dev/full", W_OK) != 0)
        skip();
    int rcs[3];
    char *err = capture_stderr(write_to_full, rcs);
    assert_int_equal(rcs[0], -1);
    assert_int_equal(rcs[1], -1);
    assert_int_equal(rcs[2], -1);
    assert_int_equal(count_of(err, "smbguard: error:"), 1); /* reported once */
    assert_non_null(strstr(err, "/dev/full"));
    free(err);
}

static void open_missing(void *arg)
{
    struct sink **out = arg;
    out[0] = sink_ndjson_open("/nonexistent-dir/out.ndjson");
    out[1] = sink_csv_open("/nonexistent-dir/out.csv");
}

static void test_open_failure(void **st)
{
    (void)st;
    struct sink *out[2];
    char *err = capture_stderr(open_missing, out);
    assert_null(out[0]);
    assert_null(out[1]);
    assert_non_null(strstr(err, "cannot open '/nonexistent-dir/out.ndjson'"));
    assert_non_null(strstr(err, "cannot open '/nonexistent-dir/out.csv'"));
    free(err);
}

static void test_ndjson_stdout(void **st)
{
    (void)st;
    char *path = temp_path();
    fflush(stdout);
    int saved = dup(1);
    int fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 1);
    close(fd);
    struct sink *s = sink_ndjson_open("-");
    record_reset(&g_rec, "scan");
    record_str(&g_rec, "ip", "10.0.0.9");
    int rc1 = sink_emit(s, &g_rec);
    int rc2 = sink_close_all(s);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    assert_int_equal(rc1, 0);
    assert_int_equal(rc2, 0);
    assert_int_equal(fputs("", stdout) >= 0, 1); /* stdout was not closed */
    char *got = slurp(path, NULL);
    assert_string_equal(got, "{\"ip\":\"10.0.0.9\"}\n");
    free(got);
    unlink(path);
}

/* ---- CSV ---- */

static void test_csv_exact(void **st)
{
    (void)st;
    static const int64_t ports[] = {139, 445};
    static const char *const dialects[] = {"2.1", "3.1.1"};
    char *path = temp_path();
    struct sink *s = sink_csv_open(path);
    assert_non_null(s);
    struct record *r = &g_rec;
    record_reset(r, "scan");
    record_str(r, "ip", "10.0.0.1");
    record_int(r, "port", 445);
    record_int_array(r, "ports_open", ports, 2);
    record_str_array(r, "smb2_dialects", dialects, 2);
    record_str(r, "detail", "a, \"b\"\r\nc");
    record_bool(r, "smb1", 1);
    record_bool(r, "signing", 0);
    record_str(r, "os", NULL);
    record_str(r, "f1", "=cmd|' /C calc'!A0");
    record_str(r, "f2", "-1+1");
    record_str(r, "f3", "@SUM(1,2)");
    record_str(r, "f4", "+1");
    record_str(r, "jp", "日本語");
    record_int(r, "n", -5);
    assert_int_equal(sink_emit(s, r), 0);
    /* a second record of the same schema with fields in another order and one missing */
    record_reset(r, "scan");
    record_int(r, "port", 139);
    record_str(r, "ip", "10.0.0.2");
    record_str(r, "extra", "dropped");
    assert_int_equal(sink_emit(s, r), 0);
    assert_int_equal(sink_close_all(s), 0);
    size_t len;
    char *got = slurp(path, &len);
    const char *want =
        "\xEF\xBB\xBF"
        "ip,port,ports_open,smb2_dialects,detail,smb1,signing,os,f1,f2,f3,f4,jp,n\r\n"
        "10.0.0.1,445,139;445,2.1;3.1.1,\"a, \"\"b\"\"\r\nc\",true,false,,'=cmd|' /C calc'!A0,'-1+1,"
        "\"'@SUM(1,2)\",'+1,日本語,-5\r\n"
        "10.0.0.2,139,,,,,,,,,,,,\r\n";
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    free(got);
    unlink(path);
}

static void test_csv_empty(void **st)
{
    (void)st;
    char *path = temp_path();
    struct sink *s = sink_csv_open(path);
    assert_int_equal(sink_close_all(s), 0);
    size_t len;
    char *got = slurp(path, &len);
    assert_int_equal(len, 0); /* no record, no header */
    free(got);
    unlink(path);
}

/* ---- table ---- */

static int not_closed(const struct record *r, void *arg)
{
    (void)arg;
    const struct field *f = record_get(r, "verdict");
    return !(f && f->type == FT_STR && strcmp(f->v.s, "closed") == 0);
}

static void row(const char *ip, const char *os, const char *verdict)
{
    record_reset(&g_rec, "scan");
    record_str(&g_rec, "ip", ip);
    record_str(&g_rec, "verdict", verdict);
    record_str(&g_rec, "os", os);
}

static void test_table_alignment(void **st)
{
    (void)st;
    static const char *const cols[] = {"ip", "os", "verdict"};
    FILE *f = tmpfile();
    assert_non_null(f);
    struct sink *s = sink_table_open(f, cols, 3, not_closed, NULL);
    assert_non_null(s);
    row("10.0.0.1", "Windows 7", "vulnerable");
    assert_int_equal(sink_emit(s, &g_rec), 0);
    row("10.0.0.22", "日本語サーバ", "patched"); /* 6 wide characters: 12 columns */
    assert_int_equal(sink_emit(s, &g_rec), 0);
    row("10.0.0.5", "x", "closed"); /* filtered out */
    assert_int_equal(sink_emit(s, &g_rec), 0);
    row("10.0.0.3", NULL, "unknown");
    assert_int_equal(sink_emit(s, &g_rec), 0);
    assert_int_equal(ftell(f), 0); /* buffered until close */
    assert_int_equal(sink_close_all(s), 0);
    char *got = slurp_stream(f);
    /* rows come out in natural address order, whatever order they were emitted in */
    const char *want =
        "ip         os            verdict\n"
        "10.0.0.1   Windows 7     vulnerable\n"
        "10.0.0.3   -             unknown\n"
        "10.0.0.22  日本語サーバ  patched\n";
    assert_string_equal(got, want);
    free(got);
    fclose(f);
}

static void test_table_cells(void **st)
{
    (void)st;
    static const char *const cols[] = {"detail", "ports_open", "smb1", "dialects", "missing"};
    static const int64_t ports[] = {139, 445};
    static const char *const dialects[] = {"2.1", "3.1.1"};
    FILE *f = tmpfile();
    struct sink *s = sink_table_open(f, cols, 5, NULL, NULL);
    record_reset(&g_rec, "scan");
    record_str(&g_rec, "detail", "0123456789012345678901234567890123456789TOOLONG");
    record_int_array(&g_rec, "ports_open", ports, 2);
    record_bool(&g_rec, "smb1", 0);
    record_str_array(&g_rec, "dialects", dialects, 2);
    sink_emit(s, &g_rec);
    record_reset(&g_rec, "scan");
    record_str(&g_rec, "detail", "evil\x1b[2Jterm\n日本語日本語日本語日本語日本語日本語日本語"); /* 55 columns */
    record_int_array(&g_rec, "ports_open", ports, 0);
    record_bool(&g_rec, "smb1", 1);
    sink_emit(s, &g_rec);
    assert_int_equal(sink_close_all(s), 0);
    char *got = slurp_stream(f);
    /* 40 columns at most: 39 + "…"; a wide character that would cross the limit is left out */
    const char *want =
        "detail                                    ports_open  smb1  dialects   missing\n"
        "012345678901234567890123456789012345678…  139,445     no    2.1,3.1.1  -\n"
        "evil?[2Jterm?日本語日本語日本語日本語日…  -           yes   -          -\n";
    assert_string_equal(got, want);
    free(got);
    fclose(f);
}

static void test_table_empty(void **st)
{
    (void)st;
    static const char *const cols[] = {"ip"};
    FILE *f = tmpfile();
    struct sink *s = sink_table_open(f, cols, 1, NULL, NULL);
    assert_int_equal(sink_close_all(s), 0);
    assert_int_equal(ftell(f), 0);
    fclose(f);
}

/* SMBGUARD_SLOW=1: the row cap and its notice. */
static void test_table_row_cap_slow(void **st)
{
    (void)st;
    if (!getenv("SMBGUARD_SLOW"))
        skip();
    static const char *const cols[] = {"n"};
    FILE *f = tmpfile();
    struct sink *s = sink_table_open(f, cols, 1, NULL, NULL);
    record_reset(&g_rec, "scan");
    record_int(&g_rec, "n", 1);
    for (unsigned i = 0; i < 1000000 + 3; i++)
        sink_emit(s, &g_rec);
    assert_int_equal(sink_close_all(s), 0);
    fseek(f, -200, SEEK_END);
    char tail[256];
    size_t n = fread(tail, 1, sizeof tail - 1, f);
    tail[n] = '\0';
    assert_non_null(strstr(tail, "(3 more rows not shown: the table keeps at most 1000000 rows"));
    fclose(f);
}

/* ---- chain ---- */

static void test_chain(void **st)
{
    (void)st;
    char p1[64], p2[64];
    snprintf(p1, sizeof p1, "%s", temp_path());
    snprintf(p2, sizeof p2, "%s", temp_path());
    struct sink *a = sink_ndjson_open(p1);
    struct sink *b = sink_csv_open(p2);
    a->next = b;
    record_reset(&g_rec, "scan");
    record_str(&g_rec, "ip", "10.0.0.1");
    assert_int_equal(sink_emit(a, &g_rec), 0);
    assert_int_equal(sink_emit(a, NULL), -1);
    assert_int_equal(sink_close_all(a), 0);
    char *x = slurp(p1, NULL), *y = slurp(p2, NULL);
    assert_string_equal(x, "{\"ip\":\"10.0.0.1\"}\n");
    assert_string_equal(y, "\xEF\xBB\xBFip\r\n10.0.0.1\r\n");
    free(x);
    free(y);
    unlink(p1);
    unlink(p2);
}

static void test_utf8_helpers(void **st)
{
    (void)st;
    uint32_t cp;
    assert_int_equal(sink_utf8_next("\xE6\x97\xA5", 3, &cp), 3);
    assert_int_equal(cp, 0x65E5);
    assert_int_equal(sink_utf8_next("\xE6\x97", 2, &cp), 1); /* cut */
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(sink_utf8_next("\xC0\x80", 2, &cp), 1); /* overlong */
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(sink_utf8_next("\xED\xA0\x80", 3, &cp), 1); /* surrogate */
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(sink_str_width("日本語abc"), 9);
    assert_int_equal(sink_str_width("ｱｲｳ"), 3);   /* halfwidth katakana: narrow */
    assert_int_equal(sink_str_width("ＡＢ"), 4);   /* fullwidth Latin: wide */
    assert_int_equal(sink_str_width("e\xCC\x81"), 1); /* combining acute */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_fields),
        cmocka_unit_test(test_record_truncation),
        cmocka_unit_test(test_ndjson_exact),
        cmocka_unit_test(test_ndjson_types_roundtrip),
        cmocka_unit_test(test_ndjson_io_error_once),
        cmocka_unit_test(test_open_failure),
        cmocka_unit_test(test_ndjson_stdout),
        cmocka_unit_test(test_csv_exact),
        cmocka_unit_test(test_csv_empty),
        cmocka_unit_test(test_table_alignment),
        cmocka_unit_test(test_table_cells),
        cmocka_unit_test(test_table_empty),
        cmocka_unit_test(test_table_row_cap_slow),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_utf8_helpers),
    };
    if (getenv("SG_TEST_FILTER"))
        cmocka_set_test_filter(getenv("SG_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
