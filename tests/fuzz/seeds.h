/*
 * The fuzzers' seed inputs: well-formed devicetree blobs and Multiboot2
 * structures like the boards and GRUB produce, cpio archives like the
 * boards' initrd, and static programs as ld.lld lays them out. Each builder
 * writes at most SEED_MAX bytes into BUF and returns the size (0 if it did
 * not fit).
 * Host-only (the seed writer and the host bounds tests use them).
 */
#pragma once

#include <pagoda/types.h>

#define SEED_MAX 4096

enum seed_kind { SEED_FDT, SEED_MULTIBOOT2, SEED_CPIO, SEED_ELF };

struct seed {
    const char *corpus; /* the fuzz target it seeds, and its folder: "fdt", "cpio", "elf"... */
    const char *name;
    enum seed_kind kind;
    size_t (*build)(uint8_t *buf);
};

/* The boot-information parsers' seeds (which the host bounds tests walk). */
extern const struct seed seeds[];
extern const size_t seed_count;
/* Boot-module archives: a table of their own, which the parsers' bounds tests never see. */
extern const struct seed archive_seeds[];
extern const size_t archive_seed_count;
/* User programs for the ELF reader: a table of their own too. */
extern const struct seed program_seeds[];
extern const size_t program_seed_count;

size_t seed_fdt_riscv(uint8_t *buf);
size_t seed_fdt_aarch64(uint8_t *buf);
size_t seed_fdt_small(uint8_t *buf);
size_t seed_mb2_grub(uint8_t *buf);
size_t seed_mb2_varied(uint8_t *buf);
size_t seed_cpio_initrd(uint8_t *buf);
size_t seed_elf_x86_64(uint8_t *buf);
size_t seed_elf_riscv64(uint8_t *buf);
size_t seed_elf_aarch64(uint8_t *buf);
