/*
 * Tests of struct boot_info (kernel/boot_info.c): the checks every boot path
 * relies on (empty, wrapping and overlapping RAM, full tables), sorting, the
 * carving of reservations out of RAM, and command-line lookup.
 */
#include "kernel/boot_info.h"
#include "kernel/lib/string.h"
#include <pagoda/errors.h>
#include <pagoda/ktest.h>

static struct boot_info bi_test;

/* The usable pieces boot_info_for_each_usable() reported, in order. */
static struct {
    uint64_t base[8], size[8];
    size_t count;
} bi_pieces;

static void bi_collect(uint64_t base, uint64_t size, void *ctx)
{
    UNUSED(ctx);
    if (bi_pieces.count < ARRAY_SIZE(bi_pieces.base)) {
        bi_pieces.base[bi_pieces.count] = base;
        bi_pieces.size[bi_pieces.count] = size;
    }
    bi_pieces.count++;
}

static uint64_t bi_usable(void)
{
    bi_pieces.count = 0;
    return boot_info_for_each_usable(&bi_test, bi_collect, NULL);
}

KTEST(boot_info, init_starts_empty)
{
    memset(&bi_test, 0xa5, sizeof(bi_test));
    boot_info_init(&bi_test, "riscv64");
    KEXPECT_STREQ(t, bi_test.arch, "riscv64");
    KEXPECT_STREQ(t, bi_test.board, "unknown board");
    KEXPECT_EQ(t, bi_test.ram_count, 0);
    KEXPECT_EQ(t, bi_test.reserved_count, 0);
    KEXPECT_EQ(t, bi_test.module_count, 0);
    KEXPECT_EQ(t, bi_test.cmdline[0], '\0');
    KEXPECT_EQ(t, bi_test.console.kind, BOOT_CONSOLE_NONE);
    KEXPECT_EQU(t, bi_test.acpi_rsdp, 0);
}

KTEST(boot_info, rejects_empty_and_wrapping_ranges)
{
    boot_info_init(&bi_test, "test");
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 0x1000, 0), -E_RANGE);
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 0xfffffffffffff000u, 0x2000), -E_RANGE);
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 1, UINT64_MAX), -E_RANGE);
    KEXPECT_EQ(t, boot_info_add_reserved(&bi_test, 0x1000, 0, BOOT_RANGE_FIRMWARE), -E_RANGE);
    KEXPECT_EQ(t, boot_info_add_reserved(&bi_test, UINT64_MAX, 2, BOOT_RANGE_FIRMWARE), -E_RANGE);
    /* USABLE is what RAM is, not a kind of reservation. */
    KEXPECT_EQ(t, boot_info_add_reserved(&bi_test, 0x1000, 0x1000, BOOT_RANGE_USABLE), -E_RANGE);
    KEXPECT_EQ(t, boot_info_add_module(&bi_test, 0x1000, 0, "empty"), -E_RANGE);
    KEXPECT_EQ(t, bi_test.ram_count, 0);
    KEXPECT_EQ(t, bi_test.reserved_count, 0);
    KEXPECT_EQ(t, bi_test.module_count, 0);
    /* The control: the largest range that does not wrap. */
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 0, UINT64_MAX), 0);
}

KTEST(boot_info, rejects_overlapping_ram)
{
    boot_info_init(&bi_test, "test");
    KASSERT_EQ(t, boot_info_add_ram(&bi_test, 0x10000, 0x10000), 0);
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 0x1f000, 0x2000), -E_OVERLAP); /* the end */
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 0xf000, 0x2000), -E_OVERLAP);  /* the start */
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 0x14000, 0x1000), -E_OVERLAP); /* inside */
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 0x0, 0x100000), -E_OVERLAP);   /* around */
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 0x10000, 0x10000), -E_OVERLAP); /* the same */
    KEXPECT_EQ(t, bi_test.ram_count, 1);
    /* Touching on either side is fine. */
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 0x20000, 0x1000), 0);
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 0xf000, 0x1000), 0);
    KEXPECT_EQ(t, bi_test.ram_count, 3);
    /* Reserved ranges may overlap RAM and each other. */
    KEXPECT_EQ(t, boot_info_add_reserved(&bi_test, 0x10000, 0x2000, BOOT_RANGE_KERNEL), 0);
    KEXPECT_EQ(t, boot_info_add_reserved(&bi_test, 0x11000, 0x2000, BOOT_RANGE_MODULE), 0);
}

KTEST(boot_info, keeps_ranges_sorted)
{
    static const uint64_t bases[] = { 0x50000, 0x10000, 0x90000, 0x30000, 0x70000 };
    boot_info_init(&bi_test, "test");
    for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
        KEXPECT_EQ(t, boot_info_add_ram(&bi_test, bases[i], 0x1000), 0);
        KEXPECT_EQ(t, boot_info_add_reserved(&bi_test, bases[i] + 0x800, 0x100,
                                             BOOT_RANGE_FIRMWARE), 0);
    }
    KASSERT_EQ(t, bi_test.ram_count, ARRAY_SIZE(bases));
    KASSERT_EQ(t, bi_test.reserved_count, ARRAY_SIZE(bases));
    for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
        KEXPECT_EQU(t, bi_test.ram[i].base, 0x10000 + i * 0x20000);
        KEXPECT_EQ(t, bi_test.ram[i].kind, BOOT_RANGE_USABLE);
        KEXPECT_EQU(t, bi_test.reserved[i].base, 0x10800 + i * 0x20000);
        KEXPECT_EQ(t, bi_test.reserved[i].kind, BOOT_RANGE_FIRMWARE);
    }
}

KTEST(boot_info, reports_full_tables)
{
    boot_info_init(&bi_test, "test");
    for (uint64_t i = 0; i < BOOT_MAX_RANGES; i++) {
        KASSERT_EQ(t, boot_info_add_ram(&bi_test, i * 0x2000, 0x1000), 0);
        KASSERT_EQ(t, boot_info_add_reserved(&bi_test, i * 0x2000, 0x10, BOOT_RANGE_BAD), 0);
    }
    KEXPECT_EQ(t, boot_info_add_ram(&bi_test, 0x1000000, 0x1000), -E_NOSPACE);
    KEXPECT_EQ(t, boot_info_add_reserved(&bi_test, 0x1000000, 0x10, BOOT_RANGE_BAD), -E_NOSPACE);
    KEXPECT_EQ(t, bi_test.ram_count, BOOT_MAX_RANGES);

    boot_info_init(&bi_test, "test");
    for (uint64_t i = 0; i < BOOT_MAX_MODULES; i++)
        KASSERT_EQ(t, boot_info_add_module(&bi_test, i * 0x1000, 0x1000, "m"), 0);
    KEXPECT_EQ(t, boot_info_add_module(&bi_test, 0x100000, 0x1000, "m"), -E_NOSPACE);
    KEXPECT_EQ(t, bi_test.module_count, BOOT_MAX_MODULES);
    KEXPECT_EQ(t, bi_test.reserved_count, BOOT_MAX_MODULES); /* no reservation for the reject */
}

KTEST(boot_info, records_modules)
{
    static const char long_name[] =
        "a-module-name-that-is-longer-than-the-sixty-three-bytes-a-boot-module-keeps";
    boot_info_init(&bi_test, "test");
    KEXPECT_EQ(t, boot_info_add_module(&bi_test, 0x200000, 0x3000, "initrd"), 0);
    KEXPECT_EQ(t, boot_info_add_module(&bi_test, 0x100000, 0x1000, NULL), 0);
    KEXPECT_EQ(t, boot_info_add_module(&bi_test, 0x300000, 0x1000, long_name), 0);
    KASSERT_EQ(t, bi_test.module_count, 3);
    /* Modules keep the loader's order; their reservations are sorted. */
    KEXPECT_EQU(t, bi_test.modules[0].base, 0x200000);
    KEXPECT_EQU(t, bi_test.modules[0].size, 0x3000);
    KEXPECT_STREQ(t, bi_test.modules[0].name, "initrd");
    KEXPECT_STREQ(t, bi_test.modules[1].name, "");
    KEXPECT_EQ(t, strlen(bi_test.modules[2].name), BOOT_NAME_MAX - 1);
    KEXPECT_EQ(t, strncmp(bi_test.modules[2].name, long_name, BOOT_NAME_MAX - 1), 0);
    KASSERT_EQ(t, bi_test.reserved_count, 3);
    KEXPECT_EQU(t, bi_test.reserved[0].base, 0x100000);
    KEXPECT_EQ(t, bi_test.reserved[0].kind, BOOT_RANGE_MODULE);
    KEXPECT_EQU(t, bi_test.reserved[1].base, 0x200000);
    KEXPECT_EQU(t, bi_test.reserved[1].size, 0x3000);
}

KTEST(boot_info, usable_without_reservations)
{
    boot_info_init(&bi_test, "test");
    KASSERT_EQ(t, boot_info_add_ram(&bi_test, 0x100000, 0x100000), 0);
    KASSERT_EQ(t, boot_info_add_ram(&bi_test, 0x0, 0x9f000), 0);
    KEXPECT_EQU(t, bi_usable(), 0x100000 + 0x9f000);
    KASSERT_EQ(t, bi_pieces.count, 2);
    KEXPECT_EQU(t, bi_pieces.base[0], 0x0);
    KEXPECT_EQU(t, bi_pieces.size[0], 0x9f000);
    KEXPECT_EQU(t, bi_pieces.base[1], 0x100000);
    KEXPECT_EQU(t, bi_pieces.size[1], 0x100000);
    /* No callback: the total alone. */
    KEXPECT_EQU(t, boot_info_for_each_usable(&bi_test, NULL, NULL), 0x19f000);
}

KTEST(boot_info, carves_reservations)
{
    boot_info_init(&bi_test, "test");
    KASSERT_EQ(t, boot_info_add_ram(&bi_test, 0x10000, 0x10000), 0);
    /* At the start, in the middle, at the end, and one outside RAM. */
    KASSERT_EQ(t, boot_info_add_reserved(&bi_test, 0x1f000, 0x1000, BOOT_RANGE_DTB), 0);
    KASSERT_EQ(t, boot_info_add_reserved(&bi_test, 0x10000, 0x2000, BOOT_RANGE_KERNEL), 0);
    KASSERT_EQ(t, boot_info_add_reserved(&bi_test, 0x15000, 0x1000, BOOT_RANGE_MODULE), 0);
    KASSERT_EQ(t, boot_info_add_reserved(&bi_test, 0x40000, 0x1000, BOOT_RANGE_FIRMWARE), 0);
    KEXPECT_EQU(t, bi_usable(), 0x10000 - 0x2000 - 0x1000 - 0x1000);
    KASSERT_EQ(t, bi_pieces.count, 2);
    KEXPECT_EQU(t, bi_pieces.base[0], 0x12000);
    KEXPECT_EQU(t, bi_pieces.size[0], 0x3000);
    KEXPECT_EQU(t, bi_pieces.base[1], 0x16000);
    KEXPECT_EQU(t, bi_pieces.size[1], 0x9000);
}

KTEST(boot_info, carves_overlapping_reservations)
{
    boot_info_init(&bi_test, "test");
    KASSERT_EQ(t, boot_info_add_ram(&bi_test, 0x10000, 0x10000), 0);
    /* Two overlapping, and one inside the first (sorted by base, but a shorter end). */
    KASSERT_EQ(t, boot_info_add_reserved(&bi_test, 0x12000, 0x4000, BOOT_RANGE_FIRMWARE), 0);
    KASSERT_EQ(t, boot_info_add_reserved(&bi_test, 0x14000, 0x4000, BOOT_RANGE_FIRMWARE), 0);
    KASSERT_EQ(t, boot_info_add_reserved(&bi_test, 0x13000, 0x1000, BOOT_RANGE_BAD), 0);
    KEXPECT_EQU(t, bi_usable(), 0x10000 - 0x6000);
    KASSERT_EQ(t, bi_pieces.count, 2);
    KEXPECT_EQU(t, bi_pieces.base[0], 0x10000);
    KEXPECT_EQU(t, bi_pieces.size[0], 0x2000);
    KEXPECT_EQU(t, bi_pieces.base[1], 0x18000);
    KEXPECT_EQU(t, bi_pieces.size[1], 0x8000);
}

KTEST(boot_info, carves_reservation_covering_everything)
{
    boot_info_init(&bi_test, "test");
    KASSERT_EQ(t, boot_info_add_ram(&bi_test, 0x10000, 0x10000), 0);
    KASSERT_EQ(t, boot_info_add_ram(&bi_test, 0x30000, 0x10000), 0);
    /* One reservation across both RAM ranges and the hole between them. */
    KASSERT_EQ(t, boot_info_add_reserved(&bi_test, 0x18000, 0x20000, BOOT_RANGE_RESERVED), 0);
    KEXPECT_EQU(t, bi_usable(), 0x8000 + 0x8000);
    KASSERT_EQ(t, bi_pieces.count, 2);
    KEXPECT_EQU(t, bi_pieces.base[0], 0x10000);
    KEXPECT_EQU(t, bi_pieces.base[1], 0x38000);

    KASSERT_EQ(t, boot_info_add_reserved(&bi_test, 0x0, 0x100000, BOOT_RANGE_RESERVED), 0);
    KEXPECT_EQU(t, bi_usable(), 0);
    KEXPECT_EQ(t, bi_pieces.count, 0);
}

KTEST(boot_info, sets_cmdline)
{
    static char long_line[BOOT_CMDLINE_MAX + 16];
    boot_info_init(&bi_test, "test");
    boot_info_set_cmdline(&bi_test, "ktest=all quiet", 5); /* at most 5 bytes of it */
    KEXPECT_STREQ(t, bi_test.cmdline, "ktest");
    memset(long_line, 'x', sizeof(long_line) - 1);
    long_line[sizeof(long_line) - 1] = '\0';
    boot_info_set_cmdline(&bi_test, long_line, sizeof(long_line));
    KEXPECT_EQ(t, strlen(bi_test.cmdline), BOOT_CMDLINE_MAX - 1);
}

/* VALUE of KEY on LINE as a string (into a buffer), or NULL if absent. */
static const char *bi_cmdline_value(const char *line, const char *key)
{
    static char value[BOOT_CMDLINE_MAX];
    const char *v;
    size_t len;
    if (!boot_cmdline_get(line, key, &v, &len))
        return NULL;
    string_copy(value, sizeof(value), v, len);
    return value;
}

KTEST(boot_info, finds_cmdline_values)
{
    static const char line[] = "  ktest=fdt,boot_info\tquiet ktest.inject=fail  empty= last=1";
    KEXPECT_STREQ(t, bi_cmdline_value(line, "ktest"), "fdt,boot_info");
    KEXPECT_STREQ(t, bi_cmdline_value(line, "ktest.inject"), "fail");
    KEXPECT_STREQ(t, bi_cmdline_value(line, "quiet"), "");
    KEXPECT_STREQ(t, bi_cmdline_value(line, "empty"), "");
    KEXPECT_STREQ(t, bi_cmdline_value(line, "last"), "1");
    KEXPECT(t, bi_cmdline_value(line, "kt") == NULL);   /* a prefix of a key */
    KEXPECT(t, bi_cmdline_value(line, "fail") == NULL); /* a value, not a key */
    KEXPECT(t, bi_cmdline_value(line, "ktest.inj") == NULL);
    KEXPECT(t, bi_cmdline_value("", "ktest") == NULL);
    KEXPECT(t, boot_cmdline_has(line, "quiet"));
    KEXPECT(t, boot_cmdline_has(line, "ktest"));
    KEXPECT(t, !boot_cmdline_has(line, "loud"));
    /* The first occurrence wins. */
    KEXPECT_STREQ(t, bi_cmdline_value("a=1 a=2", "a"), "1");
}
