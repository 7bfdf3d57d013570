/*
 * A reader for ELF64 executables: how the kernel learns what to map for a
 * user program taken from the initrd. It accepts only what our own toolchain
 * (clang + ld.lld) makes for a static program: little-endian ELF64, ET_EXEC,
 * for one machine, with no interpreter, no dynamic section and no TLS. The
 * layout facts come from the System V gABI (the "ELF-64 Object File Format"
 * and its generic chapters); the names below are our own.
 *
 * The file is hostile input. elf_parse() reads it only inside
 * [data, data+size), a byte at a time (the data may sit at any alignment),
 * compares every length with the bytes that remain rather than adding it to
 * an offset first, and hands back a description of the loadable segments
 * that the caller can map page by page without checking anything again:
 * each segment's file bytes are inside the file, its memory lies in
 * [page_size, user_limit), no two segments touch the same page, none is both
 * writable and executable, and the entry point is in an executable one.
 * Nothing is copied: offsets refer to the caller's buffer.
 */
#pragma once

#include <pagoda/types.h>

/* --- the file format (gABI), as offsets into the file ------------------- */

/* e_ident: the first 16 bytes, the same for every class of ELF file. */
#define ELF_IDENT_SIZE 16u
#define ELF_MAGIC "\177ELF"
#define ELF_MAGIC_SIZE 4u
enum elf_ident_index {
    ELF_IDENT_CLASS = 4,   /* 32- or 64-bit structures */
    ELF_IDENT_DATA = 5,    /* byte order */
    ELF_IDENT_VERSION = 6, /* of the ELF format itself */
    ELF_IDENT_OSABI = 7,   /* not checked: ld.lld writes 0 (System V) */
};
#define ELF_CLASS_32 1u
#define ELF_CLASS_64 2u
#define ELF_DATA_LSB 1u /* two's complement, little-endian */
#define ELF_DATA_MSB 2u
#define ELF_VERSION_CURRENT 1u /* both in e_ident and in e_version */

/* The ELF64 file header: the offset of each field, and its size. */
#define ELF_HEADER_SIZE 64u
enum elf_header_field {
    ELF_EH_TYPE = 16,      /* 2 bytes */
    ELF_EH_MACHINE = 18,   /* 2 */
    ELF_EH_VERSION = 20,   /* 4 */
    ELF_EH_ENTRY = 24,     /* 8 */
    ELF_EH_PHOFF = 32,     /* 8: where the program header table starts */
    ELF_EH_SHOFF = 40,     /* 8: sections are not used to load a program */
    ELF_EH_FLAGS = 48,     /* 4: machine-specific (RISC-V's float ABI); not checked */
    ELF_EH_EHSIZE = 52,    /* 2: the size of this header */
    ELF_EH_PHENTSIZE = 54, /* 2 */
    ELF_EH_PHNUM = 56,     /* 2 */
    ELF_EH_SHENTSIZE = 58, /* 2 */
    ELF_EH_SHNUM = 60,     /* 2 */
    ELF_EH_SHSTRNDX = 62,  /* 2 */
};

/* e_type values. */
#define ELF_TYPE_REL 1u
#define ELF_TYPE_EXEC 2u
#define ELF_TYPE_DYN 3u /* position-independent executables too: not yet loaded */
#define ELF_TYPE_CORE 4u

/* e_machine values of the three architectures Pagoda runs on. */
#define ELF_MACHINE_X86_64 62u
#define ELF_MACHINE_AARCH64 183u
#define ELF_MACHINE_RISCV 243u

/* An e_phnum of this value means "the count is elsewhere" (in section 0). */
#define ELF_PHNUM_EXTENDED 0xffffu

/* One ELF64 program header: the offset of each field inside it, and its size. */
#define ELF_PHDR_SIZE 56u
enum elf_phdr_field {
    ELF_PH_TYPE = 0,    /* 4 bytes */
    ELF_PH_FLAGS = 4,   /* 4 */
    ELF_PH_OFFSET = 8,  /* 8 */
    ELF_PH_VADDR = 16,  /* 8 */
    ELF_PH_PADDR = 24,  /* 8: ignored */
    ELF_PH_FILESZ = 32, /* 8 */
    ELF_PH_MEMSZ = 40,  /* 8 */
    ELF_PH_ALIGN = 48,  /* 8: ignored; the page size passed in is what counts */
};

/* p_type values. */
#define ELF_PT_NULL 0u
#define ELF_PT_LOAD 1u
#define ELF_PT_DYNAMIC 2u
#define ELF_PT_INTERP 3u
#define ELF_PT_NOTE 4u
#define ELF_PT_SHLIB 5u
#define ELF_PT_PHDR 6u
#define ELF_PT_TLS 7u
#define ELF_PT_GNU_EH_FRAME 0x6474e550u
#define ELF_PT_GNU_STACK 0x6474e551u
#define ELF_PT_GNU_RELRO 0x6474e552u

/* p_flags bits (not in the order of enum elf_segment_flags). */
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

/* --- what the parser hands back ------------------------------------------ */

#define ELF_MAX_SEGMENTS 8

enum elf_segment_flags {
    ELF_SEGMENT_READ = 1,
    ELF_SEGMENT_WRITE = 2,
    ELF_SEGMENT_EXECUTE = 4,
};

struct elf_segment {
    uint64_t vaddr, memsz;   /* where it goes and how big it is in memory */
    uint64_t offset, filesz; /* the bytes of the file it starts with; the rest is zero */
    uint32_t flags;          /* enum elf_segment_flags */
};

struct elf_image {
    uint64_t entry;
    unsigned segment_count; /* PT_LOAD segments, in ascending vaddr order */
    struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/*
 * Parse the ELF executable DATA[0..SIZE) for MACHINE (an ELF_MACHINE_*
 * value); its segments must lie below USER_LIMIT. Returns 0 with OUT filled,
 * or a negative error with nothing of OUT to be trusted. The checks run in
 * this order, and the first that fails gives the answer:
 *
 *   -E_INVAL     PAGE_SIZE is not a power of two, or USER_LIMIT is not a
 *                multiple of it (the caller's mistake, not the file's)
 *   -E_TRUNC     fewer than ELF_HEADER_SIZE bytes
 *   -E_BADMAGIC  the file does not start with "\177ELF"
 *   -E_NOTSUP    not ELFCLASS64, or not little-endian
 *   -E_FORMAT    e_ident's version is not ELF_VERSION_CURRENT
 *   -E_NOTSUP    e_type is not ET_EXEC (ET_DYN included: no relocation yet),
 *                or e_machine is not MACHINE
 *   -E_FORMAT    e_version is not ELF_VERSION_CURRENT, e_ehsize is not
 *                ELF_HEADER_SIZE, e_phentsize is not ELF_PHDR_SIZE, or
 *                e_phnum is 0
 *   -E_NOTSUP    e_phnum is ELF_PHNUM_EXTENDED (the count kept in section 0)
 *   -E_TRUNC     the program header table runs past the end of the file
 *
 * then for each program header, in the file's order:
 *
 *   -E_NOTSUP    PT_INTERP or PT_DYNAMIC (only static executables), PT_TLS
 *                (no thread-local storage yet); every other type that is
 *                not PT_LOAD (PT_PHDR, PT_NOTE, PT_GNU_STACK, PT_GNU_RELRO,
 *                ...) is ignored
 *
 * and for each PT_LOAD:
 *
 *   -E_FORMAT    p_filesz > p_memsz
 *                (a PT_LOAD with p_memsz == 0, and so p_filesz == 0, puts
 *                nothing in memory: it is skipped without further checks and
 *                does not count towards ELF_MAX_SEGMENTS)
 *   -E_FORMAT    p_flags has none of R, W, X (other bits are ignored)
 *   -E_PERM      p_flags has both W and X (W^X)
 *   -E_TRUNC     p_offset + p_filesz lies past the end of the file (or wraps)
 *   -E_RANGE     p_vaddr < PAGE_SIZE (page 0 stays unmapped), or
 *                p_vaddr + p_memsz wraps or exceeds USER_LIMIT
 *   -E_ALIGN     p_vaddr and p_offset differ modulo PAGE_SIZE, so the file
 *                cannot be mapped page by page
 *   -E_FORMAT    p_vaddr is below the previous PT_LOAD's (the gABI requires
 *                ascending order)
 *   -E_OVERLAP   its first page is not after the previous PT_LOAD's last
 *                page: two segments would share a page
 *   -E_NOSPACE   more than ELF_MAX_SEGMENTS of them
 *
 * and finally:
 *
 *   -E_FAULT     e_entry is not inside [vaddr, vaddr + memsz) of an
 *                executable segment (nor, then, is there any such segment)
 */
int elf_parse(const void *data, size_t size, uint16_t machine, uint64_t page_size,
              uint64_t user_limit, struct elf_image *out) MUST_CHECK;

/* "x86_64", "riscv64", "aarch64", or "?" for any other e_machine value. */
const char *elf_machine_name(uint16_t machine);
