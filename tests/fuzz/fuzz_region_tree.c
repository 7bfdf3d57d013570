/*
 * libFuzzer target for mm/region_tree: each 6 input bytes are one operation
 * (kind, node, four parameter bytes) applied to the tree and to a sorted
 * array of the same ranges; a disagreement, a broken invariant
 * (region_tree_check) or a sanitizer report aborts. Each input starts from
 * an empty tree. The window is small (64 KiB, byte-granular addresses) so
 * that inputs collide, fill it and ask for alignments that do not fit.
 *
 * The model repeats, in a few lines, the one in tests/host/mm/region_tree_test.c
 * (a host test file, which a fuzzer cannot link).
 */
#include "mm/region_tree.h"
#include "kernel/console.h"
#include <pagoda/errors.h>
#include <stdio.h>
#include <stdlib.h>

#define OP_BYTES 6
#define FUZZ_NODES 64
#define FUZZ_LOWER UINT64_C(0x100)        /* 16-bit addresses reach both sides of the window */
#define FUZZ_UPPER UINT64_C(0xff00)
#define FUZZ_LENGTH_GRAIN 16              /* a length byte counts this many bytes */
#define FUZZ_MAX_ALIGN_SHIFT 17

static struct region_tree tree;
static struct region_node nodes[FUZZ_NODES];
static bool in_tree[FUZZ_NODES];
static size_t order[FUZZ_NODES];          /* the nodes in the tree, by start */
static size_t count;

static void fail(const char *what, uint64_t a, uint64_t b)
{
    fprintf(stderr, "fuzz_region_tree: %s (%#llx, %#llx)\n", what, (unsigned long long)a,
            (unsigned long long)b);
    abort();
}

static size_t model_first_from(uint64_t addr)
{
    size_t i = 0;
    while (i < count && nodes[order[i]].end <= addr)
        i++;
    return i;
}

static int model_insert_result(uint64_t start, uint64_t end)
{
    if (start >= end || start < FUZZ_LOWER || end > FUZZ_UPPER)
        return -E_RANGE;
    for (size_t i = 0; i < count; i++) {
        if (start < nodes[order[i]].end && nodes[order[i]].start < end)
            return -E_OVERLAP;
    }
    return 0;
}

static int model_find_free(uint64_t size, uint64_t align, uint64_t *start)
{
    if (size == 0 || align == 0 || (align & (align - 1)))
        return -E_INVAL;
    uint64_t gap_start = FUZZ_LOWER;
    for (size_t i = 0; i <= count; i++) {
        uint64_t gap_end = i < count ? nodes[order[i]].start : FUZZ_UPPER;
        /* The first multiple of ALIGN in the gap (no overflow: everything is below 2^18). */
        uint64_t a = (gap_start + align - 1) / align * align;
        if (a + size <= gap_end) {
            *start = a;
            return 0;
        }
        if (i < count)
            gap_start = nodes[order[i]].end;
    }
    return -E_NOMEM;
}

static void op_insert(size_t index, const uint8_t *p)
{
    if (in_tree[index])
        return;
    uint64_t start = (uint64_t)p[0] << 8 | p[1];
    uint64_t length = (uint64_t)p[2] * FUZZ_LENGTH_GRAIN + (p[3] & (FUZZ_LENGTH_GRAIN - 1));
    uint64_t end = (p[3] & 0x80) ? start - length : start + length; /* sometimes wraps */
    int want = model_insert_result(start, end);
    nodes[index].start = start;
    nodes[index].end = end;
    int got = region_tree_insert(&tree, &nodes[index]);
    if (got != want)
        fail("insert disagrees with the model", start, end);
    if (got != 0)
        return;
    size_t pos = model_first_from(start);
    for (size_t i = count; i > pos; i--)
        order[i] = order[i - 1];
    order[pos] = index;
    count++;
    in_tree[index] = true;
}

static void op_remove(size_t index)
{
    if (!in_tree[index]) {
        if (count == 0)
            return;
        index = order[index % count];
    }
    region_tree_remove(&tree, &nodes[index]);
    size_t pos = model_first_from(nodes[index].start);
    for (size_t i = pos; i + 1 < count; i++)
        order[i] = order[i + 1];
    count--;
    in_tree[index] = false;
}

static void op_lookups(const uint8_t *p)
{
    uint64_t addr = (uint64_t)p[0] << 8 | p[1];
    size_t i = model_first_from(addr);
    const struct region_node *next = i < count ? &nodes[order[i]] : NULL;
    const struct region_node *containing = next && next->start <= addr ? next : NULL;
    if (region_tree_find(&tree, addr) != containing)
        fail("find disagrees with the model", addr, 0);
    if (region_tree_first_from(&tree, addr) != next)
        fail("first_from disagrees with the model", addr, 0);
}

static void op_find_free(const uint8_t *p)
{
    uint64_t size = (uint64_t)p[0] << 8 | p[1];
    uint64_t align = (p[3] & 1) ? p[2] : UINT64_C(1) << (p[2] % (FUZZ_MAX_ALIGN_SHIFT + 1));
    uint64_t got_start = 0, want_start = 0;
    int got = region_tree_find_free(&tree, size, align, &got_start);
    int want = model_find_free(size, align, &want_start);
    if (got != want || (got == 0 && got_start != want_start))
        fail("find_free disagrees with the model (size, align)", size, align);
}

static void op_walk(void)
{
    const struct region_node *n = region_tree_first(&tree);
    for (size_t i = 0; i < count; i++, n = region_tree_next(n)) {
        if (n != &nodes[order[i]])
            fail("walking forwards disagrees with the model at", i, 0);
    }
    if (n)
        fail("walking forwards finds a node after the last", 0, 0);
    n = region_tree_last(&tree);
    for (size_t i = count; i > 0; i--, n = region_tree_prev(n)) {
        if (n != &nodes[order[i - 1]])
            fail("walking backwards disagrees with the model at", i - 1, 0);
    }
    if (n)
        fail("walking backwards finds a node before the first", 0, 0);
}

/* region_tree_check() says what is wrong through kprintf: send that to stderr. */
static void stderr_putc(char c)
{
    if (c != '\r')
        fputc(c, stderr);
}

static const struct console_driver stderr_console = { "stderr", stderr_putc };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    console_register(&stderr_console);
    return 0;
}

enum fuzz_op { FUZZ_INSERT, FUZZ_REMOVE, FUZZ_LOOKUPS, FUZZ_FIND_FREE, FUZZ_WALK, FUZZ_KINDS };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    region_tree_init(&tree, FUZZ_LOWER, FUZZ_UPPER);
    for (size_t i = 0; i < FUZZ_NODES; i++)
        in_tree[i] = false;
    count = 0;
    for (size_t i = 0; i + OP_BYTES <= size; i += OP_BYTES) {
        size_t index = data[i + 1] % FUZZ_NODES;
        const uint8_t *p = &data[i + 2];
        switch ((enum fuzz_op)(data[i] % FUZZ_KINDS)) {
        case FUZZ_INSERT: op_insert(index, p); break;
        case FUZZ_REMOVE: op_remove(index); break;
        case FUZZ_LOOKUPS: op_lookups(p); break;
        case FUZZ_FIND_FREE: op_find_free(p); break;
        case FUZZ_WALK: op_walk(); break;
        case FUZZ_KINDS: break;
        }
        if (tree.count != count || !region_tree_check(&tree))
            fail("the tree is damaged (count, model count)", tree.count, count);
    }
    return 0;
}
