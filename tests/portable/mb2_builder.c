/*
 * The Multiboot2 test-structure writer (see mb2_builder.h). Values are
 * written byte by byte in little-endian order, as a loader on x86 would.
 */
#include "tests/portable/mb2_builder.h"
#include "kernel/boot/multiboot2.h"
#include "kernel/lib/string.h"

#define MB2_BUILDER_ALIGN 8u
#define MB2_BUILDER_HEADER_SIZE 8u /* total_size, reserved */
#define MB2_BUILDER_TAG_HEADER_SIZE 8u
#define RSDP_SIGNATURE "RSD PTR "
#define RSDP_SIGNATURE_SIZE 8u
#define RSDP_REVISION_OFFSET 15u
#define RSDP_REVISION_ACPI2 2u

static bool mb2_builder_room(struct mb2_builder *b, size_t n)
{
    if (b->overflow || b->capacity - b->len < n) {
        b->overflow = true;
        return false;
    }
    return true;
}

void mb2_builder_put_bytes(struct mb2_builder *b, const void *data, size_t len)
{
    if (!mb2_builder_room(b, len))
        return;
    memcpy(b->buf + b->len, data, len);
    b->len += len;
}

static void mb2_builder_put_zeros(struct mb2_builder *b, size_t len)
{
    if (!mb2_builder_room(b, len))
        return;
    memset(b->buf + b->len, 0, len);
    b->len += len;
}

static void mb2_builder_write_u32(uint8_t *p, uint32_t value)
{
    for (unsigned i = 0; i < sizeof(value); i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

void mb2_builder_put_u32(struct mb2_builder *b, uint32_t value)
{
    if (!mb2_builder_room(b, sizeof(value)))
        return;
    mb2_builder_write_u32(b->buf + b->len, value);
    b->len += sizeof(value);
}

void mb2_builder_put_u64(struct mb2_builder *b, uint64_t value)
{
    mb2_builder_put_u32(b, (uint32_t)value);
    mb2_builder_put_u32(b, (uint32_t)(value >> 32));
}

void mb2_builder_patch_u32(struct mb2_builder *b, size_t offset, uint32_t value)
{
    if (offset <= b->len && b->len - offset >= sizeof(value))
        mb2_builder_write_u32(b->buf + offset, value);
    else
        b->overflow = true;
}

void mb2_builder_init(struct mb2_builder *b, void *buf, size_t capacity)
{
    *b = (struct mb2_builder){ .buf = buf, .capacity = capacity };
    mb2_builder_put_zeros(b, MB2_BUILDER_HEADER_SIZE);
}

size_t mb2_builder_tag_begin(struct mb2_builder *b, uint32_t type)
{
    b->tag_start = b->len;
    mb2_builder_put_u32(b, type);
    mb2_builder_put_u32(b, 0); /* size, patched by mb2_builder_tag_end() */
    return b->tag_start;
}

void mb2_builder_tag_end(struct mb2_builder *b)
{
    mb2_builder_patch_u32(b, b->tag_start + 4, (uint32_t)(b->len - b->tag_start));
    mb2_builder_put_zeros(b, ALIGN_UP(b->len, MB2_BUILDER_ALIGN) - b->len);
}

static size_t mb2_builder_string_tag(struct mb2_builder *b, uint32_t type, const char *text)
{
    size_t at = mb2_builder_tag_begin(b, type);
    mb2_builder_put_bytes(b, text, strlen(text) + 1);
    mb2_builder_tag_end(b);
    return at;
}

size_t mb2_builder_cmdline(struct mb2_builder *b, const char *text)
{
    return mb2_builder_string_tag(b, MB2_TAG_CMDLINE, text);
}

size_t mb2_builder_loader_name(struct mb2_builder *b, const char *text)
{
    return mb2_builder_string_tag(b, MB2_TAG_LOADER_NAME, text);
}

size_t mb2_builder_module(struct mb2_builder *b, uint32_t start, uint32_t end, const char *name)
{
    size_t at = mb2_builder_tag_begin(b, MB2_TAG_MODULE);
    mb2_builder_put_u32(b, start);
    mb2_builder_put_u32(b, end);
    mb2_builder_put_bytes(b, name, strlen(name) + 1);
    mb2_builder_tag_end(b);
    return at;
}

size_t mb2_builder_mmap_begin(struct mb2_builder *b, uint32_t entry_size)
{
    size_t at = mb2_builder_tag_begin(b, MB2_TAG_MMAP);
    mb2_builder_put_u32(b, entry_size);
    mb2_builder_put_u32(b, 0); /* entry_version */
    return at;
}

/* One entry of the standard 24-byte layout; a larger entry_size is the caller's padding. */
void mb2_builder_mmap_entry(struct mb2_builder *b, uint64_t base, uint64_t length, uint32_t type)
{
    mb2_builder_put_u64(b, base);
    mb2_builder_put_u64(b, length);
    mb2_builder_put_u32(b, type);
    mb2_builder_put_u32(b, 0);
}

size_t mb2_builder_acpi(struct mb2_builder *b, uint32_t type, size_t len)
{
    size_t at = mb2_builder_tag_begin(b, type);
    size_t payload = b->len;
    size_t signature = MIN(len, (size_t)RSDP_SIGNATURE_SIZE);
    mb2_builder_put_bytes(b, RSDP_SIGNATURE, signature);
    mb2_builder_put_zeros(b, len - signature);
    if (type == MB2_TAG_ACPI_NEW && len > RSDP_REVISION_OFFSET && !b->overflow)
        b->buf[payload + RSDP_REVISION_OFFSET] = RSDP_REVISION_ACPI2;
    mb2_builder_tag_end(b);
    return at;
}

size_t mb2_builder_finish(struct mb2_builder *b)
{
    mb2_builder_tag_begin(b, MB2_TAG_END);
    mb2_builder_tag_end(b);
    mb2_builder_patch_u32(b, 0, (uint32_t)b->len);
    return b->overflow ? 0 : b->len;
}
