/*
 * The include/arch/cpu.h functions for aarch64: power-off with an exit
 * status, halting, interrupt masking, the unmapped test address and the
 * cycle counter. The guarded probes are in probe.S.
 */
#include "kernel/arch/aarch64/psci.h"
#include "kernel/arch/aarch64/semihost.h"
#include "kernel/console.h"
#include <aarch64/layout.h>
#include <aarch64/sysreg.h>
#include <arch/cpu.h>

void arch_interrupts_disable(void)
{
    __asm__ volatile("msr daifset, %0" : : "i"(DAIF_IRQ_FIQ) : "memory");
}

void arch_halt(void)
{
    __asm__ volatile("msr daifset, %0" : : "i"(DAIF_ALL) : "memory");
    for (;;)
        __asm__ volatile("wfi");
}

/*
 * Semihosting SYS_EXIT first: it is the only way to hand QEMU a status.
 * Without semihosting the hlt traps and comes back as -E_NOTSUP (trap.c);
 * then PSCI SYSTEM_OFF, which QEMU always turns into exit status 0.
 */
void arch_poweroff(enum exit_status status)
{
    static bool status_lost_noted;

    arch_interrupts_disable();
    uint64_t exit_block[2] = { SEMIHOST_ADP_STOPPED_APPLICATION_EXIT, (uint64_t)status };
    (void)aarch64_semihost_call(SEMIHOST_SYS_EXIT, (uintptr_t)exit_block);

    /* Say once (a fault here must not recurse) that the status cannot reach QEMU. */
    if (status != EXIT_SUCCESS_STATUS && !status_lost_noted) {
        status_lost_noted = true;
        kprintf("aarch64: no semihosting: exit status %d is lost, powering off via PSCI\n",
                (int)status);
    }
    psci_system_off();
    arch_halt();
}

/*
 * The guard page below the boot stack: linker.ld reserves it; the boot
 * tables (boot.S) and the kernel directory (kernel_vm_hooks.c) leave it out.
 */
uintptr_t arch_unmapped_address(void)
{
    return (uintptr_t)__boot_stack_guard;
}

/* The virtual counter (62.5 MHz on virt; equal to the physical one when boot.S started at EL2). */
uint64_t arch_read_cycle_counter(void)
{
    isb(); /* keep the read from being hoisted above earlier instructions */
    return sysreg_read(cntvct_el0);
}

#define NANOSECONDS_PER_SECOND UINT64_C(1000000000)

uint64_t arch_cycle_counter_scale(void)
{
    /* -icount shift=0: one instruction per nanosecond, so 10^9 / CNTFRQ per tick. */
    uint64_t frequency = sysreg_read(cntfrq_el0);
    return frequency ? NANOSECONDS_PER_SECOND / frequency : 1;
}
