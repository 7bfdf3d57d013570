/*
 * A test helper for arch_tests.c: does a trap keep every register the
 * interrupted code owns? It loads a distinct value into each saved-by-trap
 * register the probe routine does not use, faults in riscv_probe_load64 at
 * the address it is given, and compares them all afterwards.
 *
 * int riscv_test_registers_survive_trap(uintptr_t fault_addr)
 *   returns 0 if all survived, -1 if the access did not fault, else the
 *   number n of the first register xn that came back changed.
 */

#include "riscv/arch_tests.h"

#define CHECKED RISCV_TEST_CHECKED_REGISTERS
#define PATTERN RISCV_TEST_PATTERN
#define FRAME 112

    .section .text
    .globl riscv_test_registers_survive_trap
riscv_test_registers_survive_trap:
    addi sp, sp, -FRAME
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    .irp n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    sd s\n, (8 + 8 * \n)(sp)
    .endr

    .irp n, CHECKED
    li x\n, PATTERN(\n)
    .endr
    addi a1, sp, 104              /* where a successful load would put its value */
    call riscv_probe_load64       /* a0 is still fault_addr */
    beqz a0, no_fault

    .irp n, CHECKED
    li t0, PATTERN(\n)
    li a0, \n
    bne x\n, t0, done
    .endr
    li a0, 0
    j done
no_fault:
    li a0, -1
done:
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    .irp n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    ld s\n, (8 + 8 * \n)(sp)
    .endr
    addi sp, sp, FRAME
    ret
