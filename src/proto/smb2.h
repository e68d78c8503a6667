/* smb2.h: SMB2/3 header, NEGOTIATE (all dialects, 3.1.1 with PREAUTH_INTEGRITY and ENCRYPTION
 * contexts) and SESSION_SETUP carrying an NTLMSSP blob. Pure codec: no I/O, no allocation.
 * Builders write a whole TCP message (NBSS header + SMB2) and return its length, or 0. */
#ifndef SG_PROTO_SMB2_H
#define SG_PROTO_SMB2_H
#include <stddef.h>
#include <stdint.h>

enum { SMB2_NEGOTIATE = 0, SMB2_SESSION_SETUP = 1, SMB2_TREE_CONNECT = 3, SMB2_CREATE = 5,
       SMB2_SET_INFO = 0x11 };
#define SMB2_FLAGS_RESPONSE 0x00000001u
#define SMB2_SECMODE_SIGN_REQUIRED 0x0002
#define SMB2_SESSION_FLAG_IS_GUEST 0x0001
#define SMB2_SESSION_FLAG_IS_NULL  0x0002

struct smb2_msg {
    uint32_t status;
    uint16_t cmd;
    uint32_t flags;
    uint32_t next_command;
    uint64_t message_id;
    uint32_t tree_id;
    uint64_t session_id;
    const uint8_t *body;   /* after the 64-byte header, up to next_command or the end */
    size_t body_len;
    const uint8_t *base;
    size_t len;
};
/* Parses one SMB2 message starting at FE 'SMB'. 0 ok, -1 malformed. */
int smb2_parse(const uint8_t *p, size_t n, struct smb2_msg *m);

/* NEGOTIATE offering 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1 (with contexts); signing enabled. */
size_t smb2_build_negotiate(uint8_t *out, size_t cap, uint64_t message_id, const uint8_t client_guid[16]);
/* NEGOTIATE offering exactly the given dialects (contexts only when 0x0311 is among them). */
size_t smb2_build_negotiate_dialects(uint8_t *out, size_t cap, uint64_t message_id, const uint8_t client_guid[16],
                                     const uint16_t *dialects, size_t n_dialects);
/* SESSION_SETUP with a security blob; session_id 0 for the first round. */
size_t smb2_build_session_setup(uint8_t *out, size_t cap, uint64_t message_id, uint64_t session_id,
                                const uint8_t *blob, size_t blob_len);

struct smb2_negotiate_rsp {
    uint16_t security_mode;
    uint16_t dialect;        /* 0x0202, 0x0210, 0x0300, 0x0302, 0x0311, 0x02FF */
    uint32_t capabilities;
    const uint8_t *sec_blob;
    size_t sec_blob_len;
};
int smb2_parse_negotiate_rsp(const struct smb2_msg *m, struct smb2_negotiate_rsp *r);

struct smb2_session_rsp {
    uint16_t session_flags;
    const uint8_t *sec_blob;
    size_t sec_blob_len;
};
int smb2_parse_session_setup_rsp(const struct smb2_msg *m, struct smb2_session_rsp *r);

/* "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", "2.???" or NULL for an unknown code. */
const char *smb2_dialect_name(uint16_t dialect);

/* Name-carrying requests (requests only: -1 for a response, another command or a malformed body).
 * On 0, *name points at UTF-16LE bytes inside the message (offsets are from m->base), clipped to
 * what is present and to whole code units; NULL with length 0 for an empty name. */
#define SMB2_0_INFO_FILE 0x01
#define SMB2_FILE_RENAME_INFORMATION 10
/* TREE_CONNECT: the share path (\\server\share). */
int smb2_tree_connect_path(const struct smb2_msg *m, const uint8_t **path, size_t *path_len);
/* CREATE: the file name, relative to the share root. */
int smb2_create_name(const struct smb2_msg *m, const uint8_t **name, size_t *name_len);
/* SET_INFO InfoType SMB2_0_INFO_FILE, FileRenameInformation: the new name (MS-FSCC 2.4.42.2),
 * bounded by both FileNameLength and the SET_INFO BufferLength. */
int smb2_rename_target(const struct smb2_msg *m, const uint8_t **name, size_t *name_len);

#endif
