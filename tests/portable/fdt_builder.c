/*
 * The devicetree test-blob writer (see fdt_builder.h). The structure block
 * is written first at a fixed working offset with room for the largest
 * reservation block; fdt_builder_finish() then slides it down behind the
 * actual reservation block and appends the strings, as dtc lays blobs out.
 */
#include "tests/portable/fdt_builder.h"
#include "kernel/boot/fdt.h"
#include "kernel/lib/string.h"

#define FDT_BUILDER_VERSION 17u
#define FDT_BUILDER_LAST_COMP_VERSION 16u
#define FDT_BUILDER_RSV_ENTRY_SIZE 16u
#define FDT_BUILDER_TOKEN_ALIGN 4u
#define FDT_BUILDER_RSVMAP_OFFSET FDT_HEADER_SIZE /* 40: already 8-byte aligned */
#define FDT_BUILDER_WORK_OFFSET \
    (FDT_BUILDER_RSVMAP_OFFSET + (FDT_BUILDER_MAX_RSV + 1) * FDT_BUILDER_RSV_ENTRY_SIZE)

uint32_t fdt_builder_get_be32(const void *blob, size_t offset)
{
    const uint8_t *p = (const uint8_t *)blob + offset;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void fdt_builder_set_be32(void *blob, size_t offset, uint32_t value)
{
    uint8_t *p = (uint8_t *)blob + offset;
    p[0] = (uint8_t)(value >> 24);
    p[1] = (uint8_t)(value >> 16);
    p[2] = (uint8_t)(value >> 8);
    p[3] = (uint8_t)value;
}

void fdt_builder_init(struct fdt_builder *b, void *buf, size_t capacity)
{
    memset(b, 0, sizeof(*b));
    b->buf = buf;
    b->capacity = capacity;
    b->overflow = capacity < FDT_BUILDER_WORK_OFFSET;
}

/* Room for N more structure bytes at the working offset? Remembers a miss. */
static bool fdt_builder_room(struct fdt_builder *b, size_t n)
{
    if (b->overflow || b->capacity - FDT_BUILDER_WORK_OFFSET - b->struct_len < n)
        b->overflow = true;
    return !b->overflow;
}

static uint8_t *fdt_builder_cursor(struct fdt_builder *b)
{
    return b->buf + FDT_BUILDER_WORK_OFFSET + b->struct_len;
}

void fdt_builder_raw_u32(struct fdt_builder *b, uint32_t value)
{
    if (!fdt_builder_room(b, sizeof(value)))
        return;
    fdt_builder_set_be32(fdt_builder_cursor(b), 0, value);
    b->struct_len += sizeof(value);
}

/* LEN bytes of DATA, then zeros up to the next 4-byte boundary. */
static void fdt_builder_put_padded(struct fdt_builder *b, const void *data, size_t len)
{
    size_t padded = ALIGN_UP(len, (size_t)FDT_BUILDER_TOKEN_ALIGN);
    if (!fdt_builder_room(b, padded))
        return;
    uint8_t *p = fdt_builder_cursor(b);
    if (len) /* an empty property may come with DATA == NULL */
        memcpy(p, data, len);
    memset(p + len, 0, padded - len);
    b->struct_len += padded;
}

uint32_t fdt_builder_struct_pos(const struct fdt_builder *b)
{
    return (uint32_t)b->struct_len;
}

void fdt_builder_memreserve(struct fdt_builder *b, uint64_t base, uint64_t size)
{
    if (b->rsv_count == FDT_BUILDER_MAX_RSV) {
        b->overflow = true;
        return;
    }
    b->rsv[b->rsv_count][0] = base;
    b->rsv[b->rsv_count][1] = size;
    b->rsv_count++;
}

void fdt_builder_begin_node(struct fdt_builder *b, const char *name)
{
    fdt_builder_raw_u32(b, FDT_BUILDER_BEGIN_NODE);
    fdt_builder_put_padded(b, name, strlen(name) + 1);
}

void fdt_builder_end_node(struct fdt_builder *b)
{
    fdt_builder_raw_u32(b, FDT_BUILDER_END_NODE);
}

uint32_t fdt_builder_string(struct fdt_builder *b, const char *name)
{
    for (uint32_t at = 0; at < b->strings_len; at += (uint32_t)strlen(b->strings + at) + 1) {
        if (strcmp(b->strings + at, name) == 0)
            return at;
    }
    size_t len = strlen(name) + 1;
    if (sizeof(b->strings) - b->strings_len < len) {
        b->overflow = true;
        return 0;
    }
    uint32_t at = b->strings_len;
    memcpy(b->strings + at, name, len);
    b->strings_len += (uint32_t)len;
    return at;
}

void fdt_builder_prop(struct fdt_builder *b, const char *name, const void *value, uint32_t len)
{
    fdt_builder_raw_u32(b, FDT_BUILDER_PROP);
    fdt_builder_raw_u32(b, len);
    fdt_builder_raw_u32(b, fdt_builder_string(b, name));
    fdt_builder_put_padded(b, value, len);
}

void fdt_builder_prop_u32(struct fdt_builder *b, const char *name, uint32_t value)
{
    fdt_builder_prop_cells(b, name, &value, 1);
}

void fdt_builder_prop_string(struct fdt_builder *b, const char *name, const char *value)
{
    fdt_builder_prop(b, name, value, (uint32_t)strlen(value) + 1);
}

void fdt_builder_prop_cells(struct fdt_builder *b, const char *name, const uint32_t *cells,
                            size_t count)
{
    fdt_builder_raw_u32(b, FDT_BUILDER_PROP);
    fdt_builder_raw_u32(b, (uint32_t)(count * sizeof(uint32_t)));
    fdt_builder_raw_u32(b, fdt_builder_string(b, name));
    for (size_t i = 0; i < count; i++)
        fdt_builder_raw_u32(b, cells[i]);
}

static void fdt_builder_set_be64(uint8_t *p, uint64_t value)
{
    fdt_builder_set_be32(p, 0, (uint32_t)(value >> 32));
    fdt_builder_set_be32(p, 4, (uint32_t)value);
}

size_t fdt_builder_finish(struct fdt_builder *b)
{
    fdt_builder_raw_u32(b, FDT_BUILDER_END);
    uint32_t rsvmap_size = (b->rsv_count + 1) * FDT_BUILDER_RSV_ENTRY_SIZE;
    uint32_t struct_offset = FDT_BUILDER_RSVMAP_OFFSET + rsvmap_size;
    uint32_t strings_offset = struct_offset + (uint32_t)b->struct_len;
    uint32_t total = strings_offset + b->strings_len;
    if (b->overflow || total > b->capacity) {
        b->overflow = true;
        return 0;
    }

    memmove(b->buf + struct_offset, b->buf + FDT_BUILDER_WORK_OFFSET, b->struct_len);
    memcpy(b->buf + strings_offset, b->strings, b->strings_len);
    uint8_t *rsv = b->buf + FDT_BUILDER_RSVMAP_OFFSET;
    for (uint32_t i = 0; i <= b->rsv_count; i++) {
        bool terminator = i == b->rsv_count; /* the (0, 0) entry that ends the block */
        uint8_t *entry = rsv + i * FDT_BUILDER_RSV_ENTRY_SIZE;
        fdt_builder_set_be64(entry, terminator ? 0 : b->rsv[i][0]);
        fdt_builder_set_be64(entry + 8, terminator ? 0 : b->rsv[i][1]);
    }

    memset(b->buf, 0, FDT_HEADER_SIZE);
    fdt_builder_set_be32(b->buf, FDT_HDR_MAGIC, FDT_MAGIC);
    fdt_builder_set_be32(b->buf, FDT_HDR_TOTALSIZE, total);
    fdt_builder_set_be32(b->buf, FDT_HDR_OFF_STRUCT, struct_offset);
    fdt_builder_set_be32(b->buf, FDT_HDR_OFF_STRINGS, strings_offset);
    fdt_builder_set_be32(b->buf, FDT_HDR_OFF_RSVMAP, FDT_BUILDER_RSVMAP_OFFSET);
    fdt_builder_set_be32(b->buf, FDT_HDR_VERSION, FDT_BUILDER_VERSION);
    fdt_builder_set_be32(b->buf, FDT_HDR_LAST_COMP_VERSION, FDT_BUILDER_LAST_COMP_VERSION);
    fdt_builder_set_be32(b->buf, FDT_HDR_SIZE_STRINGS, b->strings_len);
    fdt_builder_set_be32(b->buf, FDT_HDR_SIZE_STRUCT, (uint32_t)b->struct_len);

    b->rsvmap_offset = FDT_BUILDER_RSVMAP_OFFSET;
    b->struct_offset = struct_offset;
    b->strings_offset = strings_offset;
    b->total_size = total;
    return total;
}
