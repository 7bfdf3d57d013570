/*
 * riscv64 trap handling: decodes what vectors.S saved. A page fault that
 * only asks software to set an accessed or dirty bit is fixed and retried;
 * other page faults become arch-neutral struct fault records for
 * fault_handle() (protection or not-present by a short walk of the
 * current directory, riscv_pd_has_leaf); guarded probe instructions resume
 * at their fixup; anything else gets a crash report (every register, the
 * cause in words) and a panic. These are the kernel's own traps: a trap from U-mode never
 * reaches riscv_trap_handle() (the vector saves it into the thread's
 * context, and user.c decodes it with the same riscv_page_fault_decode()).
 */
#include "riscv/trap.h"
#include "riscv/csr.h"
#include "riscv/mmu.h"
#include "riscv/probe.h"
#include "riscv/pte.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include <arch/cpu.h>
#include <pagoda/fault.h>
#include <stddef.h>

_Static_assert(offsetof(struct riscv_trap_frame, sepc) == TRAP_FRAME_SEPC, "trap frame layout");
_Static_assert(offsetof(struct riscv_trap_frame, sstatus) == TRAP_FRAME_SSTATUS, "trap frame layout");
_Static_assert(offsetof(struct riscv_trap_frame, scause) == TRAP_FRAME_SCAUSE, "trap frame layout");
_Static_assert(offsetof(struct riscv_trap_frame, stval) == TRAP_FRAME_STVAL, "trap frame layout");
_Static_assert(sizeof(struct riscv_trap_frame) == TRAP_FRAME_SIZE, "trap frame layout");
_Static_assert(TRAP_FRAME_SIZE % 16 == 0, "the psABI wants sp 16-byte aligned at calls");

#define REGISTERS_PER_LINE 4

static struct riscv_trap_record last_trap;
static bool reporting_crash;

static const char *const exception_names[] = {
    [EXC_INSN_MISALIGNED] = "instruction address misaligned",
    [EXC_INSN_ACCESS_FAULT] = "instruction access fault",
    [EXC_ILLEGAL_INSN] = "illegal instruction",
    [EXC_BREAKPOINT] = "breakpoint",
    [EXC_LOAD_MISALIGNED] = "load address misaligned",
    [EXC_LOAD_ACCESS_FAULT] = "load access fault",
    [EXC_STORE_MISALIGNED] = "store/AMO address misaligned",
    [EXC_STORE_ACCESS_FAULT] = "store/AMO access fault",
    [EXC_ECALL_FROM_U] = "environment call from U-mode",
    [EXC_ECALL_FROM_S] = "environment call from S-mode",
    [EXC_INSN_PAGE_FAULT] = "instruction page fault",
    [EXC_LOAD_PAGE_FAULT] = "load page fault",
    [EXC_STORE_PAGE_FAULT] = "store/AMO page fault",
};

static const char *const interrupt_names[] = {
    [IRQ_S_SOFTWARE] = "supervisor software interrupt",
    [IRQ_S_TIMER] = "supervisor timer interrupt",
    [IRQ_S_EXTERNAL] = "supervisor external interrupt",
};

/* The psABI names of x0..x31, as the crash report prints them. */
static const char *const register_names[TRAP_FRAME_REGS] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

void riscv_trap_init(void)
{
    csr_write(stvec, (uintptr_t)riscv_trap_vector | STVEC_MODE_DIRECT);
}

struct riscv_trap_record riscv_trap_last(void)
{
    return last_trap;
}

const char *riscv_trap_cause_name(uint64_t scause)
{
    uint64_t code = scause & SCAUSE_CODE_MASK;
    const char *name = NULL;
    if (scause & SCAUSE_INTERRUPT) {
        if (code < ARRAY_SIZE(interrupt_names))
            name = interrupt_names[code];
        return name ? name : "unknown interrupt";
    }
    if (code < ARRAY_SIZE(exception_names))
        name = exception_names[code];
    return name ? name : "unknown exception";
}

static bool is_exception(const struct riscv_trap_frame *frame, enum riscv_exception code)
{
    return frame->scause == (uint64_t)code; /* the interrupt bit is clear */
}

static bool is_page_fault(const struct riscv_trap_frame *frame)
{
    return riscv_is_page_fault(frame->scause);
}

/*
 * Faults a probe may take besides page faults: nothing at the address, or a
 * bad alignment (and for an execute probe, nothing to fetch from).
 */
static bool is_probe_fault(const struct riscv_trap_frame *frame)
{
    return is_exception(frame, EXC_LOAD_ACCESS_FAULT) || is_exception(frame, EXC_STORE_ACCESS_FAULT) ||
           is_exception(frame, EXC_LOAD_MISALIGNED) || is_exception(frame, EXC_STORE_MISALIGNED) ||
           is_exception(frame, EXC_INSN_ACCESS_FAULT);
}

static enum fault_access page_fault_access(uint64_t scause)
{
    if (scause == EXC_STORE_PAGE_FAULT)
        return FAULT_WRITE;
    if (scause == EXC_INSN_PAGE_FAULT)
        return FAULT_EXECUTE;
    return FAULT_READ;
}

/*
 * Does PD hold a leaf for VA? The same answer as pd_query(PD, VA) == 0, by
 * the shortest walk that gives it: no decoded entry, no result, only the
 * entry kind at each level (riscv_pte_kind, the judgement pt_format.c's
 * decode() makes) on the way down from the root that translates VA. The
 * tables are read through PD's page provider, as the engine reads them.
 *
 * The halves are the engine's (kernel/arch/pt/page_directory.c): a user
 * directory translates the top kernel_root_slots root entries through the
 * kernel directory's root and the rest of the low half through its own; an
 * address in neither (non-canonical, or canonical but above the user half
 * and below the kernel's entries) has no leaf.
 */
bool riscv_pd_has_leaf(const struct page_directory *pd, uint64_t va)
{
    const struct pt_format *format = pd->format;
    unsigned level = format->levels - 1;
    uint64_t kernel_base = (uint64_t)0 - format->kernel_root_slots * PT_LEVEL_SIZE(level);
    uint64_t user_limit = PT_LEVEL_SIZE(format->levels) / 2; /* one root, two halves */
    paddr_t table;
    if (va >= kernel_base)
        table = pd->kernel ? pd->kernel->root : pd->root;
    else if (va < user_limit)
        table = pd->root;
    else
        return false;
    bool svpbmt = !format->no_memory_types;
    const struct page_provider *provider = pd->provider;
    for (;;) {
        const pte_t *entries = provider->table(provider->ctx, table);
        unsigned index = (unsigned)(va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
        pte_t pte = *(const volatile pte_t *)&entries[index]; /* one load, as the engine's */
        enum pte_kind kind = riscv_pte_kind(pte, level, svpbmt);
        if (kind != PTE_TABLE)
            return kind == PTE_LEAF;
        table = paddr(riscv_pte_get_ppn(pte) << RISCV_PAGE_SHIFT);
        level--; /* a pointer is never PTE_TABLE at level 0 */
    }
}

/*
 * scause says which access faulted but not why: a valid leaf for the
 * address in the directory the hart translates through means the entry
 * forbade the access (protection); none, or an address no root translates
 * (non-canonical), means not-present. Under the boot map, whose leaves
 * grant everything, every page fault is not-present. A user directory
 * translates the kernel half through the kernel's root, so a user access to
 * a kernel address is a protection fault.
 */
struct fault riscv_page_fault_decode(uint64_t scause, uint64_t stval, uint64_t sepc,
                                     enum fault_mode mode)
{
    struct page_directory *pd = riscv_current_pd();
    bool mapped = pd && riscv_pd_has_leaf(pd, stval);
    return (struct fault){
        .addr = vaddr(stval),
        .pc = sepc,
        .access = page_fault_access(scause),
        .mode = mode,
        .cause = mapped ? FAULT_PROTECTION : FAULT_NOT_PRESENT,
    };
}

static enum fault_mode trap_mode(const struct riscv_trap_frame *frame)
{
    return (frame->sstatus & SSTATUS_SPP) ? FAULT_KERNEL : FAULT_USER;
}

static struct fault decode_page_fault(const struct riscv_trap_frame *frame)
{
    return riscv_page_fault_decode(frame->scause, frame->stval, frame->sepc, trap_mode(frame));
}

/*
 * A hart may raise a page fault for a clear A bit, or a clear D bit on a
 * store, instead of setting it (Svade; the privileged spec allows either).
 * If that was all, the directory sets the bit (and flushes it) and the
 * access is simply retried: no fault record, nothing for fault_handle().
 */
static bool fixed_accessed_dirty(const struct riscv_trap_frame *frame)
{
    struct page_directory *pd = riscv_current_pd();
    bool user = trap_mode(frame) == FAULT_USER;
    return pd && pd_update_accessed_dirty(pd, vaddr(frame->stval),
                                          page_fault_access(frame->scause), user) == 0;
}

/* If the trap hit a guarded probe instruction, arrange to resume at its fixup. */
static bool resume_at_fixup(struct riscv_trap_frame *frame)
{
    uintptr_t fixup = riscv_probe_fixup(frame->sepc);
    if (!fixup)
        return false;
    frame->sepc = fixup;
    return true;
}

static void print_registers(const struct riscv_trap_frame *frame)
{
    for (int n = 1; n < TRAP_FRAME_REGS; n++) {
        kprintf("  %-4s 0x%016llx", register_names[n], (unsigned long long)frame->regs[n]);
        if (n % REGISTERS_PER_LINE == 0 || n == TRAP_FRAME_REGS - 1)
            kprintf("\n");
    }
}

/* The crash report, then panic. FAULT is the decoded record for page faults, else NULL. */
static NORETURN void crash(const struct riscv_trap_frame *frame, const struct fault *fault,
                           enum fault_response response)
{
    if (reporting_crash) {
        /* A trap inside the report: printing more could trap again. */
        arch_poweroff(EXIT_PANIC_STATUS);
    }
    reporting_crash = true;

    const char *name = riscv_trap_cause_name(frame->scause);
    kprintf("\nriscv64: unhandled trap in %s mode: %s (scause %#llx)\n",
            (frame->sstatus & SSTATUS_SPP) ? "supervisor" : "user", name,
            (unsigned long long)frame->scause);
    kprintf("  pc (sepc) 0x%016llx  address (stval) 0x%016llx  sstatus 0x%016llx\n",
            (unsigned long long)frame->sepc, (unsigned long long)frame->stval,
            (unsigned long long)frame->sstatus);
    if (fault) {
        kprintf("  ");
        fault_print(fault);
        kprintf("  fault_handle() answered %s\n", fault_response_name(response));
    }
    print_registers(frame);
    panic("riscv64: %s at pc %#llx, address %#llx", name, (unsigned long long)frame->sepc,
          (unsigned long long)frame->stval);
}

void riscv_trap_handle(struct riscv_trap_frame *frame)
{
    last_trap.frame = *frame;
    last_trap.count++;

    if (is_page_fault(frame)) {
        if (fixed_accessed_dirty(frame))
            return;
        struct fault fault = decode_page_fault(frame);
        enum fault_response response = fault_handle(&fault);
        if (response == FAULT_RESPONSE_CONTINUE) {
            /* The hart may have cached the old invalid entry: drop it before the retry. */
            __asm__ volatile("sfence.vma %0, zero" ::"r"(frame->stval) : "memory");
            return;
        }
        if (resume_at_fixup(frame))
            return;
        crash(frame, &fault, response);
    }
    if (is_probe_fault(frame) && resume_at_fixup(frame))
        return;
    crash(frame, NULL, FAULT_RESPONSE_SHOULD_CRASH);
}
