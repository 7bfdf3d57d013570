/*
 * The fuzzers' seed inputs: well-formed devicetree blobs and Multiboot2
 * structures like the boards and GRUB produce. Each builder writes at most
 * SEED_MAX bytes into BUF and returns the size (0 if it did not fit).
 * Host-only (the seed writer and the host bounds tests use them).
 */
#pragma once

#include <pagoda/types.h>

#define SEED_MAX 4096

enum seed_kind { SEED_FDT, SEED_MULTIBOOT2 };

struct seed {
    const char *corpus; /* the fuzz target it seeds, and its folder: "fdt" or "multiboot2" */
    const char *name;
    enum seed_kind kind;
    size_t (*build)(uint8_t *buf);
};

extern const struct seed seeds[];
extern const size_t seed_count;

size_t seed_fdt_riscv(uint8_t *buf);
size_t seed_fdt_aarch64(uint8_t *buf);
size_t seed_fdt_small(uint8_t *buf);
size_t seed_mb2_grub(uint8_t *buf);
size_t seed_mb2_varied(uint8_t *buf);
