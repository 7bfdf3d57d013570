/*
 * In-kernel tests of the kernel heap: objects of every size class and
 * larger are distinct, writable and aligned, come back on kfree, and leave
 * the heap's accounting where it started.
 */
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include <pagoda/ktest.h>

#define OBJECTS 300

static bool filled_with(const uint8_t *p, size_t size, uint8_t value)
{
    for (size_t i = 0; i < size; i++) {
        if (p[i] != value)
            return false;
    }
    return true;
}

KTEST(kmalloc, sizes_are_distinct_aligned_and_writable)
{
    static const size_t sizes[] = { 1, 15, 16, 17, 100, 512, 2000, 2048, 2049, 4096, 10000,
                                    100 * 1024 };
    struct kmalloc_stats before, after;
    kmalloc_get_stats(&before);
    void *p[ARRAY_SIZE(sizes)];
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        p[i] = kmalloc(sizes[i]);
        KASSERT(t, p[i] != NULL);
        KEXPECT_EQ(t, (uintptr_t)p[i] % 16, 0);
        KEXPECT((t), (uintptr_t)p[i] >= KERNEL_HEAP_WINDOW);
        memset(p[i], (int)(i + 1), sizes[i]);
    }
    /* Nothing overlapped: each still holds its own pattern. */
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
        KEXPECT(t, filled_with(p[i], sizes[i], (uint8_t)(i + 1)));
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
        kfree(p[i]);
    kmalloc_get_stats(&after);
    KEXPECT_EQ(t, after.allocations, before.allocations);
    KEXPECT_EQ(t, after.bytes_in_use, before.bytes_in_use);
}

KTEST(kmalloc, many_small_objects_come_back)
{
    static void *objects[OBJECTS];
    struct kmalloc_stats before, full, after;
    kmalloc_get_stats(&before);
    for (size_t i = 0; i < OBJECTS; i++) {
        objects[i] = kmalloc(24 + i % 200);
        KASSERT(t, objects[i] != NULL);
        *(uint64_t *)objects[i] = i;
    }
    kmalloc_get_stats(&full);
    KEXPECT_GE(t, full.pages, before.pages + 1);
    KEXPECT_EQ(t, full.allocations, before.allocations + OBJECTS);
    for (size_t i = 0; i < OBJECTS; i++)
        KEXPECT_EQ(t, *(uint64_t *)objects[i], i);
    /* Free every other one, then the rest: slabs empty out and are returned. */
    for (size_t i = 0; i < OBJECTS; i += 2)
        kfree(objects[i]);
    for (size_t i = 1; i < OBJECTS; i += 2)
        kfree(objects[i]);
    kmalloc_get_stats(&after);
    KEXPECT_EQ(t, after.allocations, before.allocations);
    KEXPECT_EQ(t, after.bytes_in_use, before.bytes_in_use);
    KEXPECT(t, after.pages <= before.pages + 8); /* at most one kept slab per class */
    KEXPECT(t, phys_check_totals());
}

KTEST(kmalloc, zeroed_and_reused)
{
    uint8_t *a = kmalloc(64);
    KASSERT(t, a != NULL);
    memset(a, 0xee, 64);
    kfree(a);
    uint8_t *b = kzalloc(64);
    KASSERT(t, b != NULL);
    KEXPECT(t, filled_with(b, 64, 0));
    KEXPECT_EQ(t, (uintptr_t)b, (uintptr_t)a); /* the slot just freed is the next one used */
    kfree(b);
    kfree(NULL);
}

KTEST(kmalloc, too_large_is_refused)
{
    KEXPECT(t, kmalloc(KERNEL_HEAP_SIZE + 1) == NULL);
    struct phys_stats s;
    phys_get_stats(&s);
    /* More than all free memory: refused, and nothing leaks. */
    void *p = kmalloc((size_t)(s.free + 16) * PHYS_PAGE_SIZE);
    KEXPECT(t, p == NULL);
    struct phys_stats after;
    phys_get_stats(&after);
    KEXPECT_EQ(t, after.free, s.free);
}
