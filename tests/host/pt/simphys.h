/*
 * Simulated physical memory for host tests of page tables: a host buffer
 * standing in for RAM at physical address 0, a page allocator over it that
 * a page directory uses as its page_provider (with a valid-entry count
 * beside each page), and accounting that catches leaks, double frees and
 * foreign pages. It can be told to fail the Nth allocation, to test what an
 * out-of-memory error leaves behind.
 */
#pragma once

#include <arch/page_directory.h>
#include "tests/host/swmmu.h"

struct simphys {
    struct swmmu_memory memory;
    uint8_t *allocated;      /* one byte per page: 1 while allocated */
    pd_valid_count_t *valid; /* one per page: the page directory's count of valid entries */
    uint64_t *free_pages;    /* a stack of free page addresses */
    size_t free_count;
    size_t in_use;
    long fail_countdown;     /* <0: never fail; else fail when it reaches 0 */
    struct page_provider provider;
};

/* Set up SIZE bytes (a multiple of 4 KiB). Page 0 is never handed out. */
void simphys_init(struct simphys *s, uint64_t size);
void simphys_fini(struct simphys *s);
/* Make the allocation after the next N succeed-or-not calls fail (N=0: the next one). */
void simphys_fail_after(struct simphys *s, long n);
