/*
 * The ELF64 executable reader (see elf.h). The file header is checked whole
 * before any program header is read; each PT_LOAD is then checked on its own
 * (sizes, rights, extent in the file and in memory, alignment) and against
 * the one before it (order, pages shared), and the entry point last, against
 * the segments that passed. Fields are assembled from bytes, so neither the
 * buffer's alignment nor the host's byte order matters, and every sum that
 * could wrap is written as a comparison with what remains instead.
 */
#include "kernel/boot/elf.h"
#include "kernel/lib/string.h"
#include <pagoda/errors.h>

/* Little-endian fields of WIDTH bytes at P (ELFDATA2LSB is all we accept). */
static uint64_t elf_read_le(const uint8_t *p, unsigned width)
{
    uint64_t value = 0;
    for (unsigned i = width; i-- > 0;)
        value = value << 8 | p[i];
    return value;
}

static uint16_t elf_half(const uint8_t *p) { return (uint16_t)elf_read_le(p, sizeof(uint16_t)); }
static uint32_t elf_word(const uint8_t *p) { return (uint32_t)elf_read_le(p, sizeof(uint32_t)); }
static uint64_t elf_xword(const uint8_t *p) { return elf_read_le(p, sizeof(uint64_t)); }

/* What the whole parse needs to know besides the file header. */
struct elf_limits {
    size_t size;         /* of the file */
    uint64_t page_size;  /* a power of two */
    uint64_t user_limit; /* a multiple of page_size */
};

/* The ident and the fixed fields of the header; the program header table's extent. */
static int elf_check_header(const uint8_t *file, size_t size, uint16_t machine,
                            uint64_t *phoff, unsigned *phnum)
{
    if (size < ELF_HEADER_SIZE)
        return -E_TRUNC;
    if (memcmp(file, ELF_MAGIC, ELF_MAGIC_SIZE) != 0)
        return -E_BADMAGIC;
    if (file[ELF_IDENT_CLASS] != ELF_CLASS_64 || file[ELF_IDENT_DATA] != ELF_DATA_LSB)
        return -E_NOTSUP;
    if (file[ELF_IDENT_VERSION] != ELF_VERSION_CURRENT)
        return -E_FORMAT;
    if (elf_half(file + ELF_EH_TYPE) != ELF_TYPE_EXEC ||
        elf_half(file + ELF_EH_MACHINE) != machine)
        return -E_NOTSUP;
    if (elf_word(file + ELF_EH_VERSION) != ELF_VERSION_CURRENT ||
        elf_half(file + ELF_EH_EHSIZE) != ELF_HEADER_SIZE ||
        elf_half(file + ELF_EH_PHENTSIZE) != ELF_PHDR_SIZE)
        return -E_FORMAT;
    unsigned count = elf_half(file + ELF_EH_PHNUM);
    if (count == 0)
        return -E_FORMAT; /* nothing to load */
    if (count == ELF_PHNUM_EXTENDED)
        return -E_NOTSUP;
    /* COUNT < 2^16, so the table's size cannot wrap; its start is compared, not added. */
    uint64_t start = elf_xword(file + ELF_EH_PHOFF);
    uint64_t table = (uint64_t)count * ELF_PHDR_SIZE;
    if (start > size || table > size - start)
        return -E_TRUNC;
    *phoff = start;
    *phnum = count;
    return 0;
}

/* p_flags (PF_R/W/X) as enum elf_segment_flags. */
static uint32_t elf_segment_rights(uint32_t pflags)
{
    uint32_t rights = 0;
    if (pflags & ELF_PF_R)
        rights |= ELF_SEGMENT_READ;
    if (pflags & ELF_PF_W)
        rights |= ELF_SEGMENT_WRITE;
    if (pflags & ELF_PF_X)
        rights |= ELF_SEGMENT_EXECUTE;
    return rights;
}

/*
 * The PT_LOAD at PH on its own, into SEG. A segment with no memory comes
 * back with memsz 0, for the caller to skip.
 */
static int elf_check_load(const uint8_t *ph, const struct elf_limits *lim,
                          struct elf_segment *seg)
{
    *seg = (struct elf_segment){
        .vaddr = elf_xword(ph + ELF_PH_VADDR),
        .memsz = elf_xword(ph + ELF_PH_MEMSZ),
        .offset = elf_xword(ph + ELF_PH_OFFSET),
        .filesz = elf_xword(ph + ELF_PH_FILESZ),
        .flags = elf_segment_rights(elf_word(ph + ELF_PH_FLAGS)),
    };
    if (seg->filesz > seg->memsz)
        return -E_FORMAT;
    if (seg->memsz == 0)
        return 0;
    if (seg->flags == 0)
        return -E_FORMAT; /* a mapping nobody may touch is a mistake, not a guard */
    if ((seg->flags & ELF_SEGMENT_WRITE) && (seg->flags & ELF_SEGMENT_EXECUTE))
        return -E_PERM;
    if (seg->offset > lim->size || seg->filesz > lim->size - seg->offset)
        return -E_TRUNC;
    /* Page 0 stays unmapped, so the segment must start on page 1 or later. */
    if (seg->vaddr < lim->page_size || seg->memsz > lim->user_limit ||
        seg->vaddr > lim->user_limit - seg->memsz)
        return -E_RANGE;
    uint64_t in_page = lim->page_size - 1;
    if ((seg->vaddr & in_page) != (seg->offset & in_page))
        return -E_ALIGN;
    return 0;
}

/*
 * SEG against PREV, the PT_LOAD before it: later, and not sharing a page.
 * PREV's end is at most the page-aligned user limit, so rounding it up to a
 * page cannot wrap.
 */
static int elf_check_order(const struct elf_segment *prev, const struct elf_segment *seg,
                           uint64_t page_size)
{
    if (seg->vaddr < prev->vaddr)
        return -E_FORMAT;
    if (ALIGN_DOWN(seg->vaddr, page_size) < ALIGN_UP(prev->vaddr + prev->memsz, page_size))
        return -E_OVERLAP;
    return 0;
}

/* Whether an executable segment holds ENTRY. */
static bool elf_entry_is_executable(const struct elf_image *image, uint64_t entry)
{
    for (unsigned i = 0; i < image->segment_count; i++) {
        const struct elf_segment *seg = &image->segments[i];
        if ((seg->flags & ELF_SEGMENT_EXECUTE) && entry >= seg->vaddr &&
            entry - seg->vaddr < seg->memsz)
            return true;
    }
    return false;
}

int elf_parse(const void *data, size_t size, uint16_t machine, uint64_t page_size,
              uint64_t user_limit, struct elf_image *out)
{
    const uint8_t *file = data;
    if (page_size == 0 || (page_size & (page_size - 1)) != 0 ||
        !IS_ALIGNED(user_limit, page_size))
        return -E_INVAL;
    const struct elf_limits lim = { .size = size, .page_size = page_size,
                                    .user_limit = user_limit };
    uint64_t phoff;
    unsigned phnum;
    int err = elf_check_header(file, size, machine, &phoff, &phnum);
    if (err)
        return err;

    out->entry = elf_xword(file + ELF_EH_ENTRY);
    out->segment_count = 0;
    for (unsigned i = 0; i < phnum; i++) {
        /* Inside the file: elf_check_header() measured the whole table. */
        const uint8_t *ph = file + phoff + (size_t)i * ELF_PHDR_SIZE;
        uint32_t type = elf_word(ph + ELF_PH_TYPE);
        if (type == ELF_PT_INTERP || type == ELF_PT_DYNAMIC || type == ELF_PT_TLS)
            return -E_NOTSUP;
        if (type != ELF_PT_LOAD)
            continue;
        struct elf_segment seg;
        err = elf_check_load(ph, &lim, &seg);
        if (err)
            return err;
        if (seg.memsz == 0)
            continue;
        if (out->segment_count > 0) {
            err = elf_check_order(&out->segments[out->segment_count - 1], &seg, page_size);
            if (err)
                return err;
        }
        if (out->segment_count == ELF_MAX_SEGMENTS)
            return -E_NOSPACE;
        out->segments[out->segment_count++] = seg;
    }
    if (!elf_entry_is_executable(out, out->entry))
        return -E_FAULT;
    return 0;
}

const char *elf_machine_name(uint16_t machine)
{
    switch (machine) {
    case ELF_MACHINE_X86_64:
        return "x86_64";
    case ELF_MACHINE_RISCV:
        return "riscv64";
    case ELF_MACHINE_AARCH64:
        return "aarch64";
    default:
        return "?";
    }
}
