/*
 * The hooks of include/arch/kernel_vm.h for x86_64: what kernel/kernel_vm.c
 * needs to build the kernel page directory and switch to it.
 *
 * The kernel directory maps the image at its link address, part by part
 * with the rights of that part, and nothing else of the arch's: the console
 * (COM1) and the exit device are I/O ports, which paging does not
 * translate, so there are no device mappings. The lower half (boot.S's
 * identity map) is gone after the switch, and so is the 1 MiB hole below
 * the image (arch_unmapped_address()), which stays unmapped.
 */
#include "kernel/arch/x86_64/mmu.h"
#include "kernel/boot_info.h"
#include "kernel/kernel_vm.h"
#include "kernel/panic.h"
#include <arch/cpu.h>
#include <pagoda/errors.h>
#include <x86_64/layout.h>

/* From linker.ld. */
extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __data_end[];
extern const char __boot_stack_guard[], __boot_stack_bottom[], __boot_stack_top[];

/*
 * Until the switch the kernel runs on boot.S's early tables, which map
 * physical 0-4 GiB at itself. kernel_vm_init() takes its table pool from
 * the lowest usable RAM, just above the image at 1 MiB, well inside them.
 */
uintptr_t arch_boot_phys_offset(void)
{
    return 0;
}

uintptr_t arch_kernel_virt_offset(void)
{
    return X86_KERNEL_VIRT_BASE;
}

const struct pt_format *arch_pt_format(void)
{
    return x86_has_1g_pages() ? &pt_format_x86_64 : &pt_format_x86_64_no1g;
}

/* One part of the image, [START, END), at its link address. */
static struct kernel_mapping image_part(const char *name, const char *start, const char *end,
                                        uint32_t prot)
{
    return (struct kernel_mapping){
        .name = name,
        .va = (uintptr_t)start,
        .pa = (uintptr_t)start - X86_KERNEL_VIRT_BASE,
        .size = (uintptr_t)(end - start),
        .prot = prot,
        .type = MEMORY_TYPE_NORMAL,
    };
}

size_t arch_kernel_mappings(const struct boot_info *bi, struct kernel_mapping *out, size_t max)
{
    /*
     * __data_end is __boot_stack_guard: the guard page between .bss and the
     * stack is the one page of the image left out, so an overflow faults.
     */
    const struct kernel_mapping parts[] = {
        image_part("kernel text", __text_start, __text_end, PD_READ | PD_EXECUTE),
        image_part("kernel rodata", __rodata_start, __rodata_end, PD_READ),
        image_part("kernel data and bss", __data_start, __data_end, PD_READ | PD_WRITE),
        image_part("boot stack", __boot_stack_bottom, __boot_stack_top, PD_READ | PD_WRITE),
    };
    if (ARRAY_SIZE(parts) > max)
        panic("x86_64: %zu kernel mappings, room for %zu", ARRAY_SIZE(parts), max);
    for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
        out[i] = parts[i];
    return ARRAY_SIZE(parts);
}

/* What the fault tests and the stack-overflow report rely on: both must fault. */
static void check_unmapped(const char *what, uintptr_t va)
{
    struct pd_query_result q;
    int err = pd_query(kernel_pd(), vaddr(va), &q);
    if (err == 0)
        panic("x86_64: %s at %#lx is mapped in the kernel page directory", what,
              (unsigned long)va);
    if (err != -E_NOENT)
        panic("x86_64: cannot look up %s at %#lx: %s", what, (unsigned long)va,
              error_name(err));
}

/*
 * Nothing moves: the console and the exit device are I/O ports. The boot
 * tables (boot.S's early tables) are not reachable any more; their pages
 * stay in .bss, unused.
 */
void arch_kernel_vm_switched(void)
{
    check_unmapped("the fault-test hole", arch_unmapped_address());
    check_unmapped("the boot stack's guard page", (uintptr_t)__boot_stack_guard);
}
