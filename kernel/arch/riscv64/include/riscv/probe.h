/*
 * Guarded memory accesses (probe.S). Each routine performs exactly one load
 * or store; if that instruction traps, the trap handler finds its address in
 * the probe table and resumes at the routine's fixup, which returns 1
 * instead of 0. arch_probe_read/arch_probe_write (cpu.c) wrap them.
 */
#pragma once

#include <pagoda/types.h>

int riscv_probe_load64(uintptr_t addr, uint64_t *value);
int riscv_probe_store64(uintptr_t addr, uint64_t value);
int riscv_probe_store32(uintptr_t addr, uint32_t value);

/* Call ADDR; 1 if fetching there traps (arch_probe_execute arms the fixup first). */
int riscv_probe_execute(uintptr_t addr);
/* Where a trap at riscv_probe_execute's target resumes. */
extern char riscv_probe_execute_fault[];
/* A function that only returns, in the kernel's text: a target that executes. */
extern char riscv_probe_return[];

/* One guarded instruction and where to resume if it traps. */
struct riscv_probe_entry {
    uintptr_t insn;
    uintptr_t fixup;
};

extern const struct riscv_probe_entry riscv_probe_table[];
extern const struct riscv_probe_entry riscv_probe_table_end[];

/* The guarded instructions themselves, so tests can check the fault pc. */
extern char riscv_probe_load64_insn[];
extern char riscv_probe_store64_insn[];

/* The fixup for a trap at PC, or 0 if PC is not a guarded instruction. */
uintptr_t riscv_probe_fixup(uintptr_t pc);
