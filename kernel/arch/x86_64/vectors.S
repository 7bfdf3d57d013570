/*
 * The exception entry stubs and the common trap path. Each stub makes the
 * stack look the same whatever the CPU pushed (a zero error code where the
 * CPU pushes none, then the vector number), the common path saves every
 * general register into a struct trap_frame (trap.h), calls
 * x86_trap_dispatch(frame), restores the (possibly edited) frame and
 * returns with iretq. The table x86_trap_stubs lists the 32 stubs for the
 * IDT; the 33rd, x86_syscall_stub for int $0x80, is in user_entry.S.
 *
 * A trap from user mode takes the same path as far as the frame: the CPU
 * switched to TSS.rsp0, the end of the running thread's context, so the
 * pushes here fill the context itself (x86_64/user.h). The common path
 * then sees a ring-3 CS and jumps to x86_user_trap_exit (user_entry.S),
 * which ends the thread's turn without calling x86_trap_dispatch.
 */
#include "kernel/arch/x86_64/trap.h"
#include <x86_64/descriptors.h>

    .text

/* TRAP_STUB vector, cpu_pushes_error_code */
.macro TRAP_STUB vector, error_code
    .balign 16
x86_trap_stub_\vector:
    .if \error_code == 0
    pushq $0
    .endif
    pushq $\vector
    jmp x86_trap_common
.endm

    TRAP_STUB 0, 0   /* #DE divide error */
    TRAP_STUB 1, 0   /* #DB debug */
    TRAP_STUB 2, 0   /* NMI */
    TRAP_STUB 3, 0   /* #BP breakpoint */
    TRAP_STUB 4, 0   /* #OF overflow */
    TRAP_STUB 5, 0   /* #BR bound range */
    TRAP_STUB 6, 0   /* #UD invalid opcode */
    TRAP_STUB 7, 0   /* #NM device not available */
    TRAP_STUB 8, 1   /* #DF double fault (error code always 0) */
    TRAP_STUB 9, 0   /* coprocessor segment overrun (legacy) */
    TRAP_STUB 10, 1  /* #TS invalid TSS */
    TRAP_STUB 11, 1  /* #NP segment not present */
    TRAP_STUB 12, 1  /* #SS stack-segment fault */
    TRAP_STUB 13, 1  /* #GP general protection */
    TRAP_STUB 14, 1  /* #PF page fault */
    TRAP_STUB 15, 0  /* reserved */
    TRAP_STUB 16, 0  /* #MF x87 floating point */
    TRAP_STUB 17, 1  /* #AC alignment check */
    TRAP_STUB 18, 0  /* #MC machine check */
    TRAP_STUB 19, 0  /* #XM SIMD floating point */
    TRAP_STUB 20, 0  /* #VE virtualization */
    TRAP_STUB 21, 1  /* #CP control protection */
    TRAP_STUB 22, 0
    TRAP_STUB 23, 0
    TRAP_STUB 24, 0
    TRAP_STUB 25, 0
    TRAP_STUB 26, 0
    TRAP_STUB 27, 0
    TRAP_STUB 28, 0  /* #HV hypervisor injection */
    TRAP_STUB 29, 1  /* #VC VMM communication */
    TRAP_STUB 30, 1  /* #SX security */
    TRAP_STUB 31, 0

/*
 * The CPU aligned the stack to 16 bytes before pushing its 5-word frame;
 * with the error code, the vector and 15 registers that makes 22 words,
 * so the stack is still 16-byte aligned at the call, as the ABI wants.
 * cld comes before the split: the kernel needs DF clear on either path,
 * and a trap from ring 3 leaves it as the thread had it.
 */
x86_trap_common:
    TRAP_PUSH_REGISTERS
    cld
    testb $X86_SELECTOR_RPL_MASK, X86_TRAP_FRAME_CS_OFFSET(%rsp)
    jnz x86_user_trap_exit /* from ring 3: the thread's turn ends (user_entry.S) */
    .globl x86_trap_kernel
x86_trap_kernel: /* rsp: a struct trap_frame to hand to x86_trap_dispatch */
    movq %rsp, %rdi
    call x86_trap_dispatch
    .globl x86_trap_return
x86_trap_return: /* rsp: a struct trap_frame to resume */
    popq %rax
    popq %rbx
    popq %rcx
    popq %rdx
    popq %rsi
    popq %rdi
    popq %rbp
    popq %r8
    popq %r9
    popq %r10
    popq %r11
    popq %r12
    popq %r13
    popq %r14
    popq %r15
    addq $16, %rsp /* the vector and the error code */
    iretq

    .section .rodata
    .balign 8
    .globl x86_trap_stubs
x86_trap_stubs:
    .irp vector, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad x86_trap_stub_\vector
    .endr
