/*
 * x86_64 trap entry: the frame vectors.S builds, the exception vectors we
 * name, and the functions that install the IDT and handle a trap.
 */
#pragma once

#include <pagoda/fault.h>
#include <pagoda/types.h>
#include <x86_64/descriptors.h>

/* Exception vectors (SDM vol. 3, table 6-1) the code refers to by name. */
#define X86_VECTOR_DIVIDE_ERROR 0
#define X86_VECTOR_NMI 2
#define X86_VECTOR_BREAKPOINT 3
#define X86_VECTOR_INVALID_OPCODE 6
#define X86_VECTOR_DOUBLE_FAULT 8
#define X86_VECTOR_INVALID_TSS 10
#define X86_VECTOR_SEGMENT_NOT_PRESENT 11
#define X86_VECTOR_STACK_SEGMENT 12
#define X86_VECTOR_GENERAL_PROTECTION 13
#define X86_VECTOR_PAGE_FAULT 14
#define X86_VECTOR_MACHINE_CHECK 18
#define X86_EXCEPTION_VECTORS 32
/* int $0x80: the system call of include/arch/user.h, the one gate ring 3 may raise besides #BP. */
#define X86_VECTOR_SYSCALL 0x80
#define X86_IDT_VECTORS 256

/*
 * What vectors.S pushes, lowest address first: the general registers, then
 * the vector and error code (0 when the CPU pushes none), then the CPU's
 * own frame.
 */
struct trap_frame {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t vector;
    uint64_t error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "vectors.S pushes 22 words");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == 15 * 8,
               "vectors.S pushes 15 general registers below the vector");

/* Fill the IDT with the exception stubs and load it. Needs x86_gdt_init() first. */
void x86_trap_init(void);

/* The IDT itself, for the tests. */
const void *x86_idt_base(void);
size_t x86_idt_size(void);

/*
 * Called by vectors.S for every trap; returning resumes the interrupted code.
 * A trap from user mode does not return: it ends the thread's turn
 * (x86_user_trap, user.c).
 */
void x86_trap_dispatch(struct trap_frame *frame);

/* Whether FRAME interrupted ring 3: the privilege level of its saved CS. */
static inline bool x86_trap_from_user(const struct trap_frame *frame)
{
    return (frame->cs & X86_SELECTOR_RPL_MASK) != X86_PRIVILEGE_KERNEL;
}

/*
 * The arch-neutral record of a page fault with error code ERROR_CODE at
 * instruction RIP, for the address ADDRESS (CR2).
 */
struct fault x86_page_fault_decode(uint64_t error_code, uint64_t rip, uint64_t address);

/*
 * A trap FRAME from user mode: save the thread's registers into the context
 * it runs in and return from its arch_user_run() (user.c).
 */
NORETURN void x86_user_trap(struct trap_frame *frame);

/* The exception's short and long names ("#PF", "page fault"). */
const char *x86_exception_mnemonic(uint64_t vector);
const char *x86_exception_name(uint64_t vector);

/*
 * Print the crash report for FRAME (FAULT, if not NULL, is its decoded page
 * fault; REASON, if not NULL, says why it could not be handled) and panic.
 */
NORETURN void x86_crash(const struct trap_frame *frame, const struct fault *fault,
                        const char *reason);
