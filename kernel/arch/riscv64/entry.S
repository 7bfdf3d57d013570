/*
 * The first instructions of the riscv64 kernel. OpenSBI enters here in
 * S-mode with the MMU off (satp = 0), interrupts masked, a0 = this hart's
 * id and a1 = the physical address of the devicetree. We pick one boot
 * hart, set up the boot stack, clear .bss and call arch_boot_main(a0, a1).
 */
#include "riscv/csr.h"

#define BOOT_STACK_SIZE (16 * 1024)

    .section .text.entry, "ax", @progbits
    .globl _start
_start:
    csrw sie, zero              /* no interrupt source enabled until a driver asks */
    csrci sstatus, SSTATUS_SIE
    csrw sscratch, zero         /* 0: traps come from the kernel (user entry later) */

    /*
     * OpenSBI starts only the boot hart and keeps the others stopped (SBI
     * HSM), but firmware that releases every hart at once exists: the first
     * to arrive boots, the rest park here.
     */
    la t0, boot_hart_lottery
    li t1, 1
    amoadd.w t1, t1, (t0)
    bnez t1, park

    la sp, boot_stack_top

    /* .bss holds the stack too: nothing is on it yet. */
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:
    li s0, 0                    /* end of the frame-pointer chain */
    li ra, 0
    call arch_boot_main         /* a0 and a1 are still OpenSBI's */

park:
    wfi
    j park

    .section .data.boot_hart_lottery, "aw", @progbits
    .balign 4
boot_hart_lottery:
    .word 0

    .section .bss.boot_stack, "aw", @nobits
    .balign 16
    .globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    .space BOOT_STACK_SIZE
boot_stack_top:
