/*
 * The trap entry: stvec points here (direct mode), so every exception and
 * interrupt taken in S-mode arrives at riscv_trap_vector, from the kernel or
 * from a user thread. sscratch tells the two apart: it is 0 while the hart
 * runs the kernel and holds the running thread's struct user_context while
 * a user thread runs (user_entry.S). The first instruction swaps it with
 * sp.
 *
 * From the kernel (the swap gave 0): the swap is undone, and every general
 * register and the trap CSRs go into a struct riscv_trap_frame pushed on
 * the stack the trap interrupted; riscv_trap_handle(frame) decides, and the
 * trap returns with sret to frame->sepc, which the handler may have moved
 * (probe fixups).
 *
 * From a user thread (sp is now its context): the thread's registers go
 * straight into the context, word n = xn (riscv/user.h), its sp from
 * sscratch, and sepc; nothing is pushed for the trap and nothing is copied
 * later. Then the kernel frame of arch_user_run is popped (its address is
 * in the context's x0 word) and the vector jumps to
 * riscv_user_trap_describe(ctx, trap, scause, stval, sepc) (user.c), which
 * returns from arch_user_run. User traps never reach riscv_trap_handle().
 */
#include "riscv/trap.h"
#include "riscv/user.h"

#define REG(n) ((n) * TRAP_FRAME_REG_SIZE)
#define CTX(n) ((n) * RISCV_USER_WORD_SIZE)

    .section .text
    .balign 4                   /* stvec ignores the low two bits */
    .globl riscv_trap_vector
riscv_trap_vector:
    csrrw sp, sscratch, sp
    beqz sp, from_kernel

/*
 * From U-mode: sp = the thread's context, sscratch = the thread's sp. t0
 * goes first, to free a register for sscratch, which is 0 again after one
 * store: only that store and the swap run with sscratch telling a kernel
 * trap it came from U-mode.
 */
    sd t0, CTX(5)(sp)
    csrrw t0, sscratch, zero            /* from here a kernel trap takes the kernel path */
    sd t0, CTX(RISCV_REG_SP)(sp)
    sd x1, CTX(1)(sp)
    .irp n, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    sd x\n, CTX(\n)(sp)
    .endr
    csrr a4, sepc
    sd a4, CTX(RISCV_USER_SEPC)(sp)
    csrr a2, scause
    csrr a3, stval
    mv a0, sp
    ld sp, CTX(RISCV_USER_KERNEL_SP)(a0)
    ld ra, RISCV_KFRAME_RA(sp)
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    ld s\n, RISCV_KFRAME_S(\n)(sp)
    .endr
    ld gp, RISCV_KFRAME_GP(sp)
    ld tp, RISCV_KFRAME_TP(sp)
    ld a1, RISCV_KFRAME_TRAP(sp)
    addi sp, sp, RISCV_KFRAME_SIZE
    j riscv_user_trap_describe          /* its return is arch_user_run's */

from_kernel:
    csrrw sp, sscratch, sp              /* sp back, sscratch 0 again */
    addi sp, sp, -TRAP_FRAME_SIZE
    sd x1, REG(1)(sp)
    .irp n, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    sd x\n, REG(\n)(sp)
    .endr
    addi t0, sp, TRAP_FRAME_SIZE        /* sp as it was when the trap hit */
    sd t0, REG(2)(sp)
    csrr t0, sepc
    sd t0, TRAP_FRAME_SEPC(sp)
    csrr t0, sstatus
    sd t0, TRAP_FRAME_SSTATUS(sp)
    csrr t0, scause
    sd t0, TRAP_FRAME_SCAUSE(sp)
    csrr t0, stval
    sd t0, TRAP_FRAME_STVAL(sp)

    mv a0, sp
    call riscv_trap_handle

    ld t0, TRAP_FRAME_SEPC(sp)
    csrw sepc, t0
    ld t0, TRAP_FRAME_SSTATUS(sp)
    csrw sstatus, t0
    ld x1, REG(1)(sp)
    .irp n, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ld x\n, REG(\n)(sp)
    .endr
    addi sp, sp, TRAP_FRAME_SIZE
    sret
