/*
 * The EL0 programs of the user-mode tests (user_tests.c), assembled by the
 * toolchain rather than written as hex, and kept in .rodata as data: the
 * kernel never runs them, the tests copy the whole block into a user code
 * region. Every branch is PC-relative, so they run wherever they land.
 * Labels ending in _insn or _svc mark the instruction a test expects to
 * trap; user_tests.h lists them and the constants both sides use.
 *
 * At the end, user_test_run_preserving(), which is kernel code: it checks
 * that arch_user_run() gives the caller its callee-saved registers back.
 */
#include "kernel/arch/aarch64/user_tests.h"

    .section .rodata.user_programs, "a"
    .balign 8
    .global user_programs_start
user_programs_start:

/* Report x0 (ARG), sp and the OR of every other register, NZCV and TPIDR_EL0. */
    .global uprog_initial, uprog_initial_svc
uprog_initial:
    .irp n, 1,2,3,4,5,6,7,8,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
    orr     x9, x9, x\n
    .endr
    mrs     x10, tpidr_el0
    orr     x9, x9, x10
    mrs     x10, nzcv
    orr     x9, x9, x10
    mov     x1, sp
    mov     x2, x9
    mov     x8, #UPROG_SYS_REPORT
uprog_initial_svc:
    svc     #0
    udf     #0

/*
 * Load UPROG_PATTERN(n) into every xN (x8: the call number), NZCV and
 * TPIDR_EL0, and call; then store every register, as the return left
 * them, below sp, and call again with x0 (the result) untouched.
 */
    .global uprog_registers, uprog_registers_svc, uprog_registers_dump_svc
uprog_registers:
    mov     x9, #UPROG_TPIDR
    msr     tpidr_el0, x9
    mov     x9, #UPROG_NZCV
    msr     nzcv, x9
    .irp n, 0,1,2,3,4,5,6,7,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
    movz    x\n, #(UPROG_PATTERN_TOP + \n), lsl #UPROG_PATTERN_SHIFT
    movk    x\n, #\n
    .endr
    mov     x8, #UPROG_SYS_REGISTERS
uprog_registers_svc:
    svc     #0
    sub     sp, sp, #UPROG_DUMP_BYTES
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
    str     x\n, [sp, #(\n * 8)]
    .endr
    mrs     x9, nzcv
    mrs     x10, tpidr_el0
    stp     x9, x10, [sp, #(UPROG_DUMP_NZCV * 8)]
    mov     x8, #UPROG_SYS_DUMPED
uprog_registers_dump_svc:
    svc     #0
    udf     #0

/* Store UPROG_STORE_VALUE at ARG, then report what ARG and ARG + 8 read. */
    .global uprog_store, uprog_store_insn, uprog_store_svc
uprog_store:
    movz    x1, #UPROG_STORE_VALUE_HIGH, lsl #16
    movk    x1, #UPROG_STORE_VALUE_LOW
uprog_store_insn:
    str     x1, [x0]
    ldr     x2, [x0, #8]
    ldr     x3, [x0]
    mov     x8, #UPROG_SYS_REPORT
uprog_store_svc:
    svc     #0
    udf     #0

/* Read ARG. */
    .global uprog_load, uprog_load_insn
uprog_load:
uprog_load_insn:
    ldr     x1, [x0]
    mov     x8, #UPROG_SYS_REPORT
    svc     #0
    udf     #0

/* Read ARG, then write it. */
    .global uprog_load_store, uprog_load_store_load, uprog_load_store_store
uprog_load_store:
    mov     x1, #1
uprog_load_store_load:
    ldr     x2, [x0]
uprog_load_store_store:
    str     x1, [x0]
    mov     x8, #UPROG_SYS_REPORT
    svc     #0
    udf     #0

/* Jump to ARG. */
    .global uprog_jump, uprog_jump_insn
uprog_jump:
uprog_jump_insn:
    br      x0
    udf     #0

/*
 * ARG points at a tag word: put the tag in TPIDR_EL0, then forever count
 * rounds in x21 (and at ARG + 8) and report the round, the tag as memory
 * holds it now, TPIDR_EL0 and sp.
 */
    .global uprog_tick, uprog_tick_svc
uprog_tick:
    mov     x19, x0
    ldr     x20, [x19]
    msr     tpidr_el0, x20
    mov     x21, #0
1:  add     x21, x21, #1
    str     x21, [x19, #8]
    mov     x0, x21
    ldr     x1, [x19]
    mrs     x2, tpidr_el0
    mov     x3, sp
    mov     x8, #UPROG_SYS_TICK
uprog_tick_svc:
    svc     #0
    b       1b

/* One instruction each that EL0 may not execute (ARG: see user_tests.c). */
    .global uprog_udf, uprog_brk, uprog_wfi, uprog_daifclr, uprog_ctr, uprog_dc_zva
    .global uprog_ic_ivau, uprog_fp, uprog_sysreg, uprog_hvc, uprog_svc_1, uprog_svc_1_insn
    .global uprog_ldxr
uprog_udf:
    udf     #0
uprog_brk:
    brk     #UPROG_BRK_IMM
uprog_wfi:
    wfi                             /* SCTLR_EL1.nTWI = 0 */
uprog_daifclr:
    msr     daifclr, #(1 << 1)      /* unmask IRQs: SCTLR_EL1.UMA = 0 */
uprog_ctr:
    mrs     x1, ctr_el0             /* SCTLR_EL1.UCT = 0 */
uprog_dc_zva:
    dc      zva, x0                 /* SCTLR_EL1.DZE = 0 */
uprog_ic_ivau:
    ic      ivau, x0                /* SCTLR_EL1.UCI = 0 */
uprog_fp:
    .inst   0x9e670020              /* fmov d0, x1 (-mgeneral-regs-only refuses to assemble it) */
uprog_sysreg:
    mrs     x1, sctlr_el1
uprog_hvc:
    hvc     #0
uprog_svc_1:
    mov     x8, #UPROG_SYS_REPORT
uprog_svc_1_insn:
    svc     #1
uprog_ldxr:
    ldxr    x1, [x0]                /* exclusives must be aligned, whatever SCTLR_EL1.A says */
    udf     #0

/* Branch to an address that is not a multiple of 4. */
    .global uprog_pc_align, uprog_pc_align_target
uprog_pc_align:
    adr     x9, uprog_pc_align_target
    add     x9, x9, #UPROG_PC_MISALIGN
    br      x9
uprog_pc_align_target:
    udf     #0
    udf     #0

    .balign 8
    .global user_programs_end
user_programs_end:

/*
 * uint64_t user_test_run_preserving(struct user_context *ctx, struct user_trap *trap)
 * (user_tests.h): x19-x28 get known values across arch_user_run(); x29
 * holds sp, so sp is checked too.
 */
    .text
    .global user_test_run_preserving
    .type   user_test_run_preserving, %function
    .balign 4
user_test_run_preserving:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mov     x29, sp
    .irp n, 19,20,21,22,23,24,25,26,27,28
    movz    x\n, #(UPROG_KERNEL_PATTERN_TOP + \n), lsl #UPROG_PATTERN_SHIFT
    movk    x\n, #\n
    .endr
    bl      arch_user_run
    mov     x0, #0
    .irp n, 19,20,21,22,23,24,25,26,27,28
    movz    x9, #(UPROG_KERNEL_PATTERN_TOP + \n), lsl #UPROG_PATTERN_SHIFT
    movk    x9, #\n
    cmp     x\n, x9
    cset    x10, ne
    orr     x0, x0, x10, lsl #\n
    .endr
    mov     x9, sp
    cmp     x9, x29
    cset    x10, ne
    orr     x0, x0, x10, lsl #UPROG_KERNEL_SP_BIT
    mov     sp, x29                 /* if sp did change, x29 is the better guess */
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret
    .size   user_test_run_preserving, . - user_test_run_preserving
