/*
 * A reader for cpio "newc" archives (the format of Linux initramfs images and
 * of `cpio -o -H newc`): how boot modules hand files to the kernel. Each
 * entry is a 110-byte ASCII header, the magic "070701" then 13 fields of
 * eight hex digits; then the NUL-terminated name, padded so that the data
 * starts at a multiple of 4 from the start of the archive; then the data,
 * padded to a multiple of 4. The entry named "TRAILER!!!" ends the archive.
 *
 * The archive is hostile input: every length is checked against the bytes
 * that remain before it is used, and nothing outside [archive, archive+size)
 * is ever read. Entries point into the archive; nothing is copied.
 */
#pragma once

#include <pagoda/types.h>

#define CPIO_NEWC_MAGIC "070701"
#define CPIO_NEWC_MAGIC_SIZE 6u
#define CPIO_NEWC_FIELD_DIGITS 8u
#define CPIO_NEWC_FIELD_COUNT 13u
#define CPIO_NEWC_HEADER_SIZE \
    (CPIO_NEWC_MAGIC_SIZE + CPIO_NEWC_FIELD_COUNT * CPIO_NEWC_FIELD_DIGITS) /* 110 */
#define CPIO_NEWC_ALIGN 4u
#define CPIO_TRAILER_NAME "TRAILER!!!"

/* The header fields, in order after the magic. */
enum cpio_field {
    CPIO_FIELD_INO,
    CPIO_FIELD_MODE,
    CPIO_FIELD_UID,
    CPIO_FIELD_GID,
    CPIO_FIELD_NLINK,
    CPIO_FIELD_MTIME,
    CPIO_FIELD_FILESIZE,
    CPIO_FIELD_DEVMAJOR,
    CPIO_FIELD_DEVMINOR,
    CPIO_FIELD_RDEVMAJOR,
    CPIO_FIELD_RDEVMINOR,
    CPIO_FIELD_NAMESIZE, /* including the terminating NUL */
    CPIO_FIELD_CHECK,    /* 0 in newc; a checksum only in the "070702" variant */
};

/* The file-type bits of the mode field (POSIX st_mode values, which cpio stores as is). */
#define CPIO_MODE_TYPE_MASK 0170000u
#define CPIO_MODE_REGULAR 0100000u
#define CPIO_MODE_DIRECTORY 0040000u
#define CPIO_MODE_SYMLINK 0120000u

struct cpio_entry {
    const char *name;   /* NUL-terminated, inside the archive */
    size_t name_len;    /* strlen(name) */
    uint32_t mode;      /* file type and permission bits */
    size_t size;        /* bytes of data */
    const void *data;   /* SIZE bytes inside the archive */
    size_t data_offset; /* of DATA from the start of the archive */
    size_t offset;      /* of the entry's header from the start of the archive */
};

/*
 * Read the entry whose header is at *OFFSET (start with 0) into ENTRY and
 * advance *OFFSET to the next header. Returns 0 for an entry, -E_NOENT at
 * the trailer (ENTRY and *OFFSET untouched), or, with *OFFSET untouched, an
 * error for malformed input:
 *   -E_INVAL     *OFFSET lies past the end, or is not a multiple of 4
 *   -E_TRUNC     the archive ends inside the header, the name or the data,
 *                or before a trailer (no bytes left where a header is due)
 *   -E_BADMAGIC  the header does not start with "070701"
 *   -E_FORMAT    a field holds anything but hex digits, the name size is 0,
 *                or the name's first NUL is not its last byte
 * Names are taken exactly as stored ("./a" and "a" are different names).
 */
int cpio_next(const void *archive, size_t size, size_t *offset,
              struct cpio_entry *entry) MUST_CHECK;

/*
 * Find the entry called NAME. Returns 0 with ENTRY filled, -E_NOENT if the
 * trailer comes first, or the error of the first malformed entry before it.
 */
int cpio_find(const void *archive, size_t size, const char *name,
              struct cpio_entry *entry) MUST_CHECK;
