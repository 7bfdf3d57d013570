/*
 * Benchmarks of the address-space fault paths, as the brief's Linux table
 * lists them: a zero-fill write fault, a zero-page read fault, a
 * copy-on-write fault, a file-page fault (each per page), fork per resident
 * page (alone, and with the child's destruction), and map + touch + unmap of
 * one anonymous page. The faults are delivered straight to
 * as_handle_fault(), so the figures are the memory server's share of a
 * fault; bench/kernel/user_bench.c times the same from user mode, trap
 * included.
 */
#include "kernel/kernel_vm.h"
#include "kernel/panic.h"
#include "mm/address_space.h"
#include "mm/kernel_region.h"
#include <pagoda/bench.h>

#define PAGE PHYS_PAGE_SIZE
#define BASE UINT64_C(0x10000000)
#define RW (REGION_READ | REGION_WRITE)
#define FORK_PAGES 256

#define FORK_CHILDREN_MAX 16

static struct address_space bench_as, bench_child;
static bool have_child;
static struct address_space fork_children[FORK_CHILDREN_MAX];
static uint64_t fork_child_count;
static struct vfile bench_file;

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

/* Forks alone: the children live until the tear-down, which is not timed. */
static void teardown_forks(void)
{
    for (uint64_t i = 0; i < fork_child_count; i++)
        as_destroy(&fork_children[i]);
    fork_child_count = 0;
    teardown();
}

BENCH_WITH_SETUP(vm_fork_alone_per_resident_page, setup_resident, teardown_forks)
{
    uint64_t forks = MIN(MAX(iterations / FORK_PAGES, 1), FORK_CHILDREN_MAX);
    for (fork_child_count = 0; fork_child_count < forks; fork_child_count++) {
        if (as_fork(&bench_as, &fork_children[fork_child_count], 2 + fork_child_count) != 0)
            break;
    }
    return fork_child_count * FORK_PAGES;
}

/* A file of PAGES pages (its bytes in a kernel region) mapped shared, no page of it read yet. */
static bool setup_file(uint64_t pages)
{
    void *data;
    have_child = false;
    if (kregion_allocate(pages * PAGE, "bench file", &data) != 0)
        return false;
    bench_file = (struct vfile){ .name = "bench", .size = pages * PAGE, .data = data };
    if (as_create(&bench_as, kernel_pd(), 1) != 0) {
        kregion_free(data);
        return false;
    }
    if (as_map_file(&bench_as, BASE, pages * PAGE, REGION_READ, REGION_SHARED, &bench_file, 0,
                    "bench file", NULL) != 0) {
        as_destroy(&bench_as);
        kregion_free(data);
        return false;
    }
    return true;
}

static void teardown_file(void)
{
    teardown();
    kregion_free(bench_file.data);
}

/* Each fault reads one page of the file into its page cache and maps it. */
BENCH_WITH_SETUP(vm_file_page_read_fault, setup_file, teardown_file)
{
    return fault_every_page(&bench_as, iterations, FAULT_READ);
}
