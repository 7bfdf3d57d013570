/*
 * Host tests of the valid-entry counts the page-table engine keeps per
 * table page (kernel/arch/pt/page_directory.c): after every kind of change
 * (maps small and large, splits by unmap and by protect, clearing, maps
 * undone for want of tables, quick slots, a second user directory) every
 * table's count must equal a scan of its entries; a walk frees only the
 * tables it empties; and a count that drifts must be noticed, both by the
 * test hook and by the engine's own check.
 */
#include "tests/host/host.h"
#include "tests/host/pt/pd_fixture.h"
#include <pagoda/errors.h>

#define PAGE PT_PAGE_SIZE
#define LARGE PT_LEVEL_SIZE(1)
#define HUGE PT_LEVEL_SIZE(2)
#define USER_RW (PD_READ | PD_WRITE | PD_USER)
#define KERNEL_RW (PD_READ | PD_WRITE | PD_GLOBAL)
/* How many allocations a map that fails for want of tables is stopped at, in turn. */
#define FAILURE_POINTS 4

/* Both directories of F keep exact counts; STEP names the change in a failure. */
static void expect_counts(struct ktest *t, struct pd_fixture *f, const char *step)
{
    size_t user = pt_count_mismatches(&f->user), kernel = pt_count_mismatches(&f->kernel);
    if (user || kernel)
        ktest_note(t, "after %s: %zu user and %zu kernel tables miscounted", step, user, kernel);
    KEXPECT_EQ(t, user, 0);
    KEXPECT_EQ(t, kernel, 0);
}

static void test_counts_follow_changes(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    struct page_directory *u = &f.user, *k = &f.kernel;
    uint64_t va = PD_TEST_USER_VA, pa = PD_TEST_PA;
    expect_counts(t, &f, "create");

    KASSERT_EQ(t, pd_map(u, vaddr(va), paddr(pa), PAGE, USER_RW, MEMORY_TYPE_NORMAL), 0);
    /* Three pages across a 2 MiB boundary: two last-level tables. */
    KASSERT_EQ(t, pd_map(u, vaddr(va + LARGE - PAGE), paddr(pa), 3 * PAGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    KASSERT_EQ(t, pd_map(u, vaddr(va + 2 * LARGE), paddr(pa), LARGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    KASSERT_EQ(t, pd_map(u, vaddr(va + HUGE), paddr(2 * HUGE), HUGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    expect_counts(t, &f, "maps");

    /* Splits: a 2 MiB leaf by unmap; the 1 GiB leaf (where there is one) twice by protect. */
    KASSERT_EQ(t, pd_unmap(u, vaddr(va + 2 * LARGE + 5 * PAGE), PAGE), 0);
    expect_counts(t, &f, "unmap splitting a 2 MiB leaf");
    KASSERT_EQ(t, pd_protect(u, vaddr(va + HUGE + 7 * PAGE), PAGE, PD_READ | PD_USER), 0);
    expect_counts(t, &f, "protect splitting a 1 GiB leaf");
    KASSERT_EQ(t, pd_clear_accessed_dirty(u, vaddr(va), 4 * LARGE), 0);
    expect_counts(t, &f, "clear accessed/dirty");

    /* A map stopped at each allocation in turn is undone; the counts with it. */
    for (long n = 0; n < FAILURE_POINTS; n++) {
        simphys_fail_after(&f.sim, n);
        int err = pd_map(u, vaddr(va + 3 * HUGE + 5 * PAGE), paddr(pa), 8 * PAGE, USER_RW,
                         MEMORY_TYPE_NORMAL);
        simphys_fail_after(&f.sim, -1);
        expect_counts(t, &f, "a map that ran out of tables");
        if (err == 0)
            break;
        KEXPECT_EQ(t, err, -E_NOMEM);
    }

    /* Quick slots count their entry only while it maps a page. */
    struct pd_quick_slot slot;
    KASSERT_EQ(t, pd_quick_slot_init(k, vaddr(PD_TEST_KERNEL_VA + 3 * PAGE), &slot), 0);
    expect_counts(t, &f, "quick slot set-up");
    pd_quick_enter(&slot, paddr(pa));
    pd_quick_enter(&slot, paddr(pa + PAGE)); /* replacing a page: still one entry */
    expect_counts(t, &f, "quick slot entered");
    pd_quick_remove(&slot);
    pd_quick_remove(&slot); /* removing nothing: no change */
    expect_counts(t, &f, "quick slot removed");
    /* Away from the slot's table (only its owner may touch it): a 2 MiB leaf, split. */
    KASSERT_EQ(t, pd_map(k, vaddr(PD_TEST_KERNEL_VA + LARGE), paddr(pa), LARGE, KERNEL_RW,
                         MEMORY_TYPE_NORMAL), 0);
    KASSERT_EQ(t, pd_unmap(k, vaddr(PD_TEST_KERNEL_VA + LARGE), 2 * PAGE), 0);
    expect_counts(t, &f, "kernel map and unmap");

    /* A second user directory counts the kernel entries it copies into its root. */
    struct page_directory second;
    KASSERT_EQ(t, pd_create_user(&second, k, 2), 0);
    KEXPECT_EQ(t, pt_count_mismatches(&second), 0);
    pd_destroy(&second);

    /* Emptying the user half frees every table but the root: no count stayed above 0. */
    KASSERT_EQ(t, pd_unmap(u, vaddr(va), 4 * HUGE), 0);
    expect_counts(t, &f, "unmapping everything");
    KEXPECT_EQ(t, u->table_pages, 1);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd_count, counts_follow_every_change) { pd_for_each_format(t, test_counts_follow_changes); }

/*
 * A walk frees only the tables it empties. Protect and clear turn leaves into
 * leaves, so they free none, and an unmap that removes nothing from a table
 * leaves it: a quick slot's table while the slot maps nothing (with no anchor
 * beside it) stays under all three, and the slot works.
 */
static void test_walks_free_what_they_empty(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    uint64_t va = PD_TEST_KERNEL_VA + 9 * PAGE;
    struct pd_quick_slot slot;
    KASSERT_EQ(t, pd_quick_slot_init(&f.kernel, vaddr(va), &slot), 0);
    size_t tables = f.kernel.table_pages;
    KEXPECT_EQ(t, pd_protect(&f.kernel, vaddr(PD_TEST_KERNEL_VA), LARGE, PD_READ), 0);
    KEXPECT_EQ(t, pd_clear_accessed_dirty(&f.kernel, vaddr(PD_TEST_KERNEL_VA), LARGE), 0);
    KEXPECT_EQ(t, pd_unmap(&f.kernel, vaddr(PD_TEST_KERNEL_VA), 8 * PAGE), 0); /* beside the slot */
    KEXPECT_EQ(t, f.kernel.table_pages, tables);
    pd_quick_enter(&slot, paddr(PD_TEST_PA));
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&f.kernel, vaddr(va), &q), 0);
    KEXPECT_EQU(t, q.phys.value, PD_TEST_PA);
    pd_quick_remove(&slot);
    expect_counts(t, &f, "walks over an empty quick slot's table");
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd_count, walks_free_only_tables_they_empty)
{
    pd_for_each_format(t, test_walks_free_what_they_empty);
}

/* The page provider's counter of PD's root, to make it drift on purpose. */
static pd_valid_count_t *root_count(struct pd_fixture *f, struct page_directory *pd)
{
    return &f->sim.valid[pd->root.value / PAGE];
}

static void test_hook_sees_drift(struct ktest *t, const struct pd_test_format *tf)
{
    struct pd_fixture f;
    pd_fixture_init(&f, tf);
    KASSERT_EQ(t, pd_map(&f.user, vaddr(PD_TEST_USER_VA), paddr(PD_TEST_PA), PAGE, USER_RW,
                         MEMORY_TYPE_NORMAL), 0);
    KEXPECT_EQ(t, pt_count_mismatches(&f.user), 0);
    (*root_count(&f, &f.user))++;
    KEXPECT_EQ(t, pt_count_mismatches(&f.user), 1);
    (*root_count(&f, &f.user))--;
    KEXPECT_EQ(t, pt_count_mismatches(&f.user), 0);
    KEXPECT_EQ(t, pd_fixture_fini(&f), 0);
}

KTEST(pd_count, test_hook_sees_a_drifted_count) { pd_for_each_format(t, test_hook_sees_drift); }

/* For host_panics(), which runs a function of no arguments in a child process. */
static const struct pd_test_format *drift_format;

/* A count one too high: the table would never be freed. The engine's check must panic. */
static void unmap_with_drifted_count(void)
{
    struct pd_fixture f;
    pd_fixture_init(&f, drift_format);
    if (pd_map(&f.user, vaddr(PD_TEST_USER_VA), paddr(PD_TEST_PA), PAGE, USER_RW,
               MEMORY_TYPE_NORMAL) != 0)
        return; /* exits without a panic: the test fails */
    (*root_count(&f, &f.user))++;
    (void)pd_unmap(&f.user, vaddr(PD_TEST_USER_VA), PAGE);
}

static void test_engine_sees_drift(struct ktest *t, const struct pd_test_format *tf)
{
    drift_format = tf;
    KEXPECT(t, host_panics(unmap_with_drifted_count));
}

KTEST(pd_count, engine_check_panics_on_a_drifted_count)
{
    pd_for_each_format(t, test_engine_sees_drift);
}
