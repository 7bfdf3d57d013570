/*
 * Host tests of fork over private file mappings (suite file_fork), over
 * every page-table format: the pages a private mapping wrote are shared
 * copy-on-write with the child (one physical page, read-only in both page
 * directories), the first write on either side copies it or keeps it when
 * the other side has let go, pages never written keep following the file's
 * shared page cache, and the copies a fork can need are committed at the
 * fork, so that breaking the sharing never fails, even with memory gone.
 * User accesses go through the format's software MMU; a fault goes to
 * pd_update_accessed_dirty() and then as_handle_fault(), as the trap code
 * does. Every test ends with every data page, commitment and table page back.
 */
#include "mm/address_space.h"
#include "tests/host/mm/as_model.h"
#include <pagoda/errors.h>
#include <string.h>

#define PAGE PHYS_PAGE_SIZE
#define RAM_PAGES 512
#define RW (REGION_READ | REGION_WRITE)

#define FILE_PAGES 4
#define FILE_TAIL_BYTES 200                                  /* the last page is short */
#define FILE_BYTES ((FILE_PAGES - 1) * PAGE + FILE_TAIL_BYTES)
#define FILE_PATTERN_PERIOD 251                              /* prime: no page repeats another */
#define PRIVATE_BASE UINT64_C(0x400000)                      /* the private mapping */
#define SHARED_BASE UINT64_C(0x800000)                       /* a shared mapping of the same file */
#define PARENT_ASID 1
#define CHILD_ASID 2
#define GRANDCHILD_ASID 3

struct fork_fixture {
    struct as_fixture base; /* simulated RAM, mm/phys and a kernel directory */
    uint8_t bytes[FILE_BYTES];
    struct vfile file;
};

/* The fixture is large (the file's bytes): one, reset by each test. */
static struct fork_fixture fixture;

static uint8_t pattern_byte(uint64_t offset)
{
    return (uint8_t)(offset % FILE_PATTERN_PERIOD);
}

static struct fork_fixture *fixture_init(const struct pd_test_format *tf)
{
    struct fork_fixture *f = &fixture;
    as_fixture_init(&f->base, tf, RAM_PAGES);
    for (uint64_t i = 0; i < FILE_BYTES; i++)
        f->bytes[i] = pattern_byte(i);
    f->file = (struct vfile){ .name = "file", .size = FILE_BYTES, .data = f->bytes,
                              .writable = true };
    return f;
}

/* Tear down; true if every data page, commitment and table page came back. */
static bool fixture_fini(struct fork_fixture *f)
{
    bool file_released = f->file.shared == NULL;
    return as_fixture_fini(&f->base) && file_released;
}

/* Pages committed, and in use, beyond what the fixture started with. */
static uint64_t committed_pages(const struct fork_fixture *f)
{
    struct phys_stats s;
    phys_get_stats(&s);
    return s.committed - f->base.start.committed;
}

static uint64_t used_pages(const struct fork_fixture *f)
{
    struct phys_stats s;
    phys_get_stats(&s);
    return s.used - f->base.start.used;
}

/* The word at VA as the program reads it (UINT64_MAX if the read fails). */
static uint64_t read_word(struct fork_fixture *f, struct address_space *as, uint64_t va)
{
    uint64_t value = UINT64_MAX;
    if (as_fixture_access(&f->base, as, va, FAULT_READ, &value) != FAULT_RESPONSE_CONTINUE)
        return UINT64_MAX;
    return value;
}

static enum fault_response write_word(struct fork_fixture *f, struct address_space *as,
                                      uint64_t va, uint64_t value)
{
    return as_fixture_access(&f->base, as, va, FAULT_WRITE, &value);
}

/* The file's word at OFFSET as it was made (what a page never written must read). */
static uint64_t pattern_word(uint64_t offset)
{
    uint64_t w = 0;
    for (unsigned i = 0; i < sizeof(w); i++)
        w |= (uint64_t)pattern_byte(offset + i) << (8 * i);
    return w;
}

/* Is the file's content still what the fixture made it? */
static bool file_untouched(const struct fork_fixture *f)
{
    for (uint64_t i = 0; i < FILE_BYTES; i++) {
        if (f->bytes[i] != pattern_byte(i))
            return false;
    }
    return true;
}

/* What maps VA in AS: its physical page (0 if nothing) and whether it is writable. */
static uint64_t mapped_page(struct address_space *as, uint64_t va, bool *writable)
{
    struct pd_query_result q;
    if (pd_query(&as->pd, vaddr(va), &q) != 0) {
        *writable = false;
        return 0;
    }
    *writable = q.prot & PD_WRITE;
    return ALIGN_DOWN(q.phys.value, PAGE);
}

static uint64_t private_va(uint64_t page) { return PRIVATE_BASE + page * PAGE; }

/* A new address space with a private mapping of the whole file at PRIVATE_BASE. */
static int map_private(struct fork_fixture *f, struct address_space *as)
{
    int err = as_create(as, &f->base.kernel, PARENT_ASID);
    if (err)
        return err;
    err = as_map_file(as, PRIVATE_BASE, FILE_PAGES * PAGE, RW, 0, &f->file, 0, "private", NULL);
    if (err)
        as_destroy(as);
    return err;
}

/* Pages a test takes to exhaust memory, most recent last. */
static paddr_t hogs[RAM_PAGES];

/* Take every uncommitted page of mm/phys; returns how many were taken. */
static uint64_t hog_all(void)
{
    uint64_t n = 0;
    paddr_t page;
    while (n < RAM_PAGES && phys_alloc_page(PHYS_USAGE_TEST, &page) == 0)
        hogs[n++] = page;
    return n;
}

/* Give back the PAGES most recently taken hogs. */
static void hog_release(uint64_t *hogged, uint64_t pages)
{
    for (uint64_t i = 0; i < pages && *hogged > 0; i++)
        phys_page_unref(hogs[--*hogged]);
}

static void expect_stats(struct ktest *t, struct address_space *as, uint64_t resident,
                         uint64_t shared, uint64_t dirty_private, uint64_t clean_inode)
{
    struct as_stats st;
    as_get_stats(as, &st);
    KEXPECT_EQ(t, st.amount_resident, resident * PAGE);
    KEXPECT_EQ(t, st.amount_shared, shared * PAGE);
    KEXPECT_EQ(t, st.amount_dirty_private, dirty_private * PAGE);
    KEXPECT_EQ(t, st.amount_clean_inode, clean_inode * PAGE);
}

/* What each side writes: its mark plus the page number, so every page's value differs. */
#define PARENT_MARK UINT64_C(0xa11ce000)
#define CHILD_MARK UINT64_C(0xc41d0000)
#define GRANDCHILD_MARK UINT64_C(0x96a40000)
#define SHARED_MARK UINT64_C(0x5ea4ed00)

/*
 * The pages the parent wrote are one physical page in both directories after
 * the fork, mapped read-only on both sides; nothing is copied at the fork,
 * one page per shared page is committed; pages never written are the file's.
 */
static void test_shares_written_pages(struct ktest *t, const struct pd_test_format *tf)
{
    struct fork_fixture *f = fixture_init(tf);
    struct address_space parent, child;
    KASSERT_EQ(t, map_private(f, &parent), 0);
    KEXPECT_EQ(t, write_word(f, &parent, private_va(0), PARENT_MARK + 0), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, write_word(f, &parent, private_va(1), PARENT_MARK + 1), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(2)), pattern_word(2 * PAGE));
    bool writable;
    KEXPECT(t, mapped_page(&parent, private_va(0), &writable) != 0 && writable);
    expect_stats(t, &parent, 2, 0, 2, 0);
    uint64_t used = used_pages(f);
    KEXPECT_EQ(t, committed_pages(f), 0); /* cache pages and first copies: never committed */

    KASSERT_EQ(t, as_fork(&parent, &child, CHILD_ASID), 0);
    KEXPECT_EQ(t, used_pages(f), used);  /* nothing was copied */
    KEXPECT_EQ(t, committed_pages(f), 2); /* one copy for each page both now hold */
    for (uint64_t page = 0; page < 2; page++) {
        KEXPECT_EQU(t, read_word(f, &child, private_va(page)), PARENT_MARK + page);
        KEXPECT_EQU(t, read_word(f, &parent, private_va(page)), PARENT_MARK + page);
        bool parent_writable, child_writable;
        uint64_t in_parent = mapped_page(&parent, private_va(page), &parent_writable);
        uint64_t in_child = mapped_page(&child, private_va(page), &child_writable);
        KEXPECT(t, in_parent != 0);
        KEXPECT_EQU(t, in_parent, in_child);
        KEXPECT(t, !parent_writable);
        KEXPECT(t, !child_writable);
    }
    /* Pages never written: the file's cache page, read-only, in both. */
    for (uint64_t page = 2; page < FILE_PAGES; page++) {
        KEXPECT_EQU(t, read_word(f, &child, private_va(page) + 8), pattern_word(page * PAGE + 8));
        KEXPECT_EQU(t, read_word(f, &parent, private_va(page) + 8), pattern_word(page * PAGE + 8));
        bool parent_writable, child_writable;
        uint64_t in_parent = mapped_page(&parent, private_va(page), &parent_writable);
        KEXPECT_EQU(t, in_parent, mapped_page(&child, private_va(page), &child_writable));
        KEXPECT(t, !parent_writable && !child_writable);
    }
    KEXPECT_EQ(t, used_pages(f), used + 1); /* page 3 read into the cache, nothing else */
    /* Written pages: resident, dirty, shared; the file's pages count for the file, not here. */
    expect_stats(t, &parent, 2, 2, 2, 0);
    expect_stats(t, &child, 2, 2, 2, 0);
    KEXPECT(t, file_untouched(f));
    as_destroy(&child);
    KEXPECT_EQ(t, committed_pages(f), 0); /* the copies the child could need, given back */
    expect_stats(t, &parent, 2, 0, 2, 0);
    as_destroy(&parent);
    KEXPECT(t, fixture_fini(f));
}

KTEST(file_fork, written_pages_are_shared_read_only)
{
    pd_for_each_format(t, test_shares_written_pages);
}

/*
 * Each side's first write copies a shared page, from the fork's commitment;
 * once the other side has its own copy, the remaining holder keeps the page
 * (no copy). Neither side's writes reach the other, nor the file.
 */
static void test_each_side_copies(struct ktest *t, const struct pd_test_format *tf)
{
    struct fork_fixture *f = fixture_init(tf);
    struct address_space parent, child;
    KASSERT_EQ(t, map_private(f, &parent), 0);
    for (uint64_t page = 0; page < 2; page++)
        KEXPECT_EQ(t, write_word(f, &parent, private_va(page), PARENT_MARK + page),
                   FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, as_fork(&parent, &child, CHILD_ASID), 0);
    KEXPECT_EQ(t, committed_pages(f), 2);
    uint64_t used = used_pages(f);
    bool writable;
    uint64_t old0 = mapped_page(&parent, private_va(0), &writable);
    uint64_t old1 = mapped_page(&parent, private_va(1), &writable);

    /* The child writes page 0: a copy, taken from the commitment. */
    KEXPECT_EQ(t, write_word(f, &child, private_va(0), CHILD_MARK + 0), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, committed_pages(f), 1);
    KEXPECT_EQ(t, used_pages(f), used + 1);
    uint64_t child0 = mapped_page(&child, private_va(0), &writable);
    KEXPECT(t, writable);
    KEXPECT(t, child0 != old0);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(0)), PARENT_MARK + 0);
    KEXPECT_EQU(t, read_word(f, &child, private_va(0)), CHILD_MARK + 0);
    KEXPECT_EQU(t, read_word(f, &child, private_va(1)), PARENT_MARK + 1); /* still shared */
    expect_stats(t, &parent, 2, 1, 2, 0);
    expect_stats(t, &child, 2, 1, 2, 0);

    /* The parent writes page 1: a copy too. */
    KEXPECT_EQ(t, write_word(f, &parent, private_va(1), PARENT_MARK + 0x11),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, committed_pages(f), 0);
    KEXPECT_EQ(t, used_pages(f), used + 2);
    KEXPECT(t, mapped_page(&parent, private_va(1), &writable) != old1);
    KEXPECT_EQU(t, read_word(f, &child, private_va(1)), PARENT_MARK + 1);
    expect_stats(t, &parent, 2, 0, 2, 0);
    expect_stats(t, &child, 2, 0, 2, 0);

    /* Now each is the last holder of the other page: it keeps it, writable again. */
    KEXPECT_EQ(t, write_word(f, &parent, private_va(0), PARENT_MARK + 0x10),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, write_word(f, &child, private_va(1), CHILD_MARK + 1), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, used_pages(f), used + 2);
    KEXPECT_EQU(t, mapped_page(&parent, private_va(0), &writable), old0);
    KEXPECT(t, writable);
    KEXPECT_EQU(t, mapped_page(&child, private_va(1), &writable), old1);
    KEXPECT(t, writable);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(0)), PARENT_MARK + 0x10);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(1)), PARENT_MARK + 0x11);
    KEXPECT_EQU(t, read_word(f, &child, private_va(0)), CHILD_MARK + 0);
    KEXPECT_EQU(t, read_word(f, &child, private_va(1)), CHILD_MARK + 1);

    /* The file, and a shared mapping of it, saw none of it. */
    KEXPECT(t, file_untouched(f));
    KASSERT_EQ(t, as_map_file(&parent, SHARED_BASE, FILE_PAGES * PAGE, REGION_READ, REGION_SHARED,
                              &f->file, 0, "shared", NULL), 0);
    KEXPECT_EQU(t, read_word(f, &parent, SHARED_BASE), pattern_word(0));
    KEXPECT_EQU(t, read_word(f, &parent, SHARED_BASE + PAGE), pattern_word(PAGE));
    as_destroy(&parent);
    as_destroy(&child);
    KEXPECT(t, fixture_fini(f));
}

KTEST(file_fork, each_side_copies_then_keeps) { pd_for_each_format(t, test_each_side_copies); }

/*
 * A page first written after the fork: the writer's own copy of the file's
 * page, made then and not committed (a first write never is); the other side
 * still reads the file.
 */
static void test_written_after_fork(struct ktest *t, const struct pd_test_format *tf)
{
    struct fork_fixture *f = fixture_init(tf);
    struct address_space parent, child;
    KASSERT_EQ(t, map_private(f, &parent), 0);
    KEXPECT_EQ(t, write_word(f, &parent, private_va(0), PARENT_MARK), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(2)), pattern_word(2 * PAGE));
    KASSERT_EQ(t, as_fork(&parent, &child, CHILD_ASID), 0);
    KEXPECT_EQ(t, committed_pages(f), 1);
    uint64_t used = used_pages(f);

    KEXPECT_EQ(t, write_word(f, &child, private_va(2) + 16, CHILD_MARK + 2),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, used_pages(f), used + 1);
    KEXPECT_EQ(t, committed_pages(f), 1); /* not from the fork's commitment */
    KEXPECT_EQU(t, read_word(f, &child, private_va(2) + 16), CHILD_MARK + 2);
    KEXPECT_EQU(t, read_word(f, &child, private_va(2) + 8), pattern_word(2 * PAGE + 8));
    KEXPECT_EQU(t, read_word(f, &parent, private_va(2) + 16), pattern_word(2 * PAGE + 16));
    /* And the other way round, on a page not even in the cache yet. */
    KEXPECT_EQ(t, write_word(f, &parent, private_va(3), PARENT_MARK + 3), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(f, &child, private_va(3)), pattern_word(3 * PAGE));
    KEXPECT_EQU(t, read_word(f, &parent, private_va(3)), PARENT_MARK + 3);
    KEXPECT_EQ(t, used_pages(f), used + 3); /* child's copy, cache page, parent's copy */
    expect_stats(t, &parent, 2, 1, 2, 0);
    expect_stats(t, &child, 2, 1, 2, 0);
    KEXPECT(t, file_untouched(f));
    as_destroy(&child);
    as_destroy(&parent);
    KEXPECT(t, fixture_fini(f));
}

KTEST(file_fork, page_written_after_fork) { pd_for_each_format(t, test_written_after_fork); }

/*
 * The semantics chosen for pages a private mapping never wrote (POSIX leaves
 * it unspecified; Linux does the same): they are the file's shared page
 * cache, so writes through a shared mapping show there, in parent and child
 * alike, until the private side writes the page and has its own copy.
 */
static void test_unwritten_follow_file(struct ktest *t, const struct pd_test_format *tf)
{
    struct fork_fixture *f = fixture_init(tf);
    struct address_space parent, child;
    KASSERT_EQ(t, map_private(f, &parent), 0);
    KASSERT_EQ(t, as_map_file(&parent, SHARED_BASE, FILE_PAGES * PAGE, RW, REGION_SHARED,
                              &f->file, 0, "shared", NULL), 0);
    KEXPECT_EQ(t, write_word(f, &parent, private_va(0), PARENT_MARK), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(3)), pattern_word(3 * PAGE));
    KASSERT_EQ(t, as_fork(&parent, &child, CHILD_ASID), 0);

    uint64_t shared3 = SHARED_BASE + 3 * PAGE;
    KEXPECT_EQ(t, write_word(f, &parent, shared3, SHARED_MARK + 1), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(f, &child, shared3), SHARED_MARK + 1); /* the child shares the cache */
    KEXPECT_EQU(t, read_word(f, &parent, private_va(3)), SHARED_MARK + 1);
    KEXPECT_EQU(t, read_word(f, &child, private_va(3)), SHARED_MARK + 1);
    /* A page both hold privately does not follow the file. */
    KEXPECT_EQ(t, write_word(f, &child, SHARED_BASE, SHARED_MARK), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(0)), PARENT_MARK);
    KEXPECT_EQU(t, read_word(f, &child, private_va(0)), PARENT_MARK);

    /* The child writes page 3: its copy holds the shared write, and stops following. */
    KEXPECT_EQ(t, write_word(f, &child, private_va(3) + 8, CHILD_MARK + 3),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, write_word(f, &child, shared3, SHARED_MARK + 2), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(f, &child, private_va(3)), SHARED_MARK + 1);
    KEXPECT_EQU(t, read_word(f, &child, private_va(3) + 8), CHILD_MARK + 3);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(3)), SHARED_MARK + 2); /* still following */
    KEXPECT_EQU(t, read_word(f, &parent, private_va(3) + 8), pattern_word(3 * PAGE + 8));

    /* A sync writes the shared writes back, and none of the private ones. */
    struct region *shared = as_find_region(&parent, SHARED_BASE);
    KASSERT(t, shared != NULL);
    uint64_t written;
    KASSERT_EQ(t, as_sync_vmobject(shared->vmobject, &written), 0);
    KEXPECT_EQ(t, written, 2);
    uint64_t in_file;
    memcpy(&in_file, f->bytes + 3 * PAGE, sizeof(in_file));
    KEXPECT_EQU(t, in_file, SHARED_MARK + 2);
    memcpy(&in_file, f->bytes + 3 * PAGE + 8, sizeof(in_file));
    KEXPECT_EQU(t, in_file, pattern_word(3 * PAGE + 8));
    memcpy(&in_file, f->bytes, sizeof(in_file));
    KEXPECT_EQU(t, in_file, SHARED_MARK);
    as_destroy(&parent);
    as_destroy(&child);
    KEXPECT(t, fixture_fini(f));
}

KTEST(file_fork, unwritten_pages_follow_the_file)
{
    pd_for_each_format(t, test_unwritten_follow_file);
}

/*
 * A fork before any write shares nothing and commits nothing; a later fork
 * of the same object, once it has written, commits its copies.
 */
static void test_fork_before_writes(struct ktest *t, const struct pd_test_format *tf)
{
    struct fork_fixture *f = fixture_init(tf);
    struct address_space parent, child, second;
    KASSERT_EQ(t, map_private(f, &parent), 0);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(0)), pattern_word(0));
    uint64_t used = used_pages(f);
    KASSERT_EQ(t, as_fork(&parent, &child, CHILD_ASID), 0);
    KEXPECT_EQ(t, committed_pages(f), 0);
    KEXPECT_EQ(t, used_pages(f), used);
    KEXPECT_EQ(t, write_word(f, &child, private_va(0), CHILD_MARK), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, write_word(f, &parent, private_va(1), PARENT_MARK + 1), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(0)), pattern_word(0));
    KEXPECT_EQU(t, read_word(f, &child, private_va(1)), pattern_word(PAGE));
    expect_stats(t, &parent, 1, 0, 1, 0);
    KASSERT_EQ(t, as_fork(&parent, &second, GRANDCHILD_ASID), 0);
    KEXPECT_EQ(t, committed_pages(f), 1);
    KEXPECT_EQU(t, read_word(f, &second, private_va(1)), PARENT_MARK + 1);
    KEXPECT_EQU(t, read_word(f, &second, private_va(0)), pattern_word(0));
    expect_stats(t, &parent, 1, 1, 1, 0);
    expect_stats(t, &child, 1, 0, 1, 0); /* not of this family: nothing of it shared */
    KEXPECT_EQ(t, write_word(f, &parent, private_va(1), PARENT_MARK + 0x11),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, committed_pages(f), 0);
    KEXPECT_EQU(t, read_word(f, &second, private_va(1)), PARENT_MARK + 1);
    as_destroy(&parent);
    as_destroy(&second);
    as_destroy(&child);
    KEXPECT(t, fixture_fini(f));
}

KTEST(file_fork, fork_before_any_write) { pd_for_each_format(t, test_fork_before_writes); }

/*
 * A fork of a fork: all three share the page, and the commitment covers two
 * copies of it; the middle one goes first, giving its copy back; the last
 * holder keeps the page.
 */
static void test_fork_of_fork(struct ktest *t, const struct pd_test_format *tf)
{
    struct fork_fixture *f = fixture_init(tf);
    struct address_space parent, child, grandchild;
    KASSERT_EQ(t, map_private(f, &parent), 0);
    KEXPECT_EQ(t, write_word(f, &parent, private_va(0), PARENT_MARK + 0), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, write_word(f, &parent, private_va(1), PARENT_MARK + 1), FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, as_fork(&parent, &child, CHILD_ASID), 0);
    KASSERT_EQ(t, as_fork(&child, &grandchild, GRANDCHILD_ASID), 0);
    KEXPECT_EQ(t, committed_pages(f), 4); /* two pages, each with two holders too many */
    uint64_t used = used_pages(f);
    bool writable;
    for (uint64_t page = 0; page < 2; page++) {
        KEXPECT_EQU(t, read_word(f, &grandchild, private_va(page)), PARENT_MARK + page);
        KEXPECT_EQU(t, read_word(f, &child, private_va(page)), PARENT_MARK + page);
        uint64_t in_parent = mapped_page(&parent, private_va(page), &writable);
        KEXPECT(t, !writable);
        KEXPECT_EQU(t, mapped_page(&child, private_va(page), &writable), in_parent);
        KEXPECT(t, !writable);
        KEXPECT_EQU(t, mapped_page(&grandchild, private_va(page), &writable), in_parent);
        KEXPECT(t, !writable);
    }
    expect_stats(t, &grandchild, 2, 2, 2, 0);

    KEXPECT_EQ(t, write_word(f, &grandchild, private_va(0), GRANDCHILD_MARK),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, committed_pages(f), 3);
    KEXPECT_EQ(t, used_pages(f), used + 1);
    as_destroy(&child); /* page 0 loses its second holder, page 1 its third */
    KEXPECT_EQ(t, committed_pages(f), 1);
    KEXPECT_EQ(t, used_pages(f), used + 1);
    expect_stats(t, &parent, 2, 1, 2, 0); /* page 1 is still the grandchild's too */
    KEXPECT_EQ(t, write_word(f, &grandchild, private_va(1), GRANDCHILD_MARK + 1),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, committed_pages(f), 0);
    KEXPECT_EQ(t, write_word(f, &parent, private_va(0), PARENT_MARK + 0x10),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, write_word(f, &parent, private_va(1), PARENT_MARK + 0x11),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, used_pages(f), used + 2); /* the parent kept both pages */
    KEXPECT_EQU(t, read_word(f, &grandchild, private_va(0)), GRANDCHILD_MARK);
    KEXPECT_EQU(t, read_word(f, &grandchild, private_va(1)), GRANDCHILD_MARK + 1);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(0)), PARENT_MARK + 0x10);
    KEXPECT_EQU(t, read_word(f, &parent, private_va(1)), PARENT_MARK + 0x11);
    expect_stats(t, &parent, 2, 0, 2, 0);
    expect_stats(t, &grandchild, 2, 0, 2, 0);
    as_destroy(&grandchild);
    as_destroy(&parent);
    KEXPECT(t, file_untouched(f));
    KEXPECT(t, fixture_fini(f));
}

KTEST(file_fork, fork_of_a_fork) { pd_for_each_format(t, test_fork_of_fork); }

/*
 * Parent first or child first: the one left has every page it should, its
 * shared pages are its own again (kept on write, no copy), and everything
 * comes back when it goes too.
 */
static void test_destroy_order(struct ktest *t, const struct pd_test_format *tf)
{
    for (int parent_first = 0; parent_first < 2; parent_first++) {
        struct fork_fixture *f = fixture_init(tf);
        struct address_space parent, child;
        KASSERT_EQ(t, map_private(f, &parent), 0);
        for (uint64_t page = 0; page < 3; page++)
            KEXPECT_EQ(t, write_word(f, &parent, private_va(page), PARENT_MARK + page),
                       FAULT_RESPONSE_CONTINUE);
        KASSERT_EQ(t, as_fork(&parent, &child, CHILD_ASID), 0);
        KEXPECT_EQ(t, write_word(f, &child, private_va(0), CHILD_MARK), FAULT_RESPONSE_CONTINUE);
        KEXPECT_EQU(t, read_word(f, &parent, private_va(3)), pattern_word(3 * PAGE));
        KEXPECT_EQ(t, committed_pages(f), 2);
        struct address_space *gone = parent_first ? &parent : &child;
        struct address_space *left = parent_first ? &child : &parent;
        uint64_t mark = parent_first ? CHILD_MARK : PARENT_MARK;
        as_destroy(gone);
        KEXPECT_EQ(t, committed_pages(f), 0);
        uint64_t used = used_pages(f);
        KEXPECT_EQU(t, read_word(f, left, private_va(0)), mark);
        for (uint64_t page = 1; page < 3; page++) {
            KEXPECT_EQU(t, read_word(f, left, private_va(page)), PARENT_MARK + page);
            KEXPECT_EQ(t, write_word(f, left, private_va(page), mark + page),
                       FAULT_RESPONSE_CONTINUE);
            KEXPECT_EQU(t, read_word(f, left, private_va(page)), mark + page);
        }
        KEXPECT_EQ(t, used_pages(f), used); /* the pages were its alone: kept */
        KEXPECT_EQU(t, read_word(f, left, private_va(3)), pattern_word(3 * PAGE));
        expect_stats(t, left, 3, 0, 3, 0);
        as_destroy(left);
        KEXPECT(t, file_untouched(f));
        KEXPECT(t, fixture_fini(f));
    }
}

KTEST(file_fork, destroy_in_either_order) { pd_for_each_format(t, test_destroy_order); }

/*
 * Memory exhaustion. A fork that cannot commit the copies fails at once and
 * changes nothing. One that could commit them can then break every sharing
 * with no memory left; only what was never committed fails: a file page
 * not in the cache yet, and the first private copy of a file page.
 */
static void test_exhaustion(struct ktest *t, const struct pd_test_format *tf)
{
    enum { WRITTEN = 3 };
    struct fork_fixture *f = fixture_init(tf);
    struct address_space parent, child;
    KASSERT_EQ(t, map_private(f, &parent), 0);
    for (uint64_t page = 0; page < WRITTEN; page++)
        KEXPECT_EQ(t, write_word(f, &parent, private_va(page), PARENT_MARK + page),
                   FAULT_RESPONSE_CONTINUE);
    bool writable;
    uint64_t page0 = mapped_page(&parent, private_va(0), &writable);

    /* One page short of the copies: refused, nothing changed. */
    uint64_t hogged = hog_all();
    hog_release(&hogged, WRITTEN - 1);
    uint64_t used = used_pages(f);
    KEXPECT_EQ(t, as_fork(&parent, &child, CHILD_ASID), -E_NOMEM);
    KEXPECT_EQ(t, used_pages(f), used);
    KEXPECT_EQ(t, committed_pages(f), 0);
    KEXPECT_EQ(t, write_word(f, &parent, private_va(0), PARENT_MARK + 0x10),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, mapped_page(&parent, private_va(0), &writable), page0); /* still its own */
    KEXPECT(t, writable);

    /* Exactly enough: the fork commits every free page. */
    hog_release(&hogged, 1);
    KASSERT_EQ(t, as_fork(&parent, &child, CHILD_ASID), 0);
    KEXPECT_EQ(t, committed_pages(f), WRITTEN);
    struct phys_stats s;
    phys_get_stats(&s);
    KEXPECT_EQ(t, s.uncommitted, 0);
    /* Every write to a page written before the fork succeeds, on both sides. */
    for (uint64_t page = 0; page < WRITTEN; page++) {
        KEXPECT_EQ(t, write_word(f, &child, private_va(page), CHILD_MARK + page),
                   FAULT_RESPONSE_CONTINUE);
        KEXPECT_EQ(t, write_word(f, &parent, private_va(page), PARENT_MARK + page),
                   FAULT_RESPONSE_CONTINUE);
    }
    KEXPECT_EQ(t, committed_pages(f), 0);
    /* What was never committed fails, and changes nothing. */
    uint64_t value;
    KEXPECT_EQ(t, as_fixture_access(&f->base, &child, private_va(3), FAULT_READ, &value),
               FAULT_RESPONSE_OUT_OF_MEMORY); /* the file page is not in the cache */
    hog_release(&hogged, 1);
    KEXPECT_EQU(t, read_word(f, &child, private_va(3)), pattern_word(3 * PAGE));
    KEXPECT_EQ(t, write_word(f, &parent, private_va(3), PARENT_MARK + 3),
               FAULT_RESPONSE_OUT_OF_MEMORY); /* a first private copy */
    KEXPECT_EQU(t, read_word(f, &parent, private_va(3)), pattern_word(3 * PAGE));
    hog_release(&hogged, 1);
    KEXPECT_EQ(t, write_word(f, &parent, private_va(3), PARENT_MARK + 3), FAULT_RESPONSE_CONTINUE);
    for (uint64_t page = 0; page < WRITTEN; page++) {
        KEXPECT_EQU(t, read_word(f, &child, private_va(page)), CHILD_MARK + page);
        KEXPECT_EQU(t, read_word(f, &parent, private_va(page)), PARENT_MARK + page);
    }
    KEXPECT_EQU(t, read_word(f, &parent, private_va(3)), PARENT_MARK + 3);
    hog_release(&hogged, hogged);
    as_destroy(&parent);
    as_destroy(&child);
    KEXPECT(t, file_untouched(f));
    KEXPECT(t, fixture_fini(f));
}

KTEST(file_fork, exhaustion_fails_only_uncommitted) { pd_for_each_format(t, test_exhaustion); }

/* How test_split_mapping splits the private mapping into regions over one object. */
enum split_kind {
    SPLIT_BY_UNMAP,   /* pages 1 and 2 unmapped: two regions, two pages mapped by none */
    SPLIT_BY_PROTECT, /* pages 1 and 2 made read-only: three regions, every page mapped */
    SPLIT_KINDS,
};

static const char *const split_names[SPLIT_KINDS] = { "unmap", "protect" };

/*
 * A private mapping split into regions over one object, every page written
 * first, then forked: the object is cloned once (every child region maps the
 * one clone, which holds one reference per region), the clone shares only
 * the pages the regions map, and the fork commits one copy for each of those
 * (2 after the unmap, 4 after the protect; cloning per region committed 8
 * and 12). With memory exhausted, the child's writes through either region
 * copy from that commitment and the parent then keeps its pages; destroy
 * gives everything back.
 */
static void test_split_mapping(struct ktest *t, const struct pd_test_format *tf)
{
    const uint64_t last = FILE_PAGES - 1;
    for (int kind = 0; kind < SPLIT_KINDS; kind++) {
        struct fork_fixture *f = fixture_init(tf);
        struct address_space parent, child;
        KASSERT_EQ(t, map_private(f, &parent), 0);
        for (uint64_t page = 0; page < FILE_PAGES; page++)
            KEXPECT_EQ(t, write_word(f, &parent, private_va(page), PARENT_MARK + page),
                       FAULT_RESPONSE_CONTINUE);
        struct vmobject *object = as_find_region(&parent, private_va(0))->vmobject;
        uint64_t mapped = FILE_PAGES, regions = 3;
        if (kind == SPLIT_BY_UNMAP) {
            KASSERT_EQ(t, as_unmap(&parent, private_va(1), (FILE_PAGES - 2) * PAGE), 0);
            mapped = 2;
            regions = 2;
        } else {
            KASSERT_EQ(t, as_protect(&parent, private_va(1), (FILE_PAGES - 2) * PAGE,
                                     REGION_READ), 0);
        }
        KASSERT_EQ(t, parent.regions.count, regions);
        uint64_t used = used_pages(f);

        KASSERT_EQ(t, as_fork(&parent, &child, CHILD_ASID), 0);
        ktest_note(t, "%s, split by %s: the fork committed %llu pages for %llu mapped",
                   tf->name, split_names[kind], (unsigned long long)committed_pages(f),
                   (unsigned long long)mapped);
        KEXPECT_EQ(t, committed_pages(f), mapped);
        KEXPECT_EQ(t, used_pages(f), used);
        struct region *head = as_find_region(&child, private_va(0));
        struct region *tail = as_find_region(&child, private_va(last));
        KASSERT(t, head != NULL && tail != NULL && head != tail);
        struct vmobject *clone = head->vmobject;
        KEXPECT(t, clone != object);
        KEXPECT_EQ(t, tail->vmobject, clone);
        KEXPECT(t, !inode_vmobject_is_shared(clone));
        KEXPECT_EQ(t, clone->refcount, regions);
        for (uint64_t page = 0; page < FILE_PAGES; page++) {
            bool in_child = kind == SPLIT_BY_PROTECT || page == 0 || page == last;
            KEXPECT_EQ(t, phys_page_refcount(object->pages[page]), in_child ? 2 : 1);
            KEXPECT_EQU(t, clone->pages[page].value, in_child ? object->pages[page].value : 0);
        }
        expect_stats(t, &child, mapped, mapped, mapped, 0);
        expect_stats(t, &parent, mapped, mapped, mapped, 0);

        uint64_t hogged = hog_all();
        uint64_t ends[] = { 0, last };
        for (size_t e = 0; e < ARRAY_SIZE(ends); e++)
            KEXPECT_EQ(t, write_word(f, &child, private_va(ends[e]), CHILD_MARK + ends[e]),
                       FAULT_RESPONSE_CONTINUE);
        KEXPECT_EQ(t, committed_pages(f), mapped - 2);
        for (size_t e = 0; e < ARRAY_SIZE(ends); e++) {
            paddr_t before = object->pages[ends[e]];
            KEXPECT_EQ(t, write_word(f, &parent, private_va(ends[e]), PARENT_MARK + 0x10 + ends[e]),
                       FAULT_RESPONSE_CONTINUE);
            KEXPECT_EQU(t, object->pages[ends[e]].value, before.value); /* kept, not copied */
        }
        for (size_t e = 0; e < ARRAY_SIZE(ends); e++) {
            KEXPECT_EQU(t, read_word(f, &child, private_va(ends[e])), CHILD_MARK + ends[e]);
            KEXPECT_EQU(t, read_word(f, &parent, private_va(ends[e])),
                        PARENT_MARK + 0x10 + ends[e]);
        }
        if (kind == SPLIT_BY_PROTECT) {
            KEXPECT_EQU(t, read_word(f, &child, private_va(1)), PARENT_MARK + 1);
            KEXPECT_EQ(t, write_word(f, &child, private_va(1), 1), FAULT_RESPONSE_SHOULD_CRASH);
        }
        hog_release(&hogged, hogged);
        KEXPECT_EQ(t, used_pages(f), used + 2); /* the child's two copies */
        expect_stats(t, &child, mapped, mapped - 2, mapped, 0);
        as_destroy(&child);
        KEXPECT_EQ(t, committed_pages(f), 0);
        KEXPECT_EQ(t, used_pages(f), used);
        expect_stats(t, &parent, mapped, 0, mapped, 0);
        as_destroy(&parent);
        KEXPECT(t, file_untouched(f));
        KEXPECT(t, fixture_fini(f));
    }
}

KTEST(file_fork, split_mapping_cloned_once) { pd_for_each_format(t, test_split_mapping); }
