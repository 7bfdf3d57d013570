/*
 * Guarded memory accesses (include/arch/cpu.h): each probe does exactly
 * one load or store, listed in x86_probe_fixups with the place to resume
 * if it faults. trap.c delivers the page fault to fault_handle() as usual,
 * then, instead of panicking, resumes at the fixup with rax = -E_FAULT.
 */
    .text

/* int arch_probe_read(uintptr_t addr [rdi], uint64_t *value [rsi]) */
    .globl arch_probe_read
arch_probe_read:
    .globl x86_probe_read_access
x86_probe_read_access:
    movq (%rdi), %rax
    movq %rax, (%rsi)
    xorl %eax, %eax
probe_read_resume:
    ret

/* int arch_probe_write(uintptr_t addr [rdi], uint64_t value [rsi]) */
    .globl arch_probe_write
arch_probe_write:
    xorl %eax, %eax
    .globl x86_probe_write_access
x86_probe_write_access:
    movq %rsi, (%rdi)
probe_write_resume:
    ret

/* int arch_probe_execute(uintptr_t addr [rdi]) (include/arch/kernel_vm.h); see probe.h */
    .globl arch_probe_execute, x86_probe_execute_return
arch_probe_execute:
    xorl %eax, %eax
    call *%rdi
x86_probe_execute_return:
    ret

    .globl x86_probe_ret
x86_probe_ret:
    ret

    .section .rodata
    .balign 8
    .globl x86_probe_fixups, x86_probe_fixups_end
x86_probe_fixups:
    .quad x86_probe_read_access, probe_read_resume
    .quad x86_probe_write_access, probe_write_resume
x86_probe_fixups_end:
