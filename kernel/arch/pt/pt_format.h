/*
 * The contract between the portable page-table engine
 * (kernel/arch/pt/page_directory.c) and one page-table format. Every format
 * we support is a radix tree of 4 KiB tables of 512 eight-byte entries
 * indexed by 9 bits of the virtual address per level, so the walk is written
 * once; a format only says how many levels it has, which levels may hold a
 * leaf, and how an entry is encoded and decoded.
 *
 * Levels count up from the leaf: level 0 maps 4 KiB, level 1 2 MiB, level 2
 * 1 GiB, level 3 512 GiB. The root is level (levels - 1).
 *
 * Each format is plain C over integers: it compiles for the host, where
 * tests/host checks it against an independent software MMU.
 */
#pragma once

#include <arch/page_directory.h>

typedef uint64_t pte_t;

#define PT_PAGE_SHIFT 12
#define PT_PAGE_SIZE (UINT64_C(1) << PT_PAGE_SHIFT)
#define PT_INDEX_BITS 9
#define PT_ENTRIES (1u << PT_INDEX_BITS)
#define PT_MAX_LEVELS 5

/* The span of one entry at LEVEL. */
#define PT_LEVEL_SHIFT(level) (PT_PAGE_SHIFT + PT_INDEX_BITS * (level))
#define PT_LEVEL_SIZE(level) (UINT64_C(1) << PT_LEVEL_SHIFT(level))

enum pte_kind {
    PTE_INVALID,
    PTE_TABLE, /* points to the next level's table */
    PTE_LEAF,  /* maps a page or a block */
};

/* One entry, decoded. encode(decode(e)) == e for every entry the format makes. */
struct pte_info {
    enum pte_kind kind;
    paddr_t phys;           /* TABLE: the next table; LEAF: the page/block base */
    uint32_t prot;          /* LEAF: enum pd_prot bits */
    enum memory_type type;  /* LEAF */
    bool accessed;          /* LEAF */
    bool dirty;             /* LEAF */
};

struct pt_format {
    const char *name;
    unsigned levels;          /* 3 (Sv39) or 4 */
    unsigned va_bits;         /* bits of address one root translates: 39 or 48 */
    uint32_t leaf_levels;     /* bit L set: a leaf may sit at level L (bit 0 always) */
    /*
     * true (aarch64): the kernel and user halves have separate roots (TTBR1
     * and TTBR0), each covering 2^va_bits bytes. false (x86_64, riscv64):
     * one root covers both halves of 2^(va_bits - 1) bytes each, and user
     * directories copy the top kernel_root_slots root entries of the kernel
     * directory, whose tables are allocated up front so they never change.
     */
    bool split_roots;
    unsigned kernel_root_slots;
    /* Largest physical address an entry can hold (exclusive). */
    uint64_t phys_limit;
    /*
     * true: entries cannot hold a memory type (riscv64 without Svpbmt: the
     * platform's PMAs decide), so every leaf decodes as MEMORY_TYPE_NORMAL.
     */
    bool no_memory_types;

    pte_t (*encode)(const struct pte_info *info, unsigned level);
    void (*decode)(pte_t pte, unsigned level, struct pte_info *info);
};

/*
 * For tests: how many of PD's table pages (the root and every table below
 * the root entries PD owns) have a valid-entry count that differs from a
 * scan of their entries. 0 when the engine kept every count.
 */
size_t pt_count_mismatches(const struct page_directory *pd);

/* Formats (each arch's pt_format.c; the host build links all of them). */
extern const struct pt_format pt_format_x86_64;
extern const struct pt_format pt_format_sv39;
extern const struct pt_format pt_format_sv48;
extern const struct pt_format pt_format_aarch64;
