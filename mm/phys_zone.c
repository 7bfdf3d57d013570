/*
 * The buddy allocator of one zone (see phys_zone.h). Free blocks are kept in
 * one doubly linked list per order, linked by page index through the
 * metadata of each block's first page; a free block's other pages have
 * all-zero metadata.
 */
#include "mm/phys_zone.h"
#include <pagoda/errors.h>

static struct phys_page *page_at(struct phys_zone *z, uint32_t index)
{
    return &z->pages[index];
}

static void list_push(struct phys_zone *z, uint32_t index, unsigned order)
{
    struct phys_page *p = page_at(z, index);
    uint32_t head = z->free_head[order];
    p->word = 0;
    phys_page_set_free(p, 1);
    phys_page_set_free_order(p, order);
    phys_page_set_next(p, head);
    phys_page_set_prev(p, PHYS_LINK_NONE);
    if (head != PHYS_LINK_NONE)
        phys_page_set_prev(page_at(z, head), index);
    z->free_head[order] = index;
    z->free_blocks[order]++;
}

static void list_remove(struct phys_zone *z, uint32_t index, unsigned order)
{
    struct phys_page *p = page_at(z, index);
    uint32_t next = phys_page_get_next(p), prev = phys_page_get_prev(p);
    if (prev != PHYS_LINK_NONE)
        phys_page_set_next(page_at(z, prev), next);
    else
        z->free_head[order] = next;
    if (next != PHYS_LINK_NONE)
        phys_page_set_prev(page_at(z, next), prev);
    p->word = 0;
    z->free_blocks[order]--;
}

/* Is the page at INDEX the head of a free block of ORDER? */
static bool free_head_of_order(struct phys_zone *z, uint32_t index, unsigned order)
{
    const struct phys_page *p = page_at(z, index);
    return phys_page_get_free(p) && phys_page_get_free_order(p) == order;
}

void phys_zone_init(struct phys_zone *z, uint64_t base_pfn, uint32_t page_count,
                    struct phys_page *pages)
{
    *z = (struct phys_zone){ .base_pfn = base_pfn, .page_count = page_count, .pages = pages };
    for (unsigned order = 0; order <= PHYS_MAX_ORDER; order++)
        z->free_head[order] = PHYS_LINK_NONE;
    for (uint32_t i = 0; i < page_count; i++)
        pages[i].word = 0;
    /* Carve the largest naturally aligned blocks that fit, from the bottom up. */
    uint32_t index = 0;
    while (index < page_count) {
        unsigned order = PHYS_MAX_ORDER;
        while (order > 0 && (((base_pfn + index) & ((UINT64_C(1) << order) - 1)) != 0 ||
                             index + (UINT32_C(1) << order) > page_count))
            order--;
        list_push(z, index, order);
        index += UINT32_C(1) << order;
    }
    z->free_pages = page_count;
}

int phys_zone_alloc(struct phys_zone *z, unsigned order, uint32_t *index)
{
    if (order > PHYS_MAX_ORDER)
        return -E_NOMEM;
    unsigned found = order;
    while (found <= PHYS_MAX_ORDER && z->free_head[found] == PHYS_LINK_NONE)
        found++;
    if (found > PHYS_MAX_ORDER)
        return -E_NOMEM;
    uint32_t block = z->free_head[found];
    list_remove(z, block, found);
    /* Split: keep the lower half, free the upper half, until the block fits. */
    while (found > order) {
        found--;
        list_push(z, block + (UINT32_C(1) << found), found);
    }
    z->free_pages -= UINT32_C(1) << order;
    *index = block;
    return 0;
}

void phys_zone_free(struct phys_zone *z, uint32_t index, unsigned order)
{
    uint32_t count = UINT32_C(1) << order;
    for (uint32_t i = 0; i < count; i++)
        page_at(z, index + i)->word = 0;
    z->free_pages += count;
    while (order < PHYS_MAX_ORDER) {
        /* The buddy differs in bit ORDER of the physical frame number. */
        uint64_t pfn = z->base_pfn + index;
        uint64_t buddy_pfn = pfn ^ (UINT64_C(1) << order);
        if (buddy_pfn < z->base_pfn || buddy_pfn + (UINT64_C(1) << order) > z->base_pfn + z->page_count)
            break;
        uint32_t buddy = (uint32_t)(buddy_pfn - z->base_pfn);
        if (!free_head_of_order(z, buddy, order))
            break;
        list_remove(z, buddy, order);
        index = MIN(index, buddy);
        order++;
    }
    list_push(z, index, order);
}

bool phys_zone_page_allocated(const struct phys_zone *z, uint32_t index)
{
    const struct phys_page *p = &z->pages[index];
    return !phys_page_get_free(p) && phys_page_get_usage(p) != PHYS_USAGE_NONE;
}

int phys_zone_largest_free_order(const struct phys_zone *z)
{
    for (int order = PHYS_MAX_ORDER; order >= 0; order--) {
        if (z->free_head[order] != PHYS_LINK_NONE)
            return order;
    }
    return -1;
}
