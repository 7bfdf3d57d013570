/*
 * User mode on riscv64, the C half of include/arch/user.h. A thread's
 * context is its 31 registers and sepc in a struct user_context (layout in
 * riscv/user.h). arch_user_run itself is assembly (user_entry.S): it loads
 * the context and drops to U-mode, and the trap vector (vectors.S) saves
 * the thread's registers straight back into the context, restores the
 * kernel's and jumps here, to riscv_user_trap_describe(), which turns what
 * stopped the thread (scause, stval, sepc) into a struct user_trap and
 * returns for arch_user_run.
 *
 * A trap from U-mode is only described here, never acted on: a page fault
 * becomes a struct fault for the portable caller to resolve
 * (user_fault_resolve), a system call is ecall (number in a7, arguments in
 * a0-a5, result in a0) with sepc moved past it, and anything else is an
 * exception with its cause in words. Every field of the struct user_trap
 * is written, those the kind does not use as zero.
 */
#include "riscv/csr.h"
#include "riscv/trap.h"
#include "riscv/user.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <arch/user.h>

_Static_assert(RISCV_USER_WORDS <= USER_CONTEXT_WORDS, "the riscv64 user context fits");
_Static_assert(RISCV_KFRAME_SIZE % 16 == 0, "the psABI wants sp 16-byte aligned");

void arch_user_context_init(struct user_context *ctx, uintptr_t entry, uintptr_t stack_top,
                            uint64_t arg)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->words[RISCV_USER_SEPC] = entry;
    ctx->words[RISCV_REG_SP] = stack_top;
    ctx->words[RISCV_REG_A0] = arg;
}

/*
 * Every trap from U-mode but a system call: a page fault or another
 * exception. Kept out of line, so that the calls it makes cost the system
 * call path no saved registers.
 */
static __attribute__((noinline)) void describe_exception(struct user_trap *trap, uint64_t scause,
                                                         uint64_t stval, uint64_t sepc)
{
    if (scause & SCAUSE_INTERRUPT) {
        /* sie enables nothing, and user threads run with SPIE clear. */
        panic("riscv64: %s (scause %#llx) taken from U-mode at %#llx: no interrupt is enabled",
              riscv_trap_cause_name(scause), (unsigned long long)scause,
              (unsigned long long)sepc);
    }
    if (riscv_is_page_fault(scause)) {
        /* Decoded first: a call inside the initializer would build it on the stack and copy it. */
        struct fault fault = riscv_page_fault_decode(scause, stval, sepc, FAULT_USER);
        *trap = (struct user_trap){
            .kind = USER_TRAP_PAGE_FAULT,
            .pc = sepc,
            .fault = fault,
            .cause = scause,
        };
        return;
    }
    /*
     * Access faults too: the page table let the access through to a
     * physical address with nothing there (or one PMP forbids), which
     * resolving a page fault cannot change. sepc stays on the instruction.
     */
    *trap = (struct user_trap){
        .kind = USER_TRAP_EXCEPTION,
        .pc = sepc,
        .exception = riscv_trap_cause_name(scause),
        .cause = scause,
    };
}

/*
 * The system call is the path that matters for speed: written so that it
 * calls nothing, and the compiler stores each field once, with no memset
 * (a zeroing of the whole struct first would be one).
 */
void riscv_user_trap_describe(struct user_context *ctx, struct user_trap *trap, uint64_t scause,
                              uint64_t stval, uint64_t sepc)
{
    if (scause != EXC_ECALL_FROM_U) {
        describe_exception(trap, scause, stval, sepc);
        return;
    }
    const uint64_t *x = ctx->words;
    /* Resume after the ecall, not on it. */
    sepc += RISCV_ECALL_SIZE;
    ctx->words[RISCV_USER_SEPC] = sepc;
    *trap = (struct user_trap){
        .kind = USER_TRAP_SYSCALL,
        .pc = sepc,
        .syscall = x[RISCV_REG_A7],
        .args = { x[RISCV_REG_A(0)], x[RISCV_REG_A(1)], x[RISCV_REG_A(2)], x[RISCV_REG_A(3)],
                  x[RISCV_REG_A(4)], x[RISCV_REG_A(5)] },
        .cause = scause,
    };
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
