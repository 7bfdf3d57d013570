/*
 * A software model of the AArch64 stage 1 MMU (VMSAv8-64, EL1&0
 * translation regime, 4 KiB granule), written from the Arm Architecture
 * Reference Manual (DDI 0487: the translation table walk, the descriptor
 * formats, the access permission and execute-never rules, the Access flag
 * and dirty state management) and deliberately NOT from
 * kernel/arch/aarch64/pt_format.c or <aarch64/pt_desc.h>: bit positions
 * are restated here, in the manual's desc<hi:lo> style, so an encoding bug
 * in the format shows up as a disagreement with this walker.
 *
 * The configuration modelled is the one Pagoda runs with:
 *   TCR_EL1    T0SZ = T1SZ = 16: addresses with bits [63:48] all 0 walk from
 *              TTBR0_EL1 (user_root), all 1 from TTBR1_EL1 (kernel_root),
 *              anything else is a level 0 translation fault. TG0 = TG1 =
 *              4 KiB, EPD0 = EPD1 = 0, TBI0 = TBI1 = 0 (the top byte is part
 *              of the address), IPS = 48 bits, HPD0 = HPD1 = 0 (hierarchical
 *              APTable/UXNTable/PXNTable are honoured, though Pagoda leaves
 *              them 0). HA = HD = 0 for SWMMU_AD_FAULT (Cortex-A72, no
 *              FEAT_HAFDBS); HA = HD = 1 for SWMMU_AD_HARDWARE.
 *   SCTLR_EL1  M = 1, WXN = 0. PSTATE.PAN = 0. Non-secure, no stage 2, no
 *              FEAT_E0PD, FEAT_EPAN, FEAT_LPA2, FEAT_HAFT.
 *   MAIR_EL1   0x000000000044ff04 (attr0 Device-nGnRE, attr1 Normal WB,
 *              attr2 Normal NC, attr3-7 Device-nGnRnE).
 *
 * Rules of the manual this follows, in order:
 *   - Lookup levels 0-3 index VA[47:39], [38:30], [29:21], [20:12].
 *     desc<0> = 0 is a translation fault. desc<1> = 1 is a table at levels
 *     0-2 and a page at level 3; desc<1> = 0 is a block at levels 1-2 and
 *     reserved (translation fault) at levels 0 and 3.
 *   - Fault priority: translation, then Access flag, then permission.
 *   - Data access: AP[2:1] 00 EL1 RW; 01 EL0+EL1 RW; 10 EL1 RO; 11 EL0+EL1
 *     RO. APTable[0] removes EL0 access below a table, APTable[1] writes.
 *   - Instruction fetch: EL0 needs UXN = 0 (and UXNTable = 0); the AP bits
 *     do not gate it (EL0 execute-only memory exists). EL1 needs PXN = 0,
 *     PXNTable = 0, and the page must not be writable at EL0 (AP = 01 makes
 *     it privileged execute-never whatever PXN says).
 *   - HA = 1: a clear AF is set instead of faulting. HD = 1: a write to a
 *     descriptor with DBM = 1 clears AP[2] instead of faulting, if AP[2] is
 *     the only thing that forbids it. Whether an access that faults for
 *     another reason still updates the descriptor is CONSTRAINED
 *     UNPREDICTABLE; this model (like QEMU) updates only for accesses that
 *     complete.
 */
#include "tests/host/swmmu.h"
#include <stdlib.h>
#include <string.h>

/* The address map (TCR_EL1.T0SZ = T1SZ = 16). */
#define VA_TOP_BIT 63
#define REGION_BITS 48
#define GRANULE_SHIFT 12
#define TABLE_BYTES (UINT64_C(1) << GRANULE_SHIFT)
#define STRIDE 9 /* 512 descriptors of 8 bytes per 4 KiB table */
#define DESC_BYTES 8
#define FIRST_LEVEL 0
#define LAST_LEVEL 3

/* Descriptor bits (VMSAv8-64 descriptor formats). */
#define D_VALID 0
#define D_TABLE_OR_PAGE 1
#define D_ATTRINDX_HI 4
#define D_ATTRINDX_LO 2
#define D_AP1 6 /* EL0 access */
#define D_AP2 7 /* read-only */
#define D_AF 10
#define D_OA_HI 47
#define D_DBM 51
#define D_PXN 53
#define D_UXN 54
/* Table descriptors only. */
#define T_PXNTABLE 59
#define T_UXNTABLE 60
#define T_APTABLE0 61 /* no EL0 access at any later level */
#define T_APTABLE1 62 /* no write access at any later level */

/* MAIR_EL1 as Pagoda programs it, and the attribute encodings it uses. */
#define MAIR_EL1_VALUE UINT64_C(0x000000000044ff04)
#define MAIR_ATTR_BITS 8
#define ATTR_OUTER_HI 7
#define ATTR_OUTER_LO 4
#define ATTR_INNER_HI 3
#define ATTR_INNER_LO 0
#define MAIR_DEVICE_OUTER 0x0 /* Attr<7:4> = 0000: Device memory */
#define MAIR_NORMAL_NC 0x4    /* Attr<7:4> or <3:0> = 0100: Normal Non-cacheable */

/* x<hi:lo>, as the manual writes it. */
static uint64_t bits(uint64_t x, unsigned hi, unsigned lo)
{
    unsigned width = hi - lo + 1;
    uint64_t mask = width == 64 ? ~UINT64_C(0) : (UINT64_C(1) << width) - 1;
    return (x >> lo) & mask;
}

static bool bit(uint64_t x, unsigned n)
{
    return bits(x, n, n) != 0;
}

/* The lowest address bit a descriptor at LEVEL translates (its block or page offset width). */
static unsigned level_low_bit(unsigned level)
{
    return GRANULE_SHIFT + STRIDE * (LAST_LEVEL - level);
}

static void check_table(const struct swmmu_memory *mem, uint64_t table)
{
    if (table % TABLE_BYTES != 0 || table > mem->size || mem->size - table < TABLE_BYTES)
        abort(); /* a table outside simulated memory: the tables under test are broken */
}

static uint64_t load_desc(const struct swmmu_memory *mem, uint64_t addr)
{
    uint64_t desc;
    memcpy(&desc, mem->base + addr, sizeof(desc));
    return desc;
}

static void store_desc(struct swmmu_memory *mem, uint64_t addr, uint64_t desc)
{
    memcpy(mem->base + addr, &desc, sizeof(desc));
}

/* What the walk found: the final descriptor, where it is, and the table restrictions above it. */
struct walk {
    uint64_t desc;
    uint64_t desc_addr;
    unsigned level;
    bool no_el0;   /* APTable[0] on the way */
    bool no_write; /* APTable[1] on the way */
    bool pxn;      /* PXNTable on the way */
    bool uxn;      /* UXNTable on the way */
};

/* The translation table walk. false: a translation fault. */
static bool walk(const struct swmmu_memory *mem, uint64_t ttbr, uint64_t va, struct walk *w)
{
    uint64_t table = ttbr;
    *w = (struct walk){ 0 };
    for (unsigned level = FIRST_LEVEL; level <= LAST_LEVEL; level++) {
        check_table(mem, table);
        unsigned lo = level_low_bit(level);
        uint64_t addr = table + bits(va, lo + STRIDE - 1, lo) * DESC_BYTES;
        uint64_t desc = load_desc(mem, addr);
        if (!bit(desc, D_VALID))
            return false;
        bool bit1 = bit(desc, D_TABLE_OR_PAGE);
        if (level < LAST_LEVEL && bit1) {
            w->no_el0 |= bit(desc, T_APTABLE0);
            w->no_write |= bit(desc, T_APTABLE1);
            w->pxn |= bit(desc, T_PXNTABLE);
            w->uxn |= bit(desc, T_UXNTABLE);
            table = bits(desc, D_OA_HI, GRANULE_SHIFT) << GRANULE_SHIFT;
            continue;
        }
        if (level == FIRST_LEVEL || (level == LAST_LEVEL && !bit1))
            return false; /* no level 0 blocks with a 4 KiB granule; level 3 needs 0b11 */
        w->desc = desc;
        w->desc_addr = addr;
        w->level = level;
        return true;
    }
    abort(); /* the loop returns at level 3 */
}

/* The permission check for one access, on descriptor DESC found by walk W. */
static bool permitted(const struct walk *w, uint64_t desc, const struct swmmu_request *req)
{
    bool el0_access = bit(desc, D_AP1) && !w->no_el0;
    bool read_only = bit(desc, D_AP2) || w->no_write;
    bool el0_writable = el0_access && !read_only;
    switch (req->access) {
    case FAULT_READ:
        return req->user ? el0_access : true;
    case FAULT_WRITE:
        return req->user ? el0_writable : !read_only;
    case FAULT_EXECUTE:
        if (req->user)
            return !bit(desc, D_UXN) && !w->uxn;
        return !bit(desc, D_PXN) && !w->pxn && !el0_writable;
    }
    abort(); /* not an access the test can ask for */
}

/* The memory type of MAIR_EL1 attribute byte ATTR. */
static enum memory_type memory_type_of_attr(uint64_t attr)
{
    uint64_t outer = bits(attr, ATTR_OUTER_HI, ATTR_OUTER_LO);
    uint64_t inner = bits(attr, ATTR_INNER_HI, ATTR_INNER_LO);
    if (outer == MAIR_DEVICE_OUTER)
        return MEMORY_TYPE_IO;
    if (outer == MAIR_NORMAL_NC && inner == MAIR_NORMAL_NC)
        return MEMORY_TYPE_NONCACHEABLE;
    return MEMORY_TYPE_NORMAL; /* write-back or write-through at some level */
}

void swmmu_aarch64_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                             struct swmmu_result *result)
{
    *result = (struct swmmu_result){ .outcome = SWMMU_NOT_PRESENT };
    uint64_t top = bits(req->va, VA_TOP_BIT, REGION_BITS);
    uint64_t ttbr;
    if (top == 0)
        ttbr = req->user_root;
    else if (top == bits(~UINT64_C(0), VA_TOP_BIT, REGION_BITS))
        ttbr = req->kernel_root;
    else
        return; /* between the two regions: level 0 translation fault */

    struct walk w;
    if (!walk(mem, ttbr, req->va, &w))
        return;

    bool hardware = req->ad_mode == SWMMU_AD_HARDWARE;
    uint64_t desc = w.desc;
    if (!bit(desc, D_AF)) {
        if (!hardware) {
            result->outcome = SWMMU_ACCESS_FLAG;
            return;
        }
        desc |= UINT64_C(1) << D_AF;
    }
    if (hardware && req->access == FAULT_WRITE && bit(desc, D_DBM))
        desc &= ~(UINT64_C(1) << D_AP2);
    if (!permitted(&w, desc, req)) {
        result->outcome = SWMMU_PROTECTION;
        return;
    }
    if (desc != w.desc)
        store_desc(mem, w.desc_addr, desc);

    unsigned low = level_low_bit(w.level);
    uint64_t attr_index = bits(desc, D_ATTRINDX_HI, D_ATTRINDX_LO);
    result->outcome = SWMMU_OK;
    result->pa = bits(desc, D_OA_HI, low) << low | bits(req->va, low - 1, 0);
    result->type = memory_type_of_attr(bits(MAIR_EL1_VALUE >> (attr_index * MAIR_ATTR_BITS),
                                            MAIR_ATTR_BITS - 1, 0));
}
