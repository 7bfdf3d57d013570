/*
 * The x86_64 hardware half of the PageDirectory interface: load a root into
 * CR3 and drop cached translations (docs/page-directory.md), plus the
 * one-time paging set-up the kernel page directory relies on: the PAT
 * layout its memory types assume, and global pages.
 *
 * Ordering: no fence is needed. The engine's entry writes are ordinary
 * stores, and it follows every change with pd_flush_range or pd_flush_all,
 * that is with INVLPG or a MOV to CR3/CR4. Those are serializing
 * instructions (SDM vol. 3A, 8.3): all earlier stores, the new entries
 * included, are complete before they finish, and nothing after them is
 * fetched or translated early. Their "memory" clobbers keep the compiler
 * from moving the entry stores across them.
 *
 * No PCIDs yet: every CR3 load drops all non-global translations, and the
 * kernel's mappings are global (PD_GLOBAL, CR4.PGE), so they survive
 * switches between page directories.
 */
#include "kernel/arch/x86_64/mmu.h"
#include "kernel/panic.h"
#include <x86_64/instr.h>
#include <x86_64/pte.h>
#include <x86_64/regs.h>

/*
 * Past this many pages one full flush is cheaper than a run of INVLPGs: each
 * INVLPG costs about as much as refilling the entry it drops, so a long run
 * costs more than refilling the few dozen entries the TLB really held. Linux
 * settles on the same order (tlb_single_page_flush_ceiling = 33).
 */
#define FLUSH_RANGE_PAGES_MAX 32

/* One root covers both halves: a user root carries copies of the kernel's top slots. */
void pd_activate(struct page_directory *pd)
{
    /* PWT = PCD = 0: the walker reads the root through PAT entry 0, write-back. */
    x86_write_cr3(pd->root.value);
}

/*
 * Drop every translation, global ones included: any write that changes
 * CR4.PGE does that (SDM 4.10.4.1). Flipping the bit and flipping it back
 * flushes whichever way it was set.
 */
static void flush_including_global(void)
{
    uint64_t cr4 = x86_read_cr4();
    x86_write_cr4(cr4 ^ X86_CR4_PGE);
    x86_write_cr4(cr4);
}

/*
 * A CR3 reload drops every non-global translation and keeps the global
 * ones. That is all a user directory needs (its mappings are never global,
 * and the kernel's, which are, did not change). The kernel directory's
 * mappings are global, so a CR3 reload would keep exactly the entries that
 * may be stale: for it, flush the global ones too.
 */
void pd_flush_all(struct page_directory *pd)
{
    if (pd->kernel == NULL)
        flush_including_global();
    else
        x86_write_cr3(x86_read_cr3());
}

/*
 * INVLPG drops the page's translation whether global or not, every TLB
 * entry a large page left (however the CPU split it), and all
 * paging-structure caches (SDM 4.10.4.1), so a freed table cannot be walked
 * through a stale upper entry. Stepping by 4 KiB covers every leaf size.
 */
void pd_flush_range(struct page_directory *pd, vaddr_t va, size_t size)
{
    size_t pages = (size_t)((size + PD_PAGE_SIZE - 1) / PD_PAGE_SIZE);
    if (pages > FLUSH_RANGE_PAGES_MAX) {
        pd_flush_all(pd);
        return;
    }
    for (size_t i = 0; i < pages; i++)
        x86_invlpg((uintptr_t)(va.value + i * PD_PAGE_SIZE));
}

bool x86_has_1g_pages(void)
{
    /* boot.S checked that the extended CPUID leaves exist. */
    return (x86_cpuid(X86_CPUID_EXT_FEATURES, 0).edx & X86_CPUID_EXT_EDX_PAGE_1G) != 0;
}

/*
 * The SDM's procedure for changing the PAT (vol. 3A, 11.12.4 via 11.11.8:
 * caches off, WBINVD, TLB flush) exists so that no line or TLB entry keeps
 * a type that is being changed. Here only entries 1 and 5 change (WT to
 * WC), and nothing uses them yet: every entry of boot.S's early tables has
 * PWT = PCD = 0 and selects entry 0. So the MSR can simply be written.
 * Enabling PGE needs no flush either: no early entry has G set.
 */
void x86_paging_init(void)
{
    uint32_t features = x86_cpuid(X86_CPUID_FEATURES, 0).edx;
    if (!(features & X86_CPUID_1_EDX_PAT))
        panic("x86_64: this CPU has no PAT; memory types cannot be encoded");
    if (!(features & X86_CPUID_1_EDX_PGE))
        panic("x86_64: this CPU has no global pages (CPUID PGE)");
    x86_wrmsr(X86_MSR_PAT, X86_PAT_MSR_VALUE);
    x86_write_cr4(x86_read_cr4() | X86_CR4_PGE);
}
