/*
 * The boot CPU's GDT and TSS. Long mode ignores segment bases and limits,
 * so the GDT only names 64-bit code and data segments, once for ring 0 and
 * once for ring 3 (user mode), and the TSS. The TSS matters for two stack
 * pointers: its interrupt stack table runs a double fault on its own
 * stack, so a kernel stack overflow into the guard page still ends in a
 * readable crash report instead of a triple-fault reset; and rsp[0] is the
 * stack a trap from user mode switches to, which user_entry.S points at the
 * end of the thread's context on every entry to user mode, so that the trap
 * frame lands in the context.
 */
#include <x86_64/descriptors.h>
#include <x86_64/instr.h>

#define DOUBLE_FAULT_STACK_SIZE 0x2000
#define STACK_ALIGN 16

_Static_assert(X86_GDT_SLOT_USER_CODE == X86_GDT_SLOT_USER_DATA + 1,
               "SYSRET loads SS and CS from consecutive slots, data first");

static uint64_t gdt[X86_GDT_SLOTS] __attribute__((aligned(16)));
struct x86_tss x86_tss __attribute__((aligned(16)));
static uint8_t double_fault_stack[DOUBLE_FAULT_STACK_SIZE] __attribute__((aligned(STACK_ALIGN)));

uintptr_t x86_double_fault_stack_top(void)
{
    return (uintptr_t)double_fault_stack + sizeof(double_fault_stack);
}

size_t x86_double_fault_stack_size(void)
{
    return sizeof(double_fault_stack);
}

/*
 * The two words of a 64-bit TSS descriptor for a TSS at BASE of LIMIT + 1
 * bytes. Base and limit are scattered across the entry (SDM vol. 3, 7.2.3).
 */
static void tss_descriptor(uint64_t *slot, uintptr_t base, uint32_t limit)
{
    slot[0] = (limit & 0xffffu) | (uint64_t)(base & 0xffffffu) << 16 |
              (uint64_t)X86_SYS_TYPE_TSS64_AVAILABLE << X86_SYS_TYPE_SHIFT | X86_SYS_PRESENT |
              (uint64_t)((limit >> 16) & 0xfu) << 48 | (uint64_t)((base >> 24) & 0xffu) << 56;
    slot[1] = base >> 32;
}

/* Load CS with a far return and the data segment registers with plain moves. */
static void reload_segments(void)
{
    __asm__ volatile("pushq %[code]\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w[data], %%ds\n\t"
                     "movw %w[data], %%es\n\t"
                     "movw %w[data], %%ss\n\t"
                     "movw %w[data], %%fs\n\t"
                     "movw %w[data], %%gs"
                     :
                     : [code] "i"(X86_KERNEL_CODE_SELECTOR), [data] "r"(X86_KERNEL_DATA_SELECTOR)
                     : "rax", "memory");
}

void x86_gdt_init(void)
{
    gdt[X86_GDT_SLOT_NULL] = 0;
    gdt[X86_GDT_SLOT_KERNEL_CODE] = X86_GDT_KERNEL_CODE64;
    gdt[X86_GDT_SLOT_KERNEL_DATA] = X86_GDT_KERNEL_DATA;
    gdt[X86_GDT_SLOT_USER_DATA] = X86_GDT_USER_DATA;
    gdt[X86_GDT_SLOT_USER_CODE] = X86_GDT_USER_CODE64;

    x86_tss.ist[X86_IST_DOUBLE_FAULT - 1] = x86_double_fault_stack_top();
    x86_tss.iomap_base = sizeof(x86_tss);
    tss_descriptor(&gdt[X86_GDT_SLOT_TSS], (uintptr_t)&x86_tss, sizeof(x86_tss) - 1);

    struct x86_table_register reg = { .limit = sizeof(gdt) - 1, .base = (uintptr_t)gdt };
    x86_lgdt(&reg);
    reload_segments();
    x86_ltr(X86_TSS_SELECTOR);
}
