/* test_proto_killswitch.c: the kill-switch label table (protocol.md 9.1) and whole-label,
 * case-insensitive matching (decisions.md 9), with near misses that must not match. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "proto/killswitch.h"

static void test_table(void **state)
{
    (void)state;
    static const char *const exact[] = {
        "iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea", "ifferfsodp9ifjaposdfjhgosurijfaewrwergwea",
        "ayylmaotjhsstasdfasdfasdfasdfasdfasdfasdf", "iuqssfsodp9ifjaposdfjhgosurijfaewrwergwea",
        "iuqerfsodp9ifjaposdfjhgosurijfaewrwergweb",
    };
    assert_int_equal(killswitch_nlabels, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(killswitch_labels[i].label, exact[i]);
        assert_int_equal(strlen(killswitch_labels[i].label), KILLSWITCH_LABEL_LEN);
        assert_non_null(killswitch_labels[i].note);
        assert_ptr_equal(killswitch_match(exact[i]), &killswitch_labels[i]);
    }
}

static void test_matches(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "www.iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com",
        "iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com",
        "WWW.IUQERFSODP9IFJAPOSDFJHGOSURIJFAEWRWERGWEA.COM",
        "www.iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com.",
        "IFFERFSODP9IFJAPOSDFJHGOSURIJFAEWRWERGWEA.com",
        "www.ifferfsodp9ifjaposdfjhgosurijfaewrwergwea.com",
        "ayylmaotjhsstasdfasdfasdfasdfasdfasdfasdf",
        "ayylmaotjhsstasdfasdfasdfasdfasdfasdfasdf.test",
        "x.iuqssfsodp9ifjaposdfjhgosurijfaewrwergwea.local",
        "a.b.c.iuqerfsodp9ifjaposdfjhgosurijfaewrwergweb.net",
        "iuqerfsodp9ifjaposdfjhgosurijfaewrwergweb.co.uk",
        "iuqerfsodp9ifjaposdfjhgosurijfaewrwergweB.com",       /* the ET 2024296 label, upper B */
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!killswitch_match(yes[i]))
            fail_msg("no match: %s", yes[i]);
    assert_string_equal(killswitch_match(yes[4])->label, "ifferfsodp9ifjaposdfjhgosurijfaewrwergwea");
}

static void test_near_misses(void **state)
{
    (void)state;
    static const char *const no[] = {
        "iuqerfsodp9ifjaposdfjhgosurijfaewrwergweaa.com",      /* 42 characters */
        "aiuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com",      /* prefix */
        "iuqerfsodp9ifjaposdfjhgosurijfaewrwergwe.com",        /* 40 characters */
        "iuqerfsodp9ifjaposdfjhgosur.ijfaewrwergwea.com",      /* split across two labels */
        "wwwiuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com",    /* www without the dot */
        "iuqerfsodp9ifjaposdfjhgosurijfaewrwergwec.com",       /* last character */
        "iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea-com",       /* no label boundary */
        "iuqerfsodp9ifjaposdfjhgosurijfaewrwergwe\\097.com",   /* escaped text is not the label */
        "iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea\\046com",   /* escaped dot inside one label */
        "ayylmaotjhsstasdfasdfasdfasdfasdfasdfasd.com",
        "www.example.com", "", ".", "..", "com",
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        const struct killswitch_label *k = killswitch_match(no[i]);
        if (k)
            fail_msg("false match: %s", no[i]);
    }
    assert_null(killswitch_match(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_matches),
        cmocka_unit_test(test_near_misses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
