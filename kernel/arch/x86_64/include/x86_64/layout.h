/*
 * Where the x86_64 kernel lives: its link and load addresses, the boot
 * stack, and the documented fault-test hole. linker.ld repeats the first
 * three numbers (a linker script cannot include this file); boot.c checks
 * at boot that the two agree.
 */
#pragma once

/* The kernel runs in the top 2 GiB (-mcmodel=kernel): virtual = this + physical. */
#define X86_KERNEL_VIRT_BASE 0xffffffff80000000
/* GRUB loads the image at 1 MiB physical, above the legacy BIOS area. */
#define X86_KERNEL_LOAD_PHYS 0x100000
/* The boot CPU's stack, with one unmapped guard page below it. */
#define X86_BOOT_STACK_SIZE 0x4000

/*
 * The fault-test hole: the start of the kernel window, X86_KERNEL_VIRT_BASE
 * up to the image at X86_KERNEL_VIRT_BASE + X86_KERNEL_LOAD_PHYS, is never
 * mapped by the boot tables, so any access there raises a not-present page
 * fault. arch_unmapped_address() returns its first byte.
 */
#define X86_FAULT_HOLE_VIRT X86_KERNEL_VIRT_BASE
#define X86_FAULT_HOLE_SIZE X86_KERNEL_LOAD_PHYS

/* The physical address of a kernel-image symbol (boot.S runs before paging). */
#define X86_KERNEL_PHYS(sym) ((sym) - X86_KERNEL_VIRT_BASE)
