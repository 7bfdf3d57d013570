/*
 * A riscv64 user thread's saved state: how user.c and user_entry.S lay out
 * the words of a struct user_context (include/arch/user.h), and the entry
 * routine between them. The layout follows the kernel trap frame
 * (riscv/trap.h): word n holds xn, word 0 is unused (x0 is always zero),
 * then the trap CSRs. Shared by C and assembly.
 */
#pragma once

#define RISCV_USER_WORD_SIZE 8
#define RISCV_USER_REGS 32 /* x0..x31; the x0 word is unused, so word n is xn */
#define RISCV_USER_SEPC 32   /* where the thread resumes (sret's target) */
#define RISCV_USER_SCAUSE 33 /* why it last stopped: scause of the trap from U-mode */
#define RISCV_USER_STVAL 34  /* and stval: the faulting address for page faults */
#define RISCV_USER_WORDS 35  /* words of struct user_context in use */

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

#ifndef __ASSEMBLER__

#include <arch/user.h>

/*
 * user_entry.S: save the kernel's callee-saved registers and stack on the
 * current stack, load CTX and sret to U-mode. It "returns" when the thread
 * next traps: riscv_trap_vector sends a trap from U-mode to
 * riscv_user_trap_entry, which saves the thread's registers, sepc, scause
 * and stval into CTX, restores the kernel's registers and returns to the
 * caller of riscv_user_enter. Interrupts must be off.
 */
void riscv_user_enter(struct user_context *ctx);

/* Where riscv_trap_vector goes for a trap from U-mode (sscratch was nonzero). */
extern char riscv_user_trap_entry[];

#endif /* __ASSEMBLER__ */
