/*
 * The boot page tables: an Sv39 identity map built once at boot, so the MMU
 * is on before kmain(). The kernel image is mapped with 4 KiB pages and
 * per-section permissions (text RX, rodata R, data/bss RW), RAM and devices
 * with the largest pages that fit (1 GiB, 2 MiB, 4 KiB), RAM and devices
 * never executable. One page at the end of the image (the hole) is left
 * unmapped for fault tests. A later PageDirectory replaces all of this.
 */
#pragma once

#include <pagoda/types.h>

/*
 * Sv39 page-table entry (privileged spec 4.4.1): flags in bits 7:0, the
 * physical page number from bit 10. A valid entry with R, W and X all clear
 * points at the next-level table; any of them set makes it a leaf.
 */
#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_U (1ul << 4)
#define PTE_G (1ul << 5)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)
#define PTE_LEAF_MASK (PTE_R | PTE_W | PTE_X)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_BITS 44

#define SV39_PAGE_SHIFT 12
#define SV39_PAGE_SIZE (1ul << SV39_PAGE_SHIFT)
#define SV39_LEVELS 3          /* level 2 (root, 1 GiB leaves) .. level 0 (4 KiB) */
#define SV39_INDEX_BITS 9
#define SV39_ENTRIES (1ul << SV39_INDEX_BITS)
#define SV39_VA_BITS 39
/* An identity map must stay below the sign-extension boundary of the VA space. */
#define SV39_IDENTITY_LIMIT (1ul << (SV39_VA_BITS - 1))

typedef uint64_t sv39_pte_t;

/* Bytes mapped by one leaf at LEVEL. */
static inline uint64_t sv39_level_size(int level)
{
    return SV39_PAGE_SIZE << (SV39_INDEX_BITS * level);
}

/* Access rights of a boot mapping (A, D, G and V are added by the mapper). */
enum boot_map_perm {
    BOOT_MAP_READ = PTE_R,
    BOOT_MAP_READ_WRITE = PTE_R | PTE_W,
    BOOT_MAP_READ_EXECUTE = PTE_R | PTE_X,
};

/* Identity-map [BASE, BASE+SIZE) (4 KiB aligned) with PERM; -E_EXIST if any part already is. */
int mmu_boot_map(uint64_t base, uint64_t size, enum boot_map_perm perm) MUST_CHECK;

/*
 * Identity-map every 4 KiB page touching [BASE, BASE+SIZE) that is not mapped
 * yet, with PERM; pages already mapped keep their mapping. For devices and
 * the devicetree, which may share pages with each other or lie in RAM.
 */
int mmu_boot_map_extra(uint64_t base, uint64_t size, enum boot_map_perm perm) MUST_CHECK;

/* Map the kernel image by section. Call first, before RAM. */
int mmu_boot_map_kernel(void) MUST_CHECK;

/* Load the tables into satp. -E_NOTSUP if the hart has no Sv39. */
int mmu_boot_enable(void) MUST_CHECK;

/*
 * Walk the tables satp points at (software walk, valid while they are
 * identity-mapped) for VA: the leaf entry and its level, or -E_NOENT when no
 * valid leaf maps VA. Works with the MMU off too (then always -E_NOENT).
 */
int mmu_boot_lookup(uintptr_t va, sv39_pte_t *pte, int *level) MUST_CHECK;

/* The page the boot tables leave unmapped on purpose (arch_unmapped_address). */
uintptr_t mmu_boot_hole(void);

/* How many of the static table pages the boot map used, of how many. */
size_t mmu_boot_tables_used(void);
size_t mmu_boot_tables_capacity(void);
