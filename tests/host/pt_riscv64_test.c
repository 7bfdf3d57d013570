/*
 * Host tests of the Sv39/Sv48 formats (kernel/arch/riscv64/pt_format.c):
 * encode/decode round trips, entries checked bit for bit against the
 * privileged spec, decoding of entries only hardware or corruption makes,
 * and walks of hand-built tables by the independent software MMU
 * (tests/host/swmmu_riscv64.c), with and without Svpbmt.
 */
#include "kernel/arch/pt/pt_format.h"
#include "riscv/pte.h"
#include "tests/host/swmmu.h"
#include <pagoda/ktest.h>
#include <string.h>

/* Each format with the walker of a hart it is meant for. */
struct riscv_case {
    const struct pt_format *format;
    swmmu_translate_fn translate;
    bool svpbmt;
};

static const struct riscv_case cases[] = {
    { &pt_format_sv39, swmmu_sv39_translate, false },
    { &pt_format_sv39_svpbmt, swmmu_sv39_svpbmt_translate, true },
    { &pt_format_sv48, swmmu_sv48_translate, false },
    { &pt_format_sv48_svpbmt, swmmu_sv48_svpbmt_translate, true },
};

static const enum memory_type all_types[] = {
    MEMORY_TYPE_NORMAL, MEMORY_TYPE_IO, MEMORY_TYPE_NONCACHEABLE,
};

static const enum fault_access all_accesses[] = { FAULT_READ, FAULT_WRITE, FAULT_EXECUTE };

/* The memory type a leaf made with TYPE reads back as: without Svpbmt the PMAs decide. */
static enum memory_type type_seen(const struct riscv_case *c, enum memory_type type)
{
    return c->svpbmt ? type : MEMORY_TYPE_NORMAL;
}

/* Rights with a leaf encoding: R or X, and never W without R. */
static bool prot_encodable(uint32_t prot)
{
    return (prot & (PD_READ | PD_EXECUTE)) && (prot & (PD_READ | PD_WRITE)) != PD_WRITE;
}

static struct pte_info leaf_info(uint64_t phys, uint32_t prot, enum memory_type type,
                                 bool accessed, bool dirty)
{
    return (struct pte_info){ .kind = PTE_LEAF, .phys = paddr(phys), .prot = prot, .type = type,
                              .accessed = accessed, .dirty = dirty };
}

static struct pte_info table_info(uint64_t phys)
{
    return (struct pte_info){ .kind = PTE_TABLE, .phys = paddr(phys), .type = MEMORY_TYPE_NORMAL };
}

static bool info_equal(const struct pte_info *a, const struct pte_info *b)
{
    return a->kind == b->kind && a->phys.value == b->phys.value && a->prot == b->prot &&
           a->type == b->type && a->accessed == b->accessed && a->dirty == b->dirty;
}

/* Encode INFO at LEVEL, decode it back; report the first disagreement. */
static bool round_trips(struct ktest *t, const struct riscv_case *c, const struct pte_info *info,
                        unsigned level)
{
    const struct pt_format *f = c->format;
    pte_t pte = f->encode(info, level);
    struct pte_info back;
    f->decode(pte, level, &back);
    struct pte_info want = *info;
    if (want.kind == PTE_LEAF)
        want.type = type_seen(c, info->type);
    if (!info_equal(&back, &want) || f->encode(&back, level) != pte) {
        ktest_fail(t, __FILE__, __LINE__,
                   "%s level %u: kind %d phys %#llx prot %#x type %d a %d d %d -> %#llx -> "
                   "kind %d phys %#llx prot %#x type %d a %d d %d",
                   f->name, level, info->kind, (unsigned long long)info->phys.value, info->prot,
                   info->type, info->accessed, info->dirty, (unsigned long long)pte, back.kind,
                   (unsigned long long)back.phys.value, back.prot, back.type, back.accessed,
                   back.dirty);
        return false;
    }
    return true;
}

KTEST(pt_riscv64, formats_describe_sv39_and_sv48)
{
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct pt_format *f = cases[i].format;
        bool sv48 = f == &pt_format_sv48 || f == &pt_format_sv48_svpbmt;
        KEXPECT_EQ(t, f->levels, sv48 ? 4 : 3);
        KEXPECT_EQ(t, f->va_bits, sv48 ? 48 : 39);
        KEXPECT_EQ(t, f->va_bits, PT_LEVEL_SHIFT(f->levels));
        KEXPECT_EQU(t, f->leaf_levels, 0x7); /* 4 KiB, 2 MiB, 1 GiB; no 512 GiB leaves */
        KEXPECT(t, !f->split_roots);
        KEXPECT_EQU(t, f->phys_limit, UINT64_C(1) << 56);
        /* The kernel half: 0xffffffff00000000 and up in Sv39, the top 512 GiB in Sv48. */
        uint64_t kernel_half = sv48 ? UINT64_C(512) * GiB : 4 * GiB;
        KEXPECT_EQU(t, f->kernel_root_slots * PT_LEVEL_SIZE(f->levels - 1), kernel_half);
    }
    KEXPECT_STREQ(t, pt_format_sv39.name, "sv39");
    KEXPECT_STREQ(t, pt_format_sv48.name, "sv48");
    KEXPECT_STREQ(t, pt_format_sv39_svpbmt.name, "sv39+svpbmt");
    KEXPECT_STREQ(t, pt_format_sv48_svpbmt.name, "sv48+svpbmt");
}

KTEST(pt_riscv64, encode_decode_round_trip)
{
    unsigned checked = 0;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct riscv_case *c = &cases[i];
        const struct pt_format *f = c->format;
        struct pte_info invalid = { .kind = PTE_INVALID, .type = MEMORY_TYPE_NORMAL };
        for (unsigned level = 0; level < f->levels; level++) {
            KEXPECT_EQU(t, f->encode(&invalid, level), 0);
            if (!round_trips(t, c, &invalid, level))
                return;
            uint64_t tables[] = { PT_PAGE_SIZE, UINT64_C(0x80001000),
                                  f->phys_limit - PT_PAGE_SIZE };
            for (size_t p = 0; level > 0 && p < ARRAY_SIZE(tables); p++) {
                struct pte_info table = table_info(tables[p]);
                if (!round_trips(t, c, &table, level))
                    return;
            }
            /* Leaves at every level the hardware allows, the Sv48 512 GiB one included. */
            uint64_t size = PT_LEVEL_SIZE(level);
            uint64_t leaves[] = { 0, size, UINT64_C(0x0012345680000000) & ~(size - 1),
                                  f->phys_limit - size };
            for (size_t p = 0; p < ARRAY_SIZE(leaves); p++)
                for (uint32_t prot = 0; prot <= PD_PROT_ALL; prot++)
                    for (size_t ty = 0; ty < ARRAY_SIZE(all_types); ty++)
                        for (unsigned ad = 0; ad < 4; ad++) {
                            if (!prot_encodable(prot))
                                continue;
                            struct pte_info leaf =
                                leaf_info(leaves[p], prot, all_types[ty], ad & 1, ad & 2);
                            if (!round_trips(t, c, &leaf, level))
                                return;
                            checked++;
                        }
        }
    }
    /* 20 encodable rights x 3 types x 4 A/D states x 4 addresses, per format and level. */
    KEXPECT_EQ(t, checked, 20 * 3 * 4 * 4 * (3 + 3 + 4 + 4));
}

KTEST(pt_riscv64, entries_match_the_manual)
{
    struct {
        const struct pt_format *format;
        unsigned level;
        struct pte_info info;
        pte_t want;
    } entries[] = {
        /* PPN 0x80200 at bits 53:10 = 0x20080000; D A G W R V = 0xe7. */
        { &pt_format_sv39, 0,
          leaf_info(0x80200000, PD_READ | PD_WRITE | PD_GLOBAL, MEMORY_TYPE_NORMAL, true, true),
          UINT64_C(0x200800e7) },
        /* PPN 0x1234 -> 0x48d000; U X R V = 0x1b; A and D clear (a fresh user page). */
        { &pt_format_sv39, 0,
          leaf_info(0x1234000, PD_READ | PD_EXECUTE | PD_USER, MEMORY_TYPE_NORMAL, false, false),
          UINT64_C(0x48d01b) },
        /* The same in Sv48: the leaf format does not depend on the mode. */
        { &pt_format_sv48, 0,
          leaf_info(0x1234000, PD_READ | PD_EXECUTE | PD_USER, MEMORY_TYPE_NORMAL, false, false),
          UINT64_C(0x48d01b) },
        /* A pointer: PPN 0x80001 -> 0x20000400, V only. */
        { &pt_format_sv48, 3, table_info(0x80001000), UINT64_C(0x20000401) },
        { &pt_format_sv39, 1, table_info(0x80001000), UINT64_C(0x20000401) },
        /* 1 GiB leaf: PPN 0x40000 -> 0x10000000; D A X W R V = 0xcf. */
        { &pt_format_sv39, 2,
          leaf_info(0x40000000, PD_READ | PD_WRITE | PD_EXECUTE, MEMORY_TYPE_NORMAL, true, true),
          UINT64_C(0x100000cf) },
        /* 2 MiB IO leaf with Svpbmt: PBMT 2 = bit 62; PPN 0x10000 -> 0x4000000. */
        { &pt_format_sv39_svpbmt, 1,
          leaf_info(0x10000000, PD_READ | PD_WRITE | PD_GLOBAL, MEMORY_TYPE_IO, true, true),
          UINT64_C(0x40000000040000e7) },
        /* NC: PBMT 1 = bit 61. */
        { &pt_format_sv48_svpbmt, 1,
          leaf_info(0x10000000, PD_READ | PD_WRITE | PD_GLOBAL, MEMORY_TYPE_NONCACHEABLE, true,
                    true),
          UINT64_C(0x20000000040000e7) },
        /* Without Svpbmt bits 62:61 stay zero whatever the type. */
        { &pt_format_sv39, 1,
          leaf_info(0x10000000, PD_READ | PD_WRITE | PD_GLOBAL, MEMORY_TYPE_IO, true, true),
          UINT64_C(0x00000000040000e7) },
        /* The highest page: PPN 2^44 - 1 fills bits 53:10; R V. */
        { &pt_format_sv48, 0,
          leaf_info(UINT64_C(0x00fffffffffff000), PD_READ, MEMORY_TYPE_NORMAL, false, false),
          UINT64_C(0x003ffffffffffc03) },
    };
    for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
        pte_t got = entries[i].format->encode(&entries[i].info, entries[i].level);
        KEXPECT_EQU(t, got, entries[i].want);
    }
}

/* Simulated physical memory for the walks: tables live here; leaves may point anywhere. */
#define SIM_PAGES 16
static uint8_t sim_ram[SIM_PAGES * PT_PAGE_SIZE] __attribute__((aligned(PT_PAGE_SIZE)));

struct sim {
    const struct riscv_case *c;
    struct swmmu_memory mem;
    uint64_t next_page; /* physical address of the next free page */
    uint64_t root;
};

/* Fresh zeroed memory with an empty root; page 0 stays unused, so a null pointer shows. */
static void sim_init(struct sim *s, const struct riscv_case *c)
{
    memset(sim_ram, 0, sizeof(sim_ram));
    s->c = c;
    s->mem = (struct swmmu_memory){ sim_ram, sizeof(sim_ram) };
    s->next_page = PT_PAGE_SIZE;
    s->root = s->next_page;
    s->next_page += PT_PAGE_SIZE;
}

static uint64_t sim_alloc(struct sim *s)
{
    if (s->next_page >= sizeof(sim_ram))
        panic("sim_alloc: out of simulated memory");
    uint64_t page = s->next_page;
    s->next_page += PT_PAGE_SIZE;
    return page;
}

static pte_t *sim_slot(struct sim *s, uint64_t table, uint64_t va, unsigned level)
{
    unsigned index = (unsigned)(va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
    return (pte_t *)(void *)(sim_ram + table) + index;
}

/*
 * Install the entry ENTRY at LEVEL on the path to VA, creating tables with
 * the format's encode; PATH[l] receives the slot used at each level l.
 */
static pte_t *sim_set(struct sim *s, uint64_t va, unsigned level, pte_t entry,
                      pte_t *path[PT_MAX_LEVELS])
{
    const struct pt_format *f = s->c->format;
    uint64_t table = s->root;
    for (unsigned l = f->levels - 1; l > level; l--) {
        pte_t *slot = sim_slot(s, table, va, l);
        struct pte_info info;
        f->decode(*slot, l, &info);
        if (info.kind != PTE_TABLE) {
            info = table_info(sim_alloc(s));
            *slot = f->encode(&info, l);
        }
        if (path)
            path[l] = slot;
        table = info.phys.value;
    }
    pte_t *slot = sim_slot(s, table, va, level);
    *slot = entry;
    if (path)
        path[level] = slot;
    return slot;
}

static pte_t *sim_map(struct sim *s, uint64_t va, unsigned level,
                      const struct pte_info *leaf, pte_t *path[PT_MAX_LEVELS])
{
    return sim_set(s, va, level, s->c->format->encode(leaf, level), path);
}

static struct swmmu_result sim_access(struct sim *s, uint64_t va, enum fault_access access,
                                      bool user, enum swmmu_ad_mode ad_mode)
{
    struct swmmu_request req = {
        .va = va, .access = access, .user = user,
        .user_root = s->root, .kernel_root = s->root, .ad_mode = ad_mode,
    };
    struct swmmu_result result;
    s->c->translate(&s->mem, &req, &result);
    return result;
}

static bool is_sv48(const struct riscv_case *c)
{
    return c->format->levels == 4;
}

/* A lower-half address whose index at every level is different and non-zero. */
static uint64_t probe_va(const struct riscv_case *c)
{
    return is_sv48(c) ? UINT64_C(0x00005525c6a5d123) : UINT64_C(0x00000025c6a5d123);
}

/* Where a probe leaf at LEVEL points: a made-up address, aligned for the level. */
static uint64_t probe_pa(unsigned level)
{
    return UINT64_C(0x00abcdef12345000) & ~(PT_LEVEL_SIZE(level) - 1);
}

static struct pte_info kernel_rw(uint64_t pa)
{
    return leaf_info(pa, PD_READ | PD_WRITE | PD_GLOBAL, MEMORY_TYPE_NORMAL, true, true);
}

KTEST(pt_riscv64, walk_finds_leaves_at_every_level)
{
    struct sim s;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        /* Every level the hardware allows a leaf at, the Sv48 512 GiB one included. */
        for (unsigned level = 0; level < cases[i].format->levels; level++) {
            sim_init(&s, &cases[i]);
            uint64_t va = probe_va(&cases[i]);
            uint64_t offset = va & (PT_LEVEL_SIZE(level) - 1);
            struct pte_info leaf = kernel_rw(probe_pa(level));
            sim_map(&s, va - offset, level, &leaf, NULL);
            struct swmmu_result r = sim_access(&s, va, FAULT_READ, false, SWMMU_AD_FAULT);
            KEXPECT_EQ(t, r.outcome, SWMMU_OK);
            KEXPECT_EQU(t, r.pa, probe_pa(level) + offset);
            KEXPECT_EQ(t, r.type, MEMORY_TYPE_NORMAL);
            /* The leaf's neighbour is not mapped. */
            r = sim_access(&s, va - offset + PT_LEVEL_SIZE(level), FAULT_READ, false,
                           SWMMU_AD_FAULT);
            KEXPECT_EQ(t, r.outcome, SWMMU_NOT_PRESENT);
        }
    }
}

KTEST(pt_riscv64, kernel_half_and_sign_extension)
{
    struct sim s;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        sim_init(&s, &cases[i]);
        bool sv48 = is_sv48(&cases[i]);
        /* The first kernel page, and the same address with the upper bits cleared. */
        uint64_t kernel_va = sv48 ? UINT64_C(0xffffff8000201234) : UINT64_C(0xffffffff00201234);
        uint64_t truncated = sv48 ? UINT64_C(0x0000ff8000201234) : UINT64_C(0x0000007f00201234);
        unsigned root = cases[i].format->levels - 1;
        unsigned first_slot = PT_ENTRIES - cases[i].format->kernel_root_slots;
        KEXPECT_EQ(t, (kernel_va >> PT_LEVEL_SHIFT(root)) & (PT_ENTRIES - 1), first_slot);
        struct pte_info leaf = kernel_rw(0x80201000);
        sim_map(&s, kernel_va & ~(PT_PAGE_SIZE - 1), 0, &leaf, NULL);
        struct swmmu_result r = sim_access(&s, kernel_va, FAULT_WRITE, false, SWMMU_AD_FAULT);
        KEXPECT_EQ(t, r.outcome, SWMMU_OK);
        KEXPECT_EQU(t, r.pa, UINT64_C(0x80201234));
        /* Same table indices, but bits 63..va_bits are not copies of bit va_bits-1. */
        r = sim_access(&s, truncated, FAULT_READ, false, SWMMU_AD_FAULT);
        KEXPECT_EQ(t, r.outcome, SWMMU_NOT_PRESENT);
        r = sim_access(&s, kernel_va ^ (UINT64_C(1) << 63), FAULT_READ, false, SWMMU_AD_FAULT);
        KEXPECT_EQ(t, r.outcome, SWMMU_NOT_PRESENT);
        /* Sv39 ignores nothing above bit 38: an Sv48 kernel address is not Sv39's. */
        if (!sv48) {
            r = sim_access(&s, UINT64_C(0xffffff8000201234), FAULT_READ, false, SWMMU_AD_FAULT);
            KEXPECT_EQ(t, r.outcome, SWMMU_NOT_PRESENT);
        }
    }
}

KTEST(pt_riscv64, not_present_at_each_level)
{
    struct sim s;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct pt_format *f = cases[i].format;
        sim_init(&s, &cases[i]);
        uint64_t va = probe_va(&cases[i]);
        pte_t *path[PT_MAX_LEVELS];
        struct pte_info leaf = kernel_rw(0x80201000);
        sim_map(&s, va & ~(PT_PAGE_SIZE - 1), 0, &leaf, path);
        KASSERT_EQ(t, sim_access(&s, va, FAULT_READ, false, SWMMU_AD_FAULT).outcome, SWMMU_OK);
        struct pte_info invalid = { .kind = PTE_INVALID, .type = MEMORY_TYPE_NORMAL };
        for (unsigned level = 0; level < f->levels; level++) {
            pte_t saved = *path[level];
            *path[level] = f->encode(&invalid, level);
            KEXPECT_EQ(t, sim_access(&s, va, FAULT_READ, false, SWMMU_AD_FAULT).outcome,
                       SWMMU_NOT_PRESENT);
            /* V (bit 0) clear is enough, whatever else the entry holds. */
            *path[level] = saved & ~UINT64_C(1);
            KEXPECT_EQ(t, sim_access(&s, va, FAULT_READ, false, SWMMU_AD_FAULT).outcome,
                       SWMMU_NOT_PRESENT);
            *path[level] = saved;
        }
        KEXPECT_EQ(t, sim_access(&s, va, FAULT_READ, false, SWMMU_AD_FAULT).outcome, SWMMU_OK);
    }
}

KTEST(pt_riscv64, rights_are_enforced)
{
    struct sim s;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        sim_init(&s, &cases[i]);
        uint64_t va = probe_va(&cases[i]) & ~(PT_PAGE_SIZE - 1);
        struct {
            uint32_t prot;
            enum fault_access access;
            bool user;
            enum swmmu_outcome want;
        } checks[] = {
            { PD_READ | PD_WRITE, FAULT_READ, true, SWMMU_PROTECTION },     /* user on kernel */
            { PD_READ | PD_USER, FAULT_READ, false, SWMMU_PROTECTION },     /* SUM = 0 */
            { PD_READ | PD_WRITE | PD_USER, FAULT_WRITE, false, SWMMU_PROTECTION },
            { PD_READ | PD_EXECUTE | PD_USER, FAULT_EXECUTE, false, SWMMU_PROTECTION },
            { PD_READ, FAULT_WRITE, false, SWMMU_PROTECTION },              /* read-only */
            { PD_READ | PD_USER, FAULT_WRITE, true, SWMMU_PROTECTION },
            { PD_READ | PD_WRITE, FAULT_EXECUTE, false, SWMMU_PROTECTION }, /* no X */
            { PD_READ | PD_USER, FAULT_EXECUTE, true, SWMMU_PROTECTION },
            { PD_EXECUTE, FAULT_READ, false, SWMMU_PROTECTION },            /* MXR = 0 */
            { PD_READ | PD_USER, FAULT_READ, true, SWMMU_OK },
            { PD_READ | PD_WRITE | PD_USER, FAULT_WRITE, true, SWMMU_OK },
            { PD_READ | PD_EXECUTE | PD_USER, FAULT_EXECUTE, true, SWMMU_OK },
            { PD_READ | PD_EXECUTE, FAULT_EXECUTE, false, SWMMU_OK },
            { PD_EXECUTE, FAULT_EXECUTE, false, SWMMU_OK },
        };
        for (size_t k = 0; k < ARRAY_SIZE(checks); k++) {
            struct pte_info leaf = leaf_info(0x80201000, checks[k].prot, MEMORY_TYPE_NORMAL,
                                             true, true);
            sim_map(&s, va, 0, &leaf, NULL);
            struct swmmu_result r = sim_access(&s, va, checks[k].access, checks[k].user,
                                               SWMMU_AD_HARDWARE);
            KEXPECT_EQ(t, r.outcome, checks[k].want);
        }
    }
}

/* What the hart should answer, from the rights alone (no entry bits). */
static enum swmmu_outcome expected_outcome(const struct pte_info *leaf, enum fault_access access,
                                           bool user, enum swmmu_ad_mode ad_mode)
{
    uint32_t need = access == FAULT_READ ? PD_READ : access == FAULT_WRITE ? PD_WRITE : PD_EXECUTE;
    if (user != ((leaf->prot & PD_USER) != 0) || !(leaf->prot & need))
        return SWMMU_PROTECTION;
    bool needs_update = !leaf->accessed || (access == FAULT_WRITE && !leaf->dirty);
    return needs_update && ad_mode == SWMMU_AD_FAULT ? SWMMU_ACCESS_FLAG : SWMMU_OK;
}

/* One leaf, one access: the walker and the format must agree on everything. */
static bool access_agrees(struct ktest *t, struct sim *s, unsigned level, pte_t *slot,
                          const struct pte_info *leaf, enum fault_access access, bool user,
                          enum swmmu_ad_mode ad_mode)
{
    const struct pt_format *f = s->c->format;
    uint64_t va = probe_va(s->c);
    uint64_t offset = va & (PT_LEVEL_SIZE(level) - 1);
    *slot = f->encode(leaf, level);
    pte_t before = *slot;
    struct swmmu_result r = sim_access(s, va, access, user, ad_mode);
    enum swmmu_outcome want = expected_outcome(leaf, access, user, ad_mode);
    struct pte_info after;
    f->decode(*slot, level, &after);
    struct pte_info want_after = *leaf;
    want_after.type = type_seen(s->c, leaf->type);
    if (want == SWMMU_OK && ad_mode == SWMMU_AD_HARDWARE) {
        want_after.accessed = true;
        want_after.dirty = leaf->dirty || access == FAULT_WRITE;
    }
    bool ok = r.outcome == want && info_equal(&after, &want_after) &&
              (ad_mode == SWMMU_AD_HARDWARE || *slot == before) &&
              (want != SWMMU_OK || (r.pa == leaf->phys.value + offset &&
                                    r.type == type_seen(s->c, leaf->type)));
    if (!ok)
        ktest_fail(t, __FILE__, __LINE__,
                   "%s level %u prot %#x a %d d %d type %d, access %d user %d ad %d: outcome %d "
                   "(want %d) pa %#llx, entry %#llx -> %#llx",
                   f->name, level, leaf->prot, leaf->accessed, leaf->dirty, leaf->type, access,
                   user, ad_mode, r.outcome, want, (unsigned long long)r.pa,
                   (unsigned long long)before, (unsigned long long)*slot);
    return ok;
}

/*
 * Every encodable leaf at every leaf level, every access from both modes, A/D
 * kept by hardware or by faults: the walker's answer must be the one the
 * rights call for, and the entry afterwards what decode expects.
 */
KTEST(pt_riscv64, walker_agrees_with_format)
{
    struct sim s;
    unsigned checked = 0;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct pt_format *f = cases[i].format;
        for (unsigned level = 0; level < f->levels; level++) {
            if (!(f->leaf_levels & (1u << level)))
                continue;
            sim_init(&s, &cases[i]);
            uint64_t va = probe_va(&cases[i]);
            struct pte_info first = kernel_rw(probe_pa(level));
            pte_t *slot = sim_map(&s, va & ~(PT_LEVEL_SIZE(level) - 1), level, &first, NULL);
            for (uint32_t prot = 0; prot <= PD_PROT_ALL; prot++) {
                if (!prot_encodable(prot))
                    continue;
                for (unsigned ad = 0; ad < 4; ad++)
                    for (size_t a = 0; a < ARRAY_SIZE(all_accesses); a++)
                        for (unsigned mode = 0; mode < 4; mode++) {
                            enum memory_type type = all_types[(prot + ad + a) % 3];
                            struct pte_info leaf =
                                leaf_info(probe_pa(level), prot, type, ad & 1, ad & 2);
                            enum swmmu_ad_mode ad_mode =
                                mode & 2 ? SWMMU_AD_FAULT : SWMMU_AD_HARDWARE;
                            if (!access_agrees(t, &s, level, slot, &leaf, all_accesses[a],
                                               mode & 1, ad_mode))
                                return;
                            checked++;
                        }
            }
        }
    }
    KEXPECT_EQ(t, checked, 4 * 3 * 20 * 4 * 3 * 4);
}

KTEST(pt_riscv64, accessed_dirty_by_hardware)
{
    struct sim s;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        sim_init(&s, &cases[i]);
        uint64_t va = probe_va(&cases[i]) & ~(PT_PAGE_SIZE - 1);
        /* A fresh user page as the engine maps it: A and D clear. */
        struct pte_info leaf = leaf_info(0x1234000, PD_READ | PD_WRITE | PD_USER,
                                         MEMORY_TYPE_NORMAL, false, false);
        pte_t *slot = sim_map(&s, va, 0, &leaf, NULL);
        KEXPECT_EQU(t, *slot, UINT64_C(0x48d017)); /* U W R V */
        KEXPECT_EQ(t, sim_access(&s, va, FAULT_READ, true, SWMMU_AD_HARDWARE).outcome, SWMMU_OK);
        KEXPECT_EQU(t, *slot, UINT64_C(0x48d057)); /* + A (bit 6) */
        KEXPECT_EQ(t, sim_access(&s, va, FAULT_WRITE, true, SWMMU_AD_HARDWARE).outcome, SWMMU_OK);
        KEXPECT_EQU(t, *slot, UINT64_C(0x48d0d7)); /* + D (bit 7) */
        struct pte_info seen;
        cases[i].format->decode(*slot, 0, &seen);
        KEXPECT(t, seen.accessed && seen.dirty);
        /* A refused access sets nothing. */
        *slot = cases[i].format->encode(&leaf, 0);
        KEXPECT_EQ(t, sim_access(&s, va, FAULT_EXECUTE, true, SWMMU_AD_HARDWARE).outcome,
                   SWMMU_PROTECTION);
        KEXPECT_EQU(t, *slot, UINT64_C(0x48d017));
    }
}

KTEST(pt_riscv64, accessed_dirty_by_faults)
{
    struct sim s;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct pt_format *f = cases[i].format;
        sim_init(&s, &cases[i]);
        uint64_t va = probe_va(&cases[i]) & ~(PT_PAGE_SIZE - 1);
        struct pte_info leaf = leaf_info(0x1234000, PD_READ | PD_WRITE | PD_USER,
                                         MEMORY_TYPE_NORMAL, false, false);
        pte_t *slot = sim_map(&s, va, 0, &leaf, NULL);
        KEXPECT_EQ(t, sim_access(&s, va, FAULT_READ, true, SWMMU_AD_FAULT).outcome,
                   SWMMU_ACCESS_FLAG);
        KEXPECT_EQU(t, *slot, UINT64_C(0x48d017)); /* untouched */
        /* The rights are checked first: a forbidden access is a protection fault. */
        KEXPECT_EQ(t, sim_access(&s, va, FAULT_EXECUTE, true, SWMMU_AD_FAULT).outcome,
                   SWMMU_PROTECTION);
        /* What pd_update_accessed_dirty does for a read: set A; reads pass, writes fault. */
        leaf.accessed = true;
        *slot = f->encode(&leaf, 0);
        KEXPECT_EQ(t, sim_access(&s, va, FAULT_READ, true, SWMMU_AD_FAULT).outcome, SWMMU_OK);
        KEXPECT_EQ(t, sim_access(&s, va, FAULT_WRITE, true, SWMMU_AD_FAULT).outcome,
                   SWMMU_ACCESS_FLAG);
        leaf.dirty = true;
        *slot = f->encode(&leaf, 0);
        KEXPECT_EQ(t, sim_access(&s, va, FAULT_WRITE, true, SWMMU_AD_FAULT).outcome, SWMMU_OK);
        KEXPECT_EQU(t, *slot, UINT64_C(0x48d0d7));
    }
}

KTEST(pt_riscv64, memory_types)
{
    struct sim s;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        sim_init(&s, &cases[i]);
        uint64_t va = probe_va(&cases[i]) & ~(PT_LEVEL_SIZE(1) - 1);
        for (size_t ty = 0; ty < ARRAY_SIZE(all_types); ty++) {
            struct pte_info leaf =
                leaf_info(0x10000000, PD_READ | PD_WRITE, all_types[ty], true, true);
            sim_map(&s, va, 1, &leaf, NULL);
            struct swmmu_result r = sim_access(&s, va + 0x123, FAULT_WRITE, false, SWMMU_AD_FAULT);
            KEXPECT_EQ(t, r.outcome, SWMMU_OK);
            KEXPECT_EQ(t, r.type, type_seen(&cases[i], all_types[ty]));
            KEXPECT_EQU(t, r.pa, UINT64_C(0x10000123));
        }
    }
}

/*
 * Entries encode never makes (hardware, corruption, other software), put in
 * the slot at LEVEL on the walk to probe_va: decode must call a leaf exactly
 * what the walker translates, with the same address, rights and type, and a
 * pointer exactly what the walker follows. Pointers here lead to page 0, a
 * decoy table full of leaves, so a walker that follows a pointer it should
 * refuse finds a translation and shows the disagreement.
 */
struct raw_entry {
    const char *what;
    unsigned level;
    pte_t pte;
    enum pte_kind plain_kind;  /* decode without Svpbmt */
    enum pte_kind svpbmt_kind; /* decode with Svpbmt */
};

static const struct raw_entry raw_entries[] = {
    { "leaf with RSW bits 9:8 set", 0, UINT64_C(0x200803e7), PTE_LEAF, PTE_LEAF },
    { "V clear", 0, UINT64_C(0x200800e6), PTE_INVALID, PTE_INVALID },
    { "W without R", 0, UINT64_C(0x200800c5), PTE_INVALID, PTE_INVALID },
    { "W X without R", 0, UINT64_C(0x200800cd), PTE_INVALID, PTE_INVALID },
    { "execute-only", 0, UINT64_C(0x20080049), PTE_LEAF, PTE_LEAF },
    { "reserved bit 54", 0, UINT64_C(0x00400000200800e7), PTE_INVALID, PTE_INVALID },
    { "reserved bit 60", 0, UINT64_C(0x10000000200800e7), PTE_INVALID, PTE_INVALID },
    { "N (no Svnapot)", 0, UINT64_C(0x80000000200800e7), PTE_INVALID, PTE_INVALID },
    { "PBMT NC", 0, UINT64_C(0x20000000200800e7), PTE_INVALID, PTE_LEAF },
    { "PBMT IO", 0, UINT64_C(0x40000000200800e7), PTE_INVALID, PTE_LEAF },
    { "PBMT 3 (reserved)", 0, UINT64_C(0x60000000200800e7), PTE_INVALID, PTE_INVALID },
    /* V only, PPN 0: a pointer where only a leaf may be. */
    { "pointer at level 0", 0, UINT64_C(0x0000000000000001), PTE_INVALID, PTE_INVALID },
    /* 2 MiB leaf with PPN 0x80201: ppn[0] is not zero. */
    { "misaligned 2 MiB leaf", 1, UINT64_C(0x200804e7), PTE_INVALID, PTE_INVALID },
    { "aligned 2 MiB leaf", 1, UINT64_C(0x200800e7), PTE_LEAF, PTE_LEAF },
    /* 1 GiB leaf with PPN 0x40200: ppn[1] is not zero. */
    { "misaligned 1 GiB leaf", 2, UINT64_C(0x100800cf), PTE_INVALID, PTE_INVALID },
    { "plain pointer", 1, UINT64_C(0x0000000000000001), PTE_TABLE, PTE_TABLE },
    /* PBMT and N are reserved in pointers, with or without Svpbmt. */
    { "pointer with PBMT", 1, UINT64_C(0x2000000000000001), PTE_INVALID, PTE_INVALID },
    { "pointer with N", 1, UINT64_C(0x8000000000000001), PTE_INVALID, PTE_INVALID },
    /* A, D and U in a pointer are reserved but do not fault; the hardware ignores them. */
    { "pointer with A D U", 1, UINT64_C(0x00000000000000d1), PTE_TABLE, PTE_TABLE },
};

/* What every slot of the decoy page 0 holds: a kernel 4 KiB leaf. */
#define DECOY_PA UINT64_C(0x77000000)

static void fill_decoy(const struct pt_format *f)
{
    struct pte_info decoy =
        leaf_info(DECOY_PA, PD_READ | PD_EXECUTE, MEMORY_TYPE_NORMAL, true, true);
    pte_t *page = (pte_t *)(void *)sim_ram;
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        page[i] = f->encode(&decoy, 0);
}

KTEST(pt_riscv64, decode_agrees_with_walker_on_raw_entries)
{
    struct sim s;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct pt_format *f = cases[i].format;
        for (size_t e = 0; e < ARRAY_SIZE(raw_entries); e++) {
            const struct raw_entry *raw = &raw_entries[e];
            sim_init(&s, &cases[i]);
            fill_decoy(f);
            uint64_t size = PT_LEVEL_SIZE(raw->level);
            uint64_t va = probe_va(&cases[i]);
            sim_set(&s, va & ~(size - 1), raw->level, raw->pte, NULL);
            struct pte_info info;
            f->decode(raw->pte, raw->level, &info);
            enum pte_kind want = cases[i].svpbmt ? raw->svpbmt_kind : raw->plain_kind;
            KEXPECT_EQ(t, info.kind, want);
            /* A leaf: an access its rights allow; else a kernel read, which the decoy allows. */
            bool leaf = info.kind == PTE_LEAF;
            enum fault_access access = !leaf || (info.prot & PD_READ) ? FAULT_READ : FAULT_EXECUTE;
            bool user = leaf && (info.prot & PD_USER);
            struct swmmu_result r = sim_access(&s, va, access, user, SWMMU_AD_FAULT);
            if (info.kind == PTE_INVALID) {
                KEXPECT_EQ(t, r.outcome, SWMMU_NOT_PRESENT);
            } else {
                uint64_t pa = leaf ? info.phys.value + (va & (size - 1))
                                   : DECOY_PA + (va & (PT_PAGE_SIZE - 1));
                KEXPECT_EQ(t, r.outcome, SWMMU_OK);
                KEXPECT_EQU(t, r.pa, pa);
                KEXPECT_EQ(t, r.type, leaf ? info.type : MEMORY_TYPE_NORMAL);
            }
            if (info.kind != want || r.outcome != (info.kind == PTE_INVALID ? SWMMU_NOT_PRESENT
                                                                           : SWMMU_OK))
                ktest_note(t, "%s: %s", f->name, raw->what);
        }
    }
}

KTEST(pt_riscv64, decode_reads_hardware_bits)
{
    struct pte_info info;
    /* RSW bits are ignored: the leaf of entries_match_the_manual. */
    pt_format_sv39.decode(UINT64_C(0x200803e7), 0, &info);
    KEXPECT_EQ(t, info.kind, PTE_LEAF);
    KEXPECT_EQU(t, info.phys.value, UINT64_C(0x80200000));
    KEXPECT_EQU(t, info.prot, PD_READ | PD_WRITE | PD_GLOBAL);
    KEXPECT(t, info.accessed && info.dirty);
    /* Execute-only (R clear, X set) is a leaf the hardware accepts. */
    pt_format_sv48.decode(UINT64_C(0x20080049), 0, &info);
    KEXPECT_EQ(t, info.kind, PTE_LEAF);
    KEXPECT_EQU(t, info.prot, PD_EXECUTE);
    KEXPECT(t, info.accessed && !info.dirty);
    /* Svpbmt IO on a 1 GiB leaf. */
    pt_format_sv39_svpbmt.decode(UINT64_C(0x40000000100000cf), 2, &info);
    KEXPECT_EQ(t, info.kind, PTE_LEAF);
    KEXPECT_EQ(t, info.type, MEMORY_TYPE_IO);
    KEXPECT_EQU(t, info.phys.value, UINT64_C(0x40000000));
    /* The Sv48 512 GiB leaf (not offered by leaf_levels, but valid to the hardware). */
    pt_format_sv48.decode(UINT64_C(0x20000000cf), 3, &info);
    KEXPECT_EQ(t, info.kind, PTE_LEAF);
    KEXPECT_EQU(t, info.phys.value, UINT64_C(0x8000000000));
    /* Bits the hardware ignores in a pointer do not change what it points at. */
    pt_format_sv39.decode(UINT64_C(0x200004d1), 2, &info);
    KEXPECT_EQ(t, info.kind, PTE_TABLE);
    KEXPECT_EQU(t, info.phys.value, UINT64_C(0x80001000));
}
