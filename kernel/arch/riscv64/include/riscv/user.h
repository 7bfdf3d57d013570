/*
 * A riscv64 user thread's saved state: how user.c, user_entry.S and the
 * trap vector (vectors.S) lay out the words of a struct user_context
 * (include/arch/user.h), and the kernel frame arch_user_run leaves on the
 * kernel stack while the thread runs. Shared by C and assembly.
 *
 * The context follows the kernel trap frame (riscv/trap.h): word n holds xn
 * for x1..x31, then sepc. x0 is always zero, so its word is free, and the
 * kernel uses it: while the thread runs, word 0 holds the kernel stack
 * pointer to return on (the kernel frame below). It means nothing to the
 * thread and nothing once arch_user_run has returned.
 *
 * The path of the registers (docs/boot-riscv64.md, "User mode"):
 *   arch_user_run        pushes the kernel frame, puts its address in word 0
 *                        and the context's address in sscratch, loads x1..x31
 *                        and sepc from the context, sret.
 *   riscv_trap_vector    swaps sp and sscratch, so sp is the context, and
 *                        stores the thread straight into it: t0, the
 *                        thread's sp (from sscratch, which it zeroes), x1 and
 *                        the rest of x3..x31, sepc; no copy on any stack. It
 *                        reloads the kernel frame from word 0, pops it and
 *                        jumps to riscv_user_trap_describe(), which returns
 *                        to the caller of arch_user_run.
 */
#pragma once

#define RISCV_USER_WORD_SIZE 8
#define RISCV_USER_KERNEL_SP 0 /* x0's word: the kernel frame, while the thread runs */
#define RISCV_USER_REGS 32     /* x0..x31; word n is xn for n >= 1 */
#define RISCV_USER_SEPC 32     /* where the thread resumes (sret's target) */
#define RISCV_USER_WORDS 33    /* words of struct user_context in use */

/* psABI register numbers the portable interface names. */
#define RISCV_REG_RA 1
#define RISCV_REG_SP 2
#define RISCV_REG_GP 3
#define RISCV_REG_TP 4
#define RISCV_REG_A0 10 /* a0..a7 are x10..x17 */
#define RISCV_REG_A(n) (RISCV_REG_A0 + (n))
#define RISCV_REG_A7 17 /* the system-call number */

/* ecall is never compressed: a system call resumes this far past it. */
#define RISCV_ECALL_SIZE 4

/*
 * The kernel frame arch_user_run pushes and the trap vector pops: what the
 * caller of arch_user_run expects to find unchanged (ra, s0-s11, and gp and
 * tp, which the thread may have changed), and where to describe the trap.
 */
#define RISCV_KFRAME_RA 0
#define RISCV_KFRAME_S(n) (8 + 8 * (n)) /* s0..s11 */
#define RISCV_KFRAME_GP 104
#define RISCV_KFRAME_TP 112
#define RISCV_KFRAME_TRAP 120 /* arch_user_run's struct user_trap pointer */
#define RISCV_KFRAME_SIZE 128 /* a multiple of 16, as the psABI wants for sp */

#ifndef __ASSEMBLER__

#include <arch/user.h>

/*
 * The C end of a trap from U-mode. The trap vector has saved the thread
 * into CTX and restored the kernel's registers and stack as they were when
 * arch_user_run(CTX, TRAP) was called; it jumps here with the trap's
 * scause, stval and sepc, and the return from here is arch_user_run's
 * return. Fills TRAP (and moves sepc past an ecall).
 */
void riscv_user_trap_describe(struct user_context *ctx, struct user_trap *trap, uint64_t scause,
                              uint64_t stval, uint64_t sepc);

#endif /* __ASSEMBLER__ */
