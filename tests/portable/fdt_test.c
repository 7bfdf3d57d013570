/*
 * Tests of the devicetree reader (kernel/boot/fdt.c) and the devicetree boot
 * path (kernel/boot/fdt_boot.c) on blobs written by tests/portable/fdt_builder:
 * one board-like blob for the accessors and boot_info, then every kind of
 * damage fdt_open() promises to reject. Blobs are placed at the very end of a
 * buffer and passed with their exact size, so a read past one runs off the
 * buffer (AddressSanitizer catches that on the host).
 */
#include "kernel/boot/fdt.h"
#include "kernel/boot/fdt_boot.h"
#include "kernel/lib/string.h"
#include "tests/portable/fdt_builder.h"
#include <pagoda/errors.h>
#include <pagoda/ktest.h>

#define FDT_TEST_DTB_PHYS 0x87e00000u
#define FDT_TEST_PHANDLE_UART 7u
#define FDT_TEST_PLACE_TOO_BIG NULL

static uint8_t fdt_scratch[2048] __attribute__((aligned(8)));
static uint8_t fdt_window[2048] __attribute__((aligned(8)));
static struct fdt_builder fdt_b;
static struct boot_info fdt_bi;

/* Copy the first LEN bytes of the scratch blob so that they end where the window ends. */
static const void *fdt_test_place(size_t len)
{
    if (len > sizeof(fdt_window))
        return FDT_TEST_PLACE_TOO_BIG;
    uint8_t *at = fdt_window + sizeof(fdt_window) - len;
    memmove(at, fdt_scratch, len);
    return at;
}

static int fdt_test_open(struct fdt *fdt, size_t len)
{
    const void *blob = fdt_test_place(len);
    return blob ? fdt_open(fdt, blob, len) : -E_NOSPACE;
}

static int fdt_test_boot(size_t len)
{
    boot_info_init(&fdt_bi, "riscv64");
    const void *blob = fdt_test_place(len);
    return blob ? fdt_boot_info(&fdt_bi, blob, len, FDT_TEST_DTB_PHYS) : -E_NOSPACE;
}

static void fdt_test_cells2(const char *name, uint64_t a, uint64_t b)
{
    const uint32_t cells[] = { (uint32_t)(a >> 32), (uint32_t)a, (uint32_t)(b >> 32), (uint32_t)b };
    fdt_builder_prop_cells(&fdt_b, name, cells, ARRAY_SIZE(cells));
}

static void fdt_test_cells_props(uint32_t address_cells, uint32_t size_cells)
{
    fdt_builder_prop_u32(&fdt_b, "#address-cells", address_cells);
    fdt_builder_prop_u32(&fdt_b, "#size-cells", size_cells);
}

/* Structure-block offsets of the good blob's nodes, for lookups to compare against. */
struct fdt_test_nodes {
    int chosen, memory0, memory1, resv, resv_fw, decoy, soc, uart, bus, dev;
};

/*
 * The good blob, shaped like QEMU's riscv64 virt with some extras:
 *   /memreserve/ 0x9ff00000 0x1000;
 *   / { model; compatible = "pagoda,test", "riscv-virtio"; #address-cells = 2; #size-cells = 2;
 *     chosen { bootargs; stdout-path = "/soc/serial@10000000:115200n8"; initrd 0x88000000+2M }
 *     memory@80000000 { reg = 0x80000000+256M }
 *     memory@c0000000 { reg = 0xc0000000+128M, 0xd0000000+16M }
 *     reserved-memory { mmode_resv0@80000000 { reg }; dynamic { size } }
 *     pl011@9000000 { a UART that is not stdout-path's, found first by a search }
 *     soc { serial@10000000 { ns16550a, reg-shift = 2, phandle = 7 }
 *           bus@20000000 { #address-cells = 1; #size-cells = 1;
 *                          dev@20001000 { reg: 2 entries, phandle = 9 } } } }
 */
static size_t fdt_test_build_good(struct fdt_test_nodes *n)
{
    static const char compatible[] = "pagoda,test\0riscv-virtio";
    struct fdt_builder *b = &fdt_b;
    fdt_builder_init(b, fdt_scratch, sizeof(fdt_scratch));
    fdt_builder_memreserve(b, 0x9ff00000, 0x1000);
    fdt_builder_begin_node(b, "");
    fdt_test_cells_props(2, 2);
    fdt_builder_prop_string(b, "model", "pagoda,test-board");
    fdt_builder_prop(b, "compatible", compatible, sizeof(compatible));

    n->chosen = (int)fdt_builder_struct_pos(b);
    fdt_builder_begin_node(b, "chosen");
    fdt_builder_prop_string(b, "bootargs", "ktest=fdt console=ttyS0");
    fdt_builder_prop_string(b, "stdout-path", "/soc/serial@10000000:115200n8");
    const uint32_t initrd_start[] = { 0, 0x88000000 }, initrd_end[] = { 0, 0x88200000 };
    fdt_builder_prop_cells(b, "linux,initrd-start", initrd_start, 2);
    fdt_builder_prop_cells(b, "linux,initrd-end", initrd_end, 2);
    fdt_builder_end_node(b);

    n->memory0 = (int)fdt_builder_struct_pos(b);
    fdt_builder_begin_node(b, "memory@80000000");
    fdt_builder_prop_string(b, "device_type", "memory");
    fdt_test_cells2("reg", 0x80000000, 0x10000000);
    fdt_builder_end_node(b);

    n->memory1 = (int)fdt_builder_struct_pos(b);
    fdt_builder_begin_node(b, "memory@c0000000");
    fdt_builder_prop_string(b, "device_type", "memory");
    const uint32_t banks[] = { 0, 0xc0000000, 0, 0x8000000, 0, 0xd0000000, 0, 0x1000000 };
    fdt_builder_prop_cells(b, "reg", banks, ARRAY_SIZE(banks));
    fdt_builder_end_node(b);

    n->resv = (int)fdt_builder_struct_pos(b);
    fdt_builder_begin_node(b, "reserved-memory");
    fdt_test_cells_props(2, 2);
    fdt_builder_prop(b, "ranges", NULL, 0);
    n->resv_fw = (int)fdt_builder_struct_pos(b);
    fdt_builder_begin_node(b, "mmode_resv0@80000000");
    fdt_test_cells2("reg", 0x80000000, 0x80000);
    fdt_builder_end_node(b);
    fdt_builder_begin_node(b, "dynamic"); /* "size" only: allocated later, nothing reserved */
    const uint32_t dynamic_size[] = { 0, 0x100000 };
    fdt_builder_prop_cells(b, "size", dynamic_size, 2);
    fdt_builder_end_node(b);
    fdt_builder_end_node(b);

    n->decoy = (int)fdt_builder_struct_pos(b);
    fdt_builder_begin_node(b, "pl011@9000000");
    fdt_builder_prop_string(b, "compatible", "arm,pl011");
    fdt_test_cells2("reg", 0x9000000, 0x1000);
    fdt_builder_end_node(b);

    n->soc = (int)fdt_builder_struct_pos(b);
    fdt_builder_begin_node(b, "soc");
    fdt_test_cells_props(2, 2);
    fdt_builder_prop_string(b, "compatible", "simple-bus");
    fdt_builder_prop(b, "ranges", NULL, 0);
    n->uart = (int)fdt_builder_struct_pos(b);
    fdt_builder_begin_node(b, "serial@10000000");
    fdt_builder_prop_string(b, "compatible", "ns16550a");
    fdt_test_cells2("reg", 0x10000000, 0x100);
    fdt_builder_prop_u32(b, "reg-shift", 2);
    fdt_builder_prop_u32(b, "phandle", FDT_TEST_PHANDLE_UART);
    fdt_builder_end_node(b);
    n->bus = (int)fdt_builder_struct_pos(b);
    fdt_builder_begin_node(b, "bus@20000000");
    fdt_test_cells_props(1, 1);
    n->dev = (int)fdt_builder_struct_pos(b);
    fdt_builder_begin_node(b, "dev@20001000");
    const uint32_t dev_reg[] = { 0x20001000, 0x10, 0x20002000, 0x20 };
    fdt_builder_prop_cells(b, "reg", dev_reg, ARRAY_SIZE(dev_reg));
    fdt_builder_prop_u32(b, "phandle", 9);
    fdt_builder_end_node(b);
    fdt_builder_end_node(b);
    fdt_builder_end_node(b);

    fdt_builder_end_node(b);
    return fdt_builder_finish(b);
}

/* --- fdt_open and the accessors on the good blob ---------------------------- */

KTEST(fdt, opens_good_blob)
{
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    KEXPECT_EQ(t, fdt.size, size);
    KEXPECT_EQ(t, fdt.version, 17);
    KEXPECT_EQ(t, fdt.rsvmap_count, 1);
    KEXPECT_EQ(t, fdt.struct_offset, fdt_b.struct_offset);
    KEXPECT_EQ(t, fdt.strings_offset, fdt_b.strings_offset);
    KEXPECT_EQ(t, fdt_root(&fdt), 0);
    KEXPECT_STREQ(t, fdt_node_name(&fdt, 0), "");
}

KTEST(fdt, walks_children_in_order)
{
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    const int expected[] = { n.chosen, n.memory0, n.memory1, n.resv, n.decoy, n.soc };
    int node = fdt_first_child(&fdt, fdt_root(&fdt));
    for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
        KEXPECT_EQ(t, node, expected[i]);
        node = fdt_next_sibling(&fdt, node);
    }
    KEXPECT_EQ(t, node, -E_NOENT);
    KEXPECT_STREQ(t, fdt_node_name(&fdt, n.memory1), "memory@c0000000");
    KEXPECT_EQ(t, fdt_first_child(&fdt, n.memory0), -E_NOENT);
    KEXPECT_EQ(t, fdt_first_child(&fdt, n.bus), n.dev);
    KEXPECT_EQ(t, fdt_next_sibling(&fdt, n.uart), n.bus);
}

KTEST(fdt, finds_parents)
{
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    KEXPECT_EQ(t, fdt_parent(&fdt, n.dev), n.bus);
    KEXPECT_EQ(t, fdt_parent(&fdt, n.bus), n.soc);
    KEXPECT_EQ(t, fdt_parent(&fdt, n.soc), 0);
    KEXPECT_EQ(t, fdt_parent(&fdt, 0), -E_NOENT);
}

KTEST(fdt, finds_paths)
{
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/"), 0);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/chosen"), n.chosen);
    /* A component without a unit address matches the first node of that name. */
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/memory"), n.memory0);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/memory@c0000000"), n.memory1);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/soc/serial@10000000"), n.uart);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/soc/serial"), n.uart);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/soc/bus@20000000/dev@20001000"), n.dev);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/memory@90000000"), -E_NOENT);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/mem"), -E_NOENT);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/chosen/none"), -E_NOENT);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/serial@10000000"), -E_NOENT); /* not at the root */
    KEXPECT_EQ(t, fdt_find_path(&fdt, "chosen"), -E_NOENT);           /* not absolute */
}

KTEST(fdt, reads_properties)
{
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    uint32_t len = 0;
    const uint8_t *reg = fdt_get_prop(&fdt, n.uart, "reg", &len);
    KASSERT(t, reg != NULL);
    KEXPECT_EQ(t, len, 16);
    KEXPECT_EQU(t, fdt_read_be32(reg + 4), 0x10000000);
    KEXPECT(t, fdt_get_prop(&fdt, n.uart, "interrupts", &len) == NULL);
    KEXPECT(t, fdt_get_prop(&fdt, n.resv, "ranges", &len) != NULL);
    KEXPECT_EQ(t, len, 0);
    /* Properties of a child are not properties of its parent. */
    KEXPECT(t, fdt_get_prop(&fdt, n.soc, "reg-shift", NULL) == NULL);

    KEXPECT_STREQ(t, fdt_get_string(&fdt, 0, "model"), "pagoda,test-board");
    KEXPECT_STREQ(t, fdt_get_string(&fdt, 0, "compatible"), "pagoda,test");
    KEXPECT(t, fdt_get_string(&fdt, n.resv, "ranges") == NULL); /* empty is not a string */
    KEXPECT(t, fdt_is_compatible(&fdt, 0, "riscv-virtio"));     /* the second entry */
    KEXPECT(t, fdt_is_compatible(&fdt, 0, "pagoda,test"));
    KEXPECT(t, !fdt_is_compatible(&fdt, 0, "pagoda"));
    KEXPECT(t, !fdt_is_compatible(&fdt, n.chosen, "pagoda,test"));

    uint32_t value = 0;
    KEXPECT_EQ(t, fdt_get_u32(&fdt, n.uart, "reg-shift", &value), 0);
    KEXPECT_EQ(t, value, 2);
    KEXPECT_EQ(t, fdt_get_u32(&fdt, n.uart, "reg", &value), -E_FORMAT);
    KEXPECT_EQ(t, fdt_get_u32(&fdt, n.uart, "clock-frequency", &value), -E_NOENT);
}

KTEST(fdt, decodes_reg_with_one_and_two_cells)
{
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    uint64_t base = 0, length = 0;
    KEXPECT_EQ(t, fdt_get_reg(&fdt, n.memory1, 1, &base, &length), 0);
    KEXPECT_EQU(t, base, 0xd0000000);
    KEXPECT_EQU(t, length, 0x1000000);
    KEXPECT_EQ(t, fdt_get_reg(&fdt, n.memory1, 2, &base, &length), -E_NOENT);

    KEXPECT_EQ(t, fdt_get_reg(&fdt, n.dev, 0, &base, &length), 0);
    KEXPECT_EQU(t, base, 0x20001000);
    KEXPECT_EQU(t, length, 0x10);
    KEXPECT_EQ(t, fdt_get_reg(&fdt, n.dev, 1, &base, &length), 0);
    KEXPECT_EQU(t, base, 0x20002000);
    KEXPECT_EQU(t, length, 0x20);
    KEXPECT_EQ(t, fdt_get_reg(&fdt, n.dev, 2, &base, &length), -E_NOENT);
    KEXPECT_EQ(t, fdt_get_reg(&fdt, n.chosen, 0, &base, &length), -E_NOENT); /* no reg */

    uint32_t ac = 0, sc = 0;
    KEXPECT_EQ(t, fdt_cells(&fdt, n.bus, &ac, &sc), 0);
    KEXPECT_EQ(t, ac, 1);
    KEXPECT_EQ(t, sc, 1);
    KEXPECT_EQ(t, fdt_cells(&fdt, n.chosen, &ac, &sc), 0); /* the defaults */
    KEXPECT_EQ(t, ac, 2);
    KEXPECT_EQ(t, sc, 1);
}

KTEST(fdt, decodes_64_bit_values)
{
    fdt_builder_init(&fdt_b, fdt_scratch, sizeof(fdt_scratch));
    fdt_builder_begin_node(&fdt_b, "");
    fdt_test_cells_props(2, 2);
    fdt_builder_begin_node(&fdt_b, "memory@100000000");
    fdt_test_cells2("reg", 0x100000000u, 0x180000000u);
    fdt_builder_end_node(&fdt_b);
    fdt_builder_end_node(&fdt_b);
    size_t size = fdt_builder_finish(&fdt_b);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    uint64_t base = 0, length = 0;
    KEXPECT_EQ(t, fdt_get_reg(&fdt, fdt_find_path(&fdt, "/memory"), 0, &base, &length), 0);
    KEXPECT_EQU(t, base, 0x100000000u);
    KEXPECT_EQU(t, length, 0x180000000u);
}

KTEST(fdt, reads_memreserve_entries)
{
    fdt_builder_init(&fdt_b, fdt_scratch, sizeof(fdt_scratch));
    fdt_builder_memreserve(&fdt_b, 0x80000000, 0x80000);
    fdt_builder_memreserve(&fdt_b, 0x123456789000u, 0x1000);
    fdt_builder_begin_node(&fdt_b, "");
    fdt_builder_end_node(&fdt_b);
    size_t size = fdt_builder_finish(&fdt_b);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    KEXPECT_EQ(t, fdt.rsvmap_count, 2);
    uint64_t base = 0, length = 0;
    KEXPECT_EQ(t, fdt_get_memreserve(&fdt, 0, &base, &length), 0);
    KEXPECT_EQU(t, base, 0x80000000);
    KEXPECT_EQU(t, length, 0x80000);
    KEXPECT_EQ(t, fdt_get_memreserve(&fdt, 1, &base, &length), 0);
    KEXPECT_EQU(t, base, 0x123456789000u);
    KEXPECT_EQU(t, length, 0x1000);
    KEXPECT_EQ(t, fdt_get_memreserve(&fdt, 2, &base, &length), -E_NOENT);
}

KTEST(fdt, finds_phandles)
{
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    KEXPECT_EQ(t, fdt_find_phandle(&fdt, FDT_TEST_PHANDLE_UART), n.uart);
    KEXPECT_EQ(t, fdt_find_phandle(&fdt, 9), n.dev);
    KEXPECT_EQ(t, fdt_find_phandle(&fdt, 8), -E_NOENT);
}

KTEST(fdt, accepts_nops_and_version_16)
{
    fdt_builder_init(&fdt_b, fdt_scratch, sizeof(fdt_scratch));
    fdt_builder_raw_u32(&fdt_b, FDT_BUILDER_NOP);
    fdt_builder_begin_node(&fdt_b, "");
    fdt_builder_raw_u32(&fdt_b, FDT_BUILDER_NOP);
    fdt_builder_prop_u32(&fdt_b, "#size-cells", 1);
    fdt_builder_raw_u32(&fdt_b, FDT_BUILDER_NOP);
    int child = (int)fdt_builder_struct_pos(&fdt_b);
    fdt_builder_begin_node(&fdt_b, "child");
    fdt_builder_end_node(&fdt_b);
    fdt_builder_raw_u32(&fdt_b, FDT_BUILDER_NOP);
    fdt_builder_end_node(&fdt_b);
    size_t size = fdt_builder_finish(&fdt_b);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/child"), child);
    KEXPECT_EQ(t, fdt_next_sibling(&fdt, child), -E_NOENT);
    uint32_t value = 0;
    KEXPECT_EQ(t, fdt_get_u32(&fdt, fdt_root(&fdt), "#size-cells", &value), 0);
    KEXPECT_EQ(t, value, 1);

    /* Version 16 has no size_dt_struct; the block runs to the end of the blob. */
    fdt_builder_set_be32(fdt_scratch, FDT_HDR_VERSION, 16);
    fdt_builder_set_be32(fdt_scratch, FDT_HDR_SIZE_STRUCT, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), 0);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/child"), child);
}

/* --- what fdt_open must reject --------------------------------------------------- */

/* The good blob, damaged by setting header field FIELD to VALUE; returns its size. */
static size_t fdt_test_good_with_header(uint32_t field, uint32_t value)
{
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    if (size)
        fdt_builder_set_be32(fdt_scratch, field, value);
    return size;
}

KTEST(fdt, rejects_bad_magic)
{
    size_t size = fdt_test_good_with_header(FDT_HDR_MAGIC, FDT_MAGIC ^ 1);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_BADMAGIC);
    /* An unusable fdt finds nothing afterwards. */
    KEXPECT_EQ(t, fdt_root(&fdt), -E_NOENT);
}

KTEST(fdt, rejects_truncation)
{
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KEXPECT_EQ(t, fdt_test_open(&fdt, size - 1), -E_TRUNC);     /* totalsize > buffer */
    KEXPECT_EQ(t, fdt_test_open(&fdt, FDT_HEADER_SIZE - 1), -E_TRUNC);
    KEXPECT_EQ(t, fdt_test_open(&fdt, 0), -E_TRUNC);
    fdt_builder_set_be32(fdt_scratch, FDT_HDR_TOTALSIZE, FDT_HEADER_SIZE - 4);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_TRUNC);          /* smaller than a header */
}

KTEST(fdt, rejects_old_versions)
{
    size_t size = fdt_test_good_with_header(FDT_HDR_VERSION, 15);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_NOTSUP);
}

KTEST(fdt, rejects_blocks_outside_the_blob)
{
    struct fdt fdt;
    size_t size = fdt_test_good_with_header(FDT_HDR_SIZE_STRUCT, 0x10000);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    size = fdt_test_good_with_header(FDT_HDR_OFF_STRUCT, 0x10000);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    size = fdt_test_good_with_header(FDT_HDR_OFF_STRUCT, 0xfffffffc); /* offset + size wraps */
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    size = fdt_test_good_with_header(FDT_HDR_SIZE_STRINGS, 0x10000);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    size = fdt_test_good_with_header(FDT_HDR_OFF_STRINGS, (uint32_t)size + 1);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    size = fdt_test_good_with_header(FDT_HDR_OFF_RSVMAP, (uint32_t)size + 8);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    size = fdt_test_good_with_header(FDT_HDR_OFF_STRUCT, 0); /* over the header */
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
}

KTEST(fdt, rejects_misaligned_blocks)
{
    struct fdt_test_nodes n;
    struct fdt fdt;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    fdt_builder_set_be32(fdt_scratch, FDT_HDR_OFF_STRUCT, fdt_b.struct_offset + 2);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    size = fdt_test_build_good(&n);
    fdt_builder_set_be32(fdt_scratch, FDT_HDR_OFF_RSVMAP, fdt_b.rsvmap_offset + 4);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
}

KTEST(fdt, rejects_misaligned_struct_block_even_if_well_formed)
{
    /* Slide the structure and strings blocks 2 bytes up: every token is intact, but unaligned. */
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    KASSERT(t, size + 2 <= sizeof(fdt_scratch));
    uint32_t from = fdt_b.struct_offset;
    memmove(fdt_scratch + from + 2, fdt_scratch + from, size - from);
    fdt_builder_set_be32(fdt_scratch, FDT_HDR_OFF_STRUCT, from + 2);
    fdt_builder_set_be32(fdt_scratch, FDT_HDR_OFF_STRINGS, fdt_b.strings_offset + 2);
    fdt_builder_set_be32(fdt_scratch, FDT_HDR_TOTALSIZE, (uint32_t)size + 2);
    struct fdt fdt;
    KEXPECT_EQ(t, fdt_test_open(&fdt, size + 2), -E_FORMAT);
}

KTEST(fdt, rejects_unterminated_memreserve_block)
{
    /* A reservation entry and no (0, 0) terminator before the end of the blob. */
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    fdt_builder_set_be32(fdt_scratch, FDT_HDR_OFF_RSVMAP, (uint32_t)ALIGN_DOWN(size - 8, 8));
    for (size_t at = ALIGN_DOWN(size - 8, 8); at + 4 <= size; at += 4)
        fdt_builder_set_be32(fdt_scratch, at, 0xffffffffu);
    struct fdt fdt;
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
}

/* A blob whose structure block is exactly the COUNT raw words in WORDS (then FDT_END if END). */
static size_t fdt_test_build_raw(const uint32_t *words, size_t count, bool end)
{
    fdt_builder_init(&fdt_b, fdt_scratch, sizeof(fdt_scratch));
    fdt_builder_string(&fdt_b, "x"); /* the only property name, at offset 0 */
    for (size_t i = 0; i < count; i++)
        fdt_builder_raw_u32(&fdt_b, words[i]);
    size_t size = fdt_builder_finish(&fdt_b);
    if (size && !end) {
        /* Drop the FDT_END that finish() appended. */
        fdt_builder_set_be32(fdt_scratch, FDT_HDR_SIZE_STRUCT, (uint32_t)count * 4);
    }
    return size;
}

#define BEGIN FDT_BUILDER_BEGIN_NODE
#define END_NODE FDT_BUILDER_END_NODE
#define PROP FDT_BUILDER_PROP
#define NAME_ABC 0x61626300u  /* "abc\0" */
#define NAME_ABCD 0x61626364u /* "abcd", no terminator */

KTEST(fdt, raw_control_blob_is_accepted)
{
    /* The shape every raw rejection below damages: / { abc { x = <0>; }; }; */
    static const uint32_t good[] = { BEGIN, 0, BEGIN, NAME_ABC, PROP, 4, 0, 0, END_NODE, END_NODE };
    size_t size = fdt_test_build_raw(good, ARRAY_SIZE(good), true);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), 0);
    KEXPECT_EQ(t, fdt_find_path(&fdt, "/abc"), 8);
}

KTEST(fdt, rejects_unterminated_node_name)
{
    /* The name's bytes run to the end of the structure block; the strings follow it. */
    static const uint32_t words[] = { BEGIN, 0, BEGIN, NAME_ABCD };
    size_t size = fdt_test_build_raw(words, ARRAY_SIZE(words), false);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
}

KTEST(fdt, rejects_property_past_block)
{
    static const uint32_t too_long[] = { BEGIN, 0, PROP, 9, 0, 0, END_NODE };
    size_t size = fdt_test_build_raw(too_long, ARRAY_SIZE(too_long), true);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    static const uint32_t huge[] = { BEGIN, 0, PROP, 0xfffffff0u, 0, 0, END_NODE };
    size = fdt_test_build_raw(huge, ARRAY_SIZE(huge), true);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    /* A length that wraps the next offset around to this PROP token again (20 + len = 8). */
    static const uint32_t wraps[] = { BEGIN, 0, PROP, 0xfffffff4u, 0, 0, END_NODE };
    size = fdt_test_build_raw(wraps, ARRAY_SIZE(wraps), true);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    static const uint32_t cut[] = { BEGIN, 0, PROP, 4 }; /* header cut by the block's end */
    size = fdt_test_build_raw(cut, ARRAY_SIZE(cut), false);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
}

KTEST(fdt, rejects_bad_string_offsets)
{
    static const uint32_t outside[] = { BEGIN, 0, PROP, 4, 2, 0, END_NODE };
    size_t size = fdt_test_build_raw(outside, ARRAY_SIZE(outside), true);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT); /* "x\0" is 2 bytes */
    static const uint32_t far[] = { BEGIN, 0, PROP, 4, 0x7fffffffu, 0, END_NODE };
    size = fdt_test_build_raw(far, ARRAY_SIZE(far), true);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    /* A name whose terminator lies past size_dt_strings. */
    static const uint32_t good[] = { BEGIN, 0, PROP, 4, 0, 0, END_NODE };
    size = fdt_test_build_raw(good, ARRAY_SIZE(good), true);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), 0);
    fdt_builder_set_be32(fdt_scratch, FDT_HDR_SIZE_STRINGS, 1);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
}

KTEST(fdt, rejects_unknown_token)
{
    static const uint32_t words[] = { BEGIN, 0, 5, END_NODE };
    size_t size = fdt_test_build_raw(words, ARRAY_SIZE(words), true);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
}

KTEST(fdt, rejects_missing_end)
{
    static const uint32_t words[] = { BEGIN, 0, END_NODE };
    size_t size = fdt_test_build_raw(words, ARRAY_SIZE(words), false);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    /* FDT_END replaced by a NOP: the block ends without one. */
    size = fdt_test_build_raw(words, ARRAY_SIZE(words), true);
    KASSERT_NE(t, size, 0);
    fdt_builder_set_be32(fdt_scratch, fdt_b.struct_offset + 12, FDT_BUILDER_NOP);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
}

KTEST(fdt, rejects_unbalanced_nodes)
{
    struct fdt fdt;
    static const uint32_t unclosed[] = { BEGIN, 0, BEGIN, NAME_ABC, END_NODE };
    size_t size = fdt_test_build_raw(unclosed, ARRAY_SIZE(unclosed), true);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    static const uint32_t extra_end[] = { BEGIN, 0, END_NODE, END_NODE };
    size = fdt_test_build_raw(extra_end, ARRAY_SIZE(extra_end), true);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    static const uint32_t two_roots[] = { BEGIN, 0, END_NODE, BEGIN, 0, END_NODE };
    size = fdt_test_build_raw(two_roots, ARRAY_SIZE(two_roots), true);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    static const uint32_t no_root[] = { 0 };
    size = fdt_test_build_raw(no_root, 0, true);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
    static const uint32_t prop_outside[] = { PROP, 4, 0, 0, BEGIN, 0, END_NODE };
    size = fdt_test_build_raw(prop_outside, ARRAY_SIZE(prop_outside), true);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
}

/* A root with DEPTH - 1 nested descendants: DEPTH nodes on the deepest path. */
static size_t fdt_test_build_nested(int depth)
{
    fdt_builder_init(&fdt_b, fdt_scratch, sizeof(fdt_scratch));
    fdt_builder_begin_node(&fdt_b, "");
    for (int i = 1; i < depth; i++)
        fdt_builder_begin_node(&fdt_b, "n");
    for (int i = 0; i < depth; i++)
        fdt_builder_end_node(&fdt_b);
    return fdt_builder_finish(&fdt_b);
}

KTEST(fdt, limits_depth)
{
    struct fdt fdt;
    size_t size = fdt_test_build_nested(FDT_MAX_DEPTH);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), 0);
    size = fdt_test_build_nested(FDT_MAX_DEPTH + 1);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_open(&fdt, size), -E_FORMAT);
}

KTEST(fdt, rejects_absurd_cells)
{
    fdt_builder_init(&fdt_b, fdt_scratch, sizeof(fdt_scratch));
    fdt_builder_begin_node(&fdt_b, "");
    fdt_test_cells_props(7, 1);
    int dev = (int)fdt_builder_struct_pos(&fdt_b);
    fdt_builder_begin_node(&fdt_b, "dev");
    const uint32_t reg[8] = { 0 };
    fdt_builder_prop_cells(&fdt_b, "reg", reg, ARRAY_SIZE(reg)); /* one 7+1-cell entry */
    fdt_builder_end_node(&fdt_b);
    fdt_builder_end_node(&fdt_b);
    size_t size = fdt_builder_finish(&fdt_b);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0); /* a legal blob, just not one we can use */
    uint32_t ac, sc;
    KEXPECT_EQ(t, fdt_cells(&fdt, 0, &ac, &sc), -E_FORMAT);
    uint64_t base, length;
    KEXPECT_EQ(t, fdt_get_reg(&fdt, dev, 0, &base, &length), -E_FORMAT);

    /* #size-cells 3, and a reg that is not a whole number of entries. */
    fdt_builder_set_be32(fdt_scratch, fdt_b.struct_offset + 8 + 12, 2); /* #address-cells = 2 */
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    KEXPECT_EQ(t, fdt_cells(&fdt, 0, &ac, &sc), 0);
    KEXPECT_EQ(t, fdt_get_reg(&fdt, dev, 0, &base, &length), -E_FORMAT); /* 8 cells % 3 */
    fdt_builder_set_be32(fdt_scratch, fdt_b.struct_offset + 8 + 12 + 16, 3); /* #size-cells = 3 */
    KASSERT_EQ(t, fdt_test_open(&fdt, size), 0);
    KEXPECT_EQ(t, fdt_cells(&fdt, 0, &ac, &sc), -E_FORMAT);
}

KTEST(fdt, builder_reports_overflow)
{
    /* The tests above trust fdt_builder_finish() to return 0 when out of room. */
    static uint8_t small[160];
    fdt_builder_init(&fdt_b, small, sizeof(small));
    fdt_builder_begin_node(&fdt_b, "");
    fdt_builder_prop_string(&fdt_b, "model", "a model name too long for 160 bytes in all");
    fdt_builder_end_node(&fdt_b);
    KEXPECT_EQ(t, fdt_builder_finish(&fdt_b), 0);
}

/* --- fdt_boot_info ------------------------------------------------------------- */

static bool fdt_test_has_reserved(uint64_t base, uint64_t size, enum boot_range_kind kind)
{
    for (size_t i = 0; i < fdt_bi.reserved_count; i++) {
        const struct boot_range *r = &fdt_bi.reserved[i];
        if (r->base == base && r->size == size && r->kind == kind)
            return true;
    }
    return false;
}

KTEST(fdt_boot, fills_boot_info)
{
    struct fdt_test_nodes n;
    size_t size = fdt_test_build_good(&n);
    KASSERT_NE(t, size, 0);
    KASSERT_EQ(t, fdt_test_boot(size), 0);

    KEXPECT_STREQ(t, fdt_bi.board, "pagoda,test-board");
    KEXPECT_STREQ(t, fdt_bi.cmdline, "ktest=fdt console=ttyS0");
    KEXPECT_EQU(t, fdt_bi.dtb_phys, FDT_TEST_DTB_PHYS);
    KEXPECT_EQU(t, fdt_bi.dtb_size, size);

    /* Three banks from two memory nodes, sorted. */
    KASSERT_EQ(t, fdt_bi.ram_count, 3);
    KEXPECT_EQU(t, fdt_bi.ram[0].base, 0x80000000);
    KEXPECT_EQU(t, fdt_bi.ram[0].size, 0x10000000);
    KEXPECT_EQU(t, fdt_bi.ram[1].base, 0xc0000000);
    KEXPECT_EQU(t, fdt_bi.ram[1].size, 0x8000000);
    KEXPECT_EQU(t, fdt_bi.ram[2].base, 0xd0000000);
    KEXPECT_EQU(t, fdt_bi.ram[2].size, 0x1000000);

    /* The blob, the reservation block, /reserved-memory (not "dynamic"), the initrd. */
    KEXPECT_EQ(t, fdt_bi.reserved_count, 4);
    KEXPECT(t, fdt_test_has_reserved(FDT_TEST_DTB_PHYS, size, BOOT_RANGE_DTB));
    KEXPECT(t, fdt_test_has_reserved(0x9ff00000, 0x1000, BOOT_RANGE_RESERVED));
    KEXPECT(t, fdt_test_has_reserved(0x80000000, 0x80000, BOOT_RANGE_FIRMWARE));
    KEXPECT(t, fdt_test_has_reserved(0x88000000, 0x200000, BOOT_RANGE_MODULE));

    KASSERT_EQ(t, fdt_bi.module_count, 1);
    KEXPECT_EQU(t, fdt_bi.modules[0].base, 0x88000000);
    KEXPECT_EQU(t, fdt_bi.modules[0].size, 0x200000);

    /* stdout-path with ":115200n8" options names the ns16550a (not the PL011 before it). */
    KEXPECT_EQ(t, fdt_bi.console.kind, BOOT_CONSOLE_UART16550_MMIO);
    KEXPECT_EQU(t, fdt_bi.console.base, 0x10000000);
    KEXPECT_EQ(t, fdt_bi.console.reg_shift, 2);
}

/*
 * A small aarch64-like board: a UART (PL011 or ns16550a) at 0x9000000, after
 * a decoy UART of the other kind at 0x8000000 that a search finds first,
 * /chosen with STDOUT_PATH and a one-cell initrd (no /chosen if STDOUT_PATH is
 * NULL), and, if WITH_MEMORY, one enabled and one disabled memory node.
 */
static size_t fdt_test_build_board(const char *stdout_path, bool pl011, bool with_memory)
{
    static const char pl011_compat[] = "arm,pl011\0arm,primecell";
    fdt_builder_init(&fdt_b, fdt_scratch, sizeof(fdt_scratch));
    fdt_builder_begin_node(&fdt_b, "");
    fdt_test_cells_props(2, 2);
    fdt_builder_prop_string(&fdt_b, "compatible", "linux,dummy-virt");
    if (stdout_path) {
        fdt_builder_begin_node(&fdt_b, "aliases");
        fdt_builder_prop_string(&fdt_b, "serial0", "/uart@9000000");
        fdt_builder_end_node(&fdt_b);
        fdt_builder_begin_node(&fdt_b, "chosen");
        fdt_builder_prop_string(&fdt_b, "stdout-path", stdout_path);
        const uint32_t initrd_start = 0x48000000, initrd_end = 0x48001000; /* one-cell form */
        fdt_builder_prop_u32(&fdt_b, "linux,initrd-start", initrd_start);
        fdt_builder_prop_u32(&fdt_b, "linux,initrd-end", initrd_end);
        fdt_builder_end_node(&fdt_b);
    }
    if (with_memory) {
        fdt_builder_begin_node(&fdt_b, "memory@40000000");
        fdt_builder_prop_string(&fdt_b, "device_type", "memory");
        fdt_test_cells2("reg", 0x40000000, 0x8000000);
        fdt_builder_end_node(&fdt_b);
        fdt_builder_begin_node(&fdt_b, "memory@50000000"); /* disabled: not RAM */
        fdt_builder_prop_string(&fdt_b, "device_type", "memory");
        fdt_builder_prop_string(&fdt_b, "status", "disabled");
        fdt_test_cells2("reg", 0x50000000, 0x8000000);
        fdt_builder_end_node(&fdt_b);
    }
    fdt_builder_begin_node(&fdt_b, "decoy@8000000");
    if (pl011)
        fdt_builder_prop_string(&fdt_b, "compatible", "ns16550a");
    else
        fdt_builder_prop(&fdt_b, "compatible", pl011_compat, sizeof(pl011_compat));
    fdt_test_cells2("reg", 0x8000000, 0x1000);
    fdt_builder_end_node(&fdt_b);
    fdt_builder_begin_node(&fdt_b, "uart@9000000");
    if (pl011)
        fdt_builder_prop(&fdt_b, "compatible", pl011_compat, sizeof(pl011_compat));
    else
        fdt_builder_prop_string(&fdt_b, "compatible", "ns16550a");
    fdt_test_cells2("reg", 0x9000000, 0x1000);
    fdt_builder_end_node(&fdt_b);
    fdt_builder_end_node(&fdt_b);
    return fdt_builder_finish(&fdt_b);
}

KTEST(fdt_boot, finds_pl011_console)
{
    size_t size = fdt_test_build_board("/uart@9000000", true, true);
    KASSERT_NE(t, size, 0);
    KASSERT_EQ(t, fdt_test_boot(size), 0);
    KEXPECT_EQ(t, fdt_bi.console.kind, BOOT_CONSOLE_PL011);
    KEXPECT_EQU(t, fdt_bi.console.base, 0x9000000);
    KEXPECT_STREQ(t, fdt_bi.board, "linux,dummy-virt"); /* no model: the compatible */
    KASSERT_EQ(t, fdt_bi.ram_count, 1);                 /* the disabled bank is not RAM */
    KEXPECT_EQU(t, fdt_bi.ram[0].base, 0x40000000);
    KASSERT_EQ(t, fdt_bi.module_count, 1);
    KEXPECT_EQU(t, fdt_bi.modules[0].base, 0x48000000);
    KEXPECT_EQU(t, fdt_bi.modules[0].size, 0x1000);
}

KTEST(fdt_boot, resolves_stdout_alias)
{
    size_t size = fdt_test_build_board("serial0:115200n8", false, true);
    KASSERT_NE(t, size, 0);
    KASSERT_EQ(t, fdt_test_boot(size), 0);
    KEXPECT_EQ(t, fdt_bi.console.kind, BOOT_CONSOLE_UART16550_MMIO);
    KEXPECT_EQU(t, fdt_bi.console.base, 0x9000000);
    KEXPECT_EQ(t, fdt_bi.console.reg_shift, 0);
}

KTEST(fdt_boot, falls_back_to_first_uart)
{
    size_t size = fdt_test_build_board(NULL, true, true);
    KASSERT_NE(t, size, 0);
    KASSERT_EQ(t, fdt_test_boot(size), 0);
    KEXPECT_EQ(t, fdt_bi.console.kind, BOOT_CONSOLE_UART16550_MMIO); /* the decoy */
    KEXPECT_EQU(t, fdt_bi.console.base, 0x8000000);
    KEXPECT_EQ(t, fdt_bi.cmdline[0], '\0');
    KEXPECT_EQ(t, fdt_bi.module_count, 0);
}

KTEST(fdt_boot, requires_memory_node)
{
    size_t size = fdt_test_build_board("/uart@9000000", true, false);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_boot(size), -E_NOENT);
}

KTEST(fdt_boot, rejects_overlapping_memory)
{
    fdt_builder_init(&fdt_b, fdt_scratch, sizeof(fdt_scratch));
    fdt_builder_begin_node(&fdt_b, "");
    fdt_test_cells_props(2, 2);
    fdt_builder_begin_node(&fdt_b, "memory@80000000");
    fdt_builder_prop_string(&fdt_b, "device_type", "memory");
    fdt_test_cells2("reg", 0x80000000, 0x10000000);
    fdt_builder_end_node(&fdt_b);
    fdt_builder_begin_node(&fdt_b, "memory@8ffff000");
    fdt_builder_prop_string(&fdt_b, "device_type", "memory");
    fdt_test_cells2("reg", 0x8ffff000, 0x2000);
    fdt_builder_end_node(&fdt_b);
    fdt_builder_end_node(&fdt_b);
    size_t size = fdt_builder_finish(&fdt_b);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_boot(size), -E_OVERLAP);
}

KTEST(fdt_boot, rejects_malformed_blob)
{
    size_t size = fdt_test_good_with_header(FDT_HDR_MAGIC, 0);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, fdt_test_boot(size), -E_BADMAGIC);
    KEXPECT_EQ(t, fdt_bi.ram_count, 0);
}

KTEST(fdt, find_compatible_skips_disabled_nodes)
{
    static uint8_t blob[1024];
    struct fdt_builder b;
    fdt_builder_init(&b, blob, sizeof(blob));
    fdt_builder_begin_node(&b, "");
    fdt_builder_begin_node(&b, "soc");
    fdt_builder_begin_node(&b, "test@100000");
    fdt_builder_prop_string(&b, "compatible", "sifive,test1");
    fdt_builder_prop_string(&b, "status", "disabled");
    fdt_builder_end_node(&b);
    fdt_builder_begin_node(&b, "test@200000");
    fdt_builder_prop_string(&b, "compatible", "sifive,test1");
    fdt_builder_prop_string(&b, "status", "okay");
    fdt_builder_end_node(&b);
    fdt_builder_end_node(&b);
    fdt_builder_end_node(&b);
    size_t size = fdt_builder_finish(&b);
    KASSERT_NE(t, size, 0);
    struct fdt fdt;
    KASSERT_EQ(t, fdt_open(&fdt, blob, size), 0);
    int node = fdt_find_compatible(&fdt, "sifive,test1");
    KASSERT(t, node >= 0);
    KEXPECT_STREQ(t, fdt_node_name(&fdt, node), "test@200000");
    KEXPECT(t, fdt_node_enabled(&fdt, node));
    KEXPECT_EQ(t, fdt_find_compatible(&fdt, "sifive,test0"), -E_NOENT);
}
