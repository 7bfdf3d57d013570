/*
 * The trap entry: stvec points here (direct mode), so every exception and
 * interrupt taken in S-mode arrives at riscv_trap_vector. It saves every
 * general register and the trap CSRs in a struct riscv_trap_frame on the
 * current stack, calls riscv_trap_handle(frame), and returns with sret to
 * frame->sepc, which the handler may have moved (probe fixups).
 *
 * A kernel trap runs on the stack it interrupted. sscratch tells the two
 * kinds apart: it is 0 while the hart runs the kernel and holds the kernel
 * frame of riscv_user_enter while a user thread runs (user_entry.S). The
 * first instruction swaps it with sp; if that gives 0, the trap came from
 * S-mode, the swap is undone and the kernel path below runs unchanged;
 * otherwise sp is now the kernel stack and riscv_user_trap_entry saves the
 * thread and returns to the kernel from riscv_user_enter.
 */
#include "riscv/trap.h"

#define REG(n) ((n) * TRAP_FRAME_REG_SIZE)

    .section .text
    .balign 4                   /* stvec ignores the low two bits */
    .globl riscv_trap_vector
riscv_trap_vector:
    csrrw sp, sscratch, sp
    bnez sp, from_user
    csrrw sp, sscratch, sp              /* from S-mode: sp back, sscratch 0 again */
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

from_user:
    j riscv_user_trap_entry             /* user_entry.S; a branch might not reach it */
