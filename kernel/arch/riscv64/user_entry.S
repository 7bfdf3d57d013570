/*
 * The switch between the kernel and a user thread, a setjmp/longjmp pair
 * across a privilege change:
 *
 * riscv_user_enter(ctx) pushes a small kernel frame (ra, s0-s11, gp, tp and
 * ctx itself), parks the frame's address in sscratch, loads every register
 * of the thread from ctx and drops to U-mode with sret (sstatus.SPP = U,
 * SPIE = 0: nothing is enabled in sie, and the kernel keeps interrupts off
 * when the thread traps back; FS = Off: the kernel keeps no FP state).
 *
 * A trap from U-mode lands in riscv_trap_vector, whose first instruction
 * swaps sp and sscratch. A nonzero result is this kernel frame (sscratch is
 * zero whenever the hart runs the kernel), and the vector jumps to
 * riscv_user_trap_entry below, which stores the thread's registers, sepc,
 * scause and stval into ctx, zeroes sscratch, pops the kernel frame and
 * returns to whoever called riscv_user_enter, as if the call had just
 * finished. Caller-saved registers are clobbered, as for any call.
 *
 * sscratch is nonzero only from just before the sret to the first
 * instructions of riscv_user_trap_entry; nothing in between can trap in
 * S-mode (the two loads after it read ctx, which the loads before them
 * already reached).
 */
#include "riscv/csr.h"
#include "riscv/user.h"

#define REG(n) ((n) * RISCV_USER_WORD_SIZE)
#define CTX_SEPC REG(RISCV_USER_SEPC)
#define CTX_SCAUSE REG(RISCV_USER_SCAUSE)
#define CTX_STVAL REG(RISCV_USER_STVAL)

/* The kernel frame riscv_user_enter pushes and riscv_user_trap_entry pops. */
#define KFRAME_RA 0
#define KFRAME_S(n) (8 + 8 * (n)) /* s0..s11 */
#define KFRAME_GP 104
#define KFRAME_TP 112
#define KFRAME_CTX 120
#define KFRAME_T0 128 /* the thread's t0 and t1, while they are used as scratch */
#define KFRAME_T1 136
#define KFRAME_SIZE 144 /* a multiple of 16, as the psABI wants for sp */

/*
 * sret to U-mode, SIE stays 0 there, and the FP unit is off: no context
 * here holds FP registers, so a thread may not use them (nor read another's).
 */
#define USER_SSTATUS_CLEAR (SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_FS)

    .section .text
    .globl riscv_user_enter
riscv_user_enter:
    addi sp, sp, -KFRAME_SIZE
    sd ra, KFRAME_RA(sp)
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    sd s\n, KFRAME_S(\n)(sp)
    .endr
    sd gp, KFRAME_GP(sp)
    sd tp, KFRAME_TP(sp)
    sd a0, KFRAME_CTX(sp)

    li t0, USER_SSTATUS_CLEAR
    csrc sstatus, t0
    ld t0, CTX_SEPC(a0)
    csrw sepc, t0

    ld x1, REG(1)(a0)
    .irp n, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ld x\n, REG(\n)(a0)
    .endr
    csrw sscratch, sp           /* a trap from now on comes from U-mode */
    ld sp, REG(2)(a0)
    ld a0, REG(10)(a0)
    sret

/* From riscv_trap_vector: sp = the kernel frame, sscratch = the thread's sp. */
    .globl riscv_user_trap_entry
riscv_user_trap_entry:
    sd t0, KFRAME_T0(sp)
    sd t1, KFRAME_T1(sp)
    csrrw t1, sscratch, zero    /* kernel traps take the kernel path again */
    ld t0, KFRAME_CTX(sp)
    sd t1, REG(2)(t0)
    ld t1, KFRAME_T0(sp)
    sd t1, REG(5)(t0)
    ld t1, KFRAME_T1(sp)
    sd t1, REG(6)(t0)
    sd x1, REG(1)(t0)
    .irp n, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    sd x\n, REG(\n)(t0)
    .endr
    csrr t1, sepc
    sd t1, CTX_SEPC(t0)
    csrr t1, scause
    sd t1, CTX_SCAUSE(t0)
    csrr t1, stval
    sd t1, CTX_STVAL(t0)

    ld ra, KFRAME_RA(sp)
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    ld s\n, KFRAME_S(\n)(sp)
    .endr
    ld gp, KFRAME_GP(sp)
    ld tp, KFRAME_TP(sp)
    addi sp, sp, KFRAME_SIZE
    ret
