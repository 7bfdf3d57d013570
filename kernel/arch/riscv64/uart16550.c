/*
 * Output through a memory-mapped 16550 UART (the ns16550a of QEMU virt).
 * OpenSBI has already programmed the line (baud rate, 8N1) for its own
 * messages, so we only wait for room in the transmitter and write.
 */
#include "riscv/uart16550.h"

/* Register numbers (scaled by reg-shift) and the line-status bit we poll. */
#define UART_REG_THR 0 /* transmit holding register (write) */
#define UART_REG_LSR 5 /* line status register */
#define UART_REG_COUNT 8
#define UART_LSR_THRE 0x20 /* transmit holding register empty */

static volatile uint8_t *uart_base;
static uint32_t uart_shift;

static volatile uint8_t *uart_reg(unsigned reg)
{
    return uart_base + ((uintptr_t)reg << uart_shift);
}

static void uart16550_putc(char c)
{
    while ((*uart_reg(UART_REG_LSR) & UART_LSR_THRE) == 0)
        ;
    *uart_reg(UART_REG_THR) = (uint8_t)c;
}

static const struct console_driver uart16550_driver = {
    .name = "ns16550a",
    .putc = uart16550_putc,
};

const struct console_driver *uart16550_start(uint64_t base, uint32_t reg_shift)
{
    uart_base = (volatile uint8_t *)(uintptr_t)base;
    uart_shift = reg_shift;
    return &uart16550_driver;
}

void uart16550_move(uintptr_t base)
{
    uart_base = (volatile uint8_t *)base;
}

uint64_t uart16550_span(uint32_t reg_shift)
{
    return (uint64_t)UART_REG_COUNT << reg_shift;
}
