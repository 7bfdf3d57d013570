/*
 * The boot page tables: enough translation to run the kernel at its link
 * address until kernel_vm_init() builds the kernel page directory. boot.S
 * makes the first ones with the MMU off (the image in TTBR1, a few
 * identity blocks in TTBR0); mmu_boot.c then gives TTBR0 an identity map
 * of all RAM, through which kernel_vm.c writes the new tables.
 */
#pragma once

#include "kernel/boot_info.h"

/*
 * Replace boot.S's TTBR0 tables by an identity map of every RAM range in BI
 * (Normal memory, writable, never executable) and of the page of the UART
 * at CONSOLE_BASE (Device memory). Errors: -E_NOMEM if the pool is used
 * up, -E_RANGE for RAM beyond the CPU's physical address size, -E_EXIST
 * for overlapping ranges (a devicetree bug). On error TTBR0 is unchanged.
 */
int mmu_boot_map_ram(const struct boot_info *bi, uint64_t console_base) MUST_CHECK;

/* The kernel page directory has replaced both halves: the boot tables are never used again. */
void mmu_boot_forget(void);
