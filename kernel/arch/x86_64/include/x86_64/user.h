/*
 * How an x86_64 user thread lives in a struct user_context
 * (include/arch/user.h), and the kernel state entering user mode leaves on
 * the kernel stack. Shared by user.c and user_entry.S.
 *
 * A thread's context is the trap frame that stopped it: its first
 * X86_TRAP_FRAME_WORDS words are laid out exactly as a struct trap_frame
 * (trap.h: the 15 general registers, vector, error code, then rip, cs,
 * rflags, rsp, ss as the CPU pushed them), so saving a thread is one copy
 * of the frame and resuming it is the end of the ordinary trap return
 * (pop the registers, iretq). user.c checks every index against the
 * struct. After the frame comes CR2 as the trap found it.
 */
#pragma once

#define X86_TRAP_FRAME_WORDS 22

#define X86_USER_RAX 0
#define X86_USER_RBX 1
#define X86_USER_RCX 2
#define X86_USER_RDX 3
#define X86_USER_RSI 4
#define X86_USER_RDI 5
#define X86_USER_RBP 6
#define X86_USER_R8 7
#define X86_USER_R9 8
#define X86_USER_R10 9
#define X86_USER_R11 10
#define X86_USER_R12 11
#define X86_USER_R13 12
#define X86_USER_R14 13
#define X86_USER_R15 14
#define X86_USER_VECTOR 15      /* of the last trap */
#define X86_USER_ERROR_CODE 16  /* of the last trap, 0 where the CPU pushes none */
#define X86_USER_RIP 17
#define X86_USER_CS 18
#define X86_USER_RFLAGS 19
#define X86_USER_RSP 20
#define X86_USER_SS 21
#define X86_USER_FAULT_ADDRESS 22 /* CR2, if the last trap was a page fault */
#define X86_USER_WORDS 23

/* struct user_trap.cause for an exception: the vector, with the error code above it. */
#define X86_USER_CAUSE_ERROR_SHIFT 32

/*
 * What x86_user_enter pushes before dropping to ring 3, lowest address
 * first: the context, then the kernel's callee-saved registers, under the
 * return address into arch_user_run. TSS.rsp0 points at its first word, so
 * a trap from ring 3 pushes its frame right below it. Eight words on top of
 * a call site's 16-byte-aligned stack: rsp0 is 16-byte aligned, as the CPU
 * would force it to be.
 */
#define X86_USER_KERNEL_FRAME_CONTEXT 0  /* byte offset of the context pointer */
#define X86_USER_KERNEL_FRAME_SAVED 8    /* byte offset of the saved registers */

#ifndef __ASSEMBLER__
#include <pagoda/types.h>

struct user_context;

struct x86_user_kernel_frame {
    struct user_context *ctx;
    uint64_t r15, r14, r13, r12, rbx, rbp;
    uint64_t return_address;
};
_Static_assert(sizeof(struct x86_user_kernel_frame) % 16 == 0,
               "the kernel frame keeps TSS.rsp0 16-byte aligned");
_Static_assert(__builtin_offsetof(struct x86_user_kernel_frame, ctx) ==
                       X86_USER_KERNEL_FRAME_CONTEXT &&
                   __builtin_offsetof(struct x86_user_kernel_frame, r15) ==
                       X86_USER_KERNEL_FRAME_SAVED,
               "user_entry.S pushes the context below the registers");

/*
 * user_entry.S. x86_user_enter runs CTX in ring 3 and returns when
 * x86_user_exit is given the kernel frame it left (by x86_user_trap, on
 * the thread's next trap), with the thread's registers saved in CTX.
 */
void x86_user_enter(struct user_context *ctx);
NORETURN void x86_user_exit(struct x86_user_kernel_frame *frame);
#endif
