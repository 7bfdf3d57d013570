/*
 * The boot page tables (4 KiB granule, 48-bit virtual addresses through
 * TTBR0_EL1, identity mapped): built in C once, with the MMU still off,
 * from a small static pool of tables, then switched on. One walker
 * (boot_walk) finds or creates the slot for an address at a level; one
 * mapper (boot_map) covers a range with the largest blocks its alignment
 * allows. Holes, on purpose: the first 2 MiB, the boot stack's guard page,
 * and everything that is neither RAM, the kernel nor a device.
 */
#include "kernel/arch/aarch64/mmu_boot.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include <aarch64/layout.h>
#include <aarch64/pte.h>
#include <aarch64/sysreg.h>
#include <pagoda/errors.h>

/*
 * Enough for the worst case we boot with: the root, one level-1 table, a
 * level-2 table for the device GiB, for the kernel's GiB and for a partial
 * last GiB of RAM, and level-3 tables for the kernel image's ends.
 */
#define BOOT_TABLE_COUNT 16

static uint64_t boot_tables[BOOT_TABLE_COUNT][PT_ENTRIES] __attribute__((aligned(PT_PAGE_SIZE)));
static size_t boot_tables_used;

/* ID_AA64MMFR0_EL1.PARange encodings 0..6, in bits. */
static const unsigned boot_pa_bits[] = { 32, 36, 40, 42, 44, 48, 52 };

static uint64_t level_size(int level)
{
    return UINT64_C(1) << PT_LEVEL_SHIFT(level);
}

static size_t level_index(uint64_t va, int level)
{
    return (va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
}

/* A zeroed table from the pool (the pool is in .bss), or NULL when it is used up. */
static uint64_t *boot_table_alloc(void)
{
    if (boot_tables_used == BOOT_TABLE_COUNT)
        return NULL;
    return boot_tables[boot_tables_used++];
}

/*
 * Find the entry for VA in the table at LEVEL, creating the tables above it
 * as needed. -E_EXIST if a block at a higher level already maps VA.
 */
static int boot_walk(uint64_t *root, uint64_t va, int level, uint64_t **slot)
{
    uint64_t *table = root;
    for (int l = 0; l < level; l++) {
        uint64_t *entry = &table[level_index(va, l)];
        if (!(*entry & PTE_VALID)) {
            uint64_t *next = boot_table_alloc();
            if (!next)
                return -E_NOMEM;
            *entry = (uintptr_t)next | PTE_TABLE | PTE_VALID;
        } else if (!(*entry & PTE_TABLE)) {
            return -E_EXIST;
        }
        table = (uint64_t *)(uintptr_t)(*entry & PTE_ADDR_MASK);
    }
    *slot = &table[level_index(va, level)];
    return 0;
}

/* Map [BASE, BASE + SIZE) to itself with ATTRS, in the largest blocks alignment allows. */
static int boot_map(uint64_t *root, uint64_t base, uint64_t size, uint64_t attrs)
{
    if (!IS_ALIGNED(base, PT_PAGE_SIZE) || !IS_ALIGNED(size, PT_PAGE_SIZE))
        return -E_ALIGN;
    while (size > 0) {
        int level = PT_FIRST_BLOCK_LEVEL;
        while (level < PT_LAST_LEVEL &&
               (!IS_ALIGNED(base, level_size(level)) || size < level_size(level)))
            level++;
        uint64_t *slot;
        int err = boot_walk(root, base, level, &slot);
        if (err)
            return err;
        if (*slot & PTE_VALID)
            return -E_EXIST;
        *slot = base | attrs | PTE_VALID | (level == PT_LAST_LEVEL ? PTE_PAGE : 0);
        base += level_size(level);
        size -= level_size(level);
    }
    return 0;
}

struct boot_mapping {
    const char *what;
    uint64_t base, end;
    uint64_t attrs;
};

/* Map one range after checking it fits the address sizes; says what failed. */
static int boot_map_checked(uint64_t *root, const struct boot_mapping *m, uint64_t pa_limit)
{
    if (m->end <= m->base)
        return 0; /* nothing left of it after alignment or cutting out the kernel */
    int err = -E_RANGE;
    if (m->end <= pa_limit && m->end <= (UINT64_C(1) << PT_VA_BITS))
        err = boot_map(root, m->base, m->end - m->base, m->attrs);
    if (err)
        kprintf("aarch64: cannot map %s %#llx-%#llx: %s\n", m->what,
                (unsigned long long)m->base, (unsigned long long)m->end, error_name(err));
    return err;
}

/* RAM range R, shrunk to whole pages, minus the kernel image (mapped with its own permissions). */
static int boot_map_ram(uint64_t *root, const struct boot_range *r, uint64_t pa_limit)
{
    uint64_t base = ALIGN_UP(r->base, PT_PAGE_SIZE);
    uint64_t end = ALIGN_DOWN(r->base + r->size, PT_PAGE_SIZE);
    uint64_t kernel_start = (uintptr_t)__kernel_start, kernel_end = (uintptr_t)__kernel_end;
    struct boot_mapping pieces[2] = {
        { "RAM", base, end, PTE_BOOT_DATA },
        { "RAM", 0, 0, PTE_BOOT_DATA }, /* empty unless the kernel splits the range */
    };
    if (base < kernel_end && kernel_start < end) {
        pieces[0].end = MAX(base, kernel_start);
        pieces[1].base = kernel_end;
        pieces[1].end = end;
    }
    for (size_t i = 0; i < ARRAY_SIZE(pieces); i++) {
        int err = boot_map_checked(root, &pieces[i], pa_limit);
        if (err)
            return err;
    }
    return 0;
}

static int boot_map_all(uint64_t *root, const struct boot_info *bi, uint64_t pa_limit)
{
    const struct boot_mapping kernel[] = {
        { "kernel code", (uintptr_t)__kernel_start, (uintptr_t)__text_end, PTE_BOOT_TEXT },
        { "kernel read-only data", (uintptr_t)__text_end, (uintptr_t)__rodata_end,
          PTE_BOOT_RODATA },
        { "kernel data", (uintptr_t)__rodata_end, (uintptr_t)__boot_stack_guard, PTE_BOOT_DATA },
        /* the guard page: never mapped, so an overflowing stack faults */
        { "kernel boot stack", (uintptr_t)__boot_stack_bottom, (uintptr_t)__kernel_end,
          PTE_BOOT_DATA },
    };
    for (size_t i = 0; i < ARRAY_SIZE(kernel); i++) {
        int err = boot_map_checked(root, &kernel[i], pa_limit);
        if (err)
            return err;
    }
    for (size_t i = 0; i < bi->ram_count; i++) {
        int err = boot_map_ram(root, &bi->ram[i], pa_limit);
        if (err)
            return err;
    }

    /* Devices: on virt (and most Arm boards) everything below RAM is MMIO. */
    uint64_t ram_base = bi->ram_count ? bi->ram[0].base : 0;
    struct boot_mapping devices = { "devices", MMU_BOOT_NULL_GUARD_SIZE,
                                    ALIGN_DOWN(ram_base, PT_PAGE_SIZE), PTE_BOOT_DEVICE };
    int err = boot_map_checked(root, &devices, pa_limit);
    if (err)
        return err;
    uint64_t console = ALIGN_DOWN(bi->console.base, PT_PAGE_SIZE);
    bool console_mapped = console >= devices.base && console < devices.end;
    if (bi->console.kind != BOOT_CONSOLE_NONE && !console_mapped) {
        struct boot_mapping page = { "console", console, console + PT_PAGE_SIZE, PTE_BOOT_DEVICE };
        return boot_map_checked(root, &page, pa_limit);
    }
    return 0;
}

/*
 * The hardware half: memory attributes, translation control, the root, and
 * SCTLR_EL1. The tables were written with the data cache off, so they are
 * already in memory where the table walker looks.
 */
static void boot_mmu_switch_on(uint64_t *root, uint64_t parange)
{
    sysreg_write(mair_el1, MAIR_EL1_BOOT);
    sysreg_write(tcr_el1, TCR_T0SZ(PT_VA_BITS) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA |
                              TCR_SH0_INNER | TCR_TG0_4K | TCR_EPD1 | TCR_TG1_4K |
                              AARCH64_FIELD(parange, TCR_IPS_SHIFT));
    sysreg_write(ttbr0_el1, (uintptr_t)root);
    dsb(sy);
    isb();
    __asm__ volatile("tlbi vmalle1" ::: "memory");
    __asm__ volatile("ic iallu" ::: "memory"); /* no stale lines when the I-cache turns on */
    dsb(nsh);
    isb();
    sysreg_write(sctlr_el1, sysreg_read(sctlr_el1) | SCTLR_EL1_MMU_ON);
    isb();
}

int mmu_boot_enable(const struct boot_info *bi)
{
    ASSERT(boot_tables_used == 0);
    uint64_t parange = sysreg_read(id_aa64mmfr0_el1) & ID_AA64MMFR0_PARANGE_MASK;
    if (parange >= ARRAY_SIZE(boot_pa_bits))
        parange = ARRAY_SIZE(boot_pa_bits) - 1; /* a newer encoding: at least 52 bits */
    uint64_t pa_limit = UINT64_C(1) << boot_pa_bits[parange];

    uint64_t *root = boot_table_alloc();
    int err = boot_map_all(root, bi, pa_limit);
    if (err)
        return err;
    boot_mmu_switch_on(root, parange);
    kprintf("aarch64: MMU and caches on, boot tables use %zu of %d pages\n", boot_tables_used,
            BOOT_TABLE_COUNT);
    kprintf("aarch64: unmapped on purpose: below %#llx (null pointers), %#lx (stack guard)\n",
            (unsigned long long)MMU_BOOT_NULL_GUARD_SIZE,
            (unsigned long)(uintptr_t)__boot_stack_guard);
    return 0;
}
