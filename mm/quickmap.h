/*
 * Quickmap: the only way the kernel reaches the contents of a physical page
 * (there is no direct map of RAM). Each CPU has a few slots, fixed kernel
 * virtual pages; quickmap_map() maps a page into the next free slot of this
 * CPU and returns its address, quickmap_unmap() releases the most recent one.
 * Contract, as FreeBSD's pmap_quick_enter_page(9): per CPU, strictly nested
 * (last mapped, first unmapped), never held across a sleep or a switch.
 */
#pragma once

#include <pagoda/types.h>

#define QUICKMAP_SLOTS_PER_CPU 4

/* Prepare the slots (kernel: after the kernel page directory is active). */
int quickmap_init(void) MUST_CHECK;
void *quickmap_map(paddr_t page);
void quickmap_unmap(void *address);

/* Conveniences built on the two above. */
void quickmap_zero_page(paddr_t page);
void quickmap_copy_page(paddr_t to, paddr_t from);
