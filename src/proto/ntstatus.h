/* ntstatus.h: the NTSTATUS values smbguard reasons about, with names and snake_case reason codes. */
#ifndef SG_PROTO_NTSTATUS_H
#define SG_PROTO_NTSTATUS_H
#include <stdint.h>

#define NT_STATUS_SUCCESS                  0x00000000u
#define NT_STATUS_NOT_IMPLEMENTED          0xC0000002u
#define NT_STATUS_INVALID_HANDLE           0xC0000008u
#define NT_STATUS_INVALID_PARAMETER        0xC000000Du
#define NT_STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u
#define NT_STATUS_ACCESS_DENIED            0xC0000022u
#define NT_STATUS_WRONG_PASSWORD           0xC000006Au
#define NT_STATUS_LOGON_FAILURE            0xC000006Du
#define NT_STATUS_ACCOUNT_RESTRICTION      0xC000006Eu
#define NT_STATUS_ACCOUNT_DISABLED         0xC0000072u
#define NT_STATUS_NOT_SUPPORTED            0xC00000BBu
#define NT_STATUS_BAD_NETWORK_NAME         0xC00000CCu
#define NT_STATUS_REQUEST_NOT_ACCEPTED     0xC00000D0u
#define NT_STATUS_LOGON_TYPE_NOT_GRANTED   0xC000015Bu
#define NT_STATUS_INSUFF_SERVER_RESOURCES  0xC0000205u
#define NT_STATUS_ACCOUNT_LOCKED_OUT       0xC0000234u

/* "STATUS_ACCESS_DENIED" or NULL. */
const char *ntstatus_name(uint32_t st);
/* snake_case reason such as "access_denied", "logon_failure"; "status_0xXXXXXXXX" style for
 * unknown ones is written by the caller. NULL when unknown. */
const char *ntstatus_reason(uint32_t st);
/* 1 for the statuses decisions.md section 5 counts as access denied. */
int ntstatus_is_access_denied(uint32_t st);

#endif
