/*
 * The x86_64 MMU outside the PageDirectory verbs: the paging set-up the
 * kernel page directory relies on (pd_hw.c), the choice of page-table
 * format for this CPU, and the format variant for CPUs without 1 GiB
 * pages (pt_format.c). Shared by the boot path, the kernel_vm hooks
 * (kernel_map.c) and the arch tests.
 */
#pragma once

#include "kernel/arch/pt/pt_format.h"

/*
 * pt_format_x86_64 without 1 GiB leaves, for CPUs whose CPUID lacks
 * pdpe1gb (QEMU's default qemu64): there a PDPT entry with PS set is a
 * reserved-bit fault. Same encode and decode.
 */
extern const struct pt_format pt_format_x86_64_no1g;

/*
 * Program IA32_PAT with X86_PAT_MSR_VALUE (pte.h) and turn on global pages
 * (CR4.PGE) on this CPU. Must run before the first mapping that uses a PAT
 * entry other than 0 and before the kernel page directory is activated.
 * Panics if the CPU has no PAT or PGE (every x86_64 CPU has both).
 */
void x86_paging_init(void);

/* Whether this CPU can map 1 GiB pages (CPUID 0x80000001 EDX pdpe1gb). */
bool x86_has_1g_pages(void);
