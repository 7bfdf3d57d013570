/*
 * The boot page tables (riscv/mmu_boot.h): an Sv39 identity map in a small
 * static pool of table pages, enough to run kmain() with the MMU on. One
 * walker (walk) serves mapping and lookup; mappings never replace an
 * existing entry, so an overlap in the boot map is reported, not hidden.
 */
#include "riscv/mmu_boot.h"
#include "riscv/csr.h"
#include "riscv/layout.h"
#include <pagoda/errors.h>

/*
 * Enough for the root, one level-1 table per partly mapped GiB (the
 * kernel's, the devices', RAM edges) and one level-0 table per 2 MiB mapped
 * with 4 KiB pages (the kernel image, up to KERNEL_MAX_SIZE in linker.ld,
 * each device, unaligned RAM edges).
 */
#define BOOT_TABLE_PAGES 16

static sv39_pte_t boot_tables[BOOT_TABLE_PAGES][SV39_ENTRIES]
    __attribute__((aligned(SV39_PAGE_SIZE)));
static size_t boot_tables_used; /* boot_tables[0] is the root once this is >= 1 */

_Static_assert(sizeof(boot_tables[0]) == SV39_PAGE_SIZE, "a table is one page");

static sv39_pte_t *table_alloc(void)
{
    if (boot_tables_used == BOOT_TABLE_PAGES)
        return NULL;
    return boot_tables[boot_tables_used++]; /* zero: it lives in .bss */
}

static sv39_pte_t *boot_root(void)
{
    if (boot_tables_used == 0)
        boot_tables_used = 1;
    return boot_tables[0];
}

static bool pte_valid(sv39_pte_t pte)
{
    return (pte & PTE_V) != 0;
}

static bool pte_is_leaf(sv39_pte_t pte)
{
    return pte_valid(pte) && (pte & PTE_LEAF_MASK) != 0;
}

static uint64_t pte_phys(sv39_pte_t pte)
{
    return (pte >> PTE_PPN_SHIFT & ((1ul << PTE_PPN_BITS) - 1)) << SV39_PAGE_SHIFT;
}

static sv39_pte_t pte_make(uint64_t phys, uint64_t flags)
{
    return (phys >> SV39_PAGE_SHIFT) << PTE_PPN_SHIFT | flags | PTE_V;
}

static unsigned sv39_index(uintptr_t va, int level)
{
    return (unsigned)(va >> (SV39_PAGE_SHIFT + SV39_INDEX_BITS * level)) & (SV39_ENTRIES - 1);
}

/*
 * Walk from ROOT towards VA and stop at the entry for VA at MIN_LEVEL, or
 * earlier at a leaf, or (unless CREATE) at an invalid entry. With CREATE,
 * missing tables on the way are allocated. The tables are reached through
 * their physical addresses: they are identity-mapped, or the MMU is off.
 */
static int walk(sv39_pte_t *root, uintptr_t va, int min_level, bool create, sv39_pte_t **slot,
                int *level)
{
    sv39_pte_t *table = root;
    for (int l = SV39_LEVELS - 1;; l--) {
        sv39_pte_t *pte = &table[sv39_index(va, l)];
        if (l == min_level || pte_is_leaf(*pte) || (!pte_valid(*pte) && !create)) {
            *slot = pte;
            *level = l;
            return 0;
        }
        if (!pte_valid(*pte)) {
            sv39_pte_t *next = table_alloc();
            if (!next)
                return -E_NOMEM;
            *pte = pte_make((uintptr_t)next, 0);
        }
        table = (sv39_pte_t *)(uintptr_t)pte_phys(*pte);
    }
}

/* The largest leaf level whose page starts at VA and fits in SIZE. */
static int largest_level(uint64_t va, uint64_t size)
{
    for (int level = SV39_LEVELS - 1; level > 0; level--) {
        uint64_t page = sv39_level_size(level);
        if (IS_ALIGNED(va, page) && size >= page)
            return level;
    }
    return 0;
}

/*
 * Map one leaf at VA, as large as fits in SIZE; *MAPPED says how large.
 * Where a finer mapping already put a table, descend and map smaller pages.
 * Leaves get A and D set, as the spec lets a hart fault on a clear A or D
 * bit instead of setting it, and G, as every boot mapping is the kernel's.
 */
static int map_leaf(uint64_t va, uint64_t size, enum boot_map_perm perm, uint64_t *mapped)
{
    for (int level = largest_level(va, size);; level--) {
        sv39_pte_t *slot;
        int at;
        int err = walk(boot_root(), va, level, true, &slot, &at);
        if (err)
            return err;
        if (at != level || pte_is_leaf(*slot) || (pte_valid(*slot) && level == 0))
            return -E_EXIST;
        if (!pte_valid(*slot)) {
            *slot = pte_make(va, (uint64_t)perm | PTE_A | PTE_D | PTE_G);
            *mapped = sv39_level_size(level);
            return 0;
        }
        /* *slot is a table: try again one level down. */
    }
}

int mmu_boot_map(uint64_t base, uint64_t size, enum boot_map_perm perm)
{
    if (size == 0 || !IS_ALIGNED(base, SV39_PAGE_SIZE) || !IS_ALIGNED(size, SV39_PAGE_SIZE))
        return -E_ALIGN;
    if (base + size < base || base + size > SV39_IDENTITY_LIMIT)
        return -E_RANGE;
    while (size) {
        uint64_t mapped;
        int err = map_leaf(base, size, perm, &mapped);
        if (err)
            return err;
        base += mapped;
        size -= mapped;
    }
    return 0;
}

int mmu_boot_map_kernel(void)
{
    static const struct {
        char *start, *end;
        enum boot_map_perm perm;
    } sections[] = {
        { __text_start, __text_end, BOOT_MAP_READ_EXECUTE },
        { __rodata_start, __rodata_end, BOOT_MAP_READ },
        { __data_start, __data_end, BOOT_MAP_READ_WRITE },
    };
    for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
        int err = mmu_boot_map((uintptr_t)sections[i].start,
                               (uint64_t)(sections[i].end - sections[i].start), sections[i].perm);
        if (err)
            return err;
    }
    return 0; /* the hole after __data_end stays unmapped */
}

int mmu_boot_map_extra(uint64_t base, uint64_t size, enum boot_map_perm perm)
{
    if (size == 0 || base + size < base)
        return -E_RANGE;
    uint64_t end = ALIGN_UP(base + size, SV39_PAGE_SIZE);
    for (uint64_t page = ALIGN_DOWN(base, SV39_PAGE_SIZE); page < end; page += SV39_PAGE_SIZE) {
        sv39_pte_t *slot;
        int level;
        if (page >= SV39_IDENTITY_LIMIT)
            return -E_RANGE;
        int err = walk(boot_root(), page, 0, false, &slot, &level);
        if (err)
            return err;
        if (pte_is_leaf(*slot))
            continue;
        err = mmu_boot_map(page, SV39_PAGE_SIZE, perm);
        if (err)
            return err;
    }
    return 0;
}

int mmu_boot_enable(void)
{
    unsigned long satp = SATP_MODE_SV39 << SATP_MODE_SHIFT |
                         (uintptr_t)boot_root() >> SV39_PAGE_SHIFT;
    /* Order the table stores before the walker's first reads of them. */
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
    csr_write(satp, satp);
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
    /* A hart without Sv39 ignores the whole write and stays in Bare mode. */
    return csr_read(satp) == satp ? 0 : -E_NOTSUP;
}

/* Is VA a valid Sv39 address: bits 63..39 all equal to bit 38? */
static bool sv39_canonical(uintptr_t va)
{
    int unused_bits = 64 - SV39_VA_BITS;
    return (uintptr_t)((intptr_t)(va << unused_bits) >> unused_bits) == va;
}

int mmu_boot_lookup(uintptr_t va, sv39_pte_t *pte, int *level)
{
    unsigned long satp = csr_read(satp);
    if (satp >> SATP_MODE_SHIFT != SATP_MODE_SV39 || !sv39_canonical(va))
        return -E_NOENT;
    sv39_pte_t *root = (sv39_pte_t *)((satp & SATP_PPN_MASK) << SV39_PAGE_SHIFT);
    sv39_pte_t *slot;
    int at;
    int err = walk(root, va, 0, false, &slot, &at);
    if (err)
        return err;
    if (!pte_is_leaf(*slot))
        return -E_NOENT;
    *pte = *slot;
    *level = at;
    return 0;
}

uintptr_t mmu_boot_hole(void)
{
    return (uintptr_t)__boot_hole_start;
}

size_t mmu_boot_tables_used(void)
{
    return boot_tables_used;
}

size_t mmu_boot_tables_capacity(void)
{
    return BOOT_TABLE_PAGES;
}
