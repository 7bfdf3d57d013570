/*
 * In-kernel tests of kernel regions: RAM regions are zeroed and writable,
 * contiguous ones really are, DMA buffers carry their memory type, MMIO
 * regions map a device with the IO type and refuse RAM, and freeing a
 * region gives every page back.
 */
#include "kernel/arch/pt/pt_format.h"
#include "kernel/kernel.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include "mm/kernel_region.h"
#include "mm/phys.h"
#include <pagoda/errors.h>
#include <pagoda/ktest.h>

#define PAGE PHYS_PAGE_SIZE

static uint64_t free_pages(void)
{
    struct phys_stats s;
    phys_get_stats(&s);
    return s.free;
}

KTEST(kernel_region, ram_region_is_zeroed_and_writable)
{
    uint8_t *p;
    /* One round first, so the heap's slab for the region record exists before counting. */
    KASSERT_EQ(t, kregion_allocate(PAGE, "warm-up", (void **)&p), 0);
    kregion_free(p);
    uint64_t before = free_pages();
    KASSERT_EQ(t, kregion_allocate(3 * PAGE, "test", (void **)&p), 0);
    KEXPECT((t), (uintptr_t)p >= KERNEL_REGION_WINDOW);
    KEXPECT_EQ(t, free_pages(), before - 3);
    size_t nonzero = 0;
    for (size_t i = 0; i < 3 * PAGE; i++)
        nonzero += p[i] != 0;
    KEXPECT_EQ(t, nonzero, 0);
    memset(p, 0x77, 3 * PAGE);
    KEXPECT_EQ(t, p[3 * PAGE - 1], 0x77);
    kregion_free(p);
    KEXPECT_EQ(t, free_pages(), before);
    KEXPECT_EQ(t, kregion_allocate(0, "zero", (void **)&p), -E_INVAL);
    KEXPECT_EQ(t, kregion_allocate(PAGE + 1, "odd", (void **)&p), -E_ALIGN);
}

KTEST(kernel_region, contiguous_and_dma_regions)
{
    uint64_t before = free_pages();
    void *va;
    paddr_t pa;
    KASSERT_EQ(t, kregion_allocate_contiguous(8 * PAGE, "ring", &va, &pa), 0);
    KEXPECT_EQ(t, pa.value % (8 * PAGE), 0);
    for (uint64_t i = 0; i < 8; i++) {
        struct pd_query_result q;
        KASSERT_EQ(t, pd_query(kernel_pd(), vaddr((uintptr_t)va + i * PAGE), &q), 0);
        KEXPECT_EQU(t, q.phys.value, pa.value + i * PAGE);
    }
    kregion_free(va);
    KASSERT_EQ(t, kregion_allocate_dma(2 * PAGE, MEMORY_TYPE_NONCACHEABLE, "dma", &va, &pa), 0);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(kernel_pd(), vaddr((uintptr_t)va), &q), 0);
    /* NORMAL only where the format cannot express types (riscv64 without Svpbmt). */
    KEXPECT_EQ(t, q.type, kernel_pd()->format->no_memory_types ? MEMORY_TYPE_NORMAL
                                                               : MEMORY_TYPE_NONCACHEABLE);
    *(volatile uint64_t *)va = 5; /* the CPU can use it */
    KEXPECT_EQ(t, *(volatile uint64_t *)va, 5);
    kregion_free(va);
    KEXPECT_EQ(t, free_pages(), before);
}

KTEST(kernel_region, mmio_region_maps_a_device)
{
    const struct boot_info *bi = boot_info_current();
    void *va;
    KEXPECT_EQ(t, kregion_map_mmio(phys_zero_page(), PAGE, "ram", &va), -E_OVERLAP);
    if (!bi || (bi->console.kind != BOOT_CONSOLE_UART16550_MMIO &&
                bi->console.kind != BOOT_CONSOLE_PL011)) {
        ktest_skip(t, "the console is not memory-mapped on this board");
        return;
    }
    uint64_t device = ALIGN_DOWN(bi->console.base, PAGE);
    KASSERT_EQ(t, kregion_map_mmio(paddr(device), PAGE, "uart", &va), 0);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(kernel_pd(), vaddr((uintptr_t)va), &q), 0);
    KEXPECT_EQU(t, q.phys.value, device);
    KEXPECT(t, !(q.prot & PD_EXECUTE));
    kregion_free(va);
}
