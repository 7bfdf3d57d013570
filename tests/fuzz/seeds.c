/*
 * Well-formed boot inputs shaped like what QEMU's boards and GRUB produce,
 * an archive like the boards' initrd (tests/initrd/), and static programs
 * like ld.lld's for each architecture, built with the test builders: the
 * fuzzers' seed corpora (written by make_seeds.c) and the inputs of the host
 * bounds tests. See seeds.h.
 */
#include "tests/fuzz/seeds.h"
#include "kernel/boot/multiboot2.h"
#include "tests/portable/cpio_builder.h"
#include "tests/portable/elf_builder.h"
#include "tests/portable/fdt_builder.h"
#include "tests/portable/mb2_builder.h"

#define RSDP_V1_SIZE 20u
#define RSDP_V2_SIZE 36u
#define MMAP_ENTRY_SIZE 24u
/* Where ld.lld starts a static program, and the page size it lays one out for. */
#define SEED_ELF_BASE 0x200000u
#define SEED_ELF_RISCV_BASE 0x10000u
#define SEED_ELF_PAGE 0x1000u
#define SEED_ELF_AARCH64_PAGE 0x10000u

static void seed_reg2(struct fdt_builder *b, uint64_t base, uint64_t size)
{
    const uint32_t cells[] = { (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
                               (uint32_t)size };
    fdt_builder_prop_cells(b, "reg", cells, ARRAY_SIZE(cells));
}

/* Like QEMU's riscv64 virt: OpenSBI's reserved memory, an ns16550a under /soc. */
size_t seed_fdt_riscv(uint8_t *buf)
{
    static const char compat_test[] = "sifive,test1\0sifive,test0\0syscon";
    struct fdt_builder b;
    fdt_builder_init(&b, buf, SEED_MAX);
    fdt_builder_begin_node(&b, "");
    fdt_builder_prop_u32(&b, "#address-cells", 2);
    fdt_builder_prop_u32(&b, "#size-cells", 2);
    fdt_builder_prop_string(&b, "compatible", "riscv-virtio");
    fdt_builder_prop_string(&b, "model", "riscv-virtio,qemu");
    fdt_builder_begin_node(&b, "chosen");
    fdt_builder_prop_string(&b, "bootargs", "ktest=all");
    fdt_builder_prop_string(&b, "stdout-path", "/soc/serial@10000000");
    const uint32_t initrd_start[] = { 0, 0x88000000 }, initrd_end[] = { 0, 0x88010000 };
    fdt_builder_prop_cells(&b, "linux,initrd-start", initrd_start, 2);
    fdt_builder_prop_cells(&b, "linux,initrd-end", initrd_end, 2);
    fdt_builder_end_node(&b);
    fdt_builder_begin_node(&b, "memory@80000000");
    fdt_builder_prop_string(&b, "device_type", "memory");
    seed_reg2(&b, 0x80000000, 0x20000000);
    fdt_builder_end_node(&b);
    fdt_builder_begin_node(&b, "reserved-memory");
    fdt_builder_prop_u32(&b, "#address-cells", 2);
    fdt_builder_prop_u32(&b, "#size-cells", 2);
    fdt_builder_prop(&b, "ranges", NULL, 0);
    fdt_builder_begin_node(&b, "mmode_resv0@80000000");
    seed_reg2(&b, 0x80000000, 0x80000);
    fdt_builder_end_node(&b);
    fdt_builder_end_node(&b);
    fdt_builder_begin_node(&b, "soc");
    fdt_builder_prop_u32(&b, "#address-cells", 2);
    fdt_builder_prop_u32(&b, "#size-cells", 2);
    fdt_builder_prop_string(&b, "compatible", "simple-bus");
    fdt_builder_prop(&b, "ranges", NULL, 0);
    fdt_builder_begin_node(&b, "test@100000");
    fdt_builder_prop_u32(&b, "phandle", 4);
    fdt_builder_prop(&b, "compatible", compat_test, sizeof(compat_test));
    seed_reg2(&b, 0x100000, 0x1000);
    fdt_builder_end_node(&b);
    fdt_builder_begin_node(&b, "serial@10000000");
    fdt_builder_prop_u32(&b, "interrupts", 10);
    fdt_builder_prop_string(&b, "compatible", "ns16550a");
    seed_reg2(&b, 0x10000000, 0x100);
    fdt_builder_end_node(&b);
    fdt_builder_end_node(&b);
    fdt_builder_end_node(&b);
    return fdt_builder_finish(&b);
}

/* Like QEMU's aarch64 virt: a pl011, /psci, a memory-reservation entry. */
size_t seed_fdt_aarch64(uint8_t *buf)
{
    static const char compat_uart[] = "arm,pl011\0arm,primecell";
    struct fdt_builder b;
    fdt_builder_init(&b, buf, SEED_MAX);
    fdt_builder_memreserve(&b, 0x48000000, 0x1000);
    fdt_builder_begin_node(&b, "");
    fdt_builder_prop_u32(&b, "#address-cells", 2);
    fdt_builder_prop_u32(&b, "#size-cells", 2);
    fdt_builder_prop_string(&b, "compatible", "linux,dummy-virt");
    fdt_builder_begin_node(&b, "psci");
    fdt_builder_prop_string(&b, "method", "hvc");
    fdt_builder_prop_string(&b, "compatible", "arm,psci-1.0");
    fdt_builder_end_node(&b);
    fdt_builder_begin_node(&b, "memory@40000000");
    fdt_builder_prop_string(&b, "device_type", "memory");
    seed_reg2(&b, 0x40000000, 0x20000000);
    fdt_builder_end_node(&b);
    fdt_builder_begin_node(&b, "pl011@9000000");
    fdt_builder_prop(&b, "compatible", compat_uart, sizeof(compat_uart));
    seed_reg2(&b, 0x9000000, 0x1000);
    fdt_builder_end_node(&b);
    fdt_builder_begin_node(&b, "chosen");
    fdt_builder_prop_string(&b, "stdout-path", "/pl011@9000000");
    fdt_builder_end_node(&b);
    fdt_builder_end_node(&b);
    return fdt_builder_finish(&b);
}

/* One-cell addresses and sizes, two banks, an alias as stdout-path. */
size_t seed_fdt_small(uint8_t *buf)
{
    struct fdt_builder b;
    fdt_builder_init(&b, buf, SEED_MAX);
    fdt_builder_begin_node(&b, "");
    fdt_builder_prop_u32(&b, "#address-cells", 1);
    fdt_builder_prop_u32(&b, "#size-cells", 1);
    fdt_builder_begin_node(&b, "aliases");
    fdt_builder_prop_string(&b, "serial0", "/uart@1000");
    fdt_builder_end_node(&b);
    fdt_builder_begin_node(&b, "chosen");
    fdt_builder_prop_string(&b, "stdout-path", "serial0:115200n8");
    fdt_builder_end_node(&b);
    fdt_builder_begin_node(&b, "memory");
    fdt_builder_prop_string(&b, "device_type", "memory");
    const uint32_t banks[] = { 0x0, 0x100000, 0x200000, 0x100000 };
    fdt_builder_prop_cells(&b, "reg", banks, ARRAY_SIZE(banks));
    fdt_builder_end_node(&b);
    fdt_builder_begin_node(&b, "uart@1000");
    fdt_builder_prop_string(&b, "compatible", "ns16550a");
    fdt_builder_prop_u32(&b, "reg-shift", 2);
    const uint32_t uart[] = { 0x1000, 0x100 };
    fdt_builder_prop_cells(&b, "reg", uart, ARRAY_SIZE(uart));
    fdt_builder_end_node(&b);
    fdt_builder_end_node(&b);
    return fdt_builder_finish(&b);
}

/* Like GRUB's on q35: loader name, command line, a module, the E820 map, ACPI. */
size_t seed_mb2_grub(uint8_t *buf)
{
    struct mb2_builder b;
    mb2_builder_init(&b, buf, SEED_MAX);
    mb2_builder_cmdline(&b, "ktest=all");
    mb2_builder_loader_name(&b, "GRUB 2.06-13+deb12u1");
    mb2_builder_module(&b, 0x10f000, 0x110000, "initrd.cpio");
    mb2_builder_tag_begin(&b, MB2_TAG_BASIC_MEMINFO);
    mb2_builder_put_u32(&b, 639);
    mb2_builder_put_u32(&b, 523136);
    mb2_builder_tag_end(&b);
    mb2_builder_mmap_begin(&b, MMAP_ENTRY_SIZE);
    mb2_builder_mmap_entry(&b, 0x0, 0x9fc00, MB2_MMAP_AVAILABLE);
    mb2_builder_mmap_entry(&b, 0x9fc00, 0x400, MB2_MMAP_RESERVED);
    mb2_builder_mmap_entry(&b, 0xf0000, 0x10000, MB2_MMAP_RESERVED);
    mb2_builder_mmap_entry(&b, 0x100000, 0x1fee0000, MB2_MMAP_AVAILABLE);
    mb2_builder_mmap_entry(&b, 0x1ffe0000, 0x20000, MB2_MMAP_RESERVED);
    mb2_builder_mmap_entry(&b, 0xb0000000, 0x10000000, MB2_MMAP_RESERVED);
    mb2_builder_mmap_entry(&b, 0xfed1c000, 0x4000, MB2_MMAP_RESERVED);
    mb2_builder_mmap_entry(&b, 0xfffc0000, 0x40000, MB2_MMAP_RESERVED);
    mb2_builder_tag_end(&b);
    mb2_builder_acpi(&b, MB2_TAG_ACPI_OLD, RSDP_V1_SIZE);
    return mb2_builder_finish(&b);
}

/* Every other recorded tag kind: NVS and bad RAM, ACPI 2.0, two modules. */
size_t seed_mb2_varied(uint8_t *buf)
{
    struct mb2_builder b;
    mb2_builder_init(&b, buf, SEED_MAX);
    mb2_builder_mmap_begin(&b, MMAP_ENTRY_SIZE);
    mb2_builder_mmap_entry(&b, 0x100000, 0x7f00000, MB2_MMAP_AVAILABLE);
    mb2_builder_mmap_entry(&b, 0x8000000, 0x10000, MB2_MMAP_ACPI_RECLAIMABLE);
    mb2_builder_mmap_entry(&b, 0x8010000, 0x10000, MB2_MMAP_NVS);
    mb2_builder_mmap_entry(&b, 0x8020000, 0x1000, MB2_MMAP_BADRAM);
    mb2_builder_tag_end(&b);
    mb2_builder_module(&b, 0x200000, 0x300000, "first");
    mb2_builder_module(&b, 0x300000, 0x300000, "empty");
    mb2_builder_acpi(&b, MB2_TAG_ACPI_NEW, RSDP_V2_SIZE);
    return mb2_builder_finish(&b);
}

/* Like tests/initrd/: a text file, a directory, an empty file, a patterned one. */
size_t seed_cpio_initrd(uint8_t *buf)
{
    static const char hello[] = "hello from the initrd\n";
    uint8_t pattern[300];
    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i % 251);
    struct cpio_builder b;
    cpio_builder_init(&b, buf, SEED_MAX);
    cpio_builder_dir(&b, ".");
    cpio_builder_file(&b, "hello.txt", hello, sizeof(hello) - 1);
    cpio_builder_dir(&b, "etc");
    cpio_builder_file(&b, "etc/empty", NULL, 0);
    cpio_builder_file(&b, "pattern.bin", pattern, sizeof(pattern));
    return cpio_builder_finish(&b);
}

/* Static programs as ld.lld links them for each board (aarch64 with its 64 KiB max-page-size). */
size_t seed_elf_x86_64(uint8_t *buf)
{
    return elf_builder_program(buf, SEED_MAX, ELF_MACHINE_X86_64, SEED_ELF_PAGE, SEED_ELF_BASE);
}

size_t seed_elf_riscv64(uint8_t *buf)
{
    return elf_builder_program(buf, SEED_MAX, ELF_MACHINE_RISCV, SEED_ELF_PAGE,
                               SEED_ELF_RISCV_BASE);
}

size_t seed_elf_aarch64(uint8_t *buf)
{
    return elf_builder_program(buf, SEED_MAX, ELF_MACHINE_AARCH64, SEED_ELF_AARCH64_PAGE,
                               SEED_ELF_BASE);
}

const struct seed seeds[] = {
    { "fdt", "riscv64-virt.dtb", SEED_FDT, seed_fdt_riscv },
    { "fdt", "aarch64-virt.dtb", SEED_FDT, seed_fdt_aarch64 },
    { "fdt", "small.dtb", SEED_FDT, seed_fdt_small },
    { "multiboot2", "grub-q35.mb2", SEED_MULTIBOOT2, seed_mb2_grub },
    { "multiboot2", "varied.mb2", SEED_MULTIBOOT2, seed_mb2_varied },
};
const size_t seed_count = sizeof(seeds) / sizeof(seeds[0]);

const struct seed archive_seeds[] = {
    { "cpio", "initrd.cpio", SEED_CPIO, seed_cpio_initrd },
};
const size_t archive_seed_count = sizeof(archive_seeds) / sizeof(archive_seeds[0]);

const struct seed program_seeds[] = {
    { "elf", "x86_64.elf", SEED_ELF, seed_elf_x86_64 },
    { "elf", "riscv64.elf", SEED_ELF, seed_elf_riscv64 },
    { "elf", "aarch64.elf", SEED_ELF, seed_elf_aarch64 },
};
const size_t program_seed_count = sizeof(program_seeds) / sizeof(program_seeds[0]);
