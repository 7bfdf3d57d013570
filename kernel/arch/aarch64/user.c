/*
 * User mode on aarch64 (include/arch/user.h): a thread runs at EL0t on
 * SP_EL0, in the address space whose root pd_activate() put in TTBR0_EL1.
 * The switch itself is user_entry.S: aarch64_user_enter() saves the
 * kernel's callee-saved registers on the kernel stack and erets to the
 * thread; its next synchronous exception saves the thread's registers and
 * the syndrome (ESR_EL1, FAR_EL1) into the context and returns. This file
 * owns the context layout's initial values and turns the syndrome into a
 * struct user_trap: svc #0 is a system call, a translation, access flag or
 * permission fault is a page fault (decoded as trap.c decodes the
 * kernel's), anything else an exception named in words. Nothing here
 * resolves a fault: the caller asks user_fault_resolve().
 */
#include "kernel/arch/aarch64/trap.h"
#include <aarch64/esr.h>
#include <aarch64/sysreg.h>
#include <aarch64/user_context.h>
#include <arch/user.h>

_Static_assert(USER_CTX_WORDS_USED <= USER_CONTEXT_WORDS, "the aarch64 user context does not fit");
_Static_assert(USER_RUN_FRAME_SIZE % 16 == 0, "the run frame must keep SP 16-byte aligned");
_Static_assert(USER_RUN_FRAME_X(30) + 8 == USER_RUN_FRAME_SIZE, "the run frame ends with x30");

#define A64_INSN_BYTES 4

/* Switch to the thread CTX describes; return when it traps (user_entry.S). */
void aarch64_user_enter(struct user_context *ctx);

void arch_user_context_init(struct user_context *ctx, uintptr_t entry, uintptr_t stack_top,
                            uint64_t arg)
{
    *ctx = (struct user_context){ 0 };
    ctx->words[USER_CTX_X(0)] = arg;
    ctx->words[USER_CTX_SP] = stack_top;
    ctx->words[USER_CTX_PC] = entry;
    ctx->words[USER_CTX_PSTATE] = SPSR_EL0_USER;
}

/*
 * Each kind of record is written in one assignment: every field once, the
 * ones that kind does not use as zero (no separate clearing of the record).
 */
static void user_trap_syscall(const struct user_context *ctx, struct user_trap *trap, uintptr_t pc,
                              uint64_t esr)
{
    const uint64_t *x = &ctx->words[USER_CTX_X(0)];
    *trap = (struct user_trap){
        .kind = USER_TRAP_SYSCALL,
        .pc = pc,
        .syscall = ctx->words[USER_CTX_X(USER_SYSCALL_NUMBER_REG)],
        .args = { x[0], x[1], x[2], x[3], x[4], x[5] },
        .cause = esr,
    };
}

static void user_trap_exception(struct user_trap *trap, uintptr_t pc, uint64_t esr,
                                const char *what)
{
    *trap = (struct user_trap){
        .kind = USER_TRAP_EXCEPTION, .pc = pc, .exception = what, .cause = esr,
    };
}

/*
 * The preferred return address is the trapping instruction itself for
 * every synchronous exception EL0 can take, except SVC: there ELR_EL1 is
 * already past it, as a system call's pc should be.
 */
static void user_trap_decode(const struct user_context *ctx, struct user_trap *trap)
{
    uint64_t esr = ctx->words[USER_CTX_ESR];
    uintptr_t pc = ctx->words[USER_CTX_PC];
    enum esr_ec ec = esr_class(esr);
    switch (ec) {
    case ESR_EC_SVC64:
        if ((esr_iss(esr) & ESR_SVC_IMM_MASK) == USER_SYSCALL_SVC_IMM)
            user_trap_syscall(ctx, trap, pc, esr);
        else
            user_trap_exception(trap, pc - A64_INSN_BYTES, esr,
                                "SVC with an immediate other than 0");
        return;
    case ESR_EC_IABT_LOWER:
    case ESR_EC_DABT_LOWER: {
        struct fault fault;
        if (aarch64_abort_to_fault(esr, ctx->words[USER_CTX_FAR], pc, &fault))
            *trap = (struct user_trap){
                .kind = USER_TRAP_PAGE_FAULT, .pc = pc, .fault = fault, .cause = esr,
            };
        else
            user_trap_exception(trap, pc, esr,
                                aarch64_fault_status_name(esr_iss(esr) & ESR_ABORT_FSC_MASK));
        return;
    }
    default:
        user_trap_exception(trap, pc, esr, aarch64_esr_class_name(ec));
        return;
    }
}

void arch_user_run(struct user_context *ctx, struct user_trap *trap)
{
    aarch64_user_enter(ctx);
    user_trap_decode(ctx, trap);
}

void arch_user_set_result(struct user_context *ctx, uint64_t value)
{
    ctx->words[USER_CTX_X(0)] = value;
}

uintptr_t arch_user_pc(const struct user_context *ctx)
{
    return ctx->words[USER_CTX_PC];
}

uintptr_t arch_user_sp(const struct user_context *ctx)
{
    return ctx->words[USER_CTX_SP];
}
