/*
 * How riscv64 runs the kernel page directory (kernel_vm.c, pd_hw.c): which
 * format it chose at boot and why, the directory the hart translates
 * through, and the kernel's own mappings as arch_kernel_mappings() listed
 * them (for the trap path and the riscv64 tests).
 */
#pragma once

#include "kernel/boot_info.h"
#include <arch/kernel_vm.h>

/*
 * Choose the page-table format from what the hart offers (Sv48: satp took
 * it in entry.S; Svpbmt: HART_SVPBMT, from the devicetree) and the command
 * line (mmu=sv39 or mmu=sv48 forces the mode), and print the choice.
 * Panics if mmu= asks for something the hart lacks. Call before
 * kernel_vm_init().
 */
void riscv_mmu_select(const struct boot_info *bi, bool hart_svpbmt);

/* What the hart offers, as riscv_mmu_select() found it. */
bool riscv_hart_has_sv48(void);
bool riscv_hart_has_svpbmt(void);

/* The directory the hart translates through now; NULL under the boot map. */
struct page_directory *riscv_current_pd(void);

/* The ASID bits the hart implements (all ones up to ASIDLEN), once the kernel PD is active. */
unsigned long riscv_asid_mask(void);

/* The mappings arch_kernel_mappings() listed, for tests; *COUNT of them. */
const struct kernel_mapping *riscv_kernel_mappings_made(size_t *count);
