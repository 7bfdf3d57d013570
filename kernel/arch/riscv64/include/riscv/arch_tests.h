/*
 * Shared by arch_tests.c and its assembly helper arch_tests_trap.S: which
 * registers the trap test fills, and with what.
 */
#pragma once

/* The value parked in xn: distinct per register, and unlike any address. */
#define RISCV_TEST_PATTERN(n) (((n) << 12) | 0x5a5)

/* All but zero, ra, sp, gp, tp, and t0/a0/a1 (which the probe routine uses). */
#define RISCV_TEST_CHECKED_REGISTERS \
    6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31

#ifndef __ASSEMBLER__
#include <pagoda/types.h>

/*
 * Fill the checked registers, fault in riscv_probe_load64 at FAULT_ADDR and
 * compare: 0 if all survived, -1 if the access did not fault, else the
 * number n of the first register xn that came back changed.
 */
int riscv_test_registers_survive_trap(uintptr_t fault_addr);
#endif
