/*
 * The x86_64 boot page tables, built once the memory map is known and
 * loaded in place of boot.S's early tables:
 *
 *   [0, identity_top)       identity map (virtual == physical): read/write,
 *                           never executable. All RAM, the loader's data,
 *                           ACPI tables and the PCI hole below 4 GiB (local
 *                           APIC, I/O APIC). Page 0 is left out, so a NULL
 *                           dereference faults.
 *   X86_KERNEL_VIRT_BASE    the fault-test hole (layout.h): never mapped.
 *   kernel image            4 KiB pages: text read-only and executable,
 *                           rodata read-only, data and bss read/write, the
 *                           boot stack read/write over an unmapped guard page.
 *
 * identity_top is the top of RAM rounded up to 2 MiB, and at least 4 GiB.
 * Leaves are 2 MiB (1 GiB where the CPU has 1 GiB pages) except in the first
 * 2 MiB. Intermediate entries allow everything, so a leaf's bits are the
 * page's permissions. The tables come from a static pool in .bss: no
 * allocator exists yet, and the image reservation already covers the pool.
 */
#include "kernel/arch/x86_64/mmu_boot.h"
#include "kernel/panic.h"
#include <x86_64/instr.h>
#include <x86_64/layout.h>
#include <x86_64/paging.h>

/* Enough for an identity map of 24 GiB in 2 MiB pages (one PD per GiB). */
#define POOL_PAGES 32
/* Map at least the 32-bit physical space: it holds the devices and the loader's data. */
#define IDENTITY_MIN_TOP (4 * GiB)
/* The lower half of a 48-bit address space: where the identity map must fit. */
#define LOWER_HALF_TOP (UINT64_C(1) << 47)

#define TABLE_FLAGS (X86_PTE_PRESENT | X86_PTE_WRITABLE)
#define IDENTITY_FLAGS (X86_PTE_PRESENT | X86_PTE_WRITABLE | X86_PTE_NO_EXECUTE)
#define KERNEL_TEXT_FLAGS (X86_PTE_PRESENT)
#define KERNEL_RODATA_FLAGS (X86_PTE_PRESENT | X86_PTE_NO_EXECUTE)
#define KERNEL_DATA_FLAGS (X86_PTE_PRESENT | X86_PTE_WRITABLE | X86_PTE_NO_EXECUTE)

#define LEVEL_PAGE 0
#define LEVEL_LARGE 1
#define LEVEL_HUGE 2

extern const char __kernel_virt_start[], __kernel_virt_end[];
extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __data_end[];
extern const char __boot_stack_guard[], __boot_stack_bottom[], __boot_stack_top[];

static uint64_t pool[POOL_PAGES][X86_PT_ENTRIES] __attribute__((aligned(X86_PAGE_SIZE)));
static size_t pool_used;
static uint64_t identity_top;

uint64_t mmu_boot_identity_top(void)
{
    return identity_top;
}

/* A zeroed table from the pool (.bss was zeroed by boot.S). */
static uint64_t *table_alloc(void)
{
    if (pool_used == POOL_PAGES)
        panic("mmu_boot: all %d boot table pages used (identity map to %#llx); raise POOL_PAGES",
              POOL_PAGES, (unsigned long long)identity_top);
    return pool[pool_used++];
}

/* Every boot table (boot.S's and ours) is in the kernel image: phys <-> virt is an offset. */
static uint64_t table_phys(const uint64_t *table)
{
    return (uintptr_t)table - X86_KERNEL_VIRT_BASE;
}

static uint64_t *table_virt(uint64_t phys)
{
    uintptr_t va = (uintptr_t)(phys + X86_KERNEL_VIRT_BASE);
    if (va < (uintptr_t)__kernel_virt_start || va >= (uintptr_t)__kernel_virt_end)
        panic("mmu_boot: table at %#llx is outside the kernel image", (unsigned long long)phys);
    return (uint64_t *)va;
}

/* The entry for VA in the table at LEVEL below ROOT, creating the tables above it. */
static uint64_t *table_slot(uint64_t *root, uintptr_t va, unsigned level)
{
    uint64_t *table = root;
    for (unsigned l = X86_PT_LEVELS - 1; l > level; l--) {
        uint64_t *entry = &table[x86_pt_index(va, l)];
        if (!(*entry & X86_PTE_PRESENT))
            *entry = x86_pte_make(table_phys(table_alloc()), TABLE_FLAGS);
        else if (*entry & X86_PTE_LARGE)
            panic("mmu_boot: %#lx is already inside a large page", (unsigned long)va);
        table = table_virt(x86_pte_phys(*entry));
    }
    return &table[x86_pt_index(va, level)];
}

/* Map [VA, VA + SIZE) to PA with leaves at LEVEL. Mapping a page twice is a bug. */
static void map_range(uint64_t *root, uintptr_t va, uint64_t pa, uint64_t size, unsigned level,
                      uint64_t flags)
{
    uint64_t step = x86_level_size(level);
    ASSERT(IS_ALIGNED(va, step) && IS_ALIGNED(pa, step) && IS_ALIGNED(size, step));
    if (level != LEVEL_PAGE)
        flags |= X86_PTE_LARGE;
    for (uint64_t done = 0; done < size; done += step) {
        uint64_t *slot = table_slot(root, va + done, level);
        if (*slot & X86_PTE_PRESENT)
            panic("mmu_boot: %#lx mapped twice", (unsigned long)(va + done));
        *slot = x86_pte_make(pa + done, flags);
    }
}

static void map_identity(uint64_t *root, uint64_t top, bool have_huge_pages)
{
    /* The first 2 MiB page by page, to leave out page 0. */
    map_range(root, X86_PAGE_SIZE, X86_PAGE_SIZE, X86_LARGE_PAGE_SIZE - X86_PAGE_SIZE,
              LEVEL_PAGE, IDENTITY_FLAGS);
    uint64_t pa = X86_LARGE_PAGE_SIZE;
    while (pa < top) {
        if (have_huge_pages && IS_ALIGNED(pa, X86_HUGE_PAGE_SIZE) &&
            top - pa >= X86_HUGE_PAGE_SIZE) {
            map_range(root, pa, pa, X86_HUGE_PAGE_SIZE, LEVEL_HUGE, IDENTITY_FLAGS);
            pa += X86_HUGE_PAGE_SIZE;
        } else {
            map_range(root, pa, pa, X86_LARGE_PAGE_SIZE, LEVEL_LARGE, IDENTITY_FLAGS);
            pa += X86_LARGE_PAGE_SIZE;
        }
    }
}

/* One part of the kernel image, [START, END), at its linked address. */
static void map_kernel_part(uint64_t *root, const char *start, const char *end, uint64_t flags)
{
    uintptr_t va = (uintptr_t)start;
    map_range(root, va, va - X86_KERNEL_VIRT_BASE, (uintptr_t)end - va, LEVEL_PAGE, flags);
}

static uint64_t ram_top(const struct boot_info *bi)
{
    uint64_t top = 0;
    for (size_t i = 0; i < bi->ram_count; i++)
        top = MAX(top, bi->ram[i].base + bi->ram[i].size);
    return top;
}

void mmu_boot_init(const struct boot_info *bi)
{
    identity_top = MAX(IDENTITY_MIN_TOP, ALIGN_UP(ram_top(bi), (uint64_t)X86_LARGE_PAGE_SIZE));
    if (identity_top > LOWER_HALF_TOP)
        panic("mmu_boot: RAM up to %#llx does not fit the lower half",
              (unsigned long long)identity_top);
    /* boot.S checked that the extended CPUID leaves exist. */
    bool have_huge_pages = x86_cpuid(X86_CPUID_EXT_FEATURES, 0).edx & X86_CPUID_EXT_EDX_PAGE_1G;

    uint64_t *root = table_alloc();
    map_identity(root, identity_top, have_huge_pages);
    map_kernel_part(root, __text_start, __text_end, KERNEL_TEXT_FLAGS);
    map_kernel_part(root, __rodata_start, __rodata_end, KERNEL_RODATA_FLAGS);
    map_kernel_part(root, __data_start, __data_end, KERNEL_DATA_FLAGS);
    map_kernel_part(root, __boot_stack_bottom, __boot_stack_top, KERNEL_DATA_FLAGS);
    x86_write_cr3(table_phys(root));

    /* What the fault tests and the stack-overflow report rely on. */
    unsigned level;
    if (mmu_boot_lookup(X86_FAULT_HOLE_VIRT, &level) != 0 ||
        mmu_boot_lookup((uintptr_t)__boot_stack_guard, &level) != 0)
        panic("mmu_boot: the fault-test hole or the stack guard page is mapped");
}

uint64_t mmu_boot_lookup(uintptr_t va, unsigned *level)
{
    const uint64_t *table = table_virt(x86_pte_phys(x86_read_cr3()));
    for (unsigned l = X86_PT_LEVELS - 1;; l--) {
        uint64_t entry = table[x86_pt_index(va, l)];
        *level = l;
        if (!(entry & X86_PTE_PRESENT))
            return 0;
        if (l == LEVEL_PAGE || (entry & X86_PTE_LARGE))
            return entry;
        table = table_virt(x86_pte_phys(entry));
    }
}
