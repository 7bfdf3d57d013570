/*
 * The x86_64 software MMU for the host tests: a reference walk of 4-level
 * paging written from the Intel SDM vol. 3A, chapter 4 (4.5 "4-level
 * paging", 4.6 "access rights", 4.8 "accessed and dirty flags") and
 * 11.12 (PAT). It shares nothing with kernel/arch/x86_64/pt_format.c or
 * <x86_64/pte.h> on purpose: every bit position below is restated from the
 * manual, so an encoding mistake there shows up here as a disagreement.
 *
 * The configuration modelled is the one the Pagoda kernel runs with:
 *   - IA-32e paging with 4 levels: CR0.PG, CR4.PAE, EFER.LME; CR4.LA57 = 0,
 *     so linear addresses are 48 bits and must be canonical (bits 63:47
 *     equal; the CPU raises #GP otherwise, reported here as not present).
 *   - One root, CR3: the request's user_root. kernel_root must equal it.
 *   - CR0.WP = 1: supervisor writes obey R/W like user writes.
 *   - EFER.NXE = 1: bit 63 is XD (execute-disable), not reserved.
 *   - CR4.SMEP = 0 and CR4.SMAP = 0: the kernel may read, write (when
 *     writable) and execute user pages. mm/ relies on neither yet.
 *   - CR4.PKE = 0: bits 62:59 are ignored. CR4.PGE only affects the TLB.
 *   - MAXPHYADDR = 52, so no address bit is reserved; 1 GiB pages exist
 *     (CPUID pdpe1gb).
 *   - Reserved bits checked: PS in a PML4 entry, bits 20:13 of a 2 MiB and
 *     bits 29:13 of a 1 GiB leaf. The CPU reports them as a #PF with P=1
 *     and RSVD=1, which the trap code classifies as a protection fault.
 *   - IA32_PAT = 0x0007010600070106 (WB, WC, UC-, UC, WB, WC, UC-, UC) and
 *     MTRRs of WB everywhere, so the leaf's PAT entry is the memory type:
 *     WB is NORMAL, WC is NONCACHEABLE, UC and UC- are IO.
 *   - Accessed/dirty (4.8): on a translation that succeeds, A is set in
 *     every entry used, from the PML4 entry to the leaf, and D in the leaf
 *     on a write. x86 has no mode that faults instead, so SWMMU_AD_FAULT
 *     behaves the same. On a faulting access nothing is written (the SDM
 *     makes no promise about A there; tests must not depend on it).
 */
#include "tests/host/swmmu.h"
#include <stdio.h>
#include <stdlib.h>

/* The translation geometry (SDM 4.5): 4 levels of 512 eight-byte entries, 4 KiB pages. */
#define SW_LEVELS 4
#define SW_PAGE_SHIFT 12
#define SW_INDEX_BITS 9
#define SW_ENTRY_BYTES 8
#define SW_BYTE_BITS 8
#define SW_TABLE_BYTES (UINT64_C(1) << SW_PAGE_SHIFT)
#define SW_LINEAR_BITS 48
#define SW_MAXPHYADDR 52
#define SW_LEVEL_PT 0
#define SW_LEVEL_PD 1
#define SW_LEVEL_PDPT 2
#define SW_LEVEL_PML4 3

#define SW_BIT(n) (UINT64_C(1) << (n))
#define SW_BITS(hi, lo) ((SW_BIT((hi) - (lo) + 1) - 1) << (lo)) /* bits hi:lo */

/* Entry bits (SDM tables 4-15 to 4-20). */
#define SW_P SW_BIT(0)
#define SW_RW SW_BIT(1)
#define SW_US SW_BIT(2)
#define SW_PWT SW_BIT(3)
#define SW_PCD SW_BIT(4)
#define SW_A SW_BIT(5)
#define SW_D SW_BIT(6)
#define SW_PS SW_BIT(7)         /* PDPTE, PDE: maps a page; PML4E: reserved */
#define SW_PAT_PTE SW_BIT(7)    /* PTE: PAT index bit 2 */
#define SW_PAT_LARGE SW_BIT(12) /* 2 MiB and 1 GiB leaves: PAT index bit 2 */
#define SW_XD SW_BIT(63)
#define SW_RSVD_2M SW_BITS(20, 13)
#define SW_RSVD_1G SW_BITS(29, 13)

/* IA32_PAT as the kernel programs it, and the PAT memory-type encodings (SDM table 11-10). */
#define SW_PAT_MSR UINT64_C(0x0007010600070106)
#define SW_PAT_UC 0x00
#define SW_PAT_WC 0x01
#define SW_PAT_WB 0x06
#define SW_PAT_UC_MINUS 0x07
#define SW_PAT_ENTRY_BITS 8
/* A leaf's PAT index is PAT:PCD:PWT (SDM table 11-11). */
#define SW_PAT_INDEX_PWT 1u
#define SW_PAT_INDEX_PCD 2u
#define SW_PAT_INDEX_PAT 4u
#define SW_PAT_ENTRY_MASK 0xff

NORETURN static void sw_die(const char *what, uint64_t value)
{
    fprintf(stderr, "swmmu_x86_64: %s (%#llx)\n", what, (unsigned long long)value);
    abort();
}

/* The physical address of the entry of TABLE at INDEX; the whole table must be in MEM. */
static uint64_t sw_entry_addr(const struct swmmu_memory *mem, uint64_t table, unsigned index)
{
    if (table % SW_TABLE_BYTES != 0)
        sw_die("table not 4 KiB aligned", table);
    if (table >= mem->size || mem->size - table < SW_TABLE_BYTES)
        sw_die("table outside simulated memory", table);
    return table + (uint64_t)index * SW_ENTRY_BYTES;
}

/* Entries are little-endian in memory whatever the host is. */
static uint64_t sw_load(const struct swmmu_memory *mem, uint64_t addr)
{
    uint64_t value = 0;
    for (unsigned i = 0; i < SW_ENTRY_BYTES; i++)
        value |= (uint64_t)mem->base[addr + i] << (SW_BYTE_BITS * i);
    return value;
}

static void sw_store(struct swmmu_memory *mem, uint64_t addr, uint64_t value)
{
    for (unsigned i = 0; i < SW_ENTRY_BYTES; i++)
        mem->base[addr + i] = (uint8_t)(value >> (SW_BYTE_BITS * i));
}

/* Bits 63:47 all equal (SDM 3.3.7.1). */
static bool sw_canonical(uint64_t va)
{
    uint64_t top = va >> (SW_LINEAR_BITS - 1);
    return top == 0 || top == (UINT64_MAX >> (SW_LINEAR_BITS - 1));
}

static unsigned sw_index(uint64_t va, unsigned level)
{
    return (unsigned)(va >> (SW_PAGE_SHIFT + SW_INDEX_BITS * level)) &
           ((1u << SW_INDEX_BITS) - 1);
}

/* Whether ENTRY at LEVEL sets a bit the SDM says must be zero. */
static bool sw_reserved(uint64_t entry, unsigned level)
{
    if (level == SW_LEVEL_PML4)
        return (entry & SW_PS) != 0;
    if (level == SW_LEVEL_PDPT && (entry & SW_PS))
        return (entry & SW_RSVD_1G) != 0;
    if (level == SW_LEVEL_PD && (entry & SW_PS))
        return (entry & SW_RSVD_2M) != 0;
    return false;
}

static bool sw_maps_page(uint64_t entry, unsigned level)
{
    if (level == SW_LEVEL_PT)
        return true;
    return (level == SW_LEVEL_PD || level == SW_LEVEL_PDPT) && (entry & SW_PS);
}

/* The rights accumulated over the walk (SDM 4.6). */
struct sw_rights {
    bool writable; /* R/W = 1 in every entry */
    bool user;     /* U/S = 1 in every entry */
    bool no_exec;  /* XD = 1 in some entry */
};

/* SDM 4.6 with CR0.WP = 1, SMEP = SMAP = 0, EFER.NXE = 1. */
static bool sw_allowed(const struct swmmu_request *req, const struct sw_rights *rights)
{
    if (req->user && !rights->user)
        return false;
    if (req->access == FAULT_WRITE && !rights->writable)
        return false;
    if (req->access == FAULT_EXECUTE && rights->no_exec)
        return false;
    return true;
}

/* The memory type of the leaf ENTRY at LEVEL: PAT entry PAT:PCD:PWT of SW_PAT_MSR. */
static enum memory_type sw_memory_type(uint64_t entry, unsigned level)
{
    uint64_t pat_bit = level == SW_LEVEL_PT ? SW_PAT_PTE : SW_PAT_LARGE;
    unsigned index = ((entry & SW_PWT) ? SW_PAT_INDEX_PWT : 0) |
                     ((entry & SW_PCD) ? SW_PAT_INDEX_PCD : 0) |
                     ((entry & pat_bit) ? SW_PAT_INDEX_PAT : 0);
    unsigned type = (unsigned)(SW_PAT_MSR >> (index * SW_PAT_ENTRY_BITS)) & SW_PAT_ENTRY_MASK;
    switch (type) {
    case SW_PAT_WB:
        return MEMORY_TYPE_NORMAL;
    case SW_PAT_WC:
        return MEMORY_TYPE_NONCACHEABLE;
    case SW_PAT_UC:
    case SW_PAT_UC_MINUS:
        return MEMORY_TYPE_IO;
    }
    sw_die("PAT entry of a type the kernel does not program", type);
}

void swmmu_x86_64_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                            struct swmmu_result *result)
{
    *result = (struct swmmu_result){ .outcome = SWMMU_NOT_PRESENT };
    if (req->kernel_root != req->user_root)
        sw_die("x86_64 has one root (CR3): kernel_root must equal user_root", req->kernel_root);
    if (!sw_canonical(req->va))
        return;

    struct sw_rights rights = { .writable = true, .user = true, .no_exec = false };
    uint64_t used[SW_LEVELS]; /* the physical address of every entry used, root first */
    unsigned n_used = 0;
    uint64_t table = req->user_root;
    for (unsigned level = SW_LEVEL_PML4;; level--) {
        uint64_t addr = sw_entry_addr(mem, table, sw_index(req->va, level));
        uint64_t entry = sw_load(mem, addr);
        if (!(entry & SW_P))
            return;
        if (sw_reserved(entry, level)) {
            result->outcome = SWMMU_PROTECTION;
            return;
        }
        rights.writable = rights.writable && (entry & SW_RW);
        rights.user = rights.user && (entry & SW_US);
        rights.no_exec = rights.no_exec || (entry & SW_XD);
        used[n_used++] = addr;

        if (!sw_maps_page(entry, level)) {
            table = entry & SW_BITS(SW_MAXPHYADDR - 1, SW_PAGE_SHIFT);
            continue;
        }

        unsigned offset_bits = SW_PAGE_SHIFT + SW_INDEX_BITS * level;
        if (!sw_allowed(req, &rights)) {
            result->outcome = SWMMU_PROTECTION;
            return;
        }
        for (unsigned i = 0; i < n_used; i++) {
            uint64_t value = sw_load(mem, used[i]);
            if (i == n_used - 1 && req->access == FAULT_WRITE)
                value |= SW_D;
            sw_store(mem, used[i], value | SW_A);
        }
        result->outcome = SWMMU_OK;
        result->pa = (entry & SW_BITS(SW_MAXPHYADDR - 1, offset_bits)) |
                     (req->va & (SW_BIT(offset_bits) - 1));
        result->type = sw_memory_type(entry, level);
        return;
    }
}
