/*
 * The Sv39/Sv48 page-table entry (RISC-V privileged architecture 1.12,
 * sections 4.4.1 and 4.5.1, with the Svpbmt and Svnapot chapters): its
 * fields, declared once in RISCV_PTE_FIELDS, the masks and accessors derived
 * from that table, the geometry of the two translation modes, and the
 * format objects kernel/arch/riscv64/pt_format.c defines for the portable
 * page-table engine (kernel/arch/pt/pt_format.h).
 *
 * Entries with R = W = X = 0 point at the next table; any of R or X makes a
 * leaf, at any level (4 KiB, 2 MiB, 1 GiB, and in Sv48 512 GiB).
 */
#pragma once

#include "kernel/arch/pt/pt_format.h"
#include "kernel/panic.h"

/*
 * FIELD(name, shift, width), low bits first; together they tile all 64 bits
 * (checked below). rsw is for software and ignored by the hardware; the
 * reserved field, pbmt without Svpbmt and n without Svnapot must be zero or
 * the hardware raises a page fault.
 */
#define RISCV_PTE_FIELDS(FIELD)                                                \
    FIELD(v, 0, 1)         /* valid */                                         \
    FIELD(r, 1, 1)         /* readable */                                      \
    FIELD(w, 2, 1)         /* writable (reserved without r) */                 \
    FIELD(x, 3, 1)         /* executable */                                    \
    FIELD(u, 4, 1)         /* user-mode accessible */                          \
    FIELD(g, 5, 1)         /* global: in every address space */                \
    FIELD(a, 6, 1)         /* accessed */                                      \
    FIELD(d, 7, 1)         /* dirty */                                         \
    FIELD(rsw, 8, 2)       /* reserved for supervisor software */              \
    FIELD(ppn, 10, 44)     /* physical page number */                          \
    FIELD(reserved, 54, 7) /* reserved for future standard use */              \
    FIELD(pbmt, 61, 2)     /* Svpbmt page-based memory type */                 \
    FIELD(n, 63, 1)        /* Svnapot contiguous range */

#define RISCV_PTE_SHIFT(field) riscv_pte_##field##_shift
#define RISCV_PTE_WIDTH(field) riscv_pte_##field##_width
#define RISCV_PTE_FIELD_MASK_(shift, width) (((UINT64_C(1) << (width)) - 1) << (shift))
#define RISCV_PTE_MASK(field) RISCV_PTE_FIELD_MASK_(RISCV_PTE_SHIFT(field), RISCV_PTE_WIDTH(field))

#define RISCV_PTE_ENUM_(name, shift, width)                                    \
    riscv_pte_##name##_shift = (shift), riscv_pte_##name##_width = (width),
enum { RISCV_PTE_FIELDS(RISCV_PTE_ENUM_) };
#undef RISCV_PTE_ENUM_

/* riscv_pte_get_<field>(pte) and riscv_pte_set_<field>(pte, value). */
#define RISCV_PTE_ACCESSORS_(name, shift, width)                               \
    static inline uint64_t riscv_pte_get_##name(pte_t pte)                     \
    {                                                                          \
        return (pte & RISCV_PTE_FIELD_MASK_(shift, width)) >> (shift);         \
    }                                                                          \
    static inline pte_t riscv_pte_set_##name(pte_t pte, uint64_t value)        \
    {                                                                          \
        ASSERT(value >> (width) == 0);                                         \
        return (pte & ~RISCV_PTE_FIELD_MASK_(shift, width)) | value << (shift); \
    }
RISCV_PTE_FIELDS(RISCV_PTE_ACCESSORS_)
#undef RISCV_PTE_ACCESSORS_

/* The layout as the manual draws it (privileged spec, figures 4.21 and 4.24). */
_Static_assert(RISCV_PTE_SHIFT(v) == 0 && RISCV_PTE_SHIFT(r) == 1 && RISCV_PTE_SHIFT(w) == 2 &&
                   RISCV_PTE_SHIFT(x) == 3 && RISCV_PTE_SHIFT(u) == 4 && RISCV_PTE_SHIFT(g) == 5 &&
                   RISCV_PTE_SHIFT(a) == 6 && RISCV_PTE_SHIFT(d) == 7,
               "flag bits 7:0 are D A G U X W R V");
_Static_assert(RISCV_PTE_SHIFT(rsw) == 8 && RISCV_PTE_WIDTH(rsw) == 2, "RSW is bits 9:8");
_Static_assert(RISCV_PTE_SHIFT(ppn) == 10 && RISCV_PTE_WIDTH(ppn) == 44, "PPN is bits 53:10");
_Static_assert(RISCV_PTE_SHIFT(reserved) == 54 && RISCV_PTE_WIDTH(reserved) == 7,
               "bits 60:54 are reserved");
_Static_assert(RISCV_PTE_SHIFT(pbmt) == 61 && RISCV_PTE_WIDTH(pbmt) == 2, "PBMT is bits 62:61");
_Static_assert(RISCV_PTE_SHIFT(n) == 63 && RISCV_PTE_WIDTH(n) == 1, "N is bit 63");

/* Disjoint fields: their masks add up to the same value they OR to, all 64 bits. */
#define RISCV_PTE_MASK_SUM_(name, shift, width) +RISCV_PTE_FIELD_MASK_(shift, width)
#define RISCV_PTE_MASK_OR_(name, shift, width) | RISCV_PTE_FIELD_MASK_(shift, width)
_Static_assert((0 RISCV_PTE_FIELDS(RISCV_PTE_MASK_SUM_)) ==
                   (0 RISCV_PTE_FIELDS(RISCV_PTE_MASK_OR_)),
               "PTE fields overlap");
_Static_assert((0 RISCV_PTE_FIELDS(RISCV_PTE_MASK_OR_)) == UINT64_MAX, "PTE fields leave a gap");
#undef RISCV_PTE_MASK_SUM_
#undef RISCV_PTE_MASK_OR_

/* The values of the pbmt field (Svpbmt). */
enum riscv_pbmt {
    RISCV_PBMT_PMA = 0, /* the physical memory attributes of the address decide */
    RISCV_PBMT_NC = 1,  /* non-cacheable, idempotent, weakly ordered: main memory */
    RISCV_PBMT_IO = 2,  /* non-cacheable, non-idempotent, strongly ordered: I/O */
    RISCV_PBMT_RESERVED = 3,
};

/* A page of 4 KiB, as PT_PAGE_SHIFT assumes: the ppn field counts these. */
#define RISCV_PAGE_SHIFT 12
_Static_assert(RISCV_PAGE_SHIFT == PT_PAGE_SHIFT, "Sv39/Sv48 pages are the engine's pages");

/*
 * What the hardware makes of PTE met at LEVEL of a walk (privileged spec
 * 4.3.2, steps 3-6): PTE_INVALID for anything it answers with a page fault
 * (V clear, W without R, reserved bits or encodings set, a pointer at level
 * 0, a misaligned superpage), else a pointer to the next table (R = W = X =
 * 0) or a leaf. SVPBMT: the format lets leaves hold a memory type (without
 * Svpbmt the pbmt field is reserved everywhere). The one definition of a
 * usable entry: pt_format.c decodes through it, and the page-fault decode
 * (trap.c) walks with it.
 */
static inline enum pte_kind riscv_pte_kind(pte_t pte, unsigned level, bool svpbmt)
{
    if (!riscv_pte_get_v(pte))
        return PTE_INVALID;
    /* Reserved in every entry: bits 60:54 and (no Svnapot) N. */
    if (riscv_pte_get_reserved(pte) || riscv_pte_get_n(pte))
        return PTE_INVALID;
    uint64_t pbmt = riscv_pte_get_pbmt(pte);
    if (!riscv_pte_get_r(pte) && !riscv_pte_get_x(pte)) {
        /* A pointer (W alone is reserved); pbmt is reserved in pointers, and level 0 has none. */
        return !riscv_pte_get_w(pte) && pbmt == 0 && level > 0 ? PTE_TABLE : PTE_INVALID;
    }
    if (riscv_pte_get_w(pte) && !riscv_pte_get_r(pte))
        return PTE_INVALID; /* W without R */
    if (svpbmt ? pbmt == RISCV_PBMT_RESERVED : pbmt != 0)
        return PTE_INVALID;
    uint64_t low_ppn = (UINT64_C(1) << (PT_INDEX_BITS * level)) - 1;
    if (riscv_pte_get_ppn(pte) & low_ppn)
        return PTE_INVALID; /* a misaligned superpage */
    return PTE_LEAF;
}
/* The physical addresses a ppn can name: 56 bits. */
#define RISCV_PHYS_LIMIT (UINT64_C(1) << (RISCV_PTE_WIDTH(ppn) + RISCV_PAGE_SHIFT))

/* Geometry of the two modes (satp.MODE 8 and 9): levels and virtual-address bits. */
#define RISCV_SV39_LEVELS 3
#define RISCV_SV39_VA_BITS 39
#define RISCV_SV48_LEVELS 4
#define RISCV_SV48_VA_BITS 48
_Static_assert(RISCV_SV39_VA_BITS == PT_LEVEL_SHIFT(RISCV_SV39_LEVELS), "Sv39: 3 x 9 + 12 bits");
_Static_assert(RISCV_SV48_VA_BITS == PT_LEVEL_SHIFT(RISCV_SV48_LEVELS), "Sv48: 4 x 9 + 12 bits");

/*
 * The kernel half: the top 4 GiB (0xffffffff00000000 and up) in Sv39, four
 * 1 GiB root entries; the top 512 GiB in Sv48, one root entry.
 */
#define RISCV_SV39_KERNEL_ROOT_SLOTS 4
#define RISCV_SV48_KERNEL_ROOT_SLOTS 1

/*
 * The formats. pt_format_sv39 and pt_format_sv48 (pt_format.h) are for
 * harts without Svpbmt: the pbmt bits stay zero and the PMAs alone decide
 * the memory type, so every leaf decodes as MEMORY_TYPE_NORMAL. The _svpbmt
 * variants encode the memory type in pbmt; the kernel picks them at boot
 * when the devicetree's riscv,isa-extensions (or riscv,isa) lists svpbmt.
 */
extern const struct pt_format pt_format_sv39_svpbmt;
extern const struct pt_format pt_format_sv48_svpbmt;
