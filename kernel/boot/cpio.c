/*
 * The cpio "newc" reader (see cpio.h). One function reads one header and
 * checks it completely (magic, every field, the name, the data's extent)
 * before anything is reported; lengths are compared with the bytes that
 * remain, never added to offsets first, so no sum can wrap past the end.
 */
#include "kernel/boot/cpio.h"
#include "kernel/lib/string.h"
#include <pagoda/errors.h>

/* Bytes of padding that bring OFFSET up to the next multiple of CPIO_NEWC_ALIGN. */
static size_t cpio_padding(size_t offset)
{
    return (CPIO_NEWC_ALIGN - offset % CPIO_NEWC_ALIGN) % CPIO_NEWC_ALIGN;
}

/* The value of one hex digit, or -1: strtoul-style leniency (signs, spaces) is refused. */
static int cpio_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode every field of the header at HEADER (CPIO_NEWC_HEADER_SIZE readable bytes). */
static int cpio_decode_fields(const char *header, uint32_t fields[CPIO_NEWC_FIELD_COUNT])
{
    const char *digits = header + CPIO_NEWC_MAGIC_SIZE;
    for (unsigned f = 0; f < CPIO_NEWC_FIELD_COUNT; f++) {
        uint32_t value = 0;
        for (unsigned d = 0; d < CPIO_NEWC_FIELD_DIGITS; d++) {
            int digit = cpio_hex_digit(digits[f * CPIO_NEWC_FIELD_DIGITS + d]);
            if (digit < 0)
                return -E_FORMAT;
            value = value << 4 | (uint32_t)digit;
        }
        fields[f] = value;
    }
    return 0;
}

int cpio_next(const void *archive, size_t size, size_t *offset, struct cpio_entry *entry)
{
    const char *base = archive;
    size_t at = *offset;
    if (at > size)
        return -E_INVAL;
    /*
     * Covers the archive that ends, even cleanly between entries, without a
     * trailer; checked before the alignment, because an archive whose last
     * padding is missing leaves *OFFSET at an unaligned end.
     */
    if (size - at < CPIO_NEWC_HEADER_SIZE)
        return -E_TRUNC;
    if (!IS_ALIGNED(at, CPIO_NEWC_ALIGN))
        return -E_INVAL;
    const char *header = base + at;
    if (memcmp(header, CPIO_NEWC_MAGIC, CPIO_NEWC_MAGIC_SIZE) != 0)
        return -E_BADMAGIC;
    uint32_t fields[CPIO_NEWC_FIELD_COUNT];
    int err = cpio_decode_fields(header, fields);
    if (err)
        return err;

    size_t name_offset = at + CPIO_NEWC_HEADER_SIZE;
    size_t name_size = fields[CPIO_FIELD_NAMESIZE];
    if (name_size == 0)
        return -E_FORMAT; /* not even room for the terminator */
    if (name_size > size - name_offset)
        return -E_TRUNC;
    const char *name = base + name_offset;
    /* Exactly one NUL, at the end: a shorter name would leave bytes nobody accounts for. */
    if (memchr(name, '\0', name_size) != name + name_size - 1)
        return -E_FORMAT;
    if (strcmp(name, CPIO_TRAILER_NAME) == 0)
        return -E_NOENT;

    size_t name_end = name_offset + name_size;
    size_t name_pad = cpio_padding(name_end);
    if (name_pad > size - name_end)
        return -E_TRUNC;
    size_t data_offset = name_end + name_pad;
    size_t data_size = fields[CPIO_FIELD_FILESIZE];
    if (data_size > size - data_offset)
        return -E_TRUNC;
    size_t data_end = data_offset + data_size;
    /*
     * The data's padding may be missing at the very end: the next call then
     * finds no room for a header and reports the missing trailer. Clamping
     * keeps *OFFSET inside the archive, which the next call insists on.
     */
    size_t next = data_end + MIN(cpio_padding(data_end), size - data_end);

    *entry = (struct cpio_entry){
        .name = name,
        .name_len = name_size - 1,
        .mode = fields[CPIO_FIELD_MODE],
        .size = data_size,
        .data = base + data_offset,
        .data_offset = data_offset,
        .offset = at,
    };
    *offset = next;
    return 0;
}

int cpio_find(const void *archive, size_t size, const char *name, struct cpio_entry *entry)
{
    size_t offset = 0;
    for (;;) {
        struct cpio_entry e;
        /* Every entry moves OFFSET forward by at least a header, so this ends. */
        int err = cpio_next(archive, size, &offset, &e);
        if (err)
            return err;
        if (strcmp(e.name, name) == 0) {
            *entry = e;
            return 0;
        }
    }
}
