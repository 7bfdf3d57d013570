/*
 * The trap entry: stvec points here (direct mode), so every exception and
 * interrupt taken in S-mode arrives at riscv_trap_vector. It saves every
 * general register and the trap CSRs in a struct riscv_trap_frame on the
 * current stack, calls riscv_trap_handle(frame), and returns with sret to
 * frame->sepc, which the handler may have moved (probe fixups).
 *
 * Only kernel traps exist yet, so the trap runs on the stack it interrupted;
 * entry from user mode will swap in a kernel stack through sscratch.
 */
#include "riscv/trap.h"

#define REG(n) ((n) * TRAP_FRAME_REG_SIZE)

    .section .text
    .balign 4                   /* stvec ignores the low two bits */
    .globl riscv_trap_vector
riscv_trap_vector:
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
