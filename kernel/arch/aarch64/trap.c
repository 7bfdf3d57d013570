/*
 * Exception handling for aarch64: every vector but the one for synchronous
 * exceptions from user mode (user.c, user_entry.S) lands in
 * aarch64_trap_handle() with the saved frame. Instruction and data aborts
 * that are translation, access flag or permission faults are page faults:
 * those the hardware raised only so that software sets the accessed or
 * dirty state are resolved in the page directory and retried; the rest
 * become an arch-neutral struct fault for fault_handle(); an unresolved one
 * at a guarded instruction resumes at its fixup, as does the semihosting
 * hlt when semihosting is off. Everything else is a crash: registers, a
 * decoded reason and a backtrace, then panic(). The decoding of aborts and
 * the names of exception classes are shared with user.c.
 */
#include "kernel/arch/aarch64/board_virt.h"
#include "kernel/arch/aarch64/pd_hw.h"
#include "kernel/arch/aarch64/pl011.h"
#include "kernel/arch/aarch64/semihost.h"
#include "kernel/arch/aarch64/trap.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include <aarch64/esr.h>
#include <aarch64/layout.h>
#include <aarch64/sysreg.h>
#include <aarch64/trap_frame.h>
#include <arch/cpu.h>
#include <pagoda/errors.h>
#include <pagoda/fault.h>
#include <stddef.h>

_Static_assert(offsetof(struct trap_frame, x[30]) == TRAP_FRAME_X(30), "trap frame x30");
_Static_assert(offsetof(struct trap_frame, sp) == TRAP_FRAME_SP, "trap frame sp");
_Static_assert(offsetof(struct trap_frame, elr) == TRAP_FRAME_ELR, "trap frame elr");
_Static_assert(offsetof(struct trap_frame, spsr) == TRAP_FRAME_SPSR, "trap frame spsr");
_Static_assert(offsetof(struct trap_frame, esr) == TRAP_FRAME_ESR, "trap frame esr");
_Static_assert(offsetof(struct trap_frame, far) == TRAP_FRAME_FAR, "trap frame far");
_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "trap frame size");
_Static_assert(TRAP_FRAME_SIZE % 16 == 0, "the frame must keep SP 16-byte aligned");

#define BACKTRACE_MAX_FRAMES 16
#define REGISTERS_PER_LINE 3

/* When a fixup applies: the kind of exception the guarded instruction may take. */
enum trap_fixup_on {
    FIXUP_ON_PAGE_FAULT, /* an unresolved translation or permission fault */
    FIXUP_ON_UNDEFINED,  /* EC 0: the instruction does not exist here */
};

struct trap_fixup {
    const char *insn;   /* the guarded instruction */
    const char *resume; /* where to continue */
    enum trap_fixup_on on;
    int result;         /* put in x0 for the caller to return */
};

static const struct trap_fixup trap_fixups[] = {
    { aarch64_probe_read_insn, aarch64_probe_read_fixup, FIXUP_ON_PAGE_FAULT, -E_FAULT },
    { aarch64_probe_write_insn, aarch64_probe_write_fixup, FIXUP_ON_PAGE_FAULT, -E_FAULT },
    { aarch64_semihost_insn, aarch64_semihost_fixup, FIXUP_ON_UNDEFINED, -E_NOTSUP },
};

static const char *const trap_group_names[] = {
    [TRAP_GROUP_CURRENT_SP0] = "in the kernel on SP_EL0",
    [TRAP_GROUP_CURRENT_SPX] = "in the kernel",
    [TRAP_GROUP_LOWER_A64] = "from AArch64 user mode",
    [TRAP_GROUP_LOWER_A32] = "from AArch32 user mode",
};

static const char *const trap_type_names[] = {
    [TRAP_TYPE_SYNC] = "synchronous exception",
    [TRAP_TYPE_IRQ] = "IRQ",
    [TRAP_TYPE_FIQ] = "FIQ",
    [TRAP_TYPE_SERROR] = "SError",
};

const char *aarch64_esr_class_name(enum esr_ec ec)
{
    switch (ec) {
#define ESR_EC_CASE(name, value, text) \
    case name:                         \
        return text;
        ESR_EC_LIST(ESR_EC_CASE)
#undef ESR_EC_CASE
    }
    return "reserved exception class";
}

const char *aarch64_fault_status_name(uint32_t fsc)
{
    switch (fsc) {
    case ESR_FSC_EXTERNAL:
        return "synchronous external abort";
    case ESR_FSC_PARITY:
        return "parity or ECC error";
    case ESR_FSC_ALIGNMENT:
        return "alignment fault";
    case ESR_FSC_TLB_CONFLICT:
        return "TLB conflict";
    }
    switch (fsc & ESR_FSC_KIND_MASK) {
    case ESR_FSC_ADDRESS_SIZE:
        return "address size fault";
    case ESR_FSC_TRANSLATION:
        return "translation fault";
    case ESR_FSC_ACCESS_FLAG:
        return "access flag fault";
    case ESR_FSC_PERMISSION:
        return "permission fault";
    case ESR_FSC_EXTERNAL_WALK:
        return "external abort on a table walk";
    }
    return "other fault status";
}

static bool esr_is_abort(enum esr_ec ec)
{
    return ec == ESR_EC_IABT_LOWER || ec == ESR_EC_IABT_SAME || ec == ESR_EC_DABT_LOWER ||
           ec == ESR_EC_DABT_SAME;
}

/* Frame records {fp, lr}, read with probes so a corrupt chain cannot fault again. */
static void trap_print_backtrace(uint64_t fp)
{
    kprintf("  backtrace:");
    for (int i = 0; i < BACKTRACE_MAX_FRAMES && fp && IS_ALIGNED(fp, 16); i++) {
        uint64_t next, lr;
        if (arch_probe_read(fp, &next) || arch_probe_read(fp + 8, &lr))
            break;
        kprintf(" %#llx", (unsigned long long)lr);
        fp = next;
    }
    kprintf("\n");
}

static void trap_print_registers(const struct trap_frame *frame)
{
    for (int i = 0; i < (int)ARRAY_SIZE(frame->x); i++) {
        kprintf("  x%-2d %016llx", i, (unsigned long long)frame->x[i]);
        if (i % REGISTERS_PER_LINE == REGISTERS_PER_LINE - 1 || i == (int)ARRAY_SIZE(frame->x) - 1)
            kprintf("\n");
    }
    kprintf("  sp  %016llx  pc  %016llx  spsr %016llx\n", (unsigned long long)frame->sp,
            (unsigned long long)frame->elr, (unsigned long long)frame->spsr);
}

/* The crash report, then panic(). FAULT is the decoded page fault, if it was one. */
static NORETURN void trap_crash(const struct trap_frame *frame, uint64_t kind, const char *what,
                                const struct fault *fault)
{
    if (!pl011_console_base())
        pl011_console_start(VIRT_UART0_BASE); /* a crash before the console: use the board's */

    enum esr_ec ec = esr_class(frame->esr);
    kprintf("\naarch64 crash report: %s\n", what);
    if (kind < TRAP_KIND_COUNT)
        kprintf("  vector: %s %s\n", trap_type_names[kind % TRAP_TYPES_PER_GROUP],
                trap_group_names[kind / TRAP_TYPES_PER_GROUP]);
    kprintf("  ESR_EL1 %#010llx: EC 0x%02x, %s\n", (unsigned long long)frame->esr, (unsigned)ec,
            aarch64_esr_class_name(ec));
    if (esr_is_abort(ec)) {
        uint32_t fsc = esr_iss(frame->esr) & ESR_ABORT_FSC_MASK;
        kprintf("  fault status 0x%02x: %s (level %u)%s\n", (unsigned)fsc,
                aarch64_fault_status_name(fsc), (unsigned)(fsc & ESR_FSC_LEVEL_MASK),
                esr_iss(frame->esr) & ESR_ABORT_FNV ? ", FAR not valid" : "");
    }
    kprintf("  FAR_EL1 %016llx\n", (unsigned long long)frame->far);
    if (fault) {
        kprintf("  ");
        fault_print(fault);
    }
    trap_print_registers(frame);
    trap_print_backtrace(frame->x[29]);
    panic("aarch64: %s at pc %#llx", what, (unsigned long long)frame->elr);
}

/* Resume at the fixup of the instruction at the frame's pc, if it has one for ON. */
static bool trap_apply_fixup(struct trap_frame *frame, enum trap_fixup_on on)
{
    for (size_t i = 0; i < ARRAY_SIZE(trap_fixups); i++) {
        const struct trap_fixup *f = &trap_fixups[i];
        if (f->on == on && frame->elr == (uintptr_t)f->insn) {
            frame->elr = (uintptr_t)f->resume;
            frame->x[0] = (uint64_t)(int64_t)f->result;
            return true;
        }
    }
    return false;
}

/* An instruction fetch that arch_probe_execute() made: return to it with -E_FAULT. */
static bool trap_apply_execute_probe(struct trap_frame *frame, enum esr_ec ec)
{
    if (ec != ESR_EC_IABT_SAME || frame->x[30] != (uintptr_t)aarch64_probe_execute_return)
        return false;
    frame->elr = frame->x[30];
    frame->x[0] = (uint64_t)(int64_t)-E_FAULT;
    return true;
}

/*
 * The Cortex-A72 has no FEAT_HAFDBS: the hardware raises an access flag
 * fault where it would set AF, and a permission fault on a writable but
 * clean page (pt_format.c keeps those read-only with DBM set) where it
 * would mark it dirty. If that is all the fault was, the page directory
 * that translates the address sets the state and the access is retried.
 */
static bool trap_only_accessed_dirty(uint64_t esr, const struct fault *fault)
{
    uint32_t fsc_kind = esr_iss(esr) & ESR_ABORT_FSC_MASK & ESR_FSC_KIND_MASK;
    bool flag_fault = fsc_kind == ESR_FSC_ACCESS_FLAG;
    bool write_protect = fsc_kind == ESR_FSC_PERMISSION && fault->access == FAULT_WRITE;
    if (!flag_fault && !write_protect)
        return false;
    struct page_directory *pd = aarch64_pd_translating(fault->addr.value);
    return pd && pd_update_accessed_dirty(pd, fault->addr, fault->access,
                                          fault->mode == FAULT_USER) == 0;
}

/*
 * Translation, access flag and permission faults are page faults; anything
 * else an abort can report (alignment, external aborts, TLB conflicts...)
 * is not.
 */
bool aarch64_abort_to_fault(uint64_t esr, uint64_t far, uintptr_t pc, struct fault *fault)
{
    enum esr_ec ec = esr_class(esr);
    uint32_t iss = esr_iss(esr);
    uint32_t fsc = iss & ESR_ABORT_FSC_MASK;
    uint32_t fsc_kind = fsc & ESR_FSC_KIND_MASK;
    bool is_page_fault = esr_is_abort(ec) &&
                         (fsc_kind == ESR_FSC_TRANSLATION || fsc_kind == ESR_FSC_ACCESS_FLAG ||
                          fsc_kind == ESR_FSC_PERMISSION) &&
                         fsc < ESR_FSC_EXTERNAL && !(iss & ESR_ABORT_FNV);
    if (!is_page_fault)
        return false;

    bool instruction = ec == ESR_EC_IABT_SAME || ec == ESR_EC_IABT_LOWER;
    bool user = ec == ESR_EC_IABT_LOWER || ec == ESR_EC_DABT_LOWER;
    /* Cache maintenance reports WnR = 1 but writes nothing: count it as a read. */
    bool write = !instruction && (iss & ESR_ABORT_WNR) && !(iss & ESR_ABORT_CM);
    /*
     * An access flag fault is a protection fault: the page is there. If only
     * AF was missing, pd_update_accessed_dirty() resolves it before the cause matters.
     */
    *fault = (struct fault){
        .addr = vaddr(far),
        .pc = pc,
        .access = instruction ? FAULT_EXECUTE : write ? FAULT_WRITE : FAULT_READ,
        .cause = fsc_kind == ESR_FSC_TRANSLATION ? FAULT_NOT_PRESENT : FAULT_PROTECTION,
        .mode = user ? FAULT_USER : FAULT_KERNEL,
    };
    return true;
}

/* A kernel abort (user ones go to user.c): page faults to fault_handle(), the rest crash. */
static void trap_handle_abort(struct trap_frame *frame, uint64_t kind, enum esr_ec ec)
{
    struct fault fault;
    if (!aarch64_abort_to_fault(frame->esr, frame->far, frame->elr, &fault))
        trap_crash(frame, kind, aarch64_esr_class_name(ec), NULL);
    if (trap_only_accessed_dirty(frame->esr, &fault))
        return;

    enum fault_response response = fault_handle(&fault);
    if (response == FAULT_RESPONSE_CONTINUE)
        return;
    if (trap_apply_fixup(frame, FIXUP_ON_PAGE_FAULT))
        return;
    if (trap_apply_execute_probe(frame, ec))
        return;
    trap_crash(frame, kind,
               response == FAULT_RESPONSE_OUT_OF_MEMORY ? "page fault: out of memory"
                                                        : "unhandled page fault",
               &fault);
}

static void trap_handle_sync(struct trap_frame *frame, uint64_t kind)
{
    enum esr_ec ec = esr_class(frame->esr);
    if (esr_is_abort(ec)) {
        trap_handle_abort(frame, kind, ec);
        return;
    }
    if (ec == ESR_EC_UNKNOWN && trap_apply_fixup(frame, FIXUP_ON_UNDEFINED))
        return;
    trap_crash(frame, kind, aarch64_esr_class_name(ec), NULL);
}

void aarch64_trap_handle(struct trap_frame *frame, uint64_t kind)
{
    if (kind == TRAP_KIND_STACK_OVERFLOW) {
        uint64_t sp = sysreg_read(sp_el0) + TRAP_FRAME_SIZE; /* vectors.S parked it there */
        kprintf("\naarch64: kernel stack overflow: sp %#llx is below the boot stack %#lx-%#lx\n",
                (unsigned long long)sp, (unsigned long)(uintptr_t)__boot_stack_bottom,
                (unsigned long)(uintptr_t)__boot_stack_top);
        trap_crash(frame, kind, "kernel stack overflow", NULL);
    }
    uint64_t group = kind / TRAP_TYPES_PER_GROUP, type = kind % TRAP_TYPES_PER_GROUP;
    /* Synchronous exceptions from AArch64 user mode never come here (vectors.S: user_entry.S). */
    if (type == TRAP_TYPE_SYNC && group == TRAP_GROUP_CURRENT_SPX) {
        trap_handle_sync(frame, kind);
        return;
    }
    trap_crash(frame, kind, type == TRAP_TYPE_SYNC ? "exception on an unexpected stack or state"
                                                   : "unexpected interrupt or SError",
               NULL);
}
