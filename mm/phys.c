/*
 * The physical memory manager (see phys.h): zones of buddy-allocated pages,
 * per-page reference counts and usages, and commit accounting.
 */
#include "mm/phys.h"
#include "mm/quickmap.h"
#include "kernel/console.h"
#include "kernel/lib/format.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>

/*
 * Single pages freed recently, kept out of the buddy lists: freeing and
 * allocating one page is the hot path (every fault), and without the cache
 * each free merges a block all the way up and the next allocation splits it
 * all the way down again. Cached pages count as free; they return to their
 * zones when a contiguous run needs them (phys_trim).
 */
#define PHYS_PAGE_CACHE_SIZE 64

static struct {
    struct phys_zone zones[PHYS_MAX_ZONES]; /* sorted by base */
    paddr_t cache[PHYS_PAGE_CACHE_SIZE];
    size_t cached;
    size_t zone_count;
    uint64_t total;
    uint64_t free;
    uint64_t committed;
    uint64_t by_usage[PHYS_USAGE_COUNT];
    paddr_t zero_page;
} phys;

void phys_reset(void)
{
    phys.zone_count = 0;
    phys.cached = 0;
    phys.total = phys.free = phys.committed = 0;
    for (size_t i = 0; i < PHYS_USAGE_COUNT; i++)
        phys.by_usage[i] = 0;
    phys.zero_page = paddr(0);
}

static uint64_t pfn_of(paddr_t pa)
{
    return pa.value >> PHYS_PAGE_SHIFT;
}

static paddr_t paddr_of(const struct phys_zone *z, uint32_t index)
{
    return paddr((z->base_pfn + index) << PHYS_PAGE_SHIFT);
}

/* The zone holding PA, or NULL. */
static struct phys_zone *zone_of(paddr_t pa)
{
    uint64_t pfn = pfn_of(pa);
    size_t lo = 0, hi = phys.zone_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        struct phys_zone *z = &phys.zones[mid];
        if (pfn < z->base_pfn)
            hi = mid;
        else if (pfn >= z->base_pfn + z->page_count)
            lo = mid + 1;
        else
            return z;
    }
    return NULL;
}

static int add_zone(uint64_t base_pfn, uint32_t count, struct phys_page *metadata)
{
    if (phys.zone_count == PHYS_MAX_ZONES)
        return -E_NOSPACE;
    size_t i = phys.zone_count;
    while (i > 0 && phys.zones[i - 1].base_pfn > base_pfn) {
        phys.zones[i] = phys.zones[i - 1];
        i--;
    }
    phys_zone_init(&phys.zones[i], base_pfn, count, metadata);
    phys.zone_count++;
    phys.total += count;
    phys.free += count;
    return 0;
}

int phys_add_range(paddr_t base, uint64_t page_count, struct phys_page *metadata)
{
    if (!IS_ALIGNED(base.value, PHYS_PAGE_SIZE))
        return -E_ALIGN;
    uint64_t first = pfn_of(base);
    if (page_count == 0 || first + page_count < first ||
        page_count > (UINT64_MAX >> PHYS_PAGE_SHIFT) - first)
        return -E_RANGE;
    for (size_t i = 0; i < phys.zone_count; i++) {
        const struct phys_zone *z = &phys.zones[i];
        if (first < z->base_pfn + z->page_count && z->base_pfn < first + page_count)
            return -E_OVERLAP;
    }
    uint64_t zones_needed = (page_count + PHYS_ZONE_MAX_PAGES - 1) / PHYS_ZONE_MAX_PAGES;
    if (phys.zone_count + zones_needed > PHYS_MAX_ZONES)
        return -E_NOSPACE;
    for (uint64_t done = 0; done < page_count;) {
        uint32_t count = (uint32_t)MIN(page_count - done, (uint64_t)PHYS_ZONE_MAX_PAGES);
        int err = add_zone(first + done, count, metadata + done);
        if (err)
            return err; /* cannot happen: room was checked above */
        done += count;
    }
    return 0;
}

/* Mark the page at INDEX of Z as handed out with USAGE. */
static void mark_used(struct phys_zone *z, uint32_t index, enum phys_usage usage)
{
    struct phys_page *p = &z->pages[index];
    p->word = 0;
    phys_page_set_usage(p, usage);
    phys_page_set_refcount(p, 1);
    phys.by_usage[usage]++;
}

/* One page from the cache or any zone; the caller has checked that one is free for it. */
static paddr_t take_page(enum phys_usage usage)
{
    if (phys.cached) {
        paddr_t page = phys.cache[--phys.cached];
        struct phys_zone *z = zone_of(page);
        phys.free--;
        mark_used(z, (uint32_t)(pfn_of(page) - z->base_pfn), usage);
        return page;
    }
    for (size_t i = 0; i < phys.zone_count; i++) {
        struct phys_zone *z = &phys.zones[i];
        uint32_t index;
        if (z->free_pages && phys_zone_alloc(z, 0, &index) == 0) {
            phys.free--;
            mark_used(z, index, usage);
            return paddr_of(z, index);
        }
    }
    panic("phys: the free count says %llu pages are free, but no zone has one",
          (unsigned long long)phys.free);
}

static bool usage_valid(enum phys_usage usage)
{
    return usage > PHYS_USAGE_NONE && usage < PHYS_USAGE_COUNT && usage != PHYS_USAGE_ZERO;
}

int phys_alloc_page(enum phys_usage usage, paddr_t *page)
{
    ASSERT(usage_valid(usage));
    if (phys.free - phys.committed == 0)
        return -E_NOMEM;
    *page = take_page(usage);
    return 0;
}

static unsigned order_for(uint64_t pages)
{
    unsigned order = 0;
    while ((UINT64_C(1) << order) < pages)
        order++;
    return order;
}

int phys_alloc_contiguous(uint64_t pages, uint64_t align, enum phys_usage usage, paddr_t *base)
{
    ASSERT(usage_valid(usage));
    if (pages == 0 || (align & (align - 1)) != 0 || (align && align < PHYS_PAGE_SIZE))
        return -E_INVAL;
    unsigned order = MAX(order_for(pages), align ? order_for(align / PHYS_PAGE_SIZE) : 0);
    if (order > PHYS_MAX_ORDER)
        return -E_RANGE;
    /* The whole block is taken for a moment, so it must all be uncommitted. */
    if (phys.free - phys.committed < (UINT64_C(1) << order))
        return -E_NOMEM;
    for (size_t i = 0; i < phys.zone_count; i++) {
        struct phys_zone *z = &phys.zones[i];
        uint32_t index;
        if (phys_zone_alloc(z, order, &index) != 0) {
            if (i + 1 < phys.zone_count || phys.cached == 0)
                continue;
            /* The last zone failed too: give the cached pages back and look again. */
            phys_trim();
            i = (size_t)-1;
            continue;
        }
        phys.free -= UINT64_C(1) << order;
        for (uint32_t j = 0; j < pages; j++)
            mark_used(z, index + j, usage);
        /* Give back the tail the run does not need; the buddy system merges it again. */
        for (uint64_t j = pages; j < (UINT64_C(1) << order); j++) {
            phys_zone_free(z, index + (uint32_t)j, 0);
            phys.free++;
        }
        *base = paddr_of(z, index);
        return 0;
    }
    return -E_NOMEM;
}

/* The metadata of an allocated page; panics (naming CALLER) on anything else. */
static struct phys_page *allocated_page(paddr_t page, const char *caller, struct phys_zone **zone)
{
    struct phys_zone *z = zone_of(page);
    if (!z || !IS_ALIGNED(page.value, PHYS_PAGE_SIZE))
        panic("%s: %#llx is not a managed page", caller, (unsigned long long)page.value);
    uint32_t index = (uint32_t)(pfn_of(page) - z->base_pfn);
    if (!phys_zone_page_allocated(z, index))
        panic("%s: page %#llx is not allocated (freed twice?)", caller,
              (unsigned long long)page.value);
    *zone = z;
    return &z->pages[index];
}

void phys_page_ref(paddr_t page)
{
    struct phys_zone *z;
    struct phys_page *p = allocated_page(page, "phys_page_ref", &z);
    if (phys_page_get_usage(p) == PHYS_USAGE_ZERO)
        return;
    uint32_t count = phys_page_get_refcount(p);
    if (count == UINT32_MAX)
        panic("phys_page_ref: reference count of %#llx overflows", (unsigned long long)page.value);
    phys_page_set_refcount(p, count + 1);
}

void phys_page_unref(paddr_t page)
{
    struct phys_zone *z;
    struct phys_page *p = allocated_page(page, "phys_page_unref", &z);
    enum phys_usage usage = phys_page_get_usage(p);
    if (usage == PHYS_USAGE_ZERO)
        return;
    uint32_t count = phys_page_get_refcount(p);
    if (count == 0)
        panic("phys_page_unref: reference count of %#llx underflows", (unsigned long long)page.value);
    if (count > 1) {
        phys_page_set_refcount(p, count - 1);
        return;
    }
    phys.by_usage[usage]--;
    phys.free++;
    if (phys.cached < PHYS_PAGE_CACHE_SIZE) {
        p->word = 0; /* not allocated, not in a free list: a double free is still caught */
        phys.cache[phys.cached++] = page;
        return;
    }
    phys_zone_free(z, (uint32_t)(pfn_of(page) - z->base_pfn), 0);
}

void phys_trim(void)
{
    while (phys.cached) {
        paddr_t page = phys.cache[--phys.cached];
        struct phys_zone *z = zone_of(page);
        phys_zone_free(z, (uint32_t)(pfn_of(page) - z->base_pfn), 0);
    }
}

void phys_free_pages(paddr_t base, uint64_t pages)
{
    for (uint64_t i = 0; i < pages; i++) {
        paddr_t page = paddr(base.value + i * PHYS_PAGE_SIZE);
        struct phys_zone *z;
        struct phys_page *p = allocated_page(page, "phys_free_pages", &z);
        if (phys_page_get_refcount(p) != 1)
            panic("phys_free_pages: page %#llx still has %u references",
                  (unsigned long long)page.value, phys_page_get_refcount(p));
        phys_page_unref(page);
    }
}

uint32_t phys_page_refcount(paddr_t page)
{
    struct phys_zone *z;
    return phys_page_get_refcount(allocated_page(page, "phys_page_refcount", &z));
}

enum phys_usage phys_page_usage(paddr_t page)
{
    struct phys_zone *z;
    return (enum phys_usage)phys_page_get_usage(allocated_page(page, "phys_page_usage", &z));
}

bool phys_page_managed(paddr_t page)
{
    return zone_of(page) != NULL;
}

int phys_commit(uint64_t pages, struct phys_commitment *commitment)
{
    if (pages > phys.free - phys.committed)
        return -E_NOMEM;
    phys.committed += pages;
    commitment->remaining = pages;
    return 0;
}

paddr_t phys_commitment_take(struct phys_commitment *commitment, enum phys_usage usage)
{
    ASSERT(usage_valid(usage));
    if (commitment->remaining == 0)
        panic("phys_commitment_take: the commitment is used up");
    commitment->remaining--;
    phys.committed--;
    return take_page(usage);
}

void phys_uncommit(struct phys_commitment *commitment)
{
    ASSERT(commitment->remaining <= phys.committed);
    phys.committed -= commitment->remaining;
    commitment->remaining = 0;
}

void phys_commitment_release(struct phys_commitment *commitment, uint64_t pages)
{
    if (pages > commitment->remaining)
        panic("phys_commitment_release: %llu pages released from a commitment of %llu",
              (unsigned long long)pages, (unsigned long long)commitment->remaining);
    ASSERT(pages <= phys.committed);
    commitment->remaining -= pages;
    phys.committed -= pages;
}

int phys_init_zero_page(void)
{
    ASSERT(phys.zero_page.value == 0);
    if (phys.free - phys.committed == 0)
        return -E_NOMEM;
    paddr_t page = take_page(PHYS_USAGE_KERNEL);
    struct phys_zone *z;
    struct phys_page *p = allocated_page(page, "phys_init_zero_page", &z);
    phys.by_usage[PHYS_USAGE_KERNEL]--;
    phys.by_usage[PHYS_USAGE_ZERO]++;
    phys_page_set_usage(p, PHYS_USAGE_ZERO);
    quickmap_zero_page(page);
    phys.zero_page = page;
    return 0;
}

paddr_t phys_zero_page(void)
{
    return phys.zero_page;
}

void phys_get_stats(struct phys_stats *s)
{
    *s = (struct phys_stats){
        .total = phys.total, .used = phys.total - phys.free, .free = phys.free,
        .committed = phys.committed, .uncommitted = phys.free - phys.committed,
        .cached = phys.cached, .zone_count = phys.zone_count,
    };
    for (size_t i = 0; i < PHYS_USAGE_COUNT; i++)
        s->by_usage[i] = phys.by_usage[i];
    for (size_t i = 0; i < phys.zone_count; i++) {
        const struct phys_zone *z = &phys.zones[i];
        s->zones[i] = (struct phys_zone_stats){
            .base = z->base_pfn << PHYS_PAGE_SHIFT, .pages = z->page_count,
            .free = z->free_pages, .largest_free_order = phys_zone_largest_free_order(z),
        };
    }
}

/* Walk Z's free lists: consistent links, and as many free pages as the zone counts. */
static bool check_zone(const struct phys_zone *z)
{
    uint64_t free = 0;
    for (unsigned order = 0; order <= PHYS_MAX_ORDER; order++) {
        uint32_t prev = PHYS_LINK_NONE, blocks = 0;
        for (uint32_t i = z->free_head[order]; i != PHYS_LINK_NONE;
             i = phys_page_get_next(&z->pages[i])) {
            const struct phys_page *p = &z->pages[i];
            if (i >= z->page_count || !phys_page_get_free(p) || phys_page_get_free_order(p) != order ||
                phys_page_get_prev(p) != prev || blocks > z->page_count) {
                kprintf("phys: zone at %#llx: free list %u is corrupt at page %u\n",
                        (unsigned long long)(z->base_pfn << PHYS_PAGE_SHIFT), order, i);
                return false;
            }
            prev = i;
            blocks++;
            free += UINT64_C(1) << order;
        }
        if (blocks != z->free_blocks[order])
            return false;
    }
    if (free != z->free_pages) {
        kprintf("phys: zone at %#llx: lists hold %llu free pages, the count says %u\n",
                (unsigned long long)(z->base_pfn << PHYS_PAGE_SHIFT), (unsigned long long)free,
                z->free_pages);
        return false;
    }
    return true;
}

bool phys_check_totals(void)
{
    uint64_t free = phys.cached, used = 0;
    for (size_t i = 0; i < phys.zone_count; i++) {
        if (!check_zone(&phys.zones[i]))
            return false;
        free += phys.zones[i].free_pages;
    }
    for (size_t i = 0; i < phys.cached; i++) {
        struct phys_zone *z = zone_of(phys.cache[i]);
        if (!z || z->pages[pfn_of(phys.cache[i]) - z->base_pfn].word != 0) {
            kprintf("phys: cached page %#llx is not a free page\n",
                    (unsigned long long)phys.cache[i].value);
            return false;
        }
    }
    for (size_t i = 0; i < PHYS_USAGE_COUNT; i++)
        used += phys.by_usage[i];
    bool ok = free == phys.free && used == phys.total - phys.free && phys.committed <= phys.free;
    if (!ok)
        kprintf("phys: totals broken: total %llu free %llu (zones %llu) used %llu committed %llu\n",
                (unsigned long long)phys.total, (unsigned long long)phys.free,
                (unsigned long long)free, (unsigned long long)used,
                (unsigned long long)phys.committed);
    return ok;
}

const char *phys_usage_name(enum phys_usage usage)
{
    static const char *const names[PHYS_USAGE_COUNT] = {
        [PHYS_USAGE_NONE] = "free", [PHYS_USAGE_KERNEL] = "kernel",
        [PHYS_USAGE_PAGE_TABLE] = "page tables", [PHYS_USAGE_ANONYMOUS] = "anonymous",
        [PHYS_USAGE_FILE] = "file", [PHYS_USAGE_ZERO] = "zero page", [PHYS_USAGE_DMA] = "DMA",
        [PHYS_USAGE_TEST] = "test",
    };
    return usage < PHYS_USAGE_COUNT ? names[usage] : "?";
}

static void print_pages(const char *what, uint64_t pages)
{
    char size[32];
    format_size(size, sizeof(size), pages * PHYS_PAGE_SIZE);
    kprintf(" %s %s", what, size);
}

void phys_print_stats(void)
{
    struct phys_stats s;
    phys_get_stats(&s);
    kprintf("memory:");
    print_pages("total", s.total);
    print_pages("used", s.used);
    print_pages("free", s.free);
    print_pages("committed", s.committed);
    print_pages("uncommitted", s.uncommitted);
    print_pages("cached", s.cached);
    kprintf("\n");
    for (size_t i = 0; i < s.zone_count; i++) {
        char size[32];
        format_size(size, sizeof(size), s.zones[i].pages * PHYS_PAGE_SIZE);
        kprintf("  zone %zu: %#llx, %s, %llu pages free, largest free block order %d\n", i,
                (unsigned long long)s.zones[i].base, size, (unsigned long long)s.zones[i].free,
                s.zones[i].largest_free_order);
    }
}
