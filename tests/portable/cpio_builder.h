/*
 * A tiny cpio "newc" archive writer for tests and fuzz seeds: appends
 * entries to a caller buffer the way `cpio -o -H newc` lays them out (header,
 * name padded to 4, data padded to 4, a trailer). Freestanding, so the same
 * tests run on the host and in kernels.
 *
 * Every writer checks room first; a builder that ran out of room remembers it
 * and cpio_builder_finish() then returns 0, so a too-small buffer cannot pass
 * a test by accident. Tests that need a malformed archive build a good one
 * and patch it, using the header offsets the builder reports.
 */
#pragma once

#include "kernel/boot/cpio.h"

struct cpio_builder {
    uint8_t *buf;
    size_t capacity;
    size_t len;
    uint32_t next_ino; /* cpio -o numbers inodes; readers ignore them */
    bool overflow;
};

void cpio_builder_init(struct cpio_builder *b, void *buf, size_t capacity);

/* One entry of any MODE; returns the offset of its header. */
size_t cpio_builder_entry(struct cpio_builder *b, const char *name, uint32_t mode,
                          const void *data, size_t size);
/* A regular file (mode 0100644) and a directory (mode 040755, no data). */
size_t cpio_builder_file(struct cpio_builder *b, const char *name, const void *data, size_t size);
size_t cpio_builder_dir(struct cpio_builder *b, const char *name);

/* Append the trailer entry; returns the archive's size, or 0 if out of room. */
size_t cpio_builder_finish(struct cpio_builder *b);

/* Rewrite FIELD of the header at HEADER_OFFSET with VALUE (eight hex digits). */
void cpio_builder_patch_field(struct cpio_builder *b, size_t header_offset, enum cpio_field field,
                              uint32_t value);
