/*
 * Shared by the user-mode tests (user_tests.c) and their programs and
 * helper (user_tests_programs.S): the user address-space layout the
 * programs assume, their system-call numbers, and the register patterns.
 */
#pragma once

/* A 64-bit unsigned constant in C, a plain number in assembly. */
#ifdef __ASSEMBLER__
#define USER_TEST_U64(x) x
#else
#define USER_TEST_U64(x) x##ull
#endif

/* The layout every test space gets (one page each, the data two). */
#define USER_TEST_CODE_VA 0x10000     /* the programs; R X once loaded */
#define USER_TEST_DATA_VA 0x20000     /* R W, filled on first write */
#define USER_TEST_RO_VA 0x30000       /* R only */
#define USER_TEST_UNMAPPED_VA 0x40000 /* no region */
#define USER_TEST_STACK_TOP 0x80000   /* R W, the page below it */

/* System calls of the test programs (numbers only these tests give meaning to). */
#define USER_TEST_SYS_FIRST 0x101  /* a0-a5 = USER_TEST_SYSCALL_ARG(0..5) */
#define USER_TEST_SYS_SECOND 0x102 /* what the thread saw of its start and the first call */
#define USER_TEST_SYS_REPORT 0x103 /* a0, a1: values the thread read */
#define USER_TEST_SYS_YIELD 0x104  /* a0 = tag, a1 = round, a2 = the sum of results so far */

#define USER_TEST_SYSCALL_ARG(i) (USER_TEST_U64(0x5ca1ab1e00000000) + ((i) + 1) * 0x1111)
/* t1 before the first call, to see a register survive it. */
#define USER_TEST_T1_VALUE 0x7e1e7e1e
#define USER_TEST_STORED_VALUE USER_TEST_U64(0x0ddba11cafe)

/* What the register program loads into xn, and the kernel helper into its xn. */
#define USER_TEST_PATTERN(n) (USER_TEST_U64(0x7e57000000000000) | ((n) << 24) | 0x5a5)
#define USER_TEST_KERNEL_PATTERN(n) (((n) << 12) | 0xc3c)

/* The registers the kernel must keep across arch_user_run: s0-s11, gp, tp. */
#define USER_TEST_KERNEL_REGISTERS 3, 4, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27

#ifndef __ASSEMBLER__

#include <arch/user.h>

/* The programs: one blob, copied to USER_TEST_CODE_VA; every label is an entry or a pc. */
extern const char riscv_user_programs[], riscv_user_programs_end[];
extern const char user_prog_syscalls[], user_prog_syscalls_stack_store[],
    user_prog_syscalls_first[], user_prog_syscalls_second[];
extern const char user_prog_registers[], user_prog_registers_fault[],
    user_prog_registers_first[], user_prog_registers_second[];
extern const char user_prog_lazy_store[], user_prog_lazy_store_store[],
    user_prog_lazy_store_report[];
extern const char user_prog_unmapped_load[], user_prog_unmapped_load_load[];
extern const char user_prog_read_only[], user_prog_read_only_load[],
    user_prog_read_only_store[];
extern const char user_prog_no_execute[], user_prog_no_execute_store[],
    user_prog_no_execute_jump[];
extern const char user_prog_illegal[], user_prog_privileged[], user_prog_float[],
    user_prog_breakpoint[],
    user_prog_misaligned_lr[], user_prog_misaligned_lr_insn[];
extern const char user_prog_kernel_load[], user_prog_kernel_store[], user_prog_kernel_jump[];
extern const char user_prog_counter[], user_prog_counter_call[];

/*
 * Fill s0-s11, gp and tp with USER_TEST_KERNEL_PATTERN, call
 * arch_user_run(CTX, TRAP) and compare them, and sp, afterwards: 0 if all
 * survived, else the number n of the first register xn that changed (2: sp).
 */
int riscv_test_kernel_registers_survive(struct user_context *ctx, struct user_trap *trap);

#endif /* __ASSEMBLER__ */
