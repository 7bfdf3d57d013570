/*
 * The kernel's own page directory: built at boot through the PageDirectory
 * interface from the arch's list of mappings, with its table pages taken
 * from a small physically contiguous pool that stays mapped at a fixed
 * window (until the physical allocator and quickmap take over).
 */
#pragma once

#include <arch/kernel_vm.h>
#include <arch/page_directory.h>

/* Kernel virtual addresses with a fixed role (inside every format's kernel half). */
#define KERNEL_TABLE_WINDOW UINT64_C(0xffffffffc0000000) /* the table pool */
#define KERNEL_TEST_WINDOW UINT64_C(0xffffffffd0000000)  /* scratch mappings of in-kernel tests */
#define KERNEL_DEVICE_WINDOW UINT64_C(0xffffffffe0000000) /* where arches map device registers */
#define KERNEL_TABLE_POOL_PAGES 256

/*
 * Build the kernel page directory, switch this CPU to it and stop using the
 * boot tables. Reserves the table pool in BI. Panics on failure: there is no
 * kernel without it.
 */
void kernel_vm_init(struct boot_info *bi);

/* The kernel page directory (valid after kernel_vm_init). */
struct page_directory *kernel_pd(void);

/* Table pages in use and available in the pool. */
size_t kernel_table_pages_used(void);
size_t kernel_table_pages_total(void);
