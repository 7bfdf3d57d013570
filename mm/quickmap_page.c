/* Whole-page operations through quickmap, shared by the kernel and the host build. */
#include "mm/phys.h"
#include "mm/quickmap.h"
#include "kernel/lib/string.h"

void quickmap_zero_page(paddr_t page)
{
    void *p = quickmap_map(page);
    memset(p, 0, PHYS_PAGE_SIZE);
    quickmap_unmap(p);
}

void quickmap_copy_page(paddr_t to, paddr_t from)
{
    void *src = quickmap_map(from);
    void *dst = quickmap_map(to);
    memcpy(dst, src, PHYS_PAGE_SIZE);
    quickmap_unmap(dst);
    quickmap_unmap(src);
}
