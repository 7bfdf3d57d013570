/*
 * MMIO VMObjects (see vmobject.h): windows onto a device's registers. The
 * slots hold the device's physical addresses; nothing is allocated, counted
 * or copied, and the object refuses RAM, which belongs to mm/phys.
 */
#include "mm/kmalloc.h"
#include "mm/vmobject.h"
#include <pagoda/errors.h>

static void mmio_vmobject_destroy(struct vmobject *vmo)
{
    kfree(vmo->pages);
    kfree(vmo);
}

static const struct vmobject_ops mmio_vmobject_ops = {
    .name = "MMIO",
    .destroy = mmio_vmobject_destroy,
};

int mmio_vmobject_create(paddr_t base, uint64_t pages, struct vmobject **out)
{
    if (!IS_ALIGNED(base.value, PHYS_PAGE_SIZE))
        return -E_ALIGN;
    if (pages == 0)
        return -E_INVAL;
    if (pages > (UINT64_MAX - base.value) / PHYS_PAGE_SIZE)
        return -E_RANGE;
    for (uint64_t i = 0; i < pages; i++) {
        if (phys_page_managed(paddr(base.value + i * PHYS_PAGE_SIZE)))
            return -E_OVERLAP;
    }
    struct vmobject *vmo = kzalloc(sizeof(*vmo));
    paddr_t *slots = kmalloc(pages * sizeof(paddr_t));
    if (!vmo || !slots) {
        kfree(vmo);
        kfree(slots);
        return -E_NOMEM;
    }
    for (uint64_t i = 0; i < pages; i++)
        slots[i] = paddr(base.value + i * PHYS_PAGE_SIZE);
    *vmo = (struct vmobject){
        .ops = &mmio_vmobject_ops, .kind = VMOBJECT_MMIO, .refcount = 1,
        .page_count = pages, .pages = slots,
    };
    *out = vmo;
    return 0;
}
