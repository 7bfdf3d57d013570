/*
 * In-kernel tests of the x86_64 facts the boot path promises: the CPU mode
 * and control bits, that the IDT, GDT and TSS registers point at our tables
 * (with the double fault on its own stack), that page faults are decoded
 * correctly for each kind of access, and that the boot tables give each
 * part of the image the permissions mmu_boot.c says and map all RAM.
 */
#include "kernel/arch/x86_64/mmu_boot.h"
#include "kernel/arch/x86_64/probe.h"
#include "kernel/arch/x86_64/trap.h"
#include "kernel/kernel.h"
#include "kernel/lib/string.h"
#include <arch/cpu.h>
#include <pagoda/errors.h>
#include <pagoda/fault.h>
#include <pagoda/ktest.h>
#include <x86_64/descriptors.h>
#include <x86_64/instr.h>
#include <x86_64/layout.h>
#include <x86_64/paging.h>

/* The first non-canonical address above the lower half: a #GP, not a #PF. */
#define NON_CANONICAL_ADDRESS UINT64_C(0x0000800000000000)
#define ACPI_RSDP_SIGNATURE "RSD PTR "
#define ACPI_RSDP_SIGNATURE_SIZE 8
#define X86_RET_OPCODE 0xc3
#define TSS_DESCRIPTOR_BASE_LOW_SHIFT 16
#define TSS_DESCRIPTOR_BASE_LOW_MASK 0xffffffu
#define TSS_DESCRIPTOR_BASE_HIGH_SHIFT 56
#define TSS_DESCRIPTOR_BASE_HIGH_BITS 24
#define TSS_DESCRIPTOR_BASE_UPPER_BITS 32

extern const char __text_start[], __rodata_start[], __data_start[];
extern const char __boot_stack_guard[], __boot_stack_bottom[];
extern const char __kernel_phys_start[], __kernel_phys_end[];

/* A "ret" in writable, non-executable data: running it means NX does not work. */
static uint8_t data_ret_instruction[1] = { X86_RET_OPCODE };
static const uint64_t rodata_word = 0x0123456789abcdefull;

/* Probe the hole with a read or a write; check the record the trap path delivered. */
static void check_hole_fault(struct ktest *t, enum fault_access access, uintptr_t probe_pc)
{
    uintptr_t hole = arch_unmapped_address();
    uint64_t before = fault_count();
    uint64_t value = 0;
    int result = access == FAULT_WRITE ? arch_probe_write(hole, 1) : arch_probe_read(hole, &value);
    KEXPECT_EQ(t, result, -E_FAULT);
    KASSERT_EQ(t, fault_count(), before + 1);
    struct fault f = fault_last();
    KEXPECT_EQU(t, f.addr.value, hole);
    KEXPECT_EQU(t, f.pc, probe_pc);
    KEXPECT_EQ(t, f.access, access);
    KEXPECT_EQ(t, f.cause, FAULT_NOT_PRESENT);
    KEXPECT_EQ(t, f.mode, FAULT_KERNEL);
}

KTEST(x86_64, probe_read_of_hole_is_decoded)
{
    check_hole_fault(t, FAULT_READ, (uintptr_t)x86_probe_read_access);
}

KTEST(x86_64, probe_write_of_hole_is_decoded)
{
    check_hole_fault(t, FAULT_WRITE, (uintptr_t)x86_probe_write_access);
}

KTEST(x86_64, hole_is_in_kernel_half_below_image)
{
    uintptr_t hole = arch_unmapped_address();
    KEXPECT_EQU(t, hole, X86_FAULT_HOLE_VIRT);
    KEXPECT(t, hole + X86_FAULT_HOLE_SIZE <= (uintptr_t)__text_start);
    unsigned level;
    KEXPECT_EQU(t, mmu_boot_lookup(hole, &level), 0);
    KEXPECT_EQU(t, mmu_boot_lookup(hole + X86_FAULT_HOLE_SIZE - X86_PAGE_SIZE, &level), 0);
}

KTEST(x86_64, write_to_rodata_is_protection_fault)
{
    uint64_t before = fault_count();
    /* Writes the value already there, so a broken WP bit corrupts nothing. */
    KEXPECT_EQ(t, arch_probe_write((uintptr_t)&rodata_word, rodata_word), -E_FAULT);
    KASSERT_EQ(t, fault_count(), before + 1);
    struct fault f = fault_last();
    KEXPECT_EQU(t, f.addr.value, (uintptr_t)&rodata_word);
    KEXPECT_EQ(t, f.access, FAULT_WRITE);
    KEXPECT_EQ(t, f.cause, FAULT_PROTECTION);
}

KTEST(x86_64, data_is_not_executable)
{
    KEXPECT_EQ(t, x86_probe_execute((uintptr_t)x86_probe_ret), 0); /* the control: text runs */
    uint64_t before = fault_count();
    KEXPECT_EQ(t, x86_probe_execute((uintptr_t)data_ret_instruction), -E_FAULT);
    KASSERT_EQ(t, fault_count(), before + 1);
    struct fault f = fault_last();
    KEXPECT_EQU(t, f.addr.value, (uintptr_t)data_ret_instruction);
    KEXPECT_EQU(t, f.pc, (uintptr_t)data_ret_instruction);
    KEXPECT_EQ(t, f.access, FAULT_EXECUTE);
    KEXPECT_EQ(t, f.cause, FAULT_PROTECTION);
}

KTEST(x86_64, null_page_is_unmapped)
{
    uint64_t value;
    uint64_t before = fault_count();
    KEXPECT_EQ(t, arch_probe_read(0, &value), -E_FAULT);
    KASSERT_EQ(t, fault_count(), before + 1);
    KEXPECT_EQU(t, fault_last().addr.value, 0);
    KEXPECT_EQ(t, fault_last().cause, FAULT_NOT_PRESENT);
}

KTEST(x86_64, non_canonical_probe_fails_without_page_fault)
{
    uint64_t value;
    uint64_t before = fault_count();
    KEXPECT_EQ(t, arch_probe_read(NON_CANONICAL_ADDRESS, &value), -E_FAULT);
    KEXPECT_EQ(t, arch_probe_write(NON_CANONICAL_ADDRESS, 0), -E_FAULT);
    KEXPECT_EQ(t, fault_count(), before); /* a #GP, which is not a page fault */
}

KTEST(x86_64, runs_in_long_mode_ring0_with_interrupts_off)
{
    KEXPECT_EQU(t, x86_read_cs(), X86_KERNEL_CODE_SELECTOR);
    KEXPECT_EQ(t, x86_read_cs() & X86_SELECTOR_RPL_MASK, 0);
    uint64_t efer = x86_rdmsr(X86_MSR_EFER);
    KEXPECT(t, efer & X86_EFER_LMA);
    KEXPECT(t, efer & X86_EFER_NXE);
    KEXPECT(t, x86_read_cr0() & X86_CR0_PG);
    KEXPECT(t, x86_read_cr0() & X86_CR0_WP);
    KEXPECT(t, x86_read_cr4() & X86_CR4_PAE);
    KEXPECT_EQ(t, x86_read_rflags() & X86_RFLAGS_IF, 0);
}

KTEST(x86_64, idt_register_points_at_our_table)
{
    struct x86_table_register idtr = x86_sidt();
    KEXPECT_EQU(t, idtr.base, (uintptr_t)x86_idt_base());
    KEXPECT_EQU(t, idtr.limit, x86_idt_size() - 1);
    const struct x86_idt_gate *gates = x86_idt_base();
    for (unsigned v = 0; v < X86_EXCEPTION_VECTORS; v++) {
        KEXPECT(t, gates[v].low & X86_GATE_PRESENT);
        unsigned ist = (gates[v].low >> X86_GATE_IST_SHIFT) & X86_GATE_IST_MASK;
        KEXPECT_EQ(t, ist, v == X86_VECTOR_DOUBLE_FAULT ? X86_IST_DOUBLE_FAULT : X86_IST_NONE);
    }
}

/* The TSS base as the CPU finds it: through GDTR and the task register. */
static const struct x86_tss *tss_from_task_register(void)
{
    struct x86_table_register gdtr = x86_sgdt();
    const uint64_t *slot = (const uint64_t *)(uintptr_t)(gdtr.base + x86_str());
    uint64_t base = ((slot[0] >> TSS_DESCRIPTOR_BASE_LOW_SHIFT) & TSS_DESCRIPTOR_BASE_LOW_MASK) |
                    (slot[0] >> TSS_DESCRIPTOR_BASE_HIGH_SHIFT) << TSS_DESCRIPTOR_BASE_HIGH_BITS |
                    slot[1] << TSS_DESCRIPTOR_BASE_UPPER_BITS;
    return (const struct x86_tss *)(uintptr_t)base;
}

KTEST(x86_64, double_fault_runs_on_its_own_stack)
{
    KASSERT_EQU(t, x86_str(), X86_TSS_SELECTOR);
    const struct x86_tss *tss = tss_from_task_register();
    uint64_t ist = tss->ist[X86_IST_DOUBLE_FAULT - 1];
    KEXPECT_EQU(t, ist, x86_double_fault_stack_top());
    KEXPECT_EQ(t, ist % 16, 0);
    /* Not the boot stack, or an overflow would take the double fault down with it. */
    uintptr_t here = (uintptr_t)&ist;
    KEXPECT(t, here > ist || here < ist - x86_double_fault_stack_size());
}

/* The leaf that maps VA, with its level. */
static uint64_t leaf(uintptr_t va, unsigned *level)
{
    return mmu_boot_lookup(va, level);
}

KTEST(x86_64, boot_tables_protect_the_image)
{
    unsigned level;
    uint64_t text = leaf((uintptr_t)__text_start, &level);
    KEXPECT(t, text & X86_PTE_PRESENT);
    KEXPECT_EQ(t, level, 0);
    KEXPECT_EQ(t, text & X86_PTE_WRITABLE, 0);
    KEXPECT_EQ(t, text & X86_PTE_NO_EXECUTE, 0);
    KEXPECT_EQU(t, x86_pte_phys(text), (uintptr_t)__kernel_phys_start);

    uint64_t rodata = leaf((uintptr_t)__rodata_start, &level);
    KEXPECT(t, rodata & X86_PTE_PRESENT);
    KEXPECT_EQ(t, rodata & X86_PTE_WRITABLE, 0);
    KEXPECT(t, rodata & X86_PTE_NO_EXECUTE);

    uint64_t data = leaf((uintptr_t)__data_start, &level);
    KEXPECT(t, data & X86_PTE_PRESENT);
    KEXPECT(t, data & X86_PTE_WRITABLE);
    KEXPECT(t, data & X86_PTE_NO_EXECUTE);

    KEXPECT_EQU(t, leaf((uintptr_t)__boot_stack_guard, &level), 0);
    uint64_t stack = leaf((uintptr_t)__boot_stack_bottom, &level);
    KEXPECT(t, stack & X86_PTE_WRITABLE);
    KEXPECT(t, stack & X86_PTE_NO_EXECUTE);
}

KTEST(x86_64, identity_map_covers_all_ram)
{
    const struct boot_info *bi = boot_info_current();
    KASSERT(t, bi != NULL);
    KASSERT(t, bi->ram_count > 0);
    uint64_t before = fault_count();
    for (size_t i = 0; i < bi->ram_count; i++) {
        uint64_t first = bi->ram[i].base, last = first + bi->ram[i].size - sizeof(uint64_t);
        if (first == 0)
            first = X86_PAGE_SIZE; /* page 0 is left out on purpose */
        uint64_t value;
        KEXPECT_EQ(t, arch_probe_read(first, &value), 0);
        KEXPECT_EQ(t, arch_probe_read(last, &value), 0);
        KEXPECT(t, last < mmu_boot_identity_top());
        unsigned level;
        uint64_t entry = leaf(last, &level);
        KEXPECT(t, entry & X86_PTE_NO_EXECUTE);
        KEXPECT_EQU(t, x86_pte_phys(entry) + (last & (x86_level_size(level) - 1)), last);
    }
    KEXPECT_EQ(t, fault_count(), before);
}

KTEST(x86_64, boot_info_reserves_image_and_finds_rsdp)
{
    const struct boot_info *bi = boot_info_current();
    KASSERT(t, bi != NULL);
    bool image_reserved = false;
    for (size_t i = 0; i < bi->reserved_count; i++) {
        const struct boot_range *r = &bi->reserved[i];
        image_reserved |= r->kind == BOOT_RANGE_KERNEL &&
                          r->base == (uintptr_t)__kernel_phys_start &&
                          r->base + r->size == (uintptr_t)__kernel_phys_end;
    }
    KEXPECT(t, image_reserved);
    KEXPECT_EQ(t, bi->console.kind, BOOT_CONSOLE_UART16550_PIO);
    /* q35 firmware always has ACPI, and GRUB passes a copy of the RSDP. */
    KASSERT_NE(t, bi->acpi_rsdp, 0);
    KEXPECT_EQ(t, memcmp((const void *)(uintptr_t)bi->acpi_rsdp, ACPI_RSDP_SIGNATURE,
                         ACPI_RSDP_SIGNATURE_SIZE),
               0);
}

KTEST(x86_64, cycle_counter_advances)
{
    uint64_t a = arch_read_cycle_counter();
    uint64_t b = arch_read_cycle_counter();
    KEXPECT_LT(t, a, b);
}
