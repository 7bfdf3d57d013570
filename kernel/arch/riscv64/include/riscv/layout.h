/*
 * Symbols the linker script (linker.ld) defines for the kernel image. The
 * image runs where it is loaded, so each address is both physical and
 * virtual. Sections start and end on 4 KiB pages, so the boot tables can
 * give each its own permissions.
 */
#pragma once

extern char __kernel_start[]; /* first byte of the image (the entry point) */
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[]; /* .data and .bss together */
extern char __bss_start[], __bss_end[];
extern char __boot_hole_start[], __boot_hole_end[]; /* left unmapped */
extern char __kernel_end[];                         /* after the hole */
