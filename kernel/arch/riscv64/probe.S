/*
 * Guarded accesses: each routine does one load or store that may trap. The
 * table at the end pairs every such instruction with the fixup to resume
 * at; riscv_trap_handle() looks the faulting pc up there (after giving a
 * page fault to fault_handle()), so a bad address makes the routine return
 * 1 instead of 0 rather than crash the kernel.
 */

    .section .text

/* int riscv_probe_load64(uintptr_t addr, uint64_t *value): *value untouched on a fault. */
    .globl riscv_probe_load64, riscv_probe_load64_insn
riscv_probe_load64:
riscv_probe_load64_insn:
    ld t0, 0(a0)
    sd t0, 0(a1)
    li a0, 0
    ret

/* int riscv_probe_store64(uintptr_t addr, uint64_t value) */
    .globl riscv_probe_store64, riscv_probe_store64_insn
riscv_probe_store64:
riscv_probe_store64_insn:
    sd a1, 0(a0)
    li a0, 0
    ret

/* int riscv_probe_store32(uintptr_t addr, uint32_t value): for 32-bit device registers. */
    .globl riscv_probe_store32
riscv_probe_store32:
riscv_probe_store32_insn:
    sw a1, 0(a0)
    li a0, 0
    ret

/*
 * int riscv_probe_execute(uintptr_t addr): call ADDR like a function and
 * return 0 when it returns. The fetch there is the guarded instruction, so
 * its address is ADDR itself: arch_probe_execute (cpu.c) tells
 * riscv_probe_fixup, which resumes a trap at ADDR here, returning 1.
 */
    .globl riscv_probe_execute, riscv_probe_execute_fault
riscv_probe_execute:
    addi sp, sp, -16
    sd ra, 8(sp)
    jalr a0
    li a0, 0
    j 1f
riscv_probe_execute_fault:
    li a0, 1
1:  ld ra, 8(sp)
    addi sp, sp, 16
    ret

/* A function that only returns: something executable for riscv_probe_execute. */
    .globl riscv_probe_return
riscv_probe_return:
    ret

/* Where every guarded instruction resumes after a trap: report the fault. */
probe_fault:
    li a0, 1
    ret

    .section .rodata
    .balign 8
    .globl riscv_probe_table, riscv_probe_table_end
riscv_probe_table:
    .dword riscv_probe_load64_insn, probe_fault
    .dword riscv_probe_store64_insn, probe_fault
    .dword riscv_probe_store32_insn, probe_fault
riscv_probe_table_end:
