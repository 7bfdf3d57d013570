/*
 * The ELF64 test-executable writer and the checker of elf_parse()'s promises
 * (see elf_builder.h). The checker reads the file with its own byte helpers
 * and tests each promise in the plainest form it has, so that it shares no
 * code, and so no mistake, with the parser it checks.
 */
#include "tests/portable/elf_builder.h"
#include "kernel/lib/string.h"

#define ELF_HALF_SIZE 2u
#define ELF_WORD_SIZE 4u
#define ELF_XWORD_SIZE 8u
#define ELF_RIGHTS_MASK (ELF_SEGMENT_READ | ELF_SEGMENT_WRITE | ELF_SEGMENT_EXECUTE)

void elf_builder_put_le(uint8_t *p, unsigned width, uint64_t value)
{
    for (unsigned i = 0; i < width; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

static bool elf_builder_room(struct elf_builder *b, uint64_t n)
{
    if (b->overflow || n > b->capacity - b->len) {
        b->overflow = true;
        return false;
    }
    return true;
}

/* Append N bytes of DATA, or of zeros if DATA is NULL. */
static void elf_builder_put_bytes(struct elf_builder *b, const void *data, uint64_t n)
{
    if (!elf_builder_room(b, n))
        return;
    if (data)
        memcpy(b->buf + b->len, data, (size_t)n);
    else
        memset(b->buf + b->len, 0, (size_t)n);
    b->len += (size_t)n;
}

void elf_builder_init(struct elf_builder *b, void *buf, size_t capacity, uint16_t machine,
                      uint64_t page_size)
{
    *b = (struct elf_builder){ .buf = buf, .capacity = capacity, .machine = machine,
                               .page_size = page_size };
}

static unsigned elf_builder_add(struct elf_builder *b, struct elf_builder_phdr ph)
{
    if (b->phnum == ELF_BUILDER_MAX_PHDRS) {
        b->overflow = true;
        return b->phnum;
    }
    b->phdrs[b->phnum] = ph;
    return b->phnum++;
}

unsigned elf_builder_load(struct elf_builder *b, uint32_t pflags, uint64_t vaddr,
                          const void *bytes, uint64_t filesz, uint64_t memsz)
{
    return elf_builder_add(b, (struct elf_builder_phdr){ .type = ELF_PT_LOAD, .pflags = pflags,
                                                         .vaddr = vaddr, .filesz = filesz,
                                                         .memsz = memsz, .bytes = bytes });
}

unsigned elf_builder_load_headers(struct elf_builder *b, uint64_t vaddr)
{
    return elf_builder_add(b, (struct elf_builder_phdr){ .type = ELF_PT_LOAD, .pflags = ELF_PF_R,
                                                         .vaddr = vaddr, .headers = true });
}

unsigned elf_builder_other(struct elf_builder *b, uint32_t type, uint32_t pflags)
{
    return elf_builder_add(b, (struct elf_builder_phdr){ .type = type, .pflags = pflags });
}

size_t elf_builder_phdr_at(unsigned index)
{
    return ELF_HEADER_SIZE + (size_t)index * ELF_PHDR_SIZE;
}

/* Place every segment's bytes after the headers; fill in offsets and the headers' sizes. */
static void elf_builder_layout(struct elf_builder *b)
{
    uint64_t headers_end = elf_builder_phdr_at(b->phnum);
    uint64_t in_page = b->page_size - 1;
    const struct elf_builder_phdr *headers = NULL;
    elf_builder_put_bytes(b, NULL, headers_end); /* written last, once offsets are known */
    for (unsigned i = 0; i < b->phnum; i++) {
        struct elf_builder_phdr *ph = &b->phdrs[i];
        if (ph->type != ELF_PT_LOAD)
            continue;
        if (ph->headers) {
            ph->offset = 0;
            ph->filesz = ph->memsz = headers_end;
            headers = ph;
            continue;
        }
        /* The first offset from here on that matches the address within a page. */
        uint64_t at = b->len + ((ph->vaddr - b->len) & in_page);
        elf_builder_put_bytes(b, NULL, at - b->len);
        ph->offset = at;
        elf_builder_put_bytes(b, ph->bytes, ph->filesz);
    }
    for (unsigned i = 0; i < b->phnum; i++) {
        struct elf_builder_phdr *ph = &b->phdrs[i];
        if (ph->type != ELF_PT_PHDR)
            continue;
        ph->offset = ELF_HEADER_SIZE;
        ph->filesz = ph->memsz = headers_end - ELF_HEADER_SIZE;
        ph->vaddr = headers ? headers->vaddr + ELF_HEADER_SIZE : 0;
    }
}

size_t elf_builder_finish(struct elf_builder *b, uint64_t entry)
{
    if (b->len != 0)
        b->overflow = true; /* finished twice */
    elf_builder_layout(b);
    if (b->overflow)
        return 0;
    uint8_t *h = b->buf;
    memcpy(h, ELF_MAGIC, ELF_MAGIC_SIZE);
    h[ELF_IDENT_CLASS] = ELF_CLASS_64;
    h[ELF_IDENT_DATA] = ELF_DATA_LSB;
    h[ELF_IDENT_VERSION] = ELF_VERSION_CURRENT;
    elf_builder_patch_header(b, ELF_EH_TYPE, ELF_TYPE_EXEC);
    elf_builder_patch_header(b, ELF_EH_MACHINE, b->machine);
    elf_builder_patch_header(b, ELF_EH_VERSION, ELF_VERSION_CURRENT);
    elf_builder_patch_header(b, ELF_EH_ENTRY, entry);
    elf_builder_patch_header(b, ELF_EH_PHOFF, ELF_HEADER_SIZE);
    elf_builder_patch_header(b, ELF_EH_FLAGS, b->eflags);
    elf_builder_patch_header(b, ELF_EH_EHSIZE, ELF_HEADER_SIZE);
    elf_builder_patch_header(b, ELF_EH_PHENTSIZE, ELF_PHDR_SIZE);
    elf_builder_patch_header(b, ELF_EH_PHNUM, b->phnum);
    for (unsigned i = 0; i < b->phnum; i++) {
        const struct elf_builder_phdr *ph = &b->phdrs[i];
        elf_builder_patch_phdr(b, i, ELF_PH_TYPE, ph->type);
        elf_builder_patch_phdr(b, i, ELF_PH_FLAGS, ph->pflags);
        elf_builder_patch_phdr(b, i, ELF_PH_OFFSET, ph->offset);
        elf_builder_patch_phdr(b, i, ELF_PH_VADDR, ph->vaddr);
        elf_builder_patch_phdr(b, i, ELF_PH_PADDR, ph->vaddr); /* as lld writes it */
        elf_builder_patch_phdr(b, i, ELF_PH_FILESZ, ph->filesz);
        elf_builder_patch_phdr(b, i, ELF_PH_MEMSZ, ph->memsz);
        elf_builder_patch_phdr(b, i, ELF_PH_ALIGN, ph->type == ELF_PT_LOAD ? b->page_size : 0);
    }
    return b->overflow ? 0 : b->len;
}

static unsigned elf_header_field_width(enum elf_header_field field)
{
    switch (field) {
    case ELF_EH_VERSION:
    case ELF_EH_FLAGS:
        return ELF_WORD_SIZE;
    case ELF_EH_ENTRY:
    case ELF_EH_PHOFF:
    case ELF_EH_SHOFF:
        return ELF_XWORD_SIZE;
    default:
        return ELF_HALF_SIZE;
    }
}

void elf_builder_patch_header(struct elf_builder *b, enum elf_header_field field, uint64_t value)
{
    unsigned width = elf_header_field_width(field);
    if (b->len < (size_t)field + width) {
        b->overflow = true;
        return;
    }
    elf_builder_put_le(b->buf + field, width, value);
}

void elf_builder_patch_phdr(struct elf_builder *b, unsigned index, enum elf_phdr_field field,
                            uint64_t value)
{
    unsigned width = field == ELF_PH_TYPE || field == ELF_PH_FLAGS ? ELF_WORD_SIZE
                                                                   : ELF_XWORD_SIZE;
    size_t at = elf_builder_phdr_at(index) + field;
    if (index >= b->phnum || b->len < at + width) {
        b->overflow = true;
        return;
    }
    elf_builder_put_le(b->buf + at, width, value);
}

/* Sizes of the typical program's pieces: small, and none a multiple of 8 apart. */
#define ELF_PROGRAM_TEXT_SIZE 0x64u
#define ELF_PROGRAM_RELRO_SIZE 0x20u
#define ELF_PROGRAM_DATA_SIZE 0x14u
#define ELF_PROGRAM_BSS_PAGES 3u
/* RISC-V's e_flags for the RV64GC double-float ABI (EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE). */
#define ELF_PROGRAM_RISCV_FLAGS 0x5u

size_t elf_builder_program(void *buf, size_t capacity, uint16_t machine, uint64_t page_size,
                           uint64_t base)
{
    static const unsigned phnum = 7; /* the program headers added below */
    uint64_t headers_end = elf_builder_phdr_at(phnum);
    /* Each segment on the next page, at the in-page offset where its bytes land in the file. */
    uint64_t text = base + page_size + headers_end;
    uint64_t relro = base + 2 * page_size + (headers_end + ELF_PROGRAM_TEXT_SIZE);
    uint64_t data = base + 3 * page_size +
                    (headers_end + ELF_PROGRAM_TEXT_SIZE + ELF_PROGRAM_RELRO_SIZE);
    struct elf_builder b;
    elf_builder_init(&b, buf, capacity, machine, page_size);
    if (machine == ELF_MACHINE_RISCV)
        b.eflags = ELF_PROGRAM_RISCV_FLAGS;
    elf_builder_other(&b, ELF_PT_PHDR, ELF_PF_R);
    elf_builder_load_headers(&b, base);
    elf_builder_load(&b, ELF_PF_R | ELF_PF_X, text, NULL, ELF_PROGRAM_TEXT_SIZE,
                     ELF_PROGRAM_TEXT_SIZE);
    elf_builder_load(&b, ELF_PF_R | ELF_PF_W, relro, NULL, ELF_PROGRAM_RELRO_SIZE,
                     ALIGN_UP(relro, page_size) - relro);
    elf_builder_load(&b, ELF_PF_R | ELF_PF_W, data, NULL, ELF_PROGRAM_DATA_SIZE,
                     ELF_PROGRAM_DATA_SIZE + ELF_PROGRAM_BSS_PAGES * page_size);
    elf_builder_other(&b, ELF_PT_GNU_RELRO, ELF_PF_R);
    elf_builder_other(&b, ELF_PT_GNU_STACK, ELF_PF_R | ELF_PF_W);
    if (b.phnum != phnum)
        return 0;
    return elf_builder_finish(&b, text);
}

/* --- the checker ----------------------------------------------------------- */

static uint64_t elf_check_le(const uint8_t *p, unsigned width)
{
    uint64_t value = 0;
    for (unsigned i = 0; i < width; i++)
        value |= (uint64_t)p[i] << (8 * i);
    return value;
}

/* The rights enum elf_segment_flags gives for p_flags PFLAGS. */
static uint32_t elf_check_rights(uint64_t pflags)
{
    return ((pflags & ELF_PF_R) ? ELF_SEGMENT_READ : 0) |
           ((pflags & ELF_PF_W) ? ELF_SEGMENT_WRITE : 0) |
           ((pflags & ELF_PF_X) ? ELF_SEGMENT_EXECUTE : 0);
}

/* One accepted segment on its own. */
static const char *elf_check_segment(const struct elf_segment *s, size_t size,
                                     uint64_t page_size, uint64_t user_limit)
{
    if (s->memsz == 0)
        return "a segment without memory";
    if (s->filesz > s->memsz)
        return "more file bytes than memory";
    if (s->offset > size || s->offset + s->filesz > size || s->offset + s->filesz < s->offset)
        return "file bytes outside the file";
    if (s->vaddr < page_size)
        return "a segment in page 0";
    if (s->vaddr + s->memsz < s->vaddr || s->vaddr + s->memsz > user_limit)
        return "memory past the user limit";
    if (s->vaddr % page_size != s->offset % page_size)
        return "address and offset differ within the page";
    if (s->flags == 0 || (s->flags & ~(uint32_t)ELF_RIGHTS_MASK) != 0)
        return "rights missing or unknown";
    if ((s->flags & ELF_SEGMENT_WRITE) && (s->flags & ELF_SEGMENT_EXECUTE))
        return "writable and executable";
    return NULL;
}

/* IMAGE's segments are exactly the file's PT_LOADs with memory, in the file's order. */
static const char *elf_check_against_table(const uint8_t *file, size_t size,
                                           const struct elf_image *image)
{
    uint64_t phoff = elf_check_le(file + ELF_EH_PHOFF, ELF_XWORD_SIZE);
    uint64_t phnum = elf_check_le(file + ELF_EH_PHNUM, ELF_HALF_SIZE);
    if (elf_check_le(file + ELF_EH_PHENTSIZE, ELF_HALF_SIZE) != ELF_PHDR_SIZE)
        return "accepted a foreign program header size";
    if (phoff > size || phnum * ELF_PHDR_SIZE > size - phoff)
        return "accepted a program header table outside the file";
    unsigned matched = 0;
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *ph = file + phoff + i * ELF_PHDR_SIZE;
        uint64_t type = elf_check_le(ph + ELF_PH_TYPE, ELF_WORD_SIZE);
        if (type == ELF_PT_INTERP || type == ELF_PT_DYNAMIC || type == ELF_PT_TLS)
            return "accepted an interpreter, dynamic section or TLS";
        uint64_t memsz = elf_check_le(ph + ELF_PH_MEMSZ, ELF_XWORD_SIZE);
        if (type != ELF_PT_LOAD || memsz == 0)
            continue;
        if (matched == image->segment_count)
            return "a PT_LOAD left out";
        const struct elf_segment *s = &image->segments[matched++];
        if (s->vaddr != elf_check_le(ph + ELF_PH_VADDR, ELF_XWORD_SIZE) || s->memsz != memsz ||
            s->offset != elf_check_le(ph + ELF_PH_OFFSET, ELF_XWORD_SIZE) ||
            s->filesz != elf_check_le(ph + ELF_PH_FILESZ, ELF_XWORD_SIZE) ||
            s->flags != elf_check_rights(elf_check_le(ph + ELF_PH_FLAGS, ELF_WORD_SIZE)))
            return "a segment that differs from its program header";
    }
    if (matched != image->segment_count)
        return "a segment with no program header";
    return NULL;
}

const char *elf_image_broken_promise(const void *data, size_t size, uint16_t machine,
                                     uint64_t page_size, uint64_t user_limit,
                                     const struct elf_image *image)
{
    const uint8_t *file = data;
    if (size < ELF_HEADER_SIZE || memcmp(file, ELF_MAGIC, ELF_MAGIC_SIZE) != 0)
        return "accepted a file without an ELF header";
    if (file[ELF_IDENT_CLASS] != ELF_CLASS_64 || file[ELF_IDENT_DATA] != ELF_DATA_LSB ||
        file[ELF_IDENT_VERSION] != ELF_VERSION_CURRENT)
        return "accepted a foreign ident";
    if (elf_check_le(file + ELF_EH_TYPE, ELF_HALF_SIZE) != ELF_TYPE_EXEC ||
        elf_check_le(file + ELF_EH_MACHINE, ELF_HALF_SIZE) != machine)
        return "accepted another type or machine";
    if (image->entry != elf_check_le(file + ELF_EH_ENTRY, ELF_XWORD_SIZE))
        return "an entry that is not e_entry";
    if (image->segment_count == 0 || image->segment_count > ELF_MAX_SEGMENTS)
        return "no segments, or too many";
    bool entry_ok = false;
    for (unsigned i = 0; i < image->segment_count; i++) {
        const struct elf_segment *s = &image->segments[i];
        const char *broken = elf_check_segment(s, size, page_size, user_limit);
        if (broken)
            return broken;
        /* The previous segment's last page must lie wholly below this one's first. */
        if (i > 0) {
            const struct elf_segment *p = &image->segments[i - 1];
            if ((p->vaddr + p->memsz - 1) / page_size >= s->vaddr / page_size)
                return "two segments share a page, or are out of order";
        }
        if ((s->flags & ELF_SEGMENT_EXECUTE) && image->entry >= s->vaddr &&
            image->entry < s->vaddr + s->memsz)
            entry_ok = true;
    }
    if (!entry_ok)
        return "an entry outside every executable segment";
    return elf_check_against_table(file, size, image);
}
