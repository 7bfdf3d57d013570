/*
 * User mode on x86_64, the C half of include/arch/user.h. A thread's
 * context is the trap frame that last stopped it (x86_64/user.h);
 * user_entry.S enters ring 3 by returning through that frame with iretq,
 * and x86_user_trap() below is where every trap from ring 3 ends: it saves
 * the frame into the context and jumps back into arch_user_run(), which
 * then describes the trap.
 *
 * A trap from ring 3 is only described here, never acted on: int $0x80 is
 * a system call (number in rax, arguments in rdi rsi rdx r10 r8 r9, result
 * in rax; the CPU already saved the rip after the int), a #PF becomes a
 * struct fault for the portable caller to resolve (user_fault_resolve),
 * and anything else is an exception named in words, its cause being the
 * vector with the error code above it. The thread runs with IF clear, so
 * no interrupt can stop it; NMI, #DF and #MC are not the thread's doing
 * and end in the kernel's crash report.
 */
#include "kernel/arch/x86_64/trap.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <arch/user.h>
#include <x86_64/descriptors.h>
#include <x86_64/instr.h>
#include <x86_64/paging.h>
#include <x86_64/regs.h>
#include <x86_64/user.h>

_Static_assert(X86_USER_WORDS <= USER_CONTEXT_WORDS, "the x86_64 user context fits");
_Static_assert(sizeof(struct trap_frame) == X86_TRAP_FRAME_WORDS * sizeof(uint64_t),
               "a context starts with a whole trap frame");

#define FRAME_WORD(field) (offsetof(struct trap_frame, field) / sizeof(uint64_t))
_Static_assert(FRAME_WORD(rax) == X86_USER_RAX && FRAME_WORD(rbx) == X86_USER_RBX &&
                   FRAME_WORD(rcx) == X86_USER_RCX && FRAME_WORD(rdx) == X86_USER_RDX &&
                   FRAME_WORD(rsi) == X86_USER_RSI && FRAME_WORD(rdi) == X86_USER_RDI &&
                   FRAME_WORD(rbp) == X86_USER_RBP && FRAME_WORD(r8) == X86_USER_R8 &&
                   FRAME_WORD(r9) == X86_USER_R9 && FRAME_WORD(r10) == X86_USER_R10 &&
                   FRAME_WORD(r11) == X86_USER_R11 && FRAME_WORD(r12) == X86_USER_R12 &&
                   FRAME_WORD(r13) == X86_USER_R13 && FRAME_WORD(r14) == X86_USER_R14 &&
                   FRAME_WORD(r15) == X86_USER_R15,
               "the general registers sit where struct trap_frame has them");
_Static_assert(FRAME_WORD(vector) == X86_USER_VECTOR &&
                   FRAME_WORD(error_code) == X86_USER_ERROR_CODE &&
                   FRAME_WORD(rip) == X86_USER_RIP && FRAME_WORD(cs) == X86_USER_CS &&
                   FRAME_WORD(rflags) == X86_USER_RFLAGS && FRAME_WORD(rsp) == X86_USER_RSP &&
                   FRAME_WORD(ss) == X86_USER_SS,
               "the trap's own words sit where struct trap_frame has them");

/* The system-call argument registers, in argument order (include/arch/user.h). */
static const unsigned syscall_arg_words[USER_SYSCALL_ARGS] = {
    X86_USER_RDI, X86_USER_RSI, X86_USER_RDX, X86_USER_R10, X86_USER_R8, X86_USER_R9,
};

void arch_user_context_init(struct user_context *ctx, uintptr_t entry, uintptr_t stack_top,
                            uint64_t arg)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->words[X86_USER_RIP] = entry;
    ctx->words[X86_USER_RSP] = stack_top;
    ctx->words[X86_USER_RDI] = arg;
    ctx->words[X86_USER_CS] = X86_USER_CODE_SELECTOR;
    ctx->words[X86_USER_SS] = X86_USER_DATA_SELECTOR;
    /* IF clear: the thread runs with interrupts masked, as the kernel does. */
    ctx->words[X86_USER_RFLAGS] = X86_RFLAGS_RESERVED_ONE;
}

NORETURN void x86_user_trap(struct trap_frame *frame)
{
    /* CR2 before anything else can fault and overwrite it. */
    uint64_t fault_address = frame->vector == X86_VECTOR_PAGE_FAULT ? x86_read_cr2() : 0;
    if (frame->vector == X86_VECTOR_NMI || frame->vector == X86_VECTOR_DOUBLE_FAULT ||
        frame->vector == X86_VECTOR_MACHINE_CHECK)
        x86_crash(frame, NULL, "taken in user mode, but not caused by the user thread");
    /*
     * The frame must sit right under the kernel frame x86_user_enter left,
     * where TSS.rsp0 pointed; anything else (a stack switch we did not
     * expect) would make the jump back land on garbage.
     */
    struct x86_user_kernel_frame *kernel = (struct x86_user_kernel_frame *)(frame + 1);
    if ((uintptr_t)kernel != x86_tss.rsp[0])
        x86_crash(frame, NULL, "a trap from user mode off the stack TSS.rsp0 names");
    uint64_t *words = kernel->ctx->words;
    memcpy(words, frame, sizeof(*frame));
    words[X86_USER_FAULT_ADDRESS] = fault_address;
    x86_user_exit(kernel);
}

/*
 * A context whose rip is not canonical cannot be entered: iretq would
 * fault in ring 0. Only arch_user_context_init can put one there (the CPU
 * saves canonical addresses only), so report it as the #GP the thread's
 * jump there would have been, without entering.
 */
static bool refuse_non_canonical(const struct user_context *ctx, struct user_trap *trap)
{
    uint64_t rip = ctx->words[X86_USER_RIP];
    if (x86_is_canonical(rip))
        return false;
    *trap = (struct user_trap){
        .kind = USER_TRAP_EXCEPTION,
        .pc = rip,
        .exception = x86_exception_name(X86_VECTOR_GENERAL_PROTECTION),
        .cause = X86_VECTOR_GENERAL_PROTECTION,
    };
    return true;
}

void arch_user_run(struct user_context *ctx, struct user_trap *trap)
{
    if (refuse_non_canonical(ctx, trap))
        return;
    x86_user_enter(ctx);

    const uint64_t *words = ctx->words;
    uint64_t vector = words[X86_USER_VECTOR];
    uint64_t error_code = words[X86_USER_ERROR_CODE];
    uint64_t rip = words[X86_USER_RIP];
    *trap = (struct user_trap){
        .pc = rip,
        .cause = vector | error_code << X86_USER_CAUSE_ERROR_SHIFT,
    };
    switch (vector) {
    case X86_VECTOR_SYSCALL:
        /* int is a trap: the saved rip is already past it. */
        trap->kind = USER_TRAP_SYSCALL;
        trap->syscall = words[X86_USER_RAX];
        for (unsigned i = 0; i < USER_SYSCALL_ARGS; i++)
            trap->args[i] = words[syscall_arg_words[i]];
        break;
    case X86_VECTOR_PAGE_FAULT:
        /* The U/S bit of the error code makes the record's mode FAULT_USER. */
        if (error_code & X86_PF_RESERVED)
            panic("x86_64: user page fault at %#llx on %#llx with a reserved bit set in an "
                  "entry (corrupt tables)",
                  (unsigned long long)rip, (unsigned long long)words[X86_USER_FAULT_ADDRESS]);
        trap->kind = USER_TRAP_PAGE_FAULT;
        trap->fault = x86_page_fault_decode(error_code, rip, words[X86_USER_FAULT_ADDRESS]);
        break;
    default:
        trap->kind = USER_TRAP_EXCEPTION;
        trap->exception = x86_exception_name(vector);
        break;
    }
}

void arch_user_set_result(struct user_context *ctx, uint64_t value)
{
    ctx->words[X86_USER_RAX] = value;
}

uintptr_t arch_user_pc(const struct user_context *ctx)
{
    return ctx->words[X86_USER_RIP];
}

uintptr_t arch_user_sp(const struct user_context *ctx)
{
    return ctx->words[X86_USER_RSP];
}
