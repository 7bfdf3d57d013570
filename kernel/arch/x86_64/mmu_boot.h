/*
 * The x86_64 boot page tables: what the kernel runs on until the
 * PageDirectory issue replaces them. See mmu_boot.c for the layout.
 */
#pragma once

#include "kernel/boot_info.h"

/*
 * Build the boot tables for the RAM in BI and switch to them. Panics (with
 * the reason) if the tables do not fit their static pool: there is nothing
 * to fall back to this early.
 */
void mmu_boot_init(const struct boot_info *bi);

/*
 * Look VA up in the live tables (whatever CR3 holds). Returns the leaf entry
 * that maps it, with its LEVEL (0 = 4 KiB page, 1 = 2 MiB, 2 = 1 GiB), or 0
 * if it is not mapped (LEVEL then names where the walk stopped).
 */
uint64_t mmu_boot_lookup(uintptr_t va, unsigned *level);

/* The physical address range the identity map covers: [0, top). */
uint64_t mmu_boot_identity_top(void);
