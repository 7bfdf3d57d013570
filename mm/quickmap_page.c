/* Whole-page operations through quickmap, shared by the kernel and the host build. */
#include "mm/phys.h"
#include "mm/quickmap.h"
#include <arch/page_ops.h>

_Static_assert(PHYS_PAGE_SIZE == ARCH_PAGE_OPS_SIZE, "the arch page operations work on our page size");

void quickmap_zero_page(paddr_t page)
{
    void *p = quickmap_map(page);
    arch_clear_page(p);
    quickmap_unmap(p);
}

void quickmap_copy_page(paddr_t to, paddr_t from)
{
    void *src = quickmap_map(from);
    void *dst = quickmap_map(to);
    arch_copy_page(dst, src);
    quickmap_unmap(dst);
    quickmap_unmap(src);
}
