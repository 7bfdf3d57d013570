/*
 * A polled output driver for a memory-mapped 16550-compatible UART
 * (ns16550a), as the devicetree describes it: a base address and a
 * reg-shift (register n lives at base + (n << shift)).
 */
#pragma once

#include "kernel/console.h"
#include <pagoda/types.h>

/*
 * Prepare the driver for the UART at BASE (an address the current page
 * tables map); the firmware has already set the line up.
 */
const struct console_driver *uart16550_start(uint64_t base, uint32_t reg_shift);

/* The same UART is now reached at BASE (the kernel page directory maps it elsewhere). */
void uart16550_move(uintptr_t base);

/* The bytes the driver touches from BASE (to map them). */
uint64_t uart16550_span(uint32_t reg_shift);
