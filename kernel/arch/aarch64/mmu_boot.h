/*
 * The boot page tables: enough translation to run the kernel with the MMU
 * and caches on until the PageDirectory of a later issue takes over.
 */
#pragma once

#include "kernel/boot_info.h"

/* The lowest addresses, left unmapped so that null-pointer accesses fault. */
#define MMU_BOOT_NULL_GUARD_SIZE (2 * MiB)

/*
 * Build an identity map of the kernel image (code read-only and executable,
 * read-only data, data/.bss/stacks writable and not executable, the stack
 * guard page absent), every RAM range in BI (writable, not executable), the
 * devices below the lowest RAM (Device-nGnRnE) except the null guard, and the
 * console; then turn on the MMU and caches. Errors: -E_NOMEM if the static
 * table pool is too small, -E_RANGE for RAM beyond the CPU's physical
 * address size, -E_EXIST for overlapping ranges (a devicetree bug).
 * On error nothing has been switched on.
 */
int mmu_boot_enable(const struct boot_info *bi) MUST_CHECK;
