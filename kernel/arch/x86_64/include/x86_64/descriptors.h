/*
 * x86_64 segment and gate descriptor formats (Intel SDM vol. 3, 3.4.5, 6.14,
 * 7.2.3): the GDT entries, the selectors the kernel uses, the 64-bit TSS and
 * IDT gates. Shared by boot.S (its transition GDT), gdt.c, trap.c and
 * user_entry.S.
 */
#pragma once

#include <x86_64/regs.h>

/* Code/data segment descriptor bits (one 8-byte GDT entry). */
#define X86_SEG_ACCESSED X86_BIT(40)  /* set up front so the CPU never writes the GDT */
#define X86_SEG_RW X86_BIT(41)        /* readable code / writable data */
#define X86_SEG_CODE X86_BIT(43)
#define X86_SEG_NOT_SYSTEM X86_BIT(44) /* S: a code or data segment */
#define X86_SEG_DPL_SHIFT 45          /* descriptor privilege level, bits 45-46 */
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

/* Privilege levels: ring 0 is the kernel, ring 3 user mode. */
#define X86_PRIVILEGE_KERNEL 0
#define X86_PRIVILEGE_USER 3
#define X86_SEG_DPL(level) ((level) * X86_BIT(X86_SEG_DPL_SHIFT))

/* User mode's segments: the kernel's, reachable from ring 3. */
#define X86_GDT_USER_CODE64 (X86_GDT_KERNEL_CODE64 | X86_SEG_DPL(X86_PRIVILEGE_USER))
#define X86_GDT_USER_DATA (X86_GDT_KERNEL_DATA | X86_SEG_DPL(X86_PRIVILEGE_USER))

/*
 * GDT slots; a selector is slot * 8 with the requested privilege level in its
 * low two bits. The TSS takes two slots. User data sits right below user
 * code, the order SYSRET needs (it loads SS from STAR's base + 8 and CS from
 * base + 16), so a faster system-call entry can come without a new layout.
 */
#define X86_GDT_SLOT_NULL 0
#define X86_GDT_SLOT_KERNEL_CODE 1
#define X86_GDT_SLOT_KERNEL_DATA 2
#define X86_GDT_SLOT_USER_DATA 3
#define X86_GDT_SLOT_USER_CODE 4
#define X86_GDT_SLOT_TSS 5
#define X86_GDT_SLOTS 7
#define X86_SELECTOR(slot) ((slot) * 8)
#define X86_KERNEL_CODE_SELECTOR X86_SELECTOR(X86_GDT_SLOT_KERNEL_CODE)
#define X86_KERNEL_DATA_SELECTOR X86_SELECTOR(X86_GDT_SLOT_KERNEL_DATA)
#define X86_USER_CODE_SELECTOR (X86_SELECTOR(X86_GDT_SLOT_USER_CODE) | X86_PRIVILEGE_USER)
#define X86_USER_DATA_SELECTOR (X86_SELECTOR(X86_GDT_SLOT_USER_DATA) | X86_PRIVILEGE_USER)
#define X86_TSS_SELECTOR X86_SELECTOR(X86_GDT_SLOT_TSS)
#define X86_SELECTOR_RPL_MASK 3

/*
 * Segment-selector error codes (#TS, #NP, #SS, #GP; SDM vol. 3, 6.13): the
 * index of the GDT slot, LDT selector or IDT vector at fault, and flags.
 */
#define X86_SELECTOR_ERROR_EXTERNAL X86_BIT(0)
#define X86_SELECTOR_ERROR_IDT X86_BIT(1)
#define X86_SELECTOR_ERROR_LDT X86_BIT(2)
#define X86_SELECTOR_ERROR_INDEX_SHIFT 3

/* System descriptor (TSS) fields: a 16-byte entry. */
#define X86_SYS_TYPE_TSS64_AVAILABLE 0x9
#define X86_SYS_TYPE_SHIFT 40
#define X86_SYS_PRESENT X86_BIT(47)

/* IDT gate fields: a 16-byte entry. */
#define X86_GATE_TYPE_INTERRUPT 0xe /* clears IF on entry */
#define X86_GATE_TYPE_SHIFT 40
#define X86_GATE_DPL_SHIFT 45 /* the least privileged ring that may raise it with INT n */
#define X86_GATE_DPL_MASK 0x3
#define X86_GATE_PRESENT X86_BIT(47)
#define X86_GATE_SELECTOR_SHIFT 16
#define X86_GATE_IST_SHIFT 32
#define X86_GATE_IST_MASK 0x7

/* Interrupt stack table slots (1-based, 0 means "stay on the current stack"). */
#define X86_IST_NONE 0
#define X86_IST_DOUBLE_FAULT 1
#define X86_IST_COUNT 7

/* Where the TSS keeps rsp[0], the stack a trap from ring 3 switches to (for user_entry.S). */
#define X86_TSS_RSP0_OFFSET 4

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
_Static_assert(__builtin_offsetof(struct x86_tss, rsp) == X86_TSS_RSP0_OFFSET,
               "user_entry.S stores rsp[0] at X86_TSS_RSP0_OFFSET");

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

/*
 * The boot CPU's TSS (gdt.c). Its rsp[0] is the stack a trap from user
 * mode lands on: user_entry.S points it at the end of the trap frame in the
 * running thread's context on every entry to user mode (x86_64/user.h).
 */
extern struct x86_tss x86_tss;

/* Set up the GDT and the TSS of the boot CPU (gdt.c). */
void x86_gdt_init(void);
/* The double-fault stack, for the crash report and the tests. */
uintptr_t x86_double_fault_stack_top(void);
size_t x86_double_fault_stack_size(void);
#endif
