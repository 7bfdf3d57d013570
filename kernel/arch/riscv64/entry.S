/*
 * The first instructions of the riscv64 kernel. OpenSBI enters here in
 * S-mode with the MMU off (satp = 0), interrupts masked, a0 = this hart's
 * id and a1 = the physical address of the devicetree, at the image's
 * physical load address. The kernel is linked in the kernel half
 * (riscv/layout.h), so until the jump below only PC-relative addressing
 * (lla, call) works: it yields physical addresses.
 *
 * In order: pick one boot hart, check that we were loaded where we were
 * linked, clear .bss, build the boot map (riscv/boot_map.h), turn on
 * paging (Sv48 if the hart takes it, else Sv39), jump to the kernel-half
 * address of high_entry through an absolute literal, and there set the
 * stack and call arch_boot_main(a0, a1).
 */
#include "riscv/boot_map.h"
#include "riscv/csr.h"
#include "riscv/layout.h"
#include "riscv/sbi.h"

#define BOOT_STACK_SIZE (16 * 1024)
#define BSS_WORD 8

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
    lla t0, boot_hart_lottery
    li t1, 1
    amoadd.w t1, t1, (t0)
    bnez t1, park

    mv s1, a0                   /* hart id and devicetree, for arch_boot_main */
    mv s2, a1

    /* Linked address minus where we run: anything but the offset breaks the alias below. */
    lla t0, high_entry
    ld t1, high_entry_address
    sub t2, t1, t0
    li t3, RISCV_KERNEL_VIRT_OFFSET
    lla a0, msg_misplaced
    bne t2, t3, early_panic

    /* .bss holds the boot map too: clear it first, through physical addresses. */
    lla t0, __bss_start
    lla t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, BSS_WORD
    j 1b
2:

    /* boot_root_sv39[i] = identity gigapage i, for the low 256 GiB. */
    lla t0, boot_root_sv39
    li t1, 0
    li t2, BOOT_MAP_IDENTITY_GIGAPAGES
    li t3, BOOT_MAP_LEAF_FLAGS
3:  slli t4, t1, BOOT_MAP_GIGAPAGE_SHIFT - BOOT_MAP_PAGE_SHIFT + BOOT_MAP_PTE_PPN_SHIFT
    or t4, t4, t3
    slli t5, t1, 3              /* * BOOT_MAP_ENTRY_SIZE */
    add t5, t5, t0
    sd t4, 0(t5)
    addi t1, t1, 1
    bltu t1, t2, 3b

    /* The gigapage holding the image, again at its kernel-half slot. */
    lla t1, _start
    srli t4, t1, BOOT_MAP_GIGAPAGE_SHIFT
    slli t4, t4, BOOT_MAP_GIGAPAGE_SHIFT - BOOT_MAP_PAGE_SHIFT + BOOT_MAP_PTE_PPN_SHIFT
    or t4, t4, t3
    li t5, RISCV_KERNEL_VIRT_OFFSET
    add t5, t5, t1
    srli t5, t5, BOOT_MAP_GIGAPAGE_SHIFT
    andi t5, t5, BOOT_MAP_ENTRIES - 1
    slli t5, t5, 3              /* * BOOT_MAP_ENTRY_SIZE */
    add t5, t5, t0
    sd t4, 0(t5)

    /* boot_root_sv48: its lowest and highest entries point at boot_root_sv39. */
    srli t4, t0, BOOT_MAP_PAGE_SHIFT
    slli t4, t4, BOOT_MAP_PTE_PPN_SHIFT
    ori t4, t4, BOOT_MAP_TABLE_FLAGS
    lla t1, boot_root_sv48
    sd t4, (BOOT_MAP_SV48_LOW_SLOT * BOOT_MAP_ENTRY_SIZE)(t1)
    li t5, BOOT_MAP_SV48_HIGH_SLOT * BOOT_MAP_ENTRY_SIZE
    add t5, t5, t1
    sd t4, 0(t5)

    /* Order the table stores before the walker's first reads of them. */
    sfence.vma zero, zero

    /*
     * Sv48 first. A hart without it ignores the whole satp write (privileged
     * spec 4.1.11) and stays in Bare mode, so reading satp back tells; a
     * hart with it translates the next fetch through the same map.
     */
    srli t0, t1, BOOT_MAP_PAGE_SHIFT
    li t2, SATP_MODE_SV48
    slli t2, t2, SATP_MODE_SHIFT
    or t0, t0, t2
    csrw satp, t0
    csrr t2, satp
    sfence.vma zero, zero
    beq t0, t2, paging_on

    lla t0, boot_root_sv39
    srli t0, t0, BOOT_MAP_PAGE_SHIFT
    li t2, SATP_MODE_SV39
    slli t2, t2, SATP_MODE_SHIFT
    or t0, t0, t2
    csrw satp, t0
    csrr t2, satp
    sfence.vma zero, zero
    beq t0, t2, paging_on

    lla a0, msg_no_paging
    j early_panic

paging_on:
    /* An absolute address: the only way up from the identity alias. */
    ld t0, high_entry_address
    jr t0

high_entry:
    /* Now in the kernel half: lla gives kernel-half addresses from here on. */
    lla sp, boot_stack_top
    mv a0, s1
    mv a1, s2
    li s0, 0                    /* end of the frame-pointer chain */
    li ra, 0
    call arch_boot_main

park:
    wfi
    j park

/*
 * No C can run yet (its data holds kernel-half pointers), so print the
 * message at A0 through the SBI legacy console and ask the firmware to
 * power off. "KERNEL PANIC" is what the test harness looks for.
 */
early_panic:
    mv s3, a0
4:  lbu a0, 0(s3)
    beqz a0, 5f
    li a7, SBI_EXT_LEGACY_PUTCHAR
    ecall
    addi s3, s3, 1
    j 4b
5:  li a7, SBI_EXT_LEGACY_SHUTDOWN
    ecall
    j park

    .section .rodata.entry, "a", @progbits
    .balign 8
high_entry_address:
    .dword high_entry
msg_misplaced:
    .asciz "\nKERNEL PANIC: riscv64: the image is not at the physical address it was linked for (linker.ld KERNEL_LOAD_ADDRESS)\n"
msg_no_paging:
    .asciz "\nKERNEL PANIC: riscv64: the hart supports neither Sv48 nor Sv39 paging\n"

    .section .data.boot_hart_lottery, "aw", @progbits
    .balign 4
boot_hart_lottery:
    .word 0

    .section .bss.boot_map, "aw", @nobits
    .balign 4096
    .globl boot_root_sv39, boot_root_sv48
boot_root_sv39:
    .space BOOT_MAP_ENTRIES * BOOT_MAP_ENTRY_SIZE
boot_root_sv48:
    .space BOOT_MAP_ENTRIES * BOOT_MAP_ENTRY_SIZE

    /* Its own section, placed by linker.ld right above the unmapped guard page. */
    .section .boot_stack, "aw", @nobits
    .balign 16
    .globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    .space BOOT_STACK_SIZE
boot_stack_top:
