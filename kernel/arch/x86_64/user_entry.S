/*
 * Into ring 3 and back. A thread's registers live in its context
 * (x86_64/user.h) and nowhere else: entering loads them from there, and
 * the next trap from ring 3 pushes them there, because TSS.rsp0 points at
 * the end of the context's trap frame.
 *
 * arch_user_run(ctx, trap) pushes what the kernel needs to come back (the
 * callee-saved registers and TRAP, under its own return address) on the
 * kernel stack, leaves that stack pointer in the context's
 * X86_USER_KERNEL_SP word, and points TSS.rsp0 at that same word, the end
 * of the context's frame. Then it loads the thread: rip, cs, rflags, rsp
 * and ss go on the kernel stack for iretq, the 15 general registers are
 * loaded straight from the context. The iretq frame is built on the
 * kernel stack rather than popped from the context so that if iretq ever
 * faulted (a ring-0 #GP on a corrupt selector), the fault's frame and the
 * crash report would be on a proper stack and not over the context and
 * whatever lies below it. Interrupts stay off: the thread's rflags never
 * has IF.
 *
 * The thread's next trap: the CPU switches to TSS.rsp0 and pushes ss ...
 * rip (and an error code) into the context, the stub pushes the vector and
 * TRAP_PUSH_REGISTERS the registers under them, and x86_user_trap_exit
 * below runs with rsp at the context's first word. It checks the frame is
 * where TSS.rsp0 put it, takes the kernel stack pointer back from the
 * context, pops TRAP and the kernel's registers, and tail-calls
 * x86_user_describe_trap(ctx, trap) (user.c), which fills TRAP and
 * returns to arch_user_run's caller. The frame is never copied, and no C
 * runs between the trap and that description.
 *
 * The system call's stub is here, not among vectors.S's: int $0x80 comes
 * from ring 3 only (the kernel never raises it), so the stub skips the
 * common path's test of CS and runs straight into x86_user_trap_exit.
 * Every other trap from ring 3 goes through vectors.S's common path, which
 * jumps there when it sees a ring-3 CS.
 */
#include "kernel/arch/x86_64/trap.h"
#include <x86_64/descriptors.h>
#include <x86_64/paging.h>
#include <x86_64/user.h>

#define WORD(index) ((index) * 8)
#define TSS_RSP0 (x86_tss + X86_TSS_RSP0_OFFSET)

    .text

/* void arch_user_run(struct user_context *ctx, struct user_trap *trap) */
    .globl arch_user_run
arch_user_run:
    /*
     * A rip that is not canonical cannot be entered: iretq would #GP in
     * ring 0. x86_user_refuse_entry (user.c) reports it instead. rip is
     * canonical if rip + 2^47 < 2^48 (unsigned): bits 63-47 all equal.
     */
    movabsq $(1 << (X86_VIRT_ADDR_BITS - 1)), %rax
    addq WORD(X86_USER_RIP)(%rdi), %rax
    shrq $X86_VIRT_ADDR_BITS, %rax
    jnz x86_user_refuse_entry
    /* struct x86_user_kernel_frame, from the return address down. */
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushq %rsi
    /* The kernel frame is complete: the trap path finds it through the context. */
    movq %rsp, WORD(X86_USER_KERNEL_SP)(%rdi)
    leaq WORD(X86_USER_KERNEL_SP)(%rdi), %rax
    movq %rax, TSS_RSP0(%rip)
    /* The iretq frame: ss, rsp, rflags, cs, rip. */
    pushq WORD(X86_USER_SS)(%rdi)
    pushq WORD(X86_USER_RSP)(%rdi)
    pushq WORD(X86_USER_RFLAGS)(%rdi)
    pushq WORD(X86_USER_CS)(%rdi)
    pushq WORD(X86_USER_RIP)(%rdi)
    /* The general registers, rdi (the context's address) last. */
    movq WORD(X86_USER_RAX)(%rdi), %rax
    movq WORD(X86_USER_RBX)(%rdi), %rbx
    movq WORD(X86_USER_RCX)(%rdi), %rcx
    movq WORD(X86_USER_RDX)(%rdi), %rdx
    movq WORD(X86_USER_RSI)(%rdi), %rsi
    movq WORD(X86_USER_RBP)(%rdi), %rbp
    movq WORD(X86_USER_R8)(%rdi), %r8
    movq WORD(X86_USER_R9)(%rdi), %r9
    movq WORD(X86_USER_R10)(%rdi), %r10
    movq WORD(X86_USER_R11)(%rdi), %r11
    movq WORD(X86_USER_R12)(%rdi), %r12
    movq WORD(X86_USER_R13)(%rdi), %r13
    movq WORD(X86_USER_R14)(%rdi), %r14
    movq WORD(X86_USER_R15)(%rdi), %r15
    movq WORD(X86_USER_RDI)(%rdi), %rdi
    iretq

/* int $0x80 (X86_VECTOR_SYSCALL): the IDT gate ring 3 raises for a system call. */
    .balign 16
    .globl x86_syscall_stub
x86_syscall_stub:
    pushq $0                    /* the error code the CPU does not push */
    pushq $X86_VECTOR_SYSCALL
    TRAP_PUSH_REGISTERS
    cld                         /* the thread may have left DF set; the kernel needs it clear */
    /* fall through */

/*
 * A trap frame from ring 3, rsp at its first word: the context's, if the
 * trap came in through TSS.rsp0. Anything else (a #DF on its IST stack, or
 * an int $0x80 in ring 0, which would be a kernel bug) is not the end of
 * the thread's turn: to the ordinary path (vectors.S), where
 * x86_trap_dispatch turns it into a crash report.
 */
    .globl x86_user_trap_exit
x86_user_trap_exit:
    leaq WORD(X86_USER_KERNEL_SP)(%rsp), %rdi
    cmpq %rdi, TSS_RSP0(%rip)
    jne x86_trap_kernel
    movq %rsp, %rdi                             /* the context */
    movq WORD(X86_USER_KERNEL_SP)(%rdi), %rsp   /* the kernel frame */
    popq %rsi                                   /* the struct user_trap */
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    /* rsp: the return address into arch_user_run's caller. */
    jmp x86_user_describe_trap
