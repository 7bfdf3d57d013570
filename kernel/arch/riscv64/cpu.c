/*
 * The include/arch/cpu.h functions for riscv64 (and arch_probe_execute of
 * arch/kernel_vm.h), and the exit device that arch_poweroff() reports
 * through (riscv/exit_device.h).
 */
#include <arch/cpu.h>
#include <arch/kernel_vm.h>
#include "riscv/csr.h"
#include "riscv/exit_device.h"
#include "riscv/layout.h"
#include "riscv/probe.h"
#include "riscv/sbi.h"
#include "riscv/timebase.h"
#include <pagoda/errors.h>

#define NANOSECONDS_PER_SECOND UINT64_C(1000000000)

static uint64_t exit_test_device;
static uint64_t timebase_hz;
/* The address riscv_probe_execute is jumping to, while it does (0 otherwise). */
static uintptr_t execute_probe_target;

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

/*
 * An instruction fetch that faults reports the target as sepc, not an
 * instruction of probe.S, so the probe names its target here first.
 */
int arch_probe_execute(uintptr_t addr)
{
    execute_probe_target = addr;
    int faulted = riscv_probe_execute(addr);
    execute_probe_target = 0;
    return faulted ? -E_FAULT : 0;
}

uintptr_t riscv_probe_fixup(uintptr_t pc)
{
    for (const struct riscv_probe_entry *e = riscv_probe_table; e < riscv_probe_table_end; e++) {
        if (e->insn == pc)
            return e->fixup;
    }
    if (execute_probe_target && pc == execute_probe_target)
        return (uintptr_t)riscv_probe_execute_fault;
    return 0;
}

/*
 * The guard page below the boot stack: inside the reserved image, so no
 * allocator hands out its frame, and never mapped by the kernel page
 * directory (a stack overflow runs into it).
 */
uintptr_t arch_unmapped_address(void)
{
    return (uintptr_t)__boot_stack_guard;
}

/* The time CSR: 10 MHz on QEMU virt, one tick per 100 instructions under -icount shift=0. */
uint64_t arch_read_cycle_counter(void)
{
    uint64_t ticks;
    __asm__ volatile("rdtime %0" : "=r"(ticks));
    return ticks;
}

void riscv_timebase_set(uint64_t hz)
{
    timebase_hz = hz;
}

uint64_t arch_cycle_counter_scale(void)
{
    /* -icount shift=0: one instruction per nanosecond, so 10^9 / the timebase per tick. */
    return timebase_hz ? NANOSECONDS_PER_SECOND / timebase_hz : 1;
}
