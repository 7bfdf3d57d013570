/*
 * User mode on x86_64, the C half of include/arch/user.h. A thread's
 * context is the trap frame that last stopped it (x86_64/user.h), and the
 * trap itself writes it there: while the thread runs, TSS.rsp0 points at
 * the end of the context's frame, so the CPU pushes ss ... rip, and the
 * entry stub and TRAP_PUSH_REGISTERS the vector and rax ... r15, straight
 * into the context. arch_user_run (user_entry.S) enters ring 3 from the
 * context and, at the next trap, gets back onto the kernel stack and hands
 * the context to x86_user_describe_trap() below: the only C on the way
 * back, and all it does is describe the trap.
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
/*
 * In long mode the CPU aligns the new stack pointer down to 16 bytes
 * before it pushes a trap frame: TSS.rsp0, the end of the context's frame,
 * must already be aligned, or the frame would land beside the context.
 */
_Static_assert(_Alignof(struct user_context) % 16 == 0 &&
                   X86_USER_KERNEL_SP * sizeof(uint64_t) % 16 == 0,
               "the end of a context's trap frame is 16-byte aligned");

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

/*
 * A trap frame from ring 3 that x86_trap_dispatch was given: one that did
 * not land in the running thread's context (a #DF, on its own IST stack).
 */
NORETURN void x86_user_trap_stray(struct trap_frame *frame)
{
    if (frame->vector == X86_VECTOR_DOUBLE_FAULT)
        x86_crash(frame, NULL, "taken in user mode, but not caused by the user thread");
    x86_crash(frame, NULL, "a trap from user mode off the stack TSS.rsp0 names");
}

/*
 * arch_user_run itself is in user_entry.S: it enters the thread and, at
 * its next trap, ends in one of the two functions below, whose return is
 * its own.
 */

/*
 * A context whose rip is not canonical cannot be entered: iretq would
 * fault in ring 0. Only arch_user_context_init can put one there (the CPU
 * saves canonical addresses only), so arch_user_run reports it as the #GP
 * the thread's jump there would have been, without entering.
 */
void x86_user_refuse_entry(const struct user_context *ctx, struct user_trap *trap)
{
    *trap = (struct user_trap){
        .kind = USER_TRAP_EXCEPTION,
        .pc = ctx->words[X86_USER_RIP],
        .exception = x86_exception_name(X86_VECTOR_GENERAL_PROTECTION),
        .cause = X86_VECTOR_GENERAL_PROTECTION,
    };
}

/*
 * Every kind of trap is written in one assignment of the whole record, so
 * that each word of TRAP is stored once (the fields a kind does not use
 * are zero). System calls and ordinary page faults are described inline,
 * without a register to save; the rest is out of line.
 */

/* A trap from WORDS (a context) other than a system call or an ordinary page fault. */
static __attribute__((noinline)) void describe_exception(const uint64_t *words,
                                                         struct user_trap *trap)
{
    uint64_t vector = words[X86_USER_VECTOR];
    uint64_t rip = words[X86_USER_RIP];
    if (vector == X86_VECTOR_PAGE_FAULT) /* with a reserved bit set: tables are corrupt */
        panic("x86_64: user page fault at %#llx on %#llx with a reserved bit set in an "
              "entry (corrupt tables)",
              (unsigned long long)rip, (unsigned long long)x86_read_cr2());
    /* Not the thread's doing: the frame in the context is the crash report's. */
    if (vector == X86_VECTOR_NMI || vector == X86_VECTOR_MACHINE_CHECK)
        x86_crash((const struct trap_frame *)words, NULL,
                  "taken in user mode, but not caused by the user thread");
    *trap = (struct user_trap){
        .kind = USER_TRAP_EXCEPTION,
        .pc = rip,
        .exception = x86_exception_name(vector),
        .cause = vector | words[X86_USER_ERROR_CODE] << X86_USER_CAUSE_ERROR_SHIFT,
    };
}

/* The thread CTX just trapped, and its frame is in CTX: describe the trap in TRAP. */
void x86_user_describe_trap(const struct user_context *ctx, struct user_trap *trap)
{
    const uint64_t *words = ctx->words;
    uint64_t vector = words[X86_USER_VECTOR];
    uint64_t rip = words[X86_USER_RIP];
    if (vector == X86_VECTOR_SYSCALL) {
        /* int is a trap: the saved rip is already past it. Its stub pushes error code 0. */
        *trap = (struct user_trap){
            .kind = USER_TRAP_SYSCALL,
            .pc = rip,
            .syscall = words[X86_USER_RAX],
            .args = { words[X86_USER_RDI], words[X86_USER_RSI], words[X86_USER_RDX],
                      words[X86_USER_R10], words[X86_USER_R8], words[X86_USER_R9] },
            .cause = X86_VECTOR_SYSCALL,
        };
        return;
    }
    uint64_t error_code = words[X86_USER_ERROR_CODE];
    if (vector == X86_VECTOR_PAGE_FAULT && !(error_code & X86_PF_RESERVED)) {
        /*
         * CR2 is still the trap's: nothing since (the exit path, which
         * touches only this context and the kernel stack) can have
         * faulted. The U/S bit of the error code makes the mode FAULT_USER.
         */
        *trap = (struct user_trap){
            .kind = USER_TRAP_PAGE_FAULT,
            .pc = rip,
            .fault = x86_page_fault_decode(error_code, rip, x86_read_cr2()),
            .cause = vector | error_code << X86_USER_CAUSE_ERROR_SHIFT,
        };
        return;
    }
    describe_exception(words, trap);
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
