/*
 * The first instructions of the x86_64 kernel: the Multiboot2 header, the
 * 32-bit entry from GRUB, the switch to long mode and the jump into the
 * higher half, ending in arch_boot_main(magic, info_phys) (boot.c).
 *
 * GRUB enters at x86_boot_entry in 32-bit protected mode, paging off,
 * eax = Multiboot2 magic, ebx = physical address of the boot information,
 * no usable stack and no GDT we may rely on. The image is linked at
 * X86_KERNEL_VIRT_BASE + physical, so until paging is on every absolute
 * address here is written X86_KERNEL_PHYS(symbol).
 *
 * The early tables built here map physical 0-4 GiB twice, at itself (so the
 * instruction after "enable paging" still exists) and 0-2 GiB at the kernel
 * window, with 2 MiB pages and no protections. The kernel runs on them until
 * arch_boot_main() switches to the kernel page directory (kernel_vm_init).
 */
#include <x86_64/board_pc.h>
#include <x86_64/descriptors.h>
#include <x86_64/layout.h>
#include <x86_64/paging.h>

/* Multiboot2 header facts (Multiboot2 specification 2.0, section 3.1). */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_HEADER_ARCH_I386 0 /* 32-bit protected-mode entry */
#define MB2_HEADER_TAG_END 0
#define MB2_HEADER_TAG_ENTRY_ADDRESS 3
#define MB2_HEADER_TAG_ALIGN 8

/* The early identity map: 4 page directories of 2 MiB leaves = 4 GiB. */
#define EARLY_PD_COUNT 4
#define EARLY_TABLE_FLAGS (X86_PTE_PRESENT | X86_PTE_WRITABLE)
#define EARLY_LEAF_FLAGS (X86_PTE_PRESENT | X86_PTE_WRITABLE | X86_PTE_LARGE)
#define PTE_BYTES 8
/* The kernel window's PDPT slots: X86_KERNEL_VIRT_BASE is PML4 511, PDPT 510. */
#define KERNEL_PML4_SLOT 511
#define KERNEL_PDPT_SLOT 510

/* UART registers for the pre-C failure message (see uart16550.c). */
#define UART_LINE_STATUS 5
#define UART_LSR_THR_EMPTY 0x20
#define EXIT_PANIC_STATUS 2 /* include/arch/cpu.h, enum exit_status */

/* ---------------------------------------------------------------------- */
    .section .multiboot2, "a"
    .balign MB2_HEADER_TAG_ALIGN
mb2_header:
    .long MB2_HEADER_MAGIC
    .long MB2_HEADER_ARCH_I386
    .long mb2_header_end - mb2_header
    /* magic + architecture + length + checksum == 0 (mod 2^32) */
    .long 0x100000000 - (MB2_HEADER_MAGIC + MB2_HEADER_ARCH_I386 + (mb2_header_end - mb2_header))

    /* Enter at the physical address of x86_boot_entry, whatever the ELF says. */
    .balign MB2_HEADER_TAG_ALIGN
    .short MB2_HEADER_TAG_ENTRY_ADDRESS
    .short 0 /* flags: not optional */
    .long 12
    .long X86_KERNEL_PHYS(x86_boot_entry)

    .balign MB2_HEADER_TAG_ALIGN
    .short MB2_HEADER_TAG_END
    .short 0
    .long 8
mb2_header_end:

/* ---------------------------------------------------------------------- */
    .section .boot.text, "ax"
    .code32
    .globl x86_boot_entry
x86_boot_entry:
    cli
    cld
    /* Keep the loader's two words where nothing below touches them. */
    movl %eax, %ebp
    movl %ebx, %esi

    /* Long mode and NX are required: say so on COM1 if they are missing. */
    movl $X86_CPUID_EXT_MAX, %eax
    cpuid
    cmpl $X86_CPUID_EXT_FEATURES, %eax
    jb no_long_mode
    movl $X86_CPUID_EXT_FEATURES, %eax
    cpuid
    testl $X86_CPUID_EXT_EDX_LONG_MODE, %edx
    jz no_long_mode
    testl $X86_CPUID_EXT_EDX_NX, %edx
    jz no_nx

    /* Zero .bss, which holds the early tables and everything C expects zeroed. */
    movl $X86_KERNEL_PHYS(__bss_start), %edi
    movl $X86_KERNEL_PHYS(__bss_end), %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb

    /* Identity map 0-4 GiB: EARLY_PD_COUNT * 512 leaves of 2 MiB. */
    movl $X86_KERNEL_PHYS(early_pd), %edi
    movl $EARLY_LEAF_FLAGS, %eax
    movl $(EARLY_PD_COUNT * X86_PT_ENTRIES), %ecx
1:  movl %eax, (%edi)
    addl $X86_LARGE_PAGE_SIZE, %eax
    addl $PTE_BYTES, %edi
    loop 1b

    /* Low PDPT: one slot per page directory. */
    movl $X86_KERNEL_PHYS(early_pdpt_low), %edi
    movl $(X86_KERNEL_PHYS(early_pd) + EARLY_TABLE_FLAGS), %eax
    movl $EARLY_PD_COUNT, %ecx
2:  movl %eax, (%edi)
    addl $X86_PAGE_SIZE, %eax
    addl $PTE_BYTES, %edi
    loop 2b

    /* Kernel window: the last 2 GiB show physical 0-2 GiB (the first two PDs). */
    movl $(X86_KERNEL_PHYS(early_pd) + EARLY_TABLE_FLAGS), \
         X86_KERNEL_PHYS(early_pdpt_high) + KERNEL_PDPT_SLOT * PTE_BYTES
    movl $(X86_KERNEL_PHYS(early_pd) + X86_PAGE_SIZE + EARLY_TABLE_FLAGS), \
         X86_KERNEL_PHYS(early_pdpt_high) + (KERNEL_PDPT_SLOT + 1) * PTE_BYTES

    movl $(X86_KERNEL_PHYS(early_pdpt_low) + EARLY_TABLE_FLAGS), X86_KERNEL_PHYS(early_pml4)
    movl $(X86_KERNEL_PHYS(early_pdpt_high) + EARLY_TABLE_FLAGS), \
         X86_KERNEL_PHYS(early_pml4) + KERNEL_PML4_SLOT * PTE_BYTES

    /* PAE, then EFER.LME/NXE, then paging: the CPU is in long mode (compatibility). */
    movl $X86_KERNEL_PHYS(early_pml4), %eax
    movl %eax, %cr3
    movl %cr4, %eax
    orl $X86_CR4_PAE, %eax
    movl %eax, %cr4
    movl $X86_MSR_EFER, %ecx
    rdmsr
    orl $(X86_EFER_LME | X86_EFER_NXE), %eax
    wrmsr
    movl %cr0, %eax
    orl $(X86_CR0_PG | X86_CR0_WP | X86_CR0_PE), %eax
    movl %eax, %cr0

    /* A 64-bit code segment, and a far jump into it. */
    lgdt X86_KERNEL_PHYS(boot_gdt_register)
    ljmp $X86_KERNEL_CODE_SELECTOR, $X86_KERNEL_PHYS(long_mode_low)

/* Print the message at %esi on COM1, report a panic exit and stop. */
no_long_mode:
    movl $X86_KERNEL_PHYS(message_no_long_mode), %esi
    jmp boot_fail32
no_nx:
    movl $X86_KERNEL_PHYS(message_no_nx), %esi
boot_fail32:
    lodsb
    testb %al, %al
    jz 4f
    movb %al, %bl
    movw $(PC_COM1_PORT + UART_LINE_STATUS), %dx
3:  inb %dx, %al
    testb $UART_LSR_THR_EMPTY, %al
    jz 3b
    movw $PC_COM1_PORT, %dx
    movb %bl, %al
    outb %al, %dx
    jmp boot_fail32
4:  movl $(PC_DEBUG_EXIT_BIAS + EXIT_PANIC_STATUS), %eax
    outl %eax, $PC_DEBUG_EXIT_PORT
5:  hlt
    jmp 5b

    .code64
long_mode_low:
    /* 64-bit code, still at the physical address: go to the linked one. */
    movabsq $long_mode_high, %rax
    jmpq *%rax

/* ---------------------------------------------------------------------- */
    .text
long_mode_high:
    movw $X86_KERNEL_DATA_SELECTOR, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    leaq __boot_stack_top(%rip), %rsp
    /* The upper halves of the registers are undefined after the mode switch. */
    movl %ebp, %edi /* magic */
    movl %esi, %esi /* boot information, physical */
    xorl %ebp, %ebp /* ends the frame-pointer chain for backtraces */
    call arch_boot_main
    ud2 /* arch_boot_main does not return */

/* ---------------------------------------------------------------------- */
    .section .rodata
    .balign 16
/* The transition GDT; gdt.c installs the real one (same selectors plus a TSS). */
boot_gdt:
    .quad 0
    .quad X86_GDT_KERNEL_CODE64
    .quad X86_GDT_KERNEL_DATA
boot_gdt_end:
boot_gdt_register:
    .short boot_gdt_end - boot_gdt - 1
    .long X86_KERNEL_PHYS(boot_gdt)

message_no_long_mode:
    .asciz "\r\nKERNEL PANIC: boot: this CPU has no 64-bit long mode\r\n"
message_no_nx:
    .asciz "\r\nKERNEL PANIC: boot: this CPU has no NX (execute-disable) bit\r\n"

/* ---------------------------------------------------------------------- */
    .section .bss.early_tables, "aw", @nobits
    .balign X86_PAGE_SIZE
early_pml4:
    .skip X86_PAGE_SIZE
early_pdpt_low:
    .skip X86_PAGE_SIZE
early_pdpt_high:
    .skip X86_PAGE_SIZE
early_pd:
    .skip EARLY_PD_COUNT * X86_PAGE_SIZE
