/*
 * x86_64 trap handling: the IDT, and what happens to each exception.
 * A trap from user mode never gets here: it lands in the thread's context
 * and ends the thread's turn in arch_user_run() (user_entry.S, user.c),
 * which describes it to the portable caller. In kernel mode, a page fault
 * is decoded from its error code and CR2 into the arch-neutral struct
 * fault and given to fault_handle(); if
 * that does not resolve it, a guarded probe is abandoned with E_FAULT, and
 * anything else ends in a crash report (crash.c) and a panic. A #GP at a
 * probe (a non-canonical address, which is not a page fault) abandons the
 * probe too. Every other exception is a kernel bug.
 */
#include "kernel/arch/x86_64/probe.h"
#include "kernel/arch/x86_64/trap.h"
#include <arch/cpu.h>
#include <pagoda/errors.h>
#include <x86_64/descriptors.h>
#include <x86_64/instr.h>
#include <x86_64/paging.h>

#define GATE_OFFSET_LOW_MASK 0xffffu
#define GATE_OFFSET_MID_SHIFT 16
#define GATE_OFFSET_MID_MASK 0xffffu
#define GATE_OFFSET_MID_FIELD 48
#define GATE_OFFSET_HIGH_SHIFT 32

static struct x86_idt_gate idt[X86_IDT_VECTORS] __attribute__((aligned(16)));

/* The entry stub of each exception vector (vectors.S), and of the system call (user_entry.S). */
extern const uintptr_t x86_trap_stubs[X86_EXCEPTION_VECTORS];
extern const char x86_syscall_stub[];

const void *x86_idt_base(void)
{
    return idt;
}

size_t x86_idt_size(void)
{
    return sizeof(idt);
}

/*
 * An interrupt gate (IF cleared on entry) to HANDLER in ring 0, on IST slot
 * IST, which INT n may raise from rings 0 to DPL (the CPU itself may raise
 * any gate from any ring).
 */
static struct x86_idt_gate idt_gate(uintptr_t handler, unsigned ist, unsigned dpl)
{
    uint64_t low = (handler & GATE_OFFSET_LOW_MASK) |
                   (uint64_t)X86_KERNEL_CODE_SELECTOR << X86_GATE_SELECTOR_SHIFT |
                   (uint64_t)(ist & X86_GATE_IST_MASK) << X86_GATE_IST_SHIFT |
                   (uint64_t)X86_GATE_TYPE_INTERRUPT << X86_GATE_TYPE_SHIFT |
                   (uint64_t)(dpl & X86_GATE_DPL_MASK) << X86_GATE_DPL_SHIFT | X86_GATE_PRESENT |
                   ((handler >> GATE_OFFSET_MID_SHIFT) & GATE_OFFSET_MID_MASK)
                       << GATE_OFFSET_MID_FIELD;
    return (struct x86_idt_gate){ .low = low, .high = handler >> GATE_OFFSET_HIGH_SHIFT };
}

void x86_trap_init(void)
{
    /*
     * Vectors 32-255 stay not-present until something owns them: raising
     * one gives a #GP whose error code names the vector. User mode may
     * raise two gates itself: the system call, and #BP (int3), so that a
     * breakpoint reads as one rather than as a #GP.
     */
    for (unsigned v = 0; v < X86_EXCEPTION_VECTORS; v++) {
        unsigned ist = v == X86_VECTOR_DOUBLE_FAULT ? X86_IST_DOUBLE_FAULT : X86_IST_NONE;
        unsigned dpl = v == X86_VECTOR_BREAKPOINT ? X86_PRIVILEGE_USER : X86_PRIVILEGE_KERNEL;
        idt[v] = idt_gate(x86_trap_stubs[v], ist, dpl);
    }
    idt[X86_VECTOR_SYSCALL] = idt_gate((uintptr_t)x86_syscall_stub, X86_IST_NONE,
                                       X86_PRIVILEGE_USER);
    struct x86_table_register reg = { .limit = sizeof(idt) - 1, .base = (uintptr_t)idt };
    x86_lidt(&reg);
}

/* Resume a faulting guarded load or store at its fixup; false if FRAME is not one. */
static bool probe_recover_access(struct trap_frame *frame)
{
    for (const struct x86_probe_fixup *f = x86_probe_fixups; f < x86_probe_fixups_end; f++) {
        if (frame->rip == f->access) {
            frame->rip = f->resume;
            frame->rax = (uint64_t)(int64_t)-E_FAULT;
            return true;
        }
    }
    return false;
}

/*
 * An instruction fetch that faulted straight out of arch_probe_execute's
 * call: return from the callee on its behalf, with -E_FAULT.
 */
static bool probe_recover_execute(struct trap_frame *frame, const struct fault *fault)
{
    uint64_t return_address;
    if (fault->access != FAULT_EXECUTE)
        return false;
    /* Read the stack through a probe too: a wild jump may have left rsp anywhere. */
    if (arch_probe_read(frame->rsp, &return_address) != 0 ||
        return_address != (uintptr_t)x86_probe_execute_return)
        return false;
    frame->rsp += sizeof(uint64_t);
    frame->rip = return_address;
    frame->rax = (uint64_t)(int64_t)-E_FAULT;
    return true;
}

static void trap_page_fault(struct trap_frame *frame)
{
    /* Read CR2 first: a nested fault (even a recovered probe) would overwrite it. */
    struct fault fault = x86_page_fault_decode(frame->error_code, frame->rip, x86_read_cr2());
    if (frame->error_code & X86_PF_RESERVED)
        x86_crash(frame, &fault, "a page-table entry has a reserved bit set (corrupt tables)");

    /*
     * No pd_update_accessed_dirty() here: the x86 walker sets A and D itself
     * and never faults for them, so every page fault is a real one.
     */
    enum fault_response response = fault_handle(&fault);
    if (response == FAULT_RESPONSE_CONTINUE)
        return;
    if (probe_recover_access(frame) || probe_recover_execute(frame, &fault))
        return;
    x86_crash(frame, &fault,
              response == FAULT_RESPONSE_OUT_OF_MEMORY ? "out of memory resolving the fault"
                                                       : "invalid access");
}

void x86_trap_dispatch(struct trap_frame *frame)
{
    if (x86_trap_from_user(frame))
        x86_user_trap_stray(frame);
    switch (frame->vector) {
    case X86_VECTOR_PAGE_FAULT:
        trap_page_fault(frame);
        return;
    case X86_VECTOR_GENERAL_PROTECTION:
        if (probe_recover_access(frame))
            return;
        break;
    default:
        break;
    }
    x86_crash(frame, NULL, NULL);
}
