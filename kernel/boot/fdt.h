/*
 * A reader for flattened devicetree blobs (DTB, devicetree specification
 * v0.4, chapter 5), written to accept hostile input: fdt_open() checks the
 * header and walks the whole structure block once, so that every later
 * accessor works on a blob already known to be well formed, and still never
 * reads outside it.
 *
 * Nodes are named by their offset in the structure block (an int >= 0);
 * functions that look something up return -E_NOENT when it is absent.
 */
#pragma once

#include <pagoda/types.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_SIZE 40u
#define FDT_MAX_DEPTH 32     /* deeper nesting is rejected as hostile */
#define FDT_MAX_CELLS 2      /* #address-cells/#size-cells we can hold in 64 bits */

struct fdt {
    const uint8_t *blob;
    uint32_t size;          /* totalsize from the header, checked against the buffer */
    uint32_t struct_offset;
    uint32_t struct_size;
    uint32_t strings_offset;
    uint32_t strings_size;
    uint32_t rsvmap_offset;
    uint32_t rsvmap_count;  /* entries before the terminating (0, 0) */
    uint32_t version;
};

/*
 * Validate BLOB (at most BUFFER_SIZE bytes readable) and fill FDT. Errors:
 * -E_TRUNC if the buffer is smaller than the header or totalsize,
 * -E_BADMAGIC for a wrong magic, -E_NOTSUP for versions before 16,
 * -E_FORMAT for blocks outside the blob, misaligned or overlapping blocks,
 * bad tokens, unterminated names, properties running past the block, string
 * offsets outside the strings block, unbalanced nodes or excessive depth.
 */
int fdt_open(struct fdt *fdt, const void *blob, size_t buffer_size) MUST_CHECK;

/* The root node. */
int fdt_root(const struct fdt *fdt);
/* The first child of NODE, or the next sibling of NODE; -E_NOENT at the end. */
int fdt_first_child(const struct fdt *fdt, int node);
int fdt_next_sibling(const struct fdt *fdt, int node);
/* The full name of NODE ("memory@80000000"; "" for the root). */
const char *fdt_node_name(const struct fdt *fdt, int node);
/* The parent of NODE (a walk from the root), or -E_NOENT for the root. */
int fdt_parent(const struct fdt *fdt, int node);

/*
 * Find a node by absolute path ("/chosen", "/soc/serial@10000000"). A path
 * component without '@' also matches a node name with a unit address
 * ("/memory" matches "memory@80000000").
 */
int fdt_find_path(const struct fdt *fdt, const char *path);

/* The value of property NAME of NODE and its length; NULL if absent. */
const void *fdt_get_prop(const struct fdt *fdt, int node, const char *name, uint32_t *len);

/* A property holding a NUL-terminated string (the first, for a string list). */
const char *fdt_get_string(const struct fdt *fdt, int node, const char *name);
/* Does the string-list property "compatible" of NODE contain COMPAT? */
bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat);
/* A one-cell (u32) property; -E_NOENT if absent, -E_FORMAT if not 4 bytes. */
int fdt_get_u32(const struct fdt *fdt, int node, const char *name, uint32_t *value) MUST_CHECK;

/* Is NODE enabled ("status" absent, "okay" or "ok")? */
bool fdt_node_enabled(const struct fdt *fdt, int node);
/* The first enabled node, depth first from the root, compatible with COMPAT. */
int fdt_find_compatible(const struct fdt *fdt, const char *compat);

/* The node whose "phandle" is PHANDLE. */
int fdt_find_phandle(const struct fdt *fdt, uint32_t phandle);

/*
 * #address-cells and #size-cells that apply to the children of NODE
 * (defaults 2 and 1). Values above FDT_MAX_CELLS are rejected with -E_FORMAT.
 */
int fdt_cells(const struct fdt *fdt, int node, uint32_t *address_cells,
              uint32_t *size_cells) MUST_CHECK;

/*
 * Entry INDEX of the "reg" property of NODE, decoded with its parent's cell
 * sizes. -E_NOENT past the last entry, -E_FORMAT if "reg" is not a whole
 * number of entries.
 */
int fdt_get_reg(const struct fdt *fdt, int node, uint32_t index, uint64_t *base,
                uint64_t *size) MUST_CHECK;

/* Entry INDEX of the memory-reservation block; -E_NOENT past the last. */
int fdt_get_memreserve(const struct fdt *fdt, uint32_t index, uint64_t *base,
                       uint64_t *size) MUST_CHECK;

/* Read a big-endian 32-bit value (the blob's byte order) from any alignment. */
uint32_t fdt_read_be32(const void *p);
