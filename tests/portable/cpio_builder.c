/*
 * The cpio "newc" test-archive writer (see cpio_builder.h). Fields are
 * written as eight upper-case hex digits, as GNU cpio writes them.
 */
#include "tests/portable/cpio_builder.h"
#include "kernel/lib/string.h"

#define CPIO_BUILDER_MODE_FILE (CPIO_MODE_REGULAR | 0644u)
#define CPIO_BUILDER_MODE_DIR (CPIO_MODE_DIRECTORY | 0755u)
#define CPIO_BUILDER_FIRST_INO 0x100u

static bool cpio_builder_room(struct cpio_builder *b, size_t n)
{
    if (b->overflow || b->capacity - b->len < n) {
        b->overflow = true;
        return false;
    }
    return true;
}

static void cpio_builder_put_bytes(struct cpio_builder *b, const void *data, size_t len)
{
    if (!cpio_builder_room(b, len))
        return;
    memcpy(b->buf + b->len, data, len);
    b->len += len;
}

/* Zeros up to the next multiple of 4 from the start of the archive. */
static void cpio_builder_pad(struct cpio_builder *b)
{
    static const uint8_t zeros[CPIO_NEWC_ALIGN];
    cpio_builder_put_bytes(b, zeros, ALIGN_UP(b->len, CPIO_NEWC_ALIGN) - b->len);
}

static void cpio_builder_write_hex(char *p, uint32_t value)
{
    static const char digits[] = "0123456789ABCDEF";
    for (unsigned i = 0; i < CPIO_NEWC_FIELD_DIGITS; i++)
        p[i] = digits[(value >> (4 * (CPIO_NEWC_FIELD_DIGITS - 1 - i))) & 0xf];
}

void cpio_builder_init(struct cpio_builder *b, void *buf, size_t capacity)
{
    *b = (struct cpio_builder){ .buf = buf, .capacity = capacity,
                                .next_ino = CPIO_BUILDER_FIRST_INO };
}

void cpio_builder_patch_field(struct cpio_builder *b, size_t header_offset, enum cpio_field field,
                              uint32_t value)
{
    size_t at = header_offset + CPIO_NEWC_MAGIC_SIZE + (size_t)field * CPIO_NEWC_FIELD_DIGITS;
    if (header_offset <= b->len && b->len - header_offset >= CPIO_NEWC_HEADER_SIZE)
        cpio_builder_write_hex((char *)b->buf + at, value);
    else
        b->overflow = true;
}

size_t cpio_builder_entry(struct cpio_builder *b, const char *name, uint32_t mode,
                          const void *data, size_t size)
{
    size_t at = b->len;
    size_t name_size = strlen(name) + 1;
    char header[CPIO_NEWC_HEADER_SIZE];
    uint32_t fields[CPIO_NEWC_FIELD_COUNT] = { 0 };
    fields[CPIO_FIELD_INO] = b->next_ino++;
    fields[CPIO_FIELD_MODE] = mode;
    fields[CPIO_FIELD_NLINK] = (mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_DIRECTORY ? 2 : 1;
    fields[CPIO_FIELD_FILESIZE] = (uint32_t)size;
    fields[CPIO_FIELD_NAMESIZE] = (uint32_t)name_size;
    memcpy(header, CPIO_NEWC_MAGIC, CPIO_NEWC_MAGIC_SIZE);
    for (unsigned f = 0; f < CPIO_NEWC_FIELD_COUNT; f++)
        cpio_builder_write_hex(header + CPIO_NEWC_MAGIC_SIZE + f * CPIO_NEWC_FIELD_DIGITS,
                               fields[f]);
    cpio_builder_put_bytes(b, header, sizeof(header));
    cpio_builder_put_bytes(b, name, name_size);
    cpio_builder_pad(b);
    if (size)
        cpio_builder_put_bytes(b, data, size);
    cpio_builder_pad(b);
    return at;
}

size_t cpio_builder_file(struct cpio_builder *b, const char *name, const void *data, size_t size)
{
    return cpio_builder_entry(b, name, CPIO_BUILDER_MODE_FILE, data, size);
}

size_t cpio_builder_dir(struct cpio_builder *b, const char *name)
{
    return cpio_builder_entry(b, name, CPIO_BUILDER_MODE_DIR, NULL, 0);
}

size_t cpio_builder_finish(struct cpio_builder *b)
{
    cpio_builder_entry(b, CPIO_TRAILER_NAME, 0, NULL, 0);
    return b->overflow ? 0 : b->len;
}
