/*
 * Into ring 3 and back, as a setjmp/longjmp pair around the trap path.
 *
 * x86_user_enter(ctx) saves what the kernel needs to come back (the
 * callee-saved registers, the context, its own return address) as a
 * struct x86_user_kernel_frame (x86_64/user.h) on the kernel stack and
 * points TSS.rsp0 at it, so that the next trap from ring 3 builds its
 * frame immediately below. Then it copies the thread's saved frame (the
 * first words of its context) below that and ends in vectors.S's trap
 * return: pop the registers, iretq to the thread's rip, cs, rflags, rsp,
 * ss. Interrupts stay off: the thread's rflags never has IF set.
 *
 * The thread's next trap runs vectors.S's common path on that stack;
 * x86_trap_dispatch() sees a ring-3 CS and hands the frame to
 * x86_user_trap() (user.c), which copies it into the context and calls
 * x86_user_exit(frame + 1): back to the saved registers, and a return from
 * x86_user_enter into arch_user_run with the thread stopped.
 */
#include <x86_64/descriptors.h>
#include <x86_64/user.h>

    .text

/* void x86_user_enter(struct user_context *ctx) */
    .globl x86_user_enter
x86_user_enter:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushq %rdi
    /* The kernel frame is complete: a trap from ring 3 stacks its frame under it. */
    movq %rsp, x86_tss + X86_TSS_RSP0_OFFSET(%rip)
    /*
     * The thread's frame goes on the kernel stack rather than being popped
     * from the context itself, so that if iretq faulted (a bad selector is
     * a #GP in ring 0), the crash report would find a sane stack.
     */
    subq $(X86_TRAP_FRAME_WORDS * 8), %rsp
    movq %rdi, %rsi
    movq %rsp, %rdi
    movl $X86_TRAP_FRAME_WORDS, %ecx
    rep movsq
    jmp x86_trap_return

/* NORETURN void x86_user_exit(struct x86_user_kernel_frame *frame) */
    .globl x86_user_exit
x86_user_exit:
    leaq X86_USER_KERNEL_FRAME_SAVED(%rdi), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret /* from x86_user_enter */
