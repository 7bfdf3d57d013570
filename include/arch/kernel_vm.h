/*
 * What each arch tells the portable kernel about its own address space, so
 * that kernel/kernel_vm.c can build the kernel page directory through the
 * PageDirectory interface, switch to it, and leave the boot tables behind.
 */
#pragma once

#include <arch/page_directory.h>

struct boot_info;

/* One range the kernel page directory must map. */
struct kernel_mapping {
    const char *name;
    uintptr_t va;
    uint64_t pa;
    uint64_t size;
    uint32_t prot;            /* enum pd_prot; PD_GLOBAL is added for every kernel mapping */
    enum memory_type type;
};

#define KERNEL_MAPPINGS_MAX 16

/*
 * Called right after the kernel page directory is activated, before anything
 * is printed: the arch moves its device pointers (console, exit device) to
 * the virtual addresses its kernel_mapping list gave them, and forgets the
 * boot tables.
 */
void arch_kernel_vm_switched(void);

/* The page-table format this CPU uses (riscv64 chooses Sv39 or Sv48 at boot). */
const struct pt_format *arch_pt_format(void);

/*
 * The kernel's own mappings: each section of the image with its rights, the
 * boot stack (with its guard page left out), and the devices the kernel
 * drives (console, exit device). Returns how many were written to OUT.
 */
size_t arch_kernel_mappings(const struct boot_info *bi, struct kernel_mapping *out, size_t max);

/*
 * Under the boot tables, physical RAM is reachable at physical + this offset
 * (0 where the boot tables identity-map RAM). Used only until the switch.
 */
uintptr_t arch_boot_phys_offset(void);

/* The kernel image's virtual-to-physical offset: pa = va - offset. */
uintptr_t arch_kernel_virt_offset(void);

/* Guarded instruction fetch at ADDR (like arch_probe_read), for execute-permission tests. */
int arch_probe_execute(uintptr_t addr) MUST_CHECK;
