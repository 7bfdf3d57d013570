/*
 * Host stand-in for physical RAM seen through quickmap: one buffer backing
 * the physical range a host test hands to mm/phys. quickmap_map() returns a
 * pointer into it (tests/host/mm/quickmap_host.c), so code that zeroes or
 * copies pages runs unchanged on the host.
 */
#pragma once

#include "mm/phys.h"

struct host_ram {
    uint64_t base;
    uint64_t pages;
    uint8_t *bytes;
    struct phys_page *metadata;
};

/* Back [BASE, BASE + PAGES pages) and hand it to mm/phys (after phys_reset). */
void host_ram_init(struct host_ram *ram, uint64_t base, uint64_t pages);
void host_ram_fini(struct host_ram *ram);
/* The host pointer for physical address PA (abort if outside every host_ram). */
void *host_ram_ptr(uint64_t pa);
/* How many quickmap slots are in use (0 between operations). */
int host_quickmap_depth(void);
