/*
 * Facts about QEMU's "virt" board that the aarch64 code needs before (or
 * without) a devicetree. Used only as fallbacks: the devicetree is always
 * asked first. The RAM base the kernel is loaded at lives in linker.ld.
 * Usable from assembly.
 */
#pragma once

/*
 * The first PL011 UART, where QEMU's -serial output goes. (No suffix:
 * boot.S maps it too.)
 */
#define VIRT_UART0_BASE 0x09000000
