/*
 * The Multiboot2 parser: turns the boot information structure GRUB leaves
 * for the x86_64 kernel into struct boot_info. The structure is treated as
 * hostile input: the tag framing is checked in a first walk before anything
 * is recorded, every length is checked before the bytes it covers are read,
 * nothing past total_size (itself checked against the buffer) is touched,
 * and every rejection is printed with the offset of the offending tag.
 *
 * Values are read byte by byte (little-endian, the only byte order
 * Multiboot2 exists for), so a structure at any alignment is safe to parse.
 */
#include "kernel/boot/multiboot2.h"
#include "kernel/console.h"
#include "kernel/lib/string.h"
#include <pagoda/errors.h>

/* Layout facts of the Multiboot2 specification, version 2.0. */
#define MB2_INFO_HEADER_SIZE 8u     /* u32 total_size, u32 reserved */
#define MB2_TAG_HEADER_SIZE 8u      /* u32 type, u32 size */
#define MB2_TAG_ALIGN 8u
#define MB2_INFO_MIN_SIZE (MB2_INFO_HEADER_SIZE + MB2_TAG_HEADER_SIZE) /* header + end tag */
#define MB2_MODULE_FIXED_SIZE 8u    /* u32 mod_start, u32 mod_end, then the name */
#define MB2_MMAP_FIXED_SIZE 8u      /* u32 entry_size, u32 entry_version, then entries */
#define MB2_MMAP_ENTRY_MIN_SIZE 24u /* u64 base, u64 length, u32 type, u32 reserved */
#define MB2_MMAP_ENTRY_ALIGN 8u
#define MB2_MMAP_ENTRY_BASE 0u
#define MB2_MMAP_ENTRY_LENGTH 8u
#define MB2_MMAP_ENTRY_TYPE 16u

/* The ACPI RSDP (ACPI 6.4, 5.2.5.3): version 1 is 20 bytes, starting with its signature. */
#define ACPI_RSDP_V1_SIZE 20u
#define ACPI_RSDP_SIGNATURE "RSD PTR "
#define ACPI_RSDP_SIGNATURE_SIZE 8u

/* One tag, its framing already checked: PAYLOAD_SIZE bytes follow its header. */
struct mb2_tag {
    uint32_t type;
    uint32_t offset; /* of the tag header, from the start of the structure */
    const uint8_t *payload;
    uint32_t payload_size;
};

struct mb2_parser {
    struct boot_info *bi;
    const uint8_t *info;
    uint32_t total_size;
    uint64_t info_phys;
    bool have_mmap;
    bool have_acpi_new; /* an ACPI 2.0+ RSDP wins over a version 1 one */
};

static uint32_t mb2_read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t mb2_read_u64(const uint8_t *p)
{
    return (uint64_t)mb2_read_u32(p) | (uint64_t)mb2_read_u32(p + 4) << 32;
}

/*
 * Check the tag header at OFFSET and describe the tag in TAG. The caller
 * guarantees OFFSET < total_size; everything else is checked here.
 */
static int mb2_tag_at(const struct mb2_parser *p, uint32_t offset, struct mb2_tag *tag)
{
    uint32_t room = p->total_size - offset;
    if (room < MB2_TAG_HEADER_SIZE) {
        kprintf("multiboot2: tag at offset %#x: header runs past total_size %u\n", offset,
                p->total_size);
        return -E_FORMAT;
    }
    uint32_t type = mb2_read_u32(p->info + offset);
    uint32_t size = mb2_read_u32(p->info + offset + 4);
    if (size < MB2_TAG_HEADER_SIZE) {
        kprintf("multiboot2: tag at offset %#x (type %u): size %u is smaller than its header\n",
                offset, type, size);
        return -E_FORMAT;
    }
    if (size > room) {
        kprintf("multiboot2: tag at offset %#x (type %u): size %u runs past total_size %u\n",
                offset, type, size, p->total_size);
        return -E_FORMAT;
    }
    *tag = (struct mb2_tag){
        .type = type,
        .offset = offset,
        .payload = p->info + offset + MB2_TAG_HEADER_SIZE,
        .payload_size = size - MB2_TAG_HEADER_SIZE,
    };
    return 0;
}

typedef int (*mb2_tag_fn)(struct mb2_parser *p, const struct mb2_tag *tag);

/*
 * Walk the tags up to the end tag, calling FN (if not NULL) for each other
 * tag. The only walk of the tag list: run once with FN == NULL to check the
 * framing, then again to record what the tags say.
 */
static int mb2_for_each_tag(struct mb2_parser *p, mb2_tag_fn fn)
{
    uint64_t offset = MB2_INFO_HEADER_SIZE;
    for (;;) {
        if (offset >= p->total_size) {
            kprintf("multiboot2: no end tag before total_size %u\n", p->total_size);
            return -E_FORMAT;
        }
        struct mb2_tag tag;
        int err = mb2_tag_at(p, (uint32_t)offset, &tag);
        if (err)
            return err;
        if (tag.type == MB2_TAG_END)
            return 0;
        if (fn) {
            err = fn(p, &tag);
            if (err)
                return err;
        }
        /* 64-bit arithmetic: offset + size cannot wrap, and is at most total_size. */
        offset = ALIGN_UP(offset + MB2_TAG_HEADER_SIZE + tag.payload_size, MB2_TAG_ALIGN);
    }
}

/* The NUL-terminated string at SKIP bytes into TAG's payload, or an error if unterminated. */
static int mb2_tag_string(const struct mb2_tag *tag, uint32_t skip, const char **s, size_t *len)
{
    const char *start = (const char *)tag->payload + skip;
    size_t room = tag->payload_size - skip;
    size_t n = strnlen(start, room);
    if (n == room) {
        kprintf("multiboot2: tag at offset %#x (type %u): string not terminated inside the tag\n",
                tag->offset, tag->type);
        return -E_FORMAT;
    }
    *s = start;
    *len = n;
    return 0;
}

static int mb2_parse_cmdline(struct mb2_parser *p, const struct mb2_tag *tag)
{
    const char *s;
    size_t len;
    int err = mb2_tag_string(tag, 0, &s, &len);
    if (err)
        return err;
    if (len >= BOOT_CMDLINE_MAX)
        kprintf("multiboot2: command line of %zu bytes truncated to %u\n", len,
                BOOT_CMDLINE_MAX - 1);
    boot_info_set_cmdline(p->bi, s, len);
    return 0;
}

static int mb2_parse_loader_name(struct mb2_parser *p, const struct mb2_tag *tag)
{
    const char *s;
    size_t len;
    int err = mb2_tag_string(tag, 0, &s, &len);
    if (err)
        return err;
    string_copy(p->bi->loader, sizeof(p->bi->loader), s, len);
    return 0;
}

static int mb2_parse_module(struct mb2_parser *p, const struct mb2_tag *tag)
{
    if (tag->payload_size < MB2_MODULE_FIXED_SIZE) {
        kprintf("multiboot2: module tag at offset %#x: %u bytes, too small for its addresses\n",
                tag->offset, tag->payload_size);
        return -E_FORMAT;
    }
    uint32_t start = mb2_read_u32(tag->payload);
    uint32_t end = mb2_read_u32(tag->payload + 4);
    const char *name;
    size_t name_len;
    int err = mb2_tag_string(tag, MB2_MODULE_FIXED_SIZE, &name, &name_len);
    if (err)
        return err;
    if (end < start) {
        kprintf("multiboot2: module tag at offset %#x: end %#x is below start %#x\n",
                tag->offset, end, start);
        return -E_FORMAT;
    }
    if (end == start) {
        /* An empty file: nothing to reserve and nothing to read, so nothing to record. */
        kprintf("multiboot2: module tag at offset %#x: empty module \"%s\" ignored\n",
                tag->offset, name);
        return 0;
    }
    err = boot_info_add_module(p->bi, start, (uint64_t)end - start, name);
    if (err)
        kprintf("multiboot2: module tag at offset %#x: cannot record %#x-%#x: %s\n",
                tag->offset, start, end, error_name(err));
    return err;
}

static enum boot_range_kind mb2_reserved_kind(uint32_t type)
{
    switch (type) {
    case MB2_MMAP_ACPI_RECLAIMABLE:
        return BOOT_RANGE_ACPI;
    case MB2_MMAP_NVS:
        return BOOT_RANGE_ACPI_NVS;
    case MB2_MMAP_BADRAM:
        return BOOT_RANGE_BAD;
    default:
        /* Type 2 and every type this parser does not know: never touch it. */
        return BOOT_RANGE_RESERVED;
    }
}

/* Record one memory-map entry at ENTRY_OFFSET (from the start of the structure). */
static int mb2_parse_mmap_entry(struct mb2_parser *p, uint32_t entry_offset)
{
    const uint8_t *entry = p->info + entry_offset;
    uint64_t base = mb2_read_u64(entry + MB2_MMAP_ENTRY_BASE);
    uint64_t length = mb2_read_u64(entry + MB2_MMAP_ENTRY_LENGTH);
    uint32_t type = mb2_read_u32(entry + MB2_MMAP_ENTRY_TYPE);

    /* Firmware does report empty entries (E820 tables in the wild); they describe nothing. */
    if (length == 0)
        return 0;
    int err = type == MB2_MMAP_AVAILABLE
                  ? boot_info_add_ram(p->bi, base, length)
                  : boot_info_add_reserved(p->bi, base, length, mb2_reserved_kind(type));
    if (err)
        kprintf("multiboot2: memory map entry at offset %#x (%#llx+%#llx, type %u): %s\n",
                entry_offset, (unsigned long long)base, (unsigned long long)length, type,
                error_name(err));
    return err;
}

static int mb2_parse_mmap(struct mb2_parser *p, const struct mb2_tag *tag)
{
    if (tag->payload_size < MB2_MMAP_FIXED_SIZE) {
        kprintf("multiboot2: memory map tag at offset %#x: %u bytes, too small for its header\n",
                tag->offset, tag->payload_size);
        return -E_FORMAT;
    }
    uint32_t entry_size = mb2_read_u32(tag->payload);
    if (entry_size < MB2_MMAP_ENTRY_MIN_SIZE || !IS_ALIGNED(entry_size, MB2_MMAP_ENTRY_ALIGN)) {
        kprintf("multiboot2: memory map tag at offset %#x: entry_size %u is not a multiple of "
                "8 of at least %u\n",
                tag->offset, entry_size, MB2_MMAP_ENTRY_MIN_SIZE);
        return -E_FORMAT;
    }
    uint32_t entries_size = tag->payload_size - MB2_MMAP_FIXED_SIZE;
    if (entries_size % entry_size != 0) {
        kprintf("multiboot2: memory map tag at offset %#x: %u bytes of entries is not a whole "
                "number of %u-byte entries\n",
                tag->offset, entries_size, entry_size);
        return -E_FORMAT;
    }
    uint32_t first = tag->offset + MB2_TAG_HEADER_SIZE + MB2_MMAP_FIXED_SIZE;
    for (uint32_t done = 0; done < entries_size; done += entry_size) {
        int err = mb2_parse_mmap_entry(p, first + done);
        if (err)
            return err;
    }
    p->have_mmap = true;
    return 0;
}

static int mb2_parse_acpi(struct mb2_parser *p, const struct mb2_tag *tag)
{
    if (tag->payload_size < ACPI_RSDP_V1_SIZE) {
        kprintf("multiboot2: ACPI tag at offset %#x: %u bytes, smaller than an RSDP\n",
                tag->offset, tag->payload_size);
        return -E_FORMAT;
    }
    if (memcmp(tag->payload, ACPI_RSDP_SIGNATURE, ACPI_RSDP_SIGNATURE_SIZE) != 0) {
        kprintf("multiboot2: ACPI tag at offset %#x: no RSDP signature\n", tag->offset);
        return -E_BADMAGIC;
    }
    bool is_new = tag->type == MB2_TAG_ACPI_NEW;
    if (is_new || !p->have_acpi_new) {
        /* The loader copied the RSDP into the tag: its address is the payload's. */
        p->bi->acpi_rsdp = p->info_phys + tag->offset + MB2_TAG_HEADER_SIZE;
        p->have_acpi_new = is_new;
    }
    return 0;
}

static int mb2_parse_tag(struct mb2_parser *p, const struct mb2_tag *tag)
{
    switch (tag->type) {
    case MB2_TAG_CMDLINE:
        return mb2_parse_cmdline(p, tag);
    case MB2_TAG_LOADER_NAME:
        return mb2_parse_loader_name(p, tag);
    case MB2_TAG_MODULE:
        return mb2_parse_module(p, tag);
    case MB2_TAG_MMAP:
        return mb2_parse_mmap(p, tag);
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW:
        return mb2_parse_acpi(p, tag);
    default:
        /* Every other tag, known or not, is legal and tells the kernel nothing it uses. */
        return 0;
    }
}

int mb2_boot_info(struct boot_info *bi, const void *info, size_t buffer_size, uint64_t info_phys)
{
    if (buffer_size < MB2_INFO_HEADER_SIZE) {
        kprintf("multiboot2: buffer of %zu bytes cannot hold the %u-byte header\n", buffer_size,
                MB2_INFO_HEADER_SIZE);
        return -E_TRUNC;
    }
    struct mb2_parser p = {
        .bi = bi,
        .info = info,
        .total_size = mb2_read_u32(info),
        .info_phys = info_phys,
    };
    if (p.total_size < MB2_INFO_MIN_SIZE || p.total_size > buffer_size) {
        kprintf("multiboot2: total_size %u at offset 0 is outside %u..%zu\n", p.total_size,
                MB2_INFO_MIN_SIZE, buffer_size);
        return -E_TRUNC;
    }

    int err = mb2_for_each_tag(&p, NULL);
    if (err)
        return err;
    err = mb2_for_each_tag(&p, mb2_parse_tag);
    if (err)
        return err;
    if (!p.have_mmap) {
        kprintf("multiboot2: no memory map tag (type %u)\n", MB2_TAG_MMAP);
        return -E_NOENT;
    }
    err = boot_info_add_reserved(bi, info_phys, p.total_size, BOOT_RANGE_BOOTINFO);
    if (err)
        kprintf("multiboot2: cannot reserve the structure itself at %#llx+%#x: %s\n",
                (unsigned long long)info_phys, p.total_size, error_name(err));
    return err;
}
