/*
 * The few things the portable kernel asks of every architecture's CPU code.
 * Each kernel/arch/<arch>/ implements all of them; nothing in kernel/ or mm/
 * reaches below this list.
 */
#pragma once

#include <pagoda/types.h>

/* How the board reports the end of a run (QEMU maps it to its exit status). */
enum exit_status {
    EXIT_SUCCESS_STATUS = 0,
    EXIT_FAILURE_STATUS = 1, /* tests failed */
    EXIT_PANIC_STATUS = 2,   /* the kernel panicked */
};

/* Power the board off, reporting STATUS. Never returns (halts if it cannot). */
NORETURN void arch_poweroff(enum exit_status status);

/* Stop this CPU forever with interrupts off. */
NORETURN void arch_halt(void);

/* Mask interrupts on this CPU. */
void arch_interrupts_disable(void);

/*
 * Guarded accesses used by tests and, later, by copy-in/copy-out: read or
 * write one 64-bit word at ADDR. If the access faults, the fault is still
 * delivered to fault_handle() (so its record can be inspected), then the
 * access is abandoned and E_FAULT returned instead of panicking.
 */
int arch_probe_read(uintptr_t addr, uint64_t *value) MUST_CHECK;
int arch_probe_write(uintptr_t addr, uint64_t value) MUST_CHECK;

/* A kernel virtual address that the current tables leave unmapped, for fault tests. */
uintptr_t arch_unmapped_address(void);

/* A free-running counter for benchmarks. */
uint64_t arch_read_cycle_counter(void);
/*
 * Guest instructions per tick of that counter under QEMU's -icount shift=0,
 * where guest time advances one nanosecond per instruction: 1 for x86's TSC,
 * 10^9 / the counter frequency elsewhere (16 for aarch64's 62.5 MHz counter,
 * 100 for riscv64 virt's 10 MHz timebase).
 */
uint64_t arch_cycle_counter_scale(void);
