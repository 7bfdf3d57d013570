/*
 * The little of the x86_64 4-level paging format that assembly and the trap
 * code need (Intel SDM vol. 3, 4.5): the entry bits boot.S's early tables
 * use, page sizes and the level split, and the page-fault error code. The
 * kernel page directory's entries are described in full, once, by pte.h
 * and encoded only by pt_format.c.
 */
#pragma once

#include <x86_64/regs.h>

/* Entry bits (the same in every level unless noted). */
#define X86_PTE_PRESENT X86_BIT(0)
#define X86_PTE_WRITABLE X86_BIT(1)
#define X86_PTE_USER X86_BIT(2)
#define X86_PTE_ACCESSED X86_BIT(5)
#define X86_PTE_DIRTY X86_BIT(6)
#define X86_PTE_LARGE X86_BIT(7) /* PS: a leaf in a PDPT (1 GiB) or PD (2 MiB) */
#define X86_PTE_NO_EXECUTE X86_BIT(63)

#define X86_PAGE_SHIFT 12
#define X86_PAGE_SIZE (1 << X86_PAGE_SHIFT)
#define X86_LARGE_PAGE_SIZE 0x200000 /* 2 MiB, a PD leaf */
#define X86_HUGE_PAGE_SIZE 0x40000000 /* 1 GiB, a PDPT leaf */
#define X86_PT_ENTRIES 512
#define X86_PT_INDEX_BITS 9
#define X86_PT_LEVELS 4 /* level 3 = PML4, 2 = PDPT, 1 = PD, 0 = PT */
#define X86_VIRT_ADDR_BITS 48 /* canonical: bits 63-47 all equal */

/* The error code of a page fault (#PF), SDM vol. 3, 4.7. */
#define X86_PF_PROTECTION X86_BIT(0) /* 0: the page was not present */
#define X86_PF_WRITE X86_BIT(1)
#define X86_PF_USER X86_BIT(2)
#define X86_PF_RESERVED X86_BIT(3) /* a reserved bit was set in an entry */
#define X86_PF_FETCH X86_BIT(4)    /* instruction fetch (with NX or SMEP) */

#ifndef __ASSEMBLER__
#include <pagoda/types.h>

_Static_assert(X86_PAGE_SHIFT + X86_PT_LEVELS * X86_PT_INDEX_BITS == X86_VIRT_ADDR_BITS,
               "4-level tables translate 48-bit virtual addresses");
_Static_assert(X86_LARGE_PAGE_SIZE == (1 << (X86_PAGE_SHIFT + X86_PT_INDEX_BITS)),
               "a PD leaf covers 512 pages");
_Static_assert(X86_HUGE_PAGE_SIZE == (1 << (X86_PAGE_SHIFT + 2 * X86_PT_INDEX_BITS)),
               "a PDPT leaf covers 512 PD leaves");

/* Whether VA is canonical: its top bits copy bit 47 (anything else is a #GP, not a #PF). */
static inline bool x86_is_canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << (64 - X86_VIRT_ADDR_BITS)) >> (64 - X86_VIRT_ADDR_BITS)) ==
           va;
}

/* The index of VA in the table at LEVEL. */
static inline unsigned x86_pt_index(uintptr_t va, unsigned level)
{
    return (unsigned)(va >> (X86_PAGE_SHIFT + level * X86_PT_INDEX_BITS)) &
           (X86_PT_ENTRIES - 1);
}
#endif
