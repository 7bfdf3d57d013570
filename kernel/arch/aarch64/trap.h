/*
 * The aarch64 trap code's view from outside: the vector table, the labels
 * of the guarded instructions whose faults trap.c turns into errors
 * (probe.S), which tests use to check where a fault was taken, and the
 * syndrome decoding that user.c shares with the kernel's trap path.
 */
#pragma once

#include <aarch64/esr.h>
#include <pagoda/fault.h>
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

/* The words for an exception class, and for an abort's fault status code (DFSC/IFSC). */
const char *aarch64_esr_class_name(enum esr_ec ec);
const char *aarch64_fault_status_name(uint32_t fsc);

/*
 * Decode an instruction or data abort with syndrome ESR at address FAR,
 * taken at PC: if it is a page fault (a translation, access flag or
 * permission fault with a valid FAR), fill FAULT (user mode for the
 * lower-EL classes) and return true; anything else returns false.
 */
bool aarch64_abort_to_fault(uint64_t esr, uint64_t far, uintptr_t pc, struct fault *fault);
