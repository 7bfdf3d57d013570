/*
 * Host tests of anonymous VMObjects (mm/anon_vmobject.c) over simulated RAM:
 * the three allocation strategies, zero faults from a commitment or not,
 * clone and copy-on-write with the commitment that guarantees it, purgeable
 * memory, and the reference-count panic. Every test ends by destroying
 * everything and checking that used and committed pages are back where
 * they started, so a leak or a double count anywhere fails the test.
 */
#include "tests/host/mm/host_ram.h"
#include "mm/vmobject.h"
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
#define RAM_PAGES 256
#define DIRTY_BYTE 0xa5

struct av_fixture {
    struct host_ram ram;
    struct phys_stats start;
    paddr_t hog[RAM_PAGES];   /* pages taken to exhaust memory */
    uint64_t hogged;
};

static struct phys_stats stats(void)
{
    struct phys_stats s;
    phys_get_stats(&s);
    return s;
}

/*
 * Simulated RAM with the zero page, every free page filled with garbage so
 * that a page handed out unzeroed is caught.
 */
static bool fixture_init(struct av_fixture *f)
{
    phys_reset();
    host_ram_init(&f->ram, RAM_BASE, RAM_PAGES);
    if (phys_init_zero_page() != 0)
        return false;
    f->hogged = 0;
    paddr_t page;
    while (phys_alloc_page(PHYS_USAGE_TEST, &page) == 0) {
        memset(host_ram_ptr(page.value), DIRTY_BYTE, PAGE);
        f->hog[f->hogged++] = page;
    }
    for (uint64_t i = 0; i < f->hogged; i++)
        phys_page_unref(f->hog[i]);
    f->hogged = 0;
    f->start = stats();
    return true;
}

/* Take every uncommitted page, so only commitments can still be honoured. */
static void exhaust_memory(struct av_fixture *f)
{
    while (f->hogged < RAM_PAGES && phys_alloc_page(PHYS_USAGE_TEST, &f->hog[f->hogged]) == 0)
        f->hogged++;
}

static void release_memory(struct av_fixture *f)
{
    while (f->hogged > 0)
        phys_page_unref(f->hog[--f->hogged]);
}

/* Everything destroyed: the system must be exactly where the test started. */
static void fixture_fini(struct ktest *t, struct av_fixture *f)
{
    release_memory(f);
    struct phys_stats s = stats();
    KEXPECT_EQ(t, s.used, f->start.used);
    KEXPECT_EQ(t, s.committed, f->start.committed);
    KEXPECT_EQ(t, s.by_usage[PHYS_USAGE_ANONYMOUS], 0);
    KEXPECT(t, phys_check_totals());
    KEXPECT_EQ(t, host_quickmap_depth(), 0);
    host_ram_fini(&f->ram);
    phys_reset();
}

static bool page_is(paddr_t page, uint8_t byte)
{
    const uint8_t *p = host_ram_ptr(page.value);
    for (uint64_t i = 0; i < PAGE; i++) {
        if (p[i] != byte)
            return false;
    }
    return true;
}

static bool is_real(paddr_t slot)
{
    return slot.value != 0 && slot.value != phys_zero_page().value &&
           slot.value != PHYS_LAZY_COMMITTED.value;
}

/* Fault page INDEX in writable (as a write fault would) and fill it with BYTE. */
static bool write_page(struct vmobject *vmo, uint64_t index, uint8_t byte)
{
    enum fault_response r = anon_vmobject_should_cow(vmo, index, false)
                                ? anon_vmobject_cow_fault(vmo, index)
                                : anon_vmobject_zero_fault(vmo, index);
    if (r != FAULT_RESPONSE_CONTINUE)
        return false;
    memset(host_ram_ptr(vmo->pages[index].value), byte, PAGE);
    return true;
}

KTEST(anon_vmobject, strategies_commit_and_fill_slots)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *reserve, *now, *none;

    KASSERT_EQ(t, anon_vmobject_create(10, ALLOCATION_RESERVE, &reserve), 0);
    KEXPECT_EQ(t, reserve->refcount, 1);
    KEXPECT_EQ(t, reserve->page_count, 10);
    KEXPECT_EQ(t, reserve->kind, VMOBJECT_ANONYMOUS);
    KEXPECT_EQ(t, anon_vmobject_committed_pages(reserve), 10);
    KEXPECT_EQ(t, stats().committed, f.start.committed + 10);
    KEXPECT_EQ(t, stats().used, f.start.used);
    for (uint64_t i = 0; i < 10; i++)
        KEXPECT_EQU(t, reserve->pages[i].value, PHYS_LAZY_COMMITTED.value);

    KASSERT_EQ(t, anon_vmobject_create(6, ALLOCATION_ALLOCATE_NOW, &now), 0);
    KEXPECT_EQ(t, anon_vmobject_committed_pages(now), 0);
    KEXPECT_EQ(t, stats().committed, f.start.committed + 10);
    KEXPECT_EQ(t, stats().used, f.start.used + 6);
    KEXPECT_EQ(t, stats().by_usage[PHYS_USAGE_ANONYMOUS], 6);
    for (uint64_t i = 0; i < 6; i++) {
        KEXPECT(t, is_real(now->pages[i]));
        KEXPECT_EQ(t, phys_page_refcount(now->pages[i]), 1);
        KEXPECT_EQ(t, phys_page_usage(now->pages[i]), PHYS_USAGE_ANONYMOUS);
        KEXPECT(t, page_is(now->pages[i], 0));
        for (uint64_t j = 0; j < i; j++)
            KEXPECT_NE(t, now->pages[i].value, now->pages[j].value);
        KEXPECT(t, !anon_vmobject_should_cow(now, i, false));
    }

    KASSERT_EQ(t, anon_vmobject_create(1000, ALLOCATION_NONE, &none), 0); /* more than RAM */
    KEXPECT_EQ(t, anon_vmobject_committed_pages(none), 0);
    KEXPECT_EQ(t, stats().committed, f.start.committed + 10);
    for (uint64_t i = 0; i < 1000; i++)
        KEXPECT_EQU(t, none->pages[i].value, phys_zero_page().value);

    /* Refusals change nothing. */
    struct vmobject *bad = NULL;
    KEXPECT_EQ(t, anon_vmobject_create(0, ALLOCATION_RESERVE, &bad), -E_INVAL);
    KEXPECT_EQ(t, anon_vmobject_create(RAM_PAGES, ALLOCATION_RESERVE, &bad), -E_NOMEM);
    KEXPECT_EQ(t, anon_vmobject_create(RAM_PAGES, ALLOCATION_ALLOCATE_NOW, &bad), -E_NOMEM);
    KEXPECT(t, bad == NULL);
    KEXPECT_EQ(t, stats().committed, f.start.committed + 10);
    KEXPECT_EQ(t, stats().used, f.start.used + 6);

    vmobject_unref(reserve);
    vmobject_unref(now);
    vmobject_unref(none);
    fixture_fini(t, &f);
}

KTEST(anon_vmobject, zero_fault_is_oom_only_without_commitment)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *reserve, *none;
    KASSERT_EQ(t, anon_vmobject_create(8, ALLOCATION_RESERVE, &reserve), 0);
    KASSERT_EQ(t, anon_vmobject_create(4, ALLOCATION_NONE, &none), 0);
    exhaust_memory(&f);
    KEXPECT_EQ(t, stats().uncommitted, 0);

    /* The reserved object faults every page in from its commitment. */
    for (uint64_t i = 0; i < 8; i++) {
        KEXPECT_EQ(t, anon_vmobject_zero_fault(reserve, i), FAULT_RESPONSE_CONTINUE);
        KEXPECT(t, is_real(reserve->pages[i]));
        KEXPECT(t, page_is(reserve->pages[i], 0)); /* zeroed, though the page was dirty */
        KEXPECT_EQ(t, anon_vmobject_committed_pages(reserve), 7 - i);
    }
    KEXPECT_EQ(t, stats().committed, f.start.committed);
    /* A slot that already has its page: someone resolved it first. */
    paddr_t first = reserve->pages[0];
    memset(host_ram_ptr(first.value), 0x11, PAGE);
    KEXPECT_EQ(t, anon_vmobject_zero_fault(reserve, 0), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, reserve->pages[0].value, first.value);
    KEXPECT(t, page_is(first, 0x11));

    /* The uncommitted object finds no memory, and its slot is unchanged. */
    KEXPECT_EQ(t, anon_vmobject_zero_fault(none, 2), FAULT_RESPONSE_OUT_OF_MEMORY);
    KEXPECT_EQU(t, none->pages[2].value, phys_zero_page().value);
    release_memory(&f);
    KEXPECT_EQ(t, anon_vmobject_zero_fault(none, 2), FAULT_RESPONSE_CONTINUE);
    KEXPECT(t, is_real(none->pages[2]) && page_is(none->pages[2], 0));
    KEXPECT_EQ(t, phys_page_usage(none->pages[2]), PHYS_USAGE_ANONYMOUS);
    KEXPECT_EQ(t, stats().used, f.start.used + 9);

    vmobject_unref(reserve);
    vmobject_unref(none);
    fixture_fini(t, &f);
}

KTEST(anon_vmobject, clone_shares_pages_and_commits_for_copies)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *parent, *clone;
    KASSERT_EQ(t, anon_vmobject_create(8, ALLOCATION_RESERVE, &parent), 0);
    for (uint64_t i = 0; i < 3; i++)
        KASSERT(t, write_page(parent, i, (uint8_t)(0x40 + i)));
    /* 3 real pages, 5 lazy ones: the parent still holds 5 pages of commitment. */
    KEXPECT_EQ(t, anon_vmobject_committed_pages(parent), 5);
    uint64_t committed = stats().committed;

    KASSERT_EQ(t, anon_vmobject_clone(parent, &clone), 0);
    KEXPECT_EQ(t, clone->refcount, 1);
    KEXPECT_EQ(t, clone->page_count, 8);
    for (uint64_t i = 0; i < 8; i++) {
        KEXPECT_EQU(t, clone->pages[i].value, parent->pages[i].value);
        bool real = i < 3;
        KEXPECT_EQ(t, is_real(clone->pages[i]), real);
        if (real)
            KEXPECT_EQ(t, phys_page_refcount(clone->pages[i]), 2);
        KEXPECT_EQ(t, anon_vmobject_should_cow(parent, i, false), real);
        KEXPECT_EQ(t, anon_vmobject_should_cow(clone, i, false), real);
        KEXPECT(t, !anon_vmobject_should_cow(parent, i, true));
        KEXPECT(t, !anon_vmobject_should_cow(clone, i, true));
    }
    /* One page per shared page (3), plus the clone's own 5 lazy slots. */
    KEXPECT_EQ(t, stats().committed, committed + 3 + 5);
    KEXPECT_EQ(t, stats().used, f.start.used + 3);
    KEXPECT_EQ(t, anon_vmobject_committed_pages(parent), 5 + 3);
    KEXPECT_EQ(t, anon_vmobject_committed_pages(clone), 5 + 3);

    /* Both fault their lazy pages in privately. */
    KEXPECT_EQ(t, anon_vmobject_zero_fault(parent, 5), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, anon_vmobject_zero_fault(clone, 5), FAULT_RESPONSE_CONTINUE);
    KEXPECT_NE(t, parent->pages[5].value, clone->pages[5].value);
    KEXPECT(t, !anon_vmobject_should_cow(parent, 5, false));
    KEXPECT_EQ(t, stats().committed, committed + 3 + 5 - 2);

    vmobject_unref(parent);
    /* The parent's pages leave it; the clone's are now its own and nothing is left to copy. */
    KEXPECT_EQ(t, stats().committed, f.start.committed + 4);
    KEXPECT_EQ(t, anon_vmobject_committed_pages(clone), 4);
    for (uint64_t i = 0; i < 3; i++)
        KEXPECT_EQ(t, phys_page_refcount(clone->pages[i]), 1);
    vmobject_unref(clone);
    fixture_fini(t, &f);
}

KTEST(anon_vmobject, clone_of_unbacked_memory_commits_nothing)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *parent, *clone;
    KASSERT_EQ(t, anon_vmobject_create(4, ALLOCATION_NONE, &parent), 0);
    KASSERT_EQ(t, anon_vmobject_clone(parent, &clone), 0);
    KEXPECT_EQ(t, stats().committed, f.start.committed);
    KEXPECT_EQ(t, anon_vmobject_committed_pages(clone), 0);
    for (uint64_t i = 0; i < 4; i++) {
        KEXPECT_EQU(t, clone->pages[i].value, phys_zero_page().value);
        KEXPECT(t, !anon_vmobject_should_cow(clone, i, false));
    }
    vmobject_unref(clone);
    vmobject_unref(parent);
    fixture_fini(t, &f);
}

KTEST(anon_vmobject, cow_fault_copies_and_the_other_side_keeps_the_original)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *parent, *clone;
    KASSERT_EQ(t, anon_vmobject_create(2, ALLOCATION_ALLOCATE_NOW, &parent), 0);
    KASSERT(t, write_page(parent, 0, 0x5a));
    KASSERT(t, write_page(parent, 1, 0x6b));
    KASSERT_EQ(t, anon_vmobject_clone(parent, &clone), 0);
    paddr_t original = parent->pages[0];
    uint64_t committed = stats().committed;

    KEXPECT_EQ(t, anon_vmobject_cow_fault(parent, 0), FAULT_RESPONSE_CONTINUE);
    paddr_t copy = parent->pages[0];
    KEXPECT_NE(t, copy.value, original.value);
    KEXPECT(t, page_is(copy, 0x5a));                  /* the contents came along */
    KEXPECT_EQ(t, phys_page_refcount(copy), 1);
    KEXPECT_EQ(t, phys_page_refcount(original), 1);
    KEXPECT(t, !anon_vmobject_should_cow(parent, 0, false));
    KEXPECT(t, anon_vmobject_should_cow(clone, 0, false));
    KEXPECT_EQ(t, stats().committed, committed - 1);  /* the copy came from the COW set */

    memset(host_ram_ptr(copy.value), 0x77, PAGE);
    KEXPECT(t, page_is(clone->pages[0], 0x5a));       /* the clone still sees the old data */
    KEXPECT_EQU(t, clone->pages[0].value, original.value);

    /* The clone is now the only holder: it keeps the page, and no commitment moves. */
    KEXPECT_EQ(t, anon_vmobject_cow_fault(clone, 0), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, clone->pages[0].value, original.value);
    KEXPECT(t, !anon_vmobject_should_cow(clone, 0, false));
    KEXPECT_EQ(t, stats().committed, committed - 1);
    /* Breaking again is a no-op. */
    KEXPECT_EQ(t, anon_vmobject_cow_fault(clone, 0), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, clone->pages[0].value, original.value);

    /* Page 1 the other way round: the clone copies, the parent keeps. */
    KEXPECT_EQ(t, anon_vmobject_cow_fault(clone, 1), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, anon_vmobject_cow_fault(parent, 1), FAULT_RESPONSE_CONTINUE);
    KEXPECT_NE(t, clone->pages[1].value, parent->pages[1].value);
    KEXPECT(t, page_is(clone->pages[1], 0x6b) && page_is(parent->pages[1], 0x6b));
    KEXPECT_EQ(t, stats().committed, f.start.committed); /* every promised copy made */
    KEXPECT_EQ(t, stats().used, f.start.used + 4);

    vmobject_unref(parent);
    vmobject_unref(clone);
    fixture_fini(t, &f);
}

KTEST(anon_vmobject, cow_fault_keeps_the_page_when_the_other_side_is_gone)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *parent, *clone;
    KASSERT_EQ(t, anon_vmobject_create(4, ALLOCATION_ALLOCATE_NOW, &parent), 0);
    for (uint64_t i = 0; i < 4; i++)
        KASSERT(t, write_page(parent, i, (uint8_t)(0x10 + i)));
    KASSERT_EQ(t, anon_vmobject_clone(parent, &clone), 0);
    KEXPECT_EQ(t, stats().committed, f.start.committed + 4);
    paddr_t pages[4];
    memcpy(pages, clone->pages, sizeof(pages));

    vmobject_unref(parent); /* its four copies will never be made */
    KEXPECT_EQ(t, stats().committed, f.start.committed);
    KEXPECT_EQ(t, stats().used, f.start.used + 4);
    for (uint64_t i = 0; i < 4; i++) {
        KEXPECT(t, anon_vmobject_should_cow(clone, i, false));
        KEXPECT_EQ(t, anon_vmobject_cow_fault(clone, i), FAULT_RESPONSE_CONTINUE);
        KEXPECT_EQU(t, clone->pages[i].value, pages[i].value);
        KEXPECT(t, page_is(clone->pages[i], (uint8_t)(0x10 + i)));
        KEXPECT(t, !anon_vmobject_should_cow(clone, i, false));
    }
    KEXPECT_EQ(t, stats().committed, f.start.committed);
    KEXPECT_EQ(t, stats().used, f.start.used + 4);
    vmobject_unref(clone);
    fixture_fini(t, &f);
}

/* Break COW on (or fault in) every page of VMO; true if every fault succeeded. */
static bool write_every_page(struct vmobject *vmo, uint8_t byte)
{
    for (uint64_t i = 0; i < vmo->page_count; i++) {
        if (!write_page(vmo, i, byte))
            return false;
    }
    return true;
}

KTEST(anon_vmobject, cow_after_clone_cannot_fail_for_lack_of_memory)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *parent, *clone;
    KASSERT_EQ(t, anon_vmobject_create(16, ALLOCATION_RESERVE, &parent), 0);
    for (uint64_t i = 0; i < 10; i++) /* 10 real pages, 6 still lazy */
        KASSERT(t, write_page(parent, i, 0x33));
    KASSERT_EQ(t, anon_vmobject_clone(parent, &clone), 0);
    exhaust_memory(&f);
    KEXPECT_EQ(t, stats().uncommitted, 0);
    KEXPECT(t, write_every_page(parent, 0x44));
    KEXPECT(t, write_every_page(clone, 0x55));
    for (uint64_t i = 0; i < 16; i++) {
        KEXPECT(t, page_is(parent->pages[i], 0x44));
        KEXPECT(t, page_is(clone->pages[i], 0x55));
    }
    KEXPECT_EQ(t, anon_vmobject_committed_pages(parent), 0);
    KEXPECT_EQ(t, anon_vmobject_committed_pages(clone), 0);
    KEXPECT_EQ(t, stats().committed, f.start.committed);
    vmobject_unref(parent);
    vmobject_unref(clone);
    fixture_fini(t, &f);
}

/*
 * Forked twice: three holders of each page need two copies, one committed by
 * each fork. Whichever two holders copy, the commitment must cover them.
 */
KTEST(anon_vmobject, cow_after_two_forks_cannot_fail_for_lack_of_memory)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *parent, *first, *second, *grandchild;
    KASSERT_EQ(t, anon_vmobject_create(8, ALLOCATION_ALLOCATE_NOW, &parent), 0);
    KASSERT(t, write_every_page(parent, 0x21));
    KASSERT_EQ(t, anon_vmobject_clone(parent, &first), 0);
    KASSERT_EQ(t, anon_vmobject_clone(parent, &second), 0);
    KEXPECT_EQ(t, phys_page_refcount(parent->pages[0]), 3);
    KEXPECT_EQ(t, stats().committed, f.start.committed + 16);
    exhaust_memory(&f);
    /* The parent and the second fork copy; the first fork is left as sole holder. */
    KEXPECT(t, write_every_page(parent, 0x22));
    KEXPECT(t, write_every_page(second, 0x23));
    KEXPECT_EQ(t, stats().committed, f.start.committed);
    KEXPECT(t, write_every_page(first, 0x24));
    KEXPECT(t, page_is(parent->pages[7], 0x22) && page_is(second->pages[7], 0x23) &&
                   page_is(first->pages[7], 0x24));
    release_memory(&f);

    /* A fork of a fork joins the same family: its copies are covered too. */
    KASSERT_EQ(t, anon_vmobject_clone(first, &grandchild), 0);
    KEXPECT_EQ(t, stats().committed, f.start.committed + 8);
    vmobject_unref(first); /* gives its 8 copies back */
    KEXPECT_EQ(t, stats().committed, f.start.committed);
    KEXPECT(t, write_every_page(grandchild, 0x25));
    KEXPECT_EQ(t, stats().used, f.start.used + 24); /* parent, second, grandchild */

    vmobject_unref(parent);
    vmobject_unref(second);
    vmobject_unref(grandchild);
    fixture_fini(t, &f);
}

KTEST(anon_vmobject, clone_without_memory_fails_and_changes_nothing)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *parent, *clone = NULL;
    KASSERT_EQ(t, anon_vmobject_create(6, ALLOCATION_RESERVE, &parent), 0);
    KASSERT(t, write_page(parent, 0, 0x61));
    KASSERT(t, write_page(parent, 1, 0x62));
    exhaust_memory(&f);
    /* The clone needs 4 (lazy) + 2 (copies): offer 4, then 5, then 6. */
    for (uint64_t offer = 4; offer <= 6; offer++) {
        release_memory(&f);
        exhaust_memory(&f);
        for (uint64_t i = 0; i < offer; i++)
            phys_page_unref(f.hog[--f.hogged]);
        struct phys_stats before = stats();
        int err = anon_vmobject_clone(parent, &clone);
        if (offer < 6) {
            KEXPECT_EQ(t, err, -E_NOMEM);
            KEXPECT_EQ(t, stats().committed, before.committed);
            KEXPECT_EQ(t, phys_page_refcount(parent->pages[0]), 1);
            KEXPECT(t, !anon_vmobject_should_cow(parent, 0, false));
            KEXPECT_EQ(t, anon_vmobject_committed_pages(parent), 4);
        } else {
            KEXPECT_EQ(t, err, 0);
            KEXPECT_EQ(t, stats().uncommitted, 0);
        }
    }
    KASSERT(t, clone != NULL);
    vmobject_unref(clone);
    vmobject_unref(parent);
    fixture_fini(t, &f);
}

KTEST(anon_vmobject, volatile_purge_and_back)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *vmo;
    bool purged = true;
    KASSERT_EQ(t, anon_vmobject_create(8, ALLOCATION_RESERVE, &vmo), 0);
    for (uint64_t i = 0; i < 3; i++)
        KASSERT(t, write_page(vmo, i, 0x70));
    KEXPECT(t, !anon_vmobject_is_volatile(vmo));
    KEXPECT_EQ(t, anon_vmobject_purge(vmo), 0); /* not volatile: untouched */
    KEXPECT(t, page_is(vmo->pages[0], 0x70));

    /* Volatile: the 5 unused committed pages go back. */
    KEXPECT_EQ(t, anon_vmobject_set_volatile(vmo, true, &purged), 0);
    KEXPECT(t, !purged);
    KEXPECT(t, anon_vmobject_is_volatile(vmo));
    KEXPECT_EQ(t, anon_vmobject_committed_pages(vmo), 0);
    KEXPECT_EQ(t, stats().committed, f.start.committed);
    for (uint64_t i = 3; i < 8; i++)
        KEXPECT_EQU(t, vmo->pages[i].value, phys_zero_page().value);

    /* Back without a purge: the contents survived; all 5 missing pages are committed again. */
    KEXPECT_EQ(t, anon_vmobject_set_volatile(vmo, false, &purged), 0);
    KEXPECT(t, !purged);
    KEXPECT(t, page_is(vmo->pages[2], 0x70));
    KEXPECT_EQ(t, anon_vmobject_committed_pages(vmo), 5);
    KEXPECT_EQU(t, vmo->pages[7].value, PHYS_LAZY_COMMITTED.value);

    /* Volatile, purged: the pages are freed and read as zeros. */
    KEXPECT_EQ(t, anon_vmobject_set_volatile(vmo, true, NULL), 0);
    KEXPECT_EQ(t, anon_vmobject_purge(vmo), 3);
    KEXPECT_EQ(t, stats().used, f.start.used);
    for (uint64_t i = 0; i < 8; i++)
        KEXPECT_EQU(t, vmo->pages[i].value, phys_zero_page().value);
    KEXPECT_EQ(t, anon_vmobject_purge(vmo), 0);

    /* No memory to commit: it stays volatile, and can try again later. */
    exhaust_memory(&f);
    KEXPECT_EQ(t, anon_vmobject_set_volatile(vmo, false, &purged), -E_NOMEM);
    KEXPECT(t, anon_vmobject_is_volatile(vmo));
    release_memory(&f);
    purged = false;
    KEXPECT_EQ(t, anon_vmobject_set_volatile(vmo, false, &purged), 0);
    KEXPECT(t, purged);
    KEXPECT(t, !anon_vmobject_is_volatile(vmo));
    KEXPECT_EQ(t, anon_vmobject_committed_pages(vmo), 8);
    for (uint64_t i = 0; i < 8; i++)
        KEXPECT_EQU(t, vmo->pages[i].value, PHYS_LAZY_COMMITTED.value);
    /* Not volatile any more: asking again reports no purge. */
    KEXPECT_EQ(t, anon_vmobject_set_volatile(vmo, false, &purged), 0);
    KEXPECT(t, !purged);
    KEXPECT(t, write_page(vmo, 4, 0x71));

    vmobject_unref(vmo);
    fixture_fini(t, &f);
}

KTEST(anon_vmobject, purge_of_shared_pages_leaves_the_clone_whole)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *parent, *clone;
    KASSERT_EQ(t, anon_vmobject_create(4, ALLOCATION_ALLOCATE_NOW, &parent), 0);
    KASSERT(t, write_every_page(parent, 0x3c));
    KASSERT_EQ(t, anon_vmobject_clone(parent, &clone), 0);
    KEXPECT_EQ(t, stats().committed, f.start.committed + 4);
    KEXPECT_EQ(t, anon_vmobject_set_volatile(parent, true, NULL), 0);
    KEXPECT_EQ(t, anon_vmobject_purge(parent), 4);
    /* The parent let go: the clone owns the pages and no copy is needed any more. */
    KEXPECT_EQ(t, stats().committed, f.start.committed);
    KEXPECT_EQ(t, stats().used, f.start.used + 4);
    exhaust_memory(&f);
    KEXPECT(t, write_every_page(clone, 0x3d));
    KEXPECT_EQ(t, stats().used, f.start.used + 4 + f.hogged);
    release_memory(&f);
    vmobject_unref(parent);
    vmobject_unref(clone);
    fixture_fini(t, &f);
}

KTEST(anon_vmobject, references_keep_the_object)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    struct vmobject *vmo;
    KASSERT_EQ(t, anon_vmobject_create(2, ALLOCATION_ALLOCATE_NOW, &vmo), 0);
    vmobject_ref(vmo);
    KEXPECT_EQ(t, vmo->refcount, 2);
    vmobject_unref(vmo);
    KEXPECT_EQ(t, stats().used, f.start.used + 2); /* still alive */
    vmobject_unref(vmo);
    fixture_fini(t, &f);
}

static void unref_with_no_reference(void)
{
    struct vmobject *vmo;
    if (anon_vmobject_create(1, ALLOCATION_NONE, &vmo) != 0)
        return;
    vmo->refcount = 0; /* as if someone had dropped a reference they did not hold */
    vmobject_unref(vmo);
}

static void unref_once(void)
{
    struct vmobject *vmo;
    if (anon_vmobject_create(1, ALLOCATION_NONE, &vmo) == 0)
        vmobject_unref(vmo);
}

KTEST(anon_vmobject, refcount_underflow_panics)
{
    struct av_fixture f;
    KASSERT(t, fixture_init(&f));
    KEXPECT(t, host_panics(unref_with_no_reference));
    KEXPECT(t, !host_panics(unref_once)); /* the check itself does not fire on correct use */
    fixture_fini(t, &f);
}
