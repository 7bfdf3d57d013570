/*
 * Host tests of address spaces, regions and page-fault handling, over every
 * page-table format: user accesses go through that format's software MMU;
 * a fault goes to pd_update_accessed_dirty() and then as_handle_fault(),
 * exactly as the trap code will, and the access is retried. Data pages come
 * from mm/phys over simulated RAM, table pages from simphys (the fixture and
 * the model of the randomized test are in as_model.[ch]).
 */
#include "tests/host/host.h"
#include "tests/host/mm/as_model.h"
#include "tests/host/pt/pd_model.h"
#include <pagoda/errors.h>
#include <stdlib.h>
#include <string.h>

#define PAGE PHYS_PAGE_SIZE
#define RAM_BASE AS_FIXTURE_RAM_BASE
#define RAM_PAGES 2048
#define RW (REGION_READ | REGION_WRITE)

/* The tests below run over 2048 pages of RAM: room for everything they do. */
static void fixture_init(struct as_fixture *f, const struct pd_test_format *tf)
{
    as_fixture_init(f, tf, RAM_PAGES);
}

static uint64_t read_word(struct as_fixture *f, struct address_space *as, uint64_t va,
                          enum fault_response *response)
{
    uint64_t value = UINT64_MAX;
    *response = as_fixture_access(f, as, va, FAULT_READ, &value);
    return value;
}

static enum fault_response write_word(struct as_fixture *f, struct address_space *as, uint64_t va,
                                      uint64_t value)
{
    return as_fixture_access(f, as, va, FAULT_WRITE, &value);
}

static void test_lazy_zero_fill(struct ktest *t, const struct pd_test_format *tf)
{
    struct as_fixture f;
    fixture_init(&f, tf);
    struct address_space as;
    KASSERT_EQ(t, as_create(&as, &f.kernel, 1), 0);
    struct region *r;
    KASSERT_EQ(t, as_allocate_region(&as, 0, 16 * PAGE, 0, RW, 0, ALLOCATION_RESERVE, "heap", &r), 0);
    struct phys_stats s;
    phys_get_stats(&s);
    KEXPECT_EQ(t, s.committed - f.start.committed, 16);
    enum fault_response response;
    uint64_t va = region_base(r) + 3 * PAGE;
    KEXPECT_EQ(t, read_word(&f, &as, va, &response), 0);
    KEXPECT_EQ(t, response, FAULT_RESPONSE_CONTINUE);
    struct as_stats st;
    as_get_stats(&as, &st);
    KEXPECT_EQ(t, st.amount_virtual, 16 * PAGE);
    KEXPECT_EQ(t, st.amount_resident, 0); /* reads see the shared zero page */
    KEXPECT_EQ(t, write_word(&f, &as, va + 8, 42), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, read_word(&f, &as, va + 8, &response), 42);
    KEXPECT_EQ(t, read_word(&f, &as, va, &response), 0);
    as_get_stats(&as, &st);
    KEXPECT_EQ(t, st.amount_resident, PAGE);
    KEXPECT_EQ(t, st.amount_dirty_private, PAGE);
    phys_get_stats(&s);
    KEXPECT_EQ(t, s.committed - f.start.committed, 15); /* the page came from the commitment */
    as_destroy(&as);
    KEXPECT(t, as_fixture_fini(&f));
}

KTEST(address_space, lazy_zero_fill) { pd_for_each_format(t, test_lazy_zero_fill); }

static void test_fork_copy_on_write(struct ktest *t, const struct pd_test_format *tf)
{
    struct as_fixture f;
    fixture_init(&f, tf);
    struct address_space parent, child;
    KASSERT_EQ(t, as_create(&parent, &f.kernel, 1), 0);
    struct region *r;
    KASSERT_EQ(t, as_allocate_region(&parent, 0x100000, 4 * PAGE, 0, RW, 0, ALLOCATION_RESERVE,
                                     "data", &r), 0);
    for (uint64_t i = 0; i < 4; i++)
        KEXPECT_EQ(t, write_word(&f, &parent, 0x100000 + i * PAGE, 100 + i),
                   FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, as_fork(&parent, &child, 2), 0);
    enum fault_response response;
    for (uint64_t i = 0; i < 4; i++)
        KEXPECT_EQ(t, read_word(&f, &child, 0x100000 + i * PAGE, &response), 100 + i);
    struct as_stats st;
    as_get_stats(&child, &st);
    KEXPECT_EQ(t, st.amount_shared, 4 * PAGE);
    /* Each side's writes are its own. */
    KEXPECT_EQ(t, write_word(&f, &child, 0x100000, 7), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, write_word(&f, &parent, 0x100000 + PAGE, 8), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, read_word(&f, &parent, 0x100000, &response), 100);
    KEXPECT_EQ(t, read_word(&f, &child, 0x100000, &response), 7);
    KEXPECT_EQ(t, read_word(&f, &child, 0x100000 + PAGE, &response), 101);
    KEXPECT_EQ(t, read_word(&f, &parent, 0x100000 + PAGE, &response), 8);
    as_get_stats(&child, &st);
    KEXPECT_EQ(t, st.amount_shared, 2 * PAGE); /* pages 2 and 3 are still shared */
    /* Memory is exhausted, yet breaking the remaining sharing cannot fail: it was committed. */
    paddr_t hog;
    uint64_t hogged = 0;
    static paddr_t hogs[RAM_PAGES];
    while (phys_alloc_page(PHYS_USAGE_TEST, &hog) == 0)
        hogs[hogged++] = hog;
    KEXPECT_EQ(t, write_word(&f, &child, 0x100000 + 2 * PAGE, 9), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, write_word(&f, &parent, 0x100000 + 3 * PAGE, 9), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, write_word(&f, &parent, 0x100000 + 2 * PAGE, 9), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, write_word(&f, &child, 0x100000 + 3 * PAGE, 9), FAULT_RESPONSE_CONTINUE);
    for (uint64_t i = 0; i < hogged; i++)
        phys_page_unref(hogs[i]);
    as_destroy(&child);
    KEXPECT_EQ(t, read_word(&f, &parent, 0x100000, &response), 100);
    as_destroy(&parent);
    KEXPECT(t, as_fixture_fini(&f));
}

KTEST(address_space, fork_is_copy_on_write) { pd_for_each_format(t, test_fork_copy_on_write); }

/* --- fork of an object several regions map ----------------------------------------- */

#define SPLIT_BASE UINT64_C(0x100000)
#define SPLIT_PAGES 16          /* the object, all of it written before the split */
#define SPLIT_VALUE UINT64_C(100) /* page I holds SPLIT_VALUE + I */
#define SPLIT_CHILD_MARK UINT64_C(0xc0de0000)
#define SPLIT_PARENT_MARK UINT64_C(0xfa7e0000)

/* How a test splits one region into several over the same object. */
enum split_kind {
    SPLIT_BY_UNMAP,   /* pages 1..14 unmapped: two one-page regions, 14 pages mapped by none */
    SPLIT_BY_PROTECT, /* pages 1..14 made read-only: three regions, every page mapped */
    SPLIT_KINDS,
};

static const char *const split_names[SPLIT_KINDS] = { "unmap", "protect" };

static uint64_t split_va(uint64_t page) { return SPLIT_BASE + page * PAGE; }

static uint64_t committed_since(const struct as_fixture *f)
{
    struct phys_stats s;
    phys_get_stats(&s);
    return s.committed - f->start.committed;
}

static uint64_t used_since(const struct as_fixture *f)
{
    struct phys_stats s;
    phys_get_stats(&s);
    return s.used - f->start.used;
}

/* Take every page mm/phys will still give; returns how many. */
static uint64_t hog_all(paddr_t *hogs, uint64_t room)
{
    uint64_t n = 0;
    while (n < room && phys_alloc_page(PHYS_USAGE_TEST, &hogs[n]) == 0)
        n++;
    return n;
}

static void hog_release(paddr_t *hogs, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        phys_page_unref(hogs[i]);
}

/*
 * The probe that found the problem: 16 pages written, then split (by an
 * unmap of 14 of them, or a protect), then forked. The fork clones the
 * object once: every child region maps that one clone (it holds one
 * reference per region, no more), the clone holds only the pages the
 * regions map, and the fork commits one copy for each of those (2 after the
 * unmap, 16 after the protect; cloning per region committed 32 and 48).
 * With memory then exhausted, writes through either child region, and the
 * parent's, break the sharing from that commitment; destroy gives it all back.
 */
static void test_fork_split_object(struct ktest *t, const struct pd_test_format *tf)
{
    static paddr_t hogs[RAM_PAGES];
    for (int kind = 0; kind < SPLIT_KINDS; kind++) {
        struct as_fixture f;
        fixture_init(&f, tf);
        struct address_space parent, child;
        KASSERT_EQ(t, as_create(&parent, &f.kernel, 1), 0);
        struct region *whole;
        KASSERT_EQ(t, as_allocate_region(&parent, SPLIT_BASE, SPLIT_PAGES * PAGE, 0, RW, 0,
                                         ALLOCATION_RESERVE, "split", &whole), 0);
        struct vmobject *object = whole->vmobject;
        for (uint64_t i = 0; i < SPLIT_PAGES; i++)
            KEXPECT_EQ(t, write_word(&f, &parent, split_va(i), SPLIT_VALUE + i),
                       FAULT_RESPONSE_CONTINUE);
        uint64_t mapped = SPLIT_PAGES, regions = 3;
        if (kind == SPLIT_BY_UNMAP) {
            KASSERT_EQ(t, as_unmap(&parent, split_va(1), (SPLIT_PAGES - 2) * PAGE), 0);
            mapped = 2;
            regions = 2;
        } else {
            KASSERT_EQ(t, as_protect(&parent, split_va(1), (SPLIT_PAGES - 2) * PAGE,
                                     REGION_READ), 0);
        }
        KASSERT_EQ(t, parent.regions.count, regions);
        KEXPECT_EQ(t, committed_since(&f), 0); /* every page written: nothing left promised */
        uint64_t used = used_since(&f);

        KASSERT_EQ(t, as_fork(&parent, &child, 2), 0);
        ktest_note(t, "%s, split by %s: the fork committed %llu pages for %llu mapped",
                   tf->name, split_names[kind], (unsigned long long)committed_since(&f),
                   (unsigned long long)mapped);
        KEXPECT_EQ(t, committed_since(&f), mapped); /* one copy per page the child maps */
        KEXPECT_EQ(t, used_since(&f), used);         /* nothing copied */
        struct region *first = as_find_region(&child, split_va(0));
        struct region *last = as_find_region(&child, split_va(SPLIT_PAGES - 1));
        KASSERT(t, first != NULL && last != NULL && first != last);
        struct vmobject *clone = first->vmobject;
        KEXPECT(t, clone != object);
        KEXPECT_EQ(t, last->vmobject, clone); /* one clone for every region */
        if (kind == SPLIT_BY_PROTECT)
            KEXPECT_EQ(t, as_find_region(&child, split_va(1))->vmobject, clone);
        KEXPECT_EQ(t, clone->refcount, regions); /* the regions' references, and only those */
        /* The family's one COW commitment is every page committed. */
        KEXPECT_EQ(t, anon_vmobject_committed_pages(clone), mapped);
        for (uint64_t i = 0; i < SPLIT_PAGES; i++) {
            bool in_child = kind == SPLIT_BY_PROTECT || i == 0 || i == SPLIT_PAGES - 1;
            KEXPECT_EQ(t, phys_page_refcount(object->pages[i]), in_child ? 2 : 1);
            if (in_child)
                KEXPECT_EQU(t, clone->pages[i].value, object->pages[i].value);
            else
                KEXPECT_EQU(t, clone->pages[i].value, phys_zero_page().value);
        }
        struct as_stats st;
        as_get_stats(&child, &st);
        KEXPECT_EQ(t, st.amount_shared, mapped * PAGE);
        KEXPECT_EQ(t, st.amount_resident, mapped * PAGE);
        as_get_stats(&parent, &st);
        KEXPECT_EQ(t, st.amount_shared, mapped * PAGE);

        /* Memory gone: writes through either child region copy from the commitment. */
        uint64_t hogged = hog_all(hogs, RAM_PAGES);
        uint64_t ends[] = { 0, SPLIT_PAGES - 1 };
        for (size_t e = 0; e < ARRAY_SIZE(ends); e++)
            KEXPECT_EQ(t, write_word(&f, &child, split_va(ends[e]), SPLIT_CHILD_MARK + ends[e]),
                       FAULT_RESPONSE_CONTINUE);
        KEXPECT_EQ(t, committed_since(&f), mapped - 2);
        /* ... and the parent, now the last holder of those pages, keeps them. */
        for (size_t e = 0; e < ARRAY_SIZE(ends); e++) {
            paddr_t before = object->pages[ends[e]];
            KEXPECT_EQ(t, write_word(&f, &parent, split_va(ends[e]), SPLIT_PARENT_MARK + ends[e]),
                       FAULT_RESPONSE_CONTINUE);
            KEXPECT_EQU(t, object->pages[ends[e]].value, before.value);
        }
        enum fault_response response;
        for (size_t e = 0; e < ARRAY_SIZE(ends); e++) {
            KEXPECT_EQU(t, read_word(&f, &child, split_va(ends[e]), &response),
                        SPLIT_CHILD_MARK + ends[e]);
            KEXPECT_EQU(t, read_word(&f, &parent, split_va(ends[e]), &response),
                        SPLIT_PARENT_MARK + ends[e]);
            KEXPECT(t, clone->pages[ends[e]].value != object->pages[ends[e]].value);
        }
        if (kind == SPLIT_BY_PROTECT) {
            KEXPECT_EQU(t, read_word(&f, &child, split_va(5), &response), SPLIT_VALUE + 5);
            KEXPECT_EQ(t, write_word(&f, &child, split_va(5), 1), FAULT_RESPONSE_SHOULD_CRASH);
        }
        hog_release(hogs, hogged);
        KEXPECT_EQ(t, used_since(&f), used + 2); /* the child's two copies, nothing else */
        as_get_stats(&child, &st);
        KEXPECT_EQ(t, st.amount_shared, (mapped - 2) * PAGE);
        as_destroy(&child);
        KEXPECT_EQ(t, committed_since(&f), 0);
        KEXPECT_EQ(t, used_since(&f), used);
        as_get_stats(&parent, &st);
        KEXPECT_EQ(t, st.amount_shared, 0);
        as_destroy(&parent);
        KEXPECT(t, as_fixture_fini(&f));
    }
}

KTEST(address_space, fork_clones_a_split_object_once)
{
    pd_for_each_format(t, test_fork_split_object);
}

#define ALIAS_A UINT64_C(0x200000)
#define ALIAS_B UINT64_C(0x300000)
#define ALIAS_PAGES 4
#define ALIAS_OFFSET 2 /* B maps pages 2 and 3 of the object, which A maps too */

/*
 * One private object mapped twice (windows that overlap): a write through
 * one mapping shows through the other, in the parent and, after a fork, in
 * the child too (its two regions map one clone, not one each), while the
 * two sides stay apart. The fork commits one copy per page either maps.
 */
static void test_fork_keeps_aliases(struct ktest *t, const struct pd_test_format *tf)
{
    struct as_fixture f;
    fixture_init(&f, tf);
    struct address_space parent, child;
    KASSERT_EQ(t, as_create(&parent, &f.kernel, 1), 0);
    struct vmobject *object;
    KASSERT_EQ(t, anon_vmobject_create(ALIAS_PAGES, ALLOCATION_RESERVE, &object), 0);
    KASSERT_EQ(t, as_map_vmobject(&parent, ALIAS_A, ALIAS_PAGES * PAGE, 0, RW, 0,
                                  MEMORY_TYPE_NORMAL, object, 0, "a", NULL), 0);
    KASSERT_EQ(t, as_map_vmobject(&parent, ALIAS_B, (ALIAS_PAGES - ALIAS_OFFSET) * PAGE, 0, RW,
                                  0, MEMORY_TYPE_NORMAL, object, ALIAS_OFFSET, "b", NULL), 0);
    vmobject_unref(object); /* the regions hold it */
    for (uint64_t i = 0; i < ALIAS_PAGES; i++)
        KEXPECT_EQ(t, write_word(&f, &parent, ALIAS_A + i * PAGE, SPLIT_VALUE + i),
                   FAULT_RESPONSE_CONTINUE);
    enum fault_response response;
    KEXPECT_EQU(t, read_word(&f, &parent, ALIAS_B, &response), SPLIT_VALUE + ALIAS_OFFSET);

    KASSERT_EQ(t, as_fork(&parent, &child, 2), 0);
    KEXPECT_EQ(t, committed_since(&f), ALIAS_PAGES); /* the union of the windows, once */
    struct vmobject *clone = as_find_region(&child, ALIAS_A)->vmobject;
    KEXPECT_EQ(t, as_find_region(&child, ALIAS_B)->vmobject, clone);
    /* The child writes through B: A sees it in the child, not in the parent. */
    KEXPECT_EQ(t, write_word(&f, &child, ALIAS_B + 8, SPLIT_CHILD_MARK), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(&f, &child, ALIAS_A + ALIAS_OFFSET * PAGE + 8, &response),
                SPLIT_CHILD_MARK);
    KEXPECT_EQU(t, read_word(&f, &parent, ALIAS_A + ALIAS_OFFSET * PAGE + 8, &response), 0);
    /* The parent writes through A: B sees it in the parent, not in the child. */
    KEXPECT_EQ(t, write_word(&f, &parent, ALIAS_A + (ALIAS_OFFSET + 1) * PAGE,
                             SPLIT_PARENT_MARK), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(&f, &parent, ALIAS_B + PAGE, &response), SPLIT_PARENT_MARK);
    KEXPECT_EQU(t, read_word(&f, &child, ALIAS_B + PAGE, &response),
                SPLIT_VALUE + ALIAS_OFFSET + 1);
    KEXPECT_EQ(t, committed_since(&f), ALIAS_PAGES - 2);
    as_destroy(&parent);
    KEXPECT_EQ(t, committed_since(&f), 0);
    as_destroy(&child);
    KEXPECT(t, as_fixture_fini(&f));
}

KTEST(address_space, fork_keeps_aliases_aliased) { pd_for_each_format(t, test_fork_keeps_aliases); }

static void test_unmap_splits(struct ktest *t, const struct pd_test_format *tf)
{
    struct as_fixture f;
    fixture_init(&f, tf);
    struct address_space as;
    KASSERT_EQ(t, as_create(&as, &f.kernel, 1), 0);
    uint64_t base = 0x200000;
    KASSERT_EQ(t, as_allocate_region(&as, base, 8 * PAGE, 0, RW, 0, ALLOCATION_RESERVE, "buf",
                                     NULL), 0);
    for (uint64_t i = 0; i < 8; i++)
        KEXPECT_EQ(t, write_word(&f, &as, base + i * PAGE, i + 1), FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, as_unmap(&as, base + 2 * PAGE, 2 * PAGE), 0);
    KEXPECT_EQ(t, as.regions.count, 2);
    enum fault_response response;
    read_word(&f, &as, base + 2 * PAGE, &response);
    KEXPECT_EQ(t, response, FAULT_RESPONSE_SHOULD_CRASH);
    KEXPECT_EQ(t, read_word(&f, &as, base + PAGE, &response), 2);
    KEXPECT_EQ(t, read_word(&f, &as, base + 4 * PAGE, &response), 5); /* offsets kept */
    KEXPECT_EQ(t, read_word(&f, &as, base + 7 * PAGE, &response), 8);
    /* Cutting at the ends and over a hole. */
    KASSERT_EQ(t, as_unmap(&as, base + PAGE, 5 * PAGE), 0);
    KEXPECT_EQ(t, as.regions.count, 2);
    KEXPECT_EQ(t, region_size(as_find_region(&as, base)), PAGE);
    KEXPECT_EQ(t, read_word(&f, &as, base + 6 * PAGE, &response), 7);
    KEXPECT(t, region_tree_check(&as.regions));
    as_destroy(&as);
    KEXPECT(t, as_fixture_fini(&f));
}

KTEST(address_space, unmap_splits_regions) { pd_for_each_format(t, test_unmap_splits); }

static void test_protect(struct ktest *t, const struct pd_test_format *tf)
{
    struct as_fixture f;
    fixture_init(&f, tf);
    struct address_space as;
    KASSERT_EQ(t, as_create(&as, &f.kernel, 1), 0);
    uint64_t base = 0x300000;
    KASSERT_EQ(t, as_allocate_region(&as, base, 4 * PAGE, 0, RW, 0, ALLOCATION_RESERVE, "rw",
                                     NULL), 0);
    KEXPECT_EQ(t, write_word(&f, &as, base + PAGE, 5), FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, as_protect(&as, base + PAGE, PAGE, REGION_READ), 0);
    KEXPECT_EQ(t, as.regions.count, 3);
    KEXPECT_EQ(t, write_word(&f, &as, base + PAGE, 6), FAULT_RESPONSE_SHOULD_CRASH);
    enum fault_response response;
    KEXPECT_EQ(t, read_word(&f, &as, base + PAGE, &response), 5);
    KEXPECT_EQ(t, write_word(&f, &as, base + 2 * PAGE, 6), FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, as_protect(&as, base, 4 * PAGE, RW), 0);
    KEXPECT_EQ(t, write_word(&f, &as, base + PAGE, 6), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, read_word(&f, &as, base + PAGE, &response), 6);
    /* Not executable: an instruction fetch is stopped. */
    uint64_t ignored = 0;
    KEXPECT_EQ(t, as_fixture_access(&f, &as, base, FAULT_EXECUTE, &ignored),
               FAULT_RESPONSE_SHOULD_CRASH);
    KEXPECT_EQ(t, as_protect(&as, base, 8 * PAGE, REGION_READ), -E_NOENT); /* a hole */
    KEXPECT(t, region_tree_check(&as.regions));
    as_destroy(&as);
    KEXPECT(t, as_fixture_fini(&f));
}

KTEST(address_space, protect_splits_and_applies) { pd_for_each_format(t, test_protect); }

static void test_bad_calls(struct ktest *t, const struct pd_test_format *tf)
{
    struct as_fixture f;
    fixture_init(&f, tf);
    struct address_space as;
    KASSERT_EQ(t, as_create(&as, &f.kernel, 1), 0);
    uint64_t top = pd_user_limit(&as.pd);
    KASSERT_EQ(t, as_allocate_region(&as, 0x400000, 2 * PAGE, 0, RW, REGION_IMMUTABLE,
                                     ALLOCATION_RESERVE, "fixed", NULL), 0);
    struct region *r;
    KEXPECT_EQ(t, as_allocate_region(&as, 0x400000 + PAGE, PAGE, 0, RW, 0, ALLOCATION_NONE, "x", &r), -E_EXIST);
    KEXPECT_EQ(t, as_allocate_region(&as, 0x500001, PAGE, 0, RW, 0, ALLOCATION_NONE, "x", &r), -E_ALIGN);
    KEXPECT_EQ(t, as_allocate_region(&as, 0x500000, PAGE + 1, 0, RW, 0, ALLOCATION_NONE, "x", &r), -E_ALIGN);
    KEXPECT_EQ(t, as_allocate_region(&as, 0x500000, 0, 0, RW, 0, ALLOCATION_NONE, "x", &r), -E_INVAL);
    KEXPECT_EQ(t, as_allocate_region(&as, 0x500000, PAGE, 0, 0, 0, ALLOCATION_NONE, "x", &r), -E_INVAL);
    KEXPECT_EQ(t, as_allocate_region(&as, top - PAGE, 2 * PAGE, 0, RW, 0, ALLOCATION_NONE, "x", &r), -E_RANGE);
    KEXPECT_EQ(t, as_allocate_region(&as, UINT64_C(0) - PAGE, 2 * PAGE, 0, RW, 0, ALLOCATION_NONE, "x", &r), -E_RANGE);
    KEXPECT_EQ(t, as_allocate_region(&as, 0, 4 * PAGE, 3 * PAGE, RW, 0, ALLOCATION_NONE, "x", &r), -E_INVAL);
    struct phys_stats s;
    phys_get_stats(&s);
    KEXPECT_EQ(t, as_allocate_region(&as, 0, (s.uncommitted + 1) * PAGE, 0, RW, 0,
                                     ALLOCATION_RESERVE, "huge", &r), -E_NOMEM);
    KEXPECT_EQ(t, as_unmap(&as, 0x400000, PAGE), -E_PERM);
    KEXPECT_EQ(t, as_protect(&as, 0x400000, PAGE, REGION_READ), -E_PERM);
    KEXPECT_EQ(t, as_unmap(&as, 0x3ff000, 4 * PAGE), -E_PERM);
    KEXPECT_EQ(t, as.regions.count, 1);
    KEXPECT(t, as_find_region(&as, 0x401000) != NULL);
    enum fault_response response;
    read_word(&f, &as, 0x10, &response); /* page 0 is never mapped */
    KEXPECT_EQ(t, response, FAULT_RESPONSE_SHOULD_CRASH);
    as_destroy(&as);
    KEXPECT(t, as_fixture_fini(&f));
}

KTEST(address_space, bad_calls_change_nothing) { pd_for_each_format(t, test_bad_calls); }

static void test_out_of_memory(struct ktest *t, const struct pd_test_format *tf)
{
    struct as_fixture f;
    fixture_init(&f, tf);
    struct address_space as;
    KASSERT_EQ(t, as_create(&as, &f.kernel, 1), 0);
    KASSERT_EQ(t, as_allocate_region(&as, 0x600000, 4 * PAGE, 0, RW, 0, ALLOCATION_RESERVE,
                                     "committed", NULL), 0);
    KASSERT_EQ(t, as_allocate_region(&as, 0x700000, 4 * PAGE, 0, RW, 0, ALLOCATION_NONE,
                                     "uncommitted", NULL), 0);
    /* Touch one page of each first, so their page tables exist. */
    KEXPECT_EQ(t, write_word(&f, &as, 0x600000, 1), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, write_word(&f, &as, 0x700000, 1), FAULT_RESPONSE_CONTINUE);
    static paddr_t hogs[RAM_PAGES];
    uint64_t hogged = 0;
    while (phys_alloc_page(PHYS_USAGE_TEST, &hogs[hogged]) == 0)
        hogged++;
    KEXPECT_EQ(t, write_word(&f, &as, 0x700000 + PAGE, 2), FAULT_RESPONSE_OUT_OF_MEMORY);
    KEXPECT_EQ(t, write_word(&f, &as, 0x600000 + PAGE, 2), FAULT_RESPONSE_CONTINUE);
    enum fault_response response;
    KEXPECT_EQ(t, read_word(&f, &as, 0x700000 + 2 * PAGE, &response), 0); /* reads still work */
    for (uint64_t i = 0; i < hogged; i++)
        phys_page_unref(hogs[i]);
    KEXPECT_EQ(t, write_word(&f, &as, 0x700000 + PAGE, 2), FAULT_RESPONSE_CONTINUE);
    as_destroy(&as);
    KEXPECT(t, as_fixture_fini(&f));
}

KTEST(address_space, out_of_memory_only_without_commitment) { pd_for_each_format(t, test_out_of_memory); }

static void test_shared_region(struct ktest *t, const struct pd_test_format *tf)
{
    struct as_fixture f;
    fixture_init(&f, tf);
    struct address_space parent, child;
    KASSERT_EQ(t, as_create(&parent, &f.kernel, 1), 0);
    KASSERT_EQ(t, as_allocate_region(&parent, 0x800000, 2 * PAGE, 0, RW, REGION_SHARED,
                                     ALLOCATION_RESERVE, "shared", NULL), 0);
    enum fault_response response;
    KEXPECT_EQ(t, read_word(&f, &parent, 0x800000, &response), 0); /* the zero page, mapped */
    KASSERT_EQ(t, as_fork(&parent, &child, 2), 0);
    KEXPECT_EQ(t, write_word(&f, &child, 0x800000, 77), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, read_word(&f, &parent, 0x800000, &response), 77); /* seen by the other mapper */
    KEXPECT_EQ(t, write_word(&f, &parent, 0x800000 + 8, 78), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, read_word(&f, &child, 0x800000 + 8, &response), 78);
    as_destroy(&parent);
    KEXPECT_EQ(t, read_word(&f, &child, 0x800000, &response), 77);
    as_destroy(&child);
    KEXPECT(t, as_fixture_fini(&f));
}

KTEST(address_space, shared_region_is_shared_after_fork) { pd_for_each_format(t, test_shared_region); }

static void test_purgeable(struct ktest *t, const struct pd_test_format *tf)
{
    struct as_fixture f;
    fixture_init(&f, tf);
    struct address_space as;
    KASSERT_EQ(t, as_create(&as, &f.kernel, 1), 0);
    struct region *r;
    KASSERT_EQ(t, as_allocate_region(&as, 0x900000, 4 * PAGE, 0, RW, 0, ALLOCATION_RESERVE,
                                     "cache", &r), 0);
    for (uint64_t i = 0; i < 4; i++)
        KEXPECT_EQ(t, write_word(&f, &as, 0x900000 + i * PAGE, 5), FAULT_RESPONSE_CONTINUE);
    bool purged = true;
    KASSERT_EQ(t, anon_vmobject_set_volatile(r->vmobject, true, &purged), 0);
    struct as_stats st;
    as_get_stats(&as, &st);
    KEXPECT_EQ(t, st.amount_purgeable_volatile, 4 * PAGE);
    KEXPECT_EQ(t, as_purge_vmobject(r->vmobject), 4);
    as_get_stats(&as, &st);
    KEXPECT_EQ(t, st.amount_resident, 0);
    KASSERT_EQ(t, anon_vmobject_set_volatile(r->vmobject, false, &purged), 0);
    KEXPECT(t, purged);
    enum fault_response response;
    KEXPECT_EQ(t, read_word(&f, &as, 0x900000, &response), 0); /* purged: zeros again */
    KEXPECT_EQ(t, write_word(&f, &as, 0x900000, 6), FAULT_RESPONSE_CONTINUE);
    as_destroy(&as);
    KEXPECT(t, as_fixture_fini(&f));
}

KTEST(address_space, purgeable_memory_is_purged_and_reported) { pd_for_each_format(t, test_purgeable); }

#define DEVICE UINT64_C(0x10000000) /* outside the simulated RAM, like a UART */

/* Fault VA in with ACCESS and report where the user page directory maps it. */
static int fault_and_query(struct address_space *as, uint64_t va, enum fault_access access,
                           struct pd_query_result *q)
{
    struct fault fault = { .addr = vaddr(va), .access = access, .mode = FAULT_USER,
                           .cause = FAULT_NOT_PRESENT };
    if (as_handle_fault(as, &fault) != FAULT_RESPONSE_CONTINUE)
        return -E_FAULT;
    return pd_query(&as->pd, vaddr(va), q);
}

static void test_mmio(struct ktest *t, const struct pd_test_format *tf)
{
    struct as_fixture f;
    fixture_init(&f, tf);
    struct vmobject *device, *ram;
    KASSERT_EQ(t, mmio_vmobject_create(paddr(DEVICE), 2, &device), 0);
    KEXPECT_EQ(t, mmio_vmobject_create(paddr(RAM_BASE), 1, &ram), -E_OVERLAP);
    KEXPECT_EQ(t, mmio_vmobject_create(paddr(DEVICE + 1), 1, &ram), -E_ALIGN);
    struct address_space as, child;
    KASSERT_EQ(t, as_create(&as, &f.kernel, 1), 0);
    KEXPECT_EQ(t, as_map_vmobject(&as, 0xa00000, PAGE, 0, RW | REGION_EXECUTE, 0, MEMORY_TYPE_IO,
                                  device, 0, "uart", NULL), -E_INVAL);
    KASSERT_EQ(t, as_map_vmobject(&as, 0xa00000, 2 * PAGE, 0, RW, 0, MEMORY_TYPE_IO, device, 0,
                                  "uart", NULL), 0);
    vmobject_unref(device); /* the region holds it now */
    struct pd_query_result q;
    KASSERT_EQ(t, fault_and_query(&as, 0xa00000 + PAGE + 8, FAULT_WRITE, &q), 0);
    KEXPECT_EQU(t, q.phys.value, DEVICE + PAGE + 8);
    KEXPECT(t, q.prot & PD_WRITE);
    KEXPECT_EQ(t, q.type, tf->has_memory_types ? MEMORY_TYPE_IO : MEMORY_TYPE_NORMAL);
    struct swmmu_request req = {
        .va = 0xa00000 + PAGE, .access = FAULT_WRITE, .user = true, .user_root = as.pd.root.value,
        .kernel_root = tf->format->split_roots ? f.kernel.root.value : as.pd.root.value,
        .ad_mode = SWMMU_AD_HARDWARE,
    };
    struct swmmu_result r;
    tf->translate(&f.sim.memory, &req, &r);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    KEXPECT_EQU(t, r.pa, DEVICE + PAGE);
    /* Forked: the device is shared, not copied; and it is not memory. */
    KASSERT_EQ(t, as_fork(&as, &child, 2), 0);
    KASSERT_EQ(t, fault_and_query(&child, 0xa00000, FAULT_READ, &q), 0);
    KEXPECT_EQU(t, q.phys.value, DEVICE);
    struct as_stats st;
    as_get_stats(&child, &st);
    KEXPECT_EQ(t, st.amount_virtual, 2 * PAGE);
    KEXPECT_EQ(t, st.amount_resident, 0);
    as_destroy(&child);
    as_destroy(&as);
    KEXPECT(t, as_fixture_fini(&f));
}

KTEST(address_space, mmio_maps_the_device) { pd_for_each_format(t, test_mmio); }

/*
 * The randomized model-based test: four address spaces driven by random
 * maps (private and shared; committed, uncommitted or allocated at once),
 * unmaps, protects, writes, reads and instruction fetches, forks, destroys,
 * and purgeable memory made volatile, purged and made non-volatile again;
 * every access goes through the format's software MMU and the fault
 * handler, and after every step the spaces are compared with the model
 * (tests/host/mm/as_model.h): results, contents, statistics, regions,
 * objects, page references, commitments and page-directory entries.
 * PAGODA_SEED=<n> replays a run; the fuzzer fuzz_address_space drives the
 * same model from its input.
 */
#define MODEL_STEPS 3000
/* Small enough that maps and forks are refused and first writes run out of memory. */
#define MODEL_TIGHT_RAM_PAGES 32

static void run_model(struct ktest *t, const struct pd_test_format *tf, uint64_t ram_pages,
                      uint64_t *rnd)
{
    static struct as_model m;
    as_model_init(&m, tf, ram_pages);
    char why[320];
    unsigned step;
    struct as_model_op op;
    host_console_quiet(true); /* every refused access prints why; hundreds here */
    for (step = 0; step < MODEL_STEPS; step++) {
        as_model_decode_op(pd_model_next(rnd), &op);
        if (!as_model_step(&m, &op, why, sizeof(why)))
            break;
    }
    host_console_quiet(false);
    if (step != MODEL_STEPS)
        ktest_fail(t, __FILE__, __LINE__, "%s: step %u (%s): %s", tf->name, step,
                   as_model_kind_name(op.kind), why);
    ktest_note(t, "%s: %u maps, %u unmaps, %u protects, %u forks (%u child regions mapping "
               "another's clone), %u destroys, %u volatile changes, %u purges (%u pages); %u "
               "writes and %u reads of mapped pages, %u out of memory, %u commitments refused",
               tf->name, m.done[AS_OP_MAP], m.done[AS_OP_UNMAP], m.done[AS_OP_PROTECT],
               m.done[AS_OP_FORK], m.clone_reuses, m.done[AS_OP_DESTROY],
               m.done[AS_OP_SET_VOLATILE], m.done[AS_OP_PURGE], m.purged_pages,
               m.done[AS_OP_WRITE], m.done[AS_OP_READ], m.out_of_memory, m.refused_commits);
    if (!as_model_fini(&m, why, sizeof(why)))
        ktest_fail(t, __FILE__, __LINE__, "%s: %s", tf->name, why);
}

KTEST(address_space_model, random_operations_match_model)
{
    uint64_t rnd = host_test_seed(t, UINT64_C(0xa5a5f00d1234));
    for (size_t fi = 0; fi < pd_test_format_count; fi++)
        run_model(t, &pd_test_formats[fi], RAM_PAGES, &rnd);
}

/* The same at the end of memory: exact commit accounting decides every refusal. */
KTEST(address_space_model, random_operations_at_the_end_of_memory)
{
    uint64_t rnd = host_test_seed(t, UINT64_C(0x7e57ed0f3e3a));
    for (size_t fi = 0; fi < pd_test_format_count; fi++)
        run_model(t, &pd_test_formats[fi], MODEL_TIGHT_RAM_PAGES, &rnd);
}

#define FILE_BYTES (2 * PAGE + 100) /* three pages, the last one short */

static void file_init(struct vfile *file, uint8_t *bytes, bool writable)
{
    for (size_t i = 0; i < FILE_BYTES; i++)
        bytes[i] = (uint8_t)(i % 251);
    *file = (struct vfile){ .name = "test", .size = FILE_BYTES, .data = bytes,
                            .writable = writable };
}

static uint64_t file_word(const uint8_t *bytes, size_t offset)
{
    uint64_t w;
    memcpy(&w, bytes + offset, sizeof(w));
    return w;
}

static void test_file_mappings(struct ktest *t, const struct pd_test_format *tf)
{
    struct as_fixture f;
    fixture_init(&f, tf);
    static uint8_t bytes[FILE_BYTES];
    struct vfile file;
    file_init(&file, bytes, true);
    struct address_space a, b;
    KASSERT_EQ(t, as_create(&a, &f.kernel, 1), 0);
    KASSERT_EQ(t, as_create(&b, &f.kernel, 2), 0);
    struct region *ra, *rb, *rp;
    KEXPECT_EQ(t, as_map_file(&a, 0xb00000, 4 * PAGE, RW, REGION_SHARED, &file, 0, "f", NULL), -E_RANGE);
    KASSERT_EQ(t, as_map_file(&a, 0xb00000, 3 * PAGE, RW, REGION_SHARED, &file, 0, "f", &ra), 0);
    KASSERT_EQ(t, as_map_file(&b, 0xb00000, 3 * PAGE, RW, REGION_SHARED, &file, 0, "f", &rb), 0);
    KASSERT_EQ(t, as_map_file(&b, 0xc00000, 3 * PAGE, RW, 0, &file, 0, "private", &rp), 0);
    KEXPECT_EQ(t, ra->vmobject, rb->vmobject); /* one shared object per file */
    enum fault_response response;
    KEXPECT_EQU(t, read_word(&f, &a, 0xb00000 + PAGE + 8, &response), file_word(bytes, PAGE + 8));
    KEXPECT_EQU(t, read_word(&f, &a, 0xb00000 + 2 * PAGE + 96, &response), file_word(bytes, 2 * PAGE + 96) & 0xffffffff);
    struct as_stats st;
    as_get_stats(&a, &st);
    KEXPECT_EQ(t, st.amount_clean_inode, 2 * PAGE);
    /* A shared write: seen by the other mapper at once, by the file after sync. */
    KEXPECT_EQ(t, write_word(&f, &a, 0xb00000 + 8, 0x1111), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(&f, &b, 0xb00000 + 8, &response), 0x1111);
    KEXPECT_NE(t, file_word(bytes, 8), 0x1111);
    as_get_stats(&a, &st);
    KEXPECT_EQ(t, st.amount_resident, 3 * PAGE);
    KEXPECT_EQ(t, st.amount_clean_inode, 2 * PAGE); /* page 0 is resident now, and dirty */
    /* A private write: a copy, invisible to the file and to shared mappers. */
    KEXPECT_EQU(t, read_word(&f, &b, 0xc00000 + 8, &response), 0x1111); /* sees the cache */
    KEXPECT_EQ(t, write_word(&f, &b, 0xc00000 + 16, 0x2222), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(&f, &a, 0xb00000 + 16, &response), file_word(bytes, 16));
    uint64_t written;
    KEXPECT_EQ(t, as_sync_vmobject(rp->vmobject, &written), -E_INVAL);
    KASSERT_EQ(t, as_sync_vmobject(ra->vmobject, &written), 0);
    KEXPECT_EQ(t, written, 1);
    KEXPECT_EQU(t, file_word(bytes, 8), 0x1111);
    KEXPECT_NE(t, file_word(bytes, 16), 0x2222);
    /* After a sync the next write marks the page dirty again. */
    KEXPECT_EQ(t, write_word(&f, &b, 0xb00000 + 24, 0x3333), FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, as_sync_vmobject(rb->vmobject, &written), 0);
    KEXPECT_EQ(t, written, 1);
    KEXPECT_EQU(t, file_word(bytes, 24), 0x3333);
    /* Fork: the private copy is the child's own; the shared mapping stays shared. */
    struct address_space c;
    KASSERT_EQ(t, as_fork(&b, &c, 3), 0);
    KEXPECT_EQU(t, read_word(&f, &c, 0xc00000 + 16, &response), 0x2222);
    KEXPECT_EQ(t, write_word(&f, &c, 0xc00000 + 16, 0x4444), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(&f, &b, 0xc00000 + 16, &response), 0x2222);
    KEXPECT_EQ(t, write_word(&f, &c, 0xb00000 + 32, 0x5555), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(&f, &a, 0xb00000 + 32, &response), 0x5555);
    as_destroy(&c);
    as_destroy(&b);
    as_destroy(&a);
    KEXPECT(t, file.shared == NULL); /* the last mapping took the shared object with it */
    /* A read-only file cannot be mapped shared and writable. */
    struct vfile ro;
    file_init(&ro, bytes, false);
    KASSERT_EQ(t, as_create(&a, &f.kernel, 1), 0);
    KEXPECT_EQ(t, as_map_file(&a, 0xb00000, PAGE, RW, REGION_SHARED, &ro, 0, "ro", NULL), -E_PERM);
    KEXPECT_EQ(t, as_map_file(&a, 0xb00000, PAGE, RW, 0, &ro, 0, "ro private", NULL), 0);
    KEXPECT_EQ(t, write_word(&f, &a, 0xb00000, 1), FAULT_RESPONSE_CONTINUE);
    as_destroy(&a);
    KEXPECT(t, as_fixture_fini(&f));
}

KTEST(address_space, file_mappings_shared_and_private) { pd_for_each_format(t, test_file_mappings); }
