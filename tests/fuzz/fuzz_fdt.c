/*
 * libFuzzer target for the devicetree reader and the devicetree boot path:
 * the input is a DTB. If fdt_open() accepts it, every node and property is
 * visited through the public accessors (which must stay inside the blob
 * even so), then fdt_boot_info() runs on it. libFuzzer's buffer is exactly
 * the input's size, so ASan reports any read past it.
 */
#include "kernel/boot/fdt.h"
#include "kernel/boot/fdt_boot.h"
#include "kernel/lib/string.h"
#include <stdlib.h>

#define FUZZ_DTB_PHYS 0x82000000u
#define FUZZ_MAX_NODES 4096 /* more than any blob libFuzzer makes can hold */

static struct boot_info fuzz_bi;

/* Use every byte a string accessor returned, so ASan checks it is inside the blob. */
static size_t fuzz_touch_string(const char *s)
{
    return s ? strlen(s) : 0;
}

static void fuzz_visit_node(const struct fdt *fdt, int node)
{
    static const char *const props[] = {
        "compatible", "reg", "status", "device_type", "#address-cells", "#size-cells",
        "phandle", "bootargs", "stdout-path", "model", "ranges", "interrupts",
    };
    volatile size_t sink = fuzz_touch_string(fdt_node_name(fdt, node));
    for (size_t i = 0; i < ARRAY_SIZE(props); i++) {
        uint32_t len = 0;
        const uint8_t *value = fdt_get_prop(fdt, node, props[i], &len);
        for (uint32_t j = 0; value && j < len; j++)
            sink += value[j];
        sink += fuzz_touch_string(fdt_get_string(fdt, node, props[i]));
        uint32_t u32;
        if (fdt_get_u32(fdt, node, props[i], &u32) == 0)
            sink += u32;
    }
    sink += fdt_is_compatible(fdt, node, "ns16550a");
    uint32_t ac, sc;
    if (fdt_cells(fdt, node, &ac, &sc) == 0 && (ac > FDT_MAX_CELLS || sc > FDT_MAX_CELLS))
        abort(); /* fdt_cells() promised to reject these */
    uint64_t base, size;
    for (uint32_t i = 0; fdt_get_reg(fdt, node, i, &base, &size) == 0; i++)
        sink += base + size;
    (void)fdt_parent(fdt, node);
    (void)sink;
}

static void fuzz_walk(const struct fdt *fdt)
{
    /* Iterative depth-first walk with the public navigation calls only. */
    int node = fdt_root(fdt);
    if (node < 0)
        abort(); /* fdt_open() accepted a blob without a root */
    int stack[FDT_MAX_DEPTH + 1];
    int depth = 0, visited = 0;
    while (node >= 0) {
        if (++visited > FUZZ_MAX_NODES)
            abort(); /* the navigation calls loop */
        fuzz_visit_node(fdt, node);
        int child = fdt_first_child(fdt, node);
        if (child >= 0) {
            if (depth == FDT_MAX_DEPTH)
                abort(); /* deeper than fdt_open() allows */
            stack[depth++] = node;
            node = child;
            continue;
        }
        node = fdt_next_sibling(fdt, node);
        while (node < 0 && depth > 0)
            node = fdt_next_sibling(fdt, stack[--depth]);
    }

    uint64_t base, size;
    for (uint32_t i = 0; fdt_get_memreserve(fdt, i, &base, &size) == 0; i++)
        (void)(base + size);
    (void)fdt_find_path(fdt, "/chosen");
    (void)fdt_find_path(fdt, "/memory");
    (void)fdt_find_path(fdt, "/soc/serial@10000000");
    (void)fdt_find_phandle(fdt, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fdt fdt;
    if (fdt_open(&fdt, data, size) != 0)
        return 0;
    fuzz_walk(&fdt);
    boot_info_init(&fuzz_bi, "riscv64");
    if (fdt_boot_info(&fuzz_bi, data, size, FUZZ_DTB_PHYS) == 0 && fuzz_bi.ram_count == 0)
        abort(); /* documented: no memory node is an error */
    return 0;
}
