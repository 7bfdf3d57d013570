/*
 * A device register mapped into user mode: the kernel maps the board's
 * test device (SYS_MAP_DEVICE) with the IO memory type and says which it
 * is; the program reads an identification register it knows the value of,
 * and on a serial port writes a line to the console itself.
 */
#include "ulib.h"

#define DEVICE_VA 0x30000000ul

/* ns16550a: transmit holding register, line status register and its "empty" bit. */
#define UART16550_THR 0
#define UART16550_LSR 5
#define UART16550_LSR_THRE 0x20u
/* PL011: data register, flag register and its "transmit FIFO full" bit; peripheral ID 0. */
#define PL011_DR 0x000
#define PL011_FR 0x018
#define PL011_FR_TXFF 0x20u
#define PL011_PERIPH_ID0 0xfe0
#define PL011_PERIPH_ID0_VALUE 0x11u
/* Local APIC: the version register; an integrated APIC reports 0x10-0x15. */
#define LAPIC_VERSION 0x30
#define LAPIC_VERSION_MASK 0xffu

static const char line[] = "mmio: written by user mode straight to the UART\n";

static uint8_t read8(uintptr_t a) { return *(volatile uint8_t *)a; }
static void write8(uintptr_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static uint32_t read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static void write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

int main(long arg)
{
    (void)arg;
    long kind = sys_map_device(DEVICE_VA);
    CHECK(kind > 0);
    uintptr_t base = DEVICE_VA;
    switch (kind) {
    case USER_DEVICE_UART16550:
        for (const char *c = line; *c; c++) {
            while (!(read8(base + UART16550_LSR) & UART16550_LSR_THRE)) {
            }
            write8(base + UART16550_THR, (uint8_t)*c);
        }
        return 0;
    case USER_DEVICE_PL011:
        CHECK((read32(base + PL011_PERIPH_ID0) & 0xffu) == PL011_PERIPH_ID0_VALUE);
        for (const char *c = line; *c; c++) {
            while (read32(base + PL011_FR) & PL011_FR_TXFF) {
            }
            write32(base + PL011_DR, (uint8_t)*c);
        }
        return 0;
    case USER_DEVICE_LOCAL_APIC: {
        uint32_t version = read32(base + LAPIC_VERSION) & LAPIC_VERSION_MASK;
        CHECK(version >= 0x10 && version <= 0x15);
        return 0;
    }
    }
    return 2;
}
