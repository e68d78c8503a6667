/* test_proto_http.c: HTTP/1.x request line, Host header and status line parsing
 * (src/proto/http.c), including the WannaCry kill-switch request shape and truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "proto/http.h"

#define KS "www.iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com"

static int req(const char *s, struct http_req *r)
{
    return http_parse_request((const uint8_t *)s, strlen(s), r);
}

static void test_killswitch_request(void **state)
{
    (void)state;
    /* WinINet InternetOpenUrlA request shape */
    static const char s[] = "GET / HTTP/1.1\r\nUser-Agent: x\r\nHost: WWW.iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com\r\n"
                            "Cache-Control: no-cache\r\n\r\n";
    struct http_req r;
    assert_int_equal(req(s, &r), 0);
    assert_string_equal(r.method, "GET");
    assert_string_equal(r.target, "/");
    assert_int_equal(r.version_minor, 1);
    assert_true(r.has_host);
    assert_string_equal(r.host, KS);
    assert_true(r.headers_complete);
    /* every truncation: need more before the first CRLF, then a request (host once it is there) */
    size_t first = strlen("GET / HTTP/1.1\r\n");
    const char *h = strstr(s, "\r\nHost:") + 2;
    size_t host_end = (size_t)(strstr(h, "\r\n") - s) + 2;
    for (size_t k = 0; k < sizeof s - 1; k++) {
        char cut[256];
        memcpy(cut, s, k);
        int rc = http_parse_request((const uint8_t *)cut, k, &r);
        if (k < first) {
            assert_int_equal(rc, 1);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(r.has_host, k >= host_end);
            if (r.has_host)
                assert_string_equal(r.host, KS);
        }
    }
}

static void test_host_forms(void **state)
{
    (void)state;
    struct http_req r;
    assert_int_equal(req("GET http://x/ HTTP/1.0\nhOsT:\t" KS ":80 \n\n", &r), 0);
    assert_string_equal(r.host, KS);
    assert_int_equal(r.version_minor, 0);
    assert_string_equal(r.target, "http://x/");
    assert_int_equal(req("GET / HTTP/1.1\r\nHost: " KS ".\r\n\r\n", &r), 0);
    assert_string_equal(r.host, KS);
    assert_int_equal(req("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n", &r), 0);
    assert_string_equal(r.host, "[2001:db8::1]");
    /* the first Host wins; X-Host is not Host */
    assert_int_equal(req("GET / HTTP/1.1\r\nX-Host: a\r\nHost: b\r\nHost: c\r\n\r\n", &r), 0);
    assert_string_equal(r.host, "b");
    assert_int_equal(req("POST /a%20b HTTP/1.1\r\n\r\n", &r), 0);
    assert_false(r.has_host);
    assert_string_equal(r.method, "POST");
}

static void test_not_http(void **state)
{
    (void)state;
    struct http_req r;
    assert_int_equal(http_parse_request((const uint8_t *)"\x00\x00\x00\x2f\xffSMBr", 9, &r), -1);
    assert_int_equal(req("GET / HTTP/2.0\r\n", &r), -1);
    assert_int_equal(req("GET /\r\n", &r), -1);
    assert_int_equal(req(" / HTTP/1.1\r\n", &r), -1);
    assert_int_equal(req("GE(T / HTTP/1.1\r\n", &r), -1);
    assert_int_equal(req("GET", &r), 1);
    assert_int_equal(req("", &r), 1);
    /* an endless first line is given up */
    static char longline[9000];
    memcpy(longline, "GET /", 5);
    memset(longline + 5, 'a', sizeof longline - 6);
    assert_int_equal(http_parse_request((const uint8_t *)longline, sizeof longline - 1, &r), -1);
    /* long targets are truncated but still parse */
    char lt[600];
    int n = snprintf(lt, sizeof lt, "GET /%0500d HTTP/1.1\r\nHost: h\r\n\r\n", 0);
    assert_int_equal(http_parse_request((const uint8_t *)lt, (size_t)n, &r), 0);
    assert_true(r.target_truncated);
    assert_int_equal(strlen(r.target), HTTP_MAX_TARGET - 1);
    assert_string_equal(r.host, "h");
}

static void test_response(void **state)
{
    (void)state;
    struct http_resp r;
#define RESP(s) http_parse_response((const uint8_t *)(s), strlen(s), &r)
    assert_int_equal(RESP("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n"), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.version_minor, 1);
    assert_int_equal(RESP("HTTP/1.0 503 Service Unavailable\r\n"), 0);
    assert_int_equal(r.status, 503);
    assert_int_equal(RESP("HTTP/1.1 404\r\n"), 0);
    assert_int_equal(r.status, 404);
    assert_int_equal(RESP("HTTP/1.1 200 OK"), 1);
    assert_int_equal(RESP("HTTP/1"), 1);
    assert_int_equal(RESP(""), 1);
    assert_int_equal(RESP("HTTX/1.1 200 OK\r\n"), -1);
    assert_int_equal(RESP("HTTP/1.1 20 OK\r\n"), -1);
    assert_int_equal(RESP("HTTP/1.1 099 x\r\n"), -1);
    assert_int_equal(RESP("HTTP/1.1 2000 x\r\n"), -1);
    assert_int_equal(RESP("GET / HTTP/1.1\r\n"), -1);
#undef RESP
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killswitch_request),
        cmocka_unit_test(test_host_forms),
        cmocka_unit_test(test_not_http),
        cmocka_unit_test(test_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
