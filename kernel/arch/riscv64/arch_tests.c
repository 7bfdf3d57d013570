/*
 * riscv64-specific facts the portable tests cannot see: how a trap is
 * decoded (scause, stval, sepc, the mode it came from), that the trap path
 * keeps registers, where stvec and satp point, and what the boot page
 * tables grant to each part of the kernel image and to RAM.
 */
#include "riscv/arch_tests.h"
#include "riscv/csr.h"
#include "riscv/layout.h"
#include "riscv/mmu_boot.h"
#include "riscv/probe.h"
#include "riscv/trap.h"
#include "kernel/kernel.h"
#include <arch/cpu.h>
#include <pagoda/errors.h>
#include <pagoda/fault.h>
#include <pagoda/ktest.h>

/* A busy loop long enough for the 10 MHz time CSR to tick. */
#define COUNTER_SPIN_ITERATIONS 100000

static const uint64_t read_only_word = 0x0123456789abcdefull;
static uint64_t data_word = 1;

/* The leaf for ADDR, failing the test if there is none. */
static bool lookup_leaf(struct ktest *t, uintptr_t addr, sv39_pte_t *pte, int *level)
{
    int err = mmu_boot_lookup(addr, pte, level);
    KEXPECT_EQ(t, err, 0);
    if (err)
        ktest_note(t, "no mapping for %#lx", (unsigned long)addr);
    return err == 0;
}

KTEST(riscv64, unmapped_read_is_load_page_fault)
{
    uintptr_t hole = arch_unmapped_address();
    uint64_t traps = riscv_trap_last().count;
    uint64_t value = 0;
    KASSERT_EQ(t, arch_probe_read(hole, &value), -E_FAULT);

    struct riscv_trap_record trap = riscv_trap_last();
    KEXPECT_EQ(t, trap.count, traps + 1);
    KEXPECT_EQU(t, trap.frame.scause, EXC_LOAD_PAGE_FAULT);
    KEXPECT_EQU(t, trap.frame.stval, hole);
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
    uintptr_t addr = arch_unmapped_address() + SV39_PAGE_SIZE - sizeof(uint64_t);
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
    /* Bit 38 clear but bit 39 set: not a valid Sv39 address, whatever the tables say. */
    uintptr_t addr = (uintptr_t)__data_start | (UINT64_C(1) << SV39_VA_BITS);
    uint64_t value;
    KASSERT_EQ(t, arch_probe_read(addr, &value), -E_FAULT);
    struct fault f = fault_last();
    KEXPECT_EQU(t, f.addr.value, addr);
    KEXPECT_EQ(t, f.cause, FAULT_NOT_PRESENT);
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

KTEST(riscv64, stvec_is_our_vector_in_direct_mode)
{
    unsigned long stvec = csr_read(stvec);
    KEXPECT_EQU(t, stvec & ~STVEC_MODE_MASK, (uintptr_t)riscv_trap_vector);
    KEXPECT_EQU(t, stvec & STVEC_MODE_MASK, STVEC_MODE_DIRECT);
}

KTEST(riscv64, satp_selects_sv39)
{
    unsigned long satp = csr_read(satp);
    KEXPECT_EQU(t, satp >> SATP_MODE_SHIFT, SATP_MODE_SV39);
    sv39_pte_t pte;
    int level;
    /* The root the walker reads is the one the hardware uses: our own code is found through it. */
    KEXPECT_EQ(t, mmu_boot_lookup((uintptr_t)__text_start, &pte, &level), 0);
}

KTEST(riscv64, kernel_sections_have_their_permissions)
{
    static const struct {
        const char *what;
        uintptr_t addr;
        sv39_pte_t expected; /* of R W X */
    } cases[] = {
        { "text", (uintptr_t)__text_start, PTE_R | PTE_X },
        { "rodata", (uintptr_t)&read_only_word, PTE_R },
        { "data", (uintptr_t)&data_word, PTE_R | PTE_W },
        { "bss end", (uintptr_t)__bss_end - 1, PTE_R | PTE_W },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        sv39_pte_t pte;
        int level;
        if (!lookup_leaf(t, cases[i].addr, &pte, &level))
            continue;
        if ((pte & PTE_LEAF_MASK) != cases[i].expected)
            ktest_note(t, "%s: pte %#llx", cases[i].what, (unsigned long long)pte);
        KEXPECT_EQU(t, pte & PTE_LEAF_MASK, cases[i].expected);
        KEXPECT_EQ(t, level, 0); /* 4 KiB pages, so the permissions stop at section ends */
        KEXPECT_EQU(t, pte & (PTE_A | PTE_D | PTE_U), PTE_A | PTE_D);
    }
}

KTEST(riscv64, hole_is_unmapped_and_reserved)
{
    uintptr_t hole = arch_unmapped_address();
    sv39_pte_t pte;
    int level;
    KEXPECT_EQ(t, mmu_boot_lookup(hole, &pte, &level), -E_NOENT);
    KEXPECT(t, IS_ALIGNED(hole, SV39_PAGE_SIZE));
    /* Inside the reserved kernel image, so no allocator can hand out its frame. */
    KEXPECT(t, hole >= (uintptr_t)__kernel_start && hole < (uintptr_t)__kernel_end);
    /* Its neighbour below is .bss, mapped: the hole is exactly one page. */
    KEXPECT_EQ(t, mmu_boot_lookup(hole - 1, &pte, &level), 0);
}

/* Every RAM range is mapped RW and not executable at both ends (-m 128M .. 4G). */
KTEST(riscv64, all_ram_is_mapped_without_execute)
{
    const struct boot_info *bi = boot_info_current();
    KASSERT(t, bi != NULL);
    KASSERT(t, bi->ram_count > 0);
    for (size_t i = 0; i < bi->ram_count; i++) {
        uintptr_t ends[] = { (uintptr_t)bi->ram[i].base,
                             (uintptr_t)(bi->ram[i].base + bi->ram[i].size - 1) };
        for (size_t j = 0; j < ARRAY_SIZE(ends); j++) {
            if (ends[j] >= (uintptr_t)__kernel_start && ends[j] < (uintptr_t)__kernel_end)
                continue;
            sv39_pte_t pte;
            int level;
            if (!lookup_leaf(t, ends[j], &pte, &level))
                continue;
            KEXPECT_EQU(t, pte & PTE_LEAF_MASK, PTE_R | PTE_W);
            KEXPECT_EQU(t, (pte >> PTE_PPN_SHIFT) << SV39_PAGE_SHIFT,
                        ALIGN_DOWN(ends[j], sv39_level_size(level))); /* identity */
        }
    }
    /* The last byte of RAM is really there, through the mapping. */
    const struct boot_range *last = &bi->ram[bi->ram_count - 1];
    uint64_t value;
    KEXPECT_EQ(t, arch_probe_read(ALIGN_DOWN(last->base + last->size - 1, 8), &value), 0);
}

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
