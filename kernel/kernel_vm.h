/*
 * The kernel's own page directory: built at boot through the PageDirectory
 * interface from the arch's list of mappings, with its table pages taken
 * from a small physically contiguous pool that stays mapped at a fixed
 * window (until the physical allocator and quickmap take over).
 */
#pragma once

#include <arch/kernel_vm.h>
#include <arch/page_directory.h>

/*
 * Kernel virtual addresses with a fixed role, all inside the smallest kernel
 * half we support (Sv39: the top 4 GiB, from 0xffffffff00000000). The
 * kernel image sits at 0xffffffff00000000 + its physical address on riscv64
 * and aarch64, and at 0xffffffff80000000 + physical on x86_64.
 */
#define KERNEL_PAGE_METADATA_WINDOW UINT64_C(0xffffffff00000000) /* struct phys_page array */
#define KERNEL_PAGE_METADATA_MAX (1 * GiB)
#define KERNEL_HEAP_WINDOW UINT64_C(0xffffffffa0000000)  /* the kernel heap (mm/kmalloc.c) */
#define KERNEL_HEAP_SIZE (256 * MiB)
#define KERNEL_REGION_WINDOW UINT64_C(0xffffffffb0000000) /* kernel regions (mm/kernel_region.c) */
#define KERNEL_REGION_SIZE (256 * MiB)
#define KERNEL_TABLE_WINDOW UINT64_C(0xffffffffc0000000) /* the table pool */
#define KERNEL_TEST_WINDOW UINT64_C(0xffffffffd0000000)  /* scratch mappings of in-kernel tests */
#define KERNEL_DEVICE_WINDOW UINT64_C(0xffffffffe0000000) /* where arches map device registers */
#define KERNEL_QUICKMAP_WINDOW UINT64_C(0xfffffffff0000000) /* per-CPU quickmap slots */
#define KERNEL_TABLE_POOL_PAGES 256

/*
 * Build the kernel page directory, switch this CPU to it and stop using the
 * boot tables. Reserves the table pool in BI. Panics on failure: there is no
 * kernel without it.
 */
void kernel_vm_init(struct boot_info *bi);

/*
 * Data written only while the kernel boots: put it in its own pages with
 * __ro_after_init, and kernel_vm_protect_ro_after_init() (called by kmain
 * once boot is done) makes them read-only, so a stray write faults.
 */
#define __ro_after_init __attribute__((section(".data.ro_after_init")))
void kernel_vm_protect_ro_after_init(void);

/* The kernel page directory (valid after kernel_vm_init). */
struct page_directory *kernel_pd(void);

/* Table pages in use and available in the pool. */
size_t kernel_table_pages_used(void);
size_t kernel_table_pages_total(void);
