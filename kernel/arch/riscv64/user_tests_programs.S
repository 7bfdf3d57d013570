/*
 * The user programs of the user_riscv tests (user_tests.c), and one kernel
 * helper.
 *
 * The programs are one position-independent blob in .rodata: the kernel
 * never runs it, the tests copy it into a user code page at
 * USER_TEST_CODE_VA (through as_access_word) and start threads at its
 * labels, whose offsets in the blob also give the exact pc of every trap.
 * Only pc-relative branches and constants (li) are used, so the code runs
 * wherever it is copied. .option norvc keeps every instruction 4 bytes.
 */
#include "riscv/user_tests.h"

/* The stack slot where the register program stores xn after the trap. */
#define SLOT(n) (-8 * ((n) + 1))

    .section .rodata.riscv_user_programs, "a"
    .option push
    .option norvc
    .balign 8
    .globl riscv_user_programs, riscv_user_programs_end
riscv_user_programs:

/*
 * A first system call with six arguments, then a second one that reports
 * what the thread saw: a0 = the first call's result, a1 = a0 at the start
 * (ARG), a2 = sp at the start, a3 = the OR of every other register at the
 * start (all must be 0), a4 = sp after the call, a5 = t1 after the call.
 * On the way, ARG is pushed to the lazily filled stack.
 */
    .globl user_prog_syscalls, user_prog_syscalls_stack_store
    .globl user_prog_syscalls_first, user_prog_syscalls_second
user_prog_syscalls:
    .irp n, 1, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    or t0, t0, x\n
    .endr
    mv s0, a0
    mv s1, sp
user_prog_syscalls_stack_store:
    sd a0, -8(sp)
    li t1, USER_TEST_T1_VALUE
    .irp i, 0, 1, 2, 3, 4, 5
    li a\i, USER_TEST_SYSCALL_ARG(\i)
    .endr
    li a7, USER_TEST_SYS_FIRST
user_prog_syscalls_first:
    ecall
    mv a1, s0
    mv a2, s1
    mv a3, t0
    mv a4, sp
    mv a5, t1
    li a7, USER_TEST_SYS_SECOND
user_prog_syscalls_second:
    ecall
    unimp

/*
 * Every register but sp gets USER_TEST_PATTERN(n); a store faults in the
 * stack page (a trap resolved in between), a system call stops the thread
 * for the kernel to read them, and after it the thread stores every
 * register to SLOT(n) below the stack top and stops again.
 */
    .globl user_prog_registers, user_prog_registers_fault
    .globl user_prog_registers_first, user_prog_registers_second
user_prog_registers:
    .irp n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    li x\n, USER_TEST_PATTERN(\n)
    .endr
user_prog_registers_fault:
    sd zero, SLOT(0)(sp)
user_prog_registers_first:
    ecall
    .irp n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    sd x\n, SLOT(\n)(sp)
    .endr
user_prog_registers_second:
    ecall
    unimp

/* A store to the lazily filled data page; then report it and its neighbour read back. */
    .globl user_prog_lazy_store, user_prog_lazy_store_store, user_prog_lazy_store_report
user_prog_lazy_store:
    li t0, USER_TEST_DATA_VA
    li t1, USER_TEST_STORED_VALUE
user_prog_lazy_store_store:
    sd t1, 8(t0)
    ld a0, 8(t0)
    ld a1, 16(t0)
    li a7, USER_TEST_SYS_REPORT
user_prog_lazy_store_report:
    ecall
    unimp

/* A load from an address no region covers. */
    .globl user_prog_unmapped_load, user_prog_unmapped_load_load
user_prog_unmapped_load:
    li t0, USER_TEST_UNMAPPED_VA
user_prog_unmapped_load_load:
    ld t1, 24(t0)
    unimp

/* A load from the read-only page (mapping it), then a store to it. */
    .globl user_prog_read_only, user_prog_read_only_load, user_prog_read_only_store
user_prog_read_only:
    li t0, USER_TEST_RO_VA
user_prog_read_only_load:
    ld t1, 0(t0)
user_prog_read_only_store:
    sd t1, 0(t0)
    unimp

/* A store maps the data page (R W, not X), then a jump into it. */
    .globl user_prog_no_execute, user_prog_no_execute_store, user_prog_no_execute_jump
user_prog_no_execute:
    li t0, USER_TEST_DATA_VA
user_prog_no_execute_store:
    sd zero, 0(t0)
user_prog_no_execute_jump:
    jalr t0
    unimp

/* Exceptions that are not page faults, one entry each. */
    .globl user_prog_illegal, user_prog_privileged, user_prog_float, user_prog_breakpoint
    .globl user_prog_misaligned_lr, user_prog_misaligned_lr_insn
user_prog_illegal:
    .4byte 0                    /* all zeros: defined to be illegal */
user_prog_privileged:
    csrr t0, sstatus            /* an S-mode CSR: illegal in U-mode */
    unimp
user_prog_float:
    csrr t0, fcsr               /* the FP unit is off for user threads */
    unimp
user_prog_breakpoint:
    ebreak
    unimp
user_prog_misaligned_lr:
    li t0, USER_TEST_DATA_VA
    sd zero, 0(t0)              /* map the page first: only the alignment is wrong */
    addi t0, t0, 4
user_prog_misaligned_lr_insn:
    lr.d t1, (t0)               /* LR must be aligned; a misaligned one is a load exception */
    unimp

/* Loads, stores and jumps to the kernel address in a0 (ARG). */
    .globl user_prog_kernel_load, user_prog_kernel_store, user_prog_kernel_jump
user_prog_kernel_load:
    ld t0, 0(a0)
    unimp
user_prog_kernel_store:
    sd zero, 0(a0)
    unimp
user_prog_kernel_jump:
    jalr a0
    unimp

/*
 * A thread of the alternation test: tag = a0 (ARG); forever: count the
 * round, store (tag << 32) | round to the data word (tag & 1), and yield
 * with the tag, the round and the sum of the results it was given.
 */
    .globl user_prog_counter, user_prog_counter_call
user_prog_counter:
    mv s0, a0
    li s1, 0
    li s3, 0
    andi t0, s0, 1
    slli t0, t0, 3
    li s2, USER_TEST_DATA_VA
    add s2, s2, t0
1:  addi s1, s1, 1
    slli t0, s0, 32
    or t0, t0, s1
    sd t0, 0(s2)
    mv a0, s0
    mv a1, s1
    mv a2, s3
    li a7, USER_TEST_SYS_YIELD
user_prog_counter_call:
    ecall
    add s3, s3, a0
    j 1b

riscv_user_programs_end:
    .option pop

/*
 * int riscv_test_kernel_registers_survive(struct user_context *ctx, struct user_trap *trap)
 * (kernel code): see riscv/user_tests.h.
 */
#define FRAME 128
    .section .text
    .globl riscv_test_kernel_registers_survive
riscv_test_kernel_registers_survive:
    addi sp, sp, -FRAME
    sd ra, 0(sp)
    sd gp, 8(sp)
    sd tp, 16(sp)
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    sd s\n, (24 + 8 * \n)(sp)
    .endr
    lla t0, saved_sp
    sd sp, 0(t0)

    .irp n, USER_TEST_KERNEL_REGISTERS
    li x\n, USER_TEST_KERNEL_PATTERN(\n)
    .endr
    call arch_user_run

    lla t0, saved_sp
    ld t0, 0(t0)
    li a0, 2
    bne sp, t0, 2f
    .irp n, USER_TEST_KERNEL_REGISTERS
    li t0, USER_TEST_KERNEL_PATTERN(\n)
    li a0, \n
    bne x\n, t0, 2f
    .endr
    li a0, 0
2:  ld ra, 0(sp)
    ld gp, 8(sp)
    ld tp, 16(sp)
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    ld s\n, (24 + 8 * \n)(sp)
    .endr
    addi sp, sp, FRAME
    ret

    .section .bss
    .balign 8
saved_sp:
    .dword 0
