/*
 * User mode, the arch's part: enter a user thread, and come back to the
 * kernel with a description of whatever stopped it. Each arch implements
 * these in kernel/arch/<arch>/user.c and user_entry.S; everything that
 * decides what to do with a trap from user mode (resolve a page fault
 * through mm/, serve a system call, end the program) is portable
 * (kernel/process.c).
 *
 * The model is "run until the next event", as a microkernel's fault and
 * system-call delivery is: arch_user_run() saves the kernel's callee-saved
 * state, loads the thread's registers and drops to user mode; the next trap
 * from user mode saves the thread's registers back into its context, fills a
 * struct user_trap and returns from arch_user_run() on the kernel stack it
 * was called on. The thread resumes where it stopped when arch_user_run()
 * is called again with the same context. Traps taken in kernel mode are
 * not affected.
 *
 * The system-call convention (what user/include/pagoda/syscall.h emits):
 *   x86_64   int $0x80, number in rax, arguments in rdi rsi rdx r10 r8 r9, result in rax
 *   riscv64  ecall, number in a7, arguments in a0-a5, result in a0
 *   aarch64  svc #0, number in x8, arguments in x0-x5, result in x0
 * A thread starts with its first argument register (rdi, a0, x0) holding
 * ARG, its stack pointer at STACK_TOP, and every other register zero.
 */
#pragma once

#include <pagoda/fault.h>
#include <pagoda/types.h>

/* Room for every arch's saved user registers; each arch checks its fit. */
#define USER_CONTEXT_WORDS 40

struct user_context {
    uint64_t words[USER_CONTEXT_WORDS];
} __attribute__((aligned(16)));

enum user_trap_kind {
    USER_TRAP_SYSCALL,    /* the thread asked for a system call */
    USER_TRAP_PAGE_FAULT, /* a translation fault or permission fault: see .fault */
    USER_TRAP_EXCEPTION,  /* anything else: illegal instruction, breakpoint, misalignment... */
};

#define USER_SYSCALL_ARGS 6

struct user_trap {
    enum user_trap_kind kind;
    uintptr_t pc; /* the trapping instruction */
    /* USER_TRAP_SYSCALL: the number and arguments; the pc is already past the call. */
    uint64_t syscall;
    uint64_t args[USER_SYSCALL_ARGS];
    /* USER_TRAP_PAGE_FAULT: the decoded fault, mode FAULT_USER. */
    struct fault fault;
    /* USER_TRAP_EXCEPTION: what the CPU reported, in words, and its raw cause. */
    const char *exception;
    uint64_t cause;
};

/* Set CTX to start at ENTRY with the stack at STACK_TOP and ARG in the first argument register. */
void arch_user_context_init(struct user_context *ctx, uintptr_t entry, uintptr_t stack_top,
                            uint64_t arg);

/*
 * Run the thread CTX in user mode, in the address space whose page directory
 * is active (pd_activate), until its next trap; describe the trap in TRAP.
 * Called with interrupts off; returns with them off.
 */
void arch_user_run(struct user_context *ctx, struct user_trap *trap);

/* Set the value a system call returns to the thread (before the next arch_user_run). */
void arch_user_set_result(struct user_context *ctx, uint64_t value);

/*
 * Make this CPU's instruction fetches see what the kernel wrote into pages
 * that user code may execute (a program's text read in from its file,
 * through quickmap): fence.i on riscv64, an instruction-cache invalidate on
 * aarch64, nothing on x86_64, whose caches are coherent.
 */
void arch_user_sync_icache(void);

/* The ELF e_machine of this arch's programs (EM_X86_64, EM_RISCV, EM_AARCH64). */
uint16_t arch_user_elf_machine(void);

/*
 * A page of device registers a test program may map (SYS_MAP_DEVICE): its
 * physical base and USER_DEVICE_* kind (include/pagoda/syscall.h). False if
 * the board offers none.
 */
bool arch_user_test_device(paddr_t *base, unsigned *kind);

/* The thread's program counter and stack pointer (for crash reports). */
uintptr_t arch_user_pc(const struct user_context *ctx);
uintptr_t arch_user_sp(const struct user_context *ctx);
