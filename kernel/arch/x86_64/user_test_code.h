/*
 * What the user_x86 tests (user_tests.c) and their machine code
 * (user_test_code.S) agree on: where the test address spaces put things,
 * the system-call numbers and register values the programs use, and the
 * labels the tests compute expected program counters from. Plain #defines
 * first, so the assembler reads the same numbers.
 */
#pragma once

/* The test address spaces (user half). */
#define UT_CODE_VA 0x400000         /* the programs, one page, read + execute */
#define UT_DATA_VA 0x600000         /* read-write, lazily allocated (ALLOCATION_RESERVE) */
#define UT_RO_VA 0x700000           /* read-only */
#define UT_NX_VA 0x710000           /* read-write, not executable, filled in before the run */
#define UT_UNMAPPED_VA 0x10000000   /* no region */
#define UT_STACK_TOP 0x800000       /* the stack region ends here */
#define UT_STACK_PAGES 2

/* System calls the programs make (numbers of this test only). */
#define UT_SYS_ARGS 0x101   /* UT_ARG0..5 */
#define UT_SYS_RESULT 0x102 /* the result of UT_SYS_ARGS, rbx, rbp, rcx, r11, r12 */
#define UT_SYS_STATE 0x103  /* r13, r14, r15, the result of UT_SYS_RESULT, cs, ss */
#define UT_SYS_FLAGS 0x104  /* rflags as pushfq sees it, rsp */
#define UT_SYS_DONE 0x105   /* the address (rdi) and the value (rsi) a program accessed */
#define UT_SYS_COUNT 0x106  /* the thread's id, its new count */
/* A vector whose gate is not present: int $UT_ABSENT_VECTOR is a #GP naming it. */
#define UT_ABSENT_VECTOR 0x81

/* Argument and register values: every byte different, the top bit set in most. */
#define UT_START_ARG 0x00c0ffee0000f00d
#define UT_ARG0 0x9e3779b97f4a7c15
#define UT_ARG1 0xbf58476d1ce4e5b9
#define UT_ARG2 0x94d049bb133111eb
#define UT_ARG3 0xd6e8feb86659fd93
#define UT_ARG4 0xa0761d6478bd642f
#define UT_ARG5 0xe7037ed1a0b428db
#define UT_VALUE_RBX 0x1111111111111111
#define UT_VALUE_RBP 0x2222222222222222
#define UT_VALUE_RCX 0x3333333333333333
#define UT_VALUE_R11 0x4444444444444444
#define UT_VALUE_R12 0x5555555555555555
#define UT_VALUE_R13 0x6666666666666666
#define UT_VALUE_R14 0x7777777777777777
#define UT_VALUE_R15 0x8888888888888888
#define UT_STORE_VALUE 0x5a5a5a5a12345678

/*
 * x86_ut_run_checked: the kernel's callee-saved registers hold these
 * across arch_user_run; its result has bit UT_LOST_* set for each that
 * came back different.
 */
#define UT_CANARY_RBX 0xcafe00000000b0b0
#define UT_CANARY_RBP 0xcafe00000000b1b1
#define UT_CANARY_R12 0xcafe00000000b2b2
#define UT_CANARY_R13 0xcafe00000000b3b3
#define UT_CANARY_R14 0xcafe00000000b4b4
#define UT_CANARY_R15 0xcafe00000000b5b5
#define UT_LOST_RBX 0x01
#define UT_LOST_RBP 0x02
#define UT_LOST_R12 0x04
#define UT_LOST_R13 0x08
#define UT_LOST_R14 0x10
#define UT_LOST_R15 0x20
#define UT_LOST_RSP 0x40

#ifndef __ASSEMBLER__
#include <arch/user.h>

/* The programs: one blob, copied to UT_CODE_VA; each label is an offset into it. */
extern const char x86_ut_programs[], x86_ut_programs_end[];
extern const char x86_ut_first[], x86_ut_first_return[];
extern const char x86_ut_syscall[], x86_ut_syscall_args_return[],
    x86_ut_syscall_result_return[], x86_ut_syscall_state_return[], x86_ut_syscall_push[],
    x86_ut_syscall_flags_return[];
extern const char x86_ut_direction[], x86_ut_direction_return[];
extern const char x86_ut_store[], x86_ut_store_access[];
extern const char x86_ut_load[];
extern const char x86_ut_load_store[], x86_ut_load_store_access[];
extern const char x86_ut_jump[];
extern const char x86_ut_ud2[], x86_ut_cli[], x86_ut_hlt[], x86_ut_int3[], x86_ut_int3_next[],
    x86_ut_divide[], x86_ut_divide_access[], x86_ut_int_absent[];
extern const char x86_ut_count[];

/* arch_user_run(CTX, TRAP) with canaries in rbx, rbp, r12-r15: the UT_LOST_* bits. */
unsigned x86_ut_run_checked(struct user_context *ctx, struct user_trap *trap);
#endif
