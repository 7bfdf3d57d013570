/*
 * The kernel heap: small objects in size classes carved from pages, large
 * ones as runs of whole pages, all mapped in KERNEL_HEAP_WINDOW (the kernel
 * has no direct map of RAM). On the host the same calls go to the C library
 * (tests/host/mm/kmalloc_host.c), so code using them is host-testable.
 */
#pragma once

#include <pagoda/types.h>

/* SIZE bytes aligned to 16; NULL if out of memory. */
void *kmalloc(size_t size);
/* The same, zeroed. */
void *kzalloc(size_t size);
/* Free what kmalloc returned (NULL is ignored). A pointer it did not return panics. */
void kfree(void *p);

struct kmalloc_stats {
    uint64_t bytes_in_use;      /* bytes allocated (small objects count their size class) */
    uint64_t allocations;       /* live allocations */
    uint64_t pages;             /* physical pages the heap holds */
};
void kmalloc_get_stats(struct kmalloc_stats *stats);
