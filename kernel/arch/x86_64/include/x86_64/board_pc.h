/*
 * Board note for the PC (QEMU q35, and i440FX which agrees on these): the
 * fixed I/O ports the x86_64 boot path uses before, or instead of, reading
 * any firmware table. The console is COM1 unconditionally: Multiboot2 does
 * not describe a serial port, so this is also the fallback console that
 * reports a broken boot information structure.
 */
#pragma once

/* COM1, a 16550 UART; QEMU's -serial connects here. */
#define PC_COM1_PORT 0x3f8
#define PC_UART_BAUD 115200

/*
 * QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,iosize=0x04):
 * writing V makes QEMU exit with status (V << 1) | 1. Statuses are written
 * as PC_DEBUG_EXIT_BIAS + status so that none collides with QEMU's own 1.
 */
#define PC_DEBUG_EXIT_PORT 0xf4
#define PC_DEBUG_EXIT_BIAS 0x10

/*
 * ACPI PM1a control register as SeaBIOS programs it on q35 and i440FX, and
 * the value that enters S5 (SLP_TYP=0 in bits 10-12 for QEMU's \_S5, SLP_EN
 * bit 13). QEMU then exits with status 0, so it can only report success.
 */
#define PC_ACPI_PM1A_CONTROL_PORT 0x604
#define PC_ACPI_PM1_SLEEP_S5 0x2000

/* PCI configuration mechanism #1, used to identify the host bridge (the board). */
#define PC_PCI_CONFIG_ADDRESS_PORT 0xcf8
#define PC_PCI_CONFIG_DATA_PORT 0xcfc
#define PC_PCI_CONFIG_ENABLE 0x80000000u
#define PC_PCI_VENDOR_INTEL 0x8086
#define PC_PCI_DEVICE_Q35_HOST 0x29c0   /* 82G33/G31/P35/P31 (MCH), QEMU's q35 */
#define PC_PCI_DEVICE_I440FX_HOST 0x1237 /* 440FX PMC, QEMU's pc */

#ifndef __ASSEMBLER__
/* The board's name, from the PCI host bridge at 00:00.0 (board.c). */
const char *pc_board_name(void);
#endif
