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
 * Call the code at ADDR and return its x0; -E_FAULT (with the fault
 * delivered to fault_handle() first) if fetching it faults. For tests.
 */
int aarch64_probe_execute(uintptr_t addr) MUST_CHECK;
extern const char aarch64_probe_execute_return[];
