/*
 * The guarded accesses of probe.S as the trap code sees them: a table of
 * (access instruction, resume point) pairs, and the execute probe the arch
 * tests use to check that data is not executable.
 */
#pragma once

#include <pagoda/types.h>

/*
 * If the instruction at ACCESS faults, the trap code resumes at RESUME
 * with rax = -E_FAULT, which the probe then returns.
 */
struct x86_probe_fixup {
    uintptr_t access;
    uintptr_t resume;
};

extern const struct x86_probe_fixup x86_probe_fixups[];
extern const struct x86_probe_fixup x86_probe_fixups_end[];

/* The one load of arch_probe_read and the one store of arch_probe_write. */
extern const char x86_probe_read_access[];
extern const char x86_probe_write_access[];

/*
 * arch_probe_execute(addr) (include/arch/kernel_vm.h) calls the code at
 * ADDR, which must be a bare "ret" if it runs at all. It returns 0 if the
 * code ran and returned, or -E_FAULT if fetching it raised a page fault,
 * which the trap code recognises by x86_probe_execute_return on top of the
 * stack.
 */
extern const char x86_probe_execute_return[];

/* A "ret" in the kernel text, for the execute probe's positive control. */
extern const char x86_probe_ret[];
