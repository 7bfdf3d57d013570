/*
 * Quickmap in the kernel (see quickmap.h): slots are fixed pages of
 * KERNEL_QUICKMAP_WINDOW, mapped and unmapped through the kernel page
 * directory's quick slots (pd_quick_enter: one entry written, one flush,
 * no walk). An anchor page mapped at the end of the window keeps the last
 * level table alive, so mapping a slot never allocates and cannot fail.
 */
#include "mm/quickmap.h"
#include "mm/phys.h"
#include "kernel/kernel_vm.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>

/* The window's last page is the anchor; slots count up from its first. */
#define PT_ANCHOR_INDEX 511

struct quickmap_cpu {
    unsigned depth;
    struct pd_quick_slot slots[QUICKMAP_SLOTS_PER_CPU];
};

/* One CPU until SMP arrives; then one of these per CPU, indexed by CPU number. */
static struct quickmap_cpu cpus[1];
static bool ready;

static uintptr_t slot_address(unsigned cpu, unsigned slot)
{
    return KERNEL_QUICKMAP_WINDOW + ((uintptr_t)cpu * QUICKMAP_SLOTS_PER_CPU + slot) * PHYS_PAGE_SIZE;
}

int quickmap_init(void)
{
    /* Anchor: any page will do, read-only; the metadata window's first page is always there. */
    struct pd_query_result q;
    int err = pd_query(kernel_pd(), vaddr(KERNEL_PAGE_METADATA_WINDOW), &q);
    if (err)
        return err;
    err = pd_map(kernel_pd(), vaddr(KERNEL_QUICKMAP_WINDOW + PT_ANCHOR_INDEX * PHYS_PAGE_SIZE),
                 paddr(q.phys.value & ~(PHYS_PAGE_SIZE - 1)), PHYS_PAGE_SIZE,
                 PD_READ | PD_GLOBAL, MEMORY_TYPE_NORMAL);
    for (unsigned i = 0; !err && i < QUICKMAP_SLOTS_PER_CPU; i++)
        err = pd_quick_slot_init(kernel_pd(), vaddr(slot_address(0, i)), &cpus[0].slots[i]);
    if (err)
        return err;
    ready = true;
    return 0;
}

void *quickmap_map(paddr_t page)
{
    struct quickmap_cpu *cpu = &cpus[0];
    if (!ready)
        panic("quickmap_map: used before quickmap_init");
    if (cpu->depth == QUICKMAP_SLOTS_PER_CPU)
        panic("quickmap_map: all %d slots of this CPU are in use", QUICKMAP_SLOTS_PER_CPU);
    struct pd_quick_slot *slot = &cpu->slots[cpu->depth++];
    pd_quick_enter(slot, page);
    return (void *)slot->va.value;
}

void quickmap_unmap(void *address)
{
    struct quickmap_cpu *cpu = &cpus[0];
    if (cpu->depth == 0 || (uintptr_t)address != cpu->slots[cpu->depth - 1].va.value)
        panic("quickmap_unmap: %p is not the most recent quickmap slot", address);
    pd_quick_remove(&cpu->slots[--cpu->depth]);
}
