/*
 * arch_user_run(ctx, trap), the way into U-mode (include/arch/user.h). The
 * way back is the user half of the trap vector (vectors.S); together they
 * are a setjmp/longjmp pair across a privilege change, with no C between
 * the kernel's registers and the thread's.
 *
 * Here: push the kernel frame (riscv/user.h: ra, s0-s11, gp, tp and the
 * trap pointer), leave the kernel stack pointer in the context's x0 word
 * and the context's address in sscratch, load every register of the thread
 * from the context and drop to U-mode with sret (sstatus.SPP = U, SPIE = 0:
 * nothing is enabled in sie, and the kernel keeps interrupts off when the
 * thread traps back; FS = Off: the kernel keeps no FP state).
 *
 * There: the next trap from U-mode swaps sp and sscratch, finds the
 * context (nonzero: sscratch is zero whenever the hart runs the kernel),
 * stores the thread's registers, sepc included, straight into it, zeroes
 * sscratch, takes the kernel stack pointer back from the x0 word, pops the
 * frame and jumps to riscv_user_trap_describe() (user.c) with ctx, trap,
 * scause, stval and sepc in a0-a4. That C function fills the struct
 * user_trap and returns to whoever called arch_user_run, as if the call
 * had just finished. Caller-saved registers are clobbered, as for any call.
 *
 * sscratch is nonzero only from just before the loads below to the second
 * instruction of the vector's user half; nothing in between can trap in
 * S-mode: the loads read words 1-31 of the context, between word 0 and
 * word 32, which the store and the load before them already reached, and
 * the vector's one store before it zeroes sscratch is to word 5.
 */
#include "riscv/csr.h"
#include "riscv/user.h"

#define REG(n) ((n) * RISCV_USER_WORD_SIZE)
#define CTX_KERNEL_SP REG(RISCV_USER_KERNEL_SP)
#define CTX_SEPC REG(RISCV_USER_SEPC)

/*
 * sret to U-mode, SIE stays 0 there, and the FP unit is off: no context
 * here holds FP registers, so a thread may not use them (nor read another's).
 */
#define USER_SSTATUS_CLEAR (SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_FS)

    .section .text
    .globl arch_user_run
arch_user_run:                          /* a0 = ctx, a1 = trap */
    addi sp, sp, -RISCV_KFRAME_SIZE
    sd ra, RISCV_KFRAME_RA(sp)
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    sd s\n, RISCV_KFRAME_S(\n)(sp)
    .endr
    sd gp, RISCV_KFRAME_GP(sp)
    sd tp, RISCV_KFRAME_TP(sp)
    sd a1, RISCV_KFRAME_TRAP(sp)
    sd sp, CTX_KERNEL_SP(a0)

    li t0, USER_SSTATUS_CLEAR
    csrc sstatus, t0
    ld t0, CTX_SEPC(a0)
    csrw sepc, t0

    csrw sscratch, a0                   /* a trap from now on comes from U-mode */
    .irp n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ld x\n, REG(\n)(a0)
    .endr
    ld a0, REG(10)(a0)                  /* the context's address goes last */
    sret
