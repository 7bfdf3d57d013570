/*
 * A small flattened-devicetree writer for tests and fuzz seeds: emits a
 * valid version-17 blob (header, memory-reservation block, structure block,
 * strings block) into a caller buffer, the way dtc lays one out. Freestanding,
 * so the same tests run on the host and in every kernel.
 *
 *   fdt_builder_init(&b, buf, sizeof(buf));
 *   fdt_builder_memreserve(&b, 0x80000000, 0x80000);
 *   fdt_builder_begin_node(&b, "");
 *   fdt_builder_prop_u32(&b, "#address-cells", 2);
 *   ...
 *   fdt_builder_end_node(&b);
 *   size_t size = fdt_builder_finish(&b);   0 if anything did not fit
 *
 * Malformed blobs are made by writing raw tokens (fdt_builder_raw_u32) or by
 * patching a finished blob at the offsets the builder reports.
 */
#pragma once

#include <pagoda/types.h>

#define FDT_BUILDER_MAX_RSV 4        /* memory-reservation entries */
#define FDT_BUILDER_STRINGS_MAX 256  /* bytes of property names */

/* Structure-block tokens (devicetree specification 5.4.1), for raw writes. */
#define FDT_BUILDER_BEGIN_NODE 1u
#define FDT_BUILDER_END_NODE 2u
#define FDT_BUILDER_PROP 3u
#define FDT_BUILDER_NOP 4u
#define FDT_BUILDER_END 9u

/* Header field offsets (specification 5.2), for patching. */
#define FDT_HDR_MAGIC 0u
#define FDT_HDR_TOTALSIZE 4u
#define FDT_HDR_OFF_STRUCT 8u
#define FDT_HDR_OFF_STRINGS 12u
#define FDT_HDR_OFF_RSVMAP 16u
#define FDT_HDR_VERSION 20u
#define FDT_HDR_LAST_COMP_VERSION 24u
#define FDT_HDR_BOOT_CPUID 28u
#define FDT_HDR_SIZE_STRINGS 32u
#define FDT_HDR_SIZE_STRUCT 36u

struct fdt_builder {
    uint8_t *buf;
    size_t capacity;
    size_t struct_len; /* structure-block bytes written so far */
    bool overflow;
    char strings[FDT_BUILDER_STRINGS_MAX];
    uint32_t strings_len;
    uint64_t rsv[FDT_BUILDER_MAX_RSV][2];
    uint32_t rsv_count;
    /* Filled by fdt_builder_finish(): where each block ended up. */
    uint32_t rsvmap_offset, struct_offset, strings_offset, total_size;
};

void fdt_builder_init(struct fdt_builder *b, void *buf, size_t capacity);
void fdt_builder_memreserve(struct fdt_builder *b, uint64_t base, uint64_t size);
void fdt_builder_begin_node(struct fdt_builder *b, const char *name);
void fdt_builder_end_node(struct fdt_builder *b);
void fdt_builder_prop(struct fdt_builder *b, const char *name, const void *value, uint32_t len);
void fdt_builder_prop_u32(struct fdt_builder *b, const char *name, uint32_t value);
void fdt_builder_prop_string(struct fdt_builder *b, const char *name, const char *value);
/* A property of COUNT big-endian cells ("reg", "ranges", 64-bit values as two cells). */
void fdt_builder_prop_cells(struct fdt_builder *b, const char *name, const uint32_t *cells,
                            size_t count);
/* Offset of NAME in the strings block, adding it if it is new (for raw properties). */
uint32_t fdt_builder_string(struct fdt_builder *b, const char *name);
/* Append one raw big-endian word to the structure block (tokens, lengths, offsets). */
void fdt_builder_raw_u32(struct fdt_builder *b, uint32_t value);
/* The structure-block offset the next write will land at (a node's offset once finished). */
uint32_t fdt_builder_struct_pos(const struct fdt_builder *b);

/* Append FDT_END, lay the blocks out and write the header; returns totalsize, 0 on overflow. */
size_t fdt_builder_finish(struct fdt_builder *b);

/* Read and write big-endian words of a finished blob (for tests that damage one). */
uint32_t fdt_builder_get_be32(const void *blob, size_t offset);
void fdt_builder_set_be32(void *blob, size_t offset, uint32_t value);
