/*
 * Host-only bounds tests of the boot parsers, on the fuzzers' seed inputs:
 * every prefix of every seed, and every single-byte corruption of it, parsed
 * from a heap block of exactly the input's size (also at an odd address), so
 * AddressSanitizer reports a read even one byte past the end. The checks are
 * the parsers' documented answers: a structure claiming more than the buffer
 * holds is -E_TRUNC, a cut one is rejected, a damaged magic is -E_BADMAGIC.
 */
#include "kernel/boot/fdt.h"
#include "kernel/boot/fdt_boot.h"
#include "kernel/boot/multiboot2.h"
#include "tests/fuzz/seeds.h"
#include "tests/host/host.h"
#include "tests/portable/fdt_builder.h"
#include <pagoda/errors.h>
#include <pagoda/ktest.h>
#include <stdlib.h>
#include <string.h>

#define BOUNDS_INFO_PHYS 0x10000u
#define BOUNDS_DTB_PHYS 0x82000000u
#define BOUNDS_MB2_TOTAL_SIZE 0u /* offset of total_size */
#define BOUNDS_MAX_NODES 1000

static struct boot_info bounds_bi;
static int bounds_promises_broken; /* accepted blobs that fdt_boot_info() left without RAM */
static uint8_t bounds_seed[SEED_MAX];

/* A heap copy of DATA[0, LEN) whose last byte is the block's last byte, SHIFT bytes in. */
static uint8_t *bounds_copy(const uint8_t *data, size_t len, size_t shift)
{
    uint8_t *block = malloc(len + shift);
    if (!block)
        abort();
    memcpy(block + shift, data, len);
    return block;
}

static int bounds_mb2(const uint8_t *data, size_t len, size_t shift)
{
    uint8_t *block = bounds_copy(data, len, shift);
    boot_info_init(&bounds_bi, "x86_64");
    int err = mb2_boot_info(&bounds_bi, block + shift, len, BOUNDS_INFO_PHYS);
    free(block);
    return err;
}

/* Visit every node of an accepted blob through the public navigation calls. */
static int bounds_walk(const struct fdt *fdt, int node, int depth)
{
    int visited = 1;
    uint32_t len;
    (void)fdt_get_prop(fdt, node, "reg", &len);
    (void)strlen(fdt_node_name(fdt, node));
    for (int child = fdt_first_child(fdt, node); child >= 0 && depth < FDT_MAX_DEPTH;
         child = fdt_next_sibling(fdt, child)) {
        visited += bounds_walk(fdt, child, depth + 1);
        if (visited > BOUNDS_MAX_NODES)
            break;
    }
    return visited;
}

/* fdt_open() on the copy; if it succeeds, walk it and run fdt_boot_info() too. */
static int bounds_fdt(const uint8_t *data, size_t len, size_t shift)
{
    uint8_t *block = bounds_copy(data, len, shift);
    struct fdt fdt;
    int err = fdt_open(&fdt, block + shift, len);
    if (err == 0) {
        (void)bounds_walk(&fdt, fdt_root(&fdt), 0);
        boot_info_init(&bounds_bi, "riscv64");
        if (fdt_boot_info(&bounds_bi, block + shift, len, BOUNDS_DTB_PHYS) == 0 &&
            bounds_bi.ram_count == 0)
            bounds_promises_broken++;
    }
    free(block);
    return err;
}

static void bounds_set_le32(uint8_t *p, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

KTEST(parser_bounds, multiboot2_every_prefix)
{
    int wrong = 0, checked = 0;
    host_console_quiet(true);
    for (size_t s = 0; s < seed_count; s++) {
        if (seeds[s].kind != SEED_MULTIBOOT2)
            continue;
        size_t size = seeds[s].build(bounds_seed);
        for (size_t shift = 0; shift < 2; shift++) {
            wrong += bounds_mb2(bounds_seed, size, shift) != 0;
            for (size_t len = 0; len < size; len++) {
                /* As written, total_size claims more than the buffer holds. */
                wrong += bounds_mb2(bounds_seed, len, shift) != -E_TRUNC;
                /* With total_size cut to match, the end tag (at least) is missing. */
                bounds_set_le32(bounds_seed + BOUNDS_MB2_TOTAL_SIZE, (uint32_t)len);
                wrong += bounds_mb2(bounds_seed, len, shift) == 0;
                bounds_set_le32(bounds_seed + BOUNDS_MB2_TOTAL_SIZE, (uint32_t)size);
                checked += 2;
            }
        }
    }
    host_console_quiet(false);
    KEXPECT_EQ(t, wrong, 0);
    KEXPECT(t, checked > 1000);
}

KTEST(parser_bounds, fdt_every_prefix)
{
    int wrong = 0, checked = 0;
    host_console_quiet(true);
    for (size_t s = 0; s < seed_count; s++) {
        if (seeds[s].kind != SEED_FDT)
            continue;
        size_t size = seeds[s].build(bounds_seed);
        for (size_t shift = 0; shift < 2; shift++) {
            wrong += bounds_fdt(bounds_seed, size, shift) != 0;
            for (size_t len = 0; len < size; len++) {
                wrong += bounds_fdt(bounds_seed, len, shift) != -E_TRUNC;
                /* totalsize cut to match: the strings block, last in the blob, runs past it. */
                fdt_builder_set_be32(bounds_seed, FDT_HDR_TOTALSIZE, (uint32_t)len);
                wrong += len >= FDT_HEADER_SIZE && bounds_fdt(bounds_seed, len, shift) == 0;
                fdt_builder_set_be32(bounds_seed, FDT_HDR_TOTALSIZE, (uint32_t)size);
                checked += 2;
            }
        }
    }
    host_console_quiet(false);
    KEXPECT_EQ(t, wrong, 0);
    KEXPECT(t, checked > 1000);
}

/* The byte values each position is overwritten with, besides two bit flips. */
static const uint8_t bounds_values[] = { 0x00, 0xff, 0x07, 0x80 };

KTEST(parser_bounds, every_byte_corrupted)
{
    int runs = 0, accepted = 0, bad_magic_missed = 0;
    host_console_quiet(true);
    for (size_t s = 0; s < seed_count; s++) {
        size_t size = seeds[s].build(bounds_seed);
        bool is_fdt = seeds[s].kind == SEED_FDT;
        for (size_t pos = 0; pos < size; pos++) {
            uint8_t original = bounds_seed[pos];
            uint8_t values[ARRAY_SIZE(bounds_values) + 2];
            memcpy(values, bounds_values, sizeof(bounds_values));
            values[ARRAY_SIZE(bounds_values)] = original ^ 0x01;
            values[ARRAY_SIZE(bounds_values) + 1] = original ^ 0x80;
            for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
                if (values[v] == original)
                    continue;
                bounds_seed[pos] = values[v];
                int err = is_fdt ? bounds_fdt(bounds_seed, size, pos & 1)
                                 : bounds_mb2(bounds_seed, size, pos & 1);
                accepted += err == 0;
                bad_magic_missed += is_fdt && pos < 4 && err != -E_BADMAGIC;
                runs++;
            }
            bounds_seed[pos] = original;
        }
    }
    host_console_quiet(false);
    ktest_note(t, "%d corrupted inputs, %d accepted", runs, accepted);
    KEXPECT_EQ(t, bad_magic_missed, 0);
    KEXPECT_EQ(t, bounds_promises_broken, 0);
    KEXPECT(t, accepted < runs); /* corruption is noticed at all */
}
