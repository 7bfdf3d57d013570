/*
 * The devicetree boot path: turns a validated DTB into struct boot_info.
 * Used by riscv64 and aarch64 (and by any future board that boots with a
 * devicetree). Addresses in "reg" are taken as CPU physical addresses: the
 * boards we support have identity "ranges" on every bus we read.
 */
#include "kernel/boot/fdt_boot.h"
#include "kernel/console.h"
#include "kernel/lib/string.h"
#include <pagoda/errors.h>

static int fail(const char *what, int error)
{
    kprintf("devicetree: %s: %s\n", what, error_name(error));
    return error;
}

static void read_board(struct boot_info *bi, const struct fdt *fdt, int root)
{
    const char *model = fdt_get_string(fdt, root, "model");
    if (!model)
        model = fdt_get_string(fdt, root, "compatible");
    if (model)
        string_copy(bi->board, sizeof(bi->board), model, BOOT_NAME_MAX);
}

/* Every reg entry of every enabled node with device_type "memory". */
static int read_memory(struct boot_info *bi, const struct fdt *fdt, int root)
{
    for (int node = fdt_first_child(fdt, root); node >= 0; node = fdt_next_sibling(fdt, node)) {
        const char *type = fdt_get_string(fdt, node, "device_type");
        if (!type || strcmp(type, "memory") != 0 || !fdt_node_enabled(fdt, node))
            continue;
        uint64_t base, size;
        int err;
        for (uint32_t i = 0; (err = fdt_get_reg(fdt, node, i, &base, &size)) == 0; i++) {
            if (size == 0)
                continue; /* an empty bank is legal, if odd */
            err = boot_info_add_ram(bi, base, size);
            if (err) {
                kprintf("devicetree: %s: RAM %#llx+%#llx\n", fdt_node_name(fdt, node),
                        (unsigned long long)base, (unsigned long long)size);
                return fail("bad memory range", err);
            }
        }
        if (err != -E_NOENT)
            return fail("malformed reg in a memory node", err);
    }
    if (bi->ram_count == 0)
        return fail("no memory node", -E_NOENT);
    return 0;
}

/* The reservation block, and every child of /reserved-memory that has "reg". */
static int read_reservations(struct boot_info *bi, const struct fdt *fdt)
{
    uint64_t base, size;
    int err;
    for (uint32_t i = 0; fdt_get_memreserve(fdt, i, &base, &size) == 0; i++) {
        if (size == 0)
            continue;
        err = boot_info_add_reserved(bi, base, size, BOOT_RANGE_RESERVED);
        if (err)
            return fail("bad memory reservation block entry", err);
    }

    int parent = fdt_find_path(fdt, "/reserved-memory");
    if (parent < 0)
        return 0;
    for (int node = fdt_first_child(fdt, parent); node >= 0; node = fdt_next_sibling(fdt, node)) {
        for (uint32_t i = 0; (err = fdt_get_reg(fdt, node, i, &base, &size)) == 0; i++) {
            if (size == 0)
                continue;
            err = boot_info_add_reserved(bi, base, size, BOOT_RANGE_FIRMWARE);
            if (err)
                return fail("bad /reserved-memory range", err);
        }
        /* A node with only "size" asks the OS to allocate: nothing is reserved yet. */
        if (err != -E_NOENT)
            return fail("malformed reg in /reserved-memory", err);
    }
    return 0;
}

/* linux,initrd-start/-end may be one or two cells each. */
static bool read_address_prop(const struct fdt *fdt, int node, const char *name, uint64_t *value)
{
    uint32_t len;
    const uint8_t *p = fdt_get_prop(fdt, node, name, &len);
    if (!p)
        return false;
    if (len == 4)
        *value = fdt_read_be32(p);
    else if (len == 8)
        *value = (uint64_t)fdt_read_be32(p) << 32 | fdt_read_be32(p + 4);
    else
        return false;
    return true;
}

static int read_chosen(struct boot_info *bi, const struct fdt *fdt, int chosen)
{
    const char *args = fdt_get_string(fdt, chosen, "bootargs");
    if (args)
        boot_info_set_cmdline(bi, args, BOOT_CMDLINE_MAX);

    uint64_t start, end;
    bool has_start = read_address_prop(fdt, chosen, "linux,initrd-start", &start);
    bool has_end = read_address_prop(fdt, chosen, "linux,initrd-end", &end);
    if (has_start != has_end)
        return fail("initrd start without end (or the reverse)", -E_FORMAT);
    if (has_start && end != start) {
        if (end < start)
            return fail("initrd ends before it starts", -E_FORMAT);
        int err = boot_info_add_module(bi, start, end - start, "initrd");
        if (err)
            return fail("bad initrd range", err);
    }
    return 0;
}

/* Fill bi->console from NODE if it is a UART we drive. */
static bool console_from_node(struct boot_info *bi, const struct fdt *fdt, int node)
{
    enum boot_console_kind kind;
    if (fdt_is_compatible(fdt, node, "ns16550a") || fdt_is_compatible(fdt, node, "ns16550"))
        kind = BOOT_CONSOLE_UART16550_MMIO;
    else if (fdt_is_compatible(fdt, node, "arm,pl011"))
        kind = BOOT_CONSOLE_PL011;
    else
        return false;
    uint64_t base, size;
    if (!fdt_node_enabled(fdt, node) || fdt_get_reg(fdt, node, 0, &base, &size) != 0)
        return false;
    uint32_t shift = 0;
    if (fdt_get_u32(fdt, node, "reg-shift", &shift) != 0 || shift > 3)
        shift = 0;
    bi->console = (struct boot_console){ kind, base, shift };
    return true;
}

/* Resolve /chosen/stdout-path ("/path[:options]" or "alias[:options]") to a node. */
static int stdout_node(const struct fdt *fdt, int chosen)
{
    const char *path = fdt_get_string(fdt, chosen, "stdout-path");
    if (!path)
        return -E_NOENT;
    char buf[BOOT_NAME_MAX * 2];
    size_t len = 0;
    while (path[len] && path[len] != ':' && len + 1 < sizeof(buf)) {
        buf[len] = path[len];
        len++;
    }
    buf[len] = '\0';
    if (buf[0] != '/') {
        const char *alias = fdt_get_string(fdt, fdt_find_path(fdt, "/aliases"), buf);
        if (!alias)
            return -E_NOENT;
        return fdt_find_path(fdt, alias);
    }
    return fdt_find_path(fdt, buf);
}

/* Depth-first search for the first enabled UART we can drive. */
static bool find_any_console(struct boot_info *bi, const struct fdt *fdt, int node, int depth)
{
    if (console_from_node(bi, fdt, node))
        return true;
    if (depth >= FDT_MAX_DEPTH)
        return false;
    for (int child = fdt_first_child(fdt, node); child >= 0; child = fdt_next_sibling(fdt, child)) {
        if (find_any_console(bi, fdt, child, depth + 1))
            return true;
    }
    return false;
}

int fdt_boot_info(struct boot_info *bi, const void *dtb, size_t buffer_size, uint64_t dtb_phys)
{
    struct fdt fdt;
    int err = fdt_open(&fdt, dtb, buffer_size);
    if (err)
        return fail("cannot use the devicetree", err);

    bi->dtb_phys = dtb_phys;
    bi->dtb_size = fdt.size;
    err = boot_info_add_reserved(bi, dtb_phys, fdt.size, BOOT_RANGE_DTB);
    if (err)
        return fail("cannot reserve the devicetree itself", err);

    int root = fdt_root(&fdt);
    read_board(bi, &fdt, root);
    err = read_memory(bi, &fdt, root);
    if (err)
        return err;
    err = read_reservations(bi, &fdt);
    if (err)
        return err;

    int chosen = fdt_find_path(&fdt, "/chosen");
    if (chosen >= 0) {
        err = read_chosen(bi, &fdt, chosen);
        if (err)
            return err;
    }
    int uart = chosen >= 0 ? stdout_node(&fdt, chosen) : -E_NOENT;
    if (uart < 0 || !console_from_node(bi, &fdt, uart))
        find_any_console(bi, &fdt, root, 0);
    return 0;
}
