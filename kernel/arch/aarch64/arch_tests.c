/*
 * In-kernel tests of aarch64 facts that could break: the exception level
 * and stack we run on, the vector base, FP/SIMD access, the MMU settings,
 * the permissions and memory types of the boot tables (checked by the
 * hardware, through real faults and AT translations), the fault records the
 * trap code decodes, and the semihosting fallback.
 */
#include "kernel/arch/aarch64/mmu_boot.h"
#include "kernel/arch/aarch64/pl011.h"
#include "kernel/arch/aarch64/semihost.h"
#include "kernel/arch/aarch64/trap.h"
#include "kernel/kernel.h"
#include <aarch64/layout.h>
#include <aarch64/pte.h>
#include <aarch64/sysreg.h>
#include <arch/cpu.h>
#include <pagoda/errors.h>
#include <pagoda/fault.h>
#include <pagoda/ktest.h>

#define SPSEL_USE_SP_ELX 1
#define COUNTER_SPIN_ITERATIONS 10000

/* movz x0, #0; ret: code that returns 0, placed in .data to test that .data cannot run. */
static uint32_t data_code_returning_zero[2] = { 0xd2800000u, 0xd65f03c0u };
static const uint64_t rodata_word = 0x0123456789abcdefull;

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

KTEST(aarch64, fp_simd_does_not_trap)
{
    KEXPECT_EQU(t, sysreg_read(cpacr_el1) & CPACR_EL1_FPEN_MASK, CPACR_EL1_FPEN_NO_TRAP);
}

KTEST(aarch64, mmu_and_caches_on_with_4k_granule_48_bit)
{
    uint64_t sctlr = sysreg_read(sctlr_el1);
    KEXPECT_EQU(t, sctlr & SCTLR_EL1_MMU_ON, SCTLR_EL1_MMU_ON);
    uint64_t tcr = sysreg_read(tcr_el1);
    KEXPECT_EQU(t, tcr & TCR_T0SZ_MASK, TCR_T0SZ(PT_VA_BITS));
    KEXPECT_EQU(t, tcr & TCR_TG0_MASK, TCR_TG0_4K);
    KEXPECT(t, tcr & TCR_EPD1);
    KEXPECT_EQU(t, sysreg_read(mair_el1), MAIR_EL1_BOOT);
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
    uintptr_t hole = arch_unmapped_address() + PT_PAGE_SIZE - 8; /* the last word of the page */
    uint64_t before = fault_count();
    KEXPECT_EQ(t, arch_probe_write(hole, 1), -E_FAULT);
    expect_fault(t, before, hole, (uintptr_t)aarch64_probe_write_insn, FAULT_WRITE,
                 FAULT_NOT_PRESENT);
}

KTEST(aarch64, null_page_is_unmapped)
{
    uint64_t before = fault_count(), value;
    KEXPECT_EQ(t, arch_probe_read(0, &value), -E_FAULT);
    expect_fault(t, before, 0, (uintptr_t)aarch64_probe_read_insn, FAULT_READ, FAULT_NOT_PRESENT);
    KEXPECT_EQ(t, arch_probe_read(MMU_BOOT_NULL_GUARD_SIZE - 8, &value), -E_FAULT);
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
    KEXPECT_EQ(t, aarch64_probe_execute(code), -E_FAULT);
    expect_fault(t, before, code, code, FAULT_EXECUTE, FAULT_PROTECTION);
}

KTEST(aarch64, ram_is_mapped_at_both_ends_and_not_beyond)
{
    const struct boot_info *bi = boot_info_current();
    KASSERT(t, bi && bi->ram_count > 0);
    for (size_t i = 0; i < bi->ram_count; i++) {
        uint64_t first = ALIGN_UP(bi->ram[i].base, 8);
        uint64_t last = ALIGN_DOWN(bi->ram[i].base + bi->ram[i].size - 8, 8);
        uint64_t value;
        KEXPECT_EQ(t, arch_probe_read(first, &value), 0);
        KEXPECT_EQ(t, arch_probe_read(last, &value), 0);
        KEXPECT_EQ(t, translated_memory_attribute(last), MAIR_ATTR_NORMAL_WB);
    }
    /* One byte past the last RAM: a block mapping that rounded RAM up would show here. */
    const struct boot_range *top = &bi->ram[bi->ram_count - 1];
    uint64_t value;
    KEXPECT_EQ(t, arch_probe_read(top->base + top->size, &value), -E_FAULT);
}

KTEST(aarch64, console_is_device_memory_and_ram_is_normal)
{
    KASSERT_NE(t, pl011_console_base(), 0);
    KEXPECT_EQ(t, translated_memory_attribute(pl011_console_base()), MAIR_ATTR_DEVICE_nGnRnE);
    KEXPECT_EQ(t, translated_memory_attribute((uintptr_t)&rodata_word), MAIR_ATTR_NORMAL_WB);
    KEXPECT_EQ(t, translated_memory_attribute(arch_unmapped_address()), -1);
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
