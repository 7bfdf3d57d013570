/*
 * In-kernel tests of x86_64 user mode (suite user_x86): real ring-3 code,
 * assembled into user_test_code.S and copied into a user address space,
 * run through arch_user_run(). They check what include/arch/user.h
 * promises: the starting registers; system calls with their number, six
 * arguments, pc and result; the registers kept across a trip through the
 * kernel; page faults decoded for the portable resolver (a real zero-fill
 * fault, and faults that must crash: unmapped, read-only, no-execute,
 * kernel addresses); exceptions named with their vector and error code;
 * the kernel's own state (callee-saved registers, stack, ring, interrupts,
 * direction flag) intact after every return, and the trap frame pushed
 * into the context itself; and several threads in two address spaces, run
 * in turns, each resuming where it stopped.
 *
 * Every expected pc is computed from the program's labels, and every page
 * fault the helper resolves is logged, so a test sees exactly the faults
 * the code caused. Address-space identifiers 40-49 belong to this suite.
 */
#include "kernel/arch/x86_64/trap.h"
#include "kernel/arch/x86_64/user_test_code.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include "kernel/user_fault.h"
#include "mm/address_space.h"
#include <arch/cpu.h>
#include <arch/user.h>
#include <pagoda/errors.h>
#include <pagoda/ktest.h>
#include <x86_64/descriptors.h>
#include <x86_64/instr.h>
#include <x86_64/regs.h>
#include <x86_64/user.h>

#define PAGE PHYS_PAGE_SIZE
#define RW (REGION_READ | REGION_WRITE)
#define RX (REGION_READ | REGION_EXECUTE)
#define RWX (REGION_READ | REGION_WRITE | REGION_EXECUTE)
#define ASID_SINGLE 40
#define ASID_PAIR_A 48
#define ASID_PAIR_B 49
#define FAULTS_LOGGED 8
#define THREAD_ROUNDS 8
#define NON_CANONICAL UINT64_C(0x0000800000000000) /* the first address past the lower half */
/* The #GP error code naming IDT gate VECTOR. */
#define IDT_ERROR_CODE(vector) \
    ((uint64_t)(vector) << X86_SELECTOR_ERROR_INDEX_SHIFT | X86_SELECTOR_ERROR_IDT)
#define GDT_TYPE_BITS (X86_SEG_CODE | X86_SEG_NOT_SYSTEM | X86_SEG_PRESENT | X86_SEG_LONG)
#define GDT_DPL_MASK (3 * X86_BIT(X86_SEG_DPL_SHIFT))

/* A kernel word that user mode must neither read nor write. */
static volatile uint64_t kernel_secret = 0x5ec2e75ec2e75ec2;

/* Where label LABEL of user_test_code.S lands in the user code region. */
static uintptr_t user_va(const char *label)
{
    return UT_CODE_VA + (uintptr_t)(label - x86_ut_programs);
}

/*
 * An address space for the programs: the code (written while writable,
 * then made read + execute and faulted in, so that runs start without a
 * code fault), a lazily allocated stack and data region, a read-only
 * region and a non-executable one that is already resident.
 */
static bool space_create(struct ktest *t, struct address_space *as, uint16_t asid)
{
    size_t size = (size_t)(x86_ut_programs_end - x86_ut_programs);
    if (size > PAGE || size % sizeof(uint64_t) != 0) {
        ktest_fail(t, __FILE__, __LINE__, "the programs take %zu bytes", size);
        return false;
    }
    if (as_create(as, kernel_pd(), asid) != 0) {
        ktest_fail(t, __FILE__, __LINE__, "as_create failed");
        return false;
    }
    bool ok = as_allocate_region(as, UT_CODE_VA, PAGE, 0, RWX, 0, ALLOCATION_RESERVE, "code",
                                 NULL) == 0 &&
              as_allocate_region(as, UT_STACK_TOP - UT_STACK_PAGES * PAGE, UT_STACK_PAGES * PAGE,
                                 0, RW, REGION_STACK, ALLOCATION_RESERVE, "stack", NULL) == 0 &&
              as_allocate_region(as, UT_DATA_VA, PAGE, 0, RW, 0, ALLOCATION_RESERVE, "data",
                                 NULL) == 0 &&
              as_allocate_region(as, UT_RO_VA, PAGE, 0, REGION_READ, 0, ALLOCATION_RESERVE, "ro",
                                 NULL) == 0 &&
              as_allocate_region(as, UT_NX_VA, PAGE, 0, RW, 0, ALLOCATION_RESERVE, "nx",
                                 NULL) == 0;
    for (size_t off = 0; ok && off < size; off += sizeof(uint64_t)) {
        uint64_t word;
        memcpy(&word, x86_ut_programs + off, sizeof(word));
        ok = as_access_word(as, UT_CODE_VA + off, FAULT_WRITE, &word) == FAULT_RESPONSE_CONTINUE;
    }
    uint64_t word = 0;
    ok = ok && as_protect(as, UT_CODE_VA, PAGE, RX) == 0 &&
         as_access_word(as, UT_CODE_VA, FAULT_READ, &word) == FAULT_RESPONSE_CONTINUE &&
         as_access_word(as, UT_NX_VA, FAULT_WRITE, &word) == FAULT_RESPONSE_CONTINUE;
    if (!ok) {
        ktest_fail(t, __FILE__, __LINE__, "setting up the test address space failed");
        as_destroy(as);
    }
    return ok;
}

/* The page faults a run resolved, and how the first unresolved one was answered. */
struct run_log {
    unsigned resolved;
    struct fault faults[FAULTS_LOGGED];
    enum fault_response response; /* for a run that stopped on a page fault */
};

/*
 * Run CTX in AS until a trap other than a page fault user_fault_resolve
 * resolves (at most FAULTS_LOGGED of those), as the portable process loop
 * does. AS's page directory must be active.
 */
static void run(struct address_space *as, struct user_context *ctx, struct user_trap *trap,
                struct run_log *log)
{
    *log = (struct run_log){ .response = FAULT_RESPONSE_CONTINUE };
    for (;;) {
        arch_user_run(ctx, trap);
        if (trap->kind != USER_TRAP_PAGE_FAULT || log->resolved == FAULTS_LOGGED)
            return;
        log->response = user_fault_resolve(as, &trap->fault);
        if (log->response != FAULT_RESPONSE_CONTINUE)
            return;
        log->faults[log->resolved++] = trap->fault;
    }
}

/* One program's run from its start to its first stop. */
struct single_run {
    struct user_context ctx;
    struct user_trap trap;
    struct run_log log;
};

/* Start PROGRAM with ARG in a fresh address space, run it to its first stop, tear down. */
static bool run_program(struct ktest *t, const char *program, uint64_t arg, struct single_run *r)
{
    struct address_space as;
    if (!space_create(t, &as, ASID_SINGLE))
        return false;
    arch_user_context_init(&r->ctx, user_va(program), UT_STACK_TOP, arg);
    pd_activate(&as.pd);
    run(&as, &r->ctx, &r->trap, &r->log);
    pd_activate(kernel_pd());
    as_destroy(&as);
    return true;
}

static void expect_fault(struct ktest *t, const struct fault *f, uint64_t addr,
                         enum fault_access access, enum fault_cause cause, uintptr_t pc)
{
    KEXPECT_EQU(t, f->addr.value, addr);
    KEXPECT_EQ(t, f->access, access);
    KEXPECT_EQ(t, f->cause, cause);
    KEXPECT_EQ(t, f->mode, FAULT_USER);
    KEXPECT_EQU(t, f->pc, pc);
}

/* A run of PROGRAM(ARG) that must stop on a page fault the resolver refuses. */
static void expect_crashing_fault(struct ktest *t, const char *program, uint64_t arg,
                                  enum fault_access access, enum fault_cause cause, uintptr_t pc)
{
    struct single_run r;
    uint64_t kernel_faults = fault_count();
    if (!run_program(t, program, arg, &r))
        return;
    KASSERT_EQ(t, r.trap.kind, USER_TRAP_PAGE_FAULT);
    KEXPECT_EQ(t, r.log.response, FAULT_RESPONSE_SHOULD_CRASH);
    expect_fault(t, &r.trap.fault, arg, access, cause, pc);
    KEXPECT_EQU(t, r.trap.pc, pc);
    KEXPECT_EQU(t, arch_user_pc(&r.ctx), pc); /* resuming would retry the access */
    /* The arch code hands user faults back; the kernel's own handler never sees them. */
    KEXPECT_EQ(t, fault_count(), kernel_faults);
}

KTEST(user_x86, thread_starts_with_arg_stack_top_and_zeros)
{
    struct single_run r;
    if (!run_program(t, x86_ut_first, UT_START_ARG, &r))
        return;
    KASSERT_EQ(t, r.trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQ(t, r.log.resolved, 0);
    KEXPECT_EQU(t, r.trap.pc, user_va(x86_ut_first_return));
    KEXPECT_EQU(t, r.trap.syscall, 0);
    KEXPECT_EQU(t, r.trap.args[0], UT_START_ARG);
    for (unsigned i = 1; i < USER_SYSCALL_ARGS; i++)
        KEXPECT_EQU(t, r.trap.args[i], 0);
    /* Every general register but rdi and rsp is zero. */
    for (unsigned w = X86_USER_RAX; w <= X86_USER_R15; w++)
        KEXPECT_EQU(t, r.ctx.words[w], w == X86_USER_RDI ? UT_START_ARG : 0);
    KEXPECT_EQU(t, arch_user_sp(&r.ctx), UT_STACK_TOP);
    KEXPECT_EQU(t, arch_user_pc(&r.ctx), user_va(x86_ut_first_return));
    KEXPECT_EQU(t, r.ctx.words[X86_USER_CS], X86_USER_CODE_SELECTOR);
    KEXPECT_EQU(t, r.ctx.words[X86_USER_SS], X86_USER_DATA_SELECTOR);
    KEXPECT_EQU(t, r.ctx.words[X86_USER_RFLAGS] & (X86_RFLAGS_IF | X86_RFLAGS_IOPL_MASK), 0);
    KEXPECT_EQU(t, r.trap.cause, X86_VECTOR_SYSCALL);
}

KTEST(user_x86, syscall_carries_number_arguments_and_result)
{
    struct address_space as;
    if (!space_create(t, &as, ASID_SINGLE + 1))
        return;
    struct user_context ctx;
    struct user_trap trap;
    struct run_log log;
    arch_user_context_init(&ctx, user_va(x86_ut_syscall), UT_STACK_TOP, 0);
    pd_activate(&as.pd);

    run(&as, &ctx, &trap, &log);
    KEXPECT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.syscall, UT_SYS_ARGS);
    KEXPECT_EQU(t, trap.pc, user_va(x86_ut_syscall_args_return)); /* past the int */
    static const uint64_t args[USER_SYSCALL_ARGS] = { UT_ARG0, UT_ARG1, UT_ARG2,
                                                      UT_ARG3, UT_ARG4, UT_ARG5 };
    for (unsigned i = 0; i < USER_SYSCALL_ARGS; i++)
        KEXPECT_EQU(t, trap.args[i], args[i]);
    /* The rest of the record is zero: no fault, no exception, the bare vector. */
    KEXPECT_EQU(t, trap.fault.addr.value, 0);
    KEXPECT_EQU(t, trap.fault.pc, 0);
    KEXPECT(t, trap.exception == NULL);
    KEXPECT_EQU(t, trap.cause, X86_VECTOR_SYSCALL);
    /* The trap pushed its frame into the context itself. */
    KEXPECT_EQU(t, ctx.words[X86_USER_VECTOR], X86_VECTOR_SYSCALL);
    KEXPECT_EQU(t, ctx.words[X86_USER_ERROR_CODE], 0);
    KEXPECT_EQU(t, ctx.words[X86_USER_R9], UT_ARG5);
    arch_user_set_result(&ctx, UT_ARG5 ^ UT_ARG0);

    /* The result arrives in rax, and registers the program set survived the kernel. */
    run(&as, &ctx, &trap, &log);
    KEXPECT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.syscall, UT_SYS_RESULT);
    KEXPECT_EQU(t, trap.pc, user_va(x86_ut_syscall_result_return));
    KEXPECT_EQU(t, trap.args[0], UT_ARG5 ^ UT_ARG0);
    KEXPECT_EQU(t, trap.args[1], UT_VALUE_RBX);
    KEXPECT_EQU(t, trap.args[2], UT_VALUE_RBP);
    KEXPECT_EQU(t, trap.args[3], UT_VALUE_RCX);
    KEXPECT_EQU(t, trap.args[4], UT_VALUE_R11);
    KEXPECT_EQU(t, trap.args[5], UT_VALUE_R12);
    arch_user_set_result(&ctx, UT_ARG1);

    run(&as, &ctx, &trap, &log);
    KEXPECT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.syscall, UT_SYS_STATE);
    KEXPECT_EQU(t, trap.pc, user_va(x86_ut_syscall_state_return));
    KEXPECT_EQU(t, trap.args[0], UT_VALUE_R13);
    KEXPECT_EQU(t, trap.args[1], UT_VALUE_R14);
    KEXPECT_EQU(t, trap.args[2], UT_VALUE_R15);
    KEXPECT_EQU(t, trap.args[3], UT_ARG1);
    KEXPECT_EQU(t, trap.args[4], X86_USER_CODE_SELECTOR); /* ring 3, as the thread sees it */
    KEXPECT_EQU(t, trap.args[5], X86_USER_DATA_SELECTOR);

    /* pushfq takes the stack's first page: a zero-fill fault, resolved on the way. */
    run(&as, &ctx, &trap, &log);
    KEXPECT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.syscall, UT_SYS_FLAGS);
    KEXPECT_EQU(t, trap.pc, user_va(x86_ut_syscall_flags_return));
    KASSERT_EQ(t, log.resolved, 1);
    expect_fault(t, &log.faults[0], UT_STACK_TOP - sizeof(uint64_t), FAULT_WRITE,
                 FAULT_NOT_PRESENT, user_va(x86_ut_syscall_push));
    uint64_t rflags = trap.args[0];
    KEXPECT_EQU(t, rflags & X86_RFLAGS_IF, 0); /* interrupts stay off in user mode */
    KEXPECT_EQU(t, rflags & X86_RFLAGS_IOPL_MASK, 0);
    KEXPECT_EQU(t, rflags & X86_RFLAGS_RESERVED_ONE, X86_RFLAGS_RESERVED_ONE);
    KEXPECT_EQU(t, trap.args[1], UT_STACK_TOP);

    pd_activate(kernel_pd());
    as_destroy(&as);
}

KTEST(user_x86, direction_flag_is_the_threads_own)
{
    struct address_space as;
    if (!space_create(t, &as, ASID_SINGLE + 3))
        return;
    struct user_context ctx;
    struct user_trap trap;
    struct run_log log;
    arch_user_context_init(&ctx, user_va(x86_ut_direction), UT_STACK_TOP, 0);
    pd_activate(&as.pd);

    /* The thread trapped with DF set: the kernel has it clear, the context keeps it. */
    run(&as, &ctx, &trap, &log);
    uint64_t kernel_rflags = x86_read_rflags();
    KEXPECT_EQU(t, kernel_rflags & X86_RFLAGS_DF, 0);
    KEXPECT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.syscall, UT_SYS_DONE);
    KEXPECT_EQU(t, trap.pc, user_va(x86_ut_direction_return));
    KEXPECT_EQU(t, ctx.words[X86_USER_RFLAGS] & X86_RFLAGS_DF, X86_RFLAGS_DF);

    /* Resumed, the thread still has it set (and its stack page cost one fault). */
    run(&as, &ctx, &trap, &log);
    KEXPECT_EQU(t, x86_read_rflags() & X86_RFLAGS_DF, 0);
    KEXPECT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.syscall, UT_SYS_FLAGS);
    KEXPECT_EQ(t, log.resolved, 1);
    KEXPECT_EQU(t, trap.args[0] & X86_RFLAGS_DF, X86_RFLAGS_DF);
    KEXPECT_EQU(t, trap.args[1], UT_STACK_TOP);

    pd_activate(kernel_pd());
    as_destroy(&as);
}

KTEST(user_x86, store_to_lazy_page_is_zero_filled)
{
    struct address_space as;
    if (!space_create(t, &as, ASID_SINGLE + 2))
        return;
    uint64_t target = UT_DATA_VA + 3 * sizeof(uint64_t);
    struct pd_query_result q;
    KEXPECT_EQ(t, pd_query(&as.pd, vaddr(UT_DATA_VA), &q), -E_NOENT);
    struct user_context ctx;
    struct user_trap trap;
    struct run_log log;
    uint64_t kernel_faults = fault_count();
    arch_user_context_init(&ctx, user_va(x86_ut_store), UT_STACK_TOP, target);
    pd_activate(&as.pd);
    run(&as, &ctx, &trap, &log);
    pd_activate(kernel_pd());

    KEXPECT_EQ(t, fault_count(), kernel_faults);
    KASSERT_EQ(t, log.resolved, 1);
    expect_fault(t, &log.faults[0], target, FAULT_WRITE, FAULT_NOT_PRESENT,
                 user_va(x86_ut_store_access));
    KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.syscall, UT_SYS_DONE);
    KEXPECT_EQU(t, trap.args[0], target);
    KEXPECT_EQU(t, trap.args[1], UT_STORE_VALUE); /* the program read its store back */
    /* The value is in the page the fault allocated, which is zero elsewhere. */
    uint64_t value = 0;
    KEXPECT_EQ(t, as_access_word(&as, target, FAULT_READ, &value), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, value, UT_STORE_VALUE);
    value = 1;
    KEXPECT_EQ(t, as_access_word(&as, UT_DATA_VA, FAULT_READ, &value), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, value, 0);
    KASSERT_EQ(t, pd_query(&as.pd, vaddr(UT_DATA_VA), &q), 0);
    KEXPECT_EQU(t, q.prot & (PD_WRITE | PD_USER), PD_WRITE | PD_USER);
    KEXPECT_NE(t, q.phys.value, phys_zero_page().value);
    as_destroy(&as);
}

KTEST(user_x86, load_from_unmapped_address_should_crash)
{
    expect_crashing_fault(t, x86_ut_load, UT_UNMAPPED_VA, FAULT_READ, FAULT_NOT_PRESENT,
                          user_va(x86_ut_load));
    expect_crashing_fault(t, x86_ut_load, 0, FAULT_READ, FAULT_NOT_PRESENT,
                          user_va(x86_ut_load)); /* a null pointer */
}

KTEST(user_x86, store_to_read_only_region_is_write_fault)
{
    struct single_run r;
    if (!run_program(t, x86_ut_load_store, UT_RO_VA, &r))
        return;
    /* The load maps the page readable (resolved), then the store hits the protection. */
    KASSERT_EQ(t, r.log.resolved, 1);
    expect_fault(t, &r.log.faults[0], UT_RO_VA, FAULT_READ, FAULT_NOT_PRESENT,
                 user_va(x86_ut_load_store));
    KASSERT_EQ(t, r.trap.kind, USER_TRAP_PAGE_FAULT);
    KEXPECT_EQ(t, r.log.response, FAULT_RESPONSE_SHOULD_CRASH);
    expect_fault(t, &r.trap.fault, UT_RO_VA, FAULT_WRITE, FAULT_PROTECTION,
                 user_va(x86_ut_load_store_access));
}

KTEST(user_x86, jump_to_non_executable_page_is_execute_fault)
{
    /* A resident page without execute permission, then one with no region at all. */
    expect_crashing_fault(t, x86_ut_jump, UT_NX_VA, FAULT_EXECUTE, FAULT_PROTECTION, UT_NX_VA);
    expect_crashing_fault(t, x86_ut_jump, UT_UNMAPPED_VA, FAULT_EXECUTE, FAULT_NOT_PRESENT,
                          UT_UNMAPPED_VA);
}

KTEST(user_x86, kernel_addresses_fault_as_user_traps)
{
    uint64_t secret = kernel_secret;
    /* Mapped for the kernel: a protection fault, since the U bit is clear. */
    expect_crashing_fault(t, x86_ut_load, (uintptr_t)&kernel_secret, FAULT_READ,
                          FAULT_PROTECTION, user_va(x86_ut_load));
    expect_crashing_fault(t, x86_ut_store, (uintptr_t)&kernel_secret, FAULT_WRITE,
                          FAULT_PROTECTION, user_va(x86_ut_store_access));
    KEXPECT_EQU(t, kernel_secret, secret);
    expect_crashing_fault(t, x86_ut_jump, (uintptr_t)arch_user_run, FAULT_EXECUTE,
                          FAULT_PROTECTION, (uintptr_t)arch_user_run);
    /* Unmapped in the kernel half: not present, still a user trap and not a kernel crash. */
    expect_crashing_fault(t, x86_ut_load, arch_unmapped_address(), FAULT_READ, FAULT_NOT_PRESENT,
                          user_va(x86_ut_load));
}

/*
 * One exception: the program at LABEL, given ARG, stops at PC_LABEL with
 * VECTOR and ERROR_CODE, or QEMU_ERROR_CODE where QEMU's TCG reports
 * another: for a gate INT n may not raise, it gives the IDT vector as
 * n * 16 + 2 (the gate's byte offset) where the SDM and real CPUs give the
 * selector-style n * 8 + 2.
 */
struct exception_case {
    const char *label;
    uint64_t arg;
    const char *pc_label;
    uint64_t vector;
    uint64_t error_code;
    uint64_t qemu_error_code;
};

#define IDT_GATE_OFFSET_ERROR_CODE(vector) \
    ((uint64_t)(vector) * sizeof(struct x86_idt_gate) | X86_SELECTOR_ERROR_IDT)

KTEST(user_x86, exceptions_are_named_with_vector_and_pc)
{
    const struct exception_case cases[] = {
        { x86_ut_ud2, 0, x86_ut_ud2, X86_VECTOR_INVALID_OPCODE, 0, 0 },
        /* Privileged instructions: ring 3 really is ring 3. */
        { x86_ut_cli, 0, x86_ut_cli, X86_VECTOR_GENERAL_PROTECTION, 0, 0 },
        { x86_ut_hlt, 0, x86_ut_hlt, X86_VECTOR_GENERAL_PROTECTION, 0, 0 },
        /* A trap, not a fault: the CPU reports the instruction after int3. */
        { x86_ut_int3, 0, x86_ut_int3_next, X86_VECTOR_BREAKPOINT, 0, 0 },
        { x86_ut_divide, 0, x86_ut_divide_access, X86_VECTOR_DIVIDE_ERROR, 0, 0 },
        { x86_ut_int_absent, 0, x86_ut_int_absent, X86_VECTOR_GENERAL_PROTECTION,
          IDT_ERROR_CODE(UT_ABSENT_VECTOR), IDT_GATE_OFFSET_ERROR_CODE(UT_ABSENT_VECTOR) },
        /* A non-canonical address is a #GP, not a page fault. */
        { x86_ut_load, NON_CANONICAL, x86_ut_load, X86_VECTOR_GENERAL_PROTECTION, 0, 0 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct exception_case *c = &cases[i];
        int failures = t->failures;
        struct single_run r;
        if (!run_program(t, c->label, c->arg, &r))
            return;
        KEXPECT_EQ(t, r.log.resolved, 0);
        KEXPECT_EQ(t, r.trap.kind, USER_TRAP_EXCEPTION);
        KEXPECT_EQU(t, r.trap.pc, user_va(c->pc_label));
        KEXPECT_EQU(t, arch_user_pc(&r.ctx), user_va(c->pc_label));
        uint64_t vector = r.trap.cause & ((UINT64_C(1) << X86_USER_CAUSE_ERROR_SHIFT) - 1);
        uint64_t error_code = r.trap.cause >> X86_USER_CAUSE_ERROR_SHIFT;
        KEXPECT_EQU(t, vector, c->vector);
        if (!c->qemu_error_code || error_code != c->qemu_error_code)
            KEXPECT_EQU(t, error_code, c->error_code);
        /* The record comes from the frame the trap pushed into the context. */
        KEXPECT_EQU(t, r.ctx.words[X86_USER_VECTOR], vector);
        KEXPECT_EQU(t, r.ctx.words[X86_USER_ERROR_CODE], error_code);
        KEXPECT(t, r.trap.exception != NULL);
        if (r.trap.exception)
            KEXPECT_STREQ(t, r.trap.exception, x86_exception_name(c->vector));
        if (t->failures != failures)
            ktest_note(t, "in case %zu (vector %llu)", i, (unsigned long long)c->vector);
    }
}

KTEST(user_x86, non_canonical_entry_is_refused_without_entering)
{
    struct user_context ctx;
    struct user_trap trap;
    arch_user_context_init(&ctx, NON_CANONICAL, UT_STACK_TOP, 0);
    arch_user_run(&ctx, &trap); /* no address space needed: it must not enter */
    KEXPECT_EQ(t, trap.kind, USER_TRAP_EXCEPTION);
    KEXPECT_EQU(t, trap.pc, NON_CANONICAL);
    KEXPECT_EQU(t, trap.cause, X86_VECTOR_GENERAL_PROTECTION);
}

KTEST(user_x86, gates_and_segments_admit_ring3)
{
    const struct x86_idt_gate *gates = x86_idt_base();
    for (unsigned v = 0; v < X86_IDT_VECTORS; v++) {
        bool present = (gates[v].low & X86_GATE_PRESENT) != 0;
        unsigned dpl = (gates[v].low >> X86_GATE_DPL_SHIFT) & X86_GATE_DPL_MASK;
        bool user = v == X86_VECTOR_SYSCALL || v == X86_VECTOR_BREAKPOINT;
        KEXPECT_EQ(t, present, v < X86_EXCEPTION_VECTORS || v == X86_VECTOR_SYSCALL);
        KEXPECT_EQ(t, dpl, user ? X86_PRIVILEGE_USER : X86_PRIVILEGE_KERNEL);
    }
    struct x86_table_register gdtr = x86_sgdt();
    const uint64_t *gdt = (const uint64_t *)(uintptr_t)gdtr.base;
    KASSERT_EQ(t, gdtr.limit, X86_GDT_SLOTS * sizeof(uint64_t) - 1);
    uint64_t code = gdt[X86_GDT_SLOT_USER_CODE], data = gdt[X86_GDT_SLOT_USER_DATA];
    KEXPECT_EQU(t, code & GDT_TYPE_BITS, GDT_TYPE_BITS);
    KEXPECT_EQU(t, code & GDT_DPL_MASK, X86_SEG_DPL(X86_PRIVILEGE_USER));
    KEXPECT_EQU(t, data & (X86_SEG_CODE | X86_SEG_RW | X86_SEG_PRESENT),
                X86_SEG_RW | X86_SEG_PRESENT);
    KEXPECT_EQU(t, data & GDT_DPL_MASK, X86_SEG_DPL(X86_PRIVILEGE_USER));
    KEXPECT_EQU(t, gdt[X86_GDT_SLOT_KERNEL_CODE] & GDT_DPL_MASK, 0);
    KEXPECT_EQU(t, x86_str(), X86_TSS_SELECTOR);
}

/* A thread of the turn-taking test: its address space, context and what it must report. */
struct turn_thread {
    struct address_space *as;
    struct user_context ctx;
    uint64_t id;
    uint64_t step; /* its count goes up by this each round: the threads sharing its data */
    uint64_t offset; /* its count in round 0 */
};

KTEST(user_x86, threads_take_turns_across_two_spaces)
{
    struct address_space a, b;
    if (!space_create(t, &a, ASID_PAIR_A))
        return;
    if (!space_create(t, &b, ASID_PAIR_B)) {
        as_destroy(&a);
        return;
    }
    /* Two threads share A's count (1, 2, 3, ... between them); one has B's to itself. */
    struct turn_thread threads[] = {
        { .as = &a, .id = 0xa1, .step = 2, .offset = 1 },
        { .as = &a, .id = 0xa2, .step = 2, .offset = 2 },
        { .as = &b, .id = 0xb1, .step = 1, .offset = 1 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(threads); i++)
        arch_user_context_init(&threads[i].ctx, user_va(x86_ut_count), UT_STACK_TOP,
                               threads[i].id);

    unsigned resolved = 0;
    for (uint64_t round = 0; round < THREAD_ROUNDS; round++) {
        for (size_t i = 0; i < ARRAY_SIZE(threads); i++) {
            struct turn_thread *th = &threads[i];
            struct user_trap trap;
            pd_activate(&th->as->pd);
            unsigned lost = 0;
            for (unsigned tries = 0; tries <= FAULTS_LOGGED; tries++) {
                lost |= x86_ut_run_checked(&th->ctx, &trap);
                if (trap.kind != USER_TRAP_PAGE_FAULT)
                    break;
                KASSERT_EQ(t, user_fault_resolve(th->as, &trap.fault), FAULT_RESPONSE_CONTINUE);
                resolved++;
            }
            KEXPECT_EQU(t, lost, 0);
            /* Back in the kernel as it was: ring 0, interrupts off. */
            KEXPECT_EQU(t, x86_read_cs(), X86_KERNEL_CODE_SELECTOR);
            KEXPECT_EQU(t, x86_read_rflags() & X86_RFLAGS_IF, 0);
            /*
             * TSS.rsp0 at the end of this thread's frame, 16-byte aligned,
             * so the trap was pushed into its context; the kernel stack
             * pointer it came back to was ours, below this frame.
             */
            KEXPECT_EQU(t, x86_tss.rsp[0], (uintptr_t)&th->ctx.words[X86_TRAP_FRAME_WORDS]);
            KEXPECT_EQ(t, x86_tss.rsp[0] % 16, 0);
            KEXPECT_LT(t, th->ctx.words[X86_USER_KERNEL_SP], (uintptr_t)&trap);
            KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
            KEXPECT_EQU(t, trap.syscall, UT_SYS_COUNT);
            KEXPECT_EQU(t, trap.args[0], th->id);
            KEXPECT_EQU(t, trap.args[1], th->offset + round * th->step);
        }
    }
    pd_activate(kernel_pd());
    /* Each space's count: a read fault then a write fault, once per space. */
    KEXPECT_EQ(t, resolved, 4);
    uint64_t count = 0;
    KEXPECT_EQ(t, as_access_word(&a, UT_DATA_VA, FAULT_READ, &count), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, count, 2 * THREAD_ROUNDS);
    KEXPECT_EQ(t, as_access_word(&b, UT_DATA_VA, FAULT_READ, &count), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, count, THREAD_ROUNDS);
    as_destroy(&b);
    as_destroy(&a);
}

/*
 * After a trap from ring 3 the CPU leaves SS null in ring 0 (64-bit mode
 * allows it); kernel traps must still be taken and returned from as
 * before: a probe's page fault goes to fault_handle() as a kernel fault, a
 * probe's #GP is recovered.
 */
KTEST(user_x86, kernel_traps_work_after_user_mode)
{
    struct single_run r;
    if (!run_program(t, x86_ut_first, 0, &r))
        return;
    KEXPECT_EQ(t, r.trap.kind, USER_TRAP_SYSCALL);
    uint64_t before = fault_count();
    uint64_t value = 0;
    KEXPECT_EQ(t, arch_probe_read(arch_unmapped_address(), &value), -E_FAULT);
    KASSERT_EQ(t, fault_count(), before + 1);
    KEXPECT_EQ(t, fault_last().mode, FAULT_KERNEL);
    KEXPECT_EQU(t, fault_last().addr.value, arch_unmapped_address());
    KEXPECT_EQ(t, arch_probe_read(NON_CANONICAL, &value), -E_FAULT);
    KEXPECT_EQ(t, fault_count(), before + 1);
    KEXPECT_EQU(t, x86_read_cs(), X86_KERNEL_CODE_SELECTOR);
}
