/*
 * The x86_64 page-table entry, declared once: every field of the 4-level
 * paging entries (Intel SDM vol. 3A, 4.5, tables 4-15 to 4-20; AMD APM
 * vol. 2, 5.3.3), the accessors derived from that table, and the PAT
 * layout (SDM vol. 3A, 11.12) the memory types are encoded through.
 * kernel/arch/x86_64/pt_format.c is the one user that turns the arch-neutral
 * rights and types into these bits.
 *
 * Plain C over integers, no instructions: it compiles into the host tests.
 */
#pragma once

#include <stdint.h>

/*
 * X86_PTE_FIELDS(F): F(NAME, shift, width) for every field, in bit order.
 * Some fields share bits because their meaning depends on the level and on
 * PS, so each kind of entry uses a subset (the asserts below check that
 * each subset tiles the 64 bits exactly):
 *
 *   4 KiB leaf (PT entry):       PRESENT..DIRTY, PAT_4K, GLOBAL, AVL_LOW,
 *                                ADDR_4K, AVL_HIGH, PKEY, NX
 *   2 MiB / 1 GiB leaf (PD /     PRESENT..DIRTY, PS = 1, GLOBAL, AVL_LOW,
 *   PDPT entry with PS):         PAT_LARGE, RSVD_2M / RSVD_1G, ADDR_2M /
 *                                ADDR_1G, AVL_HIGH, PKEY, NX
 *   table (PML4, PDPT or PD      PRESENT..ACCESSED, PS = 0, ADDR_4K, NX;
 *   entry without PS):           bits 6 and 8 ignored, PS reserved in a PML4
 *                                entry; the format sets none of bits 6-8
 *
 * Address fields hold the physical address bits at their own positions
 * (ADDR_2M is bits 51:21 of the block's address, in bits 51:21).
 */
#define X86_PTE_FIELDS(F)                                                              \
    F(PRESENT, 0, 1)   /* P: the entry is used */                                      \
    F(WRITABLE, 1, 1)  /* R/W: writes allowed (ANDed down the walk; CR0.WP=1) */       \
    F(USER, 2, 1)      /* U/S: user-mode access allowed (ANDed down the walk) */       \
    F(PWT, 3, 1)       /* PAT index bit 0 */                                           \
    F(PCD, 4, 1)       /* PAT index bit 1 */                                           \
    F(ACCESSED, 5, 1)  /* A: set by the walker in every entry it uses */               \
    F(DIRTY, 6, 1)     /* D: leaves only; set by the walker on a write */              \
    F(PS, 7, 1)        /* PDPT/PD: 1 = this entry is a 1 GiB/2 MiB leaf; PML4: MBZ */  \
    F(PAT_4K, 7, 1)    /* 4 KiB leaf: PAT index bit 2 (the same bit as PS) */          \
    F(GLOBAL, 8, 1)    /* G: leaves only; kept across CR3 loads (CR4.PGE) */           \
    F(AVL_LOW, 9, 3)   /* ignored by the hardware */                                   \
    F(PAT_LARGE, 12, 1)/* 2 MiB/1 GiB leaf: PAT index bit 2 */                         \
    F(RSVD_2M, 13, 8)  /* 2 MiB leaf: must be zero */                                  \
    F(RSVD_1G, 13, 17) /* 1 GiB leaf: must be zero */                                  \
    F(ADDR_4K, 12, 40) /* table or 4 KiB page address, bits 51:12 */                   \
    F(ADDR_2M, 21, 31) /* 2 MiB block address, bits 51:21 */                           \
    F(ADDR_1G, 30, 22) /* 1 GiB block address, bits 51:30 */                           \
    F(AVL_HIGH, 52, 7) /* ignored by the hardware */                                   \
    F(PKEY, 59, 4)     /* protection key; ignored while CR4.PKE=0 (ours) */            \
    F(NX, 63, 1)       /* XD: no instruction fetch (ORed down the walk; EFER.NXE=1) */

#define X86_PTE_FIELD_ENUM_(name, shift, width) \
    X86_PTE_##name##_SHIFT = (shift), X86_PTE_##name##_WIDTH = (width),
enum { X86_PTE_FIELDS(X86_PTE_FIELD_ENUM_) };
#undef X86_PTE_FIELD_ENUM_

/* Accessors derived from the table; FIELD is a name from X86_PTE_FIELDS. */
#define X86_PTE_FIELD_MAX(field) ((UINT64_C(1) << X86_PTE_##field##_WIDTH) - 1)
#define X86_PTE_MASK(field) (X86_PTE_FIELD_MAX(field) << X86_PTE_##field##_SHIFT)
#define X86_PTE_GET(pte, field) \
    (((uint64_t)(pte) >> X86_PTE_##field##_SHIFT) & X86_PTE_FIELD_MAX(field))
/* VALUE placed in FIELD (truncated to its width; callers check the range). */
#define X86_PTE_PUT(field, value) \
    (((uint64_t)(value) & X86_PTE_FIELD_MAX(field)) << X86_PTE_##field##_SHIFT)

/* Physical addresses: MAXPHYADDR is at most 52 (SDM 4.1.4), the top of every ADDR field. */
#define X86_PHYS_ADDR_BITS 52

/* Each kind of entry tiles the 64 bits: no field overlaps another, none is missing. */
#define X86_PTE_COMMON_MASK_                                                           \
    (X86_PTE_MASK(PRESENT) | X86_PTE_MASK(WRITABLE) | X86_PTE_MASK(USER) |            \
     X86_PTE_MASK(PWT) | X86_PTE_MASK(PCD) | X86_PTE_MASK(ACCESSED) |                 \
     X86_PTE_MASK(DIRTY) | X86_PTE_MASK(GLOBAL) | X86_PTE_MASK(AVL_LOW) |             \
     X86_PTE_MASK(AVL_HIGH) | X86_PTE_MASK(PKEY) | X86_PTE_MASK(NX))
#define X86_PTE_COMMON_WIDTH_                                                          \
    (X86_PTE_PRESENT_WIDTH + X86_PTE_WRITABLE_WIDTH + X86_PTE_USER_WIDTH +            \
     X86_PTE_PWT_WIDTH + X86_PTE_PCD_WIDTH + X86_PTE_ACCESSED_WIDTH +                 \
     X86_PTE_DIRTY_WIDTH + X86_PTE_GLOBAL_WIDTH + X86_PTE_AVL_LOW_WIDTH +             \
     X86_PTE_AVL_HIGH_WIDTH + X86_PTE_PKEY_WIDTH + X86_PTE_NX_WIDTH)
_Static_assert((X86_PTE_COMMON_MASK_ | X86_PTE_MASK(PAT_4K) | X86_PTE_MASK(ADDR_4K)) ==
                       UINT64_MAX &&
                   X86_PTE_COMMON_WIDTH_ + X86_PTE_PAT_4K_WIDTH + X86_PTE_ADDR_4K_WIDTH == 64,
               "the 4 KiB leaf fields tile the entry");
_Static_assert((X86_PTE_COMMON_MASK_ | X86_PTE_MASK(PS) | X86_PTE_MASK(PAT_LARGE) |
                X86_PTE_MASK(RSVD_2M) | X86_PTE_MASK(ADDR_2M)) == UINT64_MAX &&
                   X86_PTE_COMMON_WIDTH_ + X86_PTE_PS_WIDTH + X86_PTE_PAT_LARGE_WIDTH +
                           X86_PTE_RSVD_2M_WIDTH + X86_PTE_ADDR_2M_WIDTH ==
                       64,
               "the 2 MiB leaf fields tile the entry");
_Static_assert((X86_PTE_COMMON_MASK_ | X86_PTE_MASK(PS) | X86_PTE_MASK(PAT_LARGE) |
                X86_PTE_MASK(RSVD_1G) | X86_PTE_MASK(ADDR_1G)) == UINT64_MAX &&
                   X86_PTE_COMMON_WIDTH_ + X86_PTE_PS_WIDTH + X86_PTE_PAT_LARGE_WIDTH +
                           X86_PTE_RSVD_1G_WIDTH + X86_PTE_ADDR_1G_WIDTH ==
                       64,
               "the 1 GiB leaf fields tile the entry");

/* The positions the hardware fixes and the rest of the format relies on. */
_Static_assert(X86_PTE_PAT_4K_SHIFT == X86_PTE_PS_SHIFT,
               "a 4 KiB leaf's PAT bit is PS's bit: the PAT bit's place depends on the level");
_Static_assert(X86_PTE_ADDR_4K_SHIFT == 12 && X86_PTE_ADDR_2M_SHIFT == 21 &&
                   X86_PTE_ADDR_1G_SHIFT == 30,
               "address fields start at the page, 2 MiB and 1 GiB alignment");
_Static_assert(X86_PTE_ADDR_4K_SHIFT + X86_PTE_ADDR_4K_WIDTH == X86_PHYS_ADDR_BITS &&
                   X86_PTE_ADDR_2M_SHIFT + X86_PTE_ADDR_2M_WIDTH == X86_PHYS_ADDR_BITS &&
                   X86_PTE_ADDR_1G_SHIFT + X86_PTE_ADDR_1G_WIDTH == X86_PHYS_ADDR_BITS,
               "address fields end at MAXPHYADDR's architectural limit");
_Static_assert(X86_PTE_PAT_LARGE_SHIFT == X86_PTE_ADDR_4K_SHIFT &&
                   X86_PTE_RSVD_2M_SHIFT + X86_PTE_RSVD_2M_WIDTH == X86_PTE_ADDR_2M_SHIFT &&
                   X86_PTE_RSVD_1G_SHIFT + X86_PTE_RSVD_1G_WIDTH == X86_PTE_ADDR_1G_SHIFT,
               "a large leaf's PAT bit is bit 12, then reserved bits up to its address");
_Static_assert(X86_PTE_NX_SHIFT == 63, "XD is the top bit");

/*
 * Memory types through the PAT (SDM vol. 3A, 11.12). A leaf selects one of
 * the eight IA32_PAT entries with index PAT:PCD:PWT; table entries have no
 * PAT bit and select with PCD:PWT only.
 */
#define X86_PAT_INDEX_PWT_BIT 0
#define X86_PAT_INDEX_PCD_BIT 1
#define X86_PAT_INDEX_PAT_BIT 2
#define X86_PAT_ENTRIES 8
#define X86_PAT_ENTRY_BITS 8

/* IA32_PAT memory-type encodings (SDM vol. 3A, table 11-10). */
#define X86_PAT_TYPE_UC 0x00       /* uncacheable, strongly ordered */
#define X86_PAT_TYPE_WC 0x01       /* write-combining: uncached, weakly ordered */
#define X86_PAT_TYPE_WT 0x04       /* write-through */
#define X86_PAT_TYPE_WP 0x05       /* write-protected */
#define X86_PAT_TYPE_WB 0x06       /* write-back */
#define X86_PAT_TYPE_UC_MINUS 0x07 /* UC, but an MTRR of WC wins */

/*
 * Our PAT: the power-on default (WB, WT, UC-, UC, repeated) with WT
 * replaced by WC in entries 1 and 5 (what Linux does too).
 *
 *   index 0 (and 4)  WB   NORMAL. Index 0 is what a table entry with
 *                         PWT = PCD = 0 selects, so the walker's own reads
 *                         of the tables are write-back.
 *   index 1 (and 5)  WC   NONCACHEABLE: uncached and weakly ordered, the
 *                         x86 counterpart of Arm's Normal Non-cacheable and
 *                         Svpbmt NC. WC stores may pass each other, so a
 *                         driver orders them (sfence) before a doorbell.
 *   index 2 (and 6)  UC-  unused by the encoder; decodes as IO.
 *   index 3 (and 7)  UC   IO: uncached, strongly ordered, and not
 *                         overridable by an MTRR. PWT|PCD is UC in the reset
 *                         PAT as well, so IO mappings are right even before
 *                         the kernel programs the MSR.
 *
 * Entry 1 is WT until the MSR is written: the kernel must program
 * X86_PAT_MSR_VALUE on every CPU before it maps anything NONCACHEABLE.
 */
#define X86_MSR_PAT 0x277
#define X86_PAT_INDEX_NORMAL 0
#define X86_PAT_INDEX_NONCACHEABLE 1
#define X86_PAT_INDEX_UC_MINUS 2
#define X86_PAT_INDEX_IO 3

#define X86_PAT_ENTRY(index, type) ((uint64_t)(type) << ((index) * X86_PAT_ENTRY_BITS))
/* The upper four entries repeat the lower four, so the PAT bit changes nothing. */
#define X86_PAT_UPPER(index) ((index) + X86_PAT_ENTRIES / 2)
#define X86_PAT_MSR_VALUE                                                              \
    (X86_PAT_ENTRY(X86_PAT_INDEX_NORMAL, X86_PAT_TYPE_WB) |                            \
     X86_PAT_ENTRY(X86_PAT_INDEX_NONCACHEABLE, X86_PAT_TYPE_WC) |                      \
     X86_PAT_ENTRY(X86_PAT_INDEX_UC_MINUS, X86_PAT_TYPE_UC_MINUS) |                    \
     X86_PAT_ENTRY(X86_PAT_INDEX_IO, X86_PAT_TYPE_UC) |                                \
     X86_PAT_ENTRY(X86_PAT_UPPER(X86_PAT_INDEX_NORMAL), X86_PAT_TYPE_WB) |             \
     X86_PAT_ENTRY(X86_PAT_UPPER(X86_PAT_INDEX_NONCACHEABLE), X86_PAT_TYPE_WC) |       \
     X86_PAT_ENTRY(X86_PAT_UPPER(X86_PAT_INDEX_UC_MINUS), X86_PAT_TYPE_UC_MINUS) |     \
     X86_PAT_ENTRY(X86_PAT_UPPER(X86_PAT_INDEX_IO), X86_PAT_TYPE_UC))

_Static_assert(X86_PAT_INDEX_NORMAL == 0, "table entries (PWT = PCD = 0) must read tables as WB");
_Static_assert(X86_PAT_INDEX_IO == ((1 << X86_PAT_INDEX_PWT_BIT) | (1 << X86_PAT_INDEX_PCD_BIT)),
               "IO is PWT|PCD, UC also in the reset PAT");
