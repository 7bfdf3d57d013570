/*
 * A tiny Multiboot2 information-structure writer for tests and fuzz seeds:
 * appends tags to a caller buffer the way a boot loader lays them out
 * (8-byte header, 8-byte aligned tags, an end tag, total_size patched in at
 * the end). Freestanding, so the same tests run on the host and in kernels.
 *
 * Every writer checks room first; a builder that ran out of room remembers it
 * and mb2_builder_finish() then returns 0, so a too-small buffer cannot pass
 * a test by accident. Tests that need a malformed structure build a good one
 * and patch it, using the offsets the builder reports.
 */
#pragma once

#include <pagoda/types.h>

struct mb2_builder {
    uint8_t *buf;
    size_t capacity;
    size_t len;
    size_t tag_start; /* offset of the open tag's header */
    bool overflow;
};

void mb2_builder_init(struct mb2_builder *b, void *buf, size_t capacity);

/* A tag of any TYPE: begin it, append its payload, end it (size patched, padded to 8). */
size_t mb2_builder_tag_begin(struct mb2_builder *b, uint32_t type);
void mb2_builder_put_u32(struct mb2_builder *b, uint32_t value);
void mb2_builder_put_u64(struct mb2_builder *b, uint64_t value);
void mb2_builder_put_bytes(struct mb2_builder *b, const void *data, size_t len);
void mb2_builder_tag_end(struct mb2_builder *b);

/* The common tags; each returns the offset of its tag header. */
size_t mb2_builder_cmdline(struct mb2_builder *b, const char *text);
size_t mb2_builder_loader_name(struct mb2_builder *b, const char *text);
size_t mb2_builder_module(struct mb2_builder *b, uint32_t start, uint32_t end, const char *name);
/* A memory-map tag: begin, any number of entries, then mb2_builder_tag_end(). */
size_t mb2_builder_mmap_begin(struct mb2_builder *b, uint32_t entry_size);
void mb2_builder_mmap_entry(struct mb2_builder *b, uint64_t base, uint64_t length, uint32_t type);
/* An ACPI RSDP tag (MB2_TAG_ACPI_OLD/NEW) holding a copy of an RSDP of LEN bytes. */
size_t mb2_builder_acpi(struct mb2_builder *b, uint32_t type, size_t len);

/* Append the end tag and patch total_size; returns total_size, or 0 if out of room. */
size_t mb2_builder_finish(struct mb2_builder *b);

/* Patch a little-endian u32 at OFFSET of a finished structure. */
void mb2_builder_patch_u32(struct mb2_builder *b, size_t offset, uint32_t value);

