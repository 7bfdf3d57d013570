/*
 * The include/arch/kernel_vm.h hooks for aarch64: what kernel/kernel_vm.c
 * needs to build the kernel page directory in TTBR1 and leave the boot
 * tables behind. The kernel maps its image at the link address (sections
 * with their own rights, the boot stack's guard page left out) and the one
 * device it still drives, the PL011 console, in KERNEL_DEVICE_WINDOW. The
 * exit paths, semihosting (hlt) and PSCI (hvc/smc), are instructions and
 * need no mapping.
 */
#include "kernel/arch/aarch64/mmu_boot.h"
#include "kernel/arch/aarch64/pl011.h"
#include "kernel/kernel_vm.h"
#include "kernel/arch/pt/pt_format.h"
#include "kernel/panic.h"
#include <aarch64/layout.h>

/* Where arch_kernel_mappings() put the console, for arch_kernel_vm_switched(). */
static uint64_t console_virt;

const struct pt_format *arch_pt_format(void)
{
    return &pt_format_aarch64;
}

/* mmu_boot.c identity-maps all of RAM in TTBR0 until the switch. */
uintptr_t arch_boot_phys_offset(void)
{
    return 0;
}

uintptr_t arch_kernel_virt_offset(void)
{
    return KERNEL_VIRT_OFFSET;
}

static struct kernel_mapping image_mapping(const char *name, const char *start, const char *end,
                                           uint32_t prot)
{
    uintptr_t va = (uintptr_t)start;
    return (struct kernel_mapping){
        .name = name, .va = va, .pa = va - KERNEL_VIRT_OFFSET,
        .size = (uintptr_t)end - va, .prot = prot, .type = MEMORY_TYPE_NORMAL,
    };
}

size_t arch_kernel_mappings(const struct boot_info *bi, struct kernel_mapping *out, size_t max)
{
    /* The UART in use (the devicetree's, or the board's), as the boot tables map it: physically. */
    uint64_t console_phys = pl011_console_base();
    uint64_t console_page = ALIGN_DOWN(console_phys, PD_PAGE_SIZE);
    console_virt = KERNEL_DEVICE_WINDOW + (console_phys - console_page);

    const struct kernel_mapping maps[] = {
        image_mapping("kernel code", __kernel_start, __text_end, PD_READ | PD_EXECUTE),
        image_mapping("kernel read-only data", __text_end, __rodata_end, PD_READ),
        /* .data, the emergency stack and .bss, up to the guard page, which stays unmapped */
        image_mapping("kernel data", __rodata_end, __boot_stack_guard, PD_READ | PD_WRITE),
        image_mapping("kernel boot stack", __boot_stack_bottom, __boot_stack_top,
                      PD_READ | PD_WRITE),
        { .name = "PL011 console", .va = KERNEL_DEVICE_WINDOW, .pa = console_page,
          .size = PD_PAGE_SIZE, .prot = PD_READ | PD_WRITE, .type = MEMORY_TYPE_IO },
    };
    if (ARRAY_SIZE(maps) > max)
        panic("arch_kernel_mappings: %zu mappings, room for %zu", ARRAY_SIZE(maps), max);
    for (size_t i = 0; i < ARRAY_SIZE(maps); i++)
        out[i] = maps[i];
    return ARRAY_SIZE(maps);
}

void arch_kernel_vm_switched(void)
{
    pl011_console_move(console_virt);
    mmu_boot_forget();
}
