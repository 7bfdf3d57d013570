/*
 * Benchmarks of address-space operations over N resident pages, for the
 * brief's "per page / base" rows: protect RW to R, unmap, and fork alone.
 * Each runs for N = 1 and N = 1024, and the figure is per operation (not
 * per page), so that the slope is (T1024 - T1) / 1023 and the base T1 -
 * slope; tests/qemu/pagoda_bench.py prints both.
 *
 * Every operation must meet N pages that are resident (written, so mapped
 * in the page directory), and each of these operations takes them away
 * (as_protect unmaps, to map again with the new rights at the next fault;
 * as_fork unmaps the parent's pages to make them copy-on-write). So the
 * untimed set-up builds one fresh instance per timed operation, and the
 * timed part performs a bounded number of operations: the runner divides by
 * the count it gets back. Under -icount that count needs no statistics.
 *
 * Each instance has its own 2 MiB-aligned stretch of the address space, so
 * its last-level tables hold nothing else and are freed when emptied, as in
 * a process that maps one buffer there. The operations are called from the
 * kernel: Linux's figures also include a system call (~200-500 instructions).
 */
#include "kernel/kernel_vm.h"
#include "mm/address_space.h"
#include <pagoda/bench.h>

#define PAGE PHYS_PAGE_SIZE
#define RW (REGION_READ | REGION_WRITE)
#define BASE UINT64_C(0x10000000)
/* Room for one instance of 1024 pages, 2 MiB aligned. */
#define INSTANCE_STRIDE (8 * MiB)
#define FEW_PAGES 1
#define MANY_PAGES 1024
/*
 * Instances per timed run: enough that riscv64's counter (one tick per 100
 * instructions) is exact to a few instructions per operation, few enough
 * that 1024-page instances fit in 128 MiB of RAM and the table pool.
 */
#define FEW_INSTANCES 16
#define MANY_INSTANCES 4
#define INSTANCES_MAX FEW_INSTANCES
#define PARENT_ASID 1
#define CHILD_ASID (PARENT_ASID + INSTANCES_MAX)

/* One address space per fork instance; for protect and unmap, instances share the first. */
static struct address_space spaces[INSTANCES_MAX];
static struct address_space children[INSTANCES_MAX];
static uint64_t space_count, child_count;
static uint64_t instance_count, instance_pages;

static uint64_t instance_va(uint64_t i)
{
    return BASE + i * INSTANCE_STRIDE;
}

static bool touch(struct address_space *as, uint64_t va)
{
    struct fault f = { .addr = vaddr(va), .access = FAULT_WRITE, .mode = FAULT_USER,
                       .cause = FAULT_NOT_PRESENT };
    return as_handle_fault(as, &f) == FAULT_RESPONSE_CONTINUE;
}

/* A region of PAGES pages at VA in AS, every page written. */
static bool add_resident_region(struct address_space *as, uint64_t va, uint64_t pages)
{
    if (as_allocate_region(as, va, pages * PAGE, 0, RW, 0, ALLOCATION_RESERVE, "scaling",
                           NULL) != 0)
        return false;
    for (uint64_t i = 0; i < pages; i++) {
        if (!touch(as, va + i * PAGE))
            return false;
    }
    return true;
}

static void teardown(void)
{
    for (uint64_t i = 0; i < child_count; i++)
        as_destroy(&children[i]);
    for (uint64_t i = 0; i < space_count; i++)
        as_destroy(&spaces[i]);
    child_count = space_count = 0;
}

static uint64_t instances_for(uint64_t iterations, uint64_t pages)
{
    uint64_t most = pages == MANY_PAGES ? MANY_INSTANCES : FEW_INSTANCES;
    return MIN(iterations, most);
}

/* One address space holding one resident region per instance (protect, unmap). */
static bool setup_regions(uint64_t iterations, uint64_t pages)
{
    child_count = space_count = 0;
    instance_pages = pages;
    instance_count = instances_for(iterations, pages);
    if (as_create(&spaces[0], kernel_pd(), PARENT_ASID) != 0)
        return false;
    space_count = 1;
    for (uint64_t i = 0; i < instance_count; i++) {
        if (!add_resident_region(&spaces[0], instance_va(i), pages)) {
            teardown();
            return false;
        }
    }
    return true;
}

/* One address space per instance, each with one resident region (fork). */
static bool setup_spaces(uint64_t iterations, uint64_t pages)
{
    child_count = space_count = 0;
    instance_pages = pages;
    instance_count = instances_for(iterations, pages);
    for (uint64_t i = 0; i < instance_count; i++) {
        if (as_create(&spaces[i], kernel_pd(), PARENT_ASID + i) != 0) {
            teardown();
            return false;
        }
        space_count++;
        if (!add_resident_region(&spaces[i], BASE, pages)) {
            teardown();
            return false;
        }
    }
    return true;
}

static bool setup_regions_few(uint64_t iterations) { return setup_regions(iterations, FEW_PAGES); }
static bool setup_regions_many(uint64_t iterations) { return setup_regions(iterations, MANY_PAGES); }
static bool setup_spaces_few(uint64_t iterations) { return setup_spaces(iterations, FEW_PAGES); }
static bool setup_spaces_many(uint64_t iterations) { return setup_spaces(iterations, MANY_PAGES); }

static uint64_t protect_each(void)
{
    for (uint64_t i = 0; i < instance_count; i++) {
        if (as_protect(&spaces[0], instance_va(i), instance_pages * PAGE, REGION_READ) != 0)
            return i;
    }
    return instance_count;
}

static uint64_t unmap_each(void)
{
    for (uint64_t i = 0; i < instance_count; i++) {
        if (as_unmap(&spaces[0], instance_va(i), instance_pages * PAGE) != 0)
            return i;
    }
    return instance_count;
}

/* The children live until the tear-down, which is not timed. */
static uint64_t fork_each(void)
{
    for (child_count = 0; child_count < instance_count; child_count++) {
        if (as_fork(&spaces[child_count], &children[child_count], CHILD_ASID + child_count) != 0)
            break;
    }
    return child_count;
}

BENCH_WITH_SETUP(vm_protect_rw_to_r_1_page, setup_regions_few, teardown)
{
    (void)iterations;
    return protect_each();
}

BENCH_WITH_SETUP(vm_protect_rw_to_r_1024_pages, setup_regions_many, teardown)
{
    (void)iterations;
    return protect_each();
}

BENCH_WITH_SETUP(vm_unmap_resident_1_page, setup_regions_few, teardown)
{
    (void)iterations;
    return unmap_each();
}

BENCH_WITH_SETUP(vm_unmap_resident_1024_pages, setup_regions_many, teardown)
{
    (void)iterations;
    return unmap_each();
}

BENCH_WITH_SETUP(vm_fork_alone_1_page, setup_spaces_few, teardown)
{
    (void)iterations;
    return fork_each();
}

BENCH_WITH_SETUP(vm_fork_alone_1024_pages, setup_spaces_many, teardown)
{
    (void)iterations;
    return fork_each();
}
