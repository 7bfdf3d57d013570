/*
 * Host tests of address spaces, regions and page-fault handling, over every
 * page-table format: user accesses go through that format's software MMU;
 * a fault goes to pd_update_accessed_dirty() and then as_handle_fault(),
 * exactly as the trap code will, and the access is retried. Data pages come
 * from mm/phys over simulated RAM, table pages from simphys.
 */
#include "mm/address_space.h"
#include "tests/host/host.h"
#include "tests/host/mm/host_ram.h"
#include "tests/host/pt/pd_model.h"
#include <pagoda/errors.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * The randomized model-based test: several address spaces driven by random
 * allocate, unmap, protect, write, read, fork and destroy operations, every
 * access made through the format's software MMU and the fault handler, and
 * every result compared with a plain model of pages and their contents.
 * PAGODA_SEED=<n> replays a run.
 */
#define MODEL_SPACES 4
#define MODEL_PAGES 64
#define MODEL_BASE UINT64_C(0x1000000)
#define MODEL_OBJECTS 512
#define MODEL_STEPS 3000

struct model_page {
    bool mapped;
    bool writable;
    int object;            /* shared object, or -1 for private memory */
    unsigned index;        /* page of that shared object */
    uint64_t value;        /* private contents */
};

struct model {
    unsigned forks, writes, reads; /* successful ones, to show the run did something */
    struct address_space as[MODEL_SPACES];
    bool live[MODEL_SPACES];
    struct model_page page[MODEL_SPACES][MODEL_PAGES];
    uint64_t shared[MODEL_OBJECTS][MODEL_PAGES];
    int objects;
};

static uint64_t model_value(const struct model *m, int s, unsigned p)
{
    const struct model_page *mp = &m->page[s][p];
    return mp->object < 0 ? mp->value : m->shared[mp->object][mp->index];
}

/* Apply one random operation; false (with a note) if the system and the model disagree. */
static bool model_step(struct ktest *t, struct as_fixture *f, struct model *m, uint64_t *rnd)
{
    uint64_t r = pd_model_next(rnd);
    int s = (int)(r % MODEL_SPACES);
    unsigned p = (unsigned)((r >> 8) % MODEL_PAGES);
    unsigned n = 1 + (unsigned)((r >> 16) % 16);
    if (p + n > MODEL_PAGES)
        n = MODEL_PAGES - p;
    uint64_t va = MODEL_BASE + p * PAGE;
    unsigned op = (unsigned)((r >> 24) % 16);
    if (!m->live[s]) {
        if (as_create(&m->as[s], &f->kernel, (uint16_t)(s + 1)) != 0)
            return false;
        m->live[s] = true;
        return true;
    }
    struct address_space *as = &m->as[s];
    struct model_page *pages = m->page[s];
    enum fault_response response;
    /* Most reads and writes go to a mapped page (the next one from P), the rest anywhere. */
    if (op >= 6 && op < 14 && (r >> 44) % 8 != 0) {
        for (unsigned k = 0; k < MODEL_PAGES; k++) {
            unsigned q = (p + k) % MODEL_PAGES;
            if (pages[q].mapped) {
                p = q;
                va = MODEL_BASE + p * PAGE;
                break;
            }
        }
    }
    if (op < 3) { /* allocate */
        bool shared = (r >> 32) % 2 == 0 && m->objects < MODEL_OBJECTS;
        bool writable = (r >> 34) % 4 != 0;
        bool free = true;
        for (unsigned i = p; i < p + n; i++)
            free = free && !pages[i].mapped;
        int err = as_allocate_region(as, va, n * PAGE, 0, writable ? RW : REGION_READ,
                                     shared ? REGION_SHARED : 0, ALLOCATION_RESERVE, "m", NULL);
        if ((err == 0) != free) {
            ktest_note(t, "allocate %u pages at page %u in space %d: %d", n, p, s, err);
            return false;
        }
        if (err == 0) {
            int object = shared ? m->objects++ : -1;
            for (unsigned i = p; i < p + n; i++)
                pages[i] = (struct model_page){ true, writable, object, i - p, 0 };
            if (shared)
                for (unsigned i = 0; i < MODEL_PAGES; i++)
                    m->shared[object][i] = 0;
        }
    } else if (op < 5) { /* unmap */
        if (as_unmap(as, va, n * PAGE) != 0)
            return false;
        for (unsigned i = p; i < p + n; i++)
            pages[i].mapped = false;
    } else if (op < 6) { /* protect */
        bool covered = true;
        for (unsigned i = p; i < p + n; i++)
            covered = covered && pages[i].mapped;
        bool writable = (r >> 36) % 2;
        int err = as_protect(as, va, n * PAGE, writable ? RW : REGION_READ);
        if ((err == 0) != covered) {
            ktest_note(t, "protect %u pages at page %u in space %d: %d", n, p, s, err);
            return false;
        }
        for (unsigned i = p; covered && i < p + n; i++)
            pages[i].writable = writable;
    } else if (op < 10) { /* write */
        uint64_t value = r >> 40 | 1;
        response = write_word(f, as, va, value);
        enum fault_response want = pages[p].mapped && pages[p].writable
                                       ? FAULT_RESPONSE_CONTINUE : FAULT_RESPONSE_SHOULD_CRASH;
        if (response != want) {
            ktest_note(t, "write at page %u of space %d: %s", p, s, fault_response_name(response));
            return false;
        }
        if (want == FAULT_RESPONSE_CONTINUE) {
            m->writes++;
            if (pages[p].object < 0)
                pages[p].value = value;
            else
                m->shared[pages[p].object][pages[p].index] = value;
        }
    } else if (op < 14) { /* read */
        uint64_t got = read_word(f, as, va, &response);
        if (!pages[p].mapped ? response != FAULT_RESPONSE_SHOULD_CRASH
                             : response != FAULT_RESPONSE_CONTINUE || got != model_value(m, s, p)) {
            ktest_note(t, "read at page %u of space %d: %s, %llu (model %llu)", p, s,
                       fault_response_name(response), (unsigned long long)got,
                       (unsigned long long)(pages[p].mapped ? model_value(m, s, p) : 0));
            return false;
        }
        m->reads += pages[p].mapped;
    } else if (op < 15) { /* fork into a free slot */
        for (int c = 0; c < MODEL_SPACES; c++) {
            if (m->live[c])
                continue;
            if (as_fork(as, &m->as[c], (uint16_t)(c + 1)) != 0)
                return false;
            m->live[c] = true;
            m->forks++;
            for (unsigned i = 0; i < MODEL_PAGES; i++)
                m->page[c][i] = pages[i]; /* private values copied, shared ones shared */
            break;
        }
    } else { /* destroy */
        as_destroy(as);
        m->live[s] = false;
        for (unsigned i = 0; i < MODEL_PAGES; i++)
            pages[i].mapped = false;
    }
    return true;
}

KTEST(address_space_model, random_operations_match_model)
{
    uint64_t rnd = host_test_seed(t, UINT64_C(0xa5a5f00d1234));
    for (size_t fi = 0; fi < pd_test_format_count; fi++) {
        struct as_fixture f;
        fixture_init(&f, &pd_test_formats[fi]);
        static struct model m;
        memset(&m, 0, sizeof(m));
        unsigned step;
        host_console_quiet(true); /* every refused access prints why; hundreds here */
        for (step = 0; step < MODEL_STEPS; step++) {
            if (!model_step(t, &f, &m, &rnd))
                break;
        }
        host_console_quiet(false);
        KEXPECT_EQ(t, step, MODEL_STEPS);
        ktest_note(t, "%s: %u forks, %u writes and %u reads of mapped pages",
                   pd_test_formats[fi].name, m.forks, m.writes, m.reads);
        if (step != MODEL_STEPS)
            ktest_note(t, "... at step %u with the %s format", step, pd_test_formats[fi].name);
        for (int s = 0; s < MODEL_SPACES; s++) {
            if (m.live[s])
                as_destroy(&m.as[s]);
        }
        KEXPECT(t, fixture_fini(&f));
    }
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
    KEXPECT(t, fixture_fini(&f));
}

KTEST(address_space, file_mappings_shared_and_private) { pd_for_each_format(t, test_file_mappings); }
