/*
 * arch_boot_main(): the riscv64 boot path from entry.S to kmain(), running
 * in the kernel half under the boot map (riscv/boot_map.h). In order: trap
 * vector (so a fault from here on is reported), the SBI console (so
 * nothing printed is lost), struct boot_info from the devicetree, the UART
 * console and the exit device it names, the choice of page-table format,
 * and kmain(), which builds the kernel page directory. See
 * docs/boot-riscv64.md.
 */
#include "riscv/board_virt.h"
#include "riscv/boot.h"
#include "riscv/boot_map.h"
#include "riscv/csr.h"
#include "riscv/exit_device.h"
#include "riscv/layout.h"
#include "riscv/mmu.h"
#include "riscv/pte.h"
#include "riscv/sbi.h"
#include "riscv/timebase.h"
#include "riscv/trap.h"
#include "riscv/uart16550.h"
#include "kernel/boot/fdt_boot.h"
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <arch/cpu.h>
#include <pagoda/errors.h>

/* Devicetree header facts (devicetree specification v0.4, 5.2). */
#define DTB_ALIGNMENT 8
#define DTB_TOTALSIZE_OFFSET 4
/* A sanity bound before fdt_open() checks the blob itself: QEMU's is 1 MiB. */
#define DTB_MAX_SIZE (16 * MiB)

/* entry.S writes the boot map with its own copy of the PTE bits: they must be these. */
_Static_assert(BOOT_MAP_PTE_V == RISCV_PTE_MASK(v) && BOOT_MAP_PTE_R == RISCV_PTE_MASK(r) &&
                   BOOT_MAP_PTE_W == RISCV_PTE_MASK(w) && BOOT_MAP_PTE_X == RISCV_PTE_MASK(x) &&
                   BOOT_MAP_PTE_G == RISCV_PTE_MASK(g) && BOOT_MAP_PTE_A == RISCV_PTE_MASK(a) &&
                   BOOT_MAP_PTE_D == RISCV_PTE_MASK(d),
               "boot map PTE flags");
_Static_assert(BOOT_MAP_PTE_PPN_SHIFT == RISCV_PTE_SHIFT(ppn), "boot map PPN field");
_Static_assert(BOOT_MAP_PAGE_SHIFT == RISCV_PAGE_SHIFT, "boot map page size");
_Static_assert(BOOT_MAP_GIGAPAGE_SHIFT == PT_LEVEL_SHIFT(2), "a level-2 leaf is 1 GiB");
_Static_assert(BOOT_MAP_ENTRIES == PT_ENTRIES, "512 entries per table");
_Static_assert(RISCV_KERNEL_VIRT_OFFSET % (UINT64_C(1) << BOOT_MAP_GIGAPAGE_SHIFT) == 0,
               "the kernel alias is whole gigapages");

/* The ISA extension that lets a leaf choose its memory type. */
#define ISA_EXTENSION_SVPBMT "svpbmt"
/* In riscv,isa, multi-letter extensions follow the base ISA, each after a '_'. */
#define ISA_STRING_SEPARATOR '_'

static struct boot_info boot_info;

/* Physical memory (the devicetree) as the boot map shows it. */
static const void *boot_phys_ptr(uintptr_t phys)
{
    return (const void *)(phys + arch_boot_phys_offset());
}

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
    const uint8_t *header = boot_phys_ptr(dtb_phys);
    if (fdt_read_be32(header) != FDT_MAGIC)
        return -E_BADMAGIC;
    uint32_t total = fdt_read_be32(header + DTB_TOTALSIZE_OFFSET);
    if (total < FDT_HEADER_SIZE || total > DTB_MAX_SIZE)
        return -E_RANGE;
    *size = total;
    return 0;
}

/* The SiFive test device, the only way to hand QEMU a failure exit status. */
static void find_exit_device(const void *dtb, size_t size)
{
    static const char *const compatibles[] = { "sifive,test1", "sifive,test0" };
    struct fdt fdt;
    if (fdt_open(&fdt, dtb, size) != 0)
        return; /* cannot happen: fdt_boot_info() just opened the same blob */
    for (size_t i = 0; i < ARRAY_SIZE(compatibles); i++) {
        int node = fdt_find_compatible(&fdt, compatibles[i]);
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

/* Is EXT one of the '_'-separated extensions after the base ISA in the riscv,isa string ISA? */
static bool isa_string_has(const char *isa, uint32_t len, const char *ext)
{
    size_t ext_len = strlen(ext);
    const char *end = isa + strnlen(isa, len);
    const char *token = memchr(isa, ISA_STRING_SEPARATOR, (size_t)(end - isa));
    while (token) {
        token++;
        const char *next = memchr(token, ISA_STRING_SEPARATOR, (size_t)(end - token));
        size_t token_len = (size_t)((next ? next : end) - token);
        if (token_len == ext_len && strncmp(token, ext, ext_len) == 0)
            return true;
        token = next;
    }
    return false;
}

/* Does the string list LIST (LEN bytes of NUL-terminated strings) hold EXT? */
static bool string_list_has(const char *list, uint32_t len, const char *ext)
{
    size_t ext_len = strlen(ext);
    for (uint32_t at = 0; at < len;) {
        size_t item = strnlen(list + at, len - at);
        if (item == len - at)
            return false; /* unterminated: fdt_open() does not check property contents */
        if (item == ext_len && memcmp(list + at, ext, ext_len) == 0)
            return true;
        at += (uint32_t)item + 1;
    }
    return false;
}

/* The /cpus child whose reg is HART_ID. */
static int find_hart_node(const struct fdt *fdt, unsigned long hart_id)
{
    int cpus = fdt_find_path(fdt, "/cpus");
    if (cpus < 0)
        return cpus;
    for (int node = fdt_first_child(fdt, cpus); node >= 0; node = fdt_next_sibling(fdt, node)) {
        const char *type = fdt_get_string(fdt, node, "device_type");
        uint64_t reg, unused;
        if (type && strcmp(type, "cpu") == 0 && fdt_get_reg(fdt, node, 0, &reg, &unused) == 0 &&
            reg == hart_id)
            return node;
    }
    return -E_NOENT;
}

/*
 * Svpbmt, from this hart's devicetree node: the riscv,isa-extensions list
 * (newer bindings) or the riscv,isa string (what QEMU 7.2 writes, e.g.
 * "rv64imafdch_zicsr_..._svpbmt" with -cpu rv64,svpbmt=on).
 */
static bool hart_has_svpbmt(const void *dtb, size_t size, unsigned long hart_id)
{
    struct fdt fdt;
    if (fdt_open(&fdt, dtb, size) != 0)
        return false;
    int node = find_hart_node(&fdt, hart_id);
    if (node < 0) {
        kprintf("riscv64: no devicetree node for hart %lu: assuming no Svpbmt\n", hart_id);
        return false;
    }
    uint32_t len;
    const char *list = fdt_get_prop(&fdt, node, "riscv,isa-extensions", &len);
    if (list)
        return string_list_has(list, len, ISA_EXTENSION_SVPBMT);
    const char *isa = fdt_get_prop(&fdt, node, "riscv,isa", &len);
    return isa && isa_string_has(isa, len, ISA_EXTENSION_SVPBMT);
}

/* /cpus/timebase-frequency: how fast the time CSR counts. */
static void read_timebase(const void *dtb, size_t size)
{
    struct fdt fdt;
    uint32_t hz;
    int cpus = fdt_open(&fdt, dtb, size) == 0 ? fdt_find_path(&fdt, "/cpus") : -E_NOENT;
    if (cpus >= 0 && fdt_get_u32(&fdt, cpus, "timebase-frequency", &hz) == 0 && hz != 0) {
        riscv_timebase_set(hz);
        return;
    }
    kprintf("riscv64: no /cpus/timebase-frequency: benchmark times stay in time-CSR ticks\n");
}

/* boot_info, the exit device, Svpbmt and the timebase from the blob; nothing reads it after this. */
static int read_devicetree(struct boot_info *bi, uintptr_t dtb_phys, unsigned long hart_id,
                           bool *svpbmt)
{
    size_t size;
    int err = dtb_total_size(dtb_phys, &size);
    if (err)
        return err;
    const void *dtb = boot_phys_ptr(dtb_phys);
    err = fdt_boot_info(bi, dtb, size, dtb_phys);
    if (err)
        return err;
    find_exit_device(dtb, size);
    *svpbmt = hart_has_svpbmt(dtb, size, hart_id);
    read_timebase(dtb, size);
    return 0;
}

NORETURN void arch_boot_main(unsigned long hart_id, uintptr_t dtb_phys)
{
    boot_map_satp = csr_read(satp); /* before anything changes it: which mode entry.S got */
    riscv_trap_init();
    console_start_sbi();

    struct boot_info *bi = &boot_info;
    boot_info_init(bi, "riscv64");
    bi->cpu_id = (uint32_t)hart_id;
    sbi_describe_firmware(bi->loader, sizeof(bi->loader));

    bool svpbmt = false;
    int err = read_devicetree(bi, dtb_phys, hart_id, &svpbmt);
    if (err) {
        /* No board description: assume QEMU virt just to report the panic status. */
        riscv_exit_set_test_device(VIRT_TEST_DEVICE_BASE);
        panic("riscv64: cannot read the devicetree OpenSBI passed at %#lx: %s",
              (unsigned long)dtb_phys, error_name(err));
    }
    uint64_t image_phys = (uintptr_t)__kernel_start - arch_kernel_virt_offset();
    err = boot_info_add_reserved(bi, image_phys, (uint64_t)(__kernel_end - __kernel_start),
                                 BOOT_RANGE_KERNEL);
    if (err)
        panic("riscv64: cannot reserve the kernel image: %s", error_name(err));
    console_start_uart(bi);

    riscv_mmu_select(bi, svpbmt);
    kprintf("riscv64: hart %lu runs at %#lx (loaded at %#llx); stack guard page at %#lx\n",
            hart_id, (unsigned long)(uintptr_t)__kernel_start, (unsigned long long)image_phys,
            (unsigned long)arch_unmapped_address());

    kmain(bi);
}
