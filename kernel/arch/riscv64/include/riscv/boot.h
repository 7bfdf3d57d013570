/*
 * The riscv64 boot path between the first instructions (entry.S) and
 * kmain(): arch_boot_main() builds struct boot_info, starts the console,
 * finds the exit device, turns on the MMU and hands over.
 */
#pragma once

#include <pagoda/types.h>

/* Called by entry.S on the boot stack, with OpenSBI's a0 and a1. */
NORETURN void arch_boot_main(unsigned long hart_id, uintptr_t dtb_phys);
