/*
 * Benchmarks of the address-space fault paths, as the brief's Linux table
 * lists them: a zero-fill write fault, a zero-page read fault, a
 * copy-on-write fault (each per page), fork per resident page, and map +
 * touch + unmap of one anonymous page. The faults are delivered straight
 * to as_handle_fault() (no trap entry or exit yet: user mode is to come),
 * so the figures are the memory server's share of a fault.
 */
#include "kernel/kernel_vm.h"
#include "kernel/panic.h"
#include "mm/address_space.h"
#include <pagoda/bench.h>

#define PAGE PHYS_PAGE_SIZE
#define BASE UINT64_C(0x10000000)
#define RW (REGION_READ | REGION_WRITE)
#define FORK_PAGES 256

static struct address_space bench_as, bench_child;
static bool have_child;

static bool fault(struct address_space *as, uint64_t va, enum fault_access access)
{
    struct fault f = { .addr = vaddr(va), .access = access, .mode = FAULT_USER,
                       .cause = FAULT_NOT_PRESENT };
    return as_handle_fault(as, &f) == FAULT_RESPONSE_CONTINUE;
}

static bool setup_region(uint64_t pages)
{
    have_child = false;
    if (as_create(&bench_as, kernel_pd(), 1) != 0)
        return false;
    if (as_allocate_region(&bench_as, BASE, pages * PAGE, 0, RW, 0, ALLOCATION_RESERVE, "bench",
                           NULL) != 0) {
        as_destroy(&bench_as);
        return false;
    }
    return true;
}

static void teardown(void)
{
    if (have_child)
        as_destroy(&bench_child);
    as_destroy(&bench_as);
}

static uint64_t fault_every_page(struct address_space *as, uint64_t pages, enum fault_access access)
{
    for (uint64_t i = 0; i < pages; i++) {
        if (!fault(as, BASE + i * PAGE, access))
            return i;
    }
    return pages;
}

BENCH_WITH_SETUP(vm_zero_fill_write_fault, setup_region, teardown)
{
    return fault_every_page(&bench_as, iterations, FAULT_WRITE);
}

BENCH_WITH_SETUP(vm_zero_page_read_fault, setup_region, teardown)
{
    return fault_every_page(&bench_as, iterations, FAULT_READ);
}

/* Every page written, then forked: the child's writes each break one page's sharing. */
static bool setup_forked(uint64_t pages)
{
    if (!setup_region(pages))
        return false;
    if (fault_every_page(&bench_as, pages, FAULT_WRITE) != pages ||
        as_fork(&bench_as, &bench_child, 2) != 0) {
        as_destroy(&bench_as);
        return false;
    }
    have_child = true;
    return true;
}

BENCH_WITH_SETUP(vm_copy_on_write_fault, setup_forked, teardown)
{
    return fault_every_page(&bench_child, iterations, FAULT_WRITE);
}

static bool setup_resident(uint64_t iterations)
{
    (void)iterations;
    return setup_region(FORK_PAGES) &&
           fault_every_page(&bench_as, FORK_PAGES, FAULT_WRITE) == FORK_PAGES;
}

/* One fork and the child's destruction per 256 resident pages: the figure is per page. */
BENCH_WITH_SETUP(vm_fork_and_exit_per_resident_page, setup_resident, teardown)
{
    uint64_t forks = iterations / FORK_PAGES ? iterations / FORK_PAGES : 1;
    for (uint64_t i = 0; i < forks; i++) {
        struct address_space child;
        if (as_fork(&bench_as, &child, 2) != 0)
            return i * FORK_PAGES;
        as_destroy(&child);
    }
    return forks * FORK_PAGES;
}

static bool setup_empty(uint64_t iterations)
{
    (void)iterations;
    have_child = false;
    return as_create(&bench_as, kernel_pd(), 1) == 0;
}

BENCH_WITH_SETUP(vm_map_touch_unmap_one_page, setup_empty, teardown)
{
    for (uint64_t i = 0; i < iterations; i++) {
        struct region *r;
        if (as_allocate_region(&bench_as, 0, PAGE, 0, RW, REGION_MMAP, ALLOCATION_RESERVE, "b",
                               &r) != 0)
            return i;
        uint64_t va = region_base(r);
        if (!fault(&bench_as, va, FAULT_WRITE) || as_unmap(&bench_as, va, PAGE) != 0)
            return i;
    }
    return iterations;
}
