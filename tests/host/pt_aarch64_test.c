/*
 * Host tests of the aarch64 page-table format (kernel/arch/aarch64/pt_format.c):
 * encode/decode round trips over every permission set, memory type, leaf
 * level and accessed/dirty state; descriptors checked bit by bit against
 * the Arm ARM; and small tables built with the format in simulated memory,
 * translated by the independent software MMU (tests/host/swmmu_aarch64.c),
 * which must agree on every address, memory type and fault.
 */
#include "kernel/arch/pt/pt_format.h"
#include "tests/host/swmmu.h"
#include <aarch64/pt_desc.h>
#include <pagoda/ktest.h>
#include <stdlib.h>
#include <string.h>

static const struct pt_format *const fmt = &pt_format_aarch64;

static const enum memory_type all_types[] = {
    MEMORY_TYPE_NORMAL, MEMORY_TYPE_IO, MEMORY_TYPE_NONCACHEABLE,
};

static pte_t encode(struct pte_info info, unsigned level)
{
    return fmt->encode(&info, level);
}

static struct pte_info decode(pte_t pte, unsigned level)
{
    struct pte_info info;
    fmt->decode(pte, level, &info);
    return info;
}

static struct pte_info leaf(uint64_t phys, uint32_t prot, enum memory_type type, bool accessed,
                            bool dirty)
{
    return (struct pte_info){
        .kind = PTE_LEAF, .phys = paddr(phys), .prot = prot, .type = type,
        .accessed = accessed, .dirty = dirty,
    };
}

static struct pte_info table(uint64_t phys)
{
    return (struct pte_info){ .kind = PTE_TABLE, .phys = paddr(phys) };
}

static bool is_leaf_level(unsigned level)
{
    return fmt->leaf_levels & (1u << level);
}

/* What decode must give back for INFO: the format drops PD_GLOBAL from user mappings. */
static struct pte_info expected(struct pte_info info)
{
    if (info.prot & PD_USER)
        info.prot &= ~(uint32_t)PD_GLOBAL;
    return info;
}

#define EXPECT_INFO_EQ(t, got, want, what)                                                 \
    KTEST_CHECK_(t,                                                                        \
                 (got).kind == (want).kind && (got).phys.value == (want).phys.value &&     \
                     (got).prot == (want).prot && (got).type == (want).type &&             \
                     (got).accessed == (want).accessed && (got).dirty == (want).dirty,     \
                 (void)0,                                                                  \
                 "%s: decoded kind %d phys %#llx prot %#x type %d a%d d%d, "               \
                 "want kind %d phys %#llx prot %#x type %d a%d d%d",                        \
                 (what), (got).kind, (unsigned long long)(got).phys.value, (got).prot,     \
                 (got).type, (got).accessed, (got).dirty, (want).kind,                     \
                 (unsigned long long)(want).phys.value, (want).prot, (want).type,          \
                 (want).accessed, (want).dirty)

KTEST(pt_aarch64, format_shape)
{
    KEXPECT_EQ(t, fmt->levels, 4);
    KEXPECT_EQ(t, fmt->va_bits, 48);
    KEXPECT_EQU(t, fmt->leaf_levels, 0x7); /* 4 KiB pages, 2 MiB and 1 GiB blocks */
    KEXPECT(t, fmt->split_roots);
    KEXPECT_EQ(t, fmt->kernel_root_slots, 0);
    KEXPECT_EQU(t, fmt->phys_limit, UINT64_C(1) << 48);
}

/*
 * Every leaf encode can be asked for, at two physical addresses: the
 * highest one the level can map (every address bit set) and the lowest
 * non-zero one (a single bit).
 */
KTEST(pt_aarch64, leaf_round_trip)
{
    unsigned checked = 0;
    for (unsigned level = 0; level < fmt->levels; level++) {
        if (!is_leaf_level(level))
            continue;
        const uint64_t phys[] = { fmt->phys_limit - PT_LEVEL_SIZE(level), PT_LEVEL_SIZE(level) };
        for (size_t p = 0; p < ARRAY_SIZE(phys); p++) {
            for (uint32_t prot = 0; prot <= PD_PROT_ALL; prot++) {
                if (!(prot & PD_READ))
                    continue;
                for (size_t ty = 0; ty < ARRAY_SIZE(all_types); ty++) {
                    for (unsigned ad = 0; ad < 4; ad++) {
                        struct pte_info in = leaf(phys[p], prot, all_types[ty], ad & 1, ad & 2);
                        pte_t pte = encode(in, level);
                        struct pte_info out = decode(pte, level);
                        struct pte_info want = expected(in);
                        EXPECT_INFO_EQ(t, out, want, "leaf");
                        KEXPECT_EQU(t, encode(out, level), pte);
                        checked++;
                    }
                }
            }
        }
    }
    KEXPECT_EQ(t, checked, 3 * 2 * 16 * 3 * 4);
}

KTEST(pt_aarch64, table_and_invalid_round_trip)
{
    for (unsigned level = 0; level < fmt->levels; level++) {
        KEXPECT_EQU(t, encode((struct pte_info){ .kind = PTE_INVALID }, level), 0);
        KEXPECT_EQ(t, decode(0, level).kind, PTE_INVALID);
        if (level == 0)
            continue; /* the page level has no tables */
        const uint64_t phys[] = { PT_PAGE_SIZE, fmt->phys_limit - PT_PAGE_SIZE };
        for (size_t p = 0; p < ARRAY_SIZE(phys); p++) {
            pte_t pte = encode(table(phys[p]), level);
            struct pte_info out = decode(pte, level);
            KEXPECT_EQ(t, out.kind, PTE_TABLE);
            KEXPECT_EQU(t, out.phys.value, phys[p]);
            KEXPECT_EQU(t, encode(out, level), pte);
        }
    }
}

/* The format never makes these, but must read them as the hardware would. */
KTEST(pt_aarch64, decode_reserved_and_invalid)
{
    pte_t block = encode(leaf(0x40200000, PD_READ, MEMORY_TYPE_NORMAL, true, true), 1);
    KEXPECT_EQ(t, decode(block, 0).kind, PTE_INVALID); /* 0b01 at lookup level 3: reserved */
    KEXPECT_EQ(t, decode(block, 3).kind, PTE_INVALID); /* no blocks at lookup level 0 */
    KEXPECT_EQ(t, decode(block, 1).kind, PTE_LEAF);
    KEXPECT_EQ(t, decode(block & ~(pte_t)1, 1).kind, PTE_INVALID); /* valid bit clear */
    KEXPECT_EQ(t, decode(~(pte_t)1, 2).kind, PTE_INVALID);
    /* A page descriptor read at a table level is a table: the type bit is the same bit. */
    pte_t page = encode(leaf(0x40201000, PD_READ, MEMORY_TYPE_NORMAL, true, true), 0);
    KEXPECT_EQ(t, decode(page, 1).kind, PTE_TABLE);
}

/* Bits set by someone else than encode: FEAT_HAFDBS, the boot tables, stray software bits. */
KTEST(pt_aarch64, decode_foreign_bits)
{
    struct pte_info clean = leaf(0x1234000, PD_READ | PD_WRITE | PD_USER, MEMORY_TYPE_NORMAL,
                                 false, false);
    pte_t pte = encode(clean, 0);
    /* Hardware management on a write: AF set, AP[2] cleared. */
    pte_t written = a64_desc_set_af(a64_desc_set_ap(pte, A64_AP_EL0), 1);
    struct pte_info want = clean;
    want.accessed = want.dirty = true;
    EXPECT_INFO_EQ(t, decode(written, 0), want, "hardware-dirtied");
    KEXPECT_EQU(t, written, encode(want, 0));

    /* Read-write without DBM (how the boot tables map data): writable, and maybe written. */
    pte_t untracked = a64_desc_set_dbm(encode(leaf(0x40000000, PD_READ | PD_WRITE,
                                                   MEMORY_TYPE_NORMAL, true, true), 1), 0);
    struct pte_info info = decode(untracked, 1);
    KEXPECT_EQU(t, info.prot, PD_READ | PD_WRITE);
    KEXPECT(t, info.dirty);

    /* AttrIndx values we never program hold Device-nGnRnE. */
    for (uint64_t index = A64_MAIR_INDEX_NONCACHEABLE + 1; index < 8; index++)
        KEXPECT_EQ(t, decode(a64_desc_set_attrindx(pte, index), 0).type, MEMORY_TYPE_IO);

    /* Address bits below a block's size are RES0: ignored. */
    pte_t block = encode(leaf(0x80000000, PD_READ, MEMORY_TYPE_NORMAL, true, false), 2);
    pte_t stray = a64_desc_set_addr(block, a64_desc_addr(block) | 1);
    KEXPECT_EQU(t, decode(stray, 2).phys.value, 0x80000000);
}

/* A user mapping is never global: its TLB entries must carry the ASID. */
KTEST(pt_aarch64, user_mappings_are_not_global)
{
    pte_t pte = encode(leaf(0x5000, PD_READ | PD_USER | PD_GLOBAL, MEMORY_TYPE_NORMAL, true,
                            false), 0);
    KEXPECT_EQU(t, a64_desc_ng(pte), 1);
    KEXPECT_EQU(t, decode(pte, 0).prot, PD_READ | PD_USER);
}

/*
 * Descriptors computed by hand from the Arm ARM's field table: valid<0>,
 * table/page<1>, AttrIndx<4:2>, AP<7:6>, SH<9:8>, AF<10>, nG<11>,
 * OA<47:12>, DBM<51>, PXN<53>, UXN<54>, and our software dirty bit <55>.
 */
KTEST(pt_aarch64, exact_bits)
{
    /* Kernel data page: 0b11 page, AttrIndx 1 (0x4), AP 00, SH 11 (0x300), AF (0x400),
     * DBM (bit 51), PXN (53), UXN (54). */
    KEXPECT_EQU(t, encode(leaf(0x40080000, PD_READ | PD_WRITE | PD_GLOBAL, MEMORY_TYPE_NORMAL,
                               true, true), 0),
                UINT64_C(0x0068000040080707));
    /* Kernel text, 2 MiB block: 0b01, AttrIndx 1, AP 10 (0x80), SH, AF, UXN (54); read-only
     * and dirty, so the software dirty bit (55); PXN clear. */
    KEXPECT_EQU(t, encode(leaf(0x40200000, PD_READ | PD_EXECUTE | PD_GLOBAL, MEMORY_TYPE_NORMAL,
                               true, true), 1),
                UINT64_C(0x00c0000040200785));
    /* User data page, fresh: AP 11 (0xc0, clean = read-only), AF clear, nG (0x800), DBM,
     * PXN, UXN. */
    KEXPECT_EQU(t, encode(leaf(0x1234000, PD_READ | PD_WRITE | PD_USER, MEMORY_TYPE_NORMAL,
                               false, false), 0),
                UINT64_C(0x0068000001234bc7));
    /* The same page once accessed and written: AP 01 (0x40), AF. */
    KEXPECT_EQU(t, encode(leaf(0x1234000, PD_READ | PD_WRITE | PD_USER, MEMORY_TYPE_NORMAL,
                               true, true), 0),
                UINT64_C(0x0068000001234f47));
    /* User code: AP 11, AF, nG, PXN only (bit 53). */
    KEXPECT_EQU(t, encode(leaf(0x400000, PD_READ | PD_EXECUTE | PD_USER, MEMORY_TYPE_NORMAL,
                               true, false), 0),
                UINT64_C(0x0020000000400fc7));
    /* A device register page: AttrIndx 0, AP 00, SH, AF, DBM, PXN, UXN. */
    KEXPECT_EQU(t, encode(leaf(0x09000000, PD_READ | PD_WRITE | PD_GLOBAL, MEMORY_TYPE_IO,
                               true, true), 0),
                UINT64_C(0x0068000009000703));
    /* A 1 GiB non-cacheable block: 0b01, AttrIndx 2 (0x8), SH, AF, DBM, PXN, UXN. */
    KEXPECT_EQU(t, encode(leaf(0x80000000, PD_READ | PD_WRITE | PD_GLOBAL,
                               MEMORY_TYPE_NONCACHEABLE, true, true), 2),
                UINT64_C(0x0068000080000709));
    /* A table descriptor: 0b11 and the address, nothing else. */
    KEXPECT_EQU(t, encode(table(0x40001000), 3), UINT64_C(0x0000000040001003));
    /* MAIR_EL1: attr0 Device-nGnRE, attr1 Normal WB RAWA, attr2 Normal NC. */
    KEXPECT_EQU(t, A64_MAIR_EL1, UINT64_C(0x000000000044ff04));
}

/*
 * pd_protect re-encodes a leaf with new rights and the decoded accessed and
 * dirty state: a page written, then made read-only, then writable again
 * must still be dirty.
 */
KTEST(pt_aarch64, dirty_survives_protect)
{
    pte_t pte = encode(leaf(0x7000, PD_READ | PD_WRITE | PD_USER, MEMORY_TYPE_NORMAL, true,
                            true), 0);
    struct pte_info info = decode(pte, 0);
    info.prot = PD_READ | PD_USER;
    pte = encode(info, 0);
    KEXPECT_EQU(t, a64_desc_ap(pte), A64_AP_EL0 | A64_AP_READ_ONLY);
    KEXPECT_EQU(t, a64_desc_dbm(pte), 0);
    info = decode(pte, 0);
    KEXPECT(t, info.dirty);
    info.prot = PD_READ | PD_WRITE | PD_USER;
    info = decode(encode(info, 0), 0);
    KEXPECT(t, info.dirty);
    KEXPECT_EQU(t, info.prot, PD_READ | PD_WRITE | PD_USER);
}

/* --- the software MMU over tables the format built --------------------------- */

#define SIM_PAGES 32

static uint8_t sim_bytes[SIM_PAGES * PT_PAGE_SIZE] __attribute__((aligned(PT_PAGE_SIZE)));

/* Simulated physical memory holding the tables: page 0 stays unused, so 0 is never a table. */
struct sim {
    struct swmmu_memory mem;
    uint64_t next;
    uint64_t user_root, kernel_root;
};

static uint64_t sim_table_alloc(struct sim *s)
{
    if (s->next + PT_PAGE_SIZE > s->mem.size)
        abort(); /* the test needs more SIM_PAGES */
    uint64_t page = s->next;
    s->next += PT_PAGE_SIZE;
    return page;
}

static void sim_init(struct sim *s)
{
    memset(sim_bytes, 0, sizeof(sim_bytes));
    s->mem = (struct swmmu_memory){ sim_bytes, sizeof(sim_bytes) };
    s->next = PT_PAGE_SIZE;
    s->user_root = sim_table_alloc(s);
    s->kernel_root = sim_table_alloc(s);
}

static pte_t *sim_slot(uint64_t table_phys, uint64_t va, unsigned level)
{
    unsigned index = (unsigned)(va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
    return (pte_t *)(void *)(sim_bytes + table_phys) + index;
}

static uint64_t sim_root(const struct sim *s, uint64_t va)
{
    return va >> (fmt->va_bits) ? s->kernel_root : s->user_root;
}

/* Put leaf INFO for VA at LEVEL, making tables on the way down; returns its slot. */
static pte_t *sim_map(struct sim *s, uint64_t va, unsigned level, struct pte_info info)
{
    uint64_t table_phys = sim_root(s, va);
    for (unsigned l = fmt->levels - 1; l > level; l--) {
        pte_t *slot = sim_slot(table_phys, va, l);
        struct pte_info next = decode(*slot, l);
        if (next.kind == PTE_INVALID) {
            next = table(sim_table_alloc(s));
            *slot = encode(next, l);
        }
        if (next.kind != PTE_TABLE)
            abort(); /* the test mapped over a block */
        table_phys = next.phys.value;
    }
    pte_t *slot = sim_slot(table_phys, va, level);
    *slot = encode(info, level);
    return slot;
}

static struct swmmu_result sim_access(struct sim *s, uint64_t va, enum fault_access access,
                                      bool user, enum swmmu_ad_mode mode)
{
    struct swmmu_request req = {
        .va = va, .access = access, .user = user,
        .user_root = s->user_root, .kernel_root = s->kernel_root, .ad_mode = mode,
    };
    struct swmmu_result result;
    swmmu_aarch64_translate(&s->mem, &req, &result);
    return result;
}

/* Outcome of ACCESS to VA from EL0 (USER) or FROM_EL1, in FAULT mode (Cortex-A72). */
static enum swmmu_outcome sim_outcome(struct sim *s, uint64_t va, enum fault_access access,
                                      bool user)
{
    return sim_access(s, va, access, user, SWMMU_AD_FAULT).outcome;
}

#define FROM_EL0 true
#define FROM_EL1 false
#define KERNEL_BASE UINT64_C(0xffff000000000000)
#define RW (PD_READ | PD_WRITE)
#define RX (PD_READ | PD_EXECUTE)
#define RWX (PD_READ | PD_WRITE | PD_EXECUTE)

KTEST(pt_aarch64, swmmu_page_and_blocks)
{
    struct sim s;
    sim_init(&s);
    sim_map(&s, 0x400000, 0, leaf(0x87654000, RW | PD_USER, MEMORY_TYPE_NORMAL, true, true));
    sim_map(&s, KERNEL_BASE + 0x40000000, 1,
            leaf(0x40000000, RW | PD_GLOBAL, MEMORY_TYPE_NORMAL, true, true));
    sim_map(&s, KERNEL_BASE + 0x80000000, 2,
            leaf(0xc0000000, RW | PD_GLOBAL, MEMORY_TYPE_NONCACHEABLE, true, true));
    sim_map(&s, KERNEL_BASE + 0x09000000, 0,
            leaf(0x09000000, RW | PD_GLOBAL, MEMORY_TYPE_IO, true, true));

    struct swmmu_result r = sim_access(&s, 0x400123, FAULT_READ, FROM_EL0, SWMMU_AD_FAULT);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    KEXPECT_EQU(t, r.pa, 0x87654123);
    KEXPECT_EQ(t, r.type, MEMORY_TYPE_NORMAL);

    r = sim_access(&s, KERNEL_BASE + 0x40112345, FAULT_WRITE, FROM_EL1, SWMMU_AD_FAULT);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    KEXPECT_EQU(t, r.pa, 0x40112345);
    KEXPECT_EQ(t, r.type, MEMORY_TYPE_NORMAL);

    r = sim_access(&s, KERNEL_BASE + 0xb3456789, FAULT_READ, FROM_EL1, SWMMU_AD_FAULT);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    KEXPECT_EQU(t, r.pa, 0xf3456789);
    KEXPECT_EQ(t, r.type, MEMORY_TYPE_NONCACHEABLE);

    r = sim_access(&s, KERNEL_BASE + 0x09000018, FAULT_WRITE, FROM_EL1, SWMMU_AD_FAULT);
    KEXPECT_EQ(t, r.outcome, SWMMU_OK);
    KEXPECT_EQU(t, r.pa, 0x09000018);
    KEXPECT_EQ(t, r.type, MEMORY_TYPE_IO);
}

/* 0x400000 is root[0] -> L1[0] -> L2[2] -> L3[0]; each probe misses at one lookup level. */
KTEST(pt_aarch64, swmmu_not_present_at_each_level)
{
    struct sim s;
    sim_init(&s);
    sim_map(&s, 0x400000, 0, leaf(0x87654000, RW | PD_USER, MEMORY_TYPE_NORMAL, true, true));
    KEXPECT_EQ(t, sim_outcome(&s, 0x400000, FAULT_READ, FROM_EL0), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, UINT64_C(0x8000000000), FAULT_READ, FROM_EL0), SWMMU_NOT_PRESENT);
    KEXPECT_EQ(t, sim_outcome(&s, 0x40000000, FAULT_READ, FROM_EL0), SWMMU_NOT_PRESENT);
    KEXPECT_EQ(t, sim_outcome(&s, 0x200000, FAULT_READ, FROM_EL0), SWMMU_NOT_PRESENT);
    KEXPECT_EQ(t, sim_outcome(&s, 0x401000, FAULT_READ, FROM_EL0), SWMMU_NOT_PRESENT);
    /* The same index path through the other root finds nothing. */
    KEXPECT_EQ(t, sim_outcome(&s, KERNEL_BASE + 0x400000, FAULT_READ, FROM_EL1), SWMMU_NOT_PRESENT);
}

/* Only the top 2^48 and bottom 2^48 bytes translate; the top byte is not ignored. */
KTEST(pt_aarch64, swmmu_non_canonical)
{
    struct sim s;
    sim_init(&s);
    const uint64_t user_top = (UINT64_C(1) << 48) - PT_PAGE_SIZE;
    sim_map(&s, user_top, 0, leaf(0x1000000, RW | PD_USER, MEMORY_TYPE_NORMAL, true, true));
    sim_map(&s, KERNEL_BASE, 0, leaf(0x2000000, RW | PD_GLOBAL, MEMORY_TYPE_NORMAL, true, true));
    sim_map(&s, 0x400000, 0, leaf(0x3000000, RW | PD_USER, MEMORY_TYPE_NORMAL, true, true));
    KEXPECT_EQ(t, sim_outcome(&s, user_top, FAULT_READ, FROM_EL0), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, KERNEL_BASE, FAULT_READ, FROM_EL1), SWMMU_OK);

    static const uint64_t outside[] = {
        UINT64_C(0x0001000000000000), /* just above the user half */
        KERNEL_BASE - PT_PAGE_SIZE,   /* just below the kernel half */
        UINT64_C(0x8000000000000000),
        UINT64_C(0x0001fffffffff000), /* aliases user_top in the low 48 bits */
        UINT64_C(0x0100000000400000), /* aliases 0x400000 if the top byte were ignored */
        UINT64_C(0x7fff000000000000),
    };
    for (size_t i = 0; i < ARRAY_SIZE(outside); i++) {
        KEXPECT_EQ(t, sim_outcome(&s, outside[i], FAULT_READ, FROM_EL0), SWMMU_NOT_PRESENT);
        KEXPECT_EQ(t, sim_outcome(&s, outside[i], FAULT_READ, FROM_EL1), SWMMU_NOT_PRESENT);
    }
}

KTEST(pt_aarch64, swmmu_user_cannot_touch_kernel)
{
    struct sim s;
    sim_init(&s);
    const uint64_t va = KERNEL_BASE + 0x100000;
    sim_map(&s, va, 0, leaf(0x100000, RWX | PD_GLOBAL, MEMORY_TYPE_NORMAL, true, true));
    for (enum fault_access a = FAULT_READ; a <= FAULT_EXECUTE; a++) {
        KEXPECT_EQ(t, sim_outcome(&s, va, a, FROM_EL1), SWMMU_OK);
        /* execute too: kernel mappings are UXN, AP alone would not stop EL0 fetching */
        KEXPECT_EQ(t, sim_outcome(&s, va, a, FROM_EL0), SWMMU_PROTECTION);
    }
}

KTEST(pt_aarch64, swmmu_kernel_never_executes_user_memory)
{
    struct sim s;
    sim_init(&s);
    sim_map(&s, 0x10000, 0, leaf(0x10000, RWX | PD_USER, MEMORY_TYPE_NORMAL, true, true));
    sim_map(&s, 0x20000, 0, leaf(0x20000, RX | PD_USER, MEMORY_TYPE_NORMAL, true, false));
    for (uint64_t va = 0x10000; va <= 0x20000; va += 0x10000) {
        KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_EXECUTE, FROM_EL0), SWMMU_OK);
        KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_READ, FROM_EL1), SWMMU_OK); /* PAN is off */
        KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_EXECUTE, FROM_EL1), SWMMU_PROTECTION);
    }
    KEXPECT_EQ(t, sim_outcome(&s, 0x10000, FAULT_WRITE, FROM_EL1), SWMMU_OK);
}

KTEST(pt_aarch64, swmmu_write_to_read_only)
{
    struct sim s;
    sim_init(&s);
    const uint64_t kva = KERNEL_BASE + 0x200000, uva = 0x200000;
    pte_t *kslot = sim_map(&s, kva, 0, leaf(0x200000, PD_READ | PD_GLOBAL, MEMORY_TYPE_NORMAL,
                                            true, true));
    pte_t *uslot = sim_map(&s, uva, 0, leaf(0x300000, PD_READ | PD_USER, MEMORY_TYPE_NORMAL,
                                            true, false));
    const pte_t kpte = *kslot, upte = *uslot;
    for (enum swmmu_ad_mode mode = SWMMU_AD_HARDWARE; mode <= SWMMU_AD_FAULT; mode++) {
        KEXPECT_EQ(t, sim_access(&s, kva, FAULT_READ, FROM_EL1, mode).outcome, SWMMU_OK);
        KEXPECT_EQ(t, sim_access(&s, kva, FAULT_WRITE, FROM_EL1, mode).outcome, SWMMU_PROTECTION);
        KEXPECT_EQ(t, sim_access(&s, uva, FAULT_READ, FROM_EL0, mode).outcome, SWMMU_OK);
        KEXPECT_EQ(t, sim_access(&s, uva, FAULT_WRITE, FROM_EL0, mode).outcome, SWMMU_PROTECTION);
        KEXPECT_EQ(t, sim_access(&s, uva, FAULT_WRITE, FROM_EL1, mode).outcome, SWMMU_PROTECTION);
    }
    /* no DBM on a read-only mapping: hardware dirty management must not make it writable */
    KEXPECT_EQU(t, *kslot, kpte);
    KEXPECT_EQU(t, *uslot, upte);
}

KTEST(pt_aarch64, swmmu_execute_never)
{
    struct sim s;
    sim_init(&s);
    const uint64_t kva = KERNEL_BASE + 0x300000;
    sim_map(&s, kva, 0, leaf(0x300000, RW | PD_GLOBAL, MEMORY_TYPE_NORMAL, true, true));
    sim_map(&s, kva + PT_PAGE_SIZE, 0,
            leaf(0x301000, RX | PD_GLOBAL, MEMORY_TYPE_NORMAL, true, true));
    sim_map(&s, 0x300000, 0, leaf(0x400000, RW | PD_USER, MEMORY_TYPE_NORMAL, true, true));
    sim_map(&s, 0x301000, 0, leaf(0x401000, PD_READ | PD_USER, MEMORY_TYPE_NORMAL, true, false));
    KEXPECT_EQ(t, sim_outcome(&s, kva, FAULT_EXECUTE, FROM_EL1), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, kva + PT_PAGE_SIZE, FAULT_EXECUTE, FROM_EL1), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, 0x300000, FAULT_EXECUTE, FROM_EL0), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, 0x301000, FAULT_EXECUTE, FROM_EL0), SWMMU_PROTECTION);
    /* device registers, mapped the way drivers will: no speculative instruction fetch */
    const uint64_t dva = kva + 2 * PT_PAGE_SIZE;
    sim_map(&s, dva, 0, leaf(0x09000000, RW | PD_GLOBAL, MEMORY_TYPE_IO, true, true));
    KEXPECT_EQ(t, sim_outcome(&s, dva, FAULT_EXECUTE, FROM_EL1), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, dva, FAULT_EXECUTE, FROM_EL0), SWMMU_PROTECTION);
}

/*
 * The walker's own rule, checked on descriptors encode never makes (it
 * always sets PXN on user pages): memory writable at EL0 is privileged
 * execute-never even with PXN clear; read-only user memory is not.
 */
KTEST(pt_aarch64, swmmu_models_implicit_pxn)
{
    struct sim s;
    sim_init(&s);
    pte_t *rw = sim_map(&s, 0x500000, 0, leaf(0x500000, RWX | PD_USER, MEMORY_TYPE_NORMAL,
                                              true, true));
    pte_t *ro = sim_map(&s, 0x501000, 0, leaf(0x501000, RX | PD_USER, MEMORY_TYPE_NORMAL,
                                              true, false));
    *rw = a64_desc_set_pxn(*rw, 0);
    *ro = a64_desc_set_pxn(*ro, 0);
    KEXPECT_EQU(t, a64_desc_ap(*rw), A64_AP_EL0);
    KEXPECT_EQ(t, sim_outcome(&s, 0x500000, FAULT_EXECUTE, FROM_EL1), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, 0x501000, FAULT_EXECUTE, FROM_EL1), SWMMU_OK);
}

/*
 * Why kernel mappings carry UXN: the AP bits do not gate EL0 instruction
 * fetch, so a kernel page without UXN would be execute-only memory for EL0.
 */
KTEST(pt_aarch64, swmmu_models_el0_execute_only)
{
    struct sim s;
    sim_init(&s);
    const uint64_t va = KERNEL_BASE + 0x500000;
    pte_t *slot = sim_map(&s, va, 0, leaf(0x500000, RX | PD_GLOBAL, MEMORY_TYPE_NORMAL, true,
                                          true));
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_EXECUTE, FROM_EL0), SWMMU_PROTECTION);
    *slot = a64_desc_set_uxn(*slot, 0);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_EXECUTE, FROM_EL0), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_READ, FROM_EL0), SWMMU_PROTECTION);
}

/* Reserved descriptor encodings are translation faults: a block at lookup level 0 or 3. */
KTEST(pt_aarch64, swmmu_reserved_encodings)
{
    struct sim s;
    sim_init(&s);
    const uint64_t va = 0x900000;
    pte_t *page = sim_map(&s, va, 0, leaf(0x900000, RW | PD_USER, MEMORY_TYPE_NORMAL, true,
                                          true));
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_READ, FROM_EL0), SWMMU_OK);
    *page = a64_desc_set_type(*page, A64_DESC_TYPE_BLOCK);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_READ, FROM_EL0), SWMMU_NOT_PRESENT);

    /* A 1 GiB block encoding placed in the root: would map VA if level 0 blocks existed. */
    pte_t *root_slot = sim_slot(s.user_root, va, 3);
    *root_slot = encode(leaf(0, RW | PD_USER, MEMORY_TYPE_NORMAL, true, true), 2);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_READ, FROM_EL0), SWMMU_NOT_PRESENT);
}

/* APTable, UXNTable and PXNTable restrict everything below the table descriptor. */
KTEST(pt_aarch64, swmmu_models_hierarchical_permissions)
{
    struct sim s;
    sim_init(&s);
    const uint64_t va = 0xa00000;
    sim_map(&s, va, 0, leaf(0xa00000, RWX | PD_USER, MEMORY_TYPE_NORMAL, true, true));
    pte_t *l1 = sim_slot(s.user_root, va, 3); /* the root entry pointing at the level 1 table */
    const pte_t plain = *l1;
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_READ, FROM_EL0), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_WRITE, FROM_EL0), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_EXECUTE, FROM_EL0), SWMMU_OK);

    *l1 = a64_desc_set_ap_table(plain, A64_AP_TABLE_NO_EL0);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_READ, FROM_EL0), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_WRITE, FROM_EL1), SWMMU_OK);
    *l1 = a64_desc_set_ap_table(plain, A64_AP_TABLE_READ_ONLY);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_READ, FROM_EL0), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_WRITE, FROM_EL0), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_WRITE, FROM_EL1), SWMMU_PROTECTION);
    *l1 = a64_desc_set_uxn_table(plain, 1);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_EXECUTE, FROM_EL0), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_READ, FROM_EL0), SWMMU_OK);

    /* PXNTable, on a kernel table above an executable kernel page */
    const uint64_t kva = KERNEL_BASE + 0xa00000;
    sim_map(&s, kva, 0, leaf(0xb00000, RX | PD_GLOBAL, MEMORY_TYPE_NORMAL, true, true));
    pte_t *kl1 = sim_slot(s.kernel_root, kva, 3);
    KEXPECT_EQ(t, sim_outcome(&s, kva, FAULT_EXECUTE, FROM_EL1), SWMMU_OK);
    *kl1 = a64_desc_set_pxn_table(*kl1, 1);
    KEXPECT_EQ(t, sim_outcome(&s, kva, FAULT_EXECUTE, FROM_EL1), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, kva, FAULT_READ, FROM_EL1), SWMMU_OK);
}

/*
 * Cortex-A72 (no FEAT_HAFDBS): the Access flag fault comes before any
 * permission fault; then a write to a writable-clean page is a permission
 * fault until software marks it dirty, as pd_update_accessed_dirty does.
 * The walker never changes the entry.
 */
KTEST(pt_aarch64, swmmu_accessed_dirty_by_faults)
{
    struct sim s;
    sim_init(&s);
    const uint64_t va = 0x600000;
    pte_t *slot = sim_map(&s, va, 0, leaf(0x600000, RW | PD_USER, MEMORY_TYPE_NORMAL, false,
                                          false));
    pte_t before = *slot;
    for (enum fault_access a = FAULT_READ; a <= FAULT_EXECUTE; a++)
        KEXPECT_EQ(t, sim_outcome(&s, va, a, FROM_EL0), SWMMU_ACCESS_FLAG);
    KEXPECT_EQU(t, *slot, before);

    struct pte_info info = decode(*slot, 0);
    info.accessed = true;
    *slot = encode(info, 0);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_READ, FROM_EL0), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_WRITE, FROM_EL0), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_WRITE, FROM_EL1), SWMMU_PROTECTION);

    info.dirty = true;
    *slot = encode(info, 0);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_WRITE, FROM_EL0), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_EXECUTE, FROM_EL0), SWMMU_PROTECTION); /* still XN */
}

/*
 * FEAT_HAFDBS: the walker sets AF on the first access and, through DBM,
 * makes a writable-clean page dirty on the first write; the format reads
 * both back. A faulting access changes nothing.
 */
KTEST(pt_aarch64, swmmu_accessed_dirty_by_hardware)
{
    struct sim s;
    sim_init(&s);
    const uint64_t va = 0x700000, ro_va = 0x701000;
    pte_t *slot = sim_map(&s, va, 0, leaf(0x700000, RW | PD_USER, MEMORY_TYPE_NORMAL, false,
                                          false));
    pte_t *ro = sim_map(&s, ro_va, 0, leaf(0x701000, PD_READ | PD_USER, MEMORY_TYPE_NORMAL,
                                           false, false));

    KEXPECT_EQ(t, sim_access(&s, va, FAULT_EXECUTE, FROM_EL0, SWMMU_AD_HARDWARE).outcome,
               SWMMU_PROTECTION);
    KEXPECT(t, !decode(*slot, 0).accessed);

    KEXPECT_EQ(t, sim_access(&s, va, FAULT_READ, FROM_EL0, SWMMU_AD_HARDWARE).outcome, SWMMU_OK);
    struct pte_info info = decode(*slot, 0);
    KEXPECT(t, info.accessed);
    KEXPECT(t, !info.dirty);
    KEXPECT_EQU(t, info.prot, RW | PD_USER);

    KEXPECT_EQ(t, sim_access(&s, va, FAULT_WRITE, FROM_EL0, SWMMU_AD_HARDWARE).outcome, SWMMU_OK);
    info = decode(*slot, 0);
    KEXPECT(t, info.accessed);
    KEXPECT(t, info.dirty);
    KEXPECT_EQU(t, info.prot, RW | PD_USER);
    KEXPECT_EQU(t, *slot, encode(info, 0)); /* the hardware's dirty page is the format's */

    /* first access is a write: both at once */
    info = decode(*slot, 0);
    info.accessed = info.dirty = false;
    *slot = encode(info, 0);
    KEXPECT_EQ(t, sim_access(&s, va, FAULT_WRITE, FROM_EL0, SWMMU_AD_HARDWARE).outcome, SWMMU_OK);
    info = decode(*slot, 0);
    KEXPECT(t, info.accessed && info.dirty);

    pte_t ro_before = *ro;
    KEXPECT_EQ(t, sim_access(&s, ro_va, FAULT_WRITE, FROM_EL0, SWMMU_AD_HARDWARE).outcome,
               SWMMU_PROTECTION);
    KEXPECT_EQU(t, *ro, ro_before);
    KEXPECT_EQ(t, sim_access(&s, ro_va, FAULT_READ, FROM_EL0, SWMMU_AD_HARDWARE).outcome, SWMMU_OK);
    info = decode(*ro, 0);
    KEXPECT(t, info.accessed);
    KEXPECT(t, !info.dirty);
}

/* A read-only page remembered as dirty stays read-only to the walker, in both modes. */
KTEST(pt_aarch64, swmmu_software_dirty_bit_grants_nothing)
{
    struct sim s;
    sim_init(&s);
    pte_t *slot = sim_map(&s, 0x800000, 0, leaf(0x800000, PD_READ | PD_USER, MEMORY_TYPE_NORMAL,
                                                true, true));
    KEXPECT_EQU(t, a64_desc_sw_dirty(*slot), 1);
    pte_t before = *slot;
    for (enum swmmu_ad_mode mode = SWMMU_AD_HARDWARE; mode <= SWMMU_AD_FAULT; mode++) {
        KEXPECT_EQ(t, sim_access(&s, 0x800000, FAULT_READ, FROM_EL0, mode).outcome, SWMMU_OK);
        KEXPECT_EQ(t, sim_access(&s, 0x800000, FAULT_WRITE, FROM_EL0, mode).outcome,
                   SWMMU_PROTECTION);
    }
    KEXPECT_EQU(t, *slot, before);
}
