/*
 * A physical zone (the seed's PhysicalZone): a run of contiguous page frames
 * managed by a binary buddy allocator. Blocks are naturally aligned to their
 * size in physical memory (an order-k block starts at a frame number that
 * is a multiple of 2^k), so contiguous runs for devices come out aligned.
 * The free lists are threaded through the zone's struct phys_page array;
 * the zone needs no other memory.
 */
#pragma once

#include "mm/phys_page.h"

#define PHYS_MAX_ORDER 10 /* the largest block: 2^10 pages = 4 MiB */

struct phys_zone {
    uint64_t base_pfn;              /* frame number of the zone's first page */
    uint32_t page_count;
    uint32_t free_pages;
    struct phys_page *pages;        /* metadata, one per page of the zone */
    uint32_t free_head[PHYS_MAX_ORDER + 1];
    uint32_t free_blocks[PHYS_MAX_ORDER + 1];
};

/*
 * Set up ZONE over PAGE_COUNT frames from BASE_PFN, every page free, with
 * metadata array PAGES (PAGE_COUNT entries, contents ignored).
 * PAGE_COUNT must be 1..PHYS_ZONE_MAX_PAGES.
 */
void phys_zone_init(struct phys_zone *zone, uint64_t base_pfn, uint32_t page_count,
                    struct phys_page *pages);

/* Take a free block of 2^ORDER pages; its first page index in *INDEX. -E_NOMEM if none. */
int phys_zone_alloc(struct phys_zone *zone, unsigned order, uint32_t *index) MUST_CHECK;

/*
 * Return the block of 2^ORDER pages at INDEX, merging it with free buddies.
 * The caller has checked that the block is allocated.
 */
void phys_zone_free(struct phys_zone *zone, uint32_t index, unsigned order);

/* Is the page at INDEX handed out (not free and not inside a free block)? */
bool phys_zone_page_allocated(const struct phys_zone *zone, uint32_t index);

/* The largest order with a free block, or -1 if the zone is full. */
int phys_zone_largest_free_order(const struct phys_zone *zone);
