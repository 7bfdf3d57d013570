/*
 * The include/arch/cpu.h functions for x86_64 on the PC: power-off with a
 * status (QEMU's isa-debug-exit, else ACPI S5 for success), halting, the
 * interrupt mask, the fault-test hole and the cycle counter. The guarded
 * probes are in probe.S.
 */
#include "kernel/console.h"
#include <arch/cpu.h>
#include <x86_64/board_pc.h>
#include <x86_64/instr.h>
#include <x86_64/layout.h>

NORETURN void arch_halt(void)
{
    for (;;) {
        x86_cli();
        x86_hlt();
    }
}

void arch_interrupts_disable(void)
{
    x86_cli();
}

/*
 * Used by panic() as well, so it touches nothing but I/O ports until it
 * has to explain why it cannot exit.
 */
NORETURN void arch_poweroff(enum exit_status status)
{
    x86_cli();
    x86_outl(PC_DEBUG_EXIT_PORT, PC_DEBUG_EXIT_BIAS + (uint32_t)status);
    /* Still running: there is no isa-debug-exit device. */
    if (status == EXIT_SUCCESS_STATUS)
        x86_outw(PC_ACPI_PM1A_CONTROL_PORT, PC_ACPI_PM1_SLEEP_S5);
    /*
     * ACPI S5 makes QEMU exit 0, so a failure must not use it: halt and
     * say why, rather than report a failed run as a success.
     */
    kprintf("pagoda: cannot power off with status %d (no isa-debug-exit at port %#x); "
            "halting\n",
            (int)status, PC_DEBUG_EXIT_PORT);
    arch_halt();
}

uintptr_t arch_unmapped_address(void)
{
    return X86_FAULT_HOLE_VIRT;
}

/* rdtsc: one tick per guest instruction under QEMU's -icount shift=0. */
uint64_t arch_read_cycle_counter(void)
{
    return x86_rdtsc();
}

uint64_t arch_cycle_counter_scale(void)
{
    return 1; /* under -icount shift=0 QEMU advances the TSC once per instruction */
}
