/*
 * The flattened-devicetree reader. fdt_open() validates the whole blob once
 * (header, reservation block, every token of the structure block, every
 * property name); the accessors then walk tokens with the same bounded
 * reader, so even a blob that changed under us cannot make them read
 * outside [blob, blob + size).
 */
#include "kernel/boot/fdt.h"
#include "kernel/console.h"
#include "kernel/lib/string.h"
#include <pagoda/errors.h>

/* Structure-block tokens (devicetree specification 5.4.1). */
enum fdt_token {
    FDT_BEGIN_NODE = 1,
    FDT_END_NODE = 2,
    FDT_PROP = 3,
    FDT_NOP = 4,
    FDT_END = 9,
};

/* Header field offsets (specification 5.2). */
enum fdt_header_field {
    HDR_MAGIC = 0,
    HDR_TOTALSIZE = 4,
    HDR_OFF_STRUCT = 8,
    HDR_OFF_STRINGS = 12,
    HDR_OFF_RSVMAP = 16,
    HDR_VERSION = 20,
    HDR_LAST_COMP_VERSION = 24,
    HDR_SIZE_STRINGS = 32,
    HDR_SIZE_STRUCT = 36,
};

#define FDT_TOKEN_SIZE 4u
#define FDT_RSV_ENTRY_SIZE 16u
#define FDT_FIRST_SUPPORTED_VERSION 16u

uint32_t fdt_read_be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t read_be64(const void *p)
{
    const uint8_t *b = p;
    return (uint64_t)fdt_read_be32(b) << 32 | fdt_read_be32(b + 4);
}

static uint32_t align4(uint32_t x)
{
    return (x + 3u) & ~3u;
}

/* A token of the structure block, decoded and bounds-checked. */
struct token {
    uint32_t tag;
    uint32_t next;          /* offset of the following token */
    const char *name;       /* BEGIN_NODE: node name; PROP: property name */
    const void *value;      /* PROP only */
    uint32_t value_len;     /* PROP only */
};

/*
 * Decode the token at OFFSET (relative to the structure block). Returns 0 or
 * -E_FORMAT if the token or anything it refers to does not fit.
 */
static int read_token(const struct fdt *fdt, uint32_t offset, struct token *tok)
{
    const uint8_t *block = fdt->blob + fdt->struct_offset;
    uint32_t size = fdt->struct_size;

    if (offset % FDT_TOKEN_SIZE || offset > size || size - offset < FDT_TOKEN_SIZE)
        return -E_FORMAT;
    tok->tag = fdt_read_be32(block + offset);
    tok->name = NULL;
    tok->value = NULL;
    tok->value_len = 0;
    offset += FDT_TOKEN_SIZE;

    switch (tok->tag) {
    case FDT_BEGIN_NODE: {
        const char *name = (const char *)block + offset;
        uint32_t len = (uint32_t)strnlen(name, size - offset);
        if (len == size - offset)
            return -E_FORMAT; /* unterminated name */
        tok->name = name;
        tok->next = align4(offset + len + 1);
        break;
    }
    case FDT_PROP: {
        if (size - offset < 2 * FDT_TOKEN_SIZE)
            return -E_FORMAT;
        uint32_t len = fdt_read_be32(block + offset);
        uint32_t name_offset = fdt_read_be32(block + offset + 4);
        offset += 2 * FDT_TOKEN_SIZE;
        if (len > size - offset)
            return -E_FORMAT;
        if (name_offset >= fdt->strings_size)
            return -E_FORMAT;
        const char *name = (const char *)fdt->blob + fdt->strings_offset + name_offset;
        if (strnlen(name, fdt->strings_size - name_offset) == fdt->strings_size - name_offset)
            return -E_FORMAT;
        tok->name = name;
        tok->value = block + offset;
        tok->value_len = len;
        tok->next = align4(offset + len);
        break;
    }
    case FDT_END_NODE:
    case FDT_NOP:
    case FDT_END:
        tok->next = offset;
        break;
    default:
        return -E_FORMAT;
    }
    if (tok->next > size)
        return -E_FORMAT;
    return 0;
}

static int reject(const char *what, int error)
{
    kprintf("devicetree: rejected: %s\n", what);
    return error;
}

static int check_header(struct fdt *fdt, const uint8_t *b, size_t buffer_size)
{
    if (buffer_size < FDT_HEADER_SIZE)
        return reject("blob smaller than its header", -E_TRUNC);
    if (fdt_read_be32(b + HDR_MAGIC) != FDT_MAGIC)
        return reject("bad magic", -E_BADMAGIC);

    uint32_t total = fdt_read_be32(b + HDR_TOTALSIZE);
    if (total < FDT_HEADER_SIZE || total > buffer_size)
        return reject("totalsize smaller than the header or larger than the buffer", -E_TRUNC);
    fdt->version = fdt_read_be32(b + HDR_VERSION);
    if (fdt->version < FDT_FIRST_SUPPORTED_VERSION ||
        fdt_read_be32(b + HDR_LAST_COMP_VERSION) > FDT_FIRST_SUPPORTED_VERSION + 1)
        return reject("unsupported version", -E_NOTSUP);

    fdt->size = total;
    fdt->struct_offset = fdt_read_be32(b + HDR_OFF_STRUCT);
    fdt->strings_offset = fdt_read_be32(b + HDR_OFF_STRINGS);
    fdt->rsvmap_offset = fdt_read_be32(b + HDR_OFF_RSVMAP);
    fdt->strings_size = fdt_read_be32(b + HDR_SIZE_STRINGS);
    /* Version 16 has no size_dt_struct: the block may run to the end of the blob. */
    fdt->struct_size = fdt->version >= 17 ? fdt_read_be32(b + HDR_SIZE_STRUCT)
                                          : total - MIN(fdt->struct_offset, total);

    if (fdt->struct_offset % FDT_TOKEN_SIZE || fdt->struct_offset < FDT_HEADER_SIZE ||
        fdt->struct_offset > total || fdt->struct_size > total - fdt->struct_offset)
        return reject("structure block outside the blob or misaligned", -E_FORMAT);
    if (fdt->strings_offset < FDT_HEADER_SIZE || fdt->strings_offset > total ||
        fdt->strings_size > total - fdt->strings_offset)
        return reject("strings block outside the blob", -E_FORMAT);
    if (fdt->rsvmap_offset % 8 || fdt->rsvmap_offset < FDT_HEADER_SIZE ||
        fdt->rsvmap_offset > total)
        return reject("memory reservation block outside the blob or misaligned", -E_FORMAT);
    return 0;
}

static int check_rsvmap(struct fdt *fdt)
{
    uint32_t offset = fdt->rsvmap_offset;
    for (uint32_t count = 0;; count++) {
        if (fdt->size - offset < FDT_RSV_ENTRY_SIZE)
            return reject("memory reservation block has no terminator", -E_FORMAT);
        const uint8_t *entry = fdt->blob + offset;
        if (read_be64(entry) == 0 && read_be64(entry + 8) == 0) {
            fdt->rsvmap_count = count;
            return 0;
        }
        offset += FDT_RSV_ENTRY_SIZE;
    }
}

/* Walk every token once: balanced nodes, one root, FDT_END last, bounded depth. */
static int check_structure(const struct fdt *fdt)
{
    uint32_t offset = 0;
    int depth = 0;
    bool seen_root = false;
    struct token tok;

    for (;;) {
        if (read_token(fdt, offset, &tok))
            return reject("bad token or a name/property running past its block", -E_FORMAT);
        switch (tok.tag) {
        case FDT_BEGIN_NODE:
            if (depth == 0 && seen_root)
                return reject("more than one root node", -E_FORMAT);
            seen_root = true;
            if (++depth > FDT_MAX_DEPTH)
                return reject("nodes nested too deeply", -E_FORMAT);
            break;
        case FDT_END_NODE:
            if (depth-- == 0)
                return reject("end of a node that was never begun", -E_FORMAT);
            break;
        case FDT_PROP:
            if (depth == 0)
                return reject("property outside any node", -E_FORMAT);
            break;
        case FDT_NOP:
            break;
        case FDT_END:
            if (depth != 0 || !seen_root)
                return reject("structure block ends inside a node or has no root", -E_FORMAT);
            return 0;
        }
        offset = tok.next;
    }
}

int fdt_open(struct fdt *fdt, const void *blob, size_t buffer_size)
{
    memset(fdt, 0, sizeof(*fdt));
    fdt->blob = blob;
    int err = check_header(fdt, blob, buffer_size);
    if (!err)
        err = check_rsvmap(fdt);
    if (!err)
        err = check_structure(fdt);
    if (err)
        fdt->size = 0; /* an unusable fdt: accessors find nothing */
    return err;
}

/* The first token at or after OFFSET that is not a NOP. */
static int skip_nops(const struct fdt *fdt, uint32_t offset, struct token *tok)
{
    for (;;) {
        if (read_token(fdt, offset, tok))
            return -E_FORMAT;
        if (tok->tag != FDT_NOP)
            return (int)offset;
        offset = tok->next;
    }
}

int fdt_root(const struct fdt *fdt)
{
    struct token tok;
    if (fdt->size == 0)
        return -E_NOENT;
    int offset = skip_nops(fdt, 0, &tok);
    return offset >= 0 && tok.tag == FDT_BEGIN_NODE ? offset : -E_NOENT;
}

/* Offset of the first token after NODE's name and properties. */
static int after_properties(const struct fdt *fdt, int node)
{
    struct token tok;
    if (node < 0 || read_token(fdt, (uint32_t)node, &tok) || tok.tag != FDT_BEGIN_NODE)
        return -E_NOENT;
    uint32_t offset = tok.next;
    for (;;) {
        if (read_token(fdt, offset, &tok))
            return -E_FORMAT;
        if (tok.tag != FDT_PROP && tok.tag != FDT_NOP)
            return (int)offset;
        offset = tok.next;
    }
}

int fdt_first_child(const struct fdt *fdt, int node)
{
    struct token tok;
    int offset = after_properties(fdt, node);
    if (offset < 0)
        return offset;
    offset = skip_nops(fdt, (uint32_t)offset, &tok);
    return offset >= 0 && tok.tag == FDT_BEGIN_NODE ? offset : -E_NOENT;
}

int fdt_next_sibling(const struct fdt *fdt, int node)
{
    struct token tok;
    if (node < 0 || read_token(fdt, (uint32_t)node, &tok) || tok.tag != FDT_BEGIN_NODE)
        return -E_NOENT;
    /* Skip NODE's whole subtree. */
    uint32_t offset = tok.next;
    for (int depth = 1; depth > 0; offset = tok.next) {
        if (read_token(fdt, offset, &tok) || tok.tag == FDT_END)
            return -E_FORMAT;
        if (tok.tag == FDT_BEGIN_NODE)
            depth++;
        else if (tok.tag == FDT_END_NODE)
            depth--;
    }
    int next = skip_nops(fdt, offset, &tok);
    return next >= 0 && tok.tag == FDT_BEGIN_NODE ? next : -E_NOENT;
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
    struct token tok;
    if (node < 0 || read_token(fdt, (uint32_t)node, &tok) || tok.tag != FDT_BEGIN_NODE)
        return "";
    return tok.name;
}

int fdt_parent(const struct fdt *fdt, int node)
{
    int stack[FDT_MAX_DEPTH];
    int depth = 0;
    struct token tok;
    uint32_t offset = 0;
    for (;;) {
        if (read_token(fdt, offset, &tok) || tok.tag == FDT_END)
            return -E_NOENT;
        if (tok.tag == FDT_BEGIN_NODE) {
            if ((int)offset == node)
                return depth > 0 ? stack[depth - 1] : -E_NOENT;
            if (depth == FDT_MAX_DEPTH)
                return -E_FORMAT;
            stack[depth++] = (int)offset;
        } else if (tok.tag == FDT_END_NODE) {
            if (depth-- == 0)
                return -E_FORMAT;
        }
        offset = tok.next;
    }
}

/* Does node NAME match path component COMP (LEN bytes)? */
static bool name_matches(const char *name, const char *comp, size_t len)
{
    if (strncmp(name, comp, len) != 0)
        return false;
    if (name[len] == '\0')
        return true;
    /* "memory" matches "memory@80000000" when the component has no unit address. */
    return name[len] == '@' && memchr(comp, '@', len) == NULL;
}

int fdt_find_path(const struct fdt *fdt, const char *path)
{
    int node = fdt_root(fdt);
    if (node < 0 || path[0] != '/')
        return -E_NOENT;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *end = p;
        while (*end && *end != '/')
            end++;
        int child = fdt_first_child(fdt, node);
        while (child >= 0 && !name_matches(fdt_node_name(fdt, child), p, (size_t)(end - p)))
            child = fdt_next_sibling(fdt, child);
        if (child < 0)
            return -E_NOENT;
        node = child;
        p = end;
    }
    return node;
}

const void *fdt_get_prop(const struct fdt *fdt, int node, const char *name, uint32_t *len)
{
    struct token tok;
    if (node < 0 || read_token(fdt, (uint32_t)node, &tok) || tok.tag != FDT_BEGIN_NODE)
        return NULL;
    uint32_t offset = tok.next;
    for (;;) {
        if (read_token(fdt, offset, &tok))
            return NULL;
        if (tok.tag == FDT_PROP && strcmp(tok.name, name) == 0) {
            if (len)
                *len = tok.value_len;
            return tok.value;
        }
        if (tok.tag != FDT_PROP && tok.tag != FDT_NOP)
            return NULL;
        offset = tok.next;
    }
}

const char *fdt_get_string(const struct fdt *fdt, int node, const char *name)
{
    uint32_t len;
    const char *s = fdt_get_prop(fdt, node, name, &len);
    if (!s || len == 0 || strnlen(s, len) == len)
        return NULL; /* absent, empty, or not terminated inside the property */
    return s;
}

bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
    uint32_t len;
    const char *list = fdt_get_prop(fdt, node, "compatible", &len);
    if (!list)
        return false;
    uint32_t pos = 0;
    while (pos < len) {
        uint32_t n = (uint32_t)strnlen(list + pos, len - pos);
        if (n == len - pos)
            return false; /* unterminated last entry */
        if (strcmp(list + pos, compat) == 0)
            return true;
        pos += n + 1;
    }
    return false;
}

bool fdt_node_enabled(const struct fdt *fdt, int node)
{
    const char *status = fdt_get_string(fdt, node, "status");
    return !status || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

int fdt_find_compatible(const struct fdt *fdt, const char *compat)
{
    /* A walk over the tokens in order is a depth-first walk of the nodes. */
    struct token tok;
    uint32_t offset = 0;
    for (;;) {
        if (read_token(fdt, offset, &tok) || tok.tag == FDT_END)
            return -E_NOENT;
        if (tok.tag == FDT_BEGIN_NODE && fdt_is_compatible(fdt, (int)offset, compat) &&
            fdt_node_enabled(fdt, (int)offset))
            return (int)offset;
        offset = tok.next;
    }
}

int fdt_get_u32(const struct fdt *fdt, int node, const char *name, uint32_t *value)
{
    uint32_t len;
    const void *p = fdt_get_prop(fdt, node, name, &len);
    if (!p)
        return -E_NOENT;
    if (len != sizeof(uint32_t))
        return -E_FORMAT;
    *value = fdt_read_be32(p);
    return 0;
}

int fdt_find_phandle(const struct fdt *fdt, uint32_t phandle)
{
    struct token tok;
    uint32_t offset = 0;
    int node = -E_NOENT;
    for (;;) {
        if (read_token(fdt, offset, &tok) || tok.tag == FDT_END)
            return -E_NOENT;
        if (tok.tag == FDT_BEGIN_NODE)
            node = (int)offset;
        else if (tok.tag == FDT_PROP && tok.value_len == sizeof(uint32_t) &&
                 (strcmp(tok.name, "phandle") == 0 || strcmp(tok.name, "linux,phandle") == 0) &&
                 fdt_read_be32(tok.value) == phandle)
            return node;
        offset = tok.next;
    }
}

int fdt_cells(const struct fdt *fdt, int node, uint32_t *address_cells, uint32_t *size_cells)
{
    *address_cells = 2; /* specification 2.3.5 defaults */
    *size_cells = 1;
    int err = fdt_get_u32(fdt, node, "#address-cells", address_cells);
    if (err && err != -E_NOENT)
        return err;
    err = fdt_get_u32(fdt, node, "#size-cells", size_cells);
    if (err && err != -E_NOENT)
        return err;
    if (*address_cells > FDT_MAX_CELLS || *size_cells > FDT_MAX_CELLS || *address_cells == 0)
        return -E_FORMAT;
    return 0;
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
    uint64_t value = 0;
    for (uint32_t i = 0; i < cells; i++)
        value = value << 32 | fdt_read_be32(p + 4 * i);
    return value;
}

int fdt_get_reg(const struct fdt *fdt, int node, uint32_t index, uint64_t *base, uint64_t *size)
{
    int parent = fdt_parent(fdt, node);
    if (parent < 0)
        return -E_NOENT;
    uint32_t ac, sc;
    int err = fdt_cells(fdt, parent, &ac, &sc);
    if (err)
        return err;
    uint32_t len;
    const uint8_t *reg = fdt_get_prop(fdt, node, "reg", &len);
    if (!reg)
        return -E_NOENT;
    uint32_t entry = (ac + sc) * 4;
    if (len % entry)
        return -E_FORMAT;
    if (index >= len / entry)
        return -E_NOENT;
    *base = read_cells(reg + index * entry, ac);
    *size = read_cells(reg + index * entry + ac * 4, sc);
    return 0;
}

int fdt_get_memreserve(const struct fdt *fdt, uint32_t index, uint64_t *base, uint64_t *size)
{
    if (fdt->size == 0 || index >= fdt->rsvmap_count)
        return -E_NOENT;
    const uint8_t *entry = fdt->blob + fdt->rsvmap_offset + index * FDT_RSV_ENTRY_SIZE;
    *base = read_be64(entry);
    *size = read_be64(entry + 8);
    return 0;
}
