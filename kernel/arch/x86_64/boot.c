/*
 * arch_boot_main(): the C half of the x86_64 boot path (boot.S is the
 * first). Runs in long mode on boot.S's early tables and stack, and turns
 * the machine state into what kmain() expects: a console, a GDT/TSS and
 * IDT that report any fault, a struct boot_info from the Multiboot2
 * information, and the kernel page directory (kernel/kernel_vm.c, with
 * the hooks of kernel_map.c), which replaces boot.S's early tables.
 */
#include "kernel/arch/x86_64/mmu.h"
#include "kernel/arch/x86_64/trap.h"
#include "kernel/arch/x86_64/uart16550.h"
#include "kernel/boot/multiboot2.h"
#include "kernel/boot_info.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>
#include <x86_64/board_pc.h>
#include <x86_64/descriptors.h>
#include <x86_64/instr.h>
#include <x86_64/layout.h>

/* A Multiboot2 information structure is a few KiB; one claiming more is corrupt. */
#define MB2_INFO_MAX_SIZE (1 * MiB)
#define MB2_INFO_ALIGN 8
/* boot.S's early tables map physical 0-4 GiB at itself; the loader's data is below 4 GiB. */
#define EARLY_IDENTITY_TOP (4 * GiB)
/*
 * The legacy PC area below the kernel: real-mode IVT, BIOS data area, EBDA,
 * VGA memory and option ROMs. Firmware has been seen to scribble on the
 * parts the memory map calls free, so none of it is handed out.
 */
#define PC_LEGACY_AREA_SIZE (1 * MiB)

/* From linker.ld. */
extern const char __kernel_phys_start[], __kernel_phys_end[], __kernel_virt_base[];

static struct boot_info boot_info_storage;

NORETURN void arch_boot_main(uint32_t magic, uint32_t info_phys);

/* linker.ld cannot include layout.h; make sure the two still agree. */
static void check_layout(void)
{
    if ((uintptr_t)__kernel_virt_base != X86_KERNEL_VIRT_BASE ||
        (uintptr_t)__kernel_phys_start != X86_KERNEL_LOAD_PHYS)
        panic("boot: linker.ld places the kernel at %#lx (+%#lx), layout.h says %#lx (+%#lx)",
              (unsigned long)__kernel_virt_base, (unsigned long)__kernel_phys_start,
              (unsigned long)X86_KERNEL_VIRT_BASE, (unsigned long)X86_KERNEL_LOAD_PHYS);
}

/* Parse the loader's information structure, still reachable through the early identity map. */
static void boot_read_multiboot2(struct boot_info *bi, uint32_t info_phys)
{
    if (info_phys == 0 || !IS_ALIGNED(info_phys, MB2_INFO_ALIGN))
        panic("boot: Multiboot2 information address %#x is not a valid 8-aligned address",
              info_phys);
    size_t readable = MIN((uint64_t)MB2_INFO_MAX_SIZE, EARLY_IDENTITY_TOP - info_phys);
    int err = mb2_boot_info(bi, (const void *)(uintptr_t)info_phys, readable, info_phys);
    if (err)
        panic("boot: cannot use the Multiboot2 information at %#x: %s", info_phys,
              error_name(err));
}

static void boot_reserve(struct boot_info *bi, uint64_t base, uint64_t size,
                         enum boot_range_kind kind)
{
    int err = boot_info_add_reserved(bi, base, size, kind);
    if (err)
        panic("boot: cannot reserve %#llx+%#llx (%s): %s", (unsigned long long)base,
              (unsigned long long)size, boot_range_kind_name(kind), error_name(err));
}

static uint32_t boot_cpu_apic_id(void)
{
    return (x86_cpuid(X86_CPUID_FEATURES, 0).ebx >> X86_CPUID_1_EBX_APIC_ID_SHIFT) &
           X86_CPUID_1_EBX_APIC_ID_MASK;
}

NORETURN void arch_boot_main(uint32_t magic, uint32_t info_phys)
{
    /* COM1 first: every later step may need to explain a failure. */
    uart16550_console_init(PC_COM1_PORT, PC_UART_BAUD);
    x86_gdt_init();
    x86_trap_init();
    check_layout();

    if (magic != MB2_BOOTLOADER_MAGIC)
        panic("boot: not started by a Multiboot2 loader (eax = %#x, expected %#x)", magic,
              MB2_BOOTLOADER_MAGIC);

    struct boot_info *bi = &boot_info_storage;
    boot_info_init(bi, "x86_64");
    boot_read_multiboot2(bi, info_phys);
    boot_reserve(bi, 0, PC_LEGACY_AREA_SIZE, BOOT_RANGE_FIRMWARE);
    boot_reserve(bi, (uintptr_t)__kernel_phys_start,
                 (uintptr_t)__kernel_phys_end - (uintptr_t)__kernel_phys_start,
                 BOOT_RANGE_KERNEL);
    bi->cpu_id = boot_cpu_apic_id();
    string_copy(bi->board, sizeof(bi->board), pc_board_name(), BOOT_NAME_MAX);
    if (!bi->loader[0])
        string_copy(bi->loader, sizeof(bi->loader), "a Multiboot2 loader", BOOT_NAME_MAX);
    bi->console = (struct boot_console){ .kind = BOOT_CONSOLE_UART16550_PIO,
                                         .base = PC_COM1_PORT };

    /*
     * boot_info is complete and holds copies of all the kernel will use of
     * the Multiboot2 information: after the switch that information, like
     * the rest of the early identity map, is out of reach.
     */
    x86_paging_init();
    kmain(bi);
}
