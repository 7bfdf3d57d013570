/*
 * x86_64 trap entry: the frame vectors.S builds, the exception vectors we
 * name, and the functions that install the IDT and handle a trap. The
 * vector numbers and TRAP_PUSH_REGISTERS are for the assembler too.
 */
#pragma once

#include <x86_64/descriptors.h>
#include <x86_64/paging.h>

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

/* The byte offset of the saved CS in a struct trap_frame: its low bits say which ring trapped. */
#define X86_TRAP_FRAME_CS_OFFSET (18 * 8)

#ifdef __ASSEMBLER__
/*
 * The general registers of a struct trap_frame, pushed under the vector
 * (r15 first, so rax ends at the lowest address): the common path of
 * vectors.S and the system-call stub of user_entry.S.
 */
.macro TRAP_PUSH_REGISTERS
    pushq %r15
    pushq %r14
    pushq %r13
    pushq %r12
    pushq %r11
    pushq %r10
    pushq %r9
    pushq %r8
    pushq %rbp
    pushq %rdi
    pushq %rsi
    pushq %rdx
    pushq %rcx
    pushq %rbx
    pushq %rax
.endm
#else
#include <pagoda/fault.h>
#include <pagoda/types.h>

/*
 * What a trap pushes, lowest address first: the general registers
 * (TRAP_PUSH_REGISTERS), then the vector and error code (0 when the CPU
 * pushes none), then the CPU's own frame.
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
_Static_assert(__builtin_offsetof(struct trap_frame, cs) == X86_TRAP_FRAME_CS_OFFSET,
               "vectors.S tests the saved CS at X86_TRAP_FRAME_CS_OFFSET");

/* Fill the IDT with the exception stubs and load it. Needs x86_gdt_init() first. */
void x86_trap_init(void);

/* The IDT itself, for the tests. */
const void *x86_idt_base(void);
size_t x86_idt_size(void);

/*
 * Called by vectors.S for every trap taken in kernel mode; returning
 * resumes the interrupted code. A trap from user mode never comes here: it
 * lands in the thread's context and ends its turn (user_entry.S), unless
 * it is not where TSS.rsp0 put it (x86_user_trap_stray).
 */
void x86_trap_dispatch(struct trap_frame *frame);

/* Whether FRAME interrupted ring 3: the privilege level of its saved CS. */
static inline bool x86_trap_from_user(const struct trap_frame *frame)
{
    return (frame->cs & X86_SELECTOR_RPL_MASK) != X86_PRIVILEGE_KERNEL;
}

/*
 * The arch-neutral record of a page fault with error code CODE at
 * instruction RIP, for the address ADDRESS (CR2). Inline: the user trap
 * path (user.c) and the kernel's (trap.c) both decode with it.
 */
static inline struct fault x86_page_fault_decode(uint64_t code, uint64_t rip, uint64_t address)
{
    return (struct fault){
        .addr = vaddr(address),
        .pc = rip,
        .access = (code & X86_PF_FETCH)   ? FAULT_EXECUTE
                  : (code & X86_PF_WRITE) ? FAULT_WRITE
                                          : FAULT_READ,
        .cause = (code & X86_PF_PROTECTION) ? FAULT_PROTECTION : FAULT_NOT_PRESENT,
        .mode = (code & X86_PF_USER) ? FAULT_USER : FAULT_KERNEL,
    };
}

/*
 * A trap FRAME from user mode that did not land in the running thread's
 * context (a #DF on its IST stack): the crash report (user.c).
 */
NORETURN void x86_user_trap_stray(struct trap_frame *frame);

/* The exception's short and long names ("#PF", "page fault"). */
const char *x86_exception_mnemonic(uint64_t vector);
const char *x86_exception_name(uint64_t vector);

/*
 * Print the crash report for FRAME (FAULT, if not NULL, is its decoded page
 * fault; REASON, if not NULL, says why it could not be handled) and panic.
 */
NORETURN void x86_crash(const struct trap_frame *frame, const struct fault *fault,
                        const char *reason);
#endif
