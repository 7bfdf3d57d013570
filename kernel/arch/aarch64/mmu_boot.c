/*
 * The boot page tables after boot.S: the identity map of RAM that the
 * kernel page directory is built through. boot.S's TTBR0 tables only cover
 * the devicetree, the image's own 2 MiB block and a UART; once the
 * devicetree has said where RAM and the console are, this file builds a
 * new identity map (4 KiB granule, 48-bit, in the static pool boot_tables)
 * and moves TTBR0 to it. One walker (boot_walk) finds or creates the slot
 * for an address at a level; one mapper (boot_map) covers a range with the
 * largest blocks its alignment allows. The kernel image itself is reached
 * through TTBR1 at its link address, as boot.S mapped it.
 */
#include "kernel/arch/aarch64/mmu_boot.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include <aarch64/layout.h>
#include <aarch64/pte.h>
#include <aarch64/sysreg.h>
#include <pagoda/errors.h>

/*
 * The pool every boot table comes from. boot.S takes the first pages (by
 * these names, with the MMU off) and leaves the count in boot_tables_used.
 */
uint64_t boot_tables[BOOT_TABLE_COUNT][PT_ENTRIES] __attribute__((aligned(PT_PAGE_SIZE)));
size_t boot_tables_used;
static bool boot_tables_retired;

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

/* Boot tables live in the image, so their physical address is their link address - the offset. */
static uint64_t table_phys(const uint64_t *table)
{
    return (uintptr_t)table - KERNEL_VIRT_OFFSET;
}

static uint64_t *table_virt(uint64_t phys)
{
    return (uint64_t *)(uintptr_t)(phys + KERNEL_VIRT_OFFSET);
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
            *entry = table_phys(next) | PTE_TABLE | PTE_VALID;
        } else if (!(*entry & PTE_TABLE)) {
            return -E_EXIST;
        }
        table = table_virt(*entry & PTE_ADDR_MASK);
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
        return 0; /* nothing left of it after alignment */
    int err = -E_RANGE;
    if (m->end <= pa_limit && m->end <= (UINT64_C(1) << PT_VA_BITS))
        err = boot_map(root, m->base, m->end - m->base, m->attrs);
    if (err)
        kprintf("aarch64: cannot map %s %#llx-%#llx: %s\n", m->what,
                (unsigned long long)m->base, (unsigned long long)m->end, error_name(err));
    return err;
}

static int boot_map_all(uint64_t *root, const struct boot_info *bi, uint64_t console_base,
                        uint64_t pa_limit)
{
    for (size_t i = 0; i < bi->ram_count; i++) {
        const struct boot_range *r = &bi->ram[i];
        struct boot_mapping ram = { "RAM", ALIGN_UP(r->base, PT_PAGE_SIZE),
                                    ALIGN_DOWN(r->base + r->size, PT_PAGE_SIZE), PTE_BOOT_DATA };
        int err = boot_map_checked(root, &ram, pa_limit);
        if (err)
            return err;
    }
    uint64_t console = ALIGN_DOWN(console_base, PT_PAGE_SIZE);
    struct boot_mapping page = { "console", console, console + PT_PAGE_SIZE, PTE_BOOT_DEVICE };
    return boot_map_checked(root, &page, pa_limit);
}

/*
 * TTBR0 to the new root. boot.S's entries are global, so they are dropped
 * from the TLB; we run from TTBR1, which does not change.
 */
static void boot_ttbr0_switch(uint64_t *root)
{
    dsb(ishst); /* the new tables are visible to the walker */
    sysreg_write(ttbr0_el1, table_phys(root));
    isb();
    __asm__ volatile("tlbi vmalle1" ::: "memory");
    dsb(nsh);
    isb();
}

int mmu_boot_map_ram(const struct boot_info *bi, uint64_t console_base)
{
    ASSERT(!boot_tables_retired);
    uint64_t parange = sysreg_read(id_aa64mmfr0_el1) & ID_AA64MMFR0_PARANGE_MASK;
    if (parange >= ARRAY_SIZE(boot_pa_bits))
        parange = ARRAY_SIZE(boot_pa_bits) - 1; /* a newer encoding: at least 52 bits */
    uint64_t pa_limit = UINT64_C(1) << boot_pa_bits[parange];

    size_t early = boot_tables_used;
    uint64_t *root = boot_table_alloc();
    if (!root)
        return -E_NOMEM;
    int err = boot_map_all(root, bi, console_base, pa_limit);
    if (err)
        return err;
    boot_ttbr0_switch(root);
    kprintf("aarch64: MMU on; boot tables: %zu pages from boot.S, %zu for the RAM identity map"
            " (%d in the pool)\n", early, boot_tables_used - early, BOOT_TABLE_COUNT);
    return 0;
}

void mmu_boot_forget(void)
{
    uint64_t pool = table_phys(boot_tables[0]);
    uint64_t pool_end = pool + sizeof(boot_tables);
    uint64_t ttbr0 = sysreg_read(ttbr0_el1) & TTBR_BADDR_MASK;
    uint64_t ttbr1 = sysreg_read(ttbr1_el1) & TTBR_BADDR_MASK;
    if ((ttbr0 >= pool && ttbr0 < pool_end) || (ttbr1 >= pool && ttbr1 < pool_end))
        panic("aarch64: the boot tables are still in use (TTBR0 %#llx, TTBR1 %#llx)",
              (unsigned long long)ttbr0, (unsigned long long)ttbr1);
    boot_tables_retired = true;
}
