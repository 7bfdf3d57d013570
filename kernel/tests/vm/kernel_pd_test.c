/*
 * In-kernel tests of the PageDirectory interface on the real MMU: mappings
 * made through the kernel page directory are used by the CPU, and each
 * forbidden access delivers the right arch-neutral fault record.
 */
#include "kernel/arch/pt/pt_format.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include <arch/cpu.h>
#include <pagoda/errors.h>
#include <pagoda/fault.h>
#include <pagoda/ktest.h>

#define PAGE PD_PAGE_SIZE
#define LARGE (2 * MiB)

static uint8_t scratch[2][PD_PAGE_SIZE] __attribute__((aligned(PD_PAGE_SIZE)));

static uint64_t phys_of(const void *p)
{
    return (uintptr_t)p - arch_kernel_virt_offset();
}

static void expect_fault(struct ktest *t, uintptr_t addr, enum fault_access access,
                         enum fault_cause cause)
{
    struct fault f = fault_last();
    KEXPECT_EQU(t, f.addr.value, addr);
    KEXPECT_EQ(t, f.access, access);
    KEXPECT_EQ(t, f.cause, cause);
    KEXPECT_EQ(t, f.mode, FAULT_KERNEL);
}

KTEST(kernel_pd, map_and_read_back)
{
    struct page_directory *pd = kernel_pd();
    uintptr_t va = KERNEL_TEST_WINDOW;
    KASSERT_EQ(t, pd_map(pd, vaddr(va), paddr(phys_of(scratch[0])), PAGE, PD_READ | PD_WRITE,
                         MEMORY_TYPE_NORMAL), 0);
    volatile uint64_t *alias = (volatile uint64_t *)va;
    volatile uint64_t *direct = (volatile uint64_t *)scratch[0];
    *alias = 0x1122334455667788ull;
    KEXPECT_EQU(t, *direct, 0x1122334455667788ull);
    direct[1] = 42;
    KEXPECT_EQU(t, alias[1], 42);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(pd, vaddr(va + 8), &q), 0);
    KEXPECT_EQU(t, q.phys.value, phys_of(scratch[0]) + 8);
    KEXPECT_EQ(t, q.page_size, PAGE);
    KEXPECT_EQ(t, pd_unmap(pd, vaddr(va), PAGE), 0);
}

KTEST(kernel_pd, write_to_read_only_faults)
{
    struct page_directory *pd = kernel_pd();
    uintptr_t va = KERNEL_TEST_WINDOW + PAGE;
    KASSERT_EQ(t, pd_map(pd, vaddr(va), paddr(phys_of(scratch[1])), PAGE, PD_READ,
                         MEMORY_TYPE_NORMAL), 0);
    uint64_t value;
    KEXPECT_EQ(t, arch_probe_read(va, &value), 0);
    KEXPECT_EQ(t, arch_probe_write(va + 16, 7), -E_FAULT);
    expect_fault(t, va + 16, FAULT_WRITE, FAULT_PROTECTION);
    /* Protect to writable: the same store now works. */
    KASSERT_EQ(t, pd_protect(pd, vaddr(va), PAGE, PD_READ | PD_WRITE), 0);
    KEXPECT_EQ(t, arch_probe_write(va + 16, 7), 0);
    KEXPECT_EQU(t, ((volatile uint64_t *)scratch[1])[2], 7);
    KEXPECT_EQ(t, pd_unmap(pd, vaddr(va), PAGE), 0);
}

KTEST(kernel_pd, execute_from_no_execute_faults)
{
    struct page_directory *pd = kernel_pd();
    uintptr_t va = KERNEL_TEST_WINDOW + 2 * PAGE;
    KASSERT_EQ(t, pd_map(pd, vaddr(va), paddr(phys_of(scratch[0])), PAGE, PD_READ | PD_WRITE,
                         MEMORY_TYPE_NORMAL), 0);
    KEXPECT_EQ(t, arch_probe_execute(va), -E_FAULT);
    expect_fault(t, va, FAULT_EXECUTE, FAULT_PROTECTION);
    KEXPECT_EQ(t, pd_unmap(pd, vaddr(va), PAGE), 0);
}

KTEST(kernel_pd, unmap_then_touch_faults)
{
    struct page_directory *pd = kernel_pd();
    uintptr_t va = KERNEL_TEST_WINDOW + 3 * PAGE;
    size_t tables = kernel_table_pages_used();
    KASSERT_EQ(t, pd_map(pd, vaddr(va), paddr(phys_of(scratch[0])), PAGE, PD_READ,
                         MEMORY_TYPE_NORMAL), 0);
    uint64_t value;
    KEXPECT_EQ(t, arch_probe_read(va, &value), 0);
    KASSERT_EQ(t, pd_unmap(pd, vaddr(va), PAGE), 0);
    KEXPECT_EQ(t, arch_probe_read(va, &value), -E_FAULT);
    expect_fault(t, va, FAULT_READ, FAULT_NOT_PRESENT);
    KEXPECT_EQ(t, kernel_table_pages_used(), tables); /* the tables it needed are back */
}

KTEST(kernel_pd, large_page_mapping)
{
    struct page_directory *pd = kernel_pd();
    /* The table pool is 2 MiB aligned: map the 2 MiB block that starts with it. */
    struct pd_query_result pool;
    KASSERT_EQ(t, pd_query(pd, vaddr(KERNEL_TABLE_WINDOW), &pool), 0);
    KASSERT_EQ(t, pool.phys.value % LARGE, 0);
    uintptr_t va = KERNEL_TEST_WINDOW + LARGE;
    KASSERT_EQ(t, pd_map(pd, vaddr(va), pool.phys, LARGE, PD_READ, MEMORY_TYPE_NORMAL), 0);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(pd, vaddr(va + 12345), &q), 0);
    KEXPECT_EQ(t, q.page_size, LARGE);
    KEXPECT_EQU(t, q.phys.value, pool.phys.value + 12345);
    /* The same bytes through both mappings. */
    KEXPECT_EQ(t, memcmp((const void *)va, (const void *)KERNEL_TABLE_WINDOW, 2 * PAGE), 0);
    /* Unmapping one page in the middle splits the leaf. */
    KASSERT_EQ(t, pd_unmap(pd, vaddr(va + 5 * PAGE), PAGE), 0);
    uint64_t value;
    KEXPECT_EQ(t, arch_probe_read(va + 5 * PAGE, &value), -E_FAULT);
    KEXPECT_EQ(t, arch_probe_read(va + 6 * PAGE, &value), 0);
    KEXPECT_EQU(t, value, *(const volatile uint64_t *)(KERNEL_TABLE_WINDOW + 6 * PAGE));
    KEXPECT_EQ(t, pd_unmap(pd, vaddr(va), LARGE), 0);
}

KTEST(kernel_pd, memory_types_are_recorded)
{
    struct page_directory *pd = kernel_pd();
    if (pd->format->no_memory_types) {
        ktest_skip(t, "the page-table format cannot express memory types");
        return;
    }
    static const enum memory_type types[] = { MEMORY_TYPE_NORMAL, MEMORY_TYPE_IO,
                                              MEMORY_TYPE_NONCACHEABLE };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        uintptr_t va = KERNEL_TEST_WINDOW + (8 + i) * PAGE;
        KASSERT_EQ(t, pd_map(pd, vaddr(va), paddr(phys_of(scratch[0])), PAGE, PD_READ, types[i]),
                   0);
        struct pd_query_result q;
        KASSERT_EQ(t, pd_query(pd, vaddr(va), &q), 0);
        KEXPECT_EQ(t, q.type, types[i]);
        KEXPECT_EQ(t, pd_unmap(pd, vaddr(va), PAGE), 0);
    }
}

KTEST(kernel_pd, bad_calls_are_refused)
{
    struct page_directory *pd = kernel_pd();
    uintptr_t va = KERNEL_TEST_WINDOW;
    uint64_t pa = phys_of(scratch[0]);
    KEXPECT_EQ(t, pd_map(pd, vaddr(va + 1), paddr(pa), PAGE, PD_READ, 0), -E_ALIGN);
    KEXPECT_EQ(t, pd_map(pd, vaddr(0x1000), paddr(pa), PAGE, PD_READ, 0), -E_RANGE);
    KEXPECT_EQ(t, pd_map(pd, vaddr(va), paddr(pa), PAGE, PD_READ | PD_USER, 0), -E_INVAL);
    /* Over the kernel's own text: refused, and the kernel keeps running. */
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(pd, vaddr((uintptr_t)&kernel_pd), &q), 0);
    KEXPECT_EQ(t, pd_map(pd, vaddr((uintptr_t)&kernel_pd & ~(PAGE - 1)), paddr(pa), PAGE,
                         PD_READ, 0), -E_EXIST);
    KEXPECT(t, q.prot & PD_EXECUTE);
    KEXPECT(t, !(q.prot & PD_WRITE));
}

static uint64_t boot_constant __ro_after_init = 0x0b00710ad;

KTEST(kernel_pd, ro_after_init_data_is_read_only)
{
    uintptr_t addr = (uintptr_t)&boot_constant;
    uint64_t value = 0;
    KEXPECT_EQ(t, arch_probe_read(addr, &value), 0);
    KEXPECT_EQU(t, value, 0x0b00710ad);
    /* Write back the same value, so even a failing test changes nothing. */
    KEXPECT_EQ(t, arch_probe_write(addr, value), -E_FAULT);
    expect_fault(t, addr, FAULT_WRITE, FAULT_PROTECTION);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(kernel_pd(), vaddr(addr), &q), 0);
    KEXPECT_EQ(t, q.prot & (PD_WRITE | PD_EXECUTE), 0);
}
