/*
 * The VMSAv8-64 stage 1 descriptor bits the boot page tables use (4 KiB
 * granule, Arm ARM DDI 0487 section D8.3), shared by boot.S, which builds
 * the first tables with the MMU off, and mmu_boot.c, which adds the RAM
 * identity map. Deliberately only the subset the boot tables need, in a
 * form the assembler reads; the kernel page directory's full layout is
 * <aarch64/pt_desc.h>.
 */
#pragma once

#include <aarch64/bits.h>
#include <aarch64/sysreg.h>

#define PT_PAGE_SHIFT 12
#define PT_PAGE_SIZE AARCH64_BIT(PT_PAGE_SHIFT)
#define PT_INDEX_BITS 9 /* 512 eight-byte entries per 4 KiB table */
#define PT_ENTRIES AARCH64_BIT(PT_INDEX_BITS)
#define PT_ENTRY_SHIFT 3 /* eight bytes per entry */
#define PT_LEVELS 4     /* lookup levels 0..3 translate a 48-bit address */
#define PT_VA_BITS 48
#define PT_FIRST_BLOCK_LEVEL 1 /* 4 KiB granule: 1 GiB blocks at level 1, 2 MiB at level 2 */
#define PT_BLOCK_2M_LEVEL 2
#define PT_LAST_LEVEL 3

/* Bytes one entry at LEVEL maps: 512 GiB, 1 GiB, 2 MiB, 4 KiB. */
#define PT_LEVEL_SHIFT(level) (PT_PAGE_SHIFT + PT_INDEX_BITS * (PT_LAST_LEVEL - (level)))
#define PT_BLOCK_2M_SIZE AARCH64_BIT(PT_LEVEL_SHIFT(PT_BLOCK_2M_LEVEL))

#define PTE_VALID_BIT 0
#define PTE_TABLE_BIT 1
#define PTE_VALID AARCH64_BIT(PTE_VALID_BIT)
/* Levels 0-2: a next-level table; level 3: must be set (a page). */
#define PTE_TABLE AARCH64_BIT(PTE_TABLE_BIT)
#define PTE_PAGE AARCH64_BIT(PTE_TABLE_BIT)
#define PTE_ATTRINDX_SHIFT 2
#define PTE_ATTRINDX(index) AARCH64_FIELD(index, PTE_ATTRINDX_SHIFT)
#define PTE_AP_READ_ONLY AARCH64_BIT(7) /* AP[2]; AP[1] (EL0 access) stays zero */
#define PTE_SH_INNER AARCH64_FIELD(3, 8)
#define PTE_AF AARCH64_BIT(10)          /* access flag: set, or the first access faults */
#define PTE_PXN AARCH64_BIT(53)         /* not executable at EL1 */
#define PTE_UXN AARCH64_BIT(54)         /* not executable at EL0 */
#define PTE_ADDR_MASK AARCH64_MASK(PT_VA_BITS - PT_PAGE_SHIFT, PT_PAGE_SHIFT)

/* The four kinds of boot mapping (add PTE_VALID, and PTE_PAGE at level 3). */
#define PTE_BOOT_NORMAL (PTE_ATTRINDX(MAIR_INDEX_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_UXN)
#define PTE_BOOT_TEXT (PTE_BOOT_NORMAL | PTE_AP_READ_ONLY)
#define PTE_BOOT_RODATA (PTE_BOOT_NORMAL | PTE_AP_READ_ONLY | PTE_PXN)
#define PTE_BOOT_DATA (PTE_BOOT_NORMAL | PTE_PXN)
#define PTE_BOOT_DEVICE (PTE_ATTRINDX(MAIR_INDEX_DEVICE) | PTE_AF | PTE_PXN | PTE_UXN)

/*
 * The static pool every boot table comes from (boot_tables in mmu_boot.c,
 * shared with boot.S). boot.S takes at most 13: for TTBR1 the root and one
 * level-1, level-2 and level-3 table (linker.ld keeps the image within one
 * 2 MiB block); for TTBR0 the root, a level-1 table for the UART and the
 * image and one more for a devicetree above 512 GiB, level-2 tables for the
 * GiBs of the UART, the image and the devicetree's two blocks, and a level-3
 * table for the UART (9 on QEMU virt). mmu_boot.c then takes up to 7 for
 * the RAM identity map (5 for 128 MiB to 4 GiB, 7 for odd sizes such as
 * 1025 MiB).
 */
#define BOOT_TABLE_COUNT 24
