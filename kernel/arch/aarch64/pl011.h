/*
 * The Arm PrimeCell UART (PL011) as the kernel console: output only, by
 * polling. The firmware or QEMU has already configured the line.
 */
#pragma once

#include <pagoda/types.h>

/* Register the PL011 whose registers are at address BASE (as mapped now) as the console. */
void pl011_console_start(uint64_t base);

/* The same UART is now mapped at BASE (after the switch to the kernel page directory). */
void pl011_console_move(uint64_t base);

/* The (virtual) base of the PL011 in use as the console, or 0 if none is registered yet. */
uint64_t pl011_console_base(void);
