/*
 * The Arm PrimeCell UART (PL011) as the kernel console: output only, by
 * polling. The firmware or QEMU has already configured the line.
 */
#pragma once

#include <pagoda/types.h>

/* Register the PL011 at physical (identity-mapped) address BASE as the console. */
void pl011_console_start(uint64_t base);

/* The base of the PL011 in use as the console, or 0 if none is registered yet. */
uint64_t pl011_console_base(void);
