/* test_proto_ntstatus.c: names, reasons and the access-denied set of decisions.md 5. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/ntstatus.h"

static const struct { uint32_t st; const char *name, *reason; } known[] = {
    {NT_STATUS_SUCCESS, "STATUS_SUCCESS", "success"},
    {NT_STATUS_NOT_IMPLEMENTED, "STATUS_NOT_IMPLEMENTED", "not_implemented"},
    {NT_STATUS_INVALID_HANDLE, "STATUS_INVALID_HANDLE", "invalid_handle"},
    {NT_STATUS_INVALID_PARAMETER, "STATUS_INVALID_PARAMETER", "invalid_parameter"},
    {NT_STATUS_MORE_PROCESSING_REQUIRED, "STATUS_MORE_PROCESSING_REQUIRED", "more_processing_required"},
    {NT_STATUS_ACCESS_DENIED, "STATUS_ACCESS_DENIED", "access_denied"},
    {NT_STATUS_WRONG_PASSWORD, "STATUS_WRONG_PASSWORD", "wrong_password"},
    {NT_STATUS_LOGON_FAILURE, "STATUS_LOGON_FAILURE", "logon_failure"},
    {NT_STATUS_ACCOUNT_RESTRICTION, "STATUS_ACCOUNT_RESTRICTION", "account_restriction"},
    {NT_STATUS_ACCOUNT_DISABLED, "STATUS_ACCOUNT_DISABLED", "account_disabled"},
    {NT_STATUS_NOT_SUPPORTED, "STATUS_NOT_SUPPORTED", "not_supported"},
    {NT_STATUS_BAD_NETWORK_NAME, "STATUS_BAD_NETWORK_NAME", "bad_network_name"},
    {NT_STATUS_REQUEST_NOT_ACCEPTED, "STATUS_REQUEST_NOT_ACCEPTED", "request_not_accepted"},
    {NT_STATUS_LOGON_TYPE_NOT_GRANTED, "STATUS_LOGON_TYPE_NOT_GRANTED", "logon_type_not_granted"},
    {NT_STATUS_INSUFF_SERVER_RESOURCES, "STATUS_INSUFF_SERVER_RESOURCES", "insuff_server_resources"},
    {NT_STATUS_ACCOUNT_LOCKED_OUT, "STATUS_ACCOUNT_LOCKED_OUT", "account_locked_out"},
    /* SMB1 class/code values (MS-SMB 2.2.2.4), seen from a 2012 R2 DC after the exploit */
    {0x00010002u, "STATUS_INVALID_SMB", "invalid_smb"},
    {0x00050002u, "STATUS_SMB_BAD_TID", "smb_bad_tid"},
    {0x005B0002u, "STATUS_SMB_BAD_UID", "smb_bad_uid"},
    {0xC0000203u, "STATUS_USER_SESSION_DELETED", "user_session_deleted"},
    {0xC00000C9u, "STATUS_NETWORK_NAME_DELETED", "network_name_deleted"},
    {0x80000005u, "STATUS_BUFFER_OVERFLOW", "buffer_overflow"},
};

static void test_names_and_reasons(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        assert_non_null(ntstatus_name(known[i].st));
        assert_string_equal(ntstatus_name(known[i].st), known[i].name);
        assert_string_equal(ntstatus_reason(known[i].st), known[i].reason);
    }
    assert_null(ntstatus_name(0xC0FFEE00u));
    assert_null(ntstatus_reason(0xC0FFEE00u));
    /* the DOS form of STATUS_INSUFF_SERVER_RESOURCES (ERRDOS/ERRnomem) is not the NT code */
    assert_null(ntstatus_reason(0x00080001u));
}

static void check_snake(uint32_t st)
{
    const char *r = ntstatus_reason(st);
    if (!r)
        return;
    assert_non_null(ntstatus_name(st));
    assert_true(strncmp(ntstatus_name(st), "STATUS_", 7) == 0);
    for (const char *p = r; *p; p++)
        assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
}

/* reasons go into NDJSON/CSV as codes: lower-case snake_case only */
static void test_reasons_are_snake_case(void **state)
{
    (void)state;
    for (uint32_t lo = 0; lo < 0x400; lo++) {
        check_snake(0xC0000000u | lo);
        check_snake(0x80000000u | lo);
        check_snake(lo);
        check_snake((lo << 16) | 0x0002u);
    }
}

/* decisions.md 5: exactly these statuses count as access denied. */
static void test_access_denied_set(void **state)
{
    (void)state;
    static const uint32_t yes[] = {0xC0000022u, 0xC000006Du, 0xC000006Eu, 0xC0000072u,
                                   0xC000015Bu, 0xC00000BBu};
    static const uint32_t no[] = {0, 0xC0000205u, 0xC0000008u, 0xC0000234u, 0xC00000D0u,
                                  0xC00000CCu, 0xC0000016u, 0xC0000002u, 0x00050001u};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(ntstatus_is_access_denied(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(ntstatus_is_access_denied(no[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_reasons),
        cmocka_unit_test(test_reasons_are_snake_case),
        cmocka_unit_test(test_access_denied_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
