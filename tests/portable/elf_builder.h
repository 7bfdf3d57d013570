/*
 * A small ELF64 executable writer for tests and fuzz seeds, and the checker
 * of what elf_parse() promises about an image it accepts.
 *
 * The builder collects program headers, then elf_builder_finish() lays the
 * file out the way ld.lld does: the file header, the program header table
 * right after it, then each PT_LOAD's bytes at the first offset that is
 * congruent to its address modulo the page size (so with addresses chosen
 * to follow the file, nothing is padded). A segment can also be the one that
 * maps the headers themselves, at offset 0, as lld's first read-only segment
 * does. Freestanding, so the same tests run on the host and in kernels.
 *
 * Every writer checks room first; a builder that ran out of room (or of
 * program header slots) remembers it and elf_builder_finish() returns 0, so
 * a too-small buffer cannot pass a test by accident. Tests that need a
 * malformed file build a good one and patch it with the field setters.
 */
#pragma once

#include "kernel/boot/elf.h"

#define ELF_BUILDER_MAX_PHDRS 12u

struct elf_builder_phdr {
    uint32_t type, pflags; /* ELF_PT_*, ELF_PF_* */
    uint64_t vaddr, filesz, memsz;
    const void *bytes;     /* FILESZ bytes of a PT_LOAD, or NULL for zeros */
    bool headers;          /* this PT_LOAD maps the file and program headers */
    uint64_t offset;       /* where elf_builder_finish() put it */
};

struct elf_builder {
    uint8_t *buf;
    size_t capacity;
    size_t len;
    bool overflow;
    uint16_t machine;
    uint32_t eflags; /* e_flags: 0 unless set before elf_builder_finish() */
    uint64_t page_size;
    unsigned phnum;
    struct elf_builder_phdr phdrs[ELF_BUILDER_MAX_PHDRS];
};

void elf_builder_init(struct elf_builder *b, void *buf, size_t capacity, uint16_t machine,
                      uint64_t page_size);

/*
 * A PT_LOAD of PFLAGS (ELF_PF_*) at VADDR whose first FILESZ of MEMSZ bytes
 * come from BYTES (zeros if NULL). Returns its program header's index.
 */
unsigned elf_builder_load(struct elf_builder *b, uint32_t pflags, uint64_t vaddr,
                          const void *bytes, uint64_t filesz, uint64_t memsz);
/* A read-only PT_LOAD of the headers, at offset 0; VADDR should be page-aligned. */
unsigned elf_builder_load_headers(struct elf_builder *b, uint64_t vaddr);
/*
 * Any other program header, with no bytes of its own. A PT_PHDR is pointed
 * at the program header table (and, if there is one, at its address in the
 * headers' segment); others get zero offset, address and sizes.
 */
unsigned elf_builder_other(struct elf_builder *b, uint32_t type, uint32_t pflags);

/* Write the file with e_entry ENTRY; returns its size, or 0 if out of room. */
size_t elf_builder_finish(struct elf_builder *b, uint64_t entry);

/* The offset of program header INDEX in a finished file. */
size_t elf_builder_phdr_at(unsigned index);
/* Rewrite a file header field (enum elf_header_field) with VALUE, at the field's width. */
void elf_builder_patch_header(struct elf_builder *b, enum elf_header_field field, uint64_t value);
/* Rewrite FIELD (enum elf_phdr_field) of program header INDEX, at the field's width. */
void elf_builder_patch_phdr(struct elf_builder *b, unsigned index, enum elf_phdr_field field,
                            uint64_t value);
/* Little-endian VALUE in WIDTH bytes at P (1, 2, 4 or 8). */
void elf_builder_put_le(uint8_t *p, unsigned width, uint64_t value);

/*
 * A typical static program for MACHINE as ld.lld lays one out for
 * PAGE_SIZE pages from BASE (page-aligned): PT_PHDR; a read-only PT_LOAD of
 * the headers at BASE; text (R+X), RELRO data (R+W, to the end of its page)
 * and data with bss (R+W), each on a page of its own while their bytes
 * follow one another in the file; PT_GNU_RELRO and PT_GNU_STACK. The entry is
 * the start of the text. Returns the file's size, or 0 if it did not fit.
 */
#define ELF_PROGRAM_SEGMENTS 4u /* the PT_LOADs: headers, text, RELRO, data */
size_t elf_builder_program(void *buf, size_t capacity, uint16_t machine, uint64_t page_size,
                           uint64_t base);

/*
 * What every image that elf_parse(DATA, SIZE, MACHINE, PAGE_SIZE,
 * USER_LIMIT) accepted must satisfy, checked from the raw bytes without the
 * parser's help: the header is an ELF64 LSB ET_EXEC for MACHINE; the entry
 * is e_entry and lies in an executable segment; the segments are, in order,
 * exactly the file's PT_LOADs with memory, with their fields and rights;
 * each has file bytes inside the file, memory in [PAGE_SIZE, USER_LIMIT),
 * matching offsets and addresses modulo the page, some rights but never
 * both write and execute; later segments start on a later page than earlier
 * ones end; and the file has no PT_INTERP, PT_DYNAMIC or PT_TLS. Returns
 * NULL if all of that holds, or which promise is broken.
 */
const char *elf_image_broken_promise(const void *data, size_t size, uint16_t machine,
                                     uint64_t page_size, uint64_t user_limit,
                                     const struct elf_image *image);
