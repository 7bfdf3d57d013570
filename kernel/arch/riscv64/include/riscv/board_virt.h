/*
 * Board note: QEMU "virt" (hw/riscv/virt.c in QEMU 7.2). Used only when the
 * devicetree cannot be read, to still report a panic with the right exit
 * status; everything else about the board comes from the devicetree. The
 * fallback console needs no address: it is the SBI legacy console.
 */
#pragma once

#define VIRT_TEST_DEVICE_BASE 0x100000ul /* sifive,test1 */
