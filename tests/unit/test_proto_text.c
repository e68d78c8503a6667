/* test_proto_text.c: the wire-text helpers used by the codecs (core/text.c): truncation on
 * character boundaries, NUL handling, control characters and surrogates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/text.h"

static void test_utf16_basic(void **state)
{
    (void)state;
    static const uint8_t w[] = {'W', 0, 'i', 0, 'n', 0, 0, 0, 'X', 0};
    char out[16];
    /* stops at the NUL code unit and reports it consumed */
    assert_int_equal(text_utf16le_to_utf8(w, sizeof w, out, sizeof out), 8);
    assert_string_equal(out, "Win");
    /* no NUL inside nbytes: everything consumed; odd trailing byte ignored */
    assert_int_equal(text_utf16le_to_utf8(w, 5, out, sizeof out), 4);
    assert_string_equal(out, "Wi");
    /* truncation keeps the terminator */
    assert_int_equal(text_utf16le_to_utf8(w, sizeof w, out, 3), 8);
    assert_string_equal(out, "Wi");
    assert_int_equal(text_utf16le_to_utf8(w, 0, out, sizeof out), 0);
    assert_string_equal(out, "");
}

static void test_utf16_non_ascii(void **state)
{
    (void)state;
    /* "é€😀" = U+00E9, U+20AC, U+1F600 (surrogate pair D83D DE00) */
    static const uint8_t w[] = {0xE9, 0x00, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE};
    char out[32];
    text_utf16le_to_utf8(w, sizeof w, out, sizeof out);
    assert_string_equal(out, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    /* room for 2 + 3 bytes + NUL only: never a cut sequence */
    text_utf16le_to_utf8(w, sizeof w, out, 9);
    assert_string_equal(out, "\xC3\xA9\xE2\x82\xAC");
    text_utf16le_to_utf8(w, sizeof w, out, 5);
    assert_string_equal(out, "\xC3\xA9");
    /* unpaired surrogates and control characters */
    static const uint8_t bad[] = {0x3D, 0xD8, 'A', 0, 0x00, 0xDC, 0x07, 0x00};
    text_utf16le_to_utf8(bad, sizeof bad, out, sizeof out);
    assert_string_equal(out, "\xEF\xBF\xBD" "A" "\xEF\xBF\xBD" "?");
}

static void test_ascii_copy(void **state)
{
    (void)state;
    char out[8];
    static const uint8_t s[] = {'W', 'O', 'R', 'K', 0x01, 0xE9, 0, 'Z'};
    assert_int_equal(text_ascii_copy(s, sizeof s, out, sizeof out), 7);
    assert_string_equal(out, "WORK??");
    assert_int_equal(text_ascii_copy(s, 3, out, sizeof out), 3);
    assert_string_equal(out, "WOR");
    text_ascii_copy(s, sizeof s, out, 3);
    assert_string_equal(out, "WO");
}

static void test_to_utf16(void **state)
{
    (void)state;
    uint8_t out[16];
    assert_int_equal(text_ascii_to_utf16le("IPC$", out, sizeof out), 8);
    assert_memory_equal(out, "I\0P\0C\0$\0", 8);
    assert_int_equal(text_ascii_to_utf16le("IPC$", out, 7), 0);
    assert_int_equal(text_ascii_to_utf16le("\xC3\xA9x", out, sizeof out), 4); /* one '?' per char */
    assert_memory_equal(out, "?\0x\0", 4);
    assert_int_equal(text_utf8_to_utf16le("\xC3\xA9\xF0\x9F\x98\x80", out, sizeof out), 6);
    assert_memory_equal(out, "\xE9\x00\x3D\xD8\x00\xDE", 6);
    assert_int_equal(text_utf8_to_utf16le("\xF0\x9F\x98\x80", out, 3), 0);
}

static void test_copy(void **state)
{
    (void)state;
    char d[4];
    text_copy(d, sizeof d, "abcdef");
    assert_string_equal(d, "abc");
    text_copy(d, sizeof d, NULL);
    assert_string_equal(d, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf16_basic),
        cmocka_unit_test(test_utf16_non_ascii),
        cmocka_unit_test(test_ascii_copy),
        cmocka_unit_test(test_to_utf16),
        cmocka_unit_test(test_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
