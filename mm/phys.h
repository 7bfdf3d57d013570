/*
 * The physical memory manager: every page of usable RAM, in zones, with its
 * metadata; allocation of single pages and of aligned contiguous runs;
 * reference counts; commit accounting; the shared zero page; and the
 * system totals. The seed's MemoryManager physical side, PhysicalRegion,
 * CommittedPhysicalPageSet and PhysicalRAMPage, in C.
 *
 * Accounting (always true, checked by phys_check_totals()):
 *   total = used + free
 *   committed <= free            (committed pages are promised, not yet taken)
 *   uncommitted = free - committed
 *   free = the zones' free pages + the single-page cache
 * A page is "used" from allocation until its last reference is dropped.
 * An allocation without a commitment may only take uncommitted pages, so a
 * commitment can always be honoured.
 */
#pragma once

#include "mm/phys_zone.h"

#define PHYS_MAX_ZONES 32
#define PHYS_PAGE_SIZE UINT64_C(4096)
#define PHYS_PAGE_SHIFT 12

/*
 * The sentinel the seed calls the lazy committed page: stands in a VM
 * object's page slot for "committed, not yet allocated". Not a real page:
 * never mapped, never freed, never looked up.
 */
#define PHYS_LAZY_COMMITTED paddr(UINT64_MAX & ~(PHYS_PAGE_SIZE - 1))

struct phys_zone_stats {
    uint64_t base;          /* physical address */
    uint64_t pages;
    uint64_t free;
    int largest_free_order;
};

struct phys_stats {
    uint64_t total;         /* pages under management */
    uint64_t used;
    uint64_t free;
    uint64_t committed;
    uint64_t uncommitted;
    uint64_t cached;        /* free pages held back from the zones for fast reuse */
    uint64_t by_usage[PHYS_USAGE_COUNT];
    size_t zone_count;
    struct phys_zone_stats zones[PHYS_MAX_ZONES];
};

/* Pages promised to one owner (the seed's CommittedPhysicalPageSet). */
struct phys_commitment {
    uint64_t remaining;
};

/* Forget everything (start of init, and between host tests). */
void phys_reset(void);

/*
 * Manage the PAGE_COUNT pages from BASE (page aligned), with METADATA (one
 * struct phys_page per page). Large ranges become several zones.
 * Errors: -E_ALIGN, -E_RANGE (empty or wrapping), -E_NOSPACE (too many zones),
 * -E_OVERLAP (overlaps a range already added).
 */
int phys_add_range(paddr_t base, uint64_t page_count, struct phys_page *metadata) MUST_CHECK;

/* Set aside the shared zero page (call once, after the ranges are added). */
int phys_init_zero_page(void) MUST_CHECK;

/* One page from the uncommitted pool, reference count 1. -E_NOMEM when none is left. */
int phys_alloc_page(enum phys_usage usage, paddr_t *page) MUST_CHECK;

/*
 * PAGES physically contiguous pages aligned to ALIGN bytes (a power of two,
 * at least 4 KiB; 0 means the block's own size), each with reference count 1.
 * -E_RANGE if the run is larger than the largest block a zone can hold,
 * -E_INVAL for a zero count or a bad alignment, -E_NOMEM if no zone has one.
 */
int phys_alloc_contiguous(uint64_t pages, uint64_t align, enum phys_usage usage,
                          paddr_t *base) MUST_CHECK;

/* Take a reference on an allocated page. */
void phys_page_ref(paddr_t page);
/* Drop a reference; the page is freed when the last one goes. */
void phys_page_unref(paddr_t page);
/* Return the free pages held in the single-page cache to their zones (merging them). */
void phys_trim(void);
/* Free a page or run that has exactly one reference per page (PAGES pages from BASE). */
void phys_free_pages(paddr_t base, uint64_t pages);

uint32_t phys_page_refcount(paddr_t page);
enum phys_usage phys_page_usage(paddr_t page);
/* Is PAGE under management (in some zone)? */
bool phys_page_managed(paddr_t page);

/*
 * Promise PAGES future allocations: either all of them (0) or none
 * (-E_NOMEM at once). Pages drawn from a commitment cannot fail.
 */
int phys_commit(uint64_t pages, struct phys_commitment *commitment) MUST_CHECK;
/* Allocate one page from COMMITMENT (which must not be used up). */
paddr_t phys_commitment_take(struct phys_commitment *commitment, enum phys_usage usage);
/* Give back what is left of COMMITMENT. */
void phys_uncommit(struct phys_commitment *commitment);
/*
 * Give back PAGES of COMMITMENT (which must hold that many): for an owner
 * whose need shrank before it used them, e.g. a copy-on-write page whose
 * copy will never be made.
 */
void phys_commitment_release(struct phys_commitment *commitment, uint64_t pages);

/* The shared read-only page of zeros (never freed; references are not counted). */
paddr_t phys_zero_page(void);

void phys_get_stats(struct phys_stats *stats);
/* Check the accounting identities and every zone's lists; returns false (with a message) if broken. */
bool phys_check_totals(void);

const char *phys_usage_name(enum phys_usage usage);

/* Print the totals and each zone on the console. */
void phys_print_stats(void);
