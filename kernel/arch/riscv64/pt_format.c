/*
 * The Sv39 and Sv48 page-table formats (riscv/pte.h), with and without
 * Svpbmt: how one struct pte_info becomes one entry and back. This is the
 * only place the arch-neutral rights and memory types (enum pd_prot, enum
 * memory_type) turn into RISC-V entry bits. Plain C over integers: it is
 * compiled into the kernel and into the host tests, which check it against
 * the independent walker in tests/host/swmmu_riscv64.c.
 *
 * Leaves: the engine may put them at levels 0-2 (4 KiB, 2 MiB, 1 GiB) in
 * both modes. Sv48 also allows a 512 GiB leaf at the root; we do not offer
 * it (leaf_levels): nothing Pagoda maps is 512 GiB-aligned and that large,
 * in Sv48 the kernel half is one root entry whose table user directories
 * share, and no other format has such a leaf for the engine to be tested
 * with. decode() still reports one it finds, since the hardware would use it.
 *
 * decode() describes an entry as the hardware reads it: anything the
 * hardware would answer with a page fault (V clear, W without R, reserved
 * bits or encodings set, a pointer at level 0, a misaligned superpage)
 * decodes as PTE_INVALID. That judgement is riscv_pte_kind() (riscv/pte.h),
 * shared with the page-fault decode's walk (trap.c). encode() panics on
 * requests no entry can express (a caller bug); it never sets the software
 * (RSW) bits.
 */
#include "riscv/pte.h"

/* How a format maps enum memory_type; an enum rather than a bare bool. */
enum riscv_memory_types {
    RISCV_TYPES_PMA,    /* no Svpbmt: pbmt is reserved, the PMAs decide */
    RISCV_TYPES_SVPBMT, /* pbmt selects PMA, NC or IO per leaf */
};

struct riscv_variant {
    unsigned levels;
    enum riscv_memory_types types;
};

static const struct riscv_variant sv39 = { RISCV_SV39_LEVELS, RISCV_TYPES_PMA };
static const struct riscv_variant sv39_svpbmt = { RISCV_SV39_LEVELS, RISCV_TYPES_SVPBMT };
static const struct riscv_variant sv48 = { RISCV_SV48_LEVELS, RISCV_TYPES_PMA };
static const struct riscv_variant sv48_svpbmt = { RISCV_SV48_LEVELS, RISCV_TYPES_SVPBMT };

/* Levels 0-2: 4 KiB pages, 2 MiB and 1 GiB superpages (see the top of the file). */
#define RISCV_LEAF_LEVELS (UINT32_C(1) << 0 | UINT32_C(1) << 1 | UINT32_C(1) << 2)

static enum riscv_pbmt pbmt_from_type(enum memory_type type)
{
    switch (type) {
    case MEMORY_TYPE_NORMAL:
        return RISCV_PBMT_PMA;
    case MEMORY_TYPE_IO:
        return RISCV_PBMT_IO;
    case MEMORY_TYPE_NONCACHEABLE:
        return RISCV_PBMT_NC;
    }
    panic("riscv_encode: bad memory type %d", (int)type);
}

static enum memory_type type_from_pbmt(uint64_t pbmt)
{
    switch (pbmt) {
    case RISCV_PBMT_IO:
        return MEMORY_TYPE_IO;
    case RISCV_PBMT_NC:
        return MEMORY_TYPE_NONCACHEABLE;
    default:
        return MEMORY_TYPE_NORMAL; /* PMA; decode() has already refused the reserved value */
    }
}

/* Bits 7:0 of a leaf for PROT (enum pd_prot), V included, A and D not. */
static pte_t leaf_rights(uint32_t prot)
{
    if (prot & ~(uint32_t)PD_PROT_ALL)
        panic("riscv_encode: unknown prot bits %#x", prot);
    /* R = W = X = 0 would be a table pointer, W without R is reserved. */
    if (!(prot & (PD_READ | PD_EXECUTE)) || (prot & (PD_WRITE | PD_READ)) == PD_WRITE)
        panic("riscv_encode: prot %#x has no leaf encoding", prot);
    pte_t pte = riscv_pte_set_v(0, 1);
    pte = riscv_pte_set_r(pte, (prot & PD_READ) != 0);
    pte = riscv_pte_set_w(pte, (prot & PD_WRITE) != 0);
    pte = riscv_pte_set_x(pte, (prot & PD_EXECUTE) != 0);
    pte = riscv_pte_set_u(pte, (prot & PD_USER) != 0);
    return riscv_pte_set_g(pte, (prot & PD_GLOBAL) != 0);
}

static uint32_t prot_from_rights(pte_t pte)
{
    return (riscv_pte_get_r(pte) ? PD_READ : 0u) | (riscv_pte_get_w(pte) ? PD_WRITE : 0u) |
           (riscv_pte_get_x(pte) ? PD_EXECUTE : 0u) | (riscv_pte_get_u(pte) ? PD_USER : 0u) |
           (riscv_pte_get_g(pte) ? PD_GLOBAL : 0u);
}

static pte_t with_phys(pte_t pte, paddr_t phys)
{
    if (phys.value >= RISCV_PHYS_LIMIT || !IS_ALIGNED(phys.value, PT_PAGE_SIZE))
        panic("riscv_encode: bad physical address %#llx", (unsigned long long)phys.value);
    return riscv_pte_set_ppn(pte, phys.value >> RISCV_PAGE_SHIFT);
}

static pte_t encode_table(const struct pte_info *info, unsigned level)
{
    if (level == 0)
        panic("riscv_encode: a table entry at level 0");
    /* A, D, U, G and pbmt stay clear: reserved, or (G) not what a pointer means to us. */
    return with_phys(riscv_pte_set_v(0, 1), info->phys);
}

static pte_t encode_leaf(const struct pte_info *info, unsigned level,
                         const struct riscv_variant *variant)
{
    /* The hardware faults on a superpage whose low ppn fields are not zero. */
    if (!IS_ALIGNED(info->phys.value, PT_LEVEL_SIZE(level)))
        panic("riscv_encode: %#llx is not aligned for a level %u leaf",
              (unsigned long long)info->phys.value, level);
    pte_t pte = with_phys(leaf_rights(info->prot), info->phys);
    pte = riscv_pte_set_a(pte, info->accessed);
    pte = riscv_pte_set_d(pte, info->dirty);
    /* Without Svpbmt the bits are reserved: the PMAs already make device memory IO. */
    if (variant->types == RISCV_TYPES_SVPBMT)
        pte = riscv_pte_set_pbmt(pte, pbmt_from_type(info->type));
    return pte;
}

static pte_t riscv_encode(const struct pte_info *info, unsigned level,
                          const struct riscv_variant *variant)
{
    if (level >= variant->levels)
        panic("riscv_encode: level %u of %u", level, variant->levels);
    switch (info->kind) {
    case PTE_INVALID:
        return 0;
    case PTE_TABLE:
        return encode_table(info, level);
    case PTE_LEAF:
        return encode_leaf(info, level, variant);
    }
    panic("riscv_encode: bad kind %d", (int)info->kind);
}

static void riscv_decode(pte_t pte, unsigned level, struct pte_info *info,
                         const struct riscv_variant *variant)
{
    if (level >= variant->levels)
        panic("riscv_decode: level %u of %u", level, variant->levels);
    *info = (struct pte_info){ .kind = PTE_INVALID, .type = MEMORY_TYPE_NORMAL };
    enum pte_kind kind = riscv_pte_kind(pte, level, variant->types == RISCV_TYPES_SVPBMT);
    if (kind == PTE_INVALID)
        return;
    info->kind = kind;
    info->phys = paddr(riscv_pte_get_ppn(pte) << RISCV_PAGE_SHIFT);
    if (kind == PTE_TABLE)
        return; /* A, D, U and G mean nothing to us in a pointer */
    info->prot = prot_from_rights(pte);
    info->type = type_from_pbmt(riscv_pte_get_pbmt(pte));
    info->accessed = riscv_pte_get_a(pte);
    info->dirty = riscv_pte_get_d(pte);
}

/* The entry points: one pair per format object, differing only in the variant. */

static pte_t sv39_encode(const struct pte_info *info, unsigned level)
{
    return riscv_encode(info, level, &sv39);
}

static void sv39_decode(pte_t pte, unsigned level, struct pte_info *info)
{
    riscv_decode(pte, level, info, &sv39);
}

static pte_t sv39_svpbmt_encode(const struct pte_info *info, unsigned level)
{
    return riscv_encode(info, level, &sv39_svpbmt);
}

static void sv39_svpbmt_decode(pte_t pte, unsigned level, struct pte_info *info)
{
    riscv_decode(pte, level, info, &sv39_svpbmt);
}

static pte_t sv48_encode(const struct pte_info *info, unsigned level)
{
    return riscv_encode(info, level, &sv48);
}

static void sv48_decode(pte_t pte, unsigned level, struct pte_info *info)
{
    riscv_decode(pte, level, info, &sv48);
}

static pte_t sv48_svpbmt_encode(const struct pte_info *info, unsigned level)
{
    return riscv_encode(info, level, &sv48_svpbmt);
}

static void sv48_svpbmt_decode(pte_t pte, unsigned level, struct pte_info *info)
{
    riscv_decode(pte, level, info, &sv48_svpbmt);
}

const struct pt_format pt_format_sv39 = {
    .name = "sv39",
    .levels = RISCV_SV39_LEVELS,
    .va_bits = RISCV_SV39_VA_BITS,
    .leaf_levels = RISCV_LEAF_LEVELS,
    .split_roots = false,
    .kernel_root_slots = RISCV_SV39_KERNEL_ROOT_SLOTS,
    .phys_limit = RISCV_PHYS_LIMIT,
    .no_memory_types = true,
    .encode = sv39_encode,
    .decode = sv39_decode,
};

const struct pt_format pt_format_sv39_svpbmt = {
    .name = "sv39+svpbmt",
    .levels = RISCV_SV39_LEVELS,
    .va_bits = RISCV_SV39_VA_BITS,
    .leaf_levels = RISCV_LEAF_LEVELS,
    .split_roots = false,
    .kernel_root_slots = RISCV_SV39_KERNEL_ROOT_SLOTS,
    .phys_limit = RISCV_PHYS_LIMIT,
    .encode = sv39_svpbmt_encode,
    .decode = sv39_svpbmt_decode,
};

const struct pt_format pt_format_sv48 = {
    .name = "sv48",
    .levels = RISCV_SV48_LEVELS,
    .va_bits = RISCV_SV48_VA_BITS,
    .leaf_levels = RISCV_LEAF_LEVELS,
    .split_roots = false,
    .kernel_root_slots = RISCV_SV48_KERNEL_ROOT_SLOTS,
    .phys_limit = RISCV_PHYS_LIMIT,
    .no_memory_types = true,
    .encode = sv48_encode,
    .decode = sv48_decode,
};

const struct pt_format pt_format_sv48_svpbmt = {
    .name = "sv48+svpbmt",
    .levels = RISCV_SV48_LEVELS,
    .va_bits = RISCV_SV48_VA_BITS,
    .leaf_levels = RISCV_LEAF_LEVELS,
    .split_roots = false,
    .kernel_root_slots = RISCV_SV48_KERNEL_ROOT_SLOTS,
    .phys_limit = RISCV_PHYS_LIMIT,
    .encode = sv48_svpbmt_encode,
    .decode = sv48_svpbmt_decode,
};
