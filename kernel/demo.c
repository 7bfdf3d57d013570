/*
 * The default run's demonstration: with no ktest= or bench on the command
 * line, kmain shows the memory server's layers at work on this board --
 * a commitment and pages drawn from it, zeroed through quickmap, a mapping
 * made through the PageDirectory, kernel heap objects -- printing the system
 * totals at each step, and checks that everything comes back at the end.
 */
#include "kernel/console.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/format.h"
#include "kernel/panic.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/quickmap.h"
#include <pagoda/errors.h>

#define DEMO_COMMIT_PAGES 1024
#define DEMO_TAKE_PAGES 256
#define DEMO_OBJECTS 64

static void show(const char *step)
{
    struct phys_stats s;
    phys_get_stats(&s);
    char used[16], committed[16], free[16];
    format_size(used, sizeof(used), s.used * PHYS_PAGE_SIZE);
    format_size(committed, sizeof(committed), s.committed * PHYS_PAGE_SIZE);
    format_size(free, sizeof(free), s.uncommitted * PHYS_PAGE_SIZE);
    kprintf("demo: %-44s used %10s  committed %10s  uncommitted %10s\n", step, used, committed,
            free);
}

static void demo_pages(void)
{
    static paddr_t pages[DEMO_TAKE_PAGES];
    struct phys_commitment c;
    int err = phys_commit(DEMO_COMMIT_PAGES, &c);
    if (err) {
        kprintf("demo: cannot commit %d pages: %s\n", DEMO_COMMIT_PAGES, error_name(err));
        return;
    }
    show("commit 4 MiB (promised, nothing allocated)");
    for (int i = 0; i < DEMO_TAKE_PAGES; i++) {
        pages[i] = phys_commitment_take(&c, PHYS_USAGE_ANONYMOUS);
        quickmap_zero_page(pages[i]);
    }
    show("take 1 MiB from it, zeroed through quickmap");
    phys_uncommit(&c);
    show("give back the 3 MiB not taken");

    /* One of those pages, mapped through the kernel page directory. */
    uintptr_t va = KERNEL_TEST_WINDOW;
    err = pd_map(kernel_pd(), vaddr(va), pages[0], PHYS_PAGE_SIZE, PD_READ | PD_WRITE,
                 MEMORY_TYPE_NORMAL);
    if (!err) {
        *(volatile uint64_t *)va = 0x5061676f6461ull;
        uint64_t *through_quickmap = quickmap_map(pages[0]);
        struct pd_query_result q;
        if (pd_query(kernel_pd(), vaddr(va), &q) == 0)
            kprintf("demo: %#lx -> %#llx (%s); written there, read through quickmap: %#llx\n",
                    (unsigned long)va, (unsigned long long)q.phys.value,
                    pd_format_name(kernel_pd()), (unsigned long long)*through_quickmap);
        quickmap_unmap(through_quickmap);
        err = pd_unmap(kernel_pd(), vaddr(va), PHYS_PAGE_SIZE);
    }
    if (err)
        kprintf("demo: mapping through the page directory failed: %s\n", error_name(err));
    for (int i = 0; i < DEMO_TAKE_PAGES; i++)
        phys_page_unref(pages[i]);
    show("free the 1 MiB");
}

static void demo_heap(void)
{
    static void *objects[DEMO_OBJECTS];
    for (int i = 0; i < DEMO_OBJECTS; i++)
        objects[i] = kmalloc(32 + 48 * (size_t)i);
    struct kmalloc_stats h;
    kmalloc_get_stats(&h);
    kprintf("demo: kernel heap: %llu objects, %llu bytes, in %llu pages\n",
            (unsigned long long)h.allocations, (unsigned long long)h.bytes_in_use,
            (unsigned long long)h.pages);
    for (int i = 0; i < DEMO_OBJECTS; i++)
        kfree(objects[i]);
}

void kernel_demo_run(void)
{
    struct phys_stats before, after;
    struct kmalloc_stats heap_before, heap_after;
    phys_get_stats(&before);
    kmalloc_get_stats(&heap_before);
    show("start");
    demo_pages();
    demo_heap();
    phys_get_stats(&after);
    kmalloc_get_stats(&heap_after);
    show("end");
    /* The heap keeps one empty slab per size class for next time; all else must be back. */
    uint64_t kept = heap_after.pages - heap_before.pages;
    kprintf("demo: the heap keeps %llu empty slab page(s) for reuse\n", (unsigned long long)kept);
    if (after.used != before.used + kept || after.committed != before.committed ||
        heap_after.allocations != heap_before.allocations || !phys_check_totals())
        panic("demo: memory did not all come back (used %llu -> %llu pages)",
              (unsigned long long)before.used, (unsigned long long)after.used);
    kprintf("demo: every other page came back; the totals add up\n");
}
