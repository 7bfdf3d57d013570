/*
 * In-kernel tests of user mode on aarch64 (suite user_aarch64): real EL0
 * threads, in address spaces built with mm/, run the programs of
 * user_test_programs.S through arch_user_run(). They check what a thread
 * starts with, that a system call carries its number, arguments and
 * result and that every register survives it, that page faults reach the
 * caller decoded (and only the caller: fault_handle() never hears of them)
 * and are resolved by user_fault_resolve() or not, that instructions EL0
 * may not execute and kernel memory EL0 may not touch end in a trap, that
 * threads in two address spaces take turns without seeing each other, and
 * that the kernel's callee-saved registers come back from every run.
 *
 * Each test builds its own address space (ASIDs 40-49 are this suite's):
 * a code region holding the programs (written through as_access_word()
 * while writable, then made read+execute), a lazily allocated data region,
 * a read-only region and a stack.
 */
#include "kernel/arch/aarch64/trap.h"
#include "kernel/arch/aarch64/user_tests.h"
#include "kernel/kernel_vm.h"
#include "kernel/user_fault.h"
#include "mm/address_space.h"
#include <aarch64/esr.h>
#include <aarch64/sysreg.h>
#include <aarch64/user_context.h>
#include <arch/cpu.h>
#include <arch/user.h>
#include <pagoda/errors.h>
#include <pagoda/ktest.h>

#define PAGE PD_PAGE_SIZE
#define CODE_VA UINT64_C(0x400000)
#define UNMAPPED_VA UINT64_C(0x600000) /* no region there */
#define DATA_VA UINT64_C(0x800000)
#define DATA_PAGES 4
#define RO_VA UINT64_C(0xa00000)
#define STACK_VA UINT64_C(0x10000000)
#define STACK_PAGES 4
#define STACK_TOP (STACK_VA + STACK_PAGES * PAGE)
#define A64_INSN_BYTES 4

#define ASID_INITIAL 40
#define ASID_SYSCALL 41
#define ASID_ZERO_FILL 42
#define ASID_BAD_ACCESS 43
#define ASID_KERNEL_MEMORY 44
#define ASID_EXCEPTIONS 45
#define ASID_TURNS 46 /* and 47 */
#define ASID_CALLEE_SAVED 48

#define THREAD_ARG UINT64_C(0xa11ce5a5d0d0cafe)
#define SYSCALL_RESULT UINT64_C(0xfeedf00d12345678)
#define TURN_ROUNDS 8
/* Page faults one run may resolve before the test calls it a livelock. */
#define MAX_RESOLVED_FAULTS 16

static const uint64_t kernel_rodata_word = 0x0123456789abcdefull;
static volatile uint64_t kernel_data_word = 0x7777;

struct user_env {
    struct address_space as;
};

/* The resolved page faults of one run_thread(), in order. */
struct fault_log {
    struct fault faults[MAX_RESOLVED_FAULTS];
    int count;
};

static uintptr_t prog_va(const char *label)
{
    return CODE_VA + (uintptr_t)(label - user_programs_start);
}

static uint64_t code_bytes(void)
{
    return (uint64_t)(user_programs_end - user_programs_start);
}

/*
 * Make code written through quickmap visible to EL0 instruction fetches:
 * clean the data cache to the point of unification by the user address
 * (the pages are mapped there while writable), then invalidate the
 * instruction cache. QEMU needs none of it; a real core does.
 */
static void sync_code(uint64_t va, uint64_t size)
{
    uint64_t dminline = (sysreg_read(ctr_el0) >> CTR_EL0_DMINLINE_SHIFT) &
                        (AARCH64_BIT(CTR_EL0_DMINLINE_WIDTH) - 1);
    uint64_t line = CTR_EL0_WORD_SIZE << dminline;
    for (uint64_t a = ALIGN_DOWN(va, line); a < va + size; a += line)
        __asm__ volatile("dc cvau, %0" : : "r"(a) : "memory");
    dsb(ish);
    __asm__ volatile("ic iallu" ::: "memory");
    dsb(ish);
    isb();
}

static int env_copy_code(struct user_env *env)
{
    const uint64_t *words = (const uint64_t *)user_programs_start;
    for (uint64_t i = 0; i < code_bytes() / sizeof(uint64_t); i++) {
        uint64_t word = words[i];
        if (as_access_word(&env->as, CODE_VA + i * sizeof(uint64_t), FAULT_WRITE, &word) !=
            FAULT_RESPONSE_CONTINUE)
            return -E_FAULT;
    }
    return 0;
}

/* The address space every test runs in, active on return (0), or an error. */
static int env_create(struct user_env *env, uint16_t asid)
{
    const uint32_t rw = REGION_READ | REGION_WRITE;
    uint64_t code_size = ALIGN_UP(code_bytes(), PAGE);
    struct address_space *as = &env->as;
    int err = as_create(as, kernel_pd(), asid);
    if (err)
        return err;
    if ((err = as_allocate_region(as, CODE_VA, code_size, 0, rw, 0, ALLOCATION_RESERVE, "code",
                                  NULL)) ||
        (err = as_allocate_region(as, DATA_VA, DATA_PAGES * PAGE, 0, rw, 0, ALLOCATION_RESERVE,
                                  "data", NULL)) ||
        (err = as_allocate_region(as, RO_VA, PAGE, 0, REGION_READ, 0, ALLOCATION_RESERVE, "ro",
                                  NULL)) ||
        (err = as_allocate_region(as, STACK_VA, STACK_PAGES * PAGE, 0, rw, REGION_STACK,
                                  ALLOCATION_RESERVE, "stack", NULL)) ||
        (err = env_copy_code(env)))
        goto fail;
    pd_activate(&as->pd);
    sync_code(CODE_VA, code_bytes());
    if ((err = as_protect(as, CODE_VA, code_size, REGION_READ | REGION_EXECUTE)))
        goto fail;
    return 0;
fail:
    pd_activate(kernel_pd());
    as_destroy(as);
    return err;
}

static void env_destroy(struct user_env *env)
{
    pd_activate(kernel_pd());
    as_destroy(&env->as);
}

/* Run a test's BODY in a fresh address space tagged ASID, destroyed after, however BODY ends. */
static void with_env(struct ktest *t, uint16_t asid,
                     void (*body)(struct ktest *t, struct user_env *env))
{
    struct user_env env;
    KASSERT_EQ(t, env_create(&env, asid), 0);
    body(t, &env);
    env_destroy(&env);
}

/*
 * Run CTX in ENV until it makes a system call, takes an exception, or takes
 * a page fault that user_fault_resolve() does not resolve; that response is
 * returned (Continue for the first two). The page faults resolved on the
 * way are logged in LOG.
 */
static enum fault_response run_thread(struct ktest *t, struct user_env *env,
                                      struct user_context *ctx, struct user_trap *trap,
                                      struct fault_log *log)
{
    log->count = 0;
    pd_activate(&env->as.pd);
    for (;;) {
        arch_user_run(ctx, trap);
        if (trap->kind != USER_TRAP_PAGE_FAULT)
            return FAULT_RESPONSE_CONTINUE;
        enum fault_response response = user_fault_resolve(&env->as, &trap->fault);
        if (response != FAULT_RESPONSE_CONTINUE)
            return response;
        if (log->count == MAX_RESOLVED_FAULTS) {
            ktest_fail(t, __FILE__, __LINE__,
                       "more than %d page faults in one run, the last at %#llx",
                       MAX_RESOLVED_FAULTS, (unsigned long long)trap->fault.addr.value);
            return FAULT_RESPONSE_SHOULD_CRASH;
        }
        log->faults[log->count++] = trap->fault;
    }
}

/* The first resolved fault at ADDR, or NULL. */
static const struct fault *log_find(const struct fault_log *log, uint64_t addr)
{
    for (int i = 0; i < log->count; i++)
        if (log->faults[i].addr.value == addr)
            return &log->faults[i];
    return NULL;
}

static void expect_user_fault(struct ktest *t, const struct fault *f, uint64_t addr, uintptr_t pc,
                              enum fault_access access, enum fault_cause cause)
{
    KEXPECT_EQU(t, f->addr.value, addr);
    KEXPECT_EQU(t, f->pc, pc);
    KEXPECT_EQ(t, f->access, access);
    KEXPECT_EQ(t, f->cause, cause);
    KEXPECT_EQ(t, f->mode, FAULT_USER);
}

/*
 * Run a fresh thread at ENTRY with ARG that must stop on an unresolvable
 * page fault at ADDR, taken at PC, with ACCESS and CAUSE.
 */
static void expect_crashing_fault(struct ktest *t, struct user_env *env, const char *entry,
                                  uint64_t arg, uint64_t addr, uintptr_t pc,
                                  enum fault_access access, enum fault_cause cause)
{
    struct user_context ctx;
    struct user_trap trap;
    struct fault_log log;
    arch_user_context_init(&ctx, prog_va(entry), STACK_TOP, arg);
    KEXPECT_EQ(t, run_thread(t, env, &ctx, &trap, &log), FAULT_RESPONSE_SHOULD_CRASH);
    KEXPECT_EQ(t, trap.kind, USER_TRAP_PAGE_FAULT);
    KEXPECT_EQU(t, trap.pc, pc);
    KEXPECT_EQU(t, arch_user_pc(&ctx), pc); /* stopped at the faulting instruction */
    expect_user_fault(t, &trap.fault, addr, pc, access, cause);
}

/* Read PSTATE.PAN (only where FEAT_PAN exists: the register is undefined elsewhere). */
#define sysreg_read_named(name) sysreg_read(name)
static uint64_t read_pstate_pan(void)
{
    return sysreg_read_named(PSTATE_PAN_SYSREG) & PSTATE_PAN;
}

KTEST(user_aarch64, el0_gets_no_control_of_the_machine)
{
    uint64_t sctlr = sysreg_read(sctlr_el1);
    KEXPECT_EQU(t, sctlr & SCTLR_EL1_EL0_GRANTS, 0);
    KEXPECT(t, sctlr & SCTLR_EL1_SA0);
    KEXPECT_EQU(t, sysreg_read(cpacr_el1) & CPACR_EL1_FPEN_MASK, CPACR_EL1_FPEN_EL1_ONLY);
    uint64_t pan = (sysreg_read(id_aa64mmfr1_el1) >> ID_AA64MMFR1_PAN_SHIFT) &
                   (AARCH64_BIT(ID_AA64MMFR1_PAN_WIDTH) - 1);
    if (pan) {
        /* Off, and exceptions leave it off: kernel tests reach user pages by their addresses. */
        KEXPECT_EQU(t, read_pstate_pan(), 0);
        KEXPECT(t, sctlr & SCTLR_EL1_SPAN);
    } else {
        ktest_note(t, "no FEAT_PAN on this CPU");
    }
    /* A thread starts in EL0t with every interrupt masked and no flags. */
    struct user_context ctx;
    arch_user_context_init(&ctx, CODE_VA, STACK_TOP, 0);
    KEXPECT_EQU(t, ctx.words[USER_CTX_PSTATE], SPSR_EL0_USER);
}

static void check_initial_state(struct ktest *t, struct user_env *env)
{
    struct user_context ctx;
    struct user_trap trap;
    struct fault_log log;
    /* First leave every register, the flags and TPIDR_EL0 non-zero. */
    arch_user_context_init(&ctx, prog_va(uprog_registers), STACK_TOP, 0);
    KEXPECT_EQ(t, run_thread(t, env, &ctx, &trap, &log), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.syscall, UPROG_SYS_REGISTERS);

    arch_user_context_init(&ctx, prog_va(uprog_initial), STACK_TOP, THREAD_ARG);
    KEXPECT_EQU(t, arch_user_pc(&ctx), prog_va(uprog_initial));
    KEXPECT_EQU(t, arch_user_sp(&ctx), STACK_TOP);
    KEXPECT_EQ(t, run_thread(t, env, &ctx, &trap, &log), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.syscall, UPROG_SYS_REPORT);
    KEXPECT_EQU(t, trap.args[0], THREAD_ARG);
    KEXPECT_EQU(t, trap.args[1], STACK_TOP);
    KEXPECT_EQU(t, trap.args[2], 0); /* x1-x30, NZCV and TPIDR_EL0, ORed */
    KEXPECT_EQU(t, trap.pc, prog_va(uprog_initial_svc) + A64_INSN_BYTES);
}

KTEST(user_aarch64, thread_starts_with_its_argument_and_stack_only)
{
    with_env(t, ASID_INITIAL, check_initial_state);
}

static void check_system_call(struct ktest *t, struct user_env *env)
{
    struct user_context ctx;
    struct user_trap trap;
    struct fault_log log;
    arch_user_context_init(&ctx, prog_va(uprog_registers), STACK_TOP, 0);
    KEXPECT_EQ(t, run_thread(t, env, &ctx, &trap, &log), FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.syscall, UPROG_SYS_REGISTERS);
    for (int i = 0; i < USER_SYSCALL_ARGS; i++)
        KEXPECT_EQU(t, trap.args[i], UPROG_PATTERN(i));
    /* The pc is past the svc, in the trap and in the context the thread resumes from. */
    KEXPECT_EQU(t, trap.pc, prog_va(uprog_registers_svc) + A64_INSN_BYTES);
    KEXPECT_EQU(t, arch_user_pc(&ctx), trap.pc);
    KEXPECT_EQU(t, arch_user_sp(&ctx), STACK_TOP);
    /* The context holds every register as the thread left it. */
    for (int n = 0; n <= 30; n++)
        KEXPECT_EQU(t, ctx.words[USER_CTX_X(n)],
                    n == USER_SYSCALL_NUMBER_REG ? UPROG_SYS_REGISTERS : UPROG_PATTERN(n));
    KEXPECT_EQU(t, ctx.words[USER_CTX_PSTATE] & SPSR_NZCV_MASK, UPROG_NZCV);
    KEXPECT_EQU(t, ctx.words[USER_CTX_PSTATE] & ~SPSR_NZCV_MASK, SPSR_EL0_USER);
    KEXPECT_EQU(t, ctx.words[USER_CTX_TPIDR], UPROG_TPIDR);
    KEXPECT_EQ(t, esr_class(ctx.words[USER_CTX_ESR]), ESR_EC_SVC64);

    /* Resume with a result; the kernel's own TPIDR_EL0 and flags must not leak in. */
    arch_user_set_result(&ctx, SYSCALL_RESULT);
    sysreg_write(tpidr_el0, 0);
    sysreg_write(nzcv, 0);
    KEXPECT_EQ(t, run_thread(t, env, &ctx, &trap, &log), FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.syscall, UPROG_SYS_DUMPED);
    KEXPECT_EQU(t, trap.args[0], SYSCALL_RESULT);
    KEXPECT_EQU(t, trap.pc, prog_va(uprog_registers_dump_svc) + A64_INSN_BYTES);
    uint64_t dump = STACK_TOP - UPROG_DUMP_BYTES;
    KEXPECT_EQU(t, arch_user_sp(&ctx), dump);
    /* What the thread's registers held after the return, as it stored them. */
    for (int n = 0; n <= 30; n++) {
        uint64_t value = 0;
        uint64_t expected = n == 0                         ? SYSCALL_RESULT
                            : n == USER_SYSCALL_NUMBER_REG ? UPROG_SYS_REGISTERS
                                                           : UPROG_PATTERN(n);
        KEXPECT_EQ(t, as_access_word(&env->as, dump + n * 8, FAULT_READ, &value),
                   FAULT_RESPONSE_CONTINUE);
        KEXPECT_EQU(t, value, expected);
    }
    uint64_t nzcv = 0, tpidr = 0;
    KEXPECT_EQ(t, as_access_word(&env->as, dump + UPROG_DUMP_NZCV * 8, FAULT_READ, &nzcv),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQ(t, as_access_word(&env->as, dump + UPROG_DUMP_TPIDR * 8, FAULT_READ, &tpidr),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, nzcv, UPROG_NZCV);
    KEXPECT_EQU(t, tpidr, UPROG_TPIDR);
    /* The dump's first store was the first touch of the stack: a zero-fill fault, resolved. */
    const struct fault *f = log_find(&log, dump);
    KASSERT(t, f != NULL);
    KEXPECT_EQ(t, f->access, FAULT_WRITE);
    KEXPECT_EQ(t, f->cause, FAULT_NOT_PRESENT);
}

KTEST(user_aarch64, system_call_carries_number_arguments_and_result)
{
    with_env(t, ASID_SYSCALL, check_system_call);
}

static void check_zero_fill(struct ktest *t, struct user_env *env)
{
    uint64_t target = DATA_VA + 2 * PAGE;
    struct as_stats before, after;
    as_get_stats(&env->as, &before);
    uint64_t faults = fault_count();

    struct user_context ctx;
    struct user_trap trap;
    struct fault_log log;
    arch_user_context_init(&ctx, prog_va(uprog_store), STACK_TOP, target);
    KEXPECT_EQ(t, run_thread(t, env, &ctx, &trap, &log), FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
    KEXPECT_EQU(t, trap.pc, prog_va(uprog_store_svc) + A64_INSN_BYTES);
    KEXPECT_EQU(t, trap.args[1], UPROG_STORE_VALUE);
    KEXPECT_EQU(t, trap.args[2], 0); /* the rest of the page is zero */
    KEXPECT_EQU(t, trap.args[3], UPROG_STORE_VALUE);

    const struct fault *f = log_find(&log, target);
    KASSERT(t, f != NULL);
    expect_user_fault(t, f, target, prog_va(uprog_store_insn), FAULT_WRITE, FAULT_NOT_PRESENT);
    KEXPECT_EQ(t, fault_count(), faults); /* user faults never reach fault_handle() */

    uint64_t value = 0;
    KEXPECT_EQ(t, as_access_word(&env->as, target, FAULT_READ, &value), FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, value, UPROG_STORE_VALUE);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(&env->as.pd, vaddr(target), &q), 0);
    KEXPECT_EQU(t, q.prot & (PD_WRITE | PD_USER), PD_WRITE | PD_USER);
    KEXPECT(t, q.accessed && q.dirty);
    KEXPECT_NE(t, q.phys.value, phys_zero_page().value);
    as_get_stats(&env->as, &after);
    KEXPECT_EQ(t, after.amount_resident - before.amount_resident, PAGE);
}

KTEST(user_aarch64, store_to_a_lazy_page_is_zero_filled)
{
    with_env(t, ASID_ZERO_FILL, check_zero_fill);
}

static void check_bad_accesses(struct ktest *t, struct user_env *env)
{
    uint64_t faults = fault_count();

    /* A load where no region is. */
    uint64_t hole = UNMAPPED_VA + 0x18;
    expect_crashing_fault(t, env, uprog_load, hole, hole, prog_va(uprog_load_insn), FAULT_READ,
                          FAULT_NOT_PRESENT);

    /* A read-only region: the load is resolved (the zero page), the store is not. */
    struct user_context ctx;
    struct user_trap trap;
    struct fault_log log;
    uint64_t ro = RO_VA + 0x20;
    arch_user_context_init(&ctx, prog_va(uprog_load_store), STACK_TOP, ro);
    KEXPECT_EQ(t, run_thread(t, env, &ctx, &trap, &log), FAULT_RESPONSE_SHOULD_CRASH);
    KEXPECT_EQ(t, trap.kind, USER_TRAP_PAGE_FAULT);
    expect_user_fault(t, &trap.fault, ro, prog_va(uprog_load_store_store), FAULT_WRITE,
                      FAULT_PROTECTION);
    const struct fault *f = log_find(&log, ro);
    KASSERT(t, f != NULL);
    expect_user_fault(t, f, ro, prog_va(uprog_load_store_load), FAULT_READ, FAULT_NOT_PRESENT);

    /* A jump into a data page, mapped (never executable: UXN) and not mapped yet. */
    uint64_t mapped = DATA_VA + PAGE, word = 0;
    KASSERT_EQ(t, as_access_word(&env->as, mapped, FAULT_WRITE, &word), FAULT_RESPONSE_CONTINUE);
    expect_crashing_fault(t, env, uprog_jump, mapped, mapped, mapped, FAULT_EXECUTE,
                          FAULT_PROTECTION);
    uint64_t unmapped = DATA_VA + 3 * PAGE;
    expect_crashing_fault(t, env, uprog_jump, unmapped, unmapped, unmapped, FAULT_EXECUTE,
                          FAULT_NOT_PRESENT);

    KEXPECT_EQ(t, fault_count(), faults);
}

KTEST(user_aarch64, bad_user_accesses_are_page_faults_for_the_caller)
{
    with_env(t, ASID_BAD_ACCESS, check_bad_accesses);
}

KTEST(user_aarch64, kernel_memory_is_out_of_reach)
{
    struct user_env env;
    KASSERT_EQ(t, env_create(&env, ASID_KERNEL_MEMORY), 0);
    uint64_t faults = fault_count();

    uintptr_t rodata = (uintptr_t)&kernel_rodata_word;
    expect_crashing_fault(t, &env, uprog_load, rodata, rodata, prog_va(uprog_load_insn),
                          FAULT_READ, FAULT_PROTECTION);
    uintptr_t data = (uintptr_t)&kernel_data_word;
    expect_crashing_fault(t, &env, uprog_store, data, data, prog_va(uprog_store_insn),
                          FAULT_WRITE, FAULT_PROTECTION);
    KEXPECT_EQU(t, kernel_data_word, 0x7777);
    uintptr_t text = (uintptr_t)arch_user_run;
    expect_crashing_fault(t, &env, uprog_jump, text, text, text, FAULT_EXECUTE, FAULT_PROTECTION);
    uintptr_t hole = arch_unmapped_address();
    expect_crashing_fault(t, &env, uprog_load, hole, hole, prog_va(uprog_load_insn), FAULT_READ,
                          FAULT_NOT_PRESENT);
    KEXPECT_EQ(t, fault_count(), faults);
    env_destroy(&env);

    /* The kernel's own faults still go to fault_handle() and its probes' fixups. */
    uint64_t value;
    KEXPECT_EQ(t, arch_probe_read(hole, &value), -E_FAULT);
    KEXPECT_EQ(t, fault_count(), faults + 1);
    struct fault last = fault_last();
    KEXPECT_EQU(t, last.addr.value, hole);
    KEXPECT_EQ(t, last.mode, FAULT_KERNEL);
}

static void check_exceptions(struct ktest *t, struct user_env *env)
{
    uint64_t mapped = DATA_VA, word = 0;
    KASSERT_EQ(t, as_access_word(&env->as, mapped, FAULT_WRITE, &word), FAULT_RESPONSE_CONTINUE);
    /*
     * Not here: a misaligned sp as a base (SCTLR_EL1.SA0 is set, checked
     * above), since QEMU does not implement SP alignment checks.
     */
    static const struct {
        const char *what;
        const char *entry, *insn;
        uint64_t pc_past_insn; /* the trap's pc, from INSN */
        enum esr_ec ec;
    } cases[] = {
        { "udf", uprog_udf, uprog_udf, 0, ESR_EC_UNKNOWN },
        { "brk", uprog_brk, uprog_brk, 0, ESR_EC_BRK64 },
        { "wfi", uprog_wfi, uprog_wfi, 0, ESR_EC_WFX },
        { "msr daifclr", uprog_daifclr, uprog_daifclr, 0, ESR_EC_SYSREG },
        { "mrs ctr_el0", uprog_ctr, uprog_ctr, 0, ESR_EC_SYSREG },
        { "dc zva", uprog_dc_zva, uprog_dc_zva, 0, ESR_EC_SYSREG },
        { "ic ivau", uprog_ic_ivau, uprog_ic_ivau, 0, ESR_EC_SYSREG },
        { "fmov", uprog_fp, uprog_fp, 0, ESR_EC_FP_ACCESS },
        { "mrs sctlr_el1", uprog_sysreg, uprog_sysreg, 0, ESR_EC_UNKNOWN },
        { "hvc", uprog_hvc, uprog_hvc, 0, ESR_EC_UNKNOWN },
        { "svc #1", uprog_svc_1, uprog_svc_1_insn, 0, ESR_EC_SVC64 },
        { "misaligned ldxr", uprog_ldxr, uprog_ldxr, 0, ESR_EC_DABT_LOWER },
        { "misaligned pc", uprog_pc_align, uprog_pc_align_target, UPROG_PC_MISALIGN,
          ESR_EC_PC_ALIGN },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int failures = t->failures;
        struct user_context ctx;
        struct user_trap trap;
        struct fault_log log;
        uintptr_t pc = prog_va(cases[i].insn) + cases[i].pc_past_insn;
        arch_user_context_init(&ctx, prog_va(cases[i].entry), STACK_TOP, mapped + 1);
        KEXPECT_EQ(t, run_thread(t, env, &ctx, &trap, &log), FAULT_RESPONSE_CONTINUE);
        KEXPECT_EQ(t, trap.kind, USER_TRAP_EXCEPTION);
        KEXPECT_EQU(t, trap.pc, pc);
        KEXPECT_EQ(t, esr_class(trap.cause), cases[i].ec);
        KEXPECT(t, trap.exception && trap.exception[0]);
        /* The thread would resume at the instruction, except after an svc. */
        KEXPECT_EQU(t, arch_user_pc(&ctx),
                    cases[i].ec == ESR_EC_SVC64 ? pc + A64_INSN_BYTES : pc);
        if (cases[i].ec == ESR_EC_BRK64)
            KEXPECT_EQU(t, esr_iss(trap.cause) & ESR_SVC_IMM_MASK, UPROG_BRK_IMM);
        if (cases[i].ec == ESR_EC_DABT_LOWER) {
            KEXPECT_EQU(t, esr_iss(trap.cause) & ESR_ABORT_FSC_MASK, ESR_FSC_ALIGNMENT);
            KEXPECT_STREQ(t, trap.exception, aarch64_fault_status_name(ESR_FSC_ALIGNMENT));
        }
        if (t->failures != failures)
            ktest_note(t, "in the case of %s (%s)", cases[i].what,
                       trap.exception ? trap.exception : "no exception");
    }
}

KTEST(user_aarch64, forbidden_instructions_are_exceptions)
{
    with_env(t, ASID_EXCEPTIONS, check_exceptions);
}

KTEST(user_aarch64, threads_in_two_address_spaces_take_turns)
{
    static const uint64_t tags[2] = { UINT64_C(0x7a6a5a4a3a2a1a0a), UINT64_C(0x0b1b2b3b4b5b6b7b) };
    struct user_env env[2];
    struct user_context ctx[2];
    KASSERT_EQ(t, env_create(&env[0], ASID_TURNS), 0);
    int err = env_create(&env[1], ASID_TURNS + 1);
    if (err)
        env_destroy(&env[0]);
    KASSERT_EQ(t, err, 0);
    for (int i = 0; i < 2; i++) {
        uint64_t tag = tags[i];
        KEXPECT_EQ(t, as_access_word(&env[i].as, DATA_VA, FAULT_WRITE, &tag),
                   FAULT_RESPONSE_CONTINUE);
        arch_user_context_init(&ctx[i], prog_va(uprog_tick), STACK_TOP, DATA_VA);
    }
    for (uint64_t round = 1; round <= TURN_ROUNDS; round++) {
        for (int i = 0; i < 2; i++) {
            struct user_trap trap;
            struct fault_log log;
            KEXPECT_EQ(t, run_thread(t, &env[i], &ctx[i], &trap, &log), FAULT_RESPONSE_CONTINUE);
            KEXPECT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
            KEXPECT_EQU(t, trap.syscall, UPROG_SYS_TICK);
            KEXPECT_EQU(t, trap.pc, prog_va(uprog_tick_svc) + A64_INSN_BYTES);
            KEXPECT_EQU(t, trap.args[0], round);
            KEXPECT_EQU(t, trap.args[1], tags[i]); /* its own space's memory */
            KEXPECT_EQU(t, trap.args[2], tags[i]); /* its own TPIDR_EL0 */
            KEXPECT_EQU(t, trap.args[3], STACK_TOP);
        }
    }
    for (int i = 0; i < 2; i++) {
        uint64_t count = 0;
        KEXPECT_EQ(t, as_access_word(&env[i].as, DATA_VA + 8, FAULT_READ, &count),
                   FAULT_RESPONSE_CONTINUE);
        KEXPECT_EQU(t, count, TURN_ROUNDS);
        env_destroy(&env[i]);
    }
}

/*
 * Runs uprog_registers (which fills x19-x28 with its own values) to its
 * second system call through user_test_run_preserving(), which checks
 * after every run that x19-x28 and sp are the caller's; and checks the
 * caller's DAIF mask is back too.
 */
static void check_callee_saved(struct ktest *t, struct user_env *env)
{
    struct user_context ctx;
    struct user_trap trap;
    arch_user_context_init(&ctx, prog_va(uprog_registers), STACK_TOP, 0);
    uint64_t daif = sysreg_read(daif);
    int runs = 0, syscalls = 0;
    while (syscalls < 2 && runs < MAX_RESOLVED_FAULTS) {
        uint64_t changed = user_test_run_preserving(&ctx, &trap);
        runs++;
        KEXPECT_EQU(t, changed, 0);
        KEXPECT_EQU(t, sysreg_read(daif), daif);
        if (trap.kind == USER_TRAP_PAGE_FAULT) {
            KASSERT_EQ(t, user_fault_resolve(&env->as, &trap.fault), FAULT_RESPONSE_CONTINUE);
            continue;
        }
        KASSERT_EQ(t, trap.kind, USER_TRAP_SYSCALL);
        KEXPECT_EQU(t, trap.syscall, syscalls == 0 ? UPROG_SYS_REGISTERS : UPROG_SYS_DUMPED);
        syscalls++;
    }
    KEXPECT_EQ(t, syscalls, 2);
    KEXPECT_GE(t, runs, 3); /* at least one page fault (the stack): each run is checked */
}

KTEST(user_aarch64, kernel_callee_saved_registers_and_mask_survive_every_run)
{
    /*
     * A mask other than the one EL0 exceptions set (all four), to see the
     * caller's come back. Debug exceptions cannot fire at EL1 without
     * MDSCR_EL1.KDE, so unmasking D is harmless.
     */
    __asm__ volatile("msr daifclr, %0" : : "i"(DAIF_DEBUG) : "memory");
    KEXPECT_EQU(t, sysreg_read(daif), SPSR_DAIF_MASKED & ~PSTATE_D);
    with_env(t, ASID_CALLEE_SAVED, check_callee_saved);
    __asm__ volatile("msr daifset, %0" : : "i"(DAIF_ALL) : "memory");
}
