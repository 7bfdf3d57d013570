/*
 * Bringing up the kernel page directory (see kernel_vm.h), then the
 * memory manager on top of it (mm_init). The table pool
 * is a physically contiguous run of pages cut from usable RAM; before the
 * switch its pages are reached through the boot tables, after it through
 * KERNEL_TABLE_WINDOW, which the new directory maps. Beside each pool page
 * the pool keeps the valid-entry count the page directories store for it
 * (struct page_provider's valid_count), indexed like its in-use flags.
 */
#include "kernel/kernel_vm.h"
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include "mm/mm_init.h"
#include <pagoda/errors.h>

#define POOL_BYTES (KERNEL_TABLE_POOL_PAGES * PD_PAGE_SIZE)
#define POOL_ALIGN (2 * MiB) /* so the window can be one large leaf */

struct table_pool {
    uint64_t base;          /* physical */
    uintptr_t offset;       /* pointer = physical + offset */
    uint8_t used[KERNEL_TABLE_POOL_PAGES];
    pd_valid_count_t valid[KERNEL_TABLE_POOL_PAGES];
    size_t in_use;
    size_t first_free_hint; /* no page below this index is free */
};

static struct table_pool pool;
static struct page_directory the_kernel_pd;

static int pool_alloc(void *ctx, paddr_t *page)
{
    struct table_pool *p = ctx;
    for (size_t i = p->first_free_hint; i < KERNEL_TABLE_POOL_PAGES; i++) {
        if (!p->used[i]) {
            p->used[i] = 1;
            p->in_use++;
            p->first_free_hint = i + 1;
            *page = paddr(p->base + i * PD_PAGE_SIZE);
            return 0;
        }
    }
    return -E_NOMEM;
}

static void pool_free(void *ctx, paddr_t page)
{
    struct table_pool *p = ctx;
    uint64_t index = (page.value - p->base) / PD_PAGE_SIZE;
    if (page.value < p->base || index >= KERNEL_TABLE_POOL_PAGES || !p->used[index])
        panic("pool_free: %#llx is not an allocated table page", (unsigned long long)page.value);
    p->used[index] = 0;
    p->in_use--;
    p->first_free_hint = MIN(p->first_free_hint, index);
}

static void *pool_table(void *ctx, paddr_t page)
{
    struct table_pool *p = ctx;
    return (void *)(uintptr_t)(page.value + p->offset);
}

static pd_valid_count_t *pool_valid_count(void *ctx, paddr_t page)
{
    struct table_pool *p = ctx;
    return &p->valid[(page.value - p->base) / PD_PAGE_SIZE];
}

static const struct page_provider pool_provider = {
    pool_alloc, pool_free, pool_table, pool_valid_count, &pool,
};

struct pool_search {
    uint64_t found;
};

static void find_pool_space(uint64_t base, uint64_t size, void *ctx)
{
    struct pool_search *s = ctx;
    uint64_t start = ALIGN_UP(base, POOL_ALIGN);
    if (s->found == 0 && start >= base && start + POOL_BYTES <= base + size)
        s->found = start;
}

static void pool_init(struct boot_info *bi)
{
    struct pool_search search = { 0 };
    boot_info_for_each_usable(bi, find_pool_space, &search);
    if (search.found == 0)
        panic("kernel_vm_init: no %llu KiB of aligned RAM for page tables",
              (unsigned long long)(POOL_BYTES / KiB));
    int err = boot_info_add_reserved(bi, search.found, POOL_BYTES, BOOT_RANGE_PAGE_TABLES);
    if (err)
        panic("kernel_vm_init: cannot reserve the table pool: %s", error_name(err));
    pool.base = search.found;
    pool.offset = arch_boot_phys_offset();
}

static void map_or_panic(const char *what, uintptr_t va, uint64_t pa, uint64_t size,
                         uint32_t prot, enum memory_type type)
{
    int err = pd_map(&the_kernel_pd, vaddr(va), paddr(pa), size, prot | PD_GLOBAL, type);
    if (err)
        panic("kernel_vm_init: cannot map %s (%#lx -> %#llx, %llu bytes): %s", what,
              (unsigned long)va, (unsigned long long)pa, (unsigned long long)size,
              error_name(err));
}

void kernel_vm_init(struct boot_info *bi)
{
    pool_init(bi);
    int err = pd_create_kernel(&the_kernel_pd, arch_pt_format(), &pool_provider);
    if (err)
        panic("kernel_vm_init: cannot create the kernel page directory: %s", error_name(err));

    struct kernel_mapping maps[KERNEL_MAPPINGS_MAX];
    size_t n = arch_kernel_mappings(bi, maps, ARRAY_SIZE(maps));
    for (size_t i = 0; i < n; i++)
        map_or_panic(maps[i].name, maps[i].va, maps[i].pa, maps[i].size, maps[i].prot,
                     maps[i].type);
    map_or_panic("page-table window", KERNEL_TABLE_WINDOW, pool.base, POOL_BYTES,
                 PD_READ | PD_WRITE, MEMORY_TYPE_NORMAL);

    /* From here on the boot tables are gone: reach the pool through its window. */
    pd_activate(&the_kernel_pd);
    pool.offset = (uintptr_t)(KERNEL_TABLE_WINDOW - pool.base);
    arch_kernel_vm_switched();
    kprintf("kernel page directory: %s, %zu mappings, %zu of %u table pages\n",
            pd_format_name(&the_kernel_pd),
            n + 1, pool.in_use, KERNEL_TABLE_POOL_PAGES);
    mm_init(bi);
}

struct page_directory *kernel_pd(void)
{
    return &the_kernel_pd;
}

size_t kernel_table_pages_used(void)
{
    return pool.in_use;
}

size_t kernel_table_pages_total(void)
{
    return KERNEL_TABLE_POOL_PAGES;
}

extern char __ro_after_init_start[], __ro_after_init_end[];

void kernel_vm_protect_ro_after_init(void)
{
    uint64_t start = (uintptr_t)__ro_after_init_start, end = (uintptr_t)__ro_after_init_end;
    if (end == start)
        return; /* nothing was marked */
    int err = pd_protect(&the_kernel_pd, vaddr(start), end - start, PD_READ | PD_GLOBAL);
    if (err)
        panic("kernel_vm_protect_ro_after_init: %s", error_name(err));
    kprintf("kernel: %llu KiB of boot-time data made read-only\n",
            (unsigned long long)((end - start) / KiB));
}
