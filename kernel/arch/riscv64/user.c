/*
 * User mode on riscv64, the C half of include/arch/user.h: a thread's
 * context is its 31 registers and sepc in a struct user_context (layout in
 * riscv/user.h), user_entry.S switches to it and back, and this file turns
 * what stopped the thread (scause, stval, sepc) into a struct user_trap.
 *
 * A trap from U-mode is only described here, never acted on: a page fault
 * becomes a struct fault for the portable caller to resolve
 * (user_fault_resolve), a system call is ecall (number in a7, arguments in
 * a0-a5, result in a0) with sepc moved past it, and anything else is an
 * exception with its cause in words.
 */
#include "riscv/csr.h"
#include "riscv/trap.h"
#include "riscv/user.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <arch/user.h>

_Static_assert(RISCV_USER_WORDS <= USER_CONTEXT_WORDS, "the riscv64 user context fits");

void arch_user_context_init(struct user_context *ctx, uintptr_t entry, uintptr_t stack_top,
                            uint64_t arg)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->words[RISCV_USER_SEPC] = entry;
    ctx->words[RISCV_REG_SP] = stack_top;
    ctx->words[RISCV_REG_A0] = arg;
}

static void describe_syscall(struct user_context *ctx, struct user_trap *trap)
{
    /* Resume after the ecall, not on it. */
    ctx->words[RISCV_USER_SEPC] += RISCV_ECALL_SIZE;
    trap->kind = USER_TRAP_SYSCALL;
    trap->pc = ctx->words[RISCV_USER_SEPC];
    trap->syscall = ctx->words[RISCV_REG_A7];
    for (int i = 0; i < USER_SYSCALL_ARGS; i++)
        trap->args[i] = ctx->words[RISCV_REG_A(i)];
}

void arch_user_run(struct user_context *ctx, struct user_trap *trap)
{
    riscv_user_enter(ctx);

    uint64_t scause = ctx->words[RISCV_USER_SCAUSE];
    uint64_t sepc = ctx->words[RISCV_USER_SEPC];
    *trap = (struct user_trap){ .pc = sepc, .cause = scause };
    if (scause & SCAUSE_INTERRUPT) {
        /* sie enables nothing, and user threads run with SPIE clear. */
        panic("riscv64: %s (scause %#llx) taken from U-mode at %#llx: no interrupt is enabled",
              riscv_trap_cause_name(scause), (unsigned long long)scause,
              (unsigned long long)sepc);
    }
    if (scause == EXC_ECALL_FROM_U) {
        describe_syscall(ctx, trap);
    } else if (riscv_is_page_fault(scause)) {
        trap->kind = USER_TRAP_PAGE_FAULT;
        trap->fault = riscv_page_fault_decode(scause, ctx->words[RISCV_USER_STVAL], sepc,
                                              FAULT_USER);
    } else {
        /*
         * Access faults too: the page table let the access through to a
         * physical address with nothing there (or one PMP forbids), which
         * resolving a page fault cannot change.
         */
        trap->kind = USER_TRAP_EXCEPTION;
        trap->exception = riscv_trap_cause_name(scause);
    }
}

void arch_user_set_result(struct user_context *ctx, uint64_t value)
{
    ctx->words[RISCV_REG_A0] = value;
}

uintptr_t arch_user_pc(const struct user_context *ctx)
{
    return ctx->words[RISCV_USER_SEPC];
}

uintptr_t arch_user_sp(const struct user_context *ctx)
{
    return ctx->words[RISCV_REG_SP];
}
