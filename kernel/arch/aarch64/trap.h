/*
 * The aarch64 trap code's view from outside: the vector table, and the
 * labels of the guarded instructions whose faults trap.c turns into errors
 * (probe.S). Tests use them to check where a fault was taken.
 */
#pragma once

#include <pagoda/types.h>

/* The vector table (vectors.S); VBAR_EL1 points here. */
extern const char aarch64_vectors[];

/* The one faulting instruction of each probe and the label it resumes at. */
extern const char aarch64_probe_read_insn[], aarch64_probe_read_fixup[];
extern const char aarch64_probe_write_insn[], aarch64_probe_write_fixup[];

/*
 * arch_probe_execute(addr) (include/arch/kernel_vm.h, probe.S) calls the
 * code at ADDR and returns its x0, or -E_FAULT (with the fault delivered to
 * fault_handle() first) if fetching it faults; trap.c recognises such a
 * fault by this return address in x30.
 */
extern const char aarch64_probe_execute_return[];
