/*
 * Arm semihosting (Arm IHI 0093): the few operations the kernel uses, and
 * the call itself (semihost.S). Without semihosting enabled in QEMU, every
 * call returns -E_NOTSUP instead of trapping (trap.c catches the hlt).
 */
#pragma once

#include <pagoda/types.h>

#define SEMIHOST_SYS_CLOCK 0x10 /* centiseconds since the run started */
#define SEMIHOST_SYS_EXIT 0x18  /* parameter: {reason, subcode} */

/* SYS_EXIT reason for a normal end of the program; the subcode is its exit status. */
#define SEMIHOST_ADP_STOPPED_APPLICATION_EXIT 0x20026

int64_t aarch64_semihost_call(uint64_t operation, uint64_t parameter);

/* The hlt instruction and where to resume if it is undefined (for trap.c). */
extern const char aarch64_semihost_insn[], aarch64_semihost_fixup[];
