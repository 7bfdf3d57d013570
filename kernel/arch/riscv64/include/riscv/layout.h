/*
 * Where the kernel image lives: the symbols the linker script (linker.ld)
 * defines, and the constant offset between the kernel half, where the image
 * is linked and runs, and the physical memory it was loaded into. Sections
 * start and end on 4 KiB pages, so the kernel page directory can give each
 * its own rights. Shared by C and assembly.
 */
#pragma once

/*
 * virtual = physical + RISCV_KERNEL_VIRT_OFFSET for every byte of the image
 * (KERNEL_VIRT_OFFSET in linker.ld; entry.S checks that the two agree). A
 * multiple of 1 GiB, so the boot map can alias the image with one gigapage.
 */
#define RISCV_KERNEL_VIRT_OFFSET 0xffffffff00000000

#ifndef __ASSEMBLER__

extern char __kernel_start[]; /* first byte of the image (the entry point) */
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[]; /* .data and .bss together */
extern char __bss_start[], __bss_end[];
extern char __boot_stack_guard[];         /* one page, never mapped */
extern char boot_stack_bottom[], boot_stack_top[]; /* entry.S */
extern char __boot_stack_end[];
extern char __kernel_end[];               /* after the boot stack */

#endif /* __ASSEMBLER__ */
