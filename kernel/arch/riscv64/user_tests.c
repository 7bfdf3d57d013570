/*
 * The user_riscv suite: real U-mode threads on the board's MMU, through
 * include/arch/user.h. Each test builds a user address space (code, data,
 * read-only, stack regions), copies the program blob of
 * user_tests_programs.S into it with as_access_word, activates it, and runs
 * threads with arch_user_run, resolving their page faults as the portable
 * process loop will (user_fault_resolve). Every fault resolved on the way
 * is recorded, so a test states the exact list of faults a program takes,
 * then the exact trap it stops on: kind, pc, address, access, cause, and
 * every field its kind does not use zero.
 *
 * QEMU 7.2 sets accessed/dirty bits in hardware, so those lists hold no
 * accessed/dirty faults; a Svade hart would add some.
 */
#include "riscv/csr.h"
#include "riscv/probe.h"
#include "riscv/trap.h"
#include "riscv/user.h"
#include "riscv/user_tests.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include "kernel/user_fault.h"
#include "mm/address_space.h"
#include <arch/cpu.h>
#include <arch/user.h>
#include <pagoda/errors.h>
#include <pagoda/ktest.h>

#define PAGE PD_PAGE_SIZE
#define RW (REGION_READ | REGION_WRITE)
#define RX (REGION_READ | REGION_EXECUTE)
#define DATA_PAGES 2

/* ASIDs 40-49 belong to these tests; no other test uses them. */
#define ASID_SYSCALLS 40
#define ASID_REGISTERS 41
#define ASID_LAZY_STORE 42
#define ASID_BAD_ACCESSES 43
#define ASID_EXCEPTIONS 44
#define ASID_KERNEL_ADDRESSES 45
#define ASID_ALTERNATE_A 46
#define ASID_ALTERNATE_B 47
#define ASID_KERNEL_PATH 48

/* More resolved faults than any program takes: past it, a fault keeps coming back. */
#define MAX_RESOLVED_FAULTS 8
#define CONTEXT_GARBAGE 0xa5
#define THREAD_ARG UINT64_C(0xa4a4000012345678)
#define FIRST_RESULT UINT64_C(0x4e5017)
#define ALTERNATION_ROUNDS 5
#define ALTERNATION_THREADS 3
/* The result the alternation test gives thread I in ROUND: distinct for each. */
#define ALTERNATION_RESULT(i, round) ((uint64_t)((i) + 1) << 16 | (round))
/* What the counter program stores: its tag and its round. */
#define COUNTER_WORD(tag, round) ((uint64_t)(tag) << 32 | (round))

static volatile uint64_t kernel_word = UINT64_C(0x6b65726e656c);

/* Where a label of the program blob is in a test space. */
static uintptr_t user_va(const char *label)
{
    return USER_TEST_CODE_VA + (uintptr_t)(label - riscv_user_programs);
}

static void fence_i(void)
{
    __asm__ volatile("fence.i" ::: "memory");
}

/* --- the test space ----------------------------------------------------------- */

static bool succeeded(struct ktest *t, int err, const char *what)
{
    if (err)
        ktest_fail(t, __FILE__, __LINE__, "%s: error %d", what, err);
    return err == 0;
}

/*
 * Copy the program blob to the code page the way a loader would (the page
 * is writable while it is filled), then make the region R X: that unmaps
 * the page, so each program's first fetch is an execute fault.
 */
static bool load_programs(struct ktest *t, struct address_space *as)
{
    size_t size = (size_t)(riscv_user_programs_end - riscv_user_programs);
    KEXPECT(t, size <= PAGE);
    if (size > PAGE)
        return false;
    for (size_t off = 0; off < size; off += sizeof(uint64_t)) {
        uint64_t word = 0;
        memcpy(&word, riscv_user_programs + off, MIN(sizeof(word), size - off));
        enum fault_response response =
            as_access_word(as, USER_TEST_CODE_VA + off, FAULT_WRITE, &word);
        KEXPECT_EQ(t, response, FAULT_RESPONSE_CONTINUE);
        if (response != FAULT_RESPONSE_CONTINUE)
            return false;
    }
    if (!succeeded(t, as_protect(as, USER_TEST_CODE_VA, PAGE, RX), "as_protect code"))
        return false;
    /* The code went in through quickmap, as data: make it visible to fetches. */
    fence_i();
    return true;
}

static bool space_create(struct ktest *t, struct address_space *as, uint16_t asid)
{
    if (!succeeded(t, as_create(as, kernel_pd(), asid), "as_create"))
        return false;
    bool ok =
        succeeded(t, as_allocate_region(as, USER_TEST_CODE_VA, PAGE, 0, RW, 0,
                                        ALLOCATION_RESERVE, "code", NULL), "code region") &&
        succeeded(t, as_allocate_region(as, USER_TEST_DATA_VA, DATA_PAGES * PAGE, 0, RW, 0,
                                        ALLOCATION_RESERVE, "data", NULL), "data region") &&
        succeeded(t, as_allocate_region(as, USER_TEST_RO_VA, PAGE, 0, REGION_READ, 0,
                                        ALLOCATION_RESERVE, "read-only", NULL), "ro region") &&
        succeeded(t, as_allocate_region(as, USER_TEST_STACK_TOP - PAGE, PAGE, 0, RW,
                                        REGION_STACK, ALLOCATION_RESERVE, "stack", NULL),
                  "stack region") &&
        load_programs(t, as);
    if (!ok)
        as_destroy(as);
    return ok;
}

static void space_destroy(struct address_space *as)
{
    pd_activate(kernel_pd());
    as_destroy(as);
}

/* Run BODY with a fresh test space tagged ASID active, and clean up whatever it does. */
static void with_space(struct ktest *t, uint16_t asid,
                       void (*body)(struct ktest *t, struct address_space *as))
{
    struct address_space as;
    if (!space_create(t, &as, asid))
        return;
    pd_activate(&as.pd);
    body(t, &as);
    space_destroy(&as);
}

static uint64_t read_user_word(struct ktest *t, struct address_space *as, uint64_t va)
{
    uint64_t value = UINT64_MAX;
    KEXPECT_EQ(t, as_access_word(as, va, FAULT_READ, &value), FAULT_RESPONSE_CONTINUE);
    return value;
}

/* --- threads -------------------------------------------------------------------- */

struct user_thread {
    struct address_space *as;
    struct user_context ctx;
    struct fault resolved[MAX_RESOLVED_FAULTS]; /* the page faults resolved so far */
    size_t resolved_count;
    enum fault_response response; /* the answer to the fault that stopped it, if one did */
    bool check_kernel_registers;  /* run through riscv_test_kernel_registers_survive */
};

static void thread_init(struct user_thread *th, struct address_space *as, const char *entry,
                        uint64_t arg)
{
    memset(th, 0, sizeof(*th));
    th->as = as;
    /* Whatever the context held, the thread starts from ENTRY, STACK_TOP, ARG and zeros. */
    memset(&th->ctx, CONTEXT_GARBAGE, sizeof(th->ctx));
    arch_user_context_init(&th->ctx, user_va(entry), USER_TEST_STACK_TOP, arg);
}

/*
 * Run TH (its space active) until a trap that is not a page fault
 * user_fault_resolve() resolves; the resolved ones are recorded. The trap
 * record is garbage before each run: every field must be written
 * (expect_record_rest).
 */
static void thread_run(struct ktest *t, struct user_thread *th, struct user_trap *trap)
{
    th->response = FAULT_RESPONSE_CONTINUE;
    for (;;) {
        memset(trap, CONTEXT_GARBAGE, sizeof(*trap));
        if (th->check_kernel_registers) {
            int changed = riscv_test_kernel_registers_survive(&th->ctx, trap);
            if (changed)
                ktest_fail(t, __FILE__, __LINE__, "kernel x%d changed across arch_user_run",
                           changed);
        } else {
            arch_user_run(&th->ctx, trap);
        }
        if (trap->kind != USER_TRAP_PAGE_FAULT)
            return;
        th->response = user_fault_resolve(th->as, &trap->fault);
        if (th->response != FAULT_RESPONSE_CONTINUE)
            return;
        if (th->resolved_count == MAX_RESOLVED_FAULTS) {
            ktest_fail(t, __FILE__, __LINE__, "the fault at %#lx keeps coming back",
                       (unsigned long)trap->fault.addr.value);
            return;
        }
        th->resolved[th->resolved_count++] = trap->fault;
    }
}

/*
 * The rest of a trap record: the raw scause in .cause, and every field the
 * kind does not use zero (no garbage from before the run, no stale value).
 */
static void expect_record_rest(struct ktest *t, const struct user_trap *trap, uint64_t scause)
{
    int failures = t->failures;
    KEXPECT_EQU(t, trap->cause, scause);
    if (trap->kind != USER_TRAP_SYSCALL) {
        KEXPECT_EQU(t, trap->syscall, 0);
        for (int i = 0; i < USER_SYSCALL_ARGS; i++)
            KEXPECT_EQU(t, trap->args[i], 0);
    }
    if (trap->kind != USER_TRAP_PAGE_FAULT) {
        KEXPECT_EQU(t, trap->fault.addr.value, 0);
        KEXPECT_EQU(t, trap->fault.pc, 0);
        KEXPECT_EQ(t, trap->fault.access, 0);
        KEXPECT_EQ(t, trap->fault.cause, 0);
        KEXPECT_EQ(t, trap->fault.mode, 0);
    }
    if (trap->kind != USER_TRAP_EXCEPTION)
        KEXPECT(t, trap->exception == NULL);
    if (t->failures != failures)
        ktest_note(t, "in the rest of a trap record of kind %d", (int)trap->kind);
}

/* The scause of a page fault of ACCESS. */
static uint64_t page_fault_scause(enum fault_access access)
{
    return access == FAULT_WRITE     ? EXC_STORE_PAGE_FAULT
           : access == FAULT_EXECUTE ? EXC_INSN_PAGE_FAULT
                                     : EXC_LOAD_PAGE_FAULT;
}

static void expect_fault(struct ktest *t, const struct fault *f, uint64_t addr,
                         enum fault_access access, enum fault_cause cause, uintptr_t pc,
                         const char *what)
{
    int failures = t->failures;
    KEXPECT_EQU(t, f->addr.value, addr);
    KEXPECT_EQ(t, f->access, access);
    KEXPECT_EQ(t, f->cause, cause);
    KEXPECT_EQ(t, f->mode, FAULT_USER);
    KEXPECT_EQU(t, f->pc, pc);
    if (t->failures != failures)
        ktest_note(t, "in the fault of %s", what);
}

/* The first fetch of a thread started at ENTRY: the code page is not mapped yet. */
static void expect_first_fetch(struct ktest *t, const struct fault *f, const char *entry)
{
    expect_fault(t, f, user_va(entry), FAULT_EXECUTE, FAULT_NOT_PRESENT, user_va(entry),
                 "the first fetch");
}

static void expect_syscall(struct ktest *t, const struct user_trap *trap, uint64_t number,
                           const char *ecall)
{
    uintptr_t after = user_va(ecall) + RISCV_ECALL_SIZE;
    KEXPECT_EQ(t, trap->kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap->syscall, number);
    KEXPECT_EQU(t, trap->pc, after);
    expect_record_rest(t, trap, EXC_ECALL_FROM_U);
}

/* --- system calls ----------------------------------------------------------------- */

static void check_syscalls(struct ktest *t, struct address_space *as)
{
    struct user_thread th;
    struct user_trap trap;
    thread_init(&th, as, user_prog_syscalls, THREAD_ARG);
    KEXPECT_EQU(t, arch_user_pc(&th.ctx), user_va(user_prog_syscalls));
    KEXPECT_EQU(t, arch_user_sp(&th.ctx), USER_TEST_STACK_TOP);

    thread_run(t, &th, &trap);
    KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    expect_syscall(t, &trap, USER_TEST_SYS_FIRST, user_prog_syscalls_first);
    for (int i = 0; i < USER_SYSCALL_ARGS; i++)
        KEXPECT_EQU(t, trap.args[i], USER_TEST_SYSCALL_ARG(i));
    /* The thread resumes after the ecall, with its stack where it was. */
    KEXPECT_EQU(t, arch_user_pc(&th.ctx), user_va(user_prog_syscalls_first) + RISCV_ECALL_SIZE);
    KEXPECT_EQU(t, arch_user_sp(&th.ctx), USER_TEST_STACK_TOP);
    /* On the way: the first fetch, and the push of ARG, which filled the stack page. */
    KASSERT_EQ(t, th.resolved_count, 2);
    expect_first_fetch(t, &th.resolved[0], user_prog_syscalls);
    expect_fault(t, &th.resolved[1], USER_TEST_STACK_TOP - sizeof(uint64_t), FAULT_WRITE,
                 FAULT_NOT_PRESENT, user_va(user_prog_syscalls_stack_store), "the push");

    arch_user_set_result(&th.ctx, FIRST_RESULT);
    thread_run(t, &th, &trap);
    KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    expect_syscall(t, &trap, USER_TEST_SYS_SECOND, user_prog_syscalls_second);
    KEXPECT_EQU(t, trap.args[0], FIRST_RESULT);        /* the result arrived in a0 */
    KEXPECT_EQU(t, trap.args[1], THREAD_ARG);          /* a0 at the start */
    KEXPECT_EQU(t, trap.args[2], USER_TEST_STACK_TOP); /* sp at the start */
    KEXPECT_EQU(t, trap.args[3], 0);                   /* every other register at the start */
    KEXPECT_EQU(t, trap.args[4], USER_TEST_STACK_TOP); /* sp after the call */
    KEXPECT_EQU(t, trap.args[5], USER_TEST_T1_VALUE);  /* t1 after the call */
    KEXPECT_EQ(t, th.resolved_count, 2);
    KEXPECT_EQU(t, read_user_word(t, as, USER_TEST_STACK_TOP - sizeof(uint64_t)), THREAD_ARG);
}

KTEST(user_riscv, syscall_arguments_result_and_start_state)
{
    with_space(t, ASID_SYSCALLS, check_syscalls);
}

/* --- registers -------------------------------------------------------------------- */

/*
 * Every user register is saved at a trap (read in the context at the
 * system call, after a resolved page fault in between) and restored (the
 * thread stores them all afterwards); every callee-saved kernel register
 * survives each arch_user_run (riscv_test_kernel_registers_survive).
 */
static void check_registers(struct ktest *t, struct address_space *as)
{
    struct user_thread th;
    struct user_trap trap;
    thread_init(&th, as, user_prog_registers, 0);
    th.check_kernel_registers = true;

    thread_run(t, &th, &trap);
    KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    expect_syscall(t, &trap, USER_TEST_PATTERN(RISCV_REG_A7), user_prog_registers_first);
    KASSERT_EQ(t, th.resolved_count, 2);
    expect_first_fetch(t, &th.resolved[0], user_prog_registers);
    expect_fault(t, &th.resolved[1], USER_TEST_STACK_TOP - sizeof(uint64_t), FAULT_WRITE,
                 FAULT_NOT_PRESENT, user_va(user_prog_registers_fault), "the stack store");
    for (int n = 1; n < RISCV_USER_REGS; n++) {
        uint64_t expected = n == RISCV_REG_SP ? USER_TEST_STACK_TOP : USER_TEST_PATTERN(n);
        if (th.ctx.words[n] != expected)
            ktest_note(t, "x%d saved as %#llx", n, (unsigned long long)th.ctx.words[n]);
        KEXPECT_EQU(t, th.ctx.words[n], expected);
    }

    thread_run(t, &th, &trap);
    KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    expect_syscall(t, &trap, USER_TEST_PATTERN(RISCV_REG_A7), user_prog_registers_second);
    KEXPECT_EQ(t, th.resolved_count, 2);
    for (int n = 1; n < RISCV_USER_REGS; n++) {
        if (n == RISCV_REG_SP)
            continue;
        uint64_t slot = USER_TEST_STACK_TOP - (uint64_t)(n + 1) * sizeof(uint64_t);
        uint64_t value = read_user_word(t, as, slot);
        if (value != USER_TEST_PATTERN(n))
            ktest_note(t, "x%d restored as %#llx", n, (unsigned long long)value);
        KEXPECT_EQU(t, value, USER_TEST_PATTERN(n));
    }
    KEXPECT_EQU(t, arch_user_sp(&th.ctx), USER_TEST_STACK_TOP);
}

KTEST(user_riscv, registers_survive_traps_both_ways)
{
    with_space(t, ASID_REGISTERS, check_registers);
}

/* --- page faults -------------------------------------------------------------------- */

static void check_lazy_store(struct ktest *t, struct address_space *as)
{
    struct user_thread th;
    struct user_trap trap;
    thread_init(&th, as, user_prog_lazy_store, 0);
    thread_run(t, &th, &trap);
    KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    expect_syscall(t, &trap, USER_TEST_SYS_REPORT, user_prog_lazy_store_report);
    KASSERT_EQ(t, th.resolved_count, 2);
    expect_first_fetch(t, &th.resolved[0], user_prog_lazy_store);
    expect_fault(t, &th.resolved[1], USER_TEST_DATA_VA + 8, FAULT_WRITE, FAULT_NOT_PRESENT,
                 user_va(user_prog_lazy_store_store), "the store");
    KEXPECT_EQU(t, trap.args[0], USER_TEST_STORED_VALUE); /* the thread reads its store */
    KEXPECT_EQU(t, trap.args[1], 0);                      /* and zeros beside it */

    /* The value is in memory, in a page of its own (not the zero page), mapped writable. */
    KEXPECT_EQU(t, read_user_word(t, as, USER_TEST_DATA_VA + 8), USER_TEST_STORED_VALUE);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&as->pd, vaddr(USER_TEST_DATA_VA), &q), 0);
    KEXPECT_NE(t, q.phys.value, phys_zero_page().value);
    KEXPECT_EQU(t, q.prot & (PD_WRITE | PD_USER | PD_EXECUTE), PD_WRITE | PD_USER);
    KEXPECT(t, q.dirty);
}

KTEST(user_riscv, lazy_store_is_zero_filled_and_reaches_memory)
{
    with_space(t, ASID_LAZY_STORE, check_lazy_store);
}

/* A fault user_fault_resolve() refuses: the thread stays on the instruction. */
static void expect_crash(struct ktest *t, const struct user_thread *th,
                         const struct user_trap *trap, uintptr_t pc)
{
    KEXPECT_EQ(t, trap->kind, USER_TRAP_PAGE_FAULT);
    KEXPECT_EQ(t, th->response, FAULT_RESPONSE_SHOULD_CRASH);
    KEXPECT_EQU(t, trap->pc, pc);
    KEXPECT_EQU(t, arch_user_pc(&th->ctx), pc);
    expect_record_rest(t, trap, page_fault_scause(trap->fault.access));
}

static void check_bad_accesses(struct ktest *t, struct address_space *as)
{
    struct user_thread th;
    struct user_trap trap;

    /* A load where no region is: not-present, and it comes back if run again. */
    thread_init(&th, as, user_prog_unmapped_load, 0);
    thread_run(t, &th, &trap);
    uintptr_t load = user_va(user_prog_unmapped_load_load);
    expect_crash(t, &th, &trap, load);
    expect_fault(t, &trap.fault, USER_TEST_UNMAPPED_VA + 24, FAULT_READ, FAULT_NOT_PRESENT, load,
                 "the unmapped load");
    KEXPECT_EQ(t, th.resolved_count, 1);
    thread_run(t, &th, &trap);
    expect_crash(t, &th, &trap, load);
    KEXPECT_EQU(t, trap.fault.addr.value, USER_TEST_UNMAPPED_VA + 24);

    /* A load maps the read-only page, then a store to it is a protection fault. */
    thread_init(&th, as, user_prog_read_only, 0);
    thread_run(t, &th, &trap);
    uintptr_t store = user_va(user_prog_read_only_store);
    expect_crash(t, &th, &trap, store);
    expect_fault(t, &trap.fault, USER_TEST_RO_VA, FAULT_WRITE, FAULT_PROTECTION, store,
                 "the read-only store");
    KASSERT_EQ(t, th.resolved_count, 1); /* the code page is mapped already */
    expect_fault(t, &th.resolved[0], USER_TEST_RO_VA, FAULT_READ, FAULT_NOT_PRESENT,
                 user_va(user_prog_read_only_load), "the read-only load");

    /* A store maps the data page R W, then a jump there is a fetch protection fault. */
    thread_init(&th, as, user_prog_no_execute, 0);
    thread_run(t, &th, &trap);
    expect_crash(t, &th, &trap, USER_TEST_DATA_VA); /* a fetch fault reports the target */
    expect_fault(t, &trap.fault, USER_TEST_DATA_VA, FAULT_EXECUTE, FAULT_PROTECTION,
                 USER_TEST_DATA_VA, "the jump");
    KEXPECT_EQU(t, th.ctx.words[RISCV_REG_RA], user_va(user_prog_no_execute_jump) + 4);
    KASSERT_EQ(t, th.resolved_count, 1);
    expect_fault(t, &th.resolved[0], USER_TEST_DATA_VA, FAULT_WRITE, FAULT_NOT_PRESENT,
                 user_va(user_prog_no_execute_store), "the data store");
}

KTEST(user_riscv, bad_accesses_are_faults_that_crash)
{
    with_space(t, ASID_BAD_ACCESSES, check_bad_accesses);
}

/* --- other exceptions ----------------------------------------------------------------- */

static void check_exceptions(struct ktest *t, struct address_space *as)
{
    static const struct {
        const char *entry;
        const char *insn;
        uint64_t cause;
        const char *name;
    } cases[] = {
        { user_prog_illegal, user_prog_illegal, EXC_ILLEGAL_INSN, "illegal instruction" },
        { user_prog_privileged, user_prog_privileged, EXC_ILLEGAL_INSN, "illegal instruction" },
        { user_prog_float, user_prog_float, EXC_ILLEGAL_INSN, "illegal instruction" },
        { user_prog_breakpoint, user_prog_breakpoint, EXC_BREAKPOINT, "breakpoint" },
        { user_prog_misaligned_lr, user_prog_misaligned_lr_insn, EXC_LOAD_MISALIGNED,
          "load address misaligned" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct user_thread th;
        struct user_trap trap;
        thread_init(&th, as, cases[i].entry, 0);
        thread_run(t, &th, &trap);
        int failures = t->failures;
        KEXPECT_EQ(t, trap.kind, USER_TRAP_EXCEPTION);
        KEXPECT_EQU(t, trap.cause, cases[i].cause);
        KEXPECT(t, trap.exception != NULL);
        if (trap.exception)
            KEXPECT_STREQ(t, trap.exception, cases[i].name);
        KEXPECT_EQU(t, trap.pc, user_va(cases[i].insn));
        KEXPECT_EQU(t, arch_user_pc(&th.ctx), user_va(cases[i].insn)); /* not skipped */
        expect_record_rest(t, &trap, cases[i].cause);
        if (t->failures != failures)
            ktest_note(t, "case %zu: cause %#llx", i, (unsigned long long)trap.cause);
    }
}

KTEST(user_riscv, other_exceptions_are_reported_with_their_cause)
{
    with_space(t, ASID_EXCEPTIONS, check_exceptions);
}

/* --- the kernel half ------------------------------------------------------------------ */

/*
 * The kernel half is in every user directory (it must be, for the trap
 * path), but without U: a user load, store or jump there is a protection
 * fault delivered as a user trap. The kernel's own trap handler never sees
 * it, and the kernel's data is untouched.
 */
static void check_kernel_addresses(struct ktest *t, struct address_space *as)
{
    uintptr_t word = (uintptr_t)&kernel_word;
    uintptr_t text = (uintptr_t)riscv_probe_return;
    const struct {
        const char *entry;
        uintptr_t target;
        enum fault_access access;
    } cases[] = {
        { user_prog_kernel_load, word, FAULT_READ },
        { user_prog_kernel_store, word, FAULT_WRITE },
        { user_prog_kernel_jump, text, FAULT_EXECUTE },
    };
    uint64_t before = kernel_word;
    uint64_t kernel_traps = riscv_trap_last().count;
    uint64_t kernel_faults = fault_count();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct user_thread th;
        struct user_trap trap;
        thread_init(&th, as, cases[i].entry, cases[i].target);
        thread_run(t, &th, &trap);
        uintptr_t pc = cases[i].access == FAULT_EXECUTE ? text : user_va(cases[i].entry);
        expect_crash(t, &th, &trap, pc);
        expect_fault(t, &trap.fault, cases[i].target, cases[i].access, FAULT_PROTECTION, pc,
                     cases[i].entry == user_prog_kernel_load    ? "the kernel load"
                     : cases[i].entry == user_prog_kernel_store ? "the kernel store"
                                                                : "the kernel jump");
    }
    KEXPECT_EQU(t, kernel_word, before);
    KEXPECT_EQ(t, riscv_trap_last().count, kernel_traps);
    KEXPECT_EQ(t, fault_count(), kernel_faults);
}

KTEST(user_riscv, kernel_addresses_fault_as_user_traps)
{
    with_space(t, ASID_KERNEL_ADDRESSES, check_kernel_addresses);
}

/* After user runs, a kernel trap still takes the kernel path, on the kernel stack. */
static void check_kernel_path(struct ktest *t, struct address_space *as)
{
    struct user_thread th;
    struct user_trap trap;
    thread_init(&th, as, user_prog_unmapped_load, 0);
    thread_run(t, &th, &trap);
    KEXPECT_EQ(t, trap.kind, USER_TRAP_PAGE_FAULT);

    /*
     * While the thread ran, sscratch held its context and the context's x0
     * word the kernel frame, pushed on this stack; back in the kernel,
     * sscratch is 0 again.
     */
    KEXPECT_EQU(t, csr_read(sscratch), 0);
    int here;
    uintptr_t kernel_frame = th.ctx.words[RISCV_USER_KERNEL_SP];
    KEXPECT(t, kernel_frame < (uintptr_t)&here && (uintptr_t)&here - kernel_frame < PAGE);
    KEXPECT_EQU(t, kernel_frame % 16, 0);
    KEXPECT_EQU(t, csr_read(sstatus) & SSTATUS_SIE, 0);
    KEXPECT_EQU(t, csr_read(stvec), (uintptr_t)riscv_trap_vector | STVEC_MODE_DIRECT);
    uint64_t traps = riscv_trap_last().count;
    uint64_t value;
    uintptr_t guard = arch_unmapped_address();
    KEXPECT_EQ(t, arch_probe_read(guard, &value), -E_FAULT);
    struct riscv_trap_record kernel_trap = riscv_trap_last();
    KEXPECT_EQ(t, kernel_trap.count, traps + 1);
    KEXPECT(t, (kernel_trap.frame.sstatus & SSTATUS_SPP) != 0);
    KEXPECT_EQU(t, kernel_trap.frame.stval, guard);
    KEXPECT_EQ(t, fault_last().mode, FAULT_KERNEL);
    /* The frame was pushed on the stack this test runs on. */
    int local;
    uintptr_t frame_sp = kernel_trap.frame.regs[RISCV_REG_SP];
    KEXPECT(t, frame_sp < (uintptr_t)&local && (uintptr_t)&local - frame_sp < PAGE);
}

KTEST(user_riscv, kernel_traps_keep_their_path_after_user_runs)
{
    with_space(t, ASID_KERNEL_PATH, check_kernel_path);
}

/* --- two spaces, three threads ---------------------------------------------------------- */

/*
 * Threads 0 and 1 share space A, thread 2 has space B; they run in turn,
 * each resuming after its own system call with its own result, and store
 * to the same address (thread 2 and thread 0 to the same word) in their
 * own space.
 */
static void alternate(struct ktest *t, struct address_space *a, struct address_space *b)
{
    struct user_thread th[ALTERNATION_THREADS];
    uint64_t sums[ALTERNATION_THREADS] = { 0 };
    for (int i = 0; i < ALTERNATION_THREADS; i++)
        thread_init(&th[i], i < 2 ? a : b, user_prog_counter, (uint64_t)i);
    for (uint64_t round = 1; round <= ALTERNATION_ROUNDS; round++) {
        for (int i = 0; i < ALTERNATION_THREADS; i++) {
            struct user_trap trap;
            pd_activate(&th[i].as->pd);
            thread_run(t, &th[i], &trap);
            KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
            expect_syscall(t, &trap, USER_TEST_SYS_YIELD, user_prog_counter_call);
            KEXPECT_EQU(t, trap.args[0], i);
            KEXPECT_EQU(t, trap.args[1], round);
            KEXPECT_EQU(t, trap.args[2], sums[i]);
            arch_user_set_result(&th[i].ctx, ALTERNATION_RESULT(i, round));
            sums[i] += ALTERNATION_RESULT(i, round);
        }
    }
    pd_activate(kernel_pd());
    KEXPECT_EQU(t, read_user_word(t, a, USER_TEST_DATA_VA), COUNTER_WORD(0, ALTERNATION_ROUNDS));
    KEXPECT_EQU(t, read_user_word(t, a, USER_TEST_DATA_VA + 8),
                COUNTER_WORD(1, ALTERNATION_ROUNDS));
    KEXPECT_EQU(t, read_user_word(t, b, USER_TEST_DATA_VA), COUNTER_WORD(2, ALTERNATION_ROUNDS));
    KEXPECT_EQU(t, read_user_word(t, b, USER_TEST_DATA_VA + 8), 0);
}

KTEST(user_riscv, threads_alternate_between_two_spaces)
{
    struct address_space a, b;
    if (!space_create(t, &a, ASID_ALTERNATE_A))
        return;
    if (!space_create(t, &b, ASID_ALTERNATE_B)) {
        as_destroy(&a);
        return;
    }
    alternate(t, &a, &b);
    pd_activate(kernel_pd());
    as_destroy(&b);
    as_destroy(&a);
}
