/*
 * How a run ends on riscv64: the SiFive test device ("sifive,test0/1" in the
 * devicetree; QEMU virt has one) turns a 32-bit write into a power-off with
 * a status QEMU passes on as its own exit status. Without one, SBI system
 * reset (which QEMU always reports as exit 0). cpu.c's arch_poweroff uses it.
 */
#pragma once

#include <pagoda/types.h>

/* The test device's finisher register (offset 0): low 16 bits a command, high 16 a code. */
#define SIFIVE_TEST_FAIL 0x3333u /* exit with (value >> 16) as the status */
#define SIFIVE_TEST_PASS 0x5555u /* exit 0 */
#define SIFIVE_TEST_CODE_SHIFT 16
#define SIFIVE_TEST_REG_SIZE 4

/*
 * Use the test device at BASE for arch_poweroff: its physical address under
 * the boot map (which identity-maps it), its address in the device window
 * once the kernel page directory is active.
 */
void riscv_exit_set_test_device(uint64_t base);

/* The test device's address as last set, or 0 if none. */
uint64_t riscv_exit_test_device(void);
