/*
 * Host tests of the PageDirectory verbs over every page-table format: each
 * result is checked through that format's independent software MMU, and
 * every test ends by destroying its directories and checking that no table
 * page is left allocated.
 */
#include "tests/host/pt/pd_fixture.h"
#include "tests/host/pd_hw_host.h"
#include <pagoda/errors.h>
#include <stdlib.h>
#include <string.h>

#define PAGE PT_PAGE_SIZE
#define LARGE (2 * MiB)
#define HUGE GiB
#define USER_RW (PD_READ | PD_WRITE | PD_USER)

/* The directory whose half VA is in. */
static struct page_directory *owner(struct pd_fixture *f, uint64_t va)
{
    return va >= PD_TEST_KERNEL_VA ? &f->kernel : &f->user;
}

/*
 * Translate as a CPU running our trap code would: a fault that only asks
 * software to set the accessed/dirty state is resolved and the access
 * retried; one pd_update_accessed_dirty() refuses is a real fault, which
 * (where the hardware reports the access flag first) is a protection fault.
 */
static struct swmmu_result access_as_trap(struct pd_fixture *f, uint64_t va,
                                          enum fault_access access, bool user)
{
    struct swmmu_result r = pd_translate(f, va, access, user);
    for (int tries = 0; tries < 3 && r.outcome != SWMMU_OK && r.outcome != SWMMU_NOT_PRESENT;
         tries++) {
        if (pd_update_accessed_dirty(owner(f, va), vaddr(va), access, user) != 0) {
            if (r.outcome == SWMMU_ACCESS_FLAG)
                r.outcome = SWMMU_PROTECTION;
            return r;
        }
        r = pd_translate(f, va, access, user);
    }
    return r;
}

static void expect_translates(struct ktest *t, struct pd_fixture *f, uint64_t va, uint64_t pa,
                              enum fault_access access, bool user)
{
    struct swmmu_result r = access_as_trap(f, va, access, user);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    KEXPECT_EQU(t, r.pa, pa);
}

static void expect_fault(struct ktest *t, struct pd_fixture *f, uint64_t va,
                         enum fault_access access, bool user, enum swmmu_outcome outcome)
{
    struct swmmu_result r = access_as_trap(f, va, access, user);
    KEXPECT_EQ(t, r.outcome, outcome);
}

static void test_map_query_4k(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    KASSERT_EQ(t, pd_map(&f.user, vaddr(PD_TEST_USER_VA), paddr(PD_TEST_PA), PAGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&f.user, vaddr(PD_TEST_USER_VA + 0x123), &q), 0);
    KEXPECT_EQU(t, q.phys.value, PD_TEST_PA + 0x123);
    KEXPECT_EQ(t, q.prot, USER_RW);
    KEXPECT_EQ(t, q.page_size, PAGE);
    KEXPECT_EQ(t, q.type, MEMORY_TYPE_NORMAL);
    KEXPECT_EQ(t, pd_query(&f.user, vaddr(PD_TEST_USER_VA + PAGE), &q), -E_NOENT);

    struct swmmu_result r = access_as_trap(&f, PD_TEST_USER_VA + 8, FAULT_READ, true);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    KEXPECT_EQU(t, r.pa, PD_TEST_PA + 8);
    r = access_as_trap(&f, PD_TEST_USER_VA + 8, FAULT_WRITE, true);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    expect_fault(t, &f, PD_TEST_USER_VA, FAULT_EXECUTE, true, SWMMU_PROTECTION);
    expect_fault(t, &f, PD_TEST_USER_VA + PAGE, FAULT_READ, true, SWMMU_NOT_PRESENT);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, map_and_query_one_page) { pd_for_each_format(t, test_map_query_4k); }

static void test_large_leaves(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    size_t before = f.user.table_pages;
    /* 2 MiB aligned on both sides: one large leaf, one table per level above it. */
    KASSERT_EQ(t, pd_map(&f.user, vaddr(PD_TEST_USER_VA), paddr(PD_TEST_PA), LARGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&f.user, vaddr(PD_TEST_USER_VA + LARGE - 8), &q), 0);
    KEXPECT_EQ(t, q.page_size, LARGE);
    KEXPECT_EQU(t, q.phys.value, PD_TEST_PA + LARGE - 8);
    KEXPECT_EQ(t, f.user.table_pages - before, tf->format->levels - 2);
    expect_translates(t, &f, PD_TEST_USER_VA + 0x1ff000, PD_TEST_PA + 0x1ff000, FAULT_READ,
                      true);

    /* 1 GiB where the format allows it. */
    uint64_t va = PD_TEST_USER_VA + HUGE;
    KASSERT_EQ(t, pd_map(&f.user, vaddr(va), paddr(2 * HUGE), HUGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    KASSERT_EQ(t, pd_query(&f.user, vaddr(va + HUGE - PAGE), &q), 0);
    bool huge_ok = tf->format->leaf_levels & (1u << 2);
    KEXPECT_EQ(t, q.page_size, huge_ok ? HUGE : LARGE);
    expect_translates(t, &f, va + 12345 * PAGE, 2 * HUGE + 12345 * PAGE, FAULT_READ, true);

    /* Misaligned physical address: falls back to 4 KiB pages. */
    va = PD_TEST_USER_VA + 4 * HUGE;
    KASSERT_EQ(t, pd_map(&f.user, vaddr(va), paddr(PD_TEST_PA + PAGE), LARGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    KASSERT_EQ(t, pd_query(&f.user, vaddr(va), &q), 0);
    KEXPECT_EQ(t, q.page_size, PAGE);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, large_leaves_when_aligned) { pd_for_each_format(t, test_large_leaves); }

static void test_split_on_unmap(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    KASSERT_EQ(t, pd_map(&f.user, vaddr(PD_TEST_USER_VA), paddr(PD_TEST_PA), LARGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    uint64_t hole = PD_TEST_USER_VA + 17 * PAGE;
    KASSERT_EQ(t, pd_unmap(&f.user, vaddr(hole), PAGE), 0);
    KEXPECT_EQ(t, pd_hw_record.last_pd, &f.user); /* the change was flushed */
    KEXPECT_EQU(t, pd_hw_record.last_va, hole);
    expect_fault(t, &f, hole, FAULT_READ, true, SWMMU_NOT_PRESENT);
    expect_translates(t, &f, hole - PAGE, PD_TEST_PA + 16 * PAGE, FAULT_READ, true);
    expect_translates(t, &f, hole + PAGE, PD_TEST_PA + 18 * PAGE, FAULT_READ, true);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&f.user, vaddr(hole + PAGE), &q), 0);
    KEXPECT_EQ(t, q.page_size, PAGE);
    KEXPECT_EQ(t, q.prot, USER_RW);
    /* Unmapping the rest frees the table the split made. */
    KASSERT_EQ(t, pd_unmap(&f.user, vaddr(PD_TEST_USER_VA), LARGE), 0);
    KEXPECT_EQ(t, f.user.table_pages, 1);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, unmap_splits_large_leaf) { pd_for_each_format(t, test_split_on_unmap); }

static void test_split_on_protect(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    KASSERT_EQ(t, pd_map(&f.user, vaddr(PD_TEST_USER_VA), paddr(PD_TEST_PA), LARGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    uint64_t ro = PD_TEST_USER_VA + LARGE - PAGE;
    KASSERT_EQ(t, pd_protect(&f.user, vaddr(ro), PAGE, PD_READ | PD_USER), 0);
    struct swmmu_result r = access_as_trap(&f, ro, FAULT_WRITE, true);
    KEXPECT_EQ(t, r.outcome, SWMMU_PROTECTION);
    r = access_as_trap(&f, ro - PAGE, FAULT_WRITE, true);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    KEXPECT_EQU(t, r.pa, PD_TEST_PA + LARGE - 2 * PAGE);
    r = access_as_trap(&f, ro, FAULT_READ, true);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    /* Protect over a hole skips it. */
    KEXPECT_EQ(t, pd_protect(&f.user, vaddr(PD_TEST_USER_VA), 2 * LARGE, PD_READ | PD_USER), 0);
    expect_fault(t, &f, PD_TEST_USER_VA + LARGE, FAULT_READ, true, SWMMU_NOT_PRESENT);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, protect_splits_large_leaf) { pd_for_each_format(t, test_split_on_protect); }

static void test_reclaim(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    size_t baseline = f.sim.in_use;
    static const uint64_t offsets[] = { 0, 5 * PAGE, 3 * MiB, GiB + 7 * PAGE, 40 * GiB };
    for (size_t i = 0; i < ARRAY_SIZE(offsets); i++)
        KEXPECT_EQ(t, pd_map(&f.user, vaddr(PD_TEST_USER_VA + offsets[i]),
                             paddr(PD_TEST_PA + i * PAGE), 3 * PAGE, USER_RW, MEMORY_TYPE_NORMAL),
                   0);
    KEXPECT_LT(t, baseline, f.sim.in_use);
    for (size_t i = 0; i < ARRAY_SIZE(offsets); i++)
        KEXPECT_EQ(t, pd_unmap(&f.user, vaddr(PD_TEST_USER_VA + offsets[i]), 3 * PAGE), 0);
    KEXPECT_EQ(t, f.sim.in_use, baseline);
    KEXPECT_EQ(t, f.user.table_pages, 1);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, unmap_frees_empty_tables) { pd_for_each_format(t, test_reclaim); }

/* A snapshot of all table memory, to prove a failed call changed nothing. */
static uint8_t *snapshot(struct pd_fixture *f)
{
    uint8_t *copy = malloc(f->sim.memory.size);
    memcpy(copy, f->sim.memory.base, f->sim.memory.size);
    return copy;
}

static bool unchanged(struct pd_fixture *f, uint8_t *before)
{
    bool same = memcmp(before, f->sim.memory.base, f->sim.memory.size) == 0;
    free(before);
    return same;
}

static void test_invalid_calls(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    struct page_directory *u = &f.user, *k = &f.kernel;
    KASSERT_EQ(t, pd_map(u, vaddr(PD_TEST_USER_VA), paddr(PD_TEST_PA), 4 * PAGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    uint8_t *before = snapshot(&f);
    size_t pages = f.sim.in_use;
    uint64_t va = PD_TEST_USER_VA + 8 * PAGE, pa = PD_TEST_PA;
    uint64_t user_top = tf->format->split_roots ? UINT64_C(1) << tf->format->va_bits
                                                : UINT64_C(1) << (tf->format->va_bits - 1);

    KEXPECT_EQ(t, pd_map(u, vaddr(va + 1), paddr(pa), PAGE, USER_RW, 0), -E_ALIGN);
    KEXPECT_EQ(t, pd_map(u, vaddr(va), paddr(pa + 1), PAGE, USER_RW, 0), -E_ALIGN);
    KEXPECT_EQ(t, pd_map(u, vaddr(va), paddr(pa), PAGE + 1, USER_RW, 0), -E_ALIGN);
    KEXPECT_EQ(t, pd_map(u, vaddr(va), paddr(pa), 0, USER_RW, 0), -E_INVAL);
    KEXPECT_EQ(t, pd_map(u, vaddr(user_top - PAGE), paddr(pa), 2 * PAGE, USER_RW, 0), -E_RANGE);
    KEXPECT_EQ(t, pd_map(u, vaddr(user_top), paddr(pa), PAGE, USER_RW, 0), -E_RANGE);
    KEXPECT_EQ(t, pd_map(u, vaddr(PD_TEST_KERNEL_VA), paddr(pa), PAGE, USER_RW, 0), -E_RANGE);
    KEXPECT_EQ(t, pd_map(k, vaddr(UINT64_C(0) - PAGE), paddr(pa), 2 * PAGE, PD_READ, 0), -E_RANGE);
    KEXPECT_EQ(t, pd_map(k, vaddr(PD_TEST_USER_VA), paddr(pa), PAGE, PD_READ, 0), -E_RANGE);
    KEXPECT_EQ(t, pd_map(u, vaddr(va), paddr(tf->format->phys_limit), PAGE, USER_RW, 0), -E_RANGE);
    KEXPECT_EQ(t, pd_map(u, vaddr(va), paddr(UINT64_C(0) - PAGE), 2 * PAGE, USER_RW, 0), -E_RANGE);
    KEXPECT_EQ(t, pd_map(u, vaddr(va), paddr(pa), PAGE, PD_WRITE | PD_USER, 0), -E_INVAL);
    KEXPECT_EQ(t, pd_map(u, vaddr(va), paddr(pa), PAGE, USER_RW | PD_GLOBAL, 0), -E_INVAL);
    KEXPECT_EQ(t, pd_map(u, vaddr(va), paddr(pa), PAGE, USER_RW | (1u << 20), 0), -E_INVAL);
    KEXPECT_EQ(t, pd_map(k, vaddr(PD_TEST_KERNEL_VA), paddr(pa), PAGE, USER_RW, 0), -E_INVAL);
    KEXPECT_EQ(t, pd_map(u, vaddr(va), paddr(pa), PAGE, USER_RW, (enum memory_type)7), -E_INVAL);
    /* Overlapping an existing mapping, wholly or at one end. */
    KEXPECT_EQ(t, pd_map(u, vaddr(PD_TEST_USER_VA), paddr(pa), PAGE, USER_RW, 0), -E_EXIST);
    KEXPECT_EQ(t, pd_map(u, vaddr(PD_TEST_USER_VA - 2 * PAGE), paddr(pa), 3 * PAGE, USER_RW, 0),
               -E_EXIST);
    KEXPECT_EQ(t, pd_map(u, vaddr(PD_TEST_USER_VA + 3 * PAGE), paddr(pa), LARGE, USER_RW, 0),
               -E_EXIST);
    KEXPECT_EQ(t, pd_unmap(u, vaddr(va + 1), PAGE), -E_ALIGN);
    KEXPECT_EQ(t, pd_unmap(u, vaddr(va), 0), -E_INVAL);
    KEXPECT_EQ(t, pd_unmap(u, vaddr(UINT64_C(0) - PAGE), 2 * PAGE), -E_RANGE);
    KEXPECT_EQ(t, pd_protect(u, vaddr(PD_TEST_USER_VA), PAGE, 0), -E_INVAL);
    KEXPECT_EQ(t, pd_protect(u, vaddr(PD_TEST_USER_VA), PAGE + 7, PD_READ), -E_ALIGN);
    KEXPECT_EQ(t, pd_clear_accessed_dirty(u, vaddr(PD_TEST_KERNEL_VA), PAGE), -E_RANGE);
    struct pd_query_result q;
    KEXPECT_EQ(t, pd_query(u, vaddr(user_top), &q), -E_RANGE);
    KEXPECT(t, unchanged(&f, before));
    KEXPECT_EQ(t, f.sim.in_use, pages);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, invalid_calls_change_nothing) { pd_for_each_format(t, test_invalid_calls); }

static void test_out_of_memory(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    KASSERT_EQ(t, pd_map(&f.user, vaddr(PD_TEST_USER_VA), paddr(PD_TEST_PA), LARGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    /* A map that needs several tables, failing at each possible point in turn. */
    for (long n = 0; n < 4; n++) {
        uint8_t *before = snapshot(&f);
        size_t pages = f.sim.in_use;
        simphys_fail_after(&f.sim, n);
        int err = pd_map(&f.user, vaddr(PD_TEST_USER_VA + 3 * GiB + 5 * PAGE), paddr(PD_TEST_PA),
                         8 * PAGE, USER_RW, MEMORY_TYPE_NORMAL);
        simphys_fail_after(&f.sim, -1);
        if (err == 0) {
            KEXPECT_EQ(t, pd_unmap(&f.user, vaddr(PD_TEST_USER_VA + 3 * GiB + 5 * PAGE), 8 * PAGE), 0);
            free(before);
            break; /* enough tables this time: every failure point was tried */
        }
        KEXPECT_EQ(t, err, -E_NOMEM);
        KEXPECT_EQ(t, f.sim.in_use, pages);
        KEXPECT(t, unchanged(&f, before));
    }
    /* Splitting the large leaf needs a table: with none, unmap fails and changes nothing. */
    uint8_t *before = snapshot(&f);
    simphys_fail_after(&f.sim, 0);
    KEXPECT_EQ(t, pd_unmap(&f.user, vaddr(PD_TEST_USER_VA + PAGE), PAGE), -E_NOMEM);
    KEXPECT_EQ(t, pd_protect(&f.user, vaddr(PD_TEST_USER_VA + PAGE), PAGE, PD_READ | PD_USER),
               -E_NOMEM);
    simphys_fail_after(&f.sim, -1);
    KEXPECT(t, unchanged(&f, before));
    expect_translates(t, &f, PD_TEST_USER_VA + PAGE, PD_TEST_PA + PAGE, FAULT_READ, true);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, out_of_tables_changes_nothing) { pd_for_each_format(t, test_out_of_memory); }

/* The same for a map of one page (the page-fault path, which has a walk of its own). */
static void test_one_page_out_of_tables(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    KASSERT_EQ(t, pd_map(&f.user, vaddr(PD_TEST_USER_VA), paddr(PD_TEST_PA), PAGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    /* Far enough that every level below the root needs a new table. */
    uint64_t va = PD_TEST_USER_VA + 3 * GiB + 5 * PAGE;
    for (long n = 0; n < (long)tf->format->levels; n++) {
        uint8_t *before = snapshot(&f);
        size_t pages = f.sim.in_use;
        simphys_fail_after(&f.sim, n);
        int err = pd_map(&f.user, vaddr(va), paddr(PD_TEST_PA), PAGE, USER_RW, MEMORY_TYPE_NORMAL);
        simphys_fail_after(&f.sim, -1);
        if (err == 0) {
            free(before);
            expect_translates(t, &f, va, PD_TEST_PA, FAULT_READ, true);
            break; /* enough tables this time: every failure point was tried */
        }
        KEXPECT_EQ(t, err, -E_NOMEM);
        KEXPECT_EQ(t, f.sim.in_use, pages);
        KEXPECT(t, unchanged(&f, before));
    }
    /* A page that is mapped already, or lies under a large leaf: -E_EXIST, nothing changed. */
    KASSERT_EQ(t, pd_map(&f.user, vaddr(PD_TEST_USER_VA + LARGE), paddr(PD_TEST_PA), LARGE,
                         USER_RW, MEMORY_TYPE_NORMAL), 0);
    uint8_t *before = snapshot(&f);
    KEXPECT_EQ(t, pd_map(&f.user, vaddr(PD_TEST_USER_VA), paddr(PD_TEST_PA), PAGE, USER_RW,
                         MEMORY_TYPE_NORMAL), -E_EXIST);
    KEXPECT_EQ(t, pd_map(&f.user, vaddr(PD_TEST_USER_VA + LARGE + 3 * PAGE), paddr(PD_TEST_PA),
                         PAGE, USER_RW, MEMORY_TYPE_NORMAL), -E_EXIST);
    KEXPECT(t, unchanged(&f, before));
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, one_page_map_out_of_tables_changes_nothing)
{
    pd_for_each_format(t, test_one_page_out_of_tables);
}

static void test_accessed_dirty(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    uint64_t va = PD_TEST_USER_VA;
    KASSERT_EQ(t, pd_map(&f.user, vaddr(va), paddr(PD_TEST_PA), 2 * PAGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&f.user, vaddr(va), &q), 0);
    KEXPECT(t, !q.accessed && !q.dirty);

    struct swmmu_result r = access_as_trap(&f, va, FAULT_READ, true);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    KASSERT_EQ(t, pd_query(&f.user, vaddr(va), &q), 0);
    KEXPECT(t, q.accessed && !q.dirty);
    r = access_as_trap(&f, va, FAULT_WRITE, true);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    KASSERT_EQ(t, pd_query(&f.user, vaddr(va), &q), 0);
    KEXPECT(t, q.accessed && q.dirty);
    KASSERT_EQ(t, pd_query(&f.user, vaddr(va + PAGE), &q), 0);
    KEXPECT(t, !q.accessed && !q.dirty); /* the neighbour was not touched */

    KEXPECT_EQ(t, pd_clear_accessed_dirty(&f.user, vaddr(va), 2 * PAGE), 0);
    KASSERT_EQ(t, pd_query(&f.user, vaddr(va), &q), 0);
    KEXPECT(t, !q.accessed && !q.dirty);
    KEXPECT_EQ(t, q.prot, USER_RW); /* clearing dirty must not lose write permission */

    /* A real violation is not resolved: a write to a read-only page, a user access to a kernel page. */
    KASSERT_EQ(t, pd_protect(&f.user, vaddr(va), PAGE, PD_READ | PD_USER), 0);
    KEXPECT_EQ(t, pd_update_accessed_dirty(&f.user, vaddr(va), FAULT_WRITE, true), -E_FAULT);
    KASSERT_EQ(t, pd_map(&f.kernel, vaddr(PD_TEST_KERNEL_VA), paddr(PD_TEST_PA), PAGE,
                         PD_READ | PD_WRITE, MEMORY_TYPE_NORMAL), 0);
    KEXPECT_EQ(t, pd_update_accessed_dirty(&f.user, vaddr(PD_TEST_KERNEL_VA), FAULT_READ, true),
               -E_FAULT);
    KEXPECT_EQ(t, pd_update_accessed_dirty(&f.user, vaddr(va + 8 * PAGE), FAULT_READ, true),
               -E_FAULT);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, accessed_and_dirty) { pd_for_each_format(t, test_accessed_dirty); }

/* A fault path's mapping: already accessed (and dirty), so the retried access takes no fault. */
static void test_map_accessed_dirty(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    uint64_t va = PD_TEST_USER_VA;
    KASSERT_EQ(t, pd_map(&f.user, vaddr(va), paddr(PD_TEST_PA), PAGE, USER_RW | PD_MAP_ACCESSED,
                         MEMORY_TYPE_NORMAL), 0);
    KASSERT_EQ(t, pd_map(&f.user, vaddr(va + PAGE), paddr(PD_TEST_PA + PAGE), PAGE,
                         USER_RW | PD_MAP_ACCESSED | PD_MAP_DIRTY, MEMORY_TYPE_NORMAL), 0);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&f.user, vaddr(va), &q), 0);
    KEXPECT(t, q.accessed && !q.dirty);
    KEXPECT_EQ(t, q.prot, USER_RW); /* the state bits are not rights */
    KEXPECT_EQ(t, pd_translate(&f, va, FAULT_READ, true).outcome, SWMMU_OK);
    KASSERT_EQ(t, pd_query(&f.user, vaddr(va + PAGE), &q), 0);
    KEXPECT(t, q.accessed && q.dirty);
    KEXPECT_EQ(t, q.prot, USER_RW);
    /* No fault at all, not even one pd_update_accessed_dirty() would resolve. */
    KEXPECT_EQ(t, pd_translate(&f, va + PAGE, FAULT_WRITE, true).outcome, SWMMU_OK);
    KEXPECT_EQ(t, pd_translate(&f, va + PAGE, FAULT_READ, true).outcome, SWMMU_OK);
    /* Dirty without the right to write is refused, and changes nothing. */
    KEXPECT_EQ(t, pd_map(&f.user, vaddr(va + 2 * PAGE), paddr(PD_TEST_PA), PAGE,
                         PD_READ | PD_USER | PD_MAP_DIRTY, MEMORY_TYPE_NORMAL), -E_INVAL);
    KEXPECT_EQ(t, pd_query(&f.user, vaddr(va + 2 * PAGE), &q), -E_NOENT);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, map_already_accessed_and_dirty) { pd_for_each_format(t, test_map_accessed_dirty); }

static void test_kernel_half_shared(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    uint64_t kva = PD_TEST_KERNEL_VA;
    KASSERT_EQ(t, pd_map(&f.kernel, vaddr(kva), paddr(PD_TEST_PA), PAGE,
                         PD_READ | PD_WRITE | PD_GLOBAL, MEMORY_TYPE_NORMAL), 0);
    /* Seen through the user directory created before it... */
    expect_translates(t, &f, kva, PD_TEST_PA, FAULT_WRITE, false);
    /* ...and one created after, and not reachable from user mode. */
    struct page_directory second;
    KASSERT_EQ(t, pd_create_user(&second, &f.kernel, 2), 0);
    KASSERT_EQ(t, pd_map(&f.kernel, vaddr(kva + LARGE), paddr(PD_TEST_PA), LARGE,
                         PD_READ | PD_EXECUTE, MEMORY_TYPE_NORMAL), 0);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&second, vaddr(kva + LARGE + PAGE), &q), 0);
    KEXPECT_EQU(t, q.phys.value, PD_TEST_PA + PAGE);
    expect_translates(t, &f, kva + LARGE, PD_TEST_PA, FAULT_EXECUTE, false);
    expect_fault(t, &f, kva, FAULT_READ, true, SWMMU_PROTECTION);
    /* User mappings stay private to their directory. */
    KASSERT_EQ(t, pd_map(&second, vaddr(PD_TEST_USER_VA), paddr(PD_TEST_PA), PAGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    KEXPECT_EQ(t, pd_query(&f.user, vaddr(PD_TEST_USER_VA), &q), -E_NOENT);
    KEXPECT_EQ(t, pd_query(&second, vaddr(PD_TEST_USER_VA), &q), 0);
    pd_destroy(&second);
    /* Unmapping every kernel page keeps the shared top-level tables. */
    KEXPECT_EQ(t, pd_unmap(&f.kernel, vaddr(kva), 2 * LARGE), 0);
    expect_fault(t, &f, kva, FAULT_READ, false, SWMMU_NOT_PRESENT);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, kernel_half_is_shared) { pd_for_each_format(t, test_kernel_half_shared); }

static void test_memory_types(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    static const enum memory_type types[] = { MEMORY_TYPE_NORMAL, MEMORY_TYPE_IO,
                                              MEMORY_TYPE_NONCACHEABLE };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        uint64_t va = PD_TEST_KERNEL_VA + i * LARGE;
        KASSERT_EQ(t, pd_map(&f.kernel, vaddr(va), paddr(PD_TEST_PA), PAGE, PD_READ | PD_WRITE,
                             types[i]), 0);
        struct pd_query_result q;
        KASSERT_EQ(t, pd_query(&f.kernel, vaddr(va), &q), 0);
        struct swmmu_result r = pd_translate(&f, va, FAULT_READ, false);
        KEXPECT_EQ(t, r.outcome, SWMMU_OK);
        enum memory_type expected = tf->has_memory_types ? types[i] : MEMORY_TYPE_NORMAL;
        KEXPECT_EQ(t, q.type, expected);
        KEXPECT_EQ(t, r.type, expected);
    }
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, memory_types_reach_the_entry) { pd_for_each_format(t, test_memory_types); }

static void test_quick_slots(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    uint64_t va = PD_TEST_KERNEL_VA + 5 * PAGE;
    struct pd_quick_slot slot;
    KEXPECT_EQ(t, pd_quick_slot_init(&f.user, vaddr(PD_TEST_USER_VA), &slot), -E_RANGE);
    KASSERT_EQ(t, pd_quick_slot_init(&f.kernel, vaddr(va), &slot), 0);
    expect_fault(t, &f, va, FAULT_READ, false, SWMMU_NOT_PRESENT);
    for (uint64_t i = 0; i < 3; i++) {
        pd_quick_enter(&slot, paddr(PD_TEST_PA + i * PAGE));
        KEXPECT_EQU(t, pd_hw_record.last_va, va); /* every change is flushed */
        expect_translates(t, &f, va + 8, PD_TEST_PA + i * PAGE + 8, FAULT_WRITE, false);
        expect_fault(t, &f, va, FAULT_READ, true, SWMMU_PROTECTION); /* never user */
    }
    pd_quick_remove(&slot);
    expect_fault(t, &f, va, FAULT_READ, false, SWMMU_NOT_PRESENT);
    /* A slot over an existing mapping is refused. */
    KASSERT_EQ(t, pd_map(&f.kernel, vaddr(va + PAGE), paddr(PD_TEST_PA), PAGE, PD_READ, 0), 0);
    KEXPECT_EQ(t, pd_quick_slot_init(&f.kernel, vaddr(va + PAGE), &slot), -E_EXIST);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, quick_slots_change_one_entry) { pd_for_each_format(t, test_quick_slots); }

/* A slot whose tables run out at each point in turn: the tables made so far are freed again. */
static void test_quick_slot_out_of_tables(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    /* Far from every kernel mapping, so each level below the kernel's top tables is new. */
    uint64_t va = PD_TEST_KERNEL_VA + 7 * PAGE;
    struct pd_quick_slot slot;
    for (long n = 0; n < (long)tf->format->levels; n++) {
        uint8_t *before = snapshot(&f);
        size_t pages = f.sim.in_use;
        simphys_fail_after(&f.sim, n);
        int err = pd_quick_slot_init(&f.kernel, vaddr(va), &slot);
        simphys_fail_after(&f.sim, -1);
        if (err == 0) {
            free(before);
            break; /* enough tables this time: every failure point was tried */
        }
        KEXPECT_EQ(t, err, -E_NOMEM);
        KEXPECT_EQ(t, f.sim.in_use, pages);
        KEXPECT(t, unchanged(&f, before));
    }
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd, quick_slot_out_of_tables_changes_nothing)
{
    pd_for_each_format(t, test_quick_slot_out_of_tables);
}
