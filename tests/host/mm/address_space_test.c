/*
 * Host tests of address spaces, regions and page-fault handling, over every
 * page-table format: user accesses go through that format's software MMU;
 * a fault goes to pd_update_accessed_dirty() and then as_handle_fault(),
 * exactly as the trap code will, and the access is retried. Data pages come
 * from mm/phys over simulated RAM, table pages from simphys.
 */
#include "mm/address_space.h"
#include "tests/host/mm/host_ram.h"
#include "tests/host/pt/pd_fixture.h"
#include <pagoda/errors.h>
#include <stdlib.h>

#define PAGE PHYS_PAGE_SIZE
#define RAM_BASE UINT64_C(0x40000000)
#define RAM_PAGES 2048
#define RW (REGION_READ | REGION_WRITE)

struct as_fixture {
    const struct pd_test_format *tf;
    struct simphys sim;
    struct host_ram ram;
    struct page_directory kernel;
    struct phys_stats start;
};

static void fixture_init(struct as_fixture *f, const struct pd_test_format *tf)
{
    f->tf = tf;
    simphys_init(&f->sim, 16 * MiB);
    phys_reset();
    host_ram_init(&f->ram, RAM_BASE, RAM_PAGES);
    if (phys_init_zero_page() != 0 || pd_create_kernel(&f->kernel, tf->format, &f->sim.provider))
        abort();
    phys_get_stats(&f->start);
}

/* Tear down; true if every data page, commitment and table page came back. */
static bool fixture_fini(struct as_fixture *f)
{
    phys_trim();
    struct phys_stats end;
    phys_get_stats(&end);
    pd_destroy(&f->kernel);
    bool clean = end.used == f->start.used && end.committed == f->start.committed &&
                 f->sim.in_use == 0;
    host_ram_fini(&f->ram);
    phys_reset();
    simphys_fini(&f->sim);
    return clean;
}

/* A user access as the CPU and our trap code would do it; the fault response if it fails. */
static enum fault_response user_access(struct as_fixture *f, struct address_space *as,
                                       uint64_t va, enum fault_access access, uint64_t *value)
{
    for (int tries = 0; tries < 4; tries++) {
        struct swmmu_request req = {
            .va = va, .access = access, .user = true, .user_root = as->pd.root.value,
            .kernel_root = f->tf->format->split_roots ? f->kernel.root.value : as->pd.root.value,
            .ad_mode = f->tf->ad_mode,
        };
        struct swmmu_result r;
        f->tf->translate(&f->sim.memory, &req, &r);
        if (r.outcome == SWMMU_OK) {
            uint64_t *p = host_ram_ptr(r.pa);
            if (access == FAULT_WRITE)
                *p = *value;
            else
                *value = *p;
            return FAULT_RESPONSE_CONTINUE;
        }
        if (r.outcome != SWMMU_NOT_PRESENT &&
            pd_update_accessed_dirty(&as->pd, vaddr(va), access, true) == 0)
            continue;
        struct fault fault = {
            .addr = vaddr(va), .access = access, .mode = FAULT_USER,
            .cause = r.outcome == SWMMU_NOT_PRESENT ? FAULT_NOT_PRESENT : FAULT_PROTECTION,
        };
        enum fault_response response = as_handle_fault(as, &fault);
        if (response != FAULT_RESPONSE_CONTINUE)
            return response;
    }
    return FAULT_RESPONSE_SHOULD_CRASH; /* the handler said Continue but the access still faults */
}

static uint64_t read_word(struct as_fixture *f, struct address_space *as, uint64_t va,
                          enum fault_response *response)
{
    uint64_t value = UINT64_MAX;
    *response = user_access(f, as, va, FAULT_READ, &value);
    return value;
}

static enum fault_response write_word(struct as_fixture *f, struct address_space *as, uint64_t va,
                                      uint64_t value)
{
    return user_access(f, as, va, FAULT_WRITE, &value);
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
    KEXPECT(t, fixture_fini(&f));
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
    KEXPECT(t, fixture_fini(&f));
}

KTEST(address_space, fork_is_copy_on_write) { pd_for_each_format(t, test_fork_copy_on_write); }

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
    KEXPECT(t, fixture_fini(&f));
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
    KEXPECT_EQ(t, user_access(&f, &as, base, FAULT_EXECUTE, &ignored), FAULT_RESPONSE_SHOULD_CRASH);
    KEXPECT_EQ(t, as_protect(&as, base, 8 * PAGE, REGION_READ), -E_NOENT); /* a hole */
    KEXPECT(t, region_tree_check(&as.regions));
    as_destroy(&as);
    KEXPECT(t, fixture_fini(&f));
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
    KEXPECT(t, fixture_fini(&f));
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
    KEXPECT(t, fixture_fini(&f));
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
    KEXPECT(t, fixture_fini(&f));
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
    KEXPECT(t, fixture_fini(&f));
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
    KEXPECT(t, fixture_fini(&f));
}

KTEST(address_space, mmio_maps_the_device) { pd_for_each_format(t, test_mmio); }
