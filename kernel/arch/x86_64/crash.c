/*
 * The x86_64 crash report: for a trap nobody could handle, print what the
 * exception was (name, error code decoded into words, the fault record for
 * a page fault), every general register, the control registers and a
 * frame-pointer backtrace, then panic(). Everything it reads beyond the
 * trap frame is read through guarded probes, so a corrupt stack cannot
 * turn the report into a second crash.
 */
#include "kernel/arch/x86_64/trap.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include <arch/cpu.h>
#include <x86_64/descriptors.h>
#include <x86_64/instr.h>
#include <x86_64/paging.h>

#define BACKTRACE_MAX_FRAMES 16
/* How close to the guard page a stack pointer must be to blame an overflow. */
#define STACK_OVERFLOW_SLACK 512

extern const char __boot_stack_guard[], __boot_stack_bottom[];

static const struct {
    const char *mnemonic;
    const char *name;
} exceptions[X86_EXCEPTION_VECTORS] = {
    [0] = { "#DE", "divide error" },
    [1] = { "#DB", "debug exception" },
    [2] = { "NMI", "non-maskable interrupt" },
    [3] = { "#BP", "breakpoint" },
    [4] = { "#OF", "overflow" },
    [5] = { "#BR", "bound range exceeded" },
    [6] = { "#UD", "invalid opcode" },
    [7] = { "#NM", "device not available (FPU/SSE used)" },
    [8] = { "#DF", "double fault" },
    [9] = { "#CSO", "coprocessor segment overrun" },
    [10] = { "#TS", "invalid TSS" },
    [11] = { "#NP", "segment not present" },
    [12] = { "#SS", "stack-segment fault" },
    [13] = { "#GP", "general protection fault" },
    [14] = { "#PF", "page fault" },
    [16] = { "#MF", "x87 floating-point error" },
    [17] = { "#AC", "alignment check" },
    [18] = { "#MC", "machine check" },
    [19] = { "#XM", "SIMD floating-point exception" },
    [20] = { "#VE", "virtualization exception" },
    [21] = { "#CP", "control-protection exception" },
    [28] = { "#HV", "hypervisor injection" },
    [29] = { "#VC", "VMM communication exception" },
    [30] = { "#SX", "security exception" },
};

const char *x86_exception_mnemonic(uint64_t vector)
{
    if (vector < X86_EXCEPTION_VECTORS && exceptions[vector].mnemonic)
        return exceptions[vector].mnemonic;
    return "#??";
}

const char *x86_exception_name(uint64_t vector)
{
    if (vector < X86_EXCEPTION_VECTORS && exceptions[vector].name)
        return exceptions[vector].name;
    return "reserved exception";
}

static bool has_selector_error_code(uint64_t vector)
{
    return vector == X86_VECTOR_INVALID_TSS || vector == X86_VECTOR_SEGMENT_NOT_PRESENT ||
           vector == X86_VECTOR_STACK_SEGMENT || vector == X86_VECTOR_GENERAL_PROTECTION;
}

static void print_error_code(const struct trap_frame *frame)
{
    uint64_t code = frame->error_code;
    if (frame->vector == X86_VECTOR_PAGE_FAULT) {
        kprintf("error code %#lx: %s, %s, %s mode%s\n", (unsigned long)code,
                code & X86_PF_PROTECTION ? "protection violation" : "page not present",
                code & X86_PF_FETCH ? "instruction fetch" : code & X86_PF_WRITE ? "write" : "read",
                code & X86_PF_USER ? "user" : "kernel",
                code & X86_PF_RESERVED ? ", reserved bit set in an entry" : "");
    } else if (has_selector_error_code(frame->vector) && code != 0) {
        const char *table = code & X86_SELECTOR_ERROR_IDT   ? "IDT vector"
                            : code & X86_SELECTOR_ERROR_LDT ? "LDT selector"
                                                        : "GDT slot";
        kprintf("error code %#lx: %s %lu%s\n", (unsigned long)code, table,
                (unsigned long)(code >> X86_SELECTOR_ERROR_INDEX_SHIFT),
                code & X86_SELECTOR_ERROR_EXTERNAL ? " (during an external event)" : "");
    } else {
        kprintf("error code %#lx\n", (unsigned long)code);
    }
}

static bool near_stack_guard(uint64_t address)
{
    uint64_t guard = (uintptr_t)__boot_stack_guard;
    uint64_t bottom = (uintptr_t)__boot_stack_bottom;
    return address >= guard && address < bottom + STACK_OVERFLOW_SLACK;
}

static void print_registers(const struct trap_frame *f)
{
    kprintf("  rax %016lx  rbx %016lx  rcx %016lx\n", f->rax, f->rbx, f->rcx);
    kprintf("  rdx %016lx  rsi %016lx  rdi %016lx\n", f->rdx, f->rsi, f->rdi);
    kprintf("  rbp %016lx  rsp %016lx  r8  %016lx\n", f->rbp, f->rsp, f->r8);
    kprintf("  r9  %016lx  r10 %016lx  r11 %016lx\n", f->r9, f->r10, f->r11);
    kprintf("  r12 %016lx  r13 %016lx  r14 %016lx\n", f->r12, f->r13, f->r14);
    kprintf("  r15 %016lx  rip %016lx  rflags %08lx\n", f->r15, f->rip, f->rflags);
    kprintf("  cs %04lx (ring %lu)  ss %04lx  cr0 %08lx  cr2 %016lx\n", f->cs,
            f->cs & X86_SELECTOR_RPL_MASK, f->ss, (unsigned long)x86_read_cr0(),
            (unsigned long)x86_read_cr2());
    kprintf("  cr3 %016lx  cr4 %08lx\n", (unsigned long)x86_read_cr3(),
            (unsigned long)x86_read_cr4());
}

/* Follow the saved frame pointers (the kernel keeps them: -fno-omit-frame-pointer). */
static void print_backtrace(const struct trap_frame *f)
{
    kprintf("backtrace (addr2line -e pagoda.elf):\n  %016lx\n", f->rip);
    uint64_t rbp = f->rbp;
    for (int i = 0; i < BACKTRACE_MAX_FRAMES && rbp != 0; i++) {
        uint64_t next, ret;
        if (arch_probe_read(rbp, &next) != 0 ||
            arch_probe_read(rbp + sizeof(uint64_t), &ret) != 0) {
            kprintf("  (frame pointer %016lx is unreadable)\n", rbp);
            return;
        }
        if (ret == 0)
            return;
        kprintf("  %016lx\n", ret);
        if (next <= rbp) /* frames live at rising addresses; anything else is a loop */
            return;
        rbp = next;
    }
}

NORETURN void x86_crash(const struct trap_frame *frame, const struct fault *fault,
                        const char *reason)
{
    static bool crashing;
    if (crashing)
        panic("x86_64: %s at rip %#lx while printing a crash report",
              x86_exception_name(frame->vector), (unsigned long)frame->rip);
    crashing = true;

    kprintf("\n---- x86_64 crash: %s (%s, vector %lu) ----\n", x86_exception_name(frame->vector),
            x86_exception_mnemonic(frame->vector), (unsigned long)frame->vector);
    print_error_code(frame);
    if (fault)
        fault_print(fault);
    if (reason)
        kprintf("reason: %s\n", reason);
    if ((fault && near_stack_guard(fault->addr.value)) || near_stack_guard(frame->rsp))
        kprintf("hint: the stack pointer is at the boot stack's guard page: a stack overflow\n");
    print_registers(frame);
    print_backtrace(frame);

    if (fault)
        panic("x86_64: unhandled %s at rip %#lx: %s %s of %#lx (%s)",
              x86_exception_name(frame->vector), (unsigned long)frame->rip,
              fault->mode == FAULT_USER ? "user" : "kernel", fault_access_name(fault->access), (unsigned long)fault->addr.value,
              fault_cause_name(fault->cause));
    panic("x86_64: unhandled %s (%s) at rip %#lx", x86_exception_name(frame->vector),
          x86_exception_mnemonic(frame->vector), (unsigned long)frame->rip);
}
