/* ntstatus.c: names and snake_case reasons of the NTSTATUS values smbguard meets (MS-ERREF 2.3;
 * the SMB1 class/code values from MS-SMB 2.2.2.4). Const table, no state. */
#include "proto/ntstatus.h"
#include <stddef.h>

struct ntst {
    uint32_t code;
    const char *name;
    const char *reason;
};

static const struct ntst table[] = {
    {NT_STATUS_SUCCESS, "STATUS_SUCCESS", "success"},
    {0x00000103u, "STATUS_PENDING", "pending"},
    /* SMB1 ERRSRV class/code pairs read as a 32-bit status (MS-SMB 2.2.2.4). */
    {0x00010002u, "STATUS_INVALID_SMB", "invalid_smb"},
    {0x00050002u, "STATUS_SMB_BAD_TID", "smb_bad_tid"},
    {0x00160002u, "STATUS_SMB_BAD_COMMAND", "smb_bad_command"},
    {0x005B0002u, "STATUS_SMB_BAD_UID", "smb_bad_uid"},
    {0x00FB0002u, "STATUS_SMB_USE_STANDARD", "smb_use_standard"},
    {0x80000005u, "STATUS_BUFFER_OVERFLOW", "buffer_overflow"},
    {0xC0000001u, "STATUS_UNSUCCESSFUL", "unsuccessful"},
    {NT_STATUS_NOT_IMPLEMENTED, "STATUS_NOT_IMPLEMENTED", "not_implemented"},
    {0xC0000003u, "STATUS_INVALID_INFO_CLASS", "invalid_info_class"},
    {NT_STATUS_INVALID_HANDLE, "STATUS_INVALID_HANDLE", "invalid_handle"},
    {NT_STATUS_INVALID_PARAMETER, "STATUS_INVALID_PARAMETER", "invalid_parameter"},
    {0xC000000Fu, "STATUS_NO_SUCH_FILE", "no_such_file"},
    {0xC0000010u, "STATUS_INVALID_DEVICE_REQUEST", "invalid_device_request"},
    {0xC0000011u, "STATUS_END_OF_FILE", "end_of_file"},
    {NT_STATUS_MORE_PROCESSING_REQUIRED, "STATUS_MORE_PROCESSING_REQUIRED", "more_processing_required"},
    {NT_STATUS_ACCESS_DENIED, "STATUS_ACCESS_DENIED", "access_denied"},
    {0xC0000033u, "STATUS_OBJECT_NAME_INVALID", "object_name_invalid"},
    {0xC0000034u, "STATUS_OBJECT_NAME_NOT_FOUND", "object_name_not_found"},
    {0xC000003Au, "STATUS_OBJECT_PATH_NOT_FOUND", "object_path_not_found"},
    {0xC0000043u, "STATUS_SHARING_VIOLATION", "sharing_violation"},
    {0xC000005Eu, "STATUS_NO_LOGON_SERVERS", "no_logon_servers"},
    {0xC0000064u, "STATUS_NO_SUCH_USER", "no_such_user"},
    {NT_STATUS_WRONG_PASSWORD, "STATUS_WRONG_PASSWORD", "wrong_password"},
    {0xC000006Cu, "STATUS_PASSWORD_RESTRICTION", "password_restriction"},
    {NT_STATUS_LOGON_FAILURE, "STATUS_LOGON_FAILURE", "logon_failure"},
    {NT_STATUS_ACCOUNT_RESTRICTION, "STATUS_ACCOUNT_RESTRICTION", "account_restriction"},
    {0xC000006Fu, "STATUS_INVALID_LOGON_HOURS", "invalid_logon_hours"},
    {0xC0000070u, "STATUS_INVALID_WORKSTATION", "invalid_workstation"},
    {0xC0000071u, "STATUS_PASSWORD_EXPIRED", "password_expired"},
    {NT_STATUS_ACCOUNT_DISABLED, "STATUS_ACCOUNT_DISABLED", "account_disabled"},
    {0xC000009Au, "STATUS_INSUFFICIENT_RESOURCES", "insufficient_resources"},
    {0xC00000ACu, "STATUS_PIPE_NOT_AVAILABLE", "pipe_not_available"},
    {0xC00000B5u, "STATUS_IO_TIMEOUT", "io_timeout"},
    {NT_STATUS_NOT_SUPPORTED, "STATUS_NOT_SUPPORTED", "not_supported"},
    {0xC00000BEu, "STATUS_BAD_NETWORK_PATH", "bad_network_path"},
    {0xC00000C3u, "STATUS_INVALID_NETWORK_RESPONSE", "invalid_network_response"},
    {0xC00000C4u, "STATUS_UNEXPECTED_NETWORK_ERROR", "unexpected_network_error"},
    {0xC00000C9u, "STATUS_NETWORK_NAME_DELETED", "network_name_deleted"},
    {0xC00000CAu, "STATUS_NETWORK_ACCESS_DENIED", "network_access_denied"},
    {NT_STATUS_BAD_NETWORK_NAME, "STATUS_BAD_NETWORK_NAME", "bad_network_name"},
    {0xC00000CEu, "STATUS_TOO_MANY_SESSIONS", "too_many_sessions"},
    {NT_STATUS_REQUEST_NOT_ACCEPTED, "STATUS_REQUEST_NOT_ACCEPTED", "request_not_accepted"},
    {NT_STATUS_LOGON_TYPE_NOT_GRANTED, "STATUS_LOGON_TYPE_NOT_GRANTED", "logon_type_not_granted"},
    {0xC000018Du, "STATUS_TRUSTED_RELATIONSHIP_FAILURE", "trusted_relationship_failure"},
    {0xC0000193u, "STATUS_ACCOUNT_EXPIRED", "account_expired"},
    {0xC0000199u, "STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT", "nologon_workstation_trust_account"},
    {0xC0000203u, "STATUS_USER_SESSION_DELETED", "user_session_deleted"},
    {NT_STATUS_INSUFF_SERVER_RESOURCES, "STATUS_INSUFF_SERVER_RESOURCES", "insuff_server_resources"},
    {0xC000020Du, "STATUS_CONNECTION_RESET", "connection_reset"},
    {0xC0000224u, "STATUS_PASSWORD_MUST_CHANGE", "password_must_change"},
    {0xC0000225u, "STATUS_NOT_FOUND", "not_found"},
    {NT_STATUS_ACCOUNT_LOCKED_OUT, "STATUS_ACCOUNT_LOCKED_OUT", "account_locked_out"},
    {0xC000035Cu, "STATUS_NETWORK_SESSION_EXPIRED", "network_session_expired"},
};

static const struct ntst *find(uint32_t st)
{
    size_t lo = 0, hi = sizeof table / sizeof table[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (table[mid].code == st)
            return &table[mid];
        if (table[mid].code < st)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *ntstatus_name(uint32_t st)
{
    const struct ntst *e = find(st);
    return e ? e->name : NULL;
}

const char *ntstatus_reason(uint32_t st)
{
    const struct ntst *e = find(st);
    return e ? e->reason : NULL;
}

int ntstatus_is_access_denied(uint32_t st)
{
    switch (st) {
    case NT_STATUS_ACCESS_DENIED:
    case NT_STATUS_LOGON_FAILURE:
    case NT_STATUS_ACCOUNT_RESTRICTION:
    case NT_STATUS_ACCOUNT_DISABLED:
    case NT_STATUS_LOGON_TYPE_NOT_GRANTED:
    case NT_STATUS_NOT_SUPPORTED:
        return 1;
    default:
        return 0;
    }
}
