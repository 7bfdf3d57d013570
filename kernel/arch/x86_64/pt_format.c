/*
 * The x86_64 page-table format: pt_format_x86_64, which tells the portable
 * engine (kernel/arch/pt/) the shape of a 4-level tree and turns one
 * struct pte_info into an entry and back. The bits are declared in
 * <x86_64/pte.h>; this file is the one place where arch-neutral rights and
 * memory types become x86 bits.
 *
 * Choices, and why:
 * - Table entries are P|R/W|U/S with NX clear. The walker ANDs R/W and U/S
 *   and ORs NX over every level (SDM vol. 3A, 4.6), so an upper entry can
 *   only take rights away; leaving every table open lets the leaf alone
 *   decide, which is the only place the interface's rights live. PWT = PCD
 *   = 0 in table entries selects PAT entry 0 (WB) for the walk's reads.
 * - PD_READ has no bit: a present entry is readable. x86 cannot express
 *   write-only or execute-only, and the interface requires PD_READ anyway.
 * - Memory types select PAT entries (the layout and the MSR value are in
 *   pte.h). The encoder never sets the PAT index bit, whose position moves
 *   with the level (bit 7 in a 4 KiB leaf, bit 12 in a large one); the
 *   decoder still reads it, so any of the eight indices decodes sensibly.
 * - Accessed and dirty are the hardware's A and D bits, reported as they
 *   are; the CPU sets them itself (x86 has no fault-on-A/D mode).
 * - 1 GiB leaves are allowed in pt_format_x86_64. A CPU without pdpe1gb
 *   treats PS in a PDPT entry as a reserved bit, so it gets
 *   pt_format_x86_64_no1g (arch_pt_format() chooses): the same entries,
 *   minus level 2 in leaf_levels, so the engine maps 1 GiB with 2 MiB leaves.
 */
#include "kernel/arch/x86_64/mmu.h"
#include "kernel/arch/pt/pt_format.h"
#include "kernel/panic.h"
#include <x86_64/layout.h>
#include <x86_64/pte.h>

#define X86_LEVELS 4
#define X86_VA_BITS 48
#define X86_LEVEL_4K 0
#define X86_LEVEL_2M 1
#define X86_LEVEL_1G 2
#define X86_LEVEL_PML4 (X86_LEVELS - 1)

/* The kernel half user directories share: the top PML4 entry, 0xffffff8000000000 and up. */
#define X86_KERNEL_ROOT_SLOTS 1
#define X86_KERNEL_HALF_BASE (UINT64_C(0) - X86_KERNEL_ROOT_SLOTS * PT_LEVEL_SIZE(X86_LEVEL_PML4))

_Static_assert(PT_LEVEL_SHIFT(X86_LEVELS) == X86_VA_BITS,
               "4 levels of 9 index bits over a 4 KiB page translate 48 bits");
_Static_assert(X86_PTE_ADDR_4K_SHIFT == PT_PAGE_SHIFT &&
                   X86_PTE_ADDR_2M_SHIFT == PT_LEVEL_SHIFT(X86_LEVEL_2M) &&
                   X86_PTE_ADDR_1G_SHIFT == PT_LEVEL_SHIFT(X86_LEVEL_1G),
               "each leaf's address field starts at the span of its level");
_Static_assert(X86_KERNEL_VIRT_BASE >= X86_KERNEL_HALF_BASE,
               "the kernel image lies in the shared kernel root slots");

/* What moves with the level in a leaf: its address field, its PAT bit, PS. */
struct x86_leaf_layout {
    uint64_t addr;
    uint64_t pat;
    uint64_t kind; /* PS in a PD or PDPT leaf; a PT entry is a leaf by level */
};

static const struct x86_leaf_layout leaf_layouts[] = {
    [X86_LEVEL_4K] = { X86_PTE_MASK(ADDR_4K), X86_PTE_MASK(PAT_4K), 0 },
    [X86_LEVEL_2M] = { X86_PTE_MASK(ADDR_2M), X86_PTE_MASK(PAT_LARGE), X86_PTE_MASK(PS) },
    [X86_LEVEL_1G] = { X86_PTE_MASK(ADDR_1G), X86_PTE_MASK(PAT_LARGE), X86_PTE_MASK(PS) },
};

/* The PAT entry each memory type selects, and the type each entry means (pte.h). */
static const unsigned type_pat_index[] = {
    [MEMORY_TYPE_NORMAL] = X86_PAT_INDEX_NORMAL,
    [MEMORY_TYPE_IO] = X86_PAT_INDEX_IO,
    [MEMORY_TYPE_NONCACHEABLE] = X86_PAT_INDEX_NONCACHEABLE,
};

static const enum memory_type pat_index_type[X86_PAT_ENTRIES] = {
    [X86_PAT_INDEX_NORMAL] = MEMORY_TYPE_NORMAL,
    [X86_PAT_INDEX_NONCACHEABLE] = MEMORY_TYPE_NONCACHEABLE,
    [X86_PAT_INDEX_UC_MINUS] = MEMORY_TYPE_IO, /* uncached and strongly ordered, like UC */
    [X86_PAT_INDEX_IO] = MEMORY_TYPE_IO,
    [X86_PAT_UPPER(X86_PAT_INDEX_NORMAL)] = MEMORY_TYPE_NORMAL,
    [X86_PAT_UPPER(X86_PAT_INDEX_NONCACHEABLE)] = MEMORY_TYPE_NONCACHEABLE,
    [X86_PAT_UPPER(X86_PAT_INDEX_UC_MINUS)] = MEMORY_TYPE_IO,
    [X86_PAT_UPPER(X86_PAT_INDEX_IO)] = MEMORY_TYPE_IO,
};

/* Panic unless PHYS fits ADDR_FIELD exactly: aligned for the level and below 2^52. */
static void check_phys(paddr_t phys, uint64_t addr_field, unsigned level)
{
    if (phys.value & ~addr_field)
        panic("x86_64_pte_encode: address %#llx does not fit a level %u entry",
              (unsigned long long)phys.value, level);
}

/* The PWT, PCD and PAT bits that select PAT entry INDEX in a leaf laid out as LAYOUT. */
static pte_t pat_index_bits(unsigned index, const struct x86_leaf_layout *layout)
{
    pte_t bits = X86_PTE_PUT(PWT, index >> X86_PAT_INDEX_PWT_BIT) |
                 X86_PTE_PUT(PCD, index >> X86_PAT_INDEX_PCD_BIT);
    if ((index >> X86_PAT_INDEX_PAT_BIT) & 1)
        bits |= layout->pat;
    return bits;
}

static unsigned pat_index_of(pte_t pte, const struct x86_leaf_layout *layout)
{
    return (unsigned)(X86_PTE_GET(pte, PWT) << X86_PAT_INDEX_PWT_BIT) |
           (unsigned)(X86_PTE_GET(pte, PCD) << X86_PAT_INDEX_PCD_BIT) |
           (unsigned)((pte & layout->pat) != 0) << X86_PAT_INDEX_PAT_BIT;
}

/* A table entry allows everything (see the top of the file); the leaf decides. */
static pte_t encode_table(const struct pte_info *info, unsigned level)
{
    if (level == X86_LEVEL_4K)
        panic("x86_64_pte_encode: a PT entry cannot point to a table");
    check_phys(info->phys, X86_PTE_MASK(ADDR_4K), level);
    return X86_PTE_PUT(PRESENT, 1) | X86_PTE_PUT(WRITABLE, 1) | X86_PTE_PUT(USER, 1) |
           info->phys.value;
}

static pte_t encode_leaf(const struct pte_info *info, unsigned level)
{
    if (level >= ARRAY_SIZE(leaf_layouts))
        panic("x86_64_pte_encode: no leaf at level %u", level);
    const struct x86_leaf_layout *layout = &leaf_layouts[level];
    check_phys(info->phys, layout->addr, level);
    uint32_t prot = info->prot;
    if (!(prot & PD_READ) || (prot & ~(uint32_t)PD_PROT_ALL))
        panic("x86_64_pte_encode: rights %#x cannot be expressed", prot);
    if ((unsigned)info->type >= ARRAY_SIZE(type_pat_index))
        panic("x86_64_pte_encode: unknown memory type %d", (int)info->type);

    return X86_PTE_PUT(PRESENT, 1) | layout->kind | info->phys.value |
           X86_PTE_PUT(WRITABLE, (prot & PD_WRITE) != 0) |
           X86_PTE_PUT(USER, (prot & PD_USER) != 0) |
           X86_PTE_PUT(GLOBAL, (prot & PD_GLOBAL) != 0) |
           X86_PTE_PUT(NX, (prot & PD_EXECUTE) == 0) |
           X86_PTE_PUT(ACCESSED, info->accessed) | X86_PTE_PUT(DIRTY, info->dirty) |
           pat_index_bits(type_pat_index[info->type], layout);
}

/* The entry for INFO at LEVEL; panics on what the format cannot express. */
static pte_t x86_64_pte_encode(const struct pte_info *info, unsigned level)
{
    if (level >= X86_LEVELS)
        panic("x86_64_pte_encode: level %u of a %u-level tree", level, X86_LEVELS);
    switch (info->kind) {
    case PTE_INVALID:
        return 0;
    case PTE_TABLE:
        return encode_table(info, level);
    case PTE_LEAF:
        return encode_leaf(info, level);
    }
    panic("x86_64_pte_encode: unknown entry kind %d", (int)info->kind);
}

/*
 * Whether a present entry at LEVEL maps memory. PS is reserved in a PML4
 * entry (the walker faults on it), so a PML4 entry decodes as a table.
 */
static bool is_leaf(pte_t pte, unsigned level)
{
    if (level == X86_LEVEL_4K)
        return true;
    if (level == X86_LEVEL_PML4)
        return false;
    return X86_PTE_GET(pte, PS) != 0;
}

/*
 * Decode any entry: bits the hardware ignores (AVL, PKEY, A in a table
 * entry) and reserved bits are dropped, so an entry the CPU has written to
 * decodes like the one we wrote, with accessed/dirty as the CPU left them.
 */
static void x86_64_pte_decode(pte_t pte, unsigned level, struct pte_info *info)
{
    if (level >= X86_LEVELS)
        panic("x86_64_pte_decode: level %u of a %u-level tree", level, X86_LEVELS);
    *info = (struct pte_info){ .kind = PTE_INVALID, .type = MEMORY_TYPE_NORMAL };
    if (!X86_PTE_GET(pte, PRESENT))
        return;
    if (!is_leaf(pte, level)) {
        info->kind = PTE_TABLE;
        info->phys = paddr(pte & X86_PTE_MASK(ADDR_4K));
        return;
    }

    const struct x86_leaf_layout *layout = &leaf_layouts[level];
    info->kind = PTE_LEAF;
    info->phys = paddr(pte & layout->addr);
    info->prot = PD_READ;
    if (X86_PTE_GET(pte, WRITABLE))
        info->prot |= PD_WRITE;
    if (!X86_PTE_GET(pte, NX))
        info->prot |= PD_EXECUTE;
    if (X86_PTE_GET(pte, USER))
        info->prot |= PD_USER;
    if (X86_PTE_GET(pte, GLOBAL))
        info->prot |= PD_GLOBAL;
    info->type = pat_index_type[pat_index_of(pte, layout)];
    info->accessed = X86_PTE_GET(pte, ACCESSED) != 0;
    info->dirty = X86_PTE_GET(pte, DIRTY) != 0;
}

#define X86_LEAVES_4K_2M ((1u << X86_LEVEL_4K) | (1u << X86_LEVEL_2M))
#define X86_LEAVES_4K_2M_1G (X86_LEAVES_4K_2M | (1u << X86_LEVEL_1G))

/* The two variants differ only in the leaf levels, so they are spelled once. */
#define X86_FORMAT(format_name, leaves)                                                \
    {                                                                                  \
        .name = (format_name), .levels = X86_LEVELS, .va_bits = X86_VA_BITS,           \
        .leaf_levels = (leaves), .split_roots = false,                                 \
        .kernel_root_slots = X86_KERNEL_ROOT_SLOTS,                                    \
        .phys_limit = UINT64_C(1) << X86_PHYS_ADDR_BITS, .encode = x86_64_pte_encode,  \
        .decode = x86_64_pte_decode,                                                   \
    }

const struct pt_format pt_format_x86_64 = X86_FORMAT("x86_64", X86_LEAVES_4K_2M_1G);
const struct pt_format pt_format_x86_64_no1g =
    X86_FORMAT("x86_64 (no 1 GiB pages)", X86_LEAVES_4K_2M);
