/*
 * The 16550 UART on an x86 I/O port as the kernel console (COM1 on the PC).
 */
#pragma once

#include <pagoda/types.h>

/* Program the UART at PORT for BAUD 8N1, polled, and register it as the console. */
void uart16550_console_init(uint16_t port, uint32_t baud);
