/* Host RAM for mm tests, and quickmap over it (see host_ram.h). */
#include "tests/host/mm/host_ram.h"
#include "mm/quickmap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST_RAM_MAX 4

static struct host_ram *rams[HOST_RAM_MAX];
static int depth;

void host_ram_init(struct host_ram *ram, uint64_t base, uint64_t pages)
{
    ram->base = base;
    ram->pages = pages;
    ram->bytes = malloc(pages * PHYS_PAGE_SIZE);
    ram->metadata = malloc(pages * sizeof(struct phys_page));
    if (!ram->bytes || !ram->metadata)
        abort();
    memset(ram->bytes, 0x5a, pages * PHYS_PAGE_SIZE); /* RAM is not born zeroed */
    /* A test that stopped early never called host_ram_fini: forget its RAM at this base. */
    for (int i = 0; i < HOST_RAM_MAX; i++) {
        if (rams[i] && rams[i]->base == base)
            rams[i] = NULL;
    }
    for (int i = 0; i < HOST_RAM_MAX; i++) {
        if (!rams[i]) {
            rams[i] = ram;
            break;
        }
    }
    if (phys_add_range(paddr(base), pages, ram->metadata) != 0)
        abort();
}

void host_ram_fini(struct host_ram *ram)
{
    for (int i = 0; i < HOST_RAM_MAX; i++) {
        if (rams[i] == ram)
            rams[i] = NULL;
    }
    free(ram->bytes);
    free(ram->metadata);
}

void *host_ram_ptr(uint64_t pa)
{
    for (int i = 0; i < HOST_RAM_MAX; i++) {
        struct host_ram *r = rams[i];
        if (r && pa >= r->base && pa < r->base + r->pages * PHYS_PAGE_SIZE)
            return r->bytes + (pa - r->base);
    }
    fprintf(stderr, "host_ram_ptr: %#llx is not host RAM\n", (unsigned long long)pa);
    abort();
}

int host_quickmap_depth(void)
{
    return depth;
}

int quickmap_init(void)
{
    return 0;
}

void *quickmap_map(paddr_t page)
{
    if (depth == QUICKMAP_SLOTS_PER_CPU) {
        fprintf(stderr, "quickmap_map: out of slots\n");
        abort();
    }
    depth++;
    return host_ram_ptr(page.value);
}

void quickmap_unmap(void *address)
{
    (void)address;
    if (depth == 0) {
        fprintf(stderr, "quickmap_unmap: nothing mapped\n");
        abort();
    }
    depth--;
}
