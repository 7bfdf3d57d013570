/*
 * The console driver for a 16550-compatible UART reached through x86 port
 * I/O. Polled output only: the kernel prints with interrupts off and must be
 * able to print from a trap handler or a panic. Register layout from the
 * 16550D data sheet (National Semiconductor).
 */
#include "kernel/arch/x86_64/uart16550.h"
#include "kernel/console.h"
#include <x86_64/instr.h>

/* Register offsets from the base port. */
#define UART_DATA 0          /* transmit holding / receive buffer (DLAB=0) */
#define UART_DIVISOR_LOW 0   /* DLAB=1 */
#define UART_INTERRUPT_ENABLE 1
#define UART_DIVISOR_HIGH 1  /* DLAB=1 */
#define UART_FIFO_CONTROL 2
#define UART_LINE_CONTROL 3
#define UART_MODEM_CONTROL 4
#define UART_LINE_STATUS 5

#define UART_LCR_8N1 0x03        /* 8 data bits, no parity, 1 stop bit */
#define UART_LCR_DLAB 0x80       /* divisor latch access */
#define UART_FCR_ENABLE_CLEAR 0x07 /* enable the FIFOs and clear both */
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR_THR_EMPTY 0x20  /* room for another byte */
#define UART_CLOCK_HZ 1843200    /* the standard 1.8432 MHz crystal */
#define UART_CLOCK_DIVIDE 16
/* How long to wait for a stuck transmitter before dropping a byte. */
#define UART_SPIN_LIMIT 100000

static uint16_t uart_port;

static void uart16550_putc(char c)
{
    for (int spin = 0; spin < UART_SPIN_LIMIT; spin++) {
        if (x86_inb(uart_port + UART_LINE_STATUS) & UART_LSR_THR_EMPTY)
            break;
    }
    x86_outb(uart_port + UART_DATA, (uint8_t)c);
}

static const struct console_driver uart16550_console = {
    .name = "uart16550",
    .putc = uart16550_putc,
};

void uart16550_console_init(uint16_t port, uint32_t baud)
{
    uint32_t divisor = UART_CLOCK_HZ / UART_CLOCK_DIVIDE / baud;

    uart_port = port;
    x86_outb(port + UART_INTERRUPT_ENABLE, 0);
    x86_outb(port + UART_LINE_CONTROL, UART_LCR_DLAB);
    x86_outb(port + UART_DIVISOR_LOW, (uint8_t)divisor);
    x86_outb(port + UART_DIVISOR_HIGH, (uint8_t)(divisor >> 8));
    x86_outb(port + UART_LINE_CONTROL, UART_LCR_8N1);
    x86_outb(port + UART_FIFO_CONTROL, UART_FCR_ENABLE_CLEAR);
    x86_outb(port + UART_MODEM_CONTROL, UART_MCR_DTR_RTS);
    console_register(&uart16550_console);
}
