/*
 * The aarch64 page-table format (pt_format_aarch64): how the portable
 * engine's struct pte_info becomes a VMSAv8-64 stage 1 descriptor and back,
 * for the EL1&0 regime with the 4 KiB granule and 48 bits per half (kernel
 * root in TTBR1_EL1, user roots in TTBR0_EL1). The bit layout and the
 * MAIR_EL1 layout are in <aarch64/pt_desc.h>; this file owns the policy:
 *
 * - Levels: pt_format.h counts from the leaf, the Arm ARM from the root, so
 *   our level L is lookup level 3 - L.
 * - Permissions: AP[1] = USER. A user mapping is always PXN (the kernel
 *   never executes user memory) and nG (its TLB entries carry the ASID, so
 *   PD_GLOBAL is ignored on it); a kernel mapping is always UXN. EXECUTE
 *   clears the execute-never bit of the side that owns the mapping.
 * - Accessed is AF. The Cortex-A72 has no hardware dirty state, so a
 *   writable mapping always has DBM set and keeps its dirty state in AP[2],
 *   as FEAT_HAFDBS would: clean = read-only (a write faults, or with
 *   hardware management clears AP[2]), dirty = read-write. A mapping
 *   without write permission keeps its dirty state in a software bit, so
 *   that protecting a dirty page read-only does not forget it was written.
 * - Memory types: one MAIR index each; normal memory is inner shareable
 *   (device and non-cacheable memory are outer shareable by definition, so
 *   SH is the same for every leaf).
 *
 * Plain C over integers: this file is also compiled into the host tests,
 * which check it against tests/host/swmmu_aarch64.c.
 */
#include "kernel/arch/pt/pt_format.h"
#include "kernel/panic.h"
#include <aarch64/pt_desc.h>
#include <aarch64/sysreg.h>

_Static_assert(A64_GRANULE_SHIFT == PT_PAGE_SHIFT, "pt_format.h assumes 4 KiB tables");
_Static_assert(A64_LEVELS <= PT_MAX_LEVELS, "pt_format.h's walk has room for our levels");
/* The boot tables' MAIR (sysreg.h) agrees with ours on the indices both use. */
_Static_assert(A64_MAIR_INDEX_IO == MAIR_INDEX_DEVICE && A64_MAIR_INDEX_NORMAL == MAIR_INDEX_NORMAL,
               "boot and format MAIR indices differ");

#define A64_PHYS_LIMIT (UINT64_C(1) << A64_PA_BITS)

static bool level_may_hold_leaf(unsigned level)
{
    return A64_LEAF_LEVELS & (1u << level);
}

static uint64_t mair_index_of(enum memory_type type)
{
    switch (type) {
    case MEMORY_TYPE_NORMAL:
        return A64_MAIR_INDEX_NORMAL;
    case MEMORY_TYPE_IO:
        return A64_MAIR_INDEX_IO;
    case MEMORY_TYPE_NONCACHEABLE:
        return A64_MAIR_INDEX_NONCACHEABLE;
    }
    panic("pt_format_aarch64: encode: no memory type %d", (int)type);
}

/* Indices we never program read as attribute 0x00, Device-nGnRnE: IO is the truth. */
static enum memory_type memory_type_of(uint64_t mair_index)
{
    switch (mair_index) {
    case A64_MAIR_INDEX_NORMAL:
        return MEMORY_TYPE_NORMAL;
    case A64_MAIR_INDEX_NONCACHEABLE:
        return MEMORY_TYPE_NONCACHEABLE;
    default:
        return MEMORY_TYPE_IO;
    }
}

/* PHYS as the ADDR field, after checking an entry at LEVEL can point there. */
static uint64_t addr_field(paddr_t phys, uint64_t alignment)
{
    if (phys.value >= A64_PHYS_LIMIT || !IS_ALIGNED(phys.value, alignment))
        panic("pt_format_aarch64: encode: cannot point at %#llx (alignment %#llx)",
              (unsigned long long)phys.value, (unsigned long long)alignment);
    return phys.value >> A64_DESC_ADDR_SHIFT;
}

static pte_t encode_table(const struct pte_info *info, unsigned level)
{
    if (level == 0)
        panic("pt_format_aarch64: encode: a table at the page level");
    pte_t desc = a64_desc_set_valid(0, 1);
    desc = a64_desc_set_type(desc, A64_DESC_TYPE_TABLE);
    return a64_desc_set_addr(desc, addr_field(info->phys, PT_PAGE_SIZE));
}

/* AP, DBM, SW_DIRTY, PXN, UXN and nG for a leaf with PROT and dirty state DIRTY. */
static pte_t encode_permissions(pte_t desc, uint32_t prot, bool dirty)
{
    bool user = prot & PD_USER;
    bool writable = prot & PD_WRITE;
    bool executable = prot & PD_EXECUTE;
    uint64_t ap = user ? A64_AP_EL0 : 0;
    if (!writable || !dirty)
        ap |= A64_AP_READ_ONLY;
    desc = a64_desc_set_ap(desc, ap);
    desc = a64_desc_set_dbm(desc, writable);
    desc = a64_desc_set_sw_dirty(desc, !writable && dirty);
    desc = a64_desc_set_pxn(desc, user || !executable);
    desc = a64_desc_set_uxn(desc, !user || !executable);
    return a64_desc_set_ng(desc, user || !(prot & PD_GLOBAL));
}

static pte_t encode_leaf(const struct pte_info *info, unsigned level)
{
    if (!level_may_hold_leaf(level))
        panic("pt_format_aarch64: encode: no leaf at level %u", level);
    if (!(info->prot & PD_READ) || (info->prot & ~(uint32_t)PD_PROT_ALL))
        panic("pt_format_aarch64: encode: bad prot %#x", info->prot);
    pte_t desc = a64_desc_set_valid(0, 1);
    desc = a64_desc_set_type(desc, level == A64_LEAF_LEVEL_PAGE ? A64_DESC_TYPE_PAGE
                                                                : A64_DESC_TYPE_BLOCK);
    desc = a64_desc_set_attrindx(desc, mair_index_of(info->type));
    desc = a64_desc_set_sh(desc, A64_SH_INNER);
    desc = a64_desc_set_af(desc, info->accessed);
    desc = a64_desc_set_addr(desc, addr_field(info->phys, PT_LEVEL_SIZE(level)));
    return encode_permissions(desc, info->prot, info->dirty);
}

static pte_t aarch64_encode(const struct pte_info *info, unsigned level)
{
    if (level >= A64_LEVELS)
        panic("pt_format_aarch64: encode: no level %u", level);
    switch (info->kind) {
    case PTE_INVALID:
        return 0;
    case PTE_TABLE:
        return encode_table(info, level);
    case PTE_LEAF:
        return encode_leaf(info, level);
    }
    panic("pt_format_aarch64: encode: bad kind %d", (int)info->kind);
}

/*
 * A block or page descriptor at LEVEL. Whatever the bits, this says what
 * the hardware would do with them: writable if AP[2] is clear or DBM is
 * set (DBM means "writable, clean"), dirty if AP[2] is clear (written, or
 * never tracked) or the software bit says so, and executable from the side
 * that owns it. Address bits below the block size are RES0 and ignored.
 */
static void decode_leaf(pte_t desc, unsigned level, struct pte_info *info)
{
    uint64_t ap = a64_desc_ap(desc);
    bool user = ap & A64_AP_EL0;
    bool read_only = ap & A64_AP_READ_ONLY;
    uint32_t prot = PD_READ;
    if (!read_only || a64_desc_dbm(desc))
        prot |= PD_WRITE;
    if (user)
        prot |= PD_USER;
    if (!a64_desc_ng(desc))
        prot |= PD_GLOBAL;
    if (!(user ? a64_desc_uxn(desc) : a64_desc_pxn(desc)))
        prot |= PD_EXECUTE;

    uint64_t base = a64_desc_addr(desc) << A64_DESC_ADDR_SHIFT;
    *info = (struct pte_info){
        .kind = PTE_LEAF,
        .phys = paddr(ALIGN_DOWN(base, PT_LEVEL_SIZE(level))),
        .prot = prot,
        .type = memory_type_of(a64_desc_attrindx(desc)),
        .accessed = a64_desc_af(desc),
        .dirty = !read_only || a64_desc_sw_dirty(desc),
    };
}

/*
 * Reserved encodings (TYPE 0 at the page level, a block at lookup level 0)
 * make the hardware raise a translation fault, so they decode as invalid.
 */
static void aarch64_decode(pte_t desc, unsigned level, struct pte_info *info)
{
    if (level >= A64_LEVELS)
        panic("pt_format_aarch64: decode: no level %u", level);
    *info = (struct pte_info){ .kind = PTE_INVALID };
    if (!a64_desc_valid(desc))
        return;
    uint64_t type = a64_desc_type(desc);
    if (level == A64_LEAF_LEVEL_PAGE) {
        if (type == A64_DESC_TYPE_PAGE)
            decode_leaf(desc, level, info);
    } else if (type == A64_DESC_TYPE_TABLE) {
        info->kind = PTE_TABLE;
        info->phys = paddr(a64_desc_addr(desc) << A64_DESC_ADDR_SHIFT);
    } else if (level_may_hold_leaf(level)) {
        decode_leaf(desc, level, info);
    }
}

const struct pt_format pt_format_aarch64 = {
    .name = "aarch64",
    .levels = A64_LEVELS,
    .va_bits = A64_VA_BITS,
    .leaf_levels = A64_LEAF_LEVELS,
    .split_roots = true,
    .kernel_root_slots = 0, /* split roots: user directories copy nothing */
    .phys_limit = A64_PHYS_LIMIT,
    .encode = aarch64_encode,
    .decode = aarch64_decode,
};
