/*
 * The include/arch/cpu.h functions for riscv64, and the exit device that
 * arch_poweroff() reports through (riscv/exit_device.h).
 */
#include <arch/cpu.h>
#include "riscv/csr.h"
#include "riscv/exit_device.h"
#include "riscv/mmu_boot.h"
#include "riscv/probe.h"
#include "riscv/sbi.h"
#include <pagoda/errors.h>

static uint64_t exit_test_device;

void riscv_exit_set_test_device(uint64_t base)
{
    exit_test_device = base;
}

uint64_t riscv_exit_test_device(void)
{
    return exit_test_device;
}

/*
 * The test device first, since only it passes a failure status to QEMU.
 * The write is a probe: if the device is not there after all (or not
 * mapped), the fault is absorbed and SBI system reset gets its turn.
 */
NORETURN void arch_poweroff(enum exit_status status)
{
    arch_interrupts_disable();
    if (exit_test_device) {
        uint32_t value = status == EXIT_SUCCESS_STATUS
                             ? SIFIVE_TEST_PASS
                             : (uint32_t)status << SIFIVE_TEST_CODE_SHIFT | SIFIVE_TEST_FAIL;
        if (riscv_probe_store32(exit_test_device, value) != 0)
            exit_test_device = 0;
    }
    sbi_shutdown(status != EXIT_SUCCESS_STATUS);
    arch_halt();
}

NORETURN void arch_halt(void)
{
    arch_interrupts_disable();
    for (;;)
        __asm__ volatile("wfi"); /* may wake for a pending interrupt even when masked */
}

void arch_interrupts_disable(void)
{
    csr_clear(sstatus, SSTATUS_SIE);
}

int arch_probe_read(uintptr_t addr, uint64_t *value)
{
    return riscv_probe_load64(addr, value) ? -E_FAULT : 0;
}

int arch_probe_write(uintptr_t addr, uint64_t value)
{
    return riscv_probe_store64(addr, value) ? -E_FAULT : 0;
}

uintptr_t riscv_probe_fixup(uintptr_t pc)
{
    for (const struct riscv_probe_entry *e = riscv_probe_table; e < riscv_probe_table_end; e++) {
        if (e->insn == pc)
            return e->fixup;
    }
    return 0;
}

uintptr_t arch_unmapped_address(void)
{
    return mmu_boot_hole();
}

/* The time CSR: 10 MHz on QEMU virt, one tick per 100 instructions under -icount shift=0. */
uint64_t arch_read_cycle_counter(void)
{
    uint64_t ticks;
    __asm__ volatile("rdtime %0" : "=r"(ticks));
    return ticks;
}
