/*
 * riscv64-specific facts the portable tests cannot see: how a trap is
 * decoded (scause, stval, sepc, the mode it came from), that the fault
 * decode's short walk answers as pd_query() does, that the trap path
 * keeps registers and fixes accessed/dirty faults, where stvec and satp
 * point, and what the kernel page directory grants to each part of the
 * kernel image and to the devices, read both through pd_query() and from
 * the raw entries the hardware walks (an independent walk from satp).
 */
#include "riscv/arch_tests.h"
#include "riscv/boot_map.h"
#include "riscv/csr.h"
#include "riscv/exit_device.h"
#include "riscv/layout.h"
#include "riscv/mmu.h"
#include "riscv/probe.h"
#include "riscv/pte.h"
#include "riscv/trap.h"
#include "kernel/kernel.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include <arch/cpu.h>
#include <pagoda/errors.h>
#include <pagoda/fault.h>
#include <pagoda/ktest.h>

/* A busy loop long enough for the 10 MHz time CSR to tick. */
#define COUNTER_SPIN_ITERATIONS 100000
#define PAGE PD_PAGE_SIZE
/* Scratch addresses of these tests: past the ones kernel/tests/vm uses. */
#define ARCH_TEST_VA (KERNEL_TEST_WINDOW + 64 * PAGE)
#define TEST_PATTERN UINT64_C(0x5ca1ab1e0ddba11)
/* More pages than pd_hw.c's FLUSH_ALL_THRESHOLD_PAGES: the full-flush path. */
#define MANY_PAGES 100

static const uint64_t read_only_word = 0x0123456789abcdefull;
static uint64_t data_word = 1;
static uint8_t scratch[PD_PAGE_SIZE] __attribute__((aligned(PD_PAGE_SIZE)));

static uint64_t phys_of(const void *p)
{
    return (uintptr_t)p - arch_kernel_virt_offset();
}

/* --- the hardware's view: a walk from satp, independent of the engine ---- */

/* A table page, through the table window (every kernel table comes from the pool). */
static const pte_t *table_at(uint64_t phys)
{
    struct pd_query_result pool;
    if (pd_query(kernel_pd(), vaddr(KERNEL_TABLE_WINDOW), &pool) != 0)
        return NULL;
    uint64_t pool_bytes = kernel_table_pages_total() * PAGE;
    if (phys < pool.phys.value || phys - pool.phys.value >= pool_bytes)
        return NULL;
    return (const pte_t *)(uintptr_t)(KERNEL_TABLE_WINDOW + (phys - pool.phys.value));
}

static unsigned satp_levels(unsigned long satp)
{
    switch (satp >> SATP_MODE_SHIFT) {
    case SATP_MODE_SV39:
        return RISCV_SV39_LEVELS;
    case SATP_MODE_SV48:
        return RISCV_SV48_LEVELS;
    }
    return 0;
}

/*
 * The leaf the hardware would use for VA (privileged spec 4.3.2): from the
 * root satp names, down through valid pointers, to the first entry with R
 * or X. -E_NOENT if there is none, -E_RANGE for a table outside the pool.
 */
static int hw_walk(uintptr_t va, pte_t *leaf, unsigned *leaf_level)
{
    unsigned long satp = csr_read(satp);
    unsigned levels = satp_levels(satp);
    if (levels == 0)
        return -E_NOTSUP;
    uint64_t table = (satp & SATP_PPN_MASK) << RISCV_PAGE_SHIFT;
    for (unsigned level = levels - 1;; level--) {
        const pte_t *entries = table_at(table);
        if (!entries)
            return -E_RANGE;
        pte_t pte = entries[(va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1)];
        if (!riscv_pte_get_v(pte))
            return -E_NOENT;
        if (riscv_pte_get_r(pte) || riscv_pte_get_x(pte)) {
            *leaf = pte;
            *leaf_level = level;
            return 0;
        }
        if (level == 0)
            return -E_NOENT;
        table = riscv_pte_get_ppn(pte) << RISCV_PAGE_SHIFT;
    }
}

/* The leaf for ADDR, failing the test if there is none. */
static bool leaf_of(struct ktest *t, uintptr_t addr, pte_t *pte, unsigned *level)
{
    int err = hw_walk(addr, pte, level);
    KEXPECT_EQ(t, err, 0);
    if (err)
        ktest_note(t, "no hardware leaf for %#lx", (unsigned long)addr);
    return err == 0;
}

/* R, W and X of a raw leaf as enum pd_prot bits. */
static uint32_t leaf_rights(pte_t pte)
{
    return (riscv_pte_get_r(pte) ? PD_READ : 0u) | (riscv_pte_get_w(pte) ? PD_WRITE : 0u) |
           (riscv_pte_get_x(pte) ? PD_EXECUTE : 0u);
}

static uint64_t leaf_phys(pte_t pte, unsigned level, uintptr_t va)
{
    return (riscv_pte_get_ppn(pte) << RISCV_PAGE_SHIFT) + (va & (PT_LEVEL_SIZE(level) - 1));
}

static bool format_has_memory_types(void)
{
    const struct pt_format *f = kernel_pd()->format;
    return f == &pt_format_sv39_svpbmt || f == &pt_format_sv48_svpbmt;
}

/* The pbmt value the format must write for TYPE (Svpbmt chapter, table 1). */
static uint64_t expected_pbmt(enum memory_type type)
{
    if (!format_has_memory_types())
        return RISCV_PBMT_PMA; /* the field is reserved without Svpbmt */
    switch (type) {
    case MEMORY_TYPE_IO:
        return RISCV_PBMT_IO;
    case MEMORY_TYPE_NONCACHEABLE:
        return RISCV_PBMT_NC;
    default:
        return RISCV_PBMT_PMA;
    }
}

/* The lowest address of the kernel half of the format in use. */
static uint64_t kernel_half_base(void)
{
    const struct pt_format *f = kernel_pd()->format;
    return (uint64_t)0 - f->kernel_root_slots * PT_LEVEL_SIZE(f->levels - 1);
}

/* --- traps ------------------------------------------------------------------ */

KTEST(riscv64, unmapped_read_is_load_page_fault)
{
    uintptr_t guard = arch_unmapped_address();
    uint64_t traps = riscv_trap_last().count;
    uint64_t value = 0;
    KASSERT_EQ(t, arch_probe_read(guard, &value), -E_FAULT);

    struct riscv_trap_record trap = riscv_trap_last();
    KEXPECT_EQ(t, trap.count, traps + 1);
    KEXPECT_EQU(t, trap.frame.scause, EXC_LOAD_PAGE_FAULT);
    KEXPECT_EQU(t, trap.frame.stval, guard);
    KEXPECT_EQU(t, trap.frame.sepc, (uintptr_t)riscv_probe_load64_insn);
    KEXPECT(t, (trap.frame.sstatus & SSTATUS_SPP) != 0); /* taken from S-mode */

    struct fault f = fault_last();
    KEXPECT_EQU(t, f.pc, (uintptr_t)riscv_probe_load64_insn);
    KEXPECT_EQ(t, f.access, FAULT_READ);
    KEXPECT_EQ(t, f.cause, FAULT_NOT_PRESENT);
    KEXPECT_EQ(t, f.mode, FAULT_KERNEL);
}

KTEST(riscv64, unmapped_write_is_store_page_fault)
{
    uintptr_t addr = arch_unmapped_address() + PAGE - sizeof(uint64_t);
    KASSERT_EQ(t, arch_probe_write(addr, 1), -E_FAULT);

    struct riscv_trap_record trap = riscv_trap_last();
    KEXPECT_EQU(t, trap.frame.scause, EXC_STORE_PAGE_FAULT);
    KEXPECT_EQU(t, trap.frame.stval, addr);
    KEXPECT_EQU(t, trap.frame.sepc, (uintptr_t)riscv_probe_store64_insn);

    struct fault f = fault_last();
    KEXPECT_EQU(t, f.addr.value, addr);
    KEXPECT_EQ(t, f.access, FAULT_WRITE);
    KEXPECT_EQ(t, f.cause, FAULT_NOT_PRESENT);
}

KTEST(riscv64, write_to_rodata_is_protection_fault)
{
    uintptr_t addr = (uintptr_t)&read_only_word;
    uint64_t faults = fault_count();
    KASSERT_EQ(t, arch_probe_write(addr, 0), -E_FAULT);
    KEXPECT_EQ(t, fault_count(), faults + 1);
    KEXPECT_EQU(t, riscv_trap_last().frame.scause, EXC_STORE_PAGE_FAULT);

    struct fault f = fault_last();
    KEXPECT_EQU(t, f.addr.value, addr);
    KEXPECT_EQ(t, f.access, FAULT_WRITE);
    KEXPECT_EQ(t, f.cause, FAULT_PROTECTION);
    KEXPECT_EQU(t, *(volatile const uint64_t *)&read_only_word, 0x0123456789abcdefull);
}

KTEST(riscv64, non_canonical_address_is_not_present)
{
    /* Bit 63 clear under a set bit 47 (and 38): valid in neither Sv39 nor Sv48. */
    uintptr_t addr = (uintptr_t)__data_start ^ (UINT64_C(1) << 63);
    uint64_t value;
    KASSERT_EQ(t, arch_probe_read(addr, &value), -E_FAULT);
    KEXPECT_EQU(t, riscv_trap_last().frame.scause, EXC_LOAD_PAGE_FAULT);
    struct fault f = fault_last();
    KEXPECT_EQU(t, f.addr.value, addr);
    KEXPECT_EQ(t, f.cause, FAULT_NOT_PRESENT);
}

KTEST(riscv64, execute_probe_runs_code_and_catches_no_execute)
{
    KEXPECT_EQ(t, arch_probe_execute((uintptr_t)riscv_probe_return), 0);

    uintptr_t data = ALIGN_DOWN((uintptr_t)&data_word, PAGE);
    uint64_t faults = fault_count();
    KASSERT_EQ(t, arch_probe_execute(data), -E_FAULT);
    struct riscv_trap_record trap = riscv_trap_last();
    KEXPECT_EQU(t, trap.frame.scause, EXC_INSN_PAGE_FAULT);
    KEXPECT_EQU(t, trap.frame.sepc, data); /* a fetch fault reports the target itself */
    KEXPECT_EQU(t, trap.frame.stval, data);
    KEXPECT_EQ(t, fault_count(), faults + 1);
    KEXPECT_EQ(t, fault_last().access, FAULT_EXECUTE);
    KEXPECT_EQ(t, fault_last().cause, FAULT_PROTECTION);
}

/*
 * The registers the helper filled must be in the saved frame (the save
 * half) and back in place afterwards (the restore half; the helper checks
 * that, and catches every register the C handler happens to use).
 */
KTEST(riscv64, trap_saves_and_restores_registers)
{
    static const int checked[] = { RISCV_TEST_CHECKED_REGISTERS };
    KEXPECT_EQ(t, riscv_test_registers_survive_trap(arch_unmapped_address()), 0);
    struct riscv_trap_record trap = riscv_trap_last();
    for (size_t i = 0; i < ARRAY_SIZE(checked); i++) {
        int n = checked[i];
        uint64_t expected = RISCV_TEST_PATTERN((uint64_t)n);
        if (trap.frame.regs[n] != expected)
            ktest_note(t, "x%d saved as %#llx", n, (unsigned long long)trap.frame.regs[n]);
        KEXPECT_EQU(t, trap.frame.regs[n], expected);
    }
    /* And the helper notices when nothing faults. */
    KEXPECT_EQ(t, riscv_test_registers_survive_trap((uintptr_t)&data_word), -1);
}

/* A page fault as a hart with Svade delivers it, handed straight to the trap handler. */
static struct riscv_trap_frame page_fault_frame(enum riscv_exception cause, uintptr_t addr,
                                                uintptr_t pc)
{
    return (struct riscv_trap_frame){
        .scause = cause, .stval = addr, .sepc = pc, .sstatus = SSTATUS_SPP,
    };
}

/*
 * QEMU sets A and D itself, so the fault a hart with Svade would raise is
 * built by hand: with only A/D missing it must be fixed and retried (sepc
 * unchanged, no fault record); when the access is not allowed, it is a
 * real fault.
 */
KTEST(riscv64, accessed_dirty_faults_are_fixed_and_retried)
{
    struct page_directory *pd = kernel_pd();
    uintptr_t rw = ARCH_TEST_VA, ro = ARCH_TEST_VA + PAGE;
    KASSERT_EQ(t, pd_map(pd, vaddr(rw), paddr(phys_of(scratch)), PAGE, PD_READ | PD_WRITE,
                         MEMORY_TYPE_NORMAL), 0);
    KASSERT_EQ(t, pd_map(pd, vaddr(ro), paddr(phys_of(scratch)), PAGE, PD_READ,
                         MEMORY_TYPE_NORMAL), 0);
    KASSERT_EQ(t, pd_clear_accessed_dirty(pd, vaddr(rw), 2 * PAGE), 0);
    uintptr_t store_pc = (uintptr_t)riscv_probe_store64_insn;
    uint64_t faults = fault_count();

    struct riscv_trap_frame frame = page_fault_frame(EXC_STORE_PAGE_FAULT, rw + 8, store_pc);
    riscv_trap_handle(&frame);
    KEXPECT_EQU(t, frame.sepc, store_pc); /* retried */
    KEXPECT_EQ(t, fault_count(), faults);
    pte_t pte;
    unsigned level;
    if (leaf_of(t, rw, &pte, &level))
        KEXPECT(t, riscv_pte_get_a(pte) && riscv_pte_get_d(pte));

    frame = page_fault_frame(EXC_LOAD_PAGE_FAULT, ro, (uintptr_t)riscv_probe_load64_insn);
    riscv_trap_handle(&frame);
    KEXPECT_EQU(t, frame.sepc, (uintptr_t)riscv_probe_load64_insn);
    KEXPECT_EQ(t, fault_count(), faults);
    if (leaf_of(t, ro, &pte, &level))
        KEXPECT(t, riscv_pte_get_a(pte) && !riscv_pte_get_d(pte)); /* a read sets only A */

    /* A store to the read-only page is no bookkeeping: a real fault, resumed at the fixup. */
    frame = page_fault_frame(EXC_STORE_PAGE_FAULT, ro, store_pc);
    riscv_trap_handle(&frame);
    KEXPECT_NE(t, frame.sepc, store_pc);
    KEXPECT_EQ(t, fault_count(), faults + 1);
    KEXPECT_EQ(t, fault_last().access, FAULT_WRITE);
    KEXPECT_EQ(t, fault_last().cause, FAULT_PROTECTION);
    KEXPECT_EQ(t, pd_unmap(pd, vaddr(rw), 2 * PAGE), 0);
}

/* --- the fault decode's walk ------------------------------------------------ */

/* Not activated; distinct from the user_riscv tests' 40-49 and the processes' 100 and up. */
#define WALK_TEST_ASID 50
#define WALK_RANDOM_ADDRESSES 3000
#define WALK_NEAR_SPAN (4 * MiB) /* random addresses around each mapping, either side */
#define WALK_USER_PAGE_VA UINT64_C(0x10000)
#define WALK_USER_RO_VA UINT64_C(0x13000)
#define WALK_USER_2M_VA (2 * MiB)
#define WALK_USER_1G_VA GiB

/* A mapping of the user directory the walk test builds. */
struct walk_mapping {
    uint64_t va, size;
    uint32_t prot;
};

struct walk_check {
    struct ktest *t;
    const struct page_directory *pd;
    const char *which;
    unsigned leaves, holes, mismatches;
};

/* riscv_pd_has_leaf() must say what pd_query() says, for every address. */
static void walk_check(struct walk_check *c, uint64_t va)
{
    struct pd_query_result q;
    bool expected = pd_query(c->pd, vaddr(va), &q) == 0;
    bool found = riscv_pd_has_leaf(c->pd, va);
    if (expected)
        c->leaves++;
    else
        c->holes++;
    if (found != expected && c->mismatches++ < 4) {
        ktest_fail(c->t, __FILE__, __LINE__, "%s directory, %#llx: the walk says %s, pd_query %s",
                   c->which, (unsigned long long)va, found ? "leaf" : "none",
                   expected ? "leaf" : "none");
    }
}

/*
 * VA and its non-canonical alias: the same root index and below, with the
 * bits above the root's span cleared (a kernel address) or set (a user
 * one). A walk that forgot to check the halves would translate it.
 */
static void walk_check_alias(struct walk_check *c, uint64_t va)
{
    uint64_t span = PT_LEVEL_SIZE(c->pd->format->levels);
    walk_check(c, va);
    walk_check(c, va & (span - 1));
    walk_check(c, va | ~(span - 1));
}

/* The addresses either side of each edge of [VA, VA + SIZE), and their aliases. */
static void walk_check_range(struct walk_check *c, uint64_t va, uint64_t size)
{
    const uint64_t edges[] = { va, va + size };
    for (size_t i = 0; i < ARRAY_SIZE(edges); i++) {
        walk_check_alias(c, edges[i] - 1);
        walk_check_alias(c, edges[i]);
        walk_check_alias(c, edges[i] - PAGE);
        walk_check_alias(c, edges[i] + PAGE - 1);
    }
}

static uint64_t xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/*
 * Every kind of address, against PD: the edges of both halves and of every
 * kernel mapping (and of EXTRA, N mappings of PD's own), non-canonical ones,
 * and random ones, raw, sign-extended, in each half and near each mapping.
 */
static void walk_check_directory(struct walk_check *c, const struct walk_mapping *extra, size_t n)
{
    const struct pt_format *f = c->pd->format;
    uint64_t user_limit = PT_LEVEL_SIZE(f->levels) / 2;
    uint64_t base = kernel_half_base();
    walk_check_range(c, 0, user_limit);
    walk_check_range(c, base, 0 - base);
    walk_check(c, UINT64_MAX);
    walk_check(c, UINT64_C(1) << 63);
    walk_check(c, (uintptr_t)__data_start ^ (UINT64_C(1) << 63)); /* non-canonical */
    walk_check(c, user_limit + (base - user_limit) / 2);           /* between the halves */
    walk_check(c, arch_unmapped_address());
    size_t count;
    const struct kernel_mapping *m = riscv_kernel_mappings_made(&count);
    for (size_t i = 0; i < count; i++)
        walk_check_range(c, m[i].va, m[i].size);
    for (size_t i = 0; i < n; i++)
        walk_check_range(c, extra[i].va, extra[i].size);

    uint64_t state = UINT64_C(0x9e3779b97f4a7c15);
    unsigned sign_shift = 64 - f->va_bits;
    for (int i = 0; i < WALK_RANDOM_ADDRESSES; i++) {
        uint64_t r = xorshift64(&state);
        walk_check(c, r);
        walk_check(c, (uint64_t)((int64_t)(r << sign_shift) >> sign_shift));
        walk_check(c, r & (user_limit - 1));
        walk_check(c, base + (r % (0 - base)));
        uint64_t near = r % (2 * WALK_NEAR_SPAN) - WALK_NEAR_SPAN;
        if (count)
            walk_check_alias(c, m[r % count].va + near);
        if (n)
            walk_check_alias(c, extra[r % n].va + near);
    }
}

/*
 * The page-fault decode tells protection from not-present by its own short
 * walk (riscv_pd_has_leaf), not by pd_query(): the two must agree
 * everywhere, in the kernel directory and in a user one with 4 KiB, 2 MiB
 * and 1 GiB leaves of its own and the kernel half shared. Both answers
 * must turn up, or the comparison proved nothing.
 */
KTEST(riscv64, fault_walk_agrees_with_pd_query)
{
    struct walk_check kernel = { .t = t, .pd = kernel_pd(), .which = "kernel" };
    walk_check_directory(&kernel, NULL, 0);
    KEXPECT_NE(t, kernel.leaves, 0u);
    KEXPECT_NE(t, kernel.holes, 0u);

    struct page_directory user;
    KASSERT_EQ(t, pd_create_user(&user, kernel_pd(), WALK_TEST_ASID), 0);
    /* Never activated, never touched: any physical address will do. */
    uint64_t pa = ALIGN_UP(phys_of(scratch), GiB);
    const uint32_t rw = PD_READ | PD_WRITE | PD_USER;
    const struct walk_mapping maps[] = {
        { WALK_USER_PAGE_VA, PAGE, rw },
        { WALK_USER_RO_VA, PAGE, PD_READ | PD_USER },
        { WALK_USER_2M_VA, 2 * MiB, rw },
        { WALK_USER_1G_VA, GiB, rw },
    };
    bool mapped = true;
    for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
        mapped = mapped && pd_map(&user, vaddr(maps[i].va), paddr(pa), maps[i].size, maps[i].prot,
                                  MEMORY_TYPE_NORMAL) == 0;
    }
    KEXPECT(t, mapped);
    if (mapped) {
        /* The large leaves really are large. */
        struct pd_query_result q;
        KEXPECT_EQ(t, pd_query(&user, vaddr(WALK_USER_2M_VA), &q), 0);
        KEXPECT_EQU(t, q.page_size, 2 * MiB);
        KEXPECT_EQ(t, pd_query(&user, vaddr(WALK_USER_1G_VA), &q), 0);
        KEXPECT_EQU(t, q.page_size, GiB);

        struct walk_check c = { .t = t, .pd = &user, .which = "user" };
        walk_check_directory(&c, maps, ARRAY_SIZE(maps));
        KEXPECT_NE(t, c.leaves, 0u);
        KEXPECT_NE(t, c.holes, 0u);
        /* The kernel half is the kernel's, seen from the user directory too. */
        KEXPECT(t, riscv_pd_has_leaf(&user, (uintptr_t)&data_word));
    }
    pd_destroy(&user);
}

KTEST(riscv64, stvec_is_our_vector_in_direct_mode)
{
    unsigned long stvec = csr_read(stvec);
    KEXPECT_EQU(t, stvec & ~STVEC_MODE_MASK, (uintptr_t)riscv_trap_vector);
    KEXPECT_EQU(t, stvec & STVEC_MODE_MASK, STVEC_MODE_DIRECT);
    KEXPECT_GE(t, stvec, kernel_half_base());
}

/* --- the kernel page directory on the hardware ------------------------------ */

KTEST(riscv64, paging_mode_follows_the_hart_and_command_line)
{
    const struct boot_info *bi = boot_info_current();
    KASSERT(t, bi != NULL);
    const char *value;
    size_t len;
    unsigned expected = riscv_hart_has_sv48() ? RISCV_SV48_LEVELS : RISCV_SV39_LEVELS;
    if (boot_cmdline_get(bi->cmdline, "mmu", &value, &len) && len == strlen("sv39") &&
        strncmp(value, "sv39", len) == 0)
        expected = RISCV_SV39_LEVELS;
    KEXPECT_EQ(t, kernel_pd()->format->levels, expected);
    KEXPECT_EQ(t, format_has_memory_types(), riscv_hart_has_svpbmt());
    KEXPECT_EQ(t, kernel_pd()->format->no_memory_types, !format_has_memory_types());
    KEXPECT_EQ(t, satp_levels(csr_read(satp)), expected);
}

KTEST(riscv64, satp_holds_the_kernel_page_directory)
{
    unsigned long satp = csr_read(satp);
    struct page_directory *pd = kernel_pd();
    KEXPECT_EQU(t, satp & SATP_PPN_MASK, pd->root.value >> RISCV_PAGE_SHIFT);
    KEXPECT_EQU(t, satp >> SATP_ASID_SHIFT & SATP_ASID_MASK, 0); /* the kernel's entries are global */
    /* ASIDLEN as pd_activate measured it: the low bits of the field, none above. */
    unsigned long asids = riscv_asid_mask();
    KEXPECT_EQU(t, asids & (asids + 1), 0);
    KEXPECT_EQU(t, asids & ~SATP_ASID_MASK, 0);
    KEXPECT_EQ(t, satp_levels(satp), pd->format->levels);
    /* Not the boot map any more, which has been cleared. */
    KEXPECT_NE(t, (satp & SATP_PPN_MASK) << RISCV_PAGE_SHIFT, phys_of(boot_root_sv39));
    KEXPECT_NE(t, (satp & SATP_PPN_MASK) << RISCV_PAGE_SHIFT, phys_of(boot_root_sv48));
    for (size_t i = 0; i < BOOT_MAP_ENTRIES; i++) {
        KASSERT_EQU(t, boot_root_sv39[i], 0);
        KASSERT_EQU(t, boot_root_sv48[i], 0);
    }
    /* The hardware finds our own code through that root. */
    pte_t pte;
    unsigned level;
    if (leaf_of(t, (uintptr_t)__text_start, &pte, &level))
        KEXPECT_EQU(t, leaf_phys(pte, level, (uintptr_t)__text_start), phys_of(__text_start));
}

KTEST(riscv64, kernel_runs_in_the_kernel_half)
{
    uint64_t base = kernel_half_base();
    int local = 0;
    KEXPECT_GE(t, (uintptr_t)__kernel_start, base);
    KEXPECT_GE(t, (uintptr_t)&local, base); /* the stack */
    KEXPECT_GE(t, (uintptr_t)riscv_trap_handle, base);
    KEXPECT_GE(t, KERNEL_TABLE_WINDOW, base);
    KEXPECT_GE(t, KERNEL_DEVICE_WINDOW, base);
    size_t count;
    const struct kernel_mapping *m = riscv_kernel_mappings_made(&count);
    KEXPECT_GE(t, count, 4); /* text, rodata, data, stack */
    for (size_t i = 0; i < count; i++)
        KEXPECT_GE(t, m[i].va, base);
}

KTEST(riscv64, kernel_sections_have_their_rights)
{
    static const struct {
        const char *what;
        const void *addr;
        uint32_t expected;
    } cases[] = {
        { "text", __text_start, PD_READ | PD_EXECUTE },
        { "rodata", &read_only_word, PD_READ },
        { "data", &data_word, PD_READ | PD_WRITE },
        { "bss end", __bss_end - 1, PD_READ | PD_WRITE },
        { "stack bottom", boot_stack_bottom, PD_READ | PD_WRITE },
        { "stack top", boot_stack_top - 1, PD_READ | PD_WRITE },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uintptr_t va = (uintptr_t)cases[i].addr;
        struct pd_query_result q;
        KEXPECT_EQ(t, pd_query(kernel_pd(), vaddr(va), &q), 0);
        KEXPECT_EQU(t, q.prot, cases[i].expected | PD_GLOBAL);
        KEXPECT_EQU(t, q.phys.value, phys_of(cases[i].addr));
        KEXPECT_EQ(t, q.page_size, PAGE); /* so the rights stop at section ends */
        KEXPECT(t, q.accessed && q.dirty);

        pte_t pte;
        unsigned level;
        if (!leaf_of(t, va, &pte, &level))
            continue;
        if (leaf_rights(pte) != cases[i].expected)
            ktest_note(t, "%s: pte %#llx", cases[i].what, (unsigned long long)pte);
        KEXPECT_EQU(t, leaf_rights(pte), cases[i].expected);
        KEXPECT_EQ(t, level, 0);
        KEXPECT(t, riscv_pte_get_g(pte) && riscv_pte_get_a(pte) && riscv_pte_get_d(pte));
        KEXPECT(t, !riscv_pte_get_u(pte));
        KEXPECT_EQU(t, riscv_pte_get_pbmt(pte), RISCV_PBMT_PMA);
    }
}

extern const char __ro_after_init_start[], __ro_after_init_end[];

/* Both ends of every mapping kernel_vm_init() made, as the hardware walks them. */
KTEST(riscv64, every_kernel_mapping_reaches_the_hardware)
{
    size_t count;
    const struct kernel_mapping *m = riscv_kernel_mappings_made(&count);
    for (size_t i = 0; i < count; i++) {
        uintptr_t ends[] = { m[i].va, m[i].va + m[i].size - PAGE };
        for (size_t j = 0; j < ARRAY_SIZE(ends); j++) {
            pte_t pte;
            unsigned level;
            if (!leaf_of(t, ends[j], &pte, &level))
                continue;
            if (leaf_phys(pte, level, ends[j]) != m[i].pa + (ends[j] - m[i].va))
                ktest_note(t, "%s at %#lx", m[i].name, (unsigned long)ends[j]);
            KEXPECT_EQU(t, leaf_phys(pte, level, ends[j]), m[i].pa + (ends[j] - m[i].va));
            /* Boot-time data (__ro_after_init) was made read-only once booted. */
            bool ro_after_init = ends[j] >= (uintptr_t)__ro_after_init_start &&
                                 ends[j] < (uintptr_t)__ro_after_init_end;
            KEXPECT_EQU(t, leaf_rights(pte), ro_after_init ? m[i].prot & ~(uint32_t)PD_WRITE
                                                           : m[i].prot);
            KEXPECT_EQU(t, riscv_pte_get_pbmt(pte), expected_pbmt(m[i].type));
        }
    }
}

KTEST(riscv64, guard_page_is_unmapped_and_reserved)
{
    uintptr_t guard = arch_unmapped_address();
    struct pd_query_result q;
    pte_t pte;
    unsigned level;
    KEXPECT(t, IS_ALIGNED(guard, PAGE));
    KEXPECT_EQ(t, pd_query(kernel_pd(), vaddr(guard), &q), -E_NOENT);
    KEXPECT_EQ(t, hw_walk(guard, &pte, &level), -E_NOENT);
    /* Exactly one page: .bss below it, the stack right above it, both mapped. */
    KEXPECT_EQU(t, guard + PAGE, (uintptr_t)boot_stack_bottom);
    KEXPECT_EQ(t, pd_query(kernel_pd(), vaddr(guard - 1), &q), 0);
    KEXPECT_EQ(t, pd_query(kernel_pd(), vaddr(guard + PAGE), &q), 0);
    /* We are on that stack, so an overflow would run into the guard. */
    int local = 0;
    KEXPECT(t, (uintptr_t)&local > guard + PAGE && (uintptr_t)&local < (uintptr_t)boot_stack_top);
    /* Its frame is in the reserved image, so no allocator can hand it out. */
    const struct boot_info *bi = boot_info_current();
    KASSERT(t, bi != NULL);
    bool reserved = false;
    for (size_t i = 0; i < bi->reserved_count; i++) {
        const struct boot_range *r = &bi->reserved[i];
        reserved |= r->kind == BOOT_RANGE_KERNEL && phys_of((void *)guard) >= r->base &&
                    phys_of((void *)guard) - r->base < r->size;
    }
    KEXPECT(t, reserved);
}

KTEST(riscv64, boot_identity_map_is_gone)
{
    /* The kernel's own physical address, and the devicetree's, no longer translate. */
    uint64_t value;
    uintptr_t phys = (uintptr_t)phys_of(&data_word);
    KEXPECT_EQ(t, arch_probe_read(phys, &value), -E_FAULT);
    KEXPECT_EQ(t, fault_last().cause, FAULT_NOT_PRESENT);
    const struct boot_info *bi = boot_info_current();
    KASSERT(t, bi != NULL);
    if (bi->dtb_phys)
        KEXPECT_EQ(t, arch_probe_read((uintptr_t)bi->dtb_phys, &value), -E_FAULT);
    struct pd_query_result q;
    KEXPECT_EQ(t, pd_query(kernel_pd(), vaddr(phys), &q), -E_NOENT); /* nothing in the user half */
}

KTEST(riscv64, devices_are_io_in_the_device_window)
{
    size_t count, devices = 0;
    const struct kernel_mapping *m = riscv_kernel_mappings_made(&count);
    for (size_t i = 0; i < count; i++) {
        if (m[i].type != MEMORY_TYPE_IO)
            continue;
        devices++;
        KEXPECT_GE(t, m[i].va, KERNEL_DEVICE_WINDOW);
        KEXPECT_LT(t, m[i].va + m[i].size - 1, KERNEL_QUICKMAP_WINDOW);
        struct pd_query_result q;
        KASSERT_EQ(t, pd_query(kernel_pd(), vaddr(m[i].va), &q), 0);
        KEXPECT_EQU(t, q.prot, PD_READ | PD_WRITE | PD_GLOBAL);
        KEXPECT_EQU(t, q.phys.value, m[i].pa);
        /* Without Svpbmt the entry cannot say IO: the PMAs make device ranges IO. */
        KEXPECT_EQ(t, q.type, format_has_memory_types() ? MEMORY_TYPE_IO : MEMORY_TYPE_NORMAL);
    }
    const struct boot_info *bi = boot_info_current();
    KASSERT(t, bi != NULL);
    size_t expected = (bi->console.kind == BOOT_CONSOLE_UART16550_MMIO) +
                      (riscv_exit_test_device() != 0);
    KEXPECT_EQ(t, devices, expected);
    /* arch_poweroff writes the test device through the window now. */
    if (riscv_exit_test_device())
        KEXPECT_GE(t, riscv_exit_test_device(), KERNEL_DEVICE_WINDOW);
}

/*
 * Each memory type reaches the pbmt field of the entry. Without Svpbmt the
 * field must stay 0 (a hart faults on it). With Svpbmt, there is no
 * attribute register to read as on x86 (PAT) or aarch64 (MAIR): the
 * encoding is fixed by the extension, and it is in force only if the
 * firmware set menvcfg.PBMTE, else the hart treats pbmt as reserved and
 * faults. So every access through an NC or IO mapping must succeed and see
 * the same memory.
 */
KTEST(riscv64, memory_types_reach_the_entry)
{
    struct page_directory *pd = kernel_pd();
    static const enum memory_type types[] = { MEMORY_TYPE_NORMAL, MEMORY_TYPE_IO,
                                              MEMORY_TYPE_NONCACHEABLE };
    volatile uint64_t *direct = (volatile uint64_t *)scratch;
    direct[0] = TEST_PATTERN;
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        uintptr_t va = ARCH_TEST_VA + (4 + i) * PAGE;
        KASSERT_EQ(t, pd_map(pd, vaddr(va), paddr(phys_of(scratch)), PAGE, PD_READ | PD_WRITE,
                             types[i]), 0);
        pte_t pte;
        unsigned level;
        if (leaf_of(t, va, &pte, &level)) {
            if (riscv_pte_get_pbmt(pte) != expected_pbmt(types[i]))
                ktest_note(t, "type %d: pte %#llx", (int)types[i], (unsigned long long)pte);
            KEXPECT_EQU(t, riscv_pte_get_pbmt(pte), expected_pbmt(types[i]));
        }
        uint64_t value = 0;
        KEXPECT_EQ(t, arch_probe_read(va, &value), 0);
        KEXPECT_EQU(t, value, TEST_PATTERN);
        KEXPECT_EQ(t, arch_probe_write(va + sizeof(uint64_t), i), 0);
        KEXPECT_EQU(t, direct[1], i);
        KEXPECT_EQ(t, pd_unmap(pd, vaddr(va), PAGE), 0);
    }
}

/*
 * After a change, pd_flush_range must drop what the hart cached: a page at
 * a time, and past FLUSH_ALL_THRESHOLD_PAGES (pd_hw.c) with a full flush.
 * Each page is read first so the hart holds its translation.
 */
static void check_unmap_flushes(struct ktest *t, size_t pages)
{
    struct page_directory *pd = kernel_pd();
    uintptr_t va = ARCH_TEST_VA + 8 * PAGE;
    for (size_t i = 0; i < pages; i++)
        KASSERT_EQ(t, pd_map(pd, vaddr(va + i * PAGE), paddr(phys_of(scratch)), PAGE, PD_READ,
                             MEMORY_TYPE_NORMAL), 0);
    uint64_t value;
    for (size_t i = 0; i < pages; i++)
        KASSERT_EQ(t, arch_probe_read(va + i * PAGE, &value), 0);
    KASSERT_EQ(t, pd_unmap(pd, vaddr(va), pages * PAGE), 0);
    size_t still_readable = 0;
    for (size_t i = 0; i < pages; i++)
        still_readable += arch_probe_read(va + i * PAGE, &value) == 0;
    KEXPECT_EQ(t, still_readable, 0);
}

KTEST(riscv64, unmap_flushes_one_page_and_many)
{
    check_unmap_flushes(t, 1);
    check_unmap_flushes(t, MANY_PAGES);
}

/* --- the rest ---------------------------------------------------------------- */

KTEST(riscv64, interrupts_disable_clears_sie)
{
    unsigned long sie = csr_read(sie);
    KASSERT_EQU(t, sie, 0); /* no source enabled, so setting SIE below cannot take one */
    csr_set(sstatus, SSTATUS_SIE);
    arch_interrupts_disable();
    KEXPECT_EQU(t, csr_read(sstatus) & SSTATUS_SIE, 0);
}

KTEST(riscv64, cycle_counter_advances)
{
    uint64_t before = arch_read_cycle_counter();
    for (volatile int i = 0; i < COUNTER_SPIN_ITERATIONS; i++)
        ;
    KEXPECT_LT(t, before, arch_read_cycle_counter());
}
