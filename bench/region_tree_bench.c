/*
 * Benchmarks of the region tree (mm/region_tree): the lookup a page fault
 * makes and the free-range search a mapping makes, in trees of 10, 1,000
 * and 100,000 regions. The brief's figure: a lookup among 100,000 regions
 * costs no more than three times one among 10.
 *
 * Each case builds its tree in the runner's warm-up call and tears it down
 * at the end of the timed call that follows (kernel/bench.c makes exactly
 * these two calls), so building is never timed. The nodes of a tree are one
 * kmalloc() block, as a slab would lay out struct regions, and teardown is
 * one kfree(). Tearing down 100,000 nodes still costs about 11 million
 * guest instructions in the aarch64 kernel (unmapping 1,563 heap pages), in the
 * timed call; so each of the runner's iterations is a batch of
 * RT_BENCH_BATCH operations, which brings that share down to about 5
 * instructions per operation. The figure is per operation.
 *
 * Lookups pick a random region for each operation, so in the large trees
 * most nodes on the path are cold in the cache: on the host, where the unit
 * is time, 100,000 regions cost far more than 3x 10 (memory latency, not
 * instructions). The brief's figure is the kernel's, in guest instructions.
 */
#include "mm/region_tree.h"
#include "mm/kmalloc.h"
#include <pagoda/bench.h>

#define RT_BENCH_PAGE UINT64_C(4096)
#define RT_BENCH_LOWER (UINT64_C(1) << 32)          /* where the regions start */
#define RT_BENCH_REGION (4 * RT_BENCH_PAGE)          /* every region: 4 pages */
#define RT_BENCH_STRIDE (2 * RT_BENCH_REGION)        /* lookups: then a gap of 4 pages */
#define RT_BENCH_BATCH 1024                          /* operations per runner iteration */
#define RT_BENCH_SEED UINT64_C(0x2545f4914f6cdd1d)

/*
 * The layouts. Lookups: evenly spaced regions. Free-range searches: the gap
 * in front of region i is i pages, so the lowest gap of i pages is the one
 * in front of region i, and asking for a random size sends the search to a
 * random node, at the depth a typical node has.
 */
enum rt_bench_layout { RT_BENCH_EVEN, RT_BENCH_GROWING_GAPS };

struct rt_bench {
    struct region_tree tree;
    struct region_node *nodes;  /* NULL between runs */
    size_t count;
    enum rt_bench_layout layout;
    uint64_t random;
};

/* Where region I starts in LAYOUT (a constant where the loops call this, so no branch). */
static inline uint64_t rt_bench_start(enum rt_bench_layout layout, uint64_t i)
{
    if (layout == RT_BENCH_EVEN)
        return RT_BENCH_LOWER + i * RT_BENCH_STRIDE;
    return RT_BENCH_LOWER + i * RT_BENCH_REGION + RT_BENCH_PAGE * (i * (i + 1) / 2);
}

/* Build B's tree of COUNT regions (in the warm-up call); false if the heap has no room. */
static bool rt_bench_build(struct rt_bench *b, size_t count)
{
    b->nodes = kmalloc(count * sizeof(*b->nodes));
    if (!b->nodes)
        return false;
    b->count = count;
    b->random = RT_BENCH_SEED;
    region_tree_init(&b->tree, RT_BENCH_LOWER, rt_bench_start(b->layout, count));
    for (size_t i = 0; i < count; i++) {
        b->nodes[i].start = rt_bench_start(b->layout, i);
        b->nodes[i].end = b->nodes[i].start + RT_BENCH_REGION;
        if (region_tree_insert(&b->tree, &b->nodes[i]) != 0) {
            kfree(b->nodes); /* cannot happen: the ranges are disjoint and inside */
            b->nodes = NULL;
            return false;
        }
    }
    return true;
}

/* xorshift64: a few instructions, the same in every case. */
static inline uint64_t rt_bench_random(struct rt_bench *b)
{
    uint64_t r = b->random;
    r ^= r << 13;
    r ^= r >> 7;
    r ^= r << 17;
    b->random = r;
    return r;
}

/* A random index below B's count, from the random number's high half. */
static inline uint64_t rt_bench_index(const struct rt_bench *b, uint64_t r)
{
    return ((r >> 32) * b->count) >> 32;
}

/*
 * A random address inside a random region, computed rather than read from
 * the node so that only the lookup touches the tree.
 */
static inline uint64_t rt_bench_find(struct rt_bench *b)
{
    uint64_t r = rt_bench_random(b);
    uint64_t region = rt_bench_index(b, r);
    uint64_t addr = rt_bench_start(RT_BENCH_EVEN, region) + (r & (RT_BENCH_REGION - 1));
    return (uint64_t)(uintptr_t)region_tree_find(&b->tree, addr);
}

/* The lowest free range of a random number of pages: the gap in front of that region. */
static inline uint64_t rt_bench_find_free(struct rt_bench *b)
{
    uint64_t pages = rt_bench_index(b, rt_bench_random(b)) | 1; /* the first gap is empty */
    uint64_t start = 0;
    if (region_tree_find_free(&b->tree, pages * RT_BENCH_PAGE, RT_BENCH_PAGE, &start) != 0)
        return 0;
    return start;
}

/*
 * Run ITERATIONS batches of OP on B's tree, building it first if this is
 * the warm-up call, tearing it down if this is the timed call. Returns the
 * operations done (0: no memory, skipped). Inlined into each case, so that
 * OP is too and the loop adds no indirect call to the figure.
 */
static inline __attribute__((always_inline)) uint64_t
rt_bench_run(struct rt_bench *b, size_t count, enum rt_bench_layout layout, uint64_t iterations,
             uint64_t (*op)(struct rt_bench *b))
{
    bool warm_up = b->nodes == NULL;
    b->layout = layout;
    if (warm_up && !rt_bench_build(b, count))
        return 0;
    uint64_t operations = iterations * RT_BENCH_BATCH, sum = 0;
    for (uint64_t i = 0; i < operations; i++)
        sum += op(b);
    bench_keep(sum);
    if (!warm_up) {
        kfree(b->nodes); /* the nodes are only linked to each other: nothing else to undo */
        b->nodes = NULL;
    }
    return operations;
}

static struct rt_bench find_10, find_1000, find_100000;
static struct rt_bench free_10, free_1000, free_100000;

BENCH(region_tree_find_10)
{
    return rt_bench_run(&find_10, 10, RT_BENCH_EVEN, iterations, rt_bench_find);
}
BENCH(region_tree_find_1000)
{
    return rt_bench_run(&find_1000, 1000, RT_BENCH_EVEN, iterations, rt_bench_find);
}
BENCH(region_tree_find_100000)
{
    return rt_bench_run(&find_100000, 100000, RT_BENCH_EVEN, iterations, rt_bench_find);
}
BENCH(region_tree_find_free_10)
{
    return rt_bench_run(&free_10, 10, RT_BENCH_GROWING_GAPS, iterations, rt_bench_find_free);
}
BENCH(region_tree_find_free_1000)
{
    return rt_bench_run(&free_1000, 1000, RT_BENCH_GROWING_GAPS, iterations, rt_bench_find_free);
}
BENCH(region_tree_find_free_100000)
{
    return rt_bench_run(&free_100000, 100000, RT_BENCH_GROWING_GAPS, iterations,
                        rt_bench_find_free);
}
