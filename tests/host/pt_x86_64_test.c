/*
 * Host tests of the x86_64 page-table format (kernel/arch/x86_64/pt_format.c):
 * encode/decode round trips over every right, type, level and A/D state;
 * exact entries checked against the Intel SDM bit by bit; the PAT MSR value
 * the kernel will program; and tables built with the format, walked by the
 * independent software MMU (tests/host/swmmu_x86_64.c).
 */
#include "kernel/arch/pt/pt_format.h"
#include "tests/host/swmmu.h"
#include <pagoda/ktest.h>
#include <string.h>
#include <x86_64/pte.h>

static const struct pt_format *const fmt = &pt_format_x86_64;

#define LEVEL_4K 0
#define LEVEL_2M 1
#define LEVEL_1G 2
#define LEVEL_ROOT 3
#define N_LEAF_LEVELS 3

static const enum memory_type all_types[] = {
    MEMORY_TYPE_NORMAL, MEMORY_TYPE_IO, MEMORY_TYPE_NONCACHEABLE,
};

/* PD_READ with each subset of the optional rights. */
#define N_PROTS 16
static uint32_t prot_combo(unsigned i)
{
    static const uint32_t optional[] = { PD_WRITE, PD_EXECUTE, PD_USER, PD_GLOBAL };
    uint32_t prot = PD_READ;
    for (unsigned bit = 0; bit < ARRAY_SIZE(optional); bit++)
        if (i & (1u << bit))
            prot |= optional[bit];
    return prot;
}

static pte_t encode_leaf(unsigned level, uint64_t pa, uint32_t prot, enum memory_type type,
                         bool accessed, bool dirty)
{
    struct pte_info info = {
        .kind = PTE_LEAF, .phys = paddr(pa), .prot = prot, .type = type,
        .accessed = accessed, .dirty = dirty,
    };
    return fmt->encode(&info, level);
}

static pte_t encode_table(unsigned level, uint64_t pa)
{
    struct pte_info info = { .kind = PTE_TABLE, .phys = paddr(pa) };
    return fmt->encode(&info, level);
}

KTEST(pt_x86_64, format_shape)
{
    KEXPECT_STREQ(t, fmt->name, "x86_64");
    KEXPECT_EQ(t, fmt->levels, 4);
    KEXPECT_EQ(t, fmt->va_bits, 48);
    KEXPECT_EQU(t, fmt->leaf_levels, 0x7); /* 4 KiB, 2 MiB and 1 GiB leaves */
    KEXPECT(t, !fmt->split_roots);
    KEXPECT_EQ(t, fmt->kernel_root_slots, 1);
    KEXPECT_EQU(t, fmt->phys_limit, UINT64_C(1) << 52);
}

KTEST(pt_x86_64, leaf_round_trip)
{
    for (unsigned level = 0; level < N_LEAF_LEVELS; level++) {
        uint64_t size = PT_LEVEL_SIZE(level);
        /* The lowest, a scattered and the highest address a leaf at LEVEL can hold. */
        const uint64_t addrs[] = { 0, ALIGN_DOWN(UINT64_C(0x000a5a5a5a5a5a5a), size),
                                   fmt->phys_limit - size };
        for (unsigned a = 0; a < ARRAY_SIZE(addrs); a++)
            for (unsigned p = 0; p < N_PROTS; p++)
                for (unsigned ty = 0; ty < ARRAY_SIZE(all_types); ty++)
                    for (unsigned ad = 0; ad < 4; ad++) {
                        uint32_t prot = prot_combo(p);
                        bool accessed = ad & 1, dirty = ad & 2;
                        pte_t pte = encode_leaf(level, addrs[a], prot, all_types[ty], accessed,
                                                dirty);
                        struct pte_info info;
                        fmt->decode(pte, level, &info);
                        KASSERT_EQ(t, info.kind, PTE_LEAF);
                        KASSERT_EQU(t, info.phys.value, addrs[a]);
                        KASSERT_EQU(t, info.prot, prot);
                        KASSERT_EQ(t, info.type, all_types[ty]);
                        KASSERT_EQ(t, info.accessed, accessed);
                        KASSERT_EQ(t, info.dirty, dirty);
                        KASSERT_EQU(t, fmt->encode(&info, level), pte);
                    }
    }
}

KTEST(pt_x86_64, table_and_invalid_round_trip)
{
    const uint64_t addrs[] = { 0, 0x5000, UINT64_C(0x000ffffffffff000) };
    for (unsigned level = 1; level <= LEVEL_ROOT; level++)
        for (unsigned a = 0; a < ARRAY_SIZE(addrs); a++) {
            pte_t pte = encode_table(level, addrs[a]);
            struct pte_info info;
            fmt->decode(pte, level, &info);
            KEXPECT_EQ(t, info.kind, PTE_TABLE);
            KEXPECT_EQU(t, info.phys.value, addrs[a]);
            KEXPECT_EQU(t, fmt->encode(&info, level), pte);
        }
    for (unsigned level = 0; level <= LEVEL_ROOT; level++) {
        struct pte_info info = { .kind = PTE_INVALID };
        KEXPECT_EQU(t, fmt->encode(&info, level), 0);
        fmt->decode(0, level, &info);
        KEXPECT_EQ(t, info.kind, PTE_INVALID);
        /* P = 0: every other bit is free for software and means nothing (SDM 4.5). */
        fmt->decode(~UINT64_C(1), level, &info);
        KEXPECT_EQ(t, info.kind, PTE_INVALID);
        KEXPECT_EQU(t, fmt->encode(&info, level), 0);
    }
}

/* Entries worked out by hand from the SDM's tables 4-15 to 4-20. */
KTEST(pt_x86_64, exact_bits)
{
    /* 4 KiB, RW data: P (0) | R/W (1) | XD (63). */
    KEXPECT_EQU(t, encode_leaf(LEVEL_4K, 0x12345000, PD_READ | PD_WRITE, MEMORY_TYPE_NORMAL,
                               false, false),
                UINT64_C(0x8000000012345003));
    /* 4 KiB kernel text: P (0) | A (5) | G (8); XD clear. */
    KEXPECT_EQU(t, encode_leaf(LEVEL_4K, 0x100000, PD_READ | PD_EXECUTE | PD_GLOBAL,
                               MEMORY_TYPE_NORMAL, true, false),
                UINT64_C(0x0000000000100121));
    /* 4 KiB user, non-cacheable: P | R/W | U/S (2) | PWT (3, PAT 1 = WC) | A | D (6) | XD. */
    KEXPECT_EQU(t, encode_leaf(LEVEL_4K, 0xabcdef000, PD_READ | PD_WRITE | PD_USER,
                               MEMORY_TYPE_NONCACHEABLE, true, true),
                UINT64_C(0x8000000abcdef06f));
    /* 4 KiB IO, read-only: P | PWT | PCD (4) (PAT 3 = UC) | XD. */
    KEXPECT_EQU(t, encode_leaf(LEVEL_4K, 0x1000, PD_READ, MEMORY_TYPE_IO, false, false),
                UINT64_C(0x8000000000001019));
    /* 2 MiB IO (the local APIC's block): P | R/W | PWT | PCD | PS (7) | XD. */
    KEXPECT_EQU(t, encode_leaf(LEVEL_2M, 0xfee00000, PD_READ | PD_WRITE, MEMORY_TYPE_IO,
                               false, false),
                UINT64_C(0x80000000fee0009b));
    /* 2 MiB non-cacheable: P | PWT | PS | XD; the PAT bit (12) stays clear. */
    KEXPECT_EQU(t, encode_leaf(LEVEL_2M, 0x400000, PD_READ, MEMORY_TYPE_NONCACHEABLE, false,
                               false),
                UINT64_C(0x8000000000400089));
    /* 1 GiB user RWX: P | R/W | U/S | A | D | PS. */
    KEXPECT_EQU(t, encode_leaf(LEVEL_1G, 0xc0000000, PD_READ | PD_WRITE | PD_EXECUTE | PD_USER,
                               MEMORY_TYPE_NORMAL, true, true),
                UINT64_C(0x00000000c00000e7));
    /* 1 GiB at the top of the 52-bit physical space, read-only: bits 51:30 | P | PS | XD. */
    KEXPECT_EQU(t, encode_leaf(LEVEL_1G, UINT64_C(0x000fffffc0000000), PD_READ,
                               MEMORY_TYPE_NORMAL, false, false),
                UINT64_C(0x800fffffc0000081));
    /* Tables: P | R/W | U/S and the address; nothing else (PWT = PCD = 0: WB walks). */
    KEXPECT_EQU(t, encode_table(LEVEL_ROOT, 0x5000), UINT64_C(0x0000000000005007));
    KEXPECT_EQU(t, encode_table(LEVEL_1G, 0x5000), UINT64_C(0x0000000000005007));
    KEXPECT_EQU(t, encode_table(LEVEL_2M, UINT64_C(0x000ffffffffff000)),
                UINT64_C(0x000ffffffffff007));
}

static void expect_leaf(struct ktest *t, pte_t pte, unsigned level, uint64_t pa, uint32_t prot,
                        enum memory_type type, bool accessed, bool dirty)
{
    struct pte_info info;
    fmt->decode(pte, level, &info);
    KEXPECT_EQ(t, info.kind, PTE_LEAF);
    KEXPECT_EQU(t, info.phys.value, pa);
    KEXPECT_EQU(t, info.prot, prot);
    KEXPECT_EQ(t, info.type, type);
    KEXPECT_EQ(t, info.accessed, accessed);
    KEXPECT_EQ(t, info.dirty, dirty);
}

/* Entries the format never writes, as the CPU or another kernel could leave them. */
KTEST(pt_x86_64, decode_foreign_entries)
{
    /* A and D set by the CPU after a write. */
    expect_leaf(t, UINT64_C(0x8000000012345063), LEVEL_4K, 0x12345000, PD_READ | PD_WRITE,
                MEMORY_TYPE_NORMAL, true, true);
    /* Ignored bits 11:9 and 62:52 (AVL, protection key with CR4.PKE = 0) change nothing. */
    expect_leaf(t, UINT64_C(0xfff0000012345e63), LEVEL_4K, 0x12345000, PD_READ | PD_WRITE,
                MEMORY_TYPE_NORMAL, true, true);
    /* 4 KiB with the PAT bit (7): PAT index 4 = WB. */
    expect_leaf(t, UINT64_C(0x00000000000010a1), LEVEL_4K, 0x1000, PD_READ | PD_EXECUTE,
                MEMORY_TYPE_NORMAL, true, false);
    /* 4 KiB with PCD (4) alone: PAT index 2 = UC-, uncached and strongly ordered. */
    expect_leaf(t, UINT64_C(0x8000000000001011), LEVEL_4K, 0x1000, PD_READ, MEMORY_TYPE_IO,
                false, false);
    /* 2 MiB with PAT (12) | PS | PCD | PWT | P: index 7 = UC; bit 12 is not address. */
    expect_leaf(t, UINT64_C(0x0000000000201099), LEVEL_2M, 0x200000, PD_READ | PD_EXECUTE,
                MEMORY_TYPE_IO, false, false);
    /* 1 GiB with PAT (12) | PS | PWT | P | G (8): index 5 = WC. */
    expect_leaf(t, UINT64_C(0x0000000040001189), LEVEL_1G, 0x40000000,
                PD_READ | PD_EXECUTE | PD_GLOBAL, MEMORY_TYPE_NONCACHEABLE, false, false);

    struct pte_info info;
    /* A table entry the CPU has marked accessed (5): still the same table. */
    fmt->decode(UINT64_C(0x0000000000005027), LEVEL_1G, &info);
    KEXPECT_EQ(t, info.kind, PTE_TABLE);
    KEXPECT_EQU(t, info.phys.value, 0x5000);
    /* PS (7) is reserved in a PML4 entry: it never makes the entry a leaf. */
    fmt->decode(UINT64_C(0x0000000000005087), LEVEL_ROOT, &info);
    KEXPECT_EQ(t, info.kind, PTE_TABLE);
    /* A PT entry is a leaf whatever bit 7 says. */
    fmt->decode(UINT64_C(0x0000000000005081), LEVEL_4K, &info);
    KEXPECT_EQ(t, info.kind, PTE_LEAF);
}

/* PAT entry INDEX of IA32_PAT value PAT (SDM 11.12.2: entry i is bits 8i+2:8i). */
static unsigned pat_entry(uint64_t pat, unsigned index)
{
    return (unsigned)(pat >> (8 * index)) & 0x7;
}

KTEST(pt_x86_64, pat_layout)
{
    /* Entries 0..7 = WB (6), WC (1), UC- (7), UC (0), then the same again. */
    KEXPECT_EQU(t, X86_PAT_MSR_VALUE, UINT64_C(0x0007010600070106));
    /* Entry 0 is what a table entry (PWT = PCD = 0) selects: the walk reads WB. */
    KEXPECT_EQ(t, pat_entry(X86_PAT_MSR_VALUE, 0), 6);

    /* Each type, at each leaf level, selects the PAT entry of the right kind. */
    static const unsigned pat_type_of[] = {
        [MEMORY_TYPE_NORMAL] = 6,       /* WB */
        [MEMORY_TYPE_IO] = 0,           /* UC */
        [MEMORY_TYPE_NONCACHEABLE] = 1, /* WC */
    };
    for (unsigned level = 0; level < N_LEAF_LEVELS; level++)
        for (unsigned ty = 0; ty < ARRAY_SIZE(all_types); ty++) {
            pte_t pte = encode_leaf(level, 0, PD_READ, all_types[ty], false, false);
            /* Index = PAT:PCD:PWT; PWT is bit 3, PCD bit 4, PAT bit 7 (4 KiB) or 12. */
            unsigned pat_bit = level == LEVEL_4K ? 7 : 12;
            unsigned index = (unsigned)((pte >> 3) & 1) | (unsigned)((pte >> 4) & 1) << 1 |
                             (unsigned)((pte >> pat_bit) & 1) << 2;
            KEXPECT_EQ(t, pat_entry(X86_PAT_MSR_VALUE, index), pat_type_of[all_types[ty]]);
        }
}

/* --- tables in simulated memory, walked by the software MMU ------------------ */

#define SIM_PAGES 32
static uint8_t sim_ram[SIM_PAGES * PT_PAGE_SIZE] __attribute__((aligned(PT_PAGE_SIZE)));

struct sim {
    struct swmmu_memory mem;
    uint64_t next; /* the next free page */
    uint64_t root;
};

static uint64_t sim_alloc_table(struct sim *s)
{
    if (s->next + PT_PAGE_SIZE > s->mem.size)
        return 0; /* the callers' KASSERTs catch a zero table */
    uint64_t table = s->next;
    s->next += PT_PAGE_SIZE;
    return table;
}

/* Fresh, zeroed memory with a root table. Page 0 stays unused: a table at 0 is a bug. */
static void sim_init(struct sim *s)
{
    memset(sim_ram, 0, sizeof(sim_ram));
    s->mem = (struct swmmu_memory){ sim_ram, sizeof(sim_ram) };
    s->next = PT_PAGE_SIZE;
    s->root = sim_alloc_table(s);
}

static unsigned sim_index(uint64_t va, unsigned level)
{
    return (unsigned)(va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
}

/*
 * The address in simulated memory of the entry for VA in TABLE at LEVEL.
 * Entries are stored in host order, as the engine does; the host is
 * little-endian like x86, which is the order the software MMU reads.
 */
static pte_t *sim_slot(struct sim *s, uint64_t table, uint64_t va, unsigned level)
{
    return (pte_t *)(s->mem.base + table) + sim_index(va, level);
}

/* The table at LEVEL on VA's path (LEVEL_ROOT: the root), or 0 if it is missing. */
static uint64_t sim_table_at(struct sim *s, uint64_t va, unsigned level)
{
    uint64_t table = s->root;
    for (unsigned l = LEVEL_ROOT; l > level; l--) {
        struct pte_info info;
        fmt->decode(*sim_slot(s, table, va, l), l, &info);
        if (info.kind != PTE_TABLE)
            return 0;
        table = info.phys.value;
    }
    return table;
}

/* The entry that maps VA at LEVEL (its table must exist). */
static pte_t *sim_entry(struct sim *s, uint64_t va, unsigned level)
{
    return sim_slot(s, sim_table_at(s, va, level), va, level);
}

/* Map VA to PA with a leaf at LEVEL, making the tables on the way with the format. */
static void sim_map(struct sim *s, uint64_t va, unsigned level, uint64_t pa, uint32_t prot,
                    enum memory_type type)
{
    uint64_t table = s->root;
    for (unsigned l = LEVEL_ROOT; l > level; l--) {
        pte_t *slot = sim_slot(s, table, va, l);
        struct pte_info info;
        fmt->decode(*slot, l, &info);
        if (info.kind == PTE_INVALID) {
            info = (struct pte_info){ .kind = PTE_TABLE, .phys = paddr(sim_alloc_table(s)) };
            *slot = fmt->encode(&info, l);
        }
        table = info.phys.value;
    }
    *sim_slot(s, table, va, level) = encode_leaf(level, pa, prot, type, false, false);
}

static struct swmmu_result sim_access(struct sim *s, uint64_t va, enum fault_access access,
                                      bool user, enum swmmu_ad_mode ad_mode)
{
    struct swmmu_request req = {
        .va = va, .access = access, .user = user,
        .user_root = s->root, .kernel_root = s->root, .ad_mode = ad_mode,
    };
    struct swmmu_result result;
    swmmu_x86_64_translate(&s->mem, &req, &result);
    return result;
}

static enum swmmu_outcome sim_outcome(struct sim *s, uint64_t va, enum fault_access access,
                                      bool user)
{
    return sim_access(s, va, access, user, SWMMU_AD_HARDWARE).outcome;
}

#define USER_4K_VA UINT64_C(0x0000123456789000)
#define USER_2M_VA UINT64_C(0x0000000040600000)
#define USER_1G_VA UINT64_C(0x0000008000000000)
#define KERNEL_VA UINT64_C(0xffffffff80100000)

KTEST(pt_x86_64, swmmu_page_sizes)
{
    struct sim s;
    sim_init(&s);
    uint32_t user_rw = PD_READ | PD_WRITE | PD_USER;
    sim_map(&s, USER_4K_VA, LEVEL_4K, 0x76543000, user_rw, MEMORY_TYPE_NORMAL);
    sim_map(&s, USER_2M_VA, LEVEL_2M, UINT64_C(0x123400000), user_rw, MEMORY_TYPE_NORMAL);
    sim_map(&s, USER_1G_VA, LEVEL_1G, UINT64_C(0x3c0000000), user_rw, MEMORY_TYPE_NORMAL);
    sim_map(&s, KERNEL_VA, LEVEL_4K, 0x100000, PD_READ | PD_EXECUTE | PD_GLOBAL,
            MEMORY_TYPE_NORMAL);
    KASSERT(t, s.next <= s.mem.size);

    const struct {
        uint64_t va, pa, size;
    } cases[] = {
        { USER_4K_VA, 0x76543000, 4 * KiB },
        { USER_2M_VA, UINT64_C(0x123400000), 2 * MiB },
        { USER_1G_VA, UINT64_C(0x3c0000000), 1 * GiB },
        { KERNEL_VA, 0x100000, 4 * KiB },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        /* The first byte, one in the middle, and the last byte of the leaf. */
        const uint64_t offsets[] = { 0, cases[i].size / 2 + 0x123, cases[i].size - 1 };
        for (unsigned o = 0; o < ARRAY_SIZE(offsets); o++) {
            struct swmmu_result r = sim_access(&s, cases[i].va + offsets[o], FAULT_READ, false,
                                               SWMMU_AD_HARDWARE);
            KEXPECT_EQ(t, r.outcome, SWMMU_OK);
            KEXPECT_EQU(t, r.pa, cases[i].pa + offsets[o]);
            KEXPECT_EQ(t, r.type, MEMORY_TYPE_NORMAL);
        }
        /* Past the end: the neighbouring page or block is not mapped. */
        KEXPECT_EQ(t, sim_outcome(&s, cases[i].va + cases[i].size, FAULT_READ, false),
                   SWMMU_NOT_PRESENT);
    }
}

KTEST(pt_x86_64, swmmu_not_present_at_each_level)
{
    struct sim s;
    sim_init(&s);
    sim_map(&s, USER_4K_VA, LEVEL_4K, 0x76543000, PD_READ | PD_USER, MEMORY_TYPE_NORMAL);
    KEXPECT_EQ(t, sim_outcome(&s, USER_4K_VA, FAULT_READ, true), SWMMU_OK);
    /* Flipping the lowest index bit of one level leaves the path at that level's table. */
    for (unsigned level = 0; level <= LEVEL_ROOT; level++) {
        uint64_t va = USER_4K_VA ^ PT_LEVEL_SIZE(level);
        KEXPECT_NE(t, sim_table_at(&s, va, level), 0);
        KEXPECT_EQ(t, *sim_entry(&s, va, level), 0);
        KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_READ, true), SWMMU_NOT_PRESENT);
        KEXPECT_EQ(t, sim_outcome(&s, va, FAULT_WRITE, false), SWMMU_NOT_PRESENT);
    }
}

KTEST(pt_x86_64, swmmu_non_canonical)
{
    struct sim s;
    sim_init(&s);
    /* Map the addresses the non-canonical ones would reach if bits 63:48 were ignored. */
    sim_map(&s, UINT64_C(0xffff800000000000), LEVEL_4K, 0x1000, PD_READ, MEMORY_TYPE_NORMAL);
    sim_map(&s, UINT64_C(0x00007ffffffff000), LEVEL_4K, 0x2000, PD_READ | PD_USER,
            MEMORY_TYPE_NORMAL);
    KEXPECT_EQ(t, sim_outcome(&s, UINT64_C(0xffff800000000000), FAULT_READ, false), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, UINT64_C(0x00007ffffffff000), FAULT_READ, true), SWMMU_OK);

    const uint64_t bad[] = {
        UINT64_C(0x0000800000000000), /* bit 47 set, 63:48 clear */
        UINT64_C(0xffff7ffffffff000), /* bit 47 clear, 63:48 set */
        UINT64_C(0x8000000000000000),
        UINT64_C(0x0001000000000000),
    };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        KEXPECT_EQ(t, sim_outcome(&s, bad[i], FAULT_READ, false), SWMMU_NOT_PRESENT);
        KEXPECT_EQ(t, sim_outcome(&s, bad[i], FAULT_READ, true), SWMMU_NOT_PRESENT);
    }
}

/*
 * Every right at every leaf level, against what the interface promises:
 * user mode needs PD_USER; a write needs PD_WRITE (also in the kernel:
 * CR0.WP); a fetch needs PD_EXECUTE. The kernel reaches user pages too
 * (SMEP and SMAP off).
 */
KTEST(pt_x86_64, swmmu_rights)
{
    static const enum fault_access accesses[] = { FAULT_READ, FAULT_WRITE, FAULT_EXECUTE };
    struct sim s;
    for (unsigned level = 0; level < N_LEAF_LEVELS; level++)
        for (unsigned p = 0; p < N_PROTS; p++) {
            uint32_t prot = prot_combo(p);
            uint64_t va = (prot & PD_USER) ? USER_1G_VA : KERNEL_VA & ~(PT_LEVEL_SIZE(level) - 1);
            sim_init(&s);
            sim_map(&s, va, level, PT_LEVEL_SIZE(level), prot, MEMORY_TYPE_NORMAL);
            for (unsigned a = 0; a < ARRAY_SIZE(accesses); a++)
                for (int user = 0; user <= 1; user++) {
                    bool allowed = (!user || (prot & PD_USER)) &&
                                   (accesses[a] != FAULT_WRITE || (prot & PD_WRITE)) &&
                                   (accesses[a] != FAULT_EXECUTE || (prot & PD_EXECUTE));
                    enum swmmu_outcome got = sim_outcome(&s, va, accesses[a], user);
                    if (got != (allowed ? SWMMU_OK : SWMMU_PROTECTION))
                        ktest_fail(t, __FILE__, __LINE__,
                                   "level %u prot %#x access %d user %d: outcome %d", level,
                                   prot, accesses[a], user, got);
                }
        }
}

KTEST(pt_x86_64, swmmu_memory_types)
{
    struct sim s;
    for (unsigned level = 0; level < N_LEAF_LEVELS; level++)
        for (unsigned ty = 0; ty < ARRAY_SIZE(all_types); ty++) {
            sim_init(&s);
            sim_map(&s, USER_1G_VA, level, 0, PD_READ | PD_USER, all_types[ty]);
            struct swmmu_result r = sim_access(&s, USER_1G_VA, FAULT_READ, true,
                                               SWMMU_AD_HARDWARE);
            KEXPECT_EQ(t, r.outcome, SWMMU_OK);
            KEXPECT_EQ(t, r.type, all_types[ty]);
        }
}

/*
 * The hardware ANDs R/W and U/S and ORs XD down the walk, which is why the
 * format leaves table entries open. Closing one by hand must take the right
 * away for the whole subtree (and shows the walker models the rule).
 */
KTEST(pt_x86_64, swmmu_rights_combine_down_the_walk)
{
    const pte_t rw = UINT64_C(1) << 1, us = UINT64_C(1) << 2, xd = UINT64_C(1) << 63;
    struct sim s;
    sim_init(&s);
    sim_map(&s, USER_4K_VA, LEVEL_4K, 0x76543000, PD_READ | PD_WRITE | PD_EXECUTE | PD_USER,
            MEMORY_TYPE_NORMAL);
    KEXPECT_EQ(t, sim_outcome(&s, USER_4K_VA, FAULT_WRITE, true), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, USER_4K_VA, FAULT_EXECUTE, true), SWMMU_OK);

    *sim_entry(&s, USER_4K_VA, LEVEL_1G) &= ~us;
    KEXPECT_EQ(t, sim_outcome(&s, USER_4K_VA, FAULT_READ, true), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, USER_4K_VA, FAULT_WRITE, false), SWMMU_OK);
    *sim_entry(&s, USER_4K_VA, LEVEL_1G) |= us;

    *sim_entry(&s, USER_4K_VA, LEVEL_ROOT) &= ~rw;
    KEXPECT_EQ(t, sim_outcome(&s, USER_4K_VA, FAULT_WRITE, true), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, USER_4K_VA, FAULT_WRITE, false), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, USER_4K_VA, FAULT_READ, true), SWMMU_OK);
    *sim_entry(&s, USER_4K_VA, LEVEL_ROOT) |= rw;

    *sim_entry(&s, USER_4K_VA, LEVEL_2M) |= xd;
    KEXPECT_EQ(t, sim_outcome(&s, USER_4K_VA, FAULT_EXECUTE, true), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, USER_4K_VA, FAULT_EXECUTE, false), SWMMU_PROTECTION);
    KEXPECT_EQ(t, sim_outcome(&s, USER_4K_VA, FAULT_WRITE, true), SWMMU_OK);
}

/* Bits the SDM reserves make the walk fault (#PF with RSVD, a protection fault). */
KTEST(pt_x86_64, swmmu_reserved_bits)
{
    struct sim s;
    sim_init(&s);
    sim_map(&s, USER_2M_VA, LEVEL_2M, 0x200000, PD_READ, MEMORY_TYPE_NORMAL);
    sim_map(&s, USER_1G_VA, LEVEL_1G, 0x40000000, PD_READ, MEMORY_TYPE_NORMAL);
    KEXPECT_EQ(t, sim_outcome(&s, USER_2M_VA, FAULT_READ, false), SWMMU_OK);
    KEXPECT_EQ(t, sim_outcome(&s, USER_1G_VA, FAULT_READ, false), SWMMU_OK);

    /* Bits 20:13 of a 2 MiB leaf and 29:13 of a 1 GiB leaf. */
    const struct {
        uint64_t va;
        unsigned level, bit;
    } cases[] = {
        { USER_2M_VA, LEVEL_2M, 13 }, { USER_2M_VA, LEVEL_2M, 20 },
        { USER_1G_VA, LEVEL_1G, 13 }, { USER_1G_VA, LEVEL_1G, 29 },
        { USER_1G_VA, LEVEL_ROOT, 7 }, /* PS in a PML4 entry */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        pte_t *entry = sim_entry(&s, cases[i].va, cases[i].level);
        *entry ^= UINT64_C(1) << cases[i].bit;
        KEXPECT_EQ(t, sim_outcome(&s, cases[i].va, FAULT_READ, false), SWMMU_PROTECTION);
        *entry ^= UINT64_C(1) << cases[i].bit;
    }
}

/* Whether A (bit 5) is set in every entry on VA's path down to LEAF_LEVEL. */
static bool path_accessed(struct sim *s, uint64_t va, unsigned leaf_level)
{
    for (unsigned level = leaf_level; level <= LEVEL_ROOT; level++)
        if (!(*sim_entry(s, va, level) & (UINT64_C(1) << 5)))
            return false;
    return true;
}

/*
 * The CPU sets A in every entry it uses and D in the leaf on a write; the
 * format reports both. x86 never faults for them, so the FAULT mode of the
 * software MMU behaves the same.
 */
KTEST(pt_x86_64, swmmu_accessed_dirty)
{
    static const enum swmmu_ad_mode modes[] = { SWMMU_AD_HARDWARE, SWMMU_AD_FAULT };
    struct sim s;
    for (unsigned m = 0; m < ARRAY_SIZE(modes); m++)
        for (unsigned level = 0; level < N_LEAF_LEVELS; level++) {
            sim_init(&s);
            uint64_t va = USER_1G_VA, ro_va = USER_1G_VA + PT_LEVEL_SIZE(level);
            sim_map(&s, va, level, 0, PD_READ | PD_WRITE | PD_USER, MEMORY_TYPE_NORMAL);
            sim_map(&s, ro_va, level, 0, PD_READ | PD_USER, MEMORY_TYPE_NORMAL);
            struct pte_info info;

            /* A refused write leaves the leaf as it was. */
            KEXPECT_EQ(t, sim_access(&s, ro_va, FAULT_WRITE, true, modes[m]).outcome,
                       SWMMU_PROTECTION);
            fmt->decode(*sim_entry(&s, ro_va, level), level, &info);
            KEXPECT(t, !info.accessed && !info.dirty);

            KEXPECT_EQ(t, sim_access(&s, va, FAULT_READ, true, modes[m]).outcome, SWMMU_OK);
            fmt->decode(*sim_entry(&s, va, level), level, &info);
            KEXPECT(t, info.accessed && !info.dirty);
            KEXPECT(t, path_accessed(&s, va, level));

            KEXPECT_EQ(t, sim_access(&s, va, FAULT_WRITE, true, modes[m]).outcome, SWMMU_OK);
            fmt->decode(*sim_entry(&s, va, level), level, &info);
            KEXPECT(t, info.accessed && info.dirty);
            KEXPECT_EQU(t, info.prot, PD_READ | PD_WRITE | PD_USER);

            /* Cleared by software, set again by the next write alone. */
            info.accessed = info.dirty = false;
            *sim_entry(&s, va, level) = fmt->encode(&info, level);
            KEXPECT_EQ(t, sim_access(&s, va, FAULT_WRITE, false, modes[m]).outcome, SWMMU_OK);
            fmt->decode(*sim_entry(&s, va, level), level, &info);
            KEXPECT(t, info.accessed && info.dirty);
        }
}
