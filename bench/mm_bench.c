/*
 * Benchmarks of the physical memory manager and quickmap: the same source
 * in the kernel (real RAM, real MMU) and on the host (simulated RAM).
 */
#include "mm/phys.h"
#include "mm/quickmap.h"
#include "kernel/panic.h"
#include <pagoda/bench.h>

BENCH(phys_alloc_free_page)
{
    for (uint64_t i = 0; i < iterations; i++) {
        paddr_t page;
        if (phys_alloc_page(PHYS_USAGE_TEST, &page) != 0)
            return i;
        phys_page_unref(page);
    }
    return iterations;
}

static uint64_t contiguous(uint64_t iterations, uint64_t pages)
{
    for (uint64_t i = 0; i < iterations; i++) {
        paddr_t base;
        if (phys_alloc_contiguous(pages, 0, PHYS_USAGE_DMA, &base) != 0)
            return i;
        phys_free_pages(base, pages);
    }
    return iterations;
}

BENCH(phys_contiguous_order_2_16KiB) { return contiguous(iterations, 4); }
BENCH(phys_contiguous_order_4_64KiB) { return contiguous(iterations, 16); }
BENCH(phys_contiguous_order_8_1MiB) { return contiguous(iterations / 8, 256); }

BENCH(phys_commit_uncommit_16_pages)
{
    for (uint64_t i = 0; i < iterations; i++) {
        struct phys_commitment c;
        if (phys_commit(16, &c) != 0)
            return i;
        phys_uncommit(&c);
    }
    return iterations;
}

BENCH(phys_commit_take_free_page)
{
    for (uint64_t i = 0; i < iterations; i++) {
        struct phys_commitment c;
        if (phys_commit(1, &c) != 0)
            return i;
        phys_page_unref(phys_commitment_take(&c, PHYS_USAGE_ANONYMOUS));
    }
    return iterations;
}

BENCH(quickmap_map_unmap)
{
    paddr_t page = phys_zero_page();
    for (uint64_t i = 0; i < iterations; i++) {
        volatile uint8_t *p = quickmap_map(page);
        bench_keep(p[0]);
        quickmap_unmap((void *)p);
    }
    return iterations;
}

BENCH(quickmap_zero_page_4KiB)
{
    paddr_t page;
    if (phys_alloc_page(PHYS_USAGE_TEST, &page) != 0)
        return 0;
    for (uint64_t i = 0; i < iterations; i++)
        quickmap_zero_page(page);
    phys_page_unref(page);
    return iterations;
}
