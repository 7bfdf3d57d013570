/*
 * In-kernel tests of the x86_64 facts the boot path promises: the CPU mode
 * and control bits, that the IDT, GDT and TSS registers point at our tables
 * (with the double fault on its own stack), that page faults are decoded
 * correctly for each kind of access, and that the kernel page directory the
 * boot path switched to is what the CPU uses: each part of the image with
 * its rights, everything in the kernel half, the identity map gone, the
 * memory types encoded through the PAT as the MSR is programmed, and large
 * leaves as CPUID allows. Entries are read back raw by walking CR3's tables
 * here, independently of the format module.
 */
#include "kernel/arch/pt/pt_format.h"
#include "kernel/arch/x86_64/mmu.h"
#include "kernel/arch/x86_64/probe.h"
#include "kernel/arch/x86_64/trap.h"
#include "kernel/kernel.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include <arch/cpu.h>
#include <pagoda/errors.h>
#include <pagoda/fault.h>
#include <pagoda/ktest.h>
#include <x86_64/descriptors.h>
#include <x86_64/instr.h>
#include <x86_64/layout.h>
#include <x86_64/paging.h>
#include <x86_64/pte.h>

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

/*
 * Where these tests map things: a part of the kernel's test window that
 * kernel/tests/vm/ does not use, and the first GiB of the kernel half
 * (1 GiB aligned, and otherwise unused) for the 1 GiB leaf test.
 */
#define TEST_VA (KERNEL_TEST_WINDOW + 16 * MiB)
#define KERNEL_HALF_BASE UINT64_C(0xffffff8000000000) /* PML4 slot 511: what users share */
#define HUGE_TEST_VA KERNEL_HALF_BASE
#define X86_LEVEL_2M 1
#define X86_LEVEL_1G 2
/* More pages than pd_flush_range invalidates one by one (FLUSH_RANGE_PAGES_MAX in pd_hw.c). */
#define FLUSH_TEST_PAGES 64

extern const char __text_start[], __text_end[], __rodata_start[], __data_start[];
extern const char __boot_stack_guard[], __boot_stack_bottom[], __boot_stack_top[];
extern const char __kernel_phys_start[], __kernel_phys_end[];

/* A "ret" in writable, non-executable data: running it means NX does not work. */
static uint8_t data_ret_instruction[1] = { X86_RET_OPCODE };
static const uint64_t rodata_word = 0x0123456789abcdefull;
/* A page of .bss for mappings made by the tests. */
static uint8_t scratch[PD_PAGE_SIZE] __attribute__((aligned(PD_PAGE_SIZE)));

static uint64_t phys_of(const void *p)
{
    return (uintptr_t)p - arch_kernel_virt_offset();
}

/* The first address of the format's kernel half, the part every directory shares. */
static uintptr_t kernel_half_base(void)
{
    const struct pt_format *f = arch_pt_format();
    return (uintptr_t)(UINT64_C(0) - f->kernel_root_slots * PT_LEVEL_SIZE(f->levels - 1));
}

/*
 * The raw leaf entry that maps VA, walking the live tables from CR3 as the
 * CPU does, and its level. Every table page comes from the kernel's pool,
 * which is reachable at KERNEL_TABLE_WINDOW. -E_NOENT if VA is not mapped
 * (LEVEL says where the walk stopped), -E_RANGE if a table lies outside the
 * pool.
 */
static int live_leaf(uintptr_t va, uint64_t *entry, unsigned *level)
{
    struct pd_query_result window;
    int err = pd_query(kernel_pd(), vaddr(KERNEL_TABLE_WINDOW), &window);
    if (err)
        return err;
    uint64_t pool = window.phys.value;
    uint64_t pool_size = kernel_table_pages_total() * PD_PAGE_SIZE;
    uint64_t table = x86_read_cr3() & X86_PTE_MASK(ADDR_4K);
    for (unsigned l = X86_PT_LEVELS - 1;; l--) {
        if (table < pool || table >= pool + pool_size)
            return -E_RANGE;
        const volatile uint64_t *entries =
            (const volatile uint64_t *)(uintptr_t)(KERNEL_TABLE_WINDOW + (table - pool));
        uint64_t e = entries[x86_pt_index(va, l)];
        *level = l;
        if (!X86_PTE_GET(e, PRESENT))
            return -E_NOENT;
        if (l == 0 || X86_PTE_GET(e, PS)) {
            *entry = e;
            return 0;
        }
        table = e & X86_PTE_MASK(ADDR_4K);
    }
}

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
    KEXPECT(t, hole >= kernel_half_base());
    KEXPECT(t, hole + X86_FAULT_HOLE_SIZE <= (uintptr_t)__text_start);
    struct pd_query_result q;
    KEXPECT_EQ(t, pd_query(kernel_pd(), vaddr(hole), &q), -E_NOENT);
    KEXPECT_EQ(t, pd_query(kernel_pd(), vaddr(hole + X86_FAULT_HOLE_SIZE - X86_PAGE_SIZE), &q),
               -E_NOENT);
    uint64_t entry;
    unsigned level;
    KEXPECT_EQ(t, live_leaf(hole, &entry, &level), -E_NOENT);
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
    KEXPECT_EQ(t, arch_probe_execute((uintptr_t)x86_probe_ret), 0); /* the control: text runs */
    uint64_t before = fault_count();
    KEXPECT_EQ(t, arch_probe_execute((uintptr_t)data_ret_instruction), -E_FAULT);
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
    KEXPECT(t, x86_read_cr4() & X86_CR4_PGE); /* or the kernel's G bits mean nothing */
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

extern const char __ro_after_init_end[];

/* P's page as the kernel directory reports it and as the CPU sees it: PROT, global, write-back. */
static void expect_image_part(struct ktest *t, const void *p, uint32_t prot)
{
    uintptr_t va = (uintptr_t)p;
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(kernel_pd(), vaddr(va), &q), 0);
    KEXPECT_EQU(t, q.prot, prot | PD_GLOBAL);
    KEXPECT_EQ(t, q.type, MEMORY_TYPE_NORMAL);
    KEXPECT_EQU(t, q.phys.value, va - X86_KERNEL_VIRT_BASE);

    uint64_t e;
    unsigned level;
    KASSERT_EQ(t, live_leaf(va, &e, &level), 0);
    KEXPECT_EQ(t, level, 0);
    KEXPECT_EQU(t, e & X86_PTE_MASK(ADDR_4K), ALIGN_DOWN(va, PD_PAGE_SIZE) - X86_KERNEL_VIRT_BASE);
    KEXPECT_EQU(t, X86_PTE_GET(e, WRITABLE), (prot & PD_WRITE) != 0);
    KEXPECT_EQU(t, X86_PTE_GET(e, NX), (prot & PD_EXECUTE) == 0);
    KEXPECT_EQU(t, X86_PTE_GET(e, USER), 0);
    KEXPECT_EQU(t, X86_PTE_GET(e, GLOBAL), 1); /* kept across address-space switches */
}

KTEST(x86_64, kernel_pd_protects_the_image)
{
    expect_image_part(t, __text_start, PD_READ | PD_EXECUTE);
    expect_image_part(t, __text_end - 1, PD_READ | PD_EXECUTE);
    expect_image_part(t, __rodata_start, PD_READ);
    expect_image_part(t, &rodata_word, PD_READ);
    expect_image_part(t, __data_start, PD_READ); /* __ro_after_init: read-only once booted */
    expect_image_part(t, __ro_after_init_end, PD_READ | PD_WRITE);
    expect_image_part(t, data_ret_instruction, PD_READ | PD_WRITE);
    expect_image_part(t, __boot_stack_bottom, PD_READ | PD_WRITE);
    expect_image_part(t, __boot_stack_top - 1, PD_READ | PD_WRITE);

    struct pd_query_result q;
    KEXPECT_EQ(t, pd_query(kernel_pd(), vaddr((uintptr_t)__boot_stack_guard), &q), -E_NOENT);
    uint64_t e;
    unsigned level;
    KEXPECT_EQ(t, live_leaf((uintptr_t)__boot_stack_guard, &e, &level), -E_NOENT);
    /* Nothing beyond the image either: the stack is its last part. */
    KEXPECT_EQ(t, pd_query(kernel_pd(), vaddr((uintptr_t)__boot_stack_top), &q), -E_NOENT);
}

KTEST(x86_64, cpu_runs_on_the_kernel_pd_in_the_kernel_half)
{
    KEXPECT_EQU(t, x86_read_cr3(), kernel_pd()->root.value);
    uintptr_t base = kernel_half_base();
    KEXPECT_EQU(t, base, KERNEL_HALF_BASE);
    uintptr_t here = (uintptr_t)&base;
    KEXPECT(t, (uintptr_t)x86_trap_dispatch >= base); /* code */
    KEXPECT(t, here >= base);                          /* the stack */
    KEXPECT(t, x86_sidt().base >= base);
    KEXPECT(t, x86_sgdt().base >= base);
    KEXPECT(t, (uintptr_t)tss_from_task_register() >= base);
    KEXPECT(t, x86_double_fault_stack_top() >= base);
    KEXPECT(t, (uintptr_t)x86_double_fault_stack_top() - x86_double_fault_stack_size() >= base);
}

KTEST(x86_64, identity_map_is_gone)
{
    const struct boot_info *bi = boot_info_current();
    KASSERT(t, bi != NULL);
    KASSERT(t, bi->ram_count > 0);
    /* The image's physical address was identity-mapped by boot.S's early tables. */
    uint64_t value;
    KEXPECT_EQ(t, arch_probe_read((uintptr_t)__kernel_phys_start, &value), -E_FAULT);
    KEXPECT_EQU(t, fault_last().addr.value, (uintptr_t)__kernel_phys_start);
    KEXPECT_EQ(t, fault_last().cause, FAULT_NOT_PRESENT);
    for (size_t i = 0; i < bi->ram_count; i++) {
        uint64_t last = bi->ram[i].base + bi->ram[i].size - sizeof(uint64_t);
        uint64_t before = fault_count();
        KEXPECT_EQ(t, arch_probe_read(bi->ram[i].base, &value), -E_FAULT);
        KEXPECT_EQ(t, arch_probe_read(last, &value), -E_FAULT);
        KEXPECT_EQ(t, fault_count(), before + 2);
    }
}

/* The PAT entry a raw leaf at LEVEL selects: PAT:PCD:PWT, with PAT's bit where LEVEL puts it. */
static unsigned leaf_pat_index(uint64_t e, unsigned level)
{
    uint64_t pat = level == 0 ? X86_PTE_GET(e, PAT_4K) : X86_PTE_GET(e, PAT_LARGE);
    return (unsigned)(X86_PTE_GET(e, PWT) << X86_PAT_INDEX_PWT_BIT |
                      X86_PTE_GET(e, PCD) << X86_PAT_INDEX_PCD_BIT |
                      pat << X86_PAT_INDEX_PAT_BIT);
}

/* The x86 memory type each arch-neutral type must end up as (include/arch/page_directory.h). */
static const struct {
    enum memory_type type;
    unsigned x86_type;
} memory_type_expected[] = {
    { MEMORY_TYPE_NORMAL, X86_PAT_TYPE_WB },       /* cacheable, write-back */
    { MEMORY_TYPE_IO, X86_PAT_TYPE_UC },           /* uncached, strongly ordered */
    { MEMORY_TYPE_NONCACHEABLE, X86_PAT_TYPE_WC }, /* uncached, weakly ordered */
};

KTEST(x86_64, pat_msr_holds_the_format_layout)
{
    KEXPECT_EQU(t, x86_rdmsr(X86_MSR_PAT), X86_PAT_MSR_VALUE);
}

/*
 * Map PA at TEST_VA with each memory type as a leaf of SIZE, read the raw
 * entry back, and follow its PAT index into the live IA32_PAT to the type
 * the CPU will use. The alias is never accessed: two types on one physical
 * page are undefined behaviour on real hardware (SDM vol. 3A, 11.12.4).
 */
static void check_memory_types(struct ktest *t, uint64_t pa, uint64_t size, unsigned level)
{
    uint64_t pat_msr = x86_rdmsr(X86_MSR_PAT);
    for (size_t i = 0; i < ARRAY_SIZE(memory_type_expected); i++) {
        enum memory_type type = memory_type_expected[i].type;
        KASSERT_EQ(t, pd_map(kernel_pd(), vaddr(TEST_VA), paddr(pa), size, PD_READ, type), 0);
        uint64_t e = 0;
        unsigned got_level = 0;
        KEXPECT_EQ(t, live_leaf(TEST_VA, &e, &got_level), 0);
        KEXPECT_EQ(t, got_level, level);
        KEXPECT_EQU(t, X86_PTE_GET(e, PS), level != 0);
        unsigned index = leaf_pat_index(e, level);
        unsigned x86_type = (unsigned)(pat_msr >> (index * X86_PAT_ENTRY_BITS)) &
                            ((1u << X86_PAT_ENTRY_BITS) - 1);
        KEXPECT_EQU(t, x86_type, memory_type_expected[i].x86_type);
        struct pd_query_result q;
        KEXPECT_EQ(t, pd_query(kernel_pd(), vaddr(TEST_VA), &q), 0);
        KEXPECT_EQ(t, q.type, type);
        KEXPECT_EQ(t, pd_unmap(kernel_pd(), vaddr(TEST_VA), size), 0);
    }
}

KTEST(x86_64, memory_types_reach_the_pat)
{
    check_memory_types(t, phys_of(scratch), PD_PAGE_SIZE, 0);
    /* A large leaf keeps its PAT bit elsewhere (bit 12): use the 2 MiB-aligned table pool. */
    struct pd_query_result pool;
    KASSERT_EQ(t, pd_query(kernel_pd(), vaddr(KERNEL_TABLE_WINDOW), &pool), 0);
    KASSERT_EQ(t, pool.phys.value % X86_LARGE_PAGE_SIZE, 0);
    check_memory_types(t, pool.phys.value, X86_LARGE_PAGE_SIZE, X86_LEVEL_2M);
}

/*
 * Map the first GiB of physical memory with one call: a 1 GiB leaf where
 * CPUID has pdpe1gb, 2 MiB leaves where it does not. Real CPUs without
 * pdpe1gb take a 1 GiB leaf as a reserved-bit fault; QEMU 7.2's TCG walks it
 * anyway, so the leaf level is checked in the raw entry. Then read the image
 * through the alias. (`--qemu-args "-cpu max"` runs the pdpe1gb side.)
 */
KTEST(x86_64, large_leaves_follow_cpuid)
{
    bool has_1g = (x86_cpuid(X86_CPUID_EXT_FEATURES, 0).edx & X86_CPUID_EXT_EDX_PAGE_1G) != 0;
    const struct pt_format *format = arch_pt_format();
    KEXPECT_EQ(t, (format->leaf_levels >> X86_LEVEL_1G) & 1, has_1g);
    KEXPECT(t, format->leaf_levels & (1u << X86_LEVEL_2M));

    size_t tables = kernel_table_pages_used();
    KASSERT_EQ(t, pd_map(kernel_pd(), vaddr(HUGE_TEST_VA), paddr(0), X86_HUGE_PAGE_SIZE, PD_READ,
                         MEMORY_TYPE_NORMAL), 0);
    uintptr_t alias = HUGE_TEST_VA + phys_of(&rodata_word);
    struct pd_query_result q;
    KEXPECT_EQ(t, pd_query(kernel_pd(), vaddr(alias), &q), 0);
    KEXPECT_EQU(t, q.page_size, has_1g ? X86_HUGE_PAGE_SIZE : X86_LARGE_PAGE_SIZE);
    uint64_t e = 0;
    unsigned level = 0;
    KEXPECT_EQ(t, live_leaf(alias, &e, &level), 0);
    KEXPECT_EQ(t, level, has_1g ? X86_LEVEL_1G : X86_LEVEL_2M);
    uint64_t value = 0;
    KEXPECT_EQ(t, arch_probe_read(alias, &value), 0);
    KEXPECT_EQU(t, value, rodata_word);
    KEXPECT_EQ(t, pd_unmap(kernel_pd(), vaddr(HUGE_TEST_VA), X86_HUGE_PAGE_SIZE), 0);
    KEXPECT_EQ(t, arch_probe_read(alias, &value), -E_FAULT);
    KEXPECT_EQ(t, kernel_table_pages_used(), tables);
}

/*
 * An unmap longer than pd_flush_range's per-page limit takes the full flush,
 * which for the kernel directory must drop global entries too. Every page is
 * read first so the CPU holds its translation. QEMU's TCG drops global
 * entries on a CR3 load as well, so there this catches a missing full flush
 * but cannot tell the CR4.PGE flip from a CR3 reload; real hardware can.
 */
KTEST(x86_64, long_unmap_flushes_global_entries)
{
    for (size_t i = 0; i < FLUSH_TEST_PAGES; i++) {
        KASSERT_EQ(t, pd_map(kernel_pd(), vaddr(TEST_VA + i * PD_PAGE_SIZE),
                             paddr(phys_of(scratch)), PD_PAGE_SIZE, PD_READ | PD_GLOBAL,
                             MEMORY_TYPE_NORMAL), 0);
    }
    uint64_t value;
    for (size_t i = 0; i < FLUSH_TEST_PAGES; i++)
        KEXPECT_EQ(t, arch_probe_read(TEST_VA + i * PD_PAGE_SIZE, &value), 0);
    KASSERT_EQ(t, pd_unmap(kernel_pd(), vaddr(TEST_VA), FLUSH_TEST_PAGES * PD_PAGE_SIZE), 0);
    uint64_t before = fault_count();
    for (size_t i = 0; i < FLUSH_TEST_PAGES; i++)
        KEXPECT_EQ(t, arch_probe_read(TEST_VA + i * PD_PAGE_SIZE, &value), -E_FAULT);
    KEXPECT_EQ(t, fault_count(), before + FLUSH_TEST_PAGES);
}

KTEST(x86_64, boot_info_reserves_image_pool_and_finds_rsdp)
{
    const struct boot_info *bi = boot_info_current();
    KASSERT(t, bi != NULL);
    struct pd_query_result pool;
    KASSERT_EQ(t, pd_query(kernel_pd(), vaddr(KERNEL_TABLE_WINDOW), &pool), 0);
    bool image_reserved = false, pool_reserved = false;
    for (size_t i = 0; i < bi->reserved_count; i++) {
        const struct boot_range *r = &bi->reserved[i];
        image_reserved |= r->kind == BOOT_RANGE_KERNEL &&
                          r->base == (uintptr_t)__kernel_phys_start &&
                          r->base + r->size == (uintptr_t)__kernel_phys_end;
        pool_reserved |= r->kind == BOOT_RANGE_PAGE_TABLES && r->base == pool.phys.value &&
                         r->size == kernel_table_pages_total() * PD_PAGE_SIZE;
    }
    KEXPECT(t, image_reserved);
    KEXPECT(t, pool_reserved);
    KEXPECT_EQ(t, bi->console.kind, BOOT_CONSOLE_UART16550_PIO);

    /* q35 firmware always has ACPI, and GRUB passes a copy of the RSDP. */
    KASSERT_NE(t, bi->acpi_rsdp, 0);
    /* The identity map is gone: look at it through a mapping of its own. */
    uint64_t page = ALIGN_DOWN(bi->acpi_rsdp, PD_PAGE_SIZE);
    KASSERT_EQ(t, pd_map(kernel_pd(), vaddr(TEST_VA), paddr(page), PD_PAGE_SIZE, PD_READ,
                         MEMORY_TYPE_NORMAL), 0);
    KEXPECT_EQ(t, memcmp((const void *)(uintptr_t)(TEST_VA + (bi->acpi_rsdp - page)),
                         ACPI_RSDP_SIGNATURE, ACPI_RSDP_SIGNATURE_SIZE),
               0);
    KEXPECT_EQ(t, pd_unmap(kernel_pd(), vaddr(TEST_VA), PD_PAGE_SIZE), 0);
}

KTEST(x86_64, cycle_counter_advances)
{
    uint64_t a = arch_read_cycle_counter();
    uint64_t b = arch_read_cycle_counter();
    KEXPECT_LT(t, a, b);
}
