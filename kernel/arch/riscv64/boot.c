/*
 * arch_boot_main(): the riscv64 boot path from entry.S to kmain(). In
 * order: trap vector (so a fault from here on is reported), the SBI
 * console (so nothing printed is lost), struct boot_info from the
 * devicetree, the UART console and the exit device it names, the boot page
 * tables, and kmain(). See docs/boot-riscv64.md.
 */
#include "riscv/board_virt.h"
#include "riscv/boot.h"
#include "riscv/exit_device.h"
#include "riscv/layout.h"
#include "riscv/mmu_boot.h"
#include "riscv/sbi.h"
#include "riscv/trap.h"
#include "riscv/uart16550.h"
#include "kernel/boot/fdt_boot.h"
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>

/* Devicetree header facts (devicetree specification v0.4, 5.2). */
#define DTB_ALIGNMENT 8
#define DTB_TOTALSIZE_OFFSET 4
/* A sanity bound before fdt_open() checks the blob itself: QEMU's is 1 MiB. */
#define DTB_MAX_SIZE (16 * MiB)

static struct boot_info boot_info;

/* The firmware's console works before we know the board, and is the fallback. */
static void console_start_sbi(void)
{
    if (sbi_has_extension(SBI_EXT_LEGACY_PUTCHAR))
        console_register(&sbi_console_driver);
}

/* Switch to the UART the devicetree names, if we drive it; else stay on SBI. */
static void console_start_uart(const struct boot_info *bi)
{
    if (bi->console.kind == BOOT_CONSOLE_UART16550_MMIO)
        console_register(uart16550_start(bi->console.base, bi->console.reg_shift));
}

/* The blob's size from its header, checked only enough to trust it as a bound. */
static int dtb_total_size(uintptr_t dtb_phys, size_t *size)
{
    if (dtb_phys == 0)
        return -E_NOENT;
    if (!IS_ALIGNED(dtb_phys, DTB_ALIGNMENT))
        return -E_ALIGN;
    const uint8_t *header = (const uint8_t *)dtb_phys;
    if (fdt_read_be32(header) != FDT_MAGIC)
        return -E_BADMAGIC;
    uint32_t total = fdt_read_be32(header + DTB_TOTALSIZE_OFFSET);
    if (total < FDT_HEADER_SIZE || total > DTB_MAX_SIZE)
        return -E_RANGE;
    *size = total;
    return 0;
}

static bool node_enabled(const struct fdt *fdt, int node)
{
    const char *status = fdt_get_string(fdt, node, "status");
    return !status || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

/* Depth-first: the first enabled node under NODE compatible with COMPAT. */
static int find_compatible(const struct fdt *fdt, int node, const char *compat, int depth)
{
    if (fdt_is_compatible(fdt, node, compat) && node_enabled(fdt, node))
        return node;
    if (depth >= FDT_MAX_DEPTH)
        return -E_NOENT;
    for (int child = fdt_first_child(fdt, node); child >= 0; child = fdt_next_sibling(fdt, child)) {
        int found = find_compatible(fdt, child, compat, depth + 1);
        if (found >= 0)
            return found;
    }
    return -E_NOENT;
}

/* The SiFive test device, the only way to hand QEMU a failure exit status. */
static void find_exit_device(const void *dtb, size_t size)
{
    static const char *const compatibles[] = { "sifive,test1", "sifive,test0" };
    struct fdt fdt;
    if (fdt_open(&fdt, dtb, size) != 0)
        return; /* cannot happen: fdt_boot_info() just opened the same blob */
    for (size_t i = 0; i < ARRAY_SIZE(compatibles); i++) {
        int node = find_compatible(&fdt, fdt_root(&fdt), compatibles[i], 0);
        uint64_t base, reg_size;
        if (node >= 0 && fdt_get_reg(&fdt, node, 0, &base, &reg_size) == 0 &&
            reg_size >= SIFIVE_TEST_REG_SIZE) {
            riscv_exit_set_test_device(base);
            return;
        }
    }
    kprintf("riscv64: no sifive,test device: power-off goes through SBI, which QEMU "
            "reports as exit status 0 whatever the outcome\n");
}

static int read_devicetree(struct boot_info *bi, uintptr_t dtb_phys)
{
    size_t size;
    int err = dtb_total_size(dtb_phys, &size);
    if (err)
        return err;
    err = fdt_boot_info(bi, (const void *)dtb_phys, size, dtb_phys);
    if (err)
        return err;
    find_exit_device((const void *)dtb_phys, size);
    return 0;
}

/* Map RAM [BASE, BASE+SIZE) read-write, minus the kernel image (mapped by section). */
static int map_ram_range(uint64_t base, uint64_t size)
{
    uint64_t start = ALIGN_UP(base, SV39_PAGE_SIZE);
    uint64_t end = ALIGN_DOWN(base + size, SV39_PAGE_SIZE);
    uint64_t kernel_start = (uintptr_t)__kernel_start, kernel_end = (uintptr_t)__kernel_end;
    if (end > SV39_IDENTITY_LIMIT) {
        kprintf("riscv64: RAM above %#llx cannot be identity-mapped with Sv39; left out\n",
                (unsigned long long)SV39_IDENTITY_LIMIT);
        end = SV39_IDENTITY_LIMIT;
    }
    int err = 0;
    uint64_t below = MIN(end, kernel_start);
    if (start < below)
        err = mmu_boot_map(start, below - start, BOOT_MAP_READ_WRITE);
    uint64_t above = MAX(start, kernel_end);
    if (!err && above < end)
        err = mmu_boot_map(above, end - above, BOOT_MAP_READ_WRITE);
    return err;
}

/* Kernel by section, all RAM, the console and exit devices, the devicetree; then satp. */
static int boot_tables_build(const struct boot_info *bi)
{
    int err = mmu_boot_map_kernel();
    for (size_t i = 0; !err && i < bi->ram_count; i++)
        err = map_ram_range(bi->ram[i].base, bi->ram[i].size);
    if (!err && bi->console.kind == BOOT_CONSOLE_UART16550_MMIO)
        err = mmu_boot_map_extra(bi->console.base, uart16550_span(bi->console.reg_shift),
                                 BOOT_MAP_READ_WRITE);
    if (!err && riscv_exit_test_device())
        err = mmu_boot_map_extra(riscv_exit_test_device(), SIFIVE_TEST_REG_SIZE,
                                 BOOT_MAP_READ_WRITE);
    if (!err)
        err = mmu_boot_map_extra(bi->dtb_phys, bi->dtb_size, BOOT_MAP_READ);
    if (!err)
        err = mmu_boot_enable();
    return err;
}

NORETURN void arch_boot_main(unsigned long hart_id, uintptr_t dtb_phys)
{
    riscv_trap_init();
    console_start_sbi();

    struct boot_info *bi = &boot_info;
    boot_info_init(bi, "riscv64");
    bi->cpu_id = (uint32_t)hart_id;
    sbi_describe_firmware(bi->loader, sizeof(bi->loader));

    int err = read_devicetree(bi, dtb_phys);
    if (err) {
        /* No board description: assume QEMU virt just to report the panic status. */
        riscv_exit_set_test_device(VIRT_TEST_DEVICE_BASE);
        panic("riscv64: cannot read the devicetree OpenSBI passed at %#lx: %s",
              (unsigned long)dtb_phys, error_name(err));
    }
    err = boot_info_add_reserved(bi, (uintptr_t)__kernel_start,
                                 (uint64_t)(__kernel_end - __kernel_start), BOOT_RANGE_KERNEL);
    if (err)
        panic("riscv64: cannot reserve the kernel image: %s", error_name(err));
    console_start_uart(bi);

    err = boot_tables_build(bi);
    if (err)
        panic("riscv64: boot page tables: %s (%zu of %zu table pages used)", error_name(err),
              mmu_boot_tables_used(), mmu_boot_tables_capacity());
    kprintf("riscv64: hart %lu, Sv39 boot tables on (%zu of %zu table pages), hole at %#lx\n",
            hart_id, mmu_boot_tables_used(), mmu_boot_tables_capacity(),
            (unsigned long)mmu_boot_hole());

    kmain(bi);
}
