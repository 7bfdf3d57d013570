/*
 * The PL011 console driver (Arm PrimeCell UART PL011 Technical Reference
 * Manual, DDI 0183): wait while the transmit FIFO is full, then write the
 * data register. No interrupts, no receive, no line setup.
 */
#include "kernel/arch/aarch64/pl011.h"
#include "kernel/console.h"

#define PL011_DR 0x000             /* data register */
#define PL011_FR 0x018             /* flag register */
#define PL011_FR_TXFF (1u << 5)    /* transmit FIFO full */

static uintptr_t pl011_base;

static inline uint32_t pl011_read(uint32_t reg)
{
    return *(volatile uint32_t *)(pl011_base + reg);
}

static inline void pl011_write(uint32_t reg, uint32_t value)
{
    *(volatile uint32_t *)(pl011_base + reg) = value;
}

static void pl011_putc(char c)
{
    while (pl011_read(PL011_FR) & PL011_FR_TXFF)
        ;
    pl011_write(PL011_DR, (uint8_t)c);
}

static const struct console_driver pl011_driver = {
    .name = "pl011",
    .putc = pl011_putc,
};

void pl011_console_start(uint64_t base)
{
    pl011_base = (uintptr_t)base;
    console_register(&pl011_driver);
}

void pl011_console_move(uint64_t base)
{
    pl011_base = (uintptr_t)base;
}

uint64_t pl011_console_base(void)
{
    return pl011_base;
}
