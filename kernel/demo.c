/*
 * The default run's demonstration: with no ktest= or bench on the command
 * line, kmain shows the memory server's layers at work on this board --
 * a commitment and pages drawn from it, zeroed through quickmap, a mapping
 * made through the PageDirectory, kernel heap objects, then a scripted
 * workload on address spaces (lazy allocation, fork with copy-on-write, a
 * shared region, purgeable memory, a file of the initrd mapped shared and
 * private) -- printing the regions, statistics and
 * system totals at each step, and checks that everything comes back.
 * The program's accesses are made with as_access_word(), the path copy-in
 * and copy-out take, until user mode runs real programs.
 */
#include "kernel/console.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/format.h"
#include "kernel/panic.h"
#include "kernel/initrd_fs.h"
#include "kernel/kernel.h"
#include "kernel/lib/string.h"
#include "kernel/process.h"
#include "mm/address_space.h"
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

#define DEMO_HEAP UINT64_C(0x400000)
#define DEMO_SHARED UINT64_C(0x800000)
#define DEMO_CACHE UINT64_C(0xc00000)
#define DEMO_STACK UINT64_C(0x7ff000)
#define PAGE PHYS_PAGE_SIZE

static void touch(struct address_space *as, uint64_t va, uint64_t value)
{
    enum fault_response response = as_access_word(as, va, FAULT_WRITE, &value);
    if (response != FAULT_RESPONSE_CONTINUE)
        kprintf("demo: write at %#llx: %s\n", (unsigned long long)va, fault_response_name(response));
}

static uint64_t look(struct address_space *as, uint64_t va)
{
    uint64_t value = 0;
    enum fault_response response = as_access_word(as, va, FAULT_READ, &value);
    if (response != FAULT_RESPONSE_CONTINUE)
        kprintf("demo: read at %#llx: %s\n", (unsigned long long)va, fault_response_name(response));
    return value;
}

#define DEMO_FILE_SHARED UINT64_C(0x1000000)
#define DEMO_FILE_PRIVATE UINT64_C(0x1100000)
#define DEMO_FILE "hello.txt"

/* A file of the boot initrd mapped shared and private, if there is an initrd. */
static int demo_file_mappings(struct address_space *as)
{
    struct vfile *file;
    if (initrd_fs_open(DEMO_FILE, &file) != 0) {
        kprintf("demo: no %s in an initrd: no file mappings\n", DEMO_FILE);
        return 0;
    }
    int err = as_map_file(as, DEMO_FILE_SHARED, PAGE, REGION_READ, REGION_SHARED, file, 0,
                          DEMO_FILE, NULL);
    if (!err)
        err = as_map_file(as, DEMO_FILE_PRIVATE, PAGE, REGION_READ | REGION_WRITE, 0, file, 0,
                          DEMO_FILE " (private)", NULL);
    if (!err) {
        uint64_t word = look(as, DEMO_FILE_SHARED);
        touch(as, DEMO_FILE_PRIVATE, 0x21796d2c6f6c6c65ull); /* "ello,my!" over the private copy */
        char text[9] = { 0 }, copy[9] = { 0 };
        uint64_t private_word = look(as, DEMO_FILE_PRIVATE);
        memcpy(text, &word, 8);
        memcpy(copy, &private_word, 8);
        kprintf("demo: %s mapped shared reads \"%s\"; the private mapping, written, reads \"%s\"\n",
                DEMO_FILE, text, copy);
        as_print(as, "init, with the file mapped");
        err = as_unmap(as, DEMO_FILE_SHARED, PAGE);
        if (!err)
            err = as_unmap(as, DEMO_FILE_PRIVATE, PAGE);
    }
    return err;
}

static int demo_address_spaces(void)
{
    struct address_space init, child;
    struct region *cache;
    int err = as_create(&init, kernel_pd(), 1);
    if (err)
        return err;
    err = as_allocate_region(&init, DEMO_HEAP, 64 * KiB, 0, REGION_READ | REGION_WRITE, 0,
                             ALLOCATION_RESERVE, "heap", NULL);
    if (!err)
        err = as_allocate_region(&init, DEMO_STACK - 16 * KiB, 16 * KiB, 0,
                                 REGION_READ | REGION_WRITE, REGION_STACK, ALLOCATION_RESERVE,
                                 "main thread", NULL);
    if (!err)
        err = as_allocate_region(&init, DEMO_SHARED, 32 * KiB, 0, REGION_READ | REGION_WRITE,
                                 REGION_SHARED, ALLOCATION_RESERVE, "message buffer", NULL);
    if (!err)
        err = as_allocate_region(&init, DEMO_CACHE, 32 * KiB, 0, REGION_READ | REGION_WRITE, 0,
                                 ALLOCATION_RESERVE, "purgeable cache", &cache);
    if (err) {
        as_destroy(&init);
        return err;
    }
    as_print(&init, "init, before it runs");
    /* Lazy allocation: reads see the zero page, only written pages become real. */
    for (uint64_t i = 0; i < 16; i++)
        look(&init, DEMO_HEAP + i * PAGE);
    for (uint64_t i = 0; i < 4; i++)
        touch(&init, DEMO_HEAP + i * PAGE, 1000 + i);
    touch(&init, DEMO_STACK - 8, 0x57ac);
    touch(&init, DEMO_SHARED, 1);
    for (uint64_t i = 0; i < 8; i++)
        touch(&init, DEMO_CACHE + i * PAGE, i);
    as_print(&init, "init, after touching 4 heap pages, the stack, the shared and cache pages");

    err = as_fork(&init, &child, 2);
    if (err) {
        as_destroy(&init);
        return err;
    }
    as_print(&child, "child, just forked: every private page shared copy-on-write");
    touch(&child, DEMO_HEAP, 2000);
    touch(&child, DEMO_SHARED, 2);
    kprintf("demo: child wrote its heap page: init reads %llu, child reads %llu\n",
            (unsigned long long)look(&init, DEMO_HEAP), (unsigned long long)look(&child, DEMO_HEAP));
    kprintf("demo: child wrote the shared page: init reads %llu\n",
            (unsigned long long)look(&init, DEMO_SHARED));
    as_print(&child, "child, after its writes");

    bool purged = false;
    err = anon_vmobject_set_volatile(cache->vmobject, true, &purged);
    if (!err) {
        kprintf("demo: init's cache made volatile; purging it frees %llu pages\n",
                (unsigned long long)as_purge_vmobject(cache->vmobject));
        err = anon_vmobject_set_volatile(cache->vmobject, false, &purged);
        kprintf("demo: cache made non-volatile again: %s, reads %llu\n",
                purged ? "it was purged" : "it was kept", (unsigned long long)look(&init, DEMO_CACHE + PAGE));
    }
    if (!err)
        err = demo_file_mappings(&init);
    as_print(&init, "init, at the end");
    as_destroy(&child);
    as_destroy(&init);
    return err;
}

/*
 * Two programs of the initrd in user mode: hello (lazy memory, seen from the
 * inside), and cow (fork with copy-on-write, the child run by the parent's
 * wait). Their address spaces are printed before and after they run.
 */
static int demo_user_programs(void)
{
    static const char *const programs[] = { "bin/hello", "bin/cow" };
    for (size_t i = 0; i < ARRAY_SIZE(programs); i++) {
        struct process *p;
        int err = process_spawn(programs[i], 0, &p);
        if (err == -E_NOENT) {
            kprintf("demo: no %s in the initrd: no user programs\n", programs[i]);
            return 0;
        }
        if (err)
            return err;
        char title[64], status[32];
        ksnprintf(title, sizeof(title), "%s (process %d), loaded", p->name, p->id);
        as_print(&p->as, title);
        int result = process_run(p);
        kprintf("demo: %s ended (%s) after %llu page faults and %llu system calls\n", p->name,
                process_status_name(result, status, sizeof(status)),
                (unsigned long long)p->faults, (unsigned long long)p->syscalls);
        ksnprintf(title, sizeof(title), "%s (process %d), at its end", p->name, p->id);
        as_print(&p->as, title);
        process_destroy(p);
        if (result != 0)
            return -E_FAULT;
    }
    return 0;
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
    int err = demo_address_spaces();
    if (err)
        kprintf("demo: the address-space workload stopped: %s\n", error_name(err));
    err = demo_user_programs();
    if (err)
        kprintf("demo: the user programs stopped: %s\n", error_name(err));
    phys_get_stats(&after);
    kmalloc_get_stats(&heap_after);
    show("end, everything destroyed");
    /* The heap keeps one empty slab per size class for next time; all else must be back. */
    uint64_t kept = heap_after.pages - heap_before.pages;
    kprintf("demo: the heap keeps %llu empty slab page(s) for reuse\n", (unsigned long long)kept);
    if (after.used != before.used + kept || after.committed != before.committed ||
        heap_after.allocations != heap_before.allocations || !phys_check_totals())
        panic("demo: memory did not all come back (used %llu -> %llu pages)",
              (unsigned long long)before.used, (unsigned long long)after.used);
    kprintf("demo: every other page came back; the totals add up\n");
}
