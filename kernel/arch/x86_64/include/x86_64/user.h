/*
 * How an x86_64 user thread lives in a struct user_context
 * (include/arch/user.h). Shared by user.c, user_entry.S and the tests.
 *
 * A thread's context is the trap frame that stopped it, written there by
 * the trap itself: its first X86_TRAP_FRAME_WORDS words are laid out
 * exactly as a struct trap_frame (trap.h: the 15 general registers,
 * vector, error code, then rip, cs, rflags, rsp, ss as the CPU pushed
 * them). While the thread runs, TSS.rsp0 points at the end of that frame
 * (word X86_TRAP_FRAME_WORDS), so a trap from ring 3 makes the CPU push
 * ss ... rip (and an error code) straight into the context, and the entry
 * stub and vectors.S's common path push the vector and the 15 registers
 * under them: the whole frame lands in the context without a copy.
 * user.c checks every index against the struct.
 *
 * The word after the frame, X86_USER_KERNEL_SP, is where arch_user_run
 * (user_entry.S) leaves the kernel's stack pointer (user_entry.S): the trap path, finding
 * its frame in the context, reads it from there to get back onto the
 * kernel stack. It means nothing while the thread is stopped.
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
/* Right past the frame, where TSS.rsp0 points (16-byte aligned): the kernel's rsp. */
#define X86_USER_KERNEL_SP 22
#define X86_USER_WORDS 23

/* struct user_trap.cause for an exception: the vector, with the error code above it. */
#define X86_USER_CAUSE_ERROR_SHIFT 32

/*
 * What arch_user_run (user_entry.S) pushes on the kernel stack before
 * dropping to ring 3, from the word X86_USER_KERNEL_SP points at up: the
 * struct user_trap to fill, the kernel's callee-saved registers, and the
 * return address into arch_user_run's caller.
 */
#define X86_USER_KERNEL_FRAME_WORDS 8

#ifndef __ASSEMBLER__
#include <pagoda/types.h>

struct user_context;
struct user_trap;

struct x86_user_kernel_frame {
    struct user_trap *trap;
    uint64_t r15, r14, r13, r12, rbx, rbp;
    uint64_t return_address;
};
_Static_assert(sizeof(struct x86_user_kernel_frame) == X86_USER_KERNEL_FRAME_WORDS * 8,
               "arch_user_run pushes seven words under its return address");

/*
 * user.c, for user_entry.S. arch_user_run(CTX, TRAP) ends, when the thread
 * traps, by tail-calling x86_user_describe_trap(CTX, TRAP), whose return
 * is arch_user_run's; and, for a context it cannot enter,
 * x86_user_refuse_entry(CTX, TRAP) in the same way.
 */
void x86_user_describe_trap(const struct user_context *ctx, struct user_trap *trap);
void x86_user_refuse_entry(const struct user_context *ctx, struct user_trap *trap);
#endif
