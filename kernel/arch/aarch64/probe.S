/*
 * Guarded accesses: each routine has exactly one instruction that may fault
 * (its *_insn label) and a fixup (*_fixup) to resume at. When that
 * instruction takes a page fault that fault_handle() does not resolve,
 * trap.c sets x0 to -E_FAULT and resumes at the fixup, which returns it.
 * The label addresses are listed in trap.c's fixup table; nothing else
 * about them is special.
 */

    .text

/* int arch_probe_read(uintptr_t addr, uint64_t *value) */
    .global arch_probe_read, aarch64_probe_read_insn, aarch64_probe_read_fixup
    .balign 4
arch_probe_read:
aarch64_probe_read_insn:
    ldr     x2, [x0]
    str     x2, [x1]                 /* not guarded: VALUE is the caller's own memory */
    mov     x0, #0
aarch64_probe_read_fixup:
    ret

/* int arch_probe_write(uintptr_t addr, uint64_t value) */
    .global arch_probe_write, aarch64_probe_write_insn, aarch64_probe_write_fixup
    .balign 4
arch_probe_write:
aarch64_probe_write_insn:
    str     x1, [x0]
    mov     x0, #0
aarch64_probe_write_fixup:
    ret

/*
 * int arch_probe_execute(uintptr_t addr) (include/arch/kernel_vm.h): call
 * the code at ADDR (which returns its x0), for tests of execute
 * permissions. If fetching it faults,
 * trap.c recognises the call by its return address (x30 = the
 * aarch64_probe_execute_return label) and resumes there with -E_FAULT.
 */
    .global arch_probe_execute, aarch64_probe_execute_return
    .balign 4
arch_probe_execute:
    stp     x29, x30, [sp, #-16]!
    mov     x29, sp
    blr     x0
aarch64_probe_execute_return:
    ldp     x29, x30, [sp], #16
    ret
