/*
 * In-kernel tests of mm/phys on the board's real memory map: every free
 * page can be allocated once, is distinct and writable through quickmap,
 * and comes back; exhaustion is an error, not a crash; commitments hold.
 */
#include "mm/phys.h"
#include "mm/quickmap.h"
#include "kernel/lib/string.h"
#include <pagoda/errors.h>
#include <pagoda/ktest.h>

struct page_note {
    uint64_t previous; /* the page allocated before this one: a chain through all of them */
    uint64_t self;     /* this page's own address: catches a page handed out twice */
};

static void note_write(paddr_t page, uint64_t previous)
{
    struct page_note *n = quickmap_map(page);
    n->previous = previous;
    n->self = page.value;
    quickmap_unmap(n);
}

static struct page_note note_read(paddr_t page)
{
    struct page_note *n = quickmap_map(page);
    struct page_note copy = *n;
    quickmap_unmap(n);
    return copy;
}

KTEST(phys, every_free_page_once_and_back)
{
    struct phys_stats before, full, after;
    phys_get_stats(&before);
    /* Allocate everything, chaining the pages through their own first bytes. */
    uint64_t count = 0, last = 0;
    paddr_t page;
    while (phys_alloc_page(PHYS_USAGE_TEST, &page) == 0) {
        note_write(page, last);
        last = page.value;
        count++;
    }
    phys_get_stats(&full);
    KEXPECT_EQ(t, count, before.uncommitted);
    KEXPECT_EQ(t, full.uncommitted, 0);
    KEXPECT_EQ(t, phys_alloc_page(PHYS_USAGE_TEST, &page), -E_NOMEM);
    KEXPECT_EQ(t, phys_alloc_contiguous(1, 0, PHYS_USAGE_DMA, &page), -E_NOMEM);
    KEXPECT(t, phys_check_totals());
    /* Walk the chain back: every page still holds what was written to it. */
    uint64_t walked = 0, broken = 0;
    for (uint64_t at = last; at != 0 && walked <= count; walked++) {
        struct page_note n = note_read(paddr(at));
        if (n.self != at) {
            broken++;
            break;
        }
        phys_page_unref(paddr(at));
        at = n.previous;
    }
    KEXPECT_EQ(t, broken, 0);
    KEXPECT_EQ(t, walked, count);
    phys_get_stats(&after);
    KEXPECT_EQ(t, after.free, before.free);
    KEXPECT_EQ(t, after.used, before.used);
    KEXPECT(t, phys_check_totals());
    ktest_note(t, "%llu pages allocated, written, checked and freed", (unsigned long long)count);
}

KTEST(phys, commitment_survives_exhaustion)
{
    struct phys_stats s;
    phys_get_stats(&s);
    struct phys_commitment c;
    KASSERT_EQ(t, phys_commit(s.uncommitted, &c), 0);
    paddr_t page;
    KEXPECT_EQ(t, phys_alloc_page(PHYS_USAGE_TEST, &page), -E_NOMEM);
    struct phys_commitment more;
    KEXPECT_EQ(t, phys_commit(1, &more), -E_NOMEM);
    page = phys_commitment_take(&c, PHYS_USAGE_ANONYMOUS);
    quickmap_zero_page(page);
    phys_page_unref(page);
    phys_uncommit(&c);
    struct phys_stats after;
    phys_get_stats(&after);
    KEXPECT_EQ(t, after.uncommitted, s.uncommitted);
    KEXPECT_EQ(t, after.committed, s.committed);
}

KTEST(phys, contiguous_run_for_a_device)
{
    paddr_t base;
    KASSERT_EQ(t, phys_alloc_contiguous(16, 64 * KiB, PHYS_USAGE_DMA, &base), 0);
    KEXPECT_EQ(t, base.value % (64 * KiB), 0);
    for (uint64_t i = 0; i < 16; i++) {
        paddr_t page = paddr(base.value + i * PHYS_PAGE_SIZE);
        KEXPECT_EQ(t, phys_page_usage(page), PHYS_USAGE_DMA);
        note_write(page, i);
    }
    for (uint64_t i = 0; i < 16; i++)
        KEXPECT_EQU(t, note_read(paddr(base.value + i * PHYS_PAGE_SIZE)).previous, i);
    phys_free_pages(base, 16);
    KEXPECT_EQ(t, phys_alloc_contiguous(2048, 0, PHYS_USAGE_DMA, &base), -E_RANGE);
}

KTEST(phys, zero_page_reads_zero)
{
    paddr_t zero = phys_zero_page();
    KASSERT(t, phys_page_managed(zero));
    KEXPECT_EQ(t, phys_page_usage(zero), PHYS_USAGE_ZERO);
    const uint8_t *bytes = quickmap_map(zero);
    size_t nonzero = 0;
    for (size_t i = 0; i < PHYS_PAGE_SIZE; i++)
        nonzero += bytes[i] != 0;
    quickmap_unmap((void *)bytes);
    KEXPECT_EQ(t, nonzero, 0);
}

KTEST(phys, quickmap_nests_and_copies)
{
    paddr_t a, b;
    KASSERT_EQ(t, phys_alloc_page(PHYS_USAGE_TEST, &a), 0);
    KASSERT_EQ(t, phys_alloc_page(PHYS_USAGE_TEST, &b), 0);
    note_write(a, 0x1234);
    quickmap_copy_page(b, a);
    struct page_note n = note_read(b);
    KEXPECT_EQU(t, n.previous, 0x1234);
    KEXPECT_EQU(t, n.self, a.value); /* a copy of a's note */
    uint8_t *pa = quickmap_map(a);
    uint8_t *pb = quickmap_map(b);
    KEXPECT_NE(t, (uintptr_t)pa, (uintptr_t)pb);
    KEXPECT_EQ(t, memcmp(pa, pb, PHYS_PAGE_SIZE), 0);
    quickmap_unmap(pb);
    quickmap_unmap(pa);
    phys_page_unref(a);
    phys_page_unref(b);
}
