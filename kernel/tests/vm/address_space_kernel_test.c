/*
 * In-kernel tests of address spaces on the board's own page-table format
 * and memory: a program's accesses are made with as_access_word() (the
 * copy-in/copy-out path: the page directory's mapping checked, faults
 * resolved by as_handle_fault(), data reached through quickmap), and the
 * user page directory's entries are checked with pd_query().
 */
#include "kernel/kernel.h"
#include "kernel/kernel_vm.h"
#include "mm/address_space.h"
#include "mm/kmalloc.h"
#include <pagoda/errors.h>
#include <pagoda/ktest.h>

#define PAGE PHYS_PAGE_SIZE
#define RW (REGION_READ | REGION_WRITE)
#define BASE UINT64_C(0x10000000)

static uint64_t peek(struct address_space *as, uint64_t va, enum fault_response *response)
{
    uint64_t value = UINT64_MAX;
    *response = as_access_word(as, va, FAULT_READ, &value);
    return value;
}

static enum fault_response poke(struct address_space *as, uint64_t va, uint64_t value)
{
    return as_access_word(as, va, FAULT_WRITE, &value);
}

KTEST(address_space, lazy_fill_fork_and_copy_on_write)
{
    struct phys_stats start, end;
    struct kmalloc_stats heap_start, heap_end;
    phys_get_stats(&start);
    kmalloc_get_stats(&heap_start);
    struct address_space parent, child;
    KASSERT_EQ(t, as_create(&parent, kernel_pd(), 1), 0);
    KASSERT_EQ(t, as_allocate_region(&parent, BASE, 8 * PAGE, 0, RW, 0, ALLOCATION_RESERVE,
                                     "data", NULL), 0);
    enum fault_response response;
    KEXPECT_EQ(t, peek(&parent, BASE, &response), 0);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&parent.pd, vaddr(BASE), &q), 0);
    KEXPECT_EQU(t, q.phys.value, phys_zero_page().value); /* reads share the zero page */
    KEXPECT(t, !(q.prot & PD_WRITE));
    KEXPECT_EQ(t, poke(&parent, BASE, 11), FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, pd_query(&parent.pd, vaddr(BASE), &q), 0);
    KEXPECT_NE(t, q.phys.value, phys_zero_page().value);
    KEXPECT(t, q.prot & PD_WRITE);

    KASSERT_EQ(t, as_fork(&parent, &child, 2), 0);
    KEXPECT_EQ(t, peek(&child, BASE, &response), 11);
    struct pd_query_result qc;
    KASSERT_EQ(t, pd_query(&child.pd, vaddr(BASE), &qc), 0);
    KEXPECT_EQU(t, qc.phys.value, q.phys.value); /* the same page, read-only for both */
    KEXPECT(t, !(qc.prot & PD_WRITE));
    KEXPECT_EQ(t, poke(&child, BASE, 22), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, peek(&parent, BASE, &response), 11);
    KEXPECT_EQ(t, peek(&child, BASE, &response), 22);
    KASSERT_EQ(t, pd_query(&child.pd, vaddr(BASE), &qc), 0);
    KEXPECT_NE(t, qc.phys.value, q.phys.value); /* the child has its copy */
    as_destroy(&child);
    as_destroy(&parent);
    phys_get_stats(&end);
    kmalloc_get_stats(&heap_end);
    KEXPECT_EQ(t, end.committed, start.committed);
    /* Every page is back, but for the empty slabs the heap keeps for reuse. */
    KEXPECT_EQ(t, end.free + (heap_end.pages - heap_start.pages), start.free);
    KEXPECT_EQ(t, heap_end.allocations, heap_start.allocations);
}

KTEST(address_space, invalid_accesses_crash_only_the_program)
{
    struct address_space as;
    KASSERT_EQ(t, as_create(&as, kernel_pd(), 3), 0);
    KASSERT_EQ(t, as_allocate_region(&as, BASE, 2 * PAGE, 0, REGION_READ, 0, ALLOCATION_RESERVE,
                                     "ro", NULL), 0);
    enum fault_response response;
    KEXPECT_EQ(t, poke(&as, BASE, 1), FAULT_RESPONSE_SHOULD_CRASH);       /* read-only */
    peek(&as, BASE + 16 * PAGE, &response);
    KEXPECT_EQ(t, response, FAULT_RESPONSE_SHOULD_CRASH);                 /* no region */
    KEXPECT_EQ(t, as_unmap(&as, BASE, PAGE), 0);
    peek(&as, BASE, &response);
    KEXPECT_EQ(t, response, FAULT_RESPONSE_SHOULD_CRASH);                 /* unmapped */
    KEXPECT_EQ(t, peek(&as, BASE + PAGE, &response), 0);
    KEXPECT_EQ(t, as_allocate_region(&as, pd_user_limit(&as.pd), PAGE, 0, RW, 0,
                                     ALLOCATION_NONE, "x", NULL), -E_RANGE);
    as_destroy(&as);
}

KTEST(address_space, mmio_region_maps_the_console_registers)
{
    const struct boot_info *bi = boot_info_current();
    if (!bi || (bi->console.kind != BOOT_CONSOLE_UART16550_MMIO &&
                bi->console.kind != BOOT_CONSOLE_PL011)) {
        ktest_skip(t, "the console is not memory-mapped on this board");
        return;
    }
    uint64_t device = ALIGN_DOWN(bi->console.base, PAGE);
    struct vmobject *uart;
    KASSERT_EQ(t, mmio_vmobject_create(paddr(device), 1, &uart), 0);
    struct address_space as;
    KASSERT_EQ(t, as_create(&as, kernel_pd(), 4), 0);
    int err = as_map_vmobject(&as, BASE, PAGE, 0, REGION_READ | REGION_WRITE, 0, MEMORY_TYPE_IO,
                              uart, 0, "uart", NULL);
    vmobject_unref(uart);
    KASSERT_EQ(t, err, 0);
    struct fault fault = { .addr = vaddr(BASE), .access = FAULT_WRITE, .mode = FAULT_USER,
                           .cause = FAULT_NOT_PRESENT };
    KEXPECT_EQ(t, as_handle_fault(&as, &fault), FAULT_RESPONSE_CONTINUE);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&as.pd, vaddr(BASE), &q), 0);
    KEXPECT_EQU(t, q.phys.value, device);
    KEXPECT(t, q.prot & PD_USER);
    struct as_stats st;
    as_get_stats(&as, &st);
    KEXPECT_EQ(t, st.amount_resident, 0);
    as_destroy(&as);
}
