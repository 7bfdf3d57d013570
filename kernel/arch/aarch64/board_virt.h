/*
 * Facts about QEMU's "virt" board that the aarch64 code needs before (or
 * without) a devicetree. Used only as fallbacks: the devicetree is always
 * asked first. The RAM base the kernel is linked for lives in linker.ld.
 */
#pragma once

/* The first PL011 UART, where QEMU's -serial output goes. */
#define VIRT_UART0_BASE 0x09000000u
