/*
 * The VMSAv8-64 stage 1 descriptor layout (EL1&0 regime, 4 KiB granule,
 * 48-bit input and output addresses; Arm ARM DDI 0487, "VMSAv8-64
 * translation table format descriptors") and the MAIR_EL1 layout that
 * gives AttrIndx its meaning. The fields are declared once, in
 * A64_DESC_FIELDS; the shift/width constants and the accessors are
 * generated from that table, and static asserts pin it.
 *
 * Used by the page-table format (kernel/arch/aarch64/pt_format.c) and its
 * host tests. The boot tables (mmu_boot.c) still use the smaller
 * <aarch64/pte.h>; its names would collide with pt_format.h's, so this
 * header uses an A64_/a64_ prefix throughout.
 */
#pragma once

#include "kernel/panic.h"
#include <pagoda/types.h>

/* --- the translation regime ------------------------------------------------ */

#define A64_LEVELS 4   /* lookup levels 0..3 with the 4 KiB granule and 48-bit addresses */
#define A64_VA_BITS 48 /* per half: TTBR0_EL1 below 2^48, TTBR1_EL1 from 2^64 - 2^48 */
#define A64_PA_BITS 48 /* the output address field holds bits [47:12] */
#define A64_GRANULE_SHIFT 12

/*
 * Where a leaf may sit, in pt_format.h's numbering (0 = the 4 KiB level):
 * pages at level 0 (lookup level 3), 2 MiB blocks at level 1 (lookup level
 * 2), 1 GiB blocks at level 2 (lookup level 1). Lookup level 0 cannot hold
 * a block with this granule (that needs FEAT_LPA2).
 */
#define A64_LEAF_LEVEL_PAGE 0
#define A64_LEAF_LEVEL_2M 1
#define A64_LEAF_LEVEL_1G 2
#define A64_LEAF_LEVELS                                                            \
    ((1u << A64_LEAF_LEVEL_PAGE) | (1u << A64_LEAF_LEVEL_2M) | (1u << A64_LEAF_LEVEL_1G))

/* --- descriptor fields ------------------------------------------------------ */

/*
 * X(NAME, name, shift, width). Table descriptors use VALID, TYPE, ADDR and
 * the *_TABLE fields, which we leave zero (we do not use hierarchical
 * permissions; they are declared so tests can set them). Block and page
 * descriptors use the rest; their bits 59-62 are not ours (PBHA).
 */
#define A64_DESC_FIELDS(X)                                                            \
    X(VALID, valid, 0, 1)          /* 0: the walk stops with a translation fault */   \
    X(TYPE, type, 1, 1)            /* see enum a64_desc_type */                       \
    X(ATTRINDX, attrindx, 2, 3)    /* which MAIR_EL1 attribute byte applies */        \
    X(AP, ap, 6, 2)                /* AP[2:1], see enum a64_ap */                     \
    X(SH, sh, 8, 2)                /* shareability, see enum a64_sh */                \
    X(AF, af, 10, 1)               /* access flag: 0 faults (or is set, with HA) */   \
    X(NG, ng, 11, 1)               /* not global: the TLB entry is tagged by ASID */  \
    X(ADDR, addr, 12, 36)          /* output address / next table, bits [47:12] */    \
    X(DBM, dbm, 51, 1)             /* dirty bit modifier: writable, clean if AP[2] */ \
    X(PXN, pxn, 53, 1)             /* EL1 may not execute */                          \
    X(UXN, uxn, 54, 1)             /* EL0 may not execute */                          \
    X(SW_DIRTY, sw_dirty, 55, 1)   /* software: dirty, for mappings without write */  \
    X(PXN_TABLE, pxn_table, 59, 1) /* tables: PXN for everything below */             \
    X(UXN_TABLE, uxn_table, 60, 1) /* tables: UXN for everything below */             \
    X(AP_TABLE, ap_table, 61, 2)   /* tables: see enum a64_ap_table */

#define A64_FIELD_MAX(width) ((UINT64_C(1) << (width)) - 1)
#define A64_FIELD_MASK(shift, width) (A64_FIELD_MAX(width) << (shift))

#define A64_DESC_CONSTANTS(NAME, name, shift, width)                                \
    A64_DESC_##NAME##_SHIFT = (shift), A64_DESC_##NAME##_WIDTH = (width),
enum { A64_DESC_FIELDS(A64_DESC_CONSTANTS) };
#undef A64_DESC_CONSTANTS

/*
 * a64_desc_NAME(desc) reads a field; a64_desc_set_NAME(desc, value)
 * returns DESC with the field replaced. A value wider than its field is a
 * caller bug, not something to truncate silently.
 */
#define A64_DESC_ACCESSORS(NAME, name, shift, width)                                \
    static inline uint64_t a64_desc_##name(uint64_t desc)                          \
    {                                                                              \
        return (desc >> (shift)) & A64_FIELD_MAX(width);                           \
    }                                                                              \
    static inline uint64_t a64_desc_set_##name(uint64_t desc, uint64_t value)      \
    {                                                                              \
        if (value > A64_FIELD_MAX(width))                                          \
            panic("a64_desc_set_" #name ": %#llx does not fit %d bits",             \
                  (unsigned long long)value, (width));                             \
        return (desc & ~A64_FIELD_MASK(shift, width)) | (value << (shift));       \
    }
A64_DESC_FIELDS(A64_DESC_ACCESSORS)
#undef A64_DESC_ACCESSORS

/* The fields fit in 64 bits and do not overlap: their widths add up to the bits they cover. */
#define A64_DESC_FIELD_MASK(NAME, name, shift, width) | A64_FIELD_MASK(shift, width)
#define A64_DESC_FIELD_WIDTH(NAME, name, shift, width) +(width)
#define A64_DESC_FIELD_FITS(NAME, name, shift, width) &&((shift) + (width) <= 64)
_Static_assert(1 A64_DESC_FIELDS(A64_DESC_FIELD_FITS), "a descriptor field passes bit 63");
_Static_assert(__builtin_popcountll(0 A64_DESC_FIELDS(A64_DESC_FIELD_MASK)) ==
                   0 A64_DESC_FIELDS(A64_DESC_FIELD_WIDTH),
               "two descriptor fields overlap");
#undef A64_DESC_FIELD_MASK
#undef A64_DESC_FIELD_WIDTH
#undef A64_DESC_FIELD_FITS

/* The address field is exactly bits [A64_PA_BITS-1 : granule]. */
_Static_assert(A64_DESC_ADDR_SHIFT == A64_GRANULE_SHIFT, "ADDR starts at the granule");
_Static_assert(A64_DESC_ADDR_SHIFT + A64_DESC_ADDR_WIDTH == A64_PA_BITS, "ADDR ends at bit 47");
/* Bits [58:55] of block and page descriptors are reserved for software. */
_Static_assert(A64_DESC_SW_DIRTY_SHIFT >= 55 &&
                   A64_DESC_SW_DIRTY_SHIFT + A64_DESC_SW_DIRTY_WIDTH <= 59,
               "SW_DIRTY must lie in the software-reserved bits");
/* Positions as the Arm ARM gives them, so a typo in the table cannot go unnoticed. */
_Static_assert(A64_DESC_ATTRINDX_SHIFT == 2 && A64_DESC_AP_SHIFT == 6 && A64_DESC_SH_SHIFT == 8 &&
                   A64_DESC_AF_SHIFT == 10 && A64_DESC_NG_SHIFT == 11 && A64_DESC_DBM_SHIFT == 51 &&
                   A64_DESC_PXN_SHIFT == 53 && A64_DESC_UXN_SHIFT == 54 &&
                   A64_DESC_PXN_TABLE_SHIFT == 59 && A64_DESC_UXN_TABLE_SHIFT == 60 &&
                   A64_DESC_AP_TABLE_SHIFT == 61,
               "descriptor fields moved");

/* TYPE (bit 1) of a valid descriptor. */
enum a64_desc_type {
    A64_DESC_TYPE_BLOCK = 0, /* lookup levels 1-2: a block; level 3: reserved (faults) */
    A64_DESC_TYPE_TABLE = 1, /* lookup levels 0-2: the next table */
    A64_DESC_TYPE_PAGE = 1,  /* lookup level 3: a page */
};

/*
 * AP[2:1] as two flags. AP[1] gives EL0 the same data access as EL1;
 * AP[2] forbids writes at both. So 00 = EL1 RW, 01 = EL0+EL1 RW,
 * 10 = EL1 RO, 11 = EL0+EL1 RO.
 */
enum a64_ap {
    A64_AP_EL0 = 1u << 0,       /* AP[1] */
    A64_AP_READ_ONLY = 1u << 1, /* AP[2] */
};

/* APTable[1:0] of a table descriptor: limits on everything it leads to. */
enum a64_ap_table {
    A64_AP_TABLE_NO_EL0 = 1u << 0,    /* APTable[0]: no EL0 access */
    A64_AP_TABLE_READ_ONLY = 1u << 1, /* APTable[1]: no writes */
};

/* SH[1:0]. Device and Normal Non-cacheable memory are Outer Shareable whatever SH says. */
enum a64_sh {
    A64_SH_NONE = 0,
    A64_SH_OUTER = 2,
    A64_SH_INNER = 3,
};

/* --- MAIR_EL1 --------------------------------------------------------------- */

/*
 * The attribute bytes (Arm ARM "MAIR_EL1"): 0x04 Device-nGnRE (no
 * gathering or reordering, early write acknowledgement: what device
 * registers want); 0xff Normal, inner and outer write-back non-transient,
 * read- and write-allocate; 0x44 Normal, inner and outer non-cacheable.
 */
#define A64_MAIR_ATTR_DEVICE_NGNRE 0x04
#define A64_MAIR_ATTR_NORMAL_WB 0xff
#define A64_MAIR_ATTR_NORMAL_NC 0x44
#define A64_MAIR_ATTR_BITS 8

/*
 * One index per enum memory_type. IO is index 0 and Normal index 1, as in
 * the boot tables: both use MAIR_EL1_VALUE (sysreg.h), which must equal
 * A64_MAIR_EL1. Indices 3-7 hold 0x00 (Device-nGnRnE): an entry that names
 * one is the strictest device memory, never cached.
 */
enum a64_mair_index {
    A64_MAIR_INDEX_IO = 0,
    A64_MAIR_INDEX_NORMAL = 1,
    A64_MAIR_INDEX_NONCACHEABLE = 2,
};

#define A64_MAIR_FIELD(attr, index) ((uint64_t)(attr) << ((index) * A64_MAIR_ATTR_BITS))
#define A64_MAIR_EL1                                                               \
    (A64_MAIR_FIELD(A64_MAIR_ATTR_DEVICE_NGNRE, A64_MAIR_INDEX_IO) |               \
     A64_MAIR_FIELD(A64_MAIR_ATTR_NORMAL_WB, A64_MAIR_INDEX_NORMAL) |              \
     A64_MAIR_FIELD(A64_MAIR_ATTR_NORMAL_NC, A64_MAIR_INDEX_NONCACHEABLE))

_Static_assert(A64_MAIR_EL1 == UINT64_C(0x000000000044ff04), "MAIR_EL1 layout moved");
_Static_assert(A64_MAIR_INDEX_NONCACHEABLE <= A64_FIELD_MAX(A64_DESC_ATTRINDX_WIDTH),
               "AttrIndx selects one of eight attributes");
