/*
 * x86_64 segment and gate descriptor formats (Intel SDM vol. 3, 3.4.5, 6.14,
 * 7.2.3): the GDT entries, the selectors the kernel uses, the 64-bit TSS and
 * IDT gates. Shared by boot.S (its transition GDT), gdt.c and trap.c.
 */
#pragma once

#include <x86_64/regs.h>

/* Code/data segment descriptor bits (one 8-byte GDT entry). */
#define X86_SEG_ACCESSED X86_BIT(40)  /* set up front so the CPU never writes the GDT */
#define X86_SEG_RW X86_BIT(41)        /* readable code / writable data */
#define X86_SEG_CODE X86_BIT(43)
#define X86_SEG_NOT_SYSTEM X86_BIT(44) /* S: a code or data segment */
#define X86_SEG_PRESENT X86_BIT(47)
#define X86_SEG_LONG X86_BIT(53)       /* L: 64-bit code */
#define X86_SEG_32BIT X86_BIT(54)      /* D/B: must be 0 when L is set */
#define X86_SEG_GRANULAR X86_BIT(55)   /* limit counts 4 KiB units */
#define X86_SEG_LIMIT_MAX 0x000f00000000ffff /* limit 0xfffff, split across the entry */

#define X86_GDT_KERNEL_CODE64                                                        \
    (X86_SEG_ACCESSED | X86_SEG_RW | X86_SEG_CODE | X86_SEG_NOT_SYSTEM |            \
     X86_SEG_PRESENT | X86_SEG_LONG | X86_SEG_GRANULAR | X86_SEG_LIMIT_MAX)
#define X86_GDT_KERNEL_DATA                                                          \
    (X86_SEG_ACCESSED | X86_SEG_RW | X86_SEG_NOT_SYSTEM | X86_SEG_PRESENT |          \
     X86_SEG_32BIT | X86_SEG_GRANULAR | X86_SEG_LIMIT_MAX)

/* GDT slots; a selector is slot * 8 with RPL 0. The TSS takes two slots. */
#define X86_GDT_SLOT_NULL 0
#define X86_GDT_SLOT_KERNEL_CODE 1
#define X86_GDT_SLOT_KERNEL_DATA 2
#define X86_GDT_SLOT_TSS 3
#define X86_GDT_SLOTS 5
#define X86_SELECTOR(slot) ((slot) * 8)
#define X86_KERNEL_CODE_SELECTOR X86_SELECTOR(X86_GDT_SLOT_KERNEL_CODE)
#define X86_KERNEL_DATA_SELECTOR X86_SELECTOR(X86_GDT_SLOT_KERNEL_DATA)
#define X86_TSS_SELECTOR X86_SELECTOR(X86_GDT_SLOT_TSS)
#define X86_SELECTOR_RPL_MASK 3

/* System descriptor (TSS) fields: a 16-byte entry. */
#define X86_SYS_TYPE_TSS64_AVAILABLE 0x9
#define X86_SYS_TYPE_SHIFT 40
#define X86_SYS_PRESENT X86_BIT(47)

/* IDT gate fields: a 16-byte entry. */
#define X86_GATE_TYPE_INTERRUPT 0xe /* clears IF on entry */
#define X86_GATE_TYPE_SHIFT 40
#define X86_GATE_PRESENT X86_BIT(47)
#define X86_GATE_SELECTOR_SHIFT 16
#define X86_GATE_IST_SHIFT 32
#define X86_GATE_IST_MASK 0x7

/* Interrupt stack table slots (1-based, 0 means "stay on the current stack"). */
#define X86_IST_NONE 0
#define X86_IST_DOUBLE_FAULT 1
#define X86_IST_COUNT 7

#ifndef __ASSEMBLER__
#include <pagoda/types.h>

/* The 64-bit task-state segment: only the stack pointers matter in long mode. */
struct x86_tss {
    uint32_t reserved0;
    uint64_t rsp[3];              /* stacks for entry from rings 0-2 */
    uint64_t reserved1;
    uint64_t ist[X86_IST_COUNT];  /* ist[n - 1] is IST slot n */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;          /* past the limit: no I/O permission bitmap */
} __attribute__((packed));
_Static_assert(sizeof(struct x86_tss) == 104, "the 64-bit TSS is 104 bytes");

/* One IDT gate, as two little-endian words. */
struct x86_idt_gate {
    uint64_t low;
    uint64_t high;
};
_Static_assert(sizeof(struct x86_idt_gate) == 16, "a 64-bit IDT gate is 16 bytes");

/* The operand of lgdt/lidt/sgdt/sidt. */
struct x86_table_register {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

/* Set up the GDT and the TSS of the boot CPU (gdt.c). */
void x86_gdt_init(void);
/* The double-fault stack, for the crash report and the tests. */
uintptr_t x86_double_fault_stack_top(void);
size_t x86_double_fault_stack_size(void);
#endif
