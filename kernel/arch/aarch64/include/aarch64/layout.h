/*
 * Where the kernel image lies in memory: the symbols linker.ld defines, the
 * offset between its link and load addresses, and the boot stack's shape,
 * which vectors.S relies on to detect overflow.
 */
#pragma once

/*
 * The kernel runs in the TTBR1 half of the address space: linker.ld links
 * it at its physical load address plus this offset (and repeats the
 * number; boot.S halts if the two disagree). Physical = virtual - offset
 * for every address in the image. The offset keeps the low 32 bits, so the
 * 2 MiB and 32 KiB alignments below hold for both addresses.
 */
#define KERNEL_VIRT_OFFSET 0xffffffff00000000

/*
 * The boot stack is BOOT_STACK_SIZE bytes starting at an address aligned to
 * twice that, with an unmapped guard page just below it. Every address on
 * the stack therefore has bit BOOT_STACK_SHIFT clear, and every address in
 * the guard page (and the BOOT_STACK_SIZE bytes below) has it set: one
 * tbnz in the vector tells an overflowed stack from a good one. linker.ld
 * repeats these numbers; boot.c checks that both agree.
 */
#define BOOT_STACK_SHIFT 14
#define BOOT_STACK_SIZE (1 << BOOT_STACK_SHIFT)
#define BOOT_STACK_GUARD_SIZE 4096
/*
 * The stack a stack overflow is reported on: also at an address aligned to
 * 2 * BOOT_STACK_SIZE, so the same check passes on it.
 */
#define TRAP_EMERGENCY_STACK_SIZE 8192

#ifndef __ASSEMBLER__
/* Link (virtual) addresses; subtract KERNEL_VIRT_OFFSET for the physical ones. */
extern char __kernel_start[];   /* the Image header, first byte loaded */
extern char __text_end[];       /* end of code (page aligned) */
extern char __rodata_end[];     /* end of read-only data and ktest_cases (page aligned) */
extern char __bss_start[], __bss_end[];
extern char __boot_stack_guard[]; /* the unmapped page below the boot stack */
extern char __boot_stack_bottom[], __boot_stack_top[];
extern char __trap_emergency_stack_bottom[], __trap_emergency_stack_top[];
extern char __kernel_end[];     /* end of everything the image occupies, incl. .bss and stack */
#endif
