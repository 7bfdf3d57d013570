/*
 * In-kernel tests of aarch64 facts that could break: the exception level
 * and stack we run on, the vector base, FP/SIMD access, the MMU registers
 * the kernel page directory runs under, that everything the kernel uses
 * lies in the TTBR1 half, the rights and memory types of the kernel's own
 * mappings (checked by the hardware through real faults and AT
 * translations, and in the raw descriptors), accessed/dirty state kept by
 * the trap code, a user directory in TTBR0 with its ASID, the fault records
 * the trap code decodes, and the semihosting fallback.
 */
#include "kernel/arch/aarch64/pl011.h"
#include "kernel/arch/aarch64/semihost.h"
#include "kernel/arch/aarch64/trap.h"
#include "kernel/kernel.h"
#include "kernel/kernel_vm.h"
#include <aarch64/layout.h>
#include <aarch64/pt_desc.h>
#include <aarch64/sysreg.h>
#include <arch/cpu.h>
#include <pagoda/errors.h>
#include <pagoda/fault.h>
#include <pagoda/ktest.h>

#define SPSEL_USE_SP_ELX 1
#define COUNTER_SPIN_ITERATIONS 10000
#define PAGE PD_PAGE_SIZE
#define TABLE_INDEX_BITS 9 /* 512 descriptors per 4 KiB table */
#define KERNEL_HALF_BASE (UINT64_C(0) - (UINT64_C(1) << A64_VA_BITS))
#define MAIR_ATTR_MASK 0xff

/* Scratch mappings of these tests: clear of kernel_pd_test.c's, at the start of the window. */
#define ARCH_TEST_VA (KERNEL_TEST_WINDOW + 16 * MiB)
/* A user-half address and ASID for the user directory test. */
#define USER_TEST_VA UINT64_C(0x400000)
#define USER_TEST_ASID 1

/* movz x0, #0; ret: code that returns 0, placed in .data to test that .data cannot run. */
static uint32_t data_code_returning_zero[2] = { 0xd2800000u, 0xd65f03c0u };
static const uint64_t rodata_word = 0x0123456789abcdefull;
static volatile uint64_t scratch[PAGE / sizeof(uint64_t)] __attribute__((aligned(PAGE)));

static uint64_t phys_of(const volatile void *p)
{
    return (uintptr_t)p - KERNEL_VIRT_OFFSET;
}

/* Check the record fault_handle() got for a probe that faulted. */
static void expect_fault(struct ktest *t, uint64_t count_before, uintptr_t addr, uintptr_t pc,
                         enum fault_access access, enum fault_cause cause)
{
    struct fault f = fault_last();
    KEXPECT_EQ(t, fault_count(), count_before + 1);
    KEXPECT_EQU(t, f.addr.value, addr);
    KEXPECT_EQU(t, f.pc, pc);
    KEXPECT_EQ(t, f.access, access);
    KEXPECT_EQ(t, f.cause, cause);
    KEXPECT_EQ(t, f.mode, FAULT_KERNEL);
}

/* The MAIR attribute an EL1 read translation of ADDR uses, or -1 if it does not translate. */
static int translated_memory_attribute(uintptr_t addr)
{
    __asm__ volatile("at s1e1r, %0" : : "r"(addr) : "memory");
    isb();
    uint64_t par = sysreg_read(par_el1);
    if (par & PAR_EL1_F)
        return -1;
    return (int)(par >> PAR_EL1_ATTR_SHIFT);
}

/*
 * The raw block or page descriptor that translates VA in PD, found by
 * walking the tables as the hardware does (through the provider's view of
 * the table pages); NULL if there is none.
 */
static const uint64_t *leaf_descriptor(const struct page_directory *pd, uint64_t va)
{
    paddr_t table = pd->root;
    for (unsigned lookup = 0; lookup < A64_LEVELS; lookup++) {
        const uint64_t *entries = pd->provider->table(pd->provider->ctx, table);
        unsigned shift = A64_GRANULE_SHIFT + TABLE_INDEX_BITS * (A64_LEVELS - 1 - lookup);
        const uint64_t *slot = &entries[(va >> shift) & ((1u << TABLE_INDEX_BITS) - 1)];
        if (!a64_desc_valid(*slot))
            return NULL;
        if (lookup == A64_LEVELS - 1 || a64_desc_type(*slot) == A64_DESC_TYPE_BLOCK)
            return slot;
        table = paddr(a64_desc_addr(*slot) << A64_DESC_ADDR_SHIFT);
    }
    return NULL;
}

KTEST(aarch64, runs_at_el1_on_sp_el1)
{
    KEXPECT_EQ(t, (sysreg_read(CurrentEL) >> CURRENT_EL_SHIFT) & CURRENT_EL_MASK, EL1);
    KEXPECT_EQ(t, sysreg_read(SPSel), SPSEL_USE_SP_ELX);
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    KEXPECT(t, sp >= (uintptr_t)__boot_stack_bottom && sp < (uintptr_t)__boot_stack_top);
}

KTEST(aarch64, vector_base_is_our_table)
{
    uint64_t vbar = sysreg_read(vbar_el1);
    KEXPECT_EQU(t, vbar, (uintptr_t)aarch64_vectors);
    KEXPECT(t, IS_ALIGNED(vbar, VECTOR_TABLE_ALIGN));
}

KTEST(aarch64, fp_simd_traps_only_at_el0)
{
    KEXPECT_EQU(t, sysreg_read(cpacr_el1) & CPACR_EL1_FPEN_MASK, CPACR_EL1_FPEN_EL1_ONLY);
}

KTEST(aarch64, mmu_registers_hold_the_kernel_directory)
{
    uint64_t sctlr = sysreg_read(sctlr_el1);
    KEXPECT_EQU(t, sctlr & SCTLR_EL1_MMU_ON, SCTLR_EL1_MMU_ON);
    uint64_t tcr = sysreg_read(tcr_el1);
    KEXPECT_EQU(t, tcr & TCR_T0SZ_MASK, TCR_T0SZ(A64_VA_BITS));
    KEXPECT_EQU(t, tcr & TCR_T1SZ_MASK, TCR_T1SZ(A64_VA_BITS));
    KEXPECT_EQU(t, tcr & TCR_TG0_MASK, TCR_TG0_4K);
    KEXPECT_EQU(t, tcr & TCR_TG1_MASK, TCR_TG1_4K);
    KEXPECT(t, tcr & TCR_EPD0);  /* no user directory active: the user half faults */
    KEXPECT(t, !(tcr & TCR_EPD1));
    KEXPECT(t, !(tcr & TCR_A1)); /* the ASID comes from TTBR0 */
    KEXPECT(t, (tcr & TCR_IPS_MASK) >> TCR_IPS_SHIFT <= TCR_IPS_48_BITS);
    uint64_t asid_bits = (sysreg_read(id_aa64mmfr0_el1) >> ID_AA64MMFR0_ASIDBITS_SHIFT) &
                         (AARCH64_BIT(ID_AA64MMFR0_ASIDBITS_WIDTH) - 1);
    KEXPECT_EQ(t, !!(tcr & TCR_AS), asid_bits == ID_AA64MMFR0_ASIDBITS_16);
    /* The kernel directory in TTBR1; TTBR0 empty with ASID 0: the boot tables are gone. */
    KEXPECT_EQU(t, sysreg_read(ttbr1_el1) & TTBR_BADDR_MASK, kernel_pd()->root.value);
    KEXPECT_EQU(t, sysreg_read(ttbr0_el1), 0);
    KEXPECT_EQU(t, sysreg_read(mair_el1), A64_MAIR_EL1);
}

KTEST(aarch64, everything_the_kernel_uses_is_in_the_kernel_half)
{
    uintptr_t here;
    __asm__ volatile("adr %0, ." : "=r"(here));
    const uintptr_t addresses[] = {
        here, (uintptr_t)__builtin_frame_address(0), sysreg_read(vbar_el1),
        (uintptr_t)pl011_console_base(), (uintptr_t)&rodata_word, (uintptr_t)scratch,
        (uintptr_t)kernel_pd,
    };
    for (size_t i = 0; i < ARRAY_SIZE(addresses); i++)
        KEXPECT_GE(t, (unsigned long long)addresses[i], KERNEL_HALF_BASE);
    /* Linked where boot.S assumed: the load address plus the offset. */
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(kernel_pd(), vaddr(here), &q), 0);
    KEXPECT_EQU(t, q.phys.value, here - KERNEL_VIRT_OFFSET);
}

extern const char __ro_after_init_start[], __ro_after_init_end[];

KTEST(aarch64, kernel_sections_have_their_rights)
{
    struct section {
        const char *start, *end;
        uint32_t prot;
    };
    const struct section sections[] = {
        { __kernel_start, __text_end, PD_READ | PD_EXECUTE | PD_GLOBAL },
        { __text_end, __rodata_end, PD_READ | PD_GLOBAL },
        { __ro_after_init_start, __ro_after_init_end, PD_READ | PD_GLOBAL }, /* once booted */
        { __ro_after_init_end, __boot_stack_guard, PD_READ | PD_WRITE | PD_GLOBAL },
        { __boot_stack_bottom, __boot_stack_top, PD_READ | PD_WRITE | PD_GLOBAL },
    };
    struct page_directory *pd = kernel_pd();
    for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
        const uintptr_t ends[] = { (uintptr_t)sections[i].start,
                                   (uintptr_t)sections[i].end - PAGE };
        for (size_t j = 0; j < ARRAY_SIZE(ends); j++) {
            struct pd_query_result q;
            KASSERT_EQ(t, pd_query(pd, vaddr(ends[j]), &q), 0);
            KEXPECT_EQU(t, q.prot, sections[i].prot);
            KEXPECT_EQU(t, q.phys.value, ends[j] - KERNEL_VIRT_OFFSET);
            KEXPECT_EQ(t, q.type, MEMORY_TYPE_NORMAL);
            KEXPECT(t, q.accessed && q.dirty); /* the kernel never takes accessed/dirty faults */
        }
    }
    /* Nothing but the image: the guard page and the pages around the image are holes. */
    struct pd_query_result q;
    KEXPECT_EQ(t, pd_query(pd, vaddr((uintptr_t)__boot_stack_guard), &q), -E_NOENT);
    KEXPECT_EQ(t, pd_query(pd, vaddr((uintptr_t)__kernel_start - PAGE), &q), -E_NOENT);
    KEXPECT_EQ(t, pd_query(pd, vaddr((uintptr_t)__kernel_end), &q), -E_NOENT);
}

KTEST(aarch64, probe_read_of_the_hole_is_a_not_present_fault)
{
    uintptr_t hole = arch_unmapped_address();
    KEXPECT_EQU(t, hole, (uintptr_t)__boot_stack_guard);
    uint64_t before = fault_count(), value = 0;
    KEXPECT_EQ(t, arch_probe_read(hole + 8, &value), -E_FAULT);
    expect_fault(t, before, hole + 8, (uintptr_t)aarch64_probe_read_insn, FAULT_READ,
                 FAULT_NOT_PRESENT);
}

KTEST(aarch64, probe_write_of_the_hole_is_a_not_present_fault)
{
    uintptr_t hole = arch_unmapped_address() + PAGE - 8; /* the last word of the page */
    uint64_t before = fault_count();
    KEXPECT_EQ(t, arch_probe_write(hole, 1), -E_FAULT);
    expect_fault(t, before, hole, (uintptr_t)aarch64_probe_write_insn, FAULT_WRITE,
                 FAULT_NOT_PRESENT);
}

/* EPD0: the null page, and RAM where the boot tables identity-mapped it, fault. */
KTEST(aarch64, user_half_and_boot_identity_map_are_gone)
{
    uint64_t before = fault_count(), value;
    KEXPECT_EQ(t, arch_probe_read(0, &value), -E_FAULT);
    expect_fault(t, before, 0, (uintptr_t)aarch64_probe_read_insn, FAULT_READ, FAULT_NOT_PRESENT);
    uintptr_t kernel_phys = (uintptr_t)__kernel_start - KERNEL_VIRT_OFFSET;
    before = fault_count();
    KEXPECT_EQ(t, arch_probe_read(kernel_phys, &value), -E_FAULT);
    expect_fault(t, before, kernel_phys, (uintptr_t)aarch64_probe_read_insn, FAULT_READ,
                 FAULT_NOT_PRESENT);
    const struct boot_info *bi = boot_info_current();
    KASSERT(t, bi && bi->ram_count > 0);
    for (size_t i = 0; i < bi->ram_count; i++)
        KEXPECT_EQ(t, translated_memory_attribute(bi->ram[i].base), -1);
    if (bi->dtb_phys)
        KEXPECT_EQ(t, translated_memory_attribute(bi->dtb_phys), -1);
}

KTEST(aarch64, kernel_code_is_read_only)
{
    uintptr_t code = (uintptr_t)__kernel_start;
    uint64_t word;
    KASSERT_EQ(t, arch_probe_read(code, &word), 0);
    uint64_t before = fault_count();
    /* Writes the word back unchanged, so a wrongly writable mapping does no harm. */
    KEXPECT_EQ(t, arch_probe_write(code, word), -E_FAULT);
    expect_fault(t, before, code, (uintptr_t)aarch64_probe_write_insn, FAULT_WRITE,
                 FAULT_PROTECTION);
}

KTEST(aarch64, rodata_is_read_only)
{
    uintptr_t addr = (uintptr_t)&rodata_word;
    uint64_t word;
    KASSERT_EQ(t, arch_probe_read(addr, &word), 0);
    KEXPECT_EQU(t, word, rodata_word);
    uint64_t before = fault_count();
    KEXPECT_EQ(t, arch_probe_write(addr, word), -E_FAULT);
    expect_fault(t, before, addr, (uintptr_t)aarch64_probe_write_insn, FAULT_WRITE,
                 FAULT_PROTECTION);
}

KTEST(aarch64, data_is_not_executable)
{
    uintptr_t code = (uintptr_t)data_code_returning_zero;
    uint64_t before = fault_count();
    KEXPECT_EQ(t, arch_probe_execute(code), -E_FAULT);
    expect_fault(t, before, code, code, FAULT_EXECUTE, FAULT_PROTECTION);
}

KTEST(aarch64, console_is_device_memory_in_the_device_window)
{
    uint64_t console = pl011_console_base();
    KEXPECT(t, console >= KERNEL_DEVICE_WINDOW && console < KERNEL_DEVICE_WINDOW + PAGE);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(kernel_pd(), vaddr(console), &q), 0);
    KEXPECT_EQ(t, q.type, MEMORY_TYPE_IO);
    KEXPECT_EQU(t, q.prot, PD_READ | PD_WRITE | PD_GLOBAL);
    KEXPECT_EQU(t, q.phys.value & (PAGE - 1), console & (PAGE - 1));
    KEXPECT_EQ(t, translated_memory_attribute(console), A64_MAIR_ATTR_DEVICE_NGNRE);
    KEXPECT_EQ(t, translated_memory_attribute((uintptr_t)&rodata_word), A64_MAIR_ATTR_NORMAL_WB);
    KEXPECT_EQ(t, translated_memory_attribute(arch_unmapped_address()), -1);
}

/*
 * Each memory type reaches the hardware: the format puts its MAIR index in
 * the descriptor, MAIR_EL1 holds the attribute the format means at that
 * index, and the CPU's own translation (AT, PAR_EL1.ATTR) reports it.
 */
KTEST(aarch64, memory_types_reach_the_descriptor_and_mair)
{
    static const struct {
        enum memory_type type;
        uint64_t index;
        int attr;
    } cases[] = {
        { MEMORY_TYPE_NORMAL, A64_MAIR_INDEX_NORMAL, A64_MAIR_ATTR_NORMAL_WB },
        { MEMORY_TYPE_IO, A64_MAIR_INDEX_IO, A64_MAIR_ATTR_DEVICE_NGNRE },
        { MEMORY_TYPE_NONCACHEABLE, A64_MAIR_INDEX_NONCACHEABLE, A64_MAIR_ATTR_NORMAL_NC },
    };
    struct page_directory *pd = kernel_pd();
    uint64_t mair = sysreg_read(mair_el1);
    KEXPECT_EQU(t, mair, A64_MAIR_EL1);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uintptr_t va = ARCH_TEST_VA + i * PAGE;
        KASSERT_EQ(t, pd_map(pd, vaddr(va), paddr(phys_of(scratch)), PAGE, PD_READ,
                             cases[i].type), 0);
        const uint64_t *desc = leaf_descriptor(pd, va);
        KEXPECT(t, desc != NULL);
        if (desc) {
            KEXPECT_EQU(t, a64_desc_attrindx(*desc), cases[i].index);
            KEXPECT_EQU(t, a64_desc_addr(*desc) << A64_DESC_ADDR_SHIFT, phys_of(scratch));
        }
        KEXPECT_EQ(t, (mair >> (cases[i].index * A64_MAIR_ATTR_BITS)) & MAIR_ATTR_MASK,
                   cases[i].attr);
        KEXPECT_EQ(t, translated_memory_attribute(va), cases[i].attr);
        KEXPECT_EQ(t, pd_unmap(pd, vaddr(va), PAGE), 0);
    }
}

/*
 * Without FEAT_HAFDBS the first read of a page whose accessed state was
 * cleared takes an access flag fault, and the first write to a clean
 * writable page a permission fault; the trap code sets the state and
 * retries, and fault_handle() never hears of either.
 */
KTEST(aarch64, accessed_and_dirty_faults_are_resolved_by_the_trap_code)
{
    struct page_directory *pd = kernel_pd();
    uintptr_t va = ARCH_TEST_VA + 4 * PAGE;
    KASSERT_EQ(t, pd_map(pd, vaddr(va), paddr(phys_of(scratch)), PAGE, PD_READ | PD_WRITE,
                         MEMORY_TYPE_NORMAL), 0);
    KASSERT_EQ(t, pd_clear_accessed_dirty(pd, vaddr(va), PAGE), 0);
    const uint64_t *desc = leaf_descriptor(pd, va);
    KASSERT(t, desc != NULL);
    KEXPECT_EQ(t, a64_desc_af(*desc), 0);
    KEXPECT_EQ(t, a64_desc_dbm(*desc), 1);
    KEXPECT(t, a64_desc_ap(*desc) & A64_AP_READ_ONLY);

    uint64_t faults = fault_count(), value = 0;
    scratch[0] = 0x5a5a5a5a;
    KEXPECT_EQ(t, arch_probe_read(va, &value), 0);
    KEXPECT_EQU(t, value, 0x5a5a5a5a);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(pd, vaddr(va), &q), 0);
    KEXPECT(t, q.accessed && !q.dirty);
    KEXPECT(t, a64_desc_ap(*desc) & A64_AP_READ_ONLY); /* still clean */

    KEXPECT_EQ(t, arch_probe_write(va + 8, 0xd1d1d1d1), 0);
    KEXPECT_EQU(t, scratch[1], 0xd1d1d1d1);
    KASSERT_EQ(t, pd_query(pd, vaddr(va), &q), 0);
    KEXPECT(t, q.accessed && q.dirty);
    KEXPECT(t, !(a64_desc_ap(*desc) & A64_AP_READ_ONLY));
    KEXPECT_EQ(t, fault_count(), faults);
    KEXPECT_EQ(t, pd_unmap(pd, vaddr(va), PAGE), 0);
}

/* ... but an access the mapping does not allow is still a fault, accessed state or not. */
KTEST(aarch64, write_to_an_unaccessed_read_only_page_faults)
{
    struct page_directory *pd = kernel_pd();
    uintptr_t va = ARCH_TEST_VA + 5 * PAGE;
    KASSERT_EQ(t, pd_map(pd, vaddr(va), paddr(phys_of(scratch)), PAGE, PD_READ,
                         MEMORY_TYPE_NORMAL), 0);
    KASSERT_EQ(t, pd_clear_accessed_dirty(pd, vaddr(va), PAGE), 0);
    uint64_t before = fault_count(), value;
    KEXPECT_EQ(t, arch_probe_write(va, 1), -E_FAULT);
    expect_fault(t, before, va, (uintptr_t)aarch64_probe_write_insn, FAULT_WRITE,
                 FAULT_PROTECTION);
    KEXPECT_EQ(t, arch_probe_read(va, &value), 0);
    KEXPECT_EQ(t, fault_count(), before + 1);
    KEXPECT_EQ(t, pd_unmap(pd, vaddr(va), PAGE), 0);
}

/*
 * A user directory goes into TTBR0 with its ASID and opens the user half;
 * activating the kernel directory closes it again. (No EL0 code yet: the
 * kernel reads the user page, which Armv8.0 without PAN allows.)
 */
KTEST(aarch64, user_directory_runs_in_ttbr0_with_its_asid)
{
    struct page_directory *kernel = kernel_pd();
    size_t tables = kernel_table_pages_used();
    struct page_directory user;
    KASSERT_EQ(t, pd_create_user(&user, kernel, USER_TEST_ASID), 0);
    KASSERT_EQ(t, pd_map(&user, vaddr(USER_TEST_VA), paddr(phys_of(scratch)), PAGE,
                         PD_READ | PD_WRITE | PD_USER, MEMORY_TYPE_NORMAL), 0);
    scratch[0] = 0x7777;
    uint64_t before = fault_count(), value = 0;
    KEXPECT_EQ(t, arch_probe_read(USER_TEST_VA, &value), -E_FAULT); /* not active yet */
    expect_fault(t, before, USER_TEST_VA, (uintptr_t)aarch64_probe_read_insn, FAULT_READ,
                 FAULT_NOT_PRESENT);

    pd_activate(&user);
    KEXPECT(t, !(sysreg_read(tcr_el1) & TCR_EPD0));
    uint64_t ttbr0 = sysreg_read(ttbr0_el1);
    KEXPECT_EQU(t, ttbr0 >> TTBR_ASID_SHIFT, USER_TEST_ASID);
    KEXPECT_EQU(t, ttbr0 & TTBR_BADDR_MASK, user.root.value);
    before = fault_count();
    KEXPECT_EQ(t, arch_probe_read(USER_TEST_VA, &value), 0); /* after an access flag fault */
    KEXPECT_EQU(t, value, 0x7777);
    KEXPECT_EQ(t, arch_probe_write(USER_TEST_VA + 8, 0x8888), 0); /* after a dirty fault */
    KEXPECT_EQU(t, scratch[1], 0x8888);
    KEXPECT_EQ(t, fault_count(), before);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&user, vaddr(USER_TEST_VA), &q), 0);
    KEXPECT(t, q.accessed && q.dirty);
    const uint64_t *desc = leaf_descriptor(&user, USER_TEST_VA);
    KEXPECT(t, desc && a64_desc_ng(*desc)); /* tagged with the ASID, not global */
    KEXPECT_EQ(t, arch_probe_read((uintptr_t)&rodata_word, &value), 0); /* kernel half unchanged */

    pd_activate(kernel);
    KEXPECT(t, sysreg_read(tcr_el1) & TCR_EPD0);
    KEXPECT_EQU(t, sysreg_read(ttbr0_el1), 0);
    before = fault_count();
    KEXPECT_EQ(t, arch_probe_read(USER_TEST_VA, &value), -E_FAULT);
    expect_fault(t, before, USER_TEST_VA, (uintptr_t)aarch64_probe_read_insn, FAULT_READ,
                 FAULT_NOT_PRESENT);
    pd_destroy(&user);
    KEXPECT_EQ(t, kernel_table_pages_used(), tables);
}

KTEST(aarch64, counter_runs)
{
    KEXPECT_NE(t, sysreg_read(cntfrq_el0), 0);
    uint64_t start = arch_read_cycle_counter();
    for (volatile int i = 0; i < COUNTER_SPIN_ITERATIONS; i++)
        ;
    KEXPECT_LT(t, start, arch_read_cycle_counter());
}

KTEST(aarch64, semihosting_call_returns_with_or_without_semihosting)
{
    /* Harmless either way; without semihosting this exercises the undefined-hlt fixup. */
    int64_t centiseconds = aarch64_semihost_call(SEMIHOST_SYS_CLOCK, 0);
    ktest_note(t, "semihosting %s", centiseconds == -E_NOTSUP ? "off" : "on");
    KEXPECT(t, centiseconds >= 0 || centiseconds == -E_NOTSUP);
}
