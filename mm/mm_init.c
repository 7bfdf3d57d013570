/*
 * mm_init(): from the boot memory map to a working physical allocator.
 * The metadata array (8 bytes per page) is cut from usable RAM, reserved in
 * the boot map, and mapped at KERNEL_PAGE_METADATA_WINDOW; then each usable
 * range, now without it, becomes one or more zones.
 */
#include "mm/mm_init.h"
#include "mm/phys.h"
#include "mm/quickmap.h"
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/format.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>

struct usable_pages {
    uint64_t pages;       /* whole pages in usable ranges */
    uint64_t need;        /* bytes of metadata wanted (search) */
    uint64_t found;       /* physical base of the metadata (search) */
    uint64_t meta_index;  /* next metadata entry to hand out (adding) */
    int error;
};

static void page_bounds(uint64_t base, uint64_t size, uint64_t *first, uint64_t *end)
{
    *first = ALIGN_UP(base, PHYS_PAGE_SIZE);
    *end = ALIGN_DOWN(base + size, PHYS_PAGE_SIZE);
}

static void count_pages(uint64_t base, uint64_t size, void *ctx)
{
    struct usable_pages *u = ctx;
    uint64_t first, end;
    page_bounds(base, size, &first, &end);
    if (end > first)
        u->pages += (end - first) / PHYS_PAGE_SIZE;
}

static void find_metadata_space(uint64_t base, uint64_t size, void *ctx)
{
    struct usable_pages *u = ctx;
    uint64_t first, end;
    page_bounds(base, size, &first, &end);
    if (!u->found && end > first && end - first >= u->need)
        u->found = first;
}

static void add_zone_range(uint64_t base, uint64_t size, void *ctx)
{
    struct usable_pages *u = ctx;
    uint64_t first, end;
    page_bounds(base, size, &first, &end);
    if (end <= first || u->error)
        return;
    uint64_t pages = (end - first) / PHYS_PAGE_SIZE;
    struct phys_page *meta = (struct phys_page *)KERNEL_PAGE_METADATA_WINDOW + u->meta_index;
    u->error = phys_add_range(paddr(first), pages, meta);
    u->meta_index += pages;
}

void mm_init(struct boot_info *bi)
{
    struct usable_pages u = { 0 };
    boot_info_for_each_usable(bi, count_pages, &u);
    u.need = ALIGN_UP(u.pages * sizeof(struct phys_page), PHYS_PAGE_SIZE);
    if (u.need > KERNEL_PAGE_METADATA_MAX)
        panic("mm_init: %llu pages need %llu MiB of metadata, more than the window holds",
              (unsigned long long)u.pages, (unsigned long long)(u.need / MiB));
    boot_info_for_each_usable(bi, find_metadata_space, &u);
    if (!u.found)
        panic("mm_init: no usable range holds the %llu KiB page metadata",
              (unsigned long long)(u.need / KiB));
    int err = boot_info_add_reserved(bi, u.found, u.need, BOOT_RANGE_PAGE_METADATA);
    if (!err)
        err = pd_map(kernel_pd(), vaddr(KERNEL_PAGE_METADATA_WINDOW), paddr(u.found), u.need,
                     PD_READ | PD_WRITE | PD_GLOBAL, MEMORY_TYPE_NORMAL);
    if (err)
        panic("mm_init: cannot place the page metadata: %s", error_name(err));

    phys_reset();
    boot_info_for_each_usable(bi, add_zone_range, &u);
    if (u.error)
        panic("mm_init: cannot add a RAM range: %s", error_name(u.error));
    err = quickmap_init();
    if (!err)
        err = phys_init_zero_page();
    if (err)
        panic("mm_init: %s", error_name(err));

    char size[32];
    format_size(size, sizeof(size), u.need);
    struct phys_stats s;
    phys_get_stats(&s);
    kprintf("physical memory: %zu bytes of metadata per 4 KiB page (%s in all), %zu zones\n",
            sizeof(struct phys_page), size, s.zone_count);
}
