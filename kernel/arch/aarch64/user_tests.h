/*
 * What the user-mode tests (user_tests.c) and their EL0 programs
 * (user_test_programs.S) agree on: the system-call numbers the programs
 * use, the register patterns they load, and the programs' labels. The
 * programs are assembled into the kernel's .rodata as data, between
 * user_programs_start and user_programs_end, and copied into a user code
 * region; a label's offset from user_programs_start is its offset there.
 */
#pragma once

/* System-call numbers (x8). Only the tests give them a meaning. */
#define UPROG_SYS_REPORT 0x11    /* x0..x5: values the test checks */
#define UPROG_SYS_REGISTERS 0x12 /* every register holds UPROG_PATTERN(n) */
#define UPROG_SYS_DUMPED 0x13    /* x0 = the last result; the registers are at sp */
#define UPROG_SYS_TICK 0x14      /* x0 = round, x1 = tag, x2 = TPIDR_EL0, x3 = sp */

/* The value uprog_registers loads into xN: 0x1000 + N in the top 16 bits, N in the bottom. */
#define UPROG_PATTERN_TOP 0x1000
#define UPROG_PATTERN_SHIFT 48
#define UPROG_NZCV 0x90000000 /* N and V set, Z and C clear */
#define UPROG_TPIDR 0x7e1d     /* what uprog_registers puts in TPIDR_EL0 */
/* uprog_registers' dump after the first system call: x0..x30, NZCV, TPIDR_EL0, padding. */
#define UPROG_DUMP_NZCV 31
#define UPROG_DUMP_TPIDR 32
#define UPROG_DUMP_BYTES 272 /* 34 words: a multiple of 16, as SP must stay */

/* What uprog_store writes (one movz, one movk). */
#define UPROG_STORE_VALUE_HIGH 0x5eed
#define UPROG_STORE_VALUE_LOW 0xf00d
#define UPROG_STORE_VALUE ((UPROG_STORE_VALUE_HIGH << 16) | UPROG_STORE_VALUE_LOW)

/* uprog_pc_align branches this many bytes past uprog_pc_align_target. */
#define UPROG_PC_MISALIGN 2

/* The immediate of uprog_brk's brk. */
#define UPROG_BRK_IMM 0x42

/* The kernel registers user_test_run_preserving() fills: 0xc000 + N on top, N below. */
#define UPROG_KERNEL_PATTERN_TOP 0xc000
#define UPROG_KERNEL_SP_BIT 31 /* in its result: sp or x29 came back changed */

#ifndef __ASSEMBLER__
#include <arch/user.h>
#include <pagoda/types.h>

#define UPROG_PATTERN(n) (((uint64_t)(UPROG_PATTERN_TOP + (n)) << UPROG_PATTERN_SHIFT) | (n))
#define UPROG_KERNEL_PATTERN(n) \
    (((uint64_t)(UPROG_KERNEL_PATTERN_TOP + (n)) << UPROG_PATTERN_SHIFT) | (n))

extern const char user_programs_start[], user_programs_end[];
/* Each program, and the instructions the tests expect to trap. */
extern const char uprog_initial[], uprog_initial_svc[];
extern const char uprog_registers[], uprog_registers_svc[], uprog_registers_dump_svc[];
extern const char uprog_store[], uprog_store_insn[], uprog_store_svc[];
extern const char uprog_load[], uprog_load_insn[];
extern const char uprog_load_store[], uprog_load_store_load[], uprog_load_store_store[];
extern const char uprog_jump[], uprog_jump_insn[];
extern const char uprog_tick[], uprog_tick_svc[];
extern const char uprog_udf[], uprog_brk[], uprog_wfi[], uprog_daifclr[], uprog_ctr[],
    uprog_dc_zva[], uprog_ic_ivau[], uprog_fp[], uprog_sysreg[], uprog_hvc[], uprog_svc_1[],
    uprog_svc_1_insn[], uprog_ldxr[], uprog_pc_align[], uprog_pc_align_target[];

/*
 * arch_user_run(CTX, TRAP) with x19-x28 holding UPROG_KERNEL_PATTERN(n):
 * returns a mask with bit N set for each xN that came back changed, and
 * bit UPROG_KERNEL_SP_BIT if sp (checked against x29) did.
 */
uint64_t user_test_run_preserving(struct user_context *ctx, struct user_trap *trap);
#endif
