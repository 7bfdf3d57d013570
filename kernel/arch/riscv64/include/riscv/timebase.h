/*
 * The frequency of the time CSR (rdtime), which the devicetree gives as
 * /cpus/timebase-frequency (10 MHz on QEMU virt). cpu.c turns it into
 * arch_cycle_counter_scale() for the benchmarks.
 */
#pragma once

#include <pagoda/types.h>

/* Record the time CSR's frequency in Hz (0: unknown). */
void riscv_timebase_set(uint64_t hz);
