/*
 * Host tests of the physical memory manager on simulated RAM: allocation,
 * coalescing, contiguous runs, reference counts, commit accounting, the
 * zero page, and the panics that guard the allocator against misuse.
 */
#include "tests/host/mm/host_ram.h"
#include "mm/quickmap.h"
#include <pagoda/errors.h>
#include "tests/host/host.h"
#include <pagoda/ktest.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE PHYS_PAGE_SIZE
#define RAM_BASE UINT64_C(0x80000000)
#define RAM_PAGES 1024 /* 4 MiB, one max-order block */
#define RAM2_BASE (RAM_BASE + 64 * MiB + 3 * PAGE) /* odd alignment on purpose */
#define RAM2_PAGES 515

struct phys_fixture {
    struct host_ram ram, ram2;
};

static void fixture_init(struct phys_fixture *f)
{
    phys_reset();
    host_ram_init(&f->ram, RAM_BASE, RAM_PAGES);
    host_ram_init(&f->ram2, RAM2_BASE, RAM2_PAGES);
}

static void fixture_fini(struct phys_fixture *f)
{
    host_ram_fini(&f->ram);
    host_ram_fini(&f->ram2);
    phys_reset();
}

static uint64_t free_pages(void)
{
    struct phys_stats s;
    phys_get_stats(&s);
    return s.free;
}

static uint64_t uncommitted_pages(void)
{
    struct phys_stats s;
    phys_get_stats(&s);
    return s.uncommitted;
}

KTEST(phys, ranges_and_totals)
{
    struct phys_fixture f;
    fixture_init(&f);
    struct phys_stats s;
    phys_get_stats(&s);
    KEXPECT_EQ(t, s.total, RAM_PAGES + RAM2_PAGES);
    KEXPECT_EQ(t, s.free, s.total);
    KEXPECT_EQ(t, s.used, 0);
    KEXPECT_EQ(t, s.zone_count, 2);
    KEXPECT_EQU(t, s.zones[0].base, RAM_BASE);
    KEXPECT_EQ(t, s.zones[0].largest_free_order, PHYS_MAX_ORDER);
    KEXPECT(t, phys_check_totals());
    /* Bad ranges are refused. */
    struct phys_page meta[4];
    KEXPECT_EQ(t, phys_add_range(paddr(RAM_BASE + 8 * PAGE), 4, meta), -E_OVERLAP);
    KEXPECT_EQ(t, phys_add_range(paddr(RAM_BASE - 2 * PAGE), 4, meta), -E_OVERLAP);
    KEXPECT_EQ(t, phys_add_range(paddr(0x1001), 4, meta), -E_ALIGN);
    KEXPECT_EQ(t, phys_add_range(paddr(0x1000), 0, meta), -E_RANGE);
    KEXPECT_EQ(t, phys_add_range(paddr(UINT64_MAX & ~(PAGE - 1)), 4, meta), -E_RANGE);
    phys_get_stats(&s);
    KEXPECT_EQ(t, s.total, RAM_PAGES + RAM2_PAGES);
    fixture_fini(&f);
}

KTEST(phys, every_page_once_then_back)
{
    struct phys_fixture f;
    fixture_init(&f);
    uint64_t total = free_pages();
    paddr_t *pages = malloc(total * sizeof(paddr_t));
    uint8_t *seen = calloc(total, 1);
    uint64_t n = 0;
    paddr_t page;
    while (phys_alloc_page(PHYS_USAGE_TEST, &page) == 0) {
        KASSERT(t, n < total);
        KEXPECT(t, IS_ALIGNED(page.value, PAGE) && phys_page_managed(page));
        /* Distinct: index the page within its range. */
        uint64_t index = page.value >= RAM2_BASE ? RAM_PAGES + (page.value - RAM2_BASE) / PAGE
                                                 : (page.value - RAM_BASE) / PAGE;
        KASSERT(t, index < total);
        KEXPECT_EQ(t, seen[index], 0);
        seen[index] = 1;
        pages[n++] = page;
    }
    KEXPECT_EQ(t, n, total);
    KEXPECT_EQ(t, phys_alloc_page(PHYS_USAGE_TEST, &page), -E_NOMEM);
    KEXPECT(t, phys_check_totals());
    struct phys_stats s;
    phys_get_stats(&s);
    KEXPECT_EQ(t, s.by_usage[PHYS_USAGE_TEST], total);
    /* Free in a scrambled order: the buddies must still merge back completely. */
    for (uint64_t i = 0; i < n; i++) {
        uint64_t j = (i * 7919) % n;
        paddr_t tmp = pages[i];
        pages[i] = pages[j];
        pages[j] = tmp;
    }
    for (uint64_t i = 0; i < n; i++)
        phys_page_unref(pages[i]);
    phys_get_stats(&s);
    KEXPECT_EQ(t, s.free, total);
    KEXPECT(t, s.cached > 0 && phys_check_totals());
    phys_trim(); /* the cached pages go back and merge */
    phys_get_stats(&s);
    KEXPECT_EQ(t, s.cached, 0);
    KEXPECT_EQ(t, s.free, total);
    KEXPECT_EQ(t, s.zones[0].largest_free_order, PHYS_MAX_ORDER);
    KEXPECT(t, phys_check_totals());
    free(pages);
    free(seen);
    fixture_fini(&f);
}

KTEST(phys, contiguous_runs_are_aligned)
{
    struct phys_fixture f;
    fixture_init(&f);
    for (unsigned order = 0; order <= 8; order++) {
        uint64_t pages = (UINT64_C(1) << order) - (order > 1 ? 1 : 0); /* not a power of two */
        paddr_t base;
        KASSERT_EQ(t, phys_alloc_contiguous(pages, 0, PHYS_USAGE_DMA, &base), 0);
        uint64_t block = (UINT64_C(1) << order) * PAGE;
        KEXPECT_EQ(t, base.value % block, 0);
        for (uint64_t i = 0; i < pages; i++)
            KEXPECT_EQ(t, phys_page_refcount(paddr(base.value + i * PAGE)), 1);
        KEXPECT(t, phys_check_totals());
        phys_free_pages(base, pages);
    }
    paddr_t base;
    KEXPECT_EQ(t, phys_alloc_contiguous(3, 64 * KiB, PHYS_USAGE_DMA, &base), 0);
    KEXPECT_EQ(t, base.value % (64 * KiB), 0);
    phys_free_pages(base, 3);
    KEXPECT_EQ(t, phys_alloc_contiguous(1025, 0, PHYS_USAGE_DMA, &base), -E_RANGE);
    KEXPECT_EQ(t, phys_alloc_contiguous(1, 8 * MiB, PHYS_USAGE_DMA, &base), -E_RANGE);
    KEXPECT_EQ(t, phys_alloc_contiguous(0, 0, PHYS_USAGE_DMA, &base), -E_INVAL);
    KEXPECT_EQ(t, phys_alloc_contiguous(1, 3 * PAGE, PHYS_USAGE_DMA, &base), -E_INVAL);
    /* Fragment the big zone: take every other page; no 2-page run is left there. */
    paddr_t singles[RAM_PAGES + RAM2_PAGES];
    size_t n = 0;
    while (phys_alloc_page(PHYS_USAGE_TEST, &singles[n]) == 0)
        n++;
    for (size_t i = 0; i < n; i++) {
        if ((singles[i].value / PAGE) % 2 == 0) /* every other frame */
            phys_page_unref(singles[i]);
    }
    KEXPECT_EQ(t, phys_alloc_contiguous(2, 0, PHYS_USAGE_DMA, &base), -E_NOMEM);
    KEXPECT_EQ(t, phys_alloc_contiguous(1, 0, PHYS_USAGE_DMA, &base), 0);
    phys_free_pages(base, 1);
    for (size_t i = 0; i < n; i++) {
        if ((singles[i].value / PAGE) % 2 == 1)
            phys_page_unref(singles[i]);
    }
    KEXPECT_EQ(t, free_pages(), RAM_PAGES + RAM2_PAGES);
    KEXPECT(t, phys_check_totals());
    fixture_fini(&f);
}

KTEST(phys, reference_counts)
{
    struct phys_fixture f;
    fixture_init(&f);
    paddr_t page;
    KASSERT_EQ(t, phys_alloc_page(PHYS_USAGE_ANONYMOUS, &page), 0);
    uint64_t free = free_pages();
    phys_page_ref(page);
    phys_page_ref(page);
    KEXPECT_EQ(t, phys_page_refcount(page), 3);
    KEXPECT_EQ(t, phys_page_usage(page), PHYS_USAGE_ANONYMOUS);
    phys_page_unref(page);
    phys_page_unref(page);
    KEXPECT_EQ(t, free_pages(), free);
    phys_page_unref(page);
    KEXPECT_EQ(t, free_pages(), free + 1);
    KEXPECT(t, phys_check_totals());
    fixture_fini(&f);
}

KTEST(phys, commit_guarantees_allocation)
{
    struct phys_fixture f;
    fixture_init(&f);
    uint64_t total = free_pages();
    struct phys_commitment c, none;
    KASSERT_EQ(t, phys_commit(total - 10, &c), 0);
    KEXPECT_EQ(t, uncommitted_pages(), 10);
    KEXPECT_EQ(t, phys_commit(11, &none), -E_NOMEM); /* all or nothing, at once */
    KEXPECT_EQ(t, uncommitted_pages(), 10);
    /* Uncommitted allocations take the last 10, then fail though pages are free. */
    paddr_t extra[10], page;
    for (int i = 0; i < 10; i++)
        KEXPECT_EQ(t, phys_alloc_page(PHYS_USAGE_TEST, &extra[i]), 0);
    KEXPECT_EQ(t, phys_alloc_page(PHYS_USAGE_TEST, &page), -E_NOMEM);
    KEXPECT_EQ(t, phys_alloc_contiguous(1, 0, PHYS_USAGE_DMA, &page), -E_NOMEM);
    KEXPECT_EQ(t, free_pages(), total - 10);
    /* The commitment is still honoured in full. */
    for (uint64_t i = 0; i < 100; i++) {
        page = phys_commitment_take(&c, PHYS_USAGE_ANONYMOUS);
        KEXPECT(t, phys_page_managed(page));
    }
    KEXPECT_EQ(t, c.remaining, total - 110);
    KEXPECT(t, phys_check_totals());
    phys_uncommit(&c);
    KEXPECT_EQ(t, c.remaining, 0);
    KEXPECT_EQ(t, uncommitted_pages(), total - 110);
    for (int i = 0; i < 10; i++)
        phys_page_unref(extra[i]);
    KEXPECT(t, phys_check_totals());
    fixture_fini(&f);
}

KTEST(phys, commitment_release_returns_part)
{
    struct phys_fixture f;
    fixture_init(&f);
    uint64_t total = free_pages();
    struct phys_commitment c;
    KASSERT_EQ(t, phys_commit(10, &c), 0);
    phys_commitment_release(&c, 3);
    KEXPECT_EQ(t, c.remaining, 7);
    KEXPECT_EQ(t, uncommitted_pages(), total - 7);
    phys_commitment_release(&c, 0);
    KEXPECT_EQ(t, c.remaining, 7);
    paddr_t page = phys_commitment_take(&c, PHYS_USAGE_TEST);
    phys_commitment_release(&c, 6);
    KEXPECT_EQ(t, c.remaining, 0);
    KEXPECT_EQ(t, uncommitted_pages(), total - 1);
    phys_page_unref(page);
    KEXPECT_EQ(t, uncommitted_pages(), total);
    KEXPECT(t, phys_check_totals());
    fixture_fini(&f);
}

KTEST(phys, zero_page_is_zero_and_shared)
{
    struct phys_fixture f;
    fixture_init(&f);
    KASSERT_EQ(t, phys_init_zero_page(), 0);
    paddr_t zero = phys_zero_page();
    const uint8_t *bytes = host_ram_ptr(zero.value);
    bool all_zero = true;
    for (uint64_t i = 0; i < PAGE; i++)
        all_zero = all_zero && bytes[i] == 0;
    KEXPECT(t, all_zero);
    KEXPECT_EQ(t, phys_page_usage(zero), PHYS_USAGE_ZERO);
    /* References to the zero page are not counted: it is never freed. */
    for (int i = 0; i < 5; i++)
        phys_page_unref(zero);
    KEXPECT_EQ(t, phys_page_usage(zero), PHYS_USAGE_ZERO);
    KEXPECT_EQ(t, host_quickmap_depth(), 0);
    KEXPECT(t, !phys_page_managed(PHYS_LAZY_COMMITTED));
    KEXPECT(t, phys_check_totals());
    fixture_fini(&f);
}

KTEST(phys, quickmap_copy_and_zero)
{
    struct phys_fixture f;
    fixture_init(&f);
    paddr_t a, b;
    KASSERT_EQ(t, phys_alloc_page(PHYS_USAGE_TEST, &a), 0);
    KASSERT_EQ(t, phys_alloc_page(PHYS_USAGE_TEST, &b), 0);
    memset(host_ram_ptr(a.value), 0x3c, PAGE);
    quickmap_copy_page(b, a);
    KEXPECT_EQ(t, memcmp(host_ram_ptr(a.value), host_ram_ptr(b.value), PAGE), 0);
    quickmap_zero_page(a);
    KEXPECT_EQ(t, ((uint8_t *)host_ram_ptr(a.value))[PAGE - 1], 0);
    KEXPECT_EQ(t, ((uint8_t *)host_ram_ptr(b.value))[PAGE - 1], 0x3c);
    KEXPECT_EQ(t, host_quickmap_depth(), 0);
    fixture_fini(&f);
}

static void double_free(void)
{
    paddr_t page;
    if (phys_alloc_page(PHYS_USAGE_TEST, &page) == 0) {
        phys_page_unref(page);
        phys_page_unref(page);
    }
}

static void free_unmanaged(void)
{
    phys_page_unref(paddr(0x1000));
}

static void free_never_allocated(void)
{
    phys_page_unref(paddr(RAM_BASE + 5 * PAGE));
}

static void take_from_empty_commitment(void)
{
    struct phys_commitment c = { 0 };
    phys_commitment_take(&c, PHYS_USAGE_TEST);
}

static void release_more_than_committed(void)
{
    struct phys_commitment c;
    if (phys_commit(2, &c) == 0)
        phys_commitment_release(&c, 3);
}

static void free_shared_run(void)
{
    paddr_t page;
    if (phys_alloc_page(PHYS_USAGE_TEST, &page) == 0) {
        phys_page_ref(page);
        phys_free_pages(page, 1);
    }
}

KTEST(phys, misuse_panics_with_a_message)
{
    struct phys_fixture f;
    fixture_init(&f);
    KEXPECT(t, host_panics(double_free));
    KEXPECT(t, host_panics(free_unmanaged));
    KEXPECT(t, host_panics(free_never_allocated));
    KEXPECT(t, host_panics(take_from_empty_commitment));
    KEXPECT(t, host_panics(free_shared_run));
    KEXPECT(t, host_panics(release_more_than_committed));
    /* And the allocator here, in the parent, is untouched. */
    KEXPECT_EQ(t, free_pages(), RAM_PAGES + RAM2_PAGES);
    KEXPECT(t, phys_check_totals());
    fixture_fini(&f);
}
