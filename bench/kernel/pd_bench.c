/*
 * Benchmarks of the PageDirectory verbs on the kernel page directory, on
 * the board's real MMU (kernel only: the host has no kernel directory).
 */
#include "kernel/kernel_vm.h"
#include "mm/phys.h"
#include <pagoda/bench.h>

#define BENCH_VA (KERNEL_TEST_WINDOW + 64 * MiB)

static uint64_t map_unmap(uint64_t iterations, paddr_t pa, uint64_t size)
{
    for (uint64_t i = 0; i < iterations; i++) {
        if (pd_map(kernel_pd(), vaddr(BENCH_VA), pa, size, PD_READ | PD_WRITE,
                   MEMORY_TYPE_NORMAL) != 0 ||
            pd_unmap(kernel_pd(), vaddr(BENCH_VA), size) != 0)
            return i;
    }
    return iterations;
}

BENCH(pd_map_unmap_4KiB)
{
    return map_unmap(iterations, phys_zero_page(), PD_PAGE_SIZE);
}

BENCH(pd_map_unmap_2MiB_leaf)
{
    /* The table pool is 2 MiB aligned: map the block that starts with it. */
    struct pd_query_result pool;
    if (pd_query(kernel_pd(), vaddr(KERNEL_TABLE_WINDOW), &pool) != 0)
        return 0;
    return map_unmap(iterations, pool.phys, 2 * MiB);
}

BENCH(pd_protect_rw_to_r_4KiB)
{
    if (pd_map(kernel_pd(), vaddr(BENCH_VA), phys_zero_page(), PD_PAGE_SIZE, PD_READ | PD_WRITE,
               MEMORY_TYPE_NORMAL) != 0)
        return 0;
    uint64_t done = iterations;
    for (uint64_t i = 0; i < iterations; i++) {
        uint32_t prot = i & 1 ? PD_READ | PD_WRITE : PD_READ;
        if (pd_protect(kernel_pd(), vaddr(BENCH_VA), PD_PAGE_SIZE, prot) != 0) {
            done = i;
            break;
        }
    }
    if (pd_unmap(kernel_pd(), vaddr(BENCH_VA), PD_PAGE_SIZE) != 0)
        return 0;
    return done;
}

BENCH(pd_query)
{
    struct pd_query_result q;
    for (uint64_t i = 0; i < iterations; i++) {
        if (pd_query(kernel_pd(), vaddr(KERNEL_TABLE_WINDOW + (i % 64) * PD_PAGE_SIZE), &q) != 0)
            return i;
        bench_keep(q.phys.value);
    }
    return iterations;
}
