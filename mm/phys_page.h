/*
 * struct phys_page: what the memory manager knows about one 4 KiB physical
 * page (the seed's PhysicalRAMPage), in 8 bytes. A page is either in use,
 * with a reference count and a usage, or the first page of a free buddy
 * block, linked into its zone's free list for its order. The two states
 * share the same 8 bytes; bit 63 tells them apart.
 *
 * Layout (one 64-bit word, fields declared once below):
 *   in use:     refcount 0..31 | usage 32..39                                      | free=0 63
 *   free head:  next 0..23     | prev 24..47  | order 48..52                       | free=1 63
 *   free tail:  the other pages of a free block: all zero (refcount 0, not free)
 * Links are page indices inside the zone, so a zone holds at most 2^24 - 1
 * pages (64 GiB); larger RAM ranges are split into several zones.
 */
#pragma once

#include <pagoda/types.h>

enum phys_usage {
    PHYS_USAGE_NONE,         /* free, or the tail of a free block */
    PHYS_USAGE_KERNEL,       /* kernel data (heap, metadata) */
    PHYS_USAGE_PAGE_TABLE,   /* a page-table page */
    PHYS_USAGE_ANONYMOUS,    /* user anonymous memory */
    PHYS_USAGE_FILE,         /* a file's page */
    PHYS_USAGE_ZERO,         /* the shared zero page */
    PHYS_USAGE_DMA,          /* a contiguous run for a device */
    PHYS_USAGE_TEST,         /* allocated by a test */
    PHYS_USAGE_COUNT,
};

struct phys_page {
    uint64_t word;
};

_Static_assert(sizeof(struct phys_page) == 8, "phys_page must stay 8 bytes per 4 KiB page");

#define PHYS_LINK_BITS 24
#define PHYS_LINK_NONE ((UINT32_C(1) << PHYS_LINK_BITS) - 1)
#define PHYS_ZONE_MAX_PAGES PHYS_LINK_NONE

/* name, shift, width */
#define PHYS_PAGE_FIELDS(F)       \
    F(refcount, 0, 32)            \
    F(usage, 32, 8)               \
    F(next, 0, PHYS_LINK_BITS)    \
    F(prev, 24, PHYS_LINK_BITS)   \
    F(free_order, 48, 5)          \
    F(free, 63, 1)

#define PHYS_FIELD_MASK(shift, width) ((((uint64_t)1 << (width)) - 1) << (shift))
#define PHYS_PAGE_ACCESSORS(name, shift, width)                                         \
    static inline uint32_t phys_page_get_##name(const struct phys_page *p)                  \
    {                                                                                   \
        return (uint32_t)((p->word & PHYS_FIELD_MASK(shift, width)) >> (shift));        \
    }                                                                                   \
    static inline void phys_page_set_##name(struct phys_page *p, uint32_t v)            \
    {                                                                                   \
        p->word = (p->word & ~PHYS_FIELD_MASK(shift, width)) |                          \
                  (((uint64_t)v << (shift)) & PHYS_FIELD_MASK(shift, width));           \
    }
PHYS_PAGE_FIELDS(PHYS_PAGE_ACCESSORS)
#undef PHYS_PAGE_ACCESSORS

_Static_assert(PHYS_USAGE_COUNT <= 256, "usage must fit its field");
