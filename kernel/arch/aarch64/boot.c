/*
 * arch_boot_main(): the C half of the aarch64 boot path. boot.S calls it at
 * EL1 at the kernel's link address in the TTBR1 half, with the MMU and
 * caches on, on the boot stack, with .bss zeroed and the vectors
 * installed. It reads the devicetree into struct boot_info, maps RAM and
 * the console through the boot tables, starts the console, builds and
 * calls kmain(), which builds and switches to the kernel page directory.
 */
#include "kernel/arch/aarch64/board_virt.h"
#include "kernel/arch/aarch64/mmu_boot.h"
#include "kernel/arch/aarch64/pl011.h"
#include "kernel/arch/aarch64/psci.h"
#include "kernel/boot/fdt_boot.h"
#include "kernel/console.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/format.h"
#include "kernel/panic.h"
#include <aarch64/layout.h>
#include <aarch64/sysreg.h>
#include <pagoda/errors.h>

/* Linux's arm64 boot protocol caps the devicetree at 2 MiB; a larger totalsize is corrupt. */
#define DTB_MAX_SIZE (2 * MiB)
#define DTB_ALIGN 8
#define FDT_TOTALSIZE_OFFSET 4 /* the header's second big-endian word */
#define BOOT_CPU_ID_FIELD_BITS 8 /* one byte per MPIDR affinity level in bi->cpu_id */

NORETURN void arch_boot_main(uint64_t dtb_phys, uint64_t entry_el);

static struct boot_info boot_info_storage;

/* The boot CPU's MPIDR affinity, packed Aff3.Aff2.Aff1.Aff0 into 32 bits. */
static uint32_t boot_cpu_id(void)
{
    uint64_t mpidr = sysreg_read(mpidr_el1);
    uint32_t aff0 = (mpidr >> MPIDR_AFF0_SHIFT) & MPIDR_AFF_MASK;
    uint32_t aff1 = (mpidr >> MPIDR_AFF1_SHIFT) & MPIDR_AFF_MASK;
    uint32_t aff2 = (mpidr >> MPIDR_AFF2_SHIFT) & MPIDR_AFF_MASK;
    uint32_t aff3 = (mpidr >> MPIDR_AFF3_SHIFT) & MPIDR_AFF_MASK;
    return aff3 << (3 * BOOT_CPU_ID_FIELD_BITS) | aff2 << (2 * BOOT_CPU_ID_FIELD_BITS) |
           aff1 << BOOT_CPU_ID_FIELD_BITS | aff0;
}

/*
 * The DTB the loader passed in x0, read at its physical address through the
 * identity blocks boot.S mapped for it (the 4 MiB from its 2 MiB block on,
 * enough for the 2 MiB the protocol allows wherever it starts). After
 * kernel_vm_init() it is not mapped any more: everything needed from it is
 * in struct boot_info by then.
 */
static int boot_read_devicetree(struct boot_info *bi, uint64_t dtb_phys)
{
    if (dtb_phys == 0) {
        kprintf("aarch64: no devicetree: x0 was 0 at entry (booted as an ELF, not as an "
                "arm64 Image?)\n");
        return -E_NOENT;
    }
    if (!IS_ALIGNED(dtb_phys, DTB_ALIGN)) {
        kprintf("aarch64: devicetree address %#llx is not 8-byte aligned\n",
                (unsigned long long)dtb_phys);
        return -E_ALIGN;
    }
    const uint8_t *dtb = (const uint8_t *)(uintptr_t)dtb_phys;
    /* Trust totalsize only up to the protocol's limit; fdt_open() checks the rest. */
    size_t size = MIN(fdt_read_be32(dtb + FDT_TOTALSIZE_OFFSET), DTB_MAX_SIZE);
    int err = fdt_boot_info(bi, dtb, MAX(size, FDT_HEADER_SIZE), dtb_phys);
    if (err)
        return err;

    struct fdt fdt;
    err = fdt_open(&fdt, dtb, bi->dtb_size);
    if (err)
        return err; /* cannot happen: fdt_boot_info() opened the same blob */
    enum psci_conduit conduit;
    err = psci_read_conduit(&fdt, &conduit);
    if (err == 0)
        psci_set_conduit(conduit);
    else
        kprintf("aarch64: no usable /psci method (%s); PSCI calls use %s\n", error_name(err),
                psci_conduit_name(psci_get_conduit()));
    return 0;
}

/* The console the devicetree names, else the board's first UART. */
static uint64_t boot_console_base(const struct boot_info *bi)
{
    return bi->console.kind == BOOT_CONSOLE_PL011 ? bi->console.base : VIRT_UART0_BASE;
}

static void boot_start_console(const struct boot_info *bi)
{
    pl011_console_start(boot_console_base(bi));
    if (bi->console.kind != BOOT_CONSOLE_PL011)
        kprintf("aarch64: the devicetree names no PL011 console; using the virt board's at %#x\n",
                VIRT_UART0_BASE);
}

/*
 * Until mmu_boot_map_ram() the only UART mapped is the board's (boot.S):
 * a failure that early is reported there.
 */
static NORETURN void boot_fail_early(const char *what, uint64_t value, int err)
{
    pl011_console_start(VIRT_UART0_BASE);
    panic("aarch64: %s %#llx: %s", what, (unsigned long long)value, error_name(err));
}

/* vectors.S's stack-overflow check assumes this shape (include/aarch64/layout.h). */
static bool boot_stacks_laid_out_right(void)
{
    uintptr_t guard = (uintptr_t)__boot_stack_guard, bottom = (uintptr_t)__boot_stack_bottom;
    uintptr_t top = (uintptr_t)__boot_stack_top;
    uintptr_t emergency = (uintptr_t)__trap_emergency_stack_bottom;
    uintptr_t emergency_top = (uintptr_t)__trap_emergency_stack_top;
    return top - bottom == BOOT_STACK_SIZE && bottom - guard == BOOT_STACK_GUARD_SIZE &&
           IS_ALIGNED(bottom, 2 * BOOT_STACK_SIZE) && IS_ALIGNED(emergency, 2 * BOOT_STACK_SIZE) &&
           emergency_top - emergency == TRAP_EMERGENCY_STACK_SIZE;
}

void arch_boot_main(uint64_t dtb_phys, uint64_t entry_el)
{
    struct boot_info *bi = &boot_info_storage;
    boot_info_init(bi, "aarch64");
    if (entry_el != EL1 && entry_el != EL2) {
        pl011_console_start(VIRT_UART0_BASE);
        panic("aarch64: entered at EL%llu; Pagoda starts at EL2 or EL1",
              (unsigned long long)entry_el);
    }
    /* Until the devicetree says otherwise: firmware answers smc if we came from EL2. */
    psci_set_conduit(entry_el == EL2 ? PSCI_CONDUIT_SMC : PSCI_CONDUIT_HVC);

    /* Messages until the console starts are buffered by kernel/console.c. */
    int err = boot_read_devicetree(bi, dtb_phys);
    if (err)
        boot_fail_early("cannot use the devicetree at", dtb_phys, err);

    uint64_t kernel_phys = (uintptr_t)__kernel_start - KERNEL_VIRT_OFFSET;
    uint64_t kernel_size = (uintptr_t)__kernel_end - (uintptr_t)__kernel_start;
    err = boot_info_add_reserved(bi, kernel_phys, kernel_size, BOOT_RANGE_KERNEL);
    if (err)
        boot_fail_early("cannot reserve the kernel image at", kernel_phys, err);
    bi->cpu_id = boot_cpu_id();
    ksnprintf(bi->loader, sizeof(bi->loader), "arm64 Image protocol, entered at EL%llu",
              (unsigned long long)entry_el);

    err = mmu_boot_map_ram(bi, boot_console_base(bi));
    if (err)
        boot_fail_early("cannot map RAM and the console at", boot_console_base(bi), err);
    boot_start_console(bi);
    if (!boot_stacks_laid_out_right())
        panic("aarch64: linker.ld and include/aarch64/layout.h disagree on the stacks");

    kmain(bi);
}
