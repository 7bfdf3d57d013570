/*
 * The hardware half of the PageDirectory interface on aarch64 (Arm ARM DDI
 * 0487, D8 "The AArch64 Virtual Memory System Architecture"): loading the
 * roots into TTBR1_EL1 (the kernel directory) and TTBR0_EL1 (a user
 * directory, tagged with its ASID), and invalidating TLB entries.
 *
 * The kernel's leaves are global (nG = 0) and live in TTBR1; a user
 * directory's leaves are not global and carry its ASID, which TTBR0_EL1
 * supplies (TCR_EL1.A1 = 0). So switching user directories needs no TLB
 * flush, and ASID 0 belongs to "no user directory": TTBR0 holds ASID 0
 * with TCR_EL1.EPD0 set (walks of the user half fault) whenever the kernel
 * directory alone is active, and no user directory may use it.
 *
 * TLB maintenance is local to this CPU (the non-"is" forms), as the
 * interface asks until SMP: the per-page broadcast forms made QEMU stop every
 * vCPU for each one, three times slower under -smp 4. When other CPUs run
 * kernel code, pd_flush_range and pd_flush_all are where the shootdown goes:
 * switch to the "is" forms (or IPIs) here. Every invalidation is preceded by
 * dsb ishst (the table write reaches the walker before the stale entry goes)
 * and followed by dsb nsh; isb (the invalidation is complete, and later
 * instructions are fetched and translated after it).
 */
#include "kernel/arch/aarch64/pd_hw.h"
#include "kernel/panic.h"
#include <aarch64/pt_desc.h>
#include <aarch64/sysreg.h>

_Static_assert(MAIR_EL1_VALUE == A64_MAIR_EL1,
               "boot.S programs a MAIR_EL1 other than the one pt_format.c encodes for");

/*
 * A range of more than this many pages is flushed whole: one full flush is
 * a single operation after which the kernel's few hot translations cost one
 * table walk each, and (once the flushes are broadcast) each TLBI by address
 * is an operation every CPU must process. 64 pages = 256 KiB; a 2 MiB split
 * is flushed whole.
 */
#define PD_FLUSH_PAGES_MAX 64

/* The TLBI operand: VA[55:12] in bits [43:0], the ASID in bits [63:48]. */
#define TLBI_VA_BITS 44
#define TLBI_ASID_SHIFT 48

/* The first address of the TTBR1 half (T1SZ = 16). */
#define KERNEL_HALF_BASE (UINT64_C(0) - (UINT64_C(1) << A64_VA_BITS))

#define ASID_MAX_8_BIT 0xff
#define ASID_NONE 0 /* the ASID TTBR0 holds while no user directory is active */

static struct page_directory *active_kernel;
static struct page_directory *active_user;

#define tlbi(op, operand) __asm__ volatile("tlbi " #op ", %0" : : "r"(operand) : "memory")
#define tlbi_all(op) __asm__ volatile("tlbi " #op ::: "memory")

static bool is_kernel(const struct page_directory *pd)
{
    return pd->kernel == NULL;
}

static uint64_t tlbi_operand(uint64_t va, uint16_t asid)
{
    uint64_t page = (va >> A64_GRANULE_SHIFT) & ((UINT64_C(1) << TLBI_VA_BITS) - 1);
    return page | (uint64_t)asid << TLBI_ASID_SHIFT;
}

/*
 * The kernel directory: TTBR1, and an empty user half (EPD0 first, so no
 * walk starts from the old TTBR0; then ASID 0, so the last user's entries
 * stop matching). Replacing another root in TTBR1 (the boot tables) drops
 * every global entry. The kernel keeps running through the change because
 * both trees map the image at the same addresses with the same page sizes
 * and memory types; only permission bits differ, which needs no
 * break-before-make.
 */
static void activate_kernel(struct page_directory *pd)
{
    bool replacing = (sysreg_read(ttbr1_el1) & TTBR_BADDR_MASK) != pd->root.value;
    sysreg_write(tcr_el1, sysreg_read(tcr_el1) | TCR_EPD0);
    isb();
    sysreg_write(ttbr0_el1, (uint64_t)ASID_NONE << TTBR_ASID_SHIFT);
    sysreg_write(ttbr1_el1, pd->root.value);
    isb();
    if (replacing) {
        tlbi_all(vmalle1);
        dsb(nsh);
        isb();
    }
    active_kernel = pd;
    active_user = NULL;
}

/*
 * A user directory: its root and ASID in TTBR0 (one write, so no walk sees
 * one without the other), then walks of the user half enabled. Entries of
 * other ASIDs stay in the TLB and do not match.
 */
static void activate_user(struct page_directory *pd)
{
    uint64_t tcr = sysreg_read(tcr_el1);
    uint64_t asid_max = (tcr & TCR_AS) ? UINT16_MAX : ASID_MAX_8_BIT;
    if (pd->asid == ASID_NONE || pd->asid > asid_max)
        panic("pd_activate: ASID %u is not usable (1..%llu on this CPU)", pd->asid,
              (unsigned long long)asid_max);
    if (pd->kernel != active_kernel)
        panic("pd_activate: the user directory shares a kernel half that is not active");
    sysreg_write(ttbr0_el1, pd->root.value | (uint64_t)pd->asid << TTBR_ASID_SHIFT);
    isb();
    if (tcr & TCR_EPD0) {
        sysreg_write(tcr_el1, tcr & ~TCR_EPD0);
        isb();
    }
    active_user = pd;
}

void pd_activate(struct page_directory *pd)
{
    dsb(ishst); /* the tables PD points at are visible to the walker */
    if (is_kernel(pd))
        activate_kernel(pd);
    else
        activate_user(pd);
}

void pd_flush_range(struct page_directory *pd, vaddr_t va, size_t size)
{
    uint64_t pages = size / PD_PAGE_SIZE;
    if (pages > PD_FLUSH_PAGES_MAX) {
        pd_flush_all(pd);
        return;
    }
    dsb(ishst);
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t addr = va.value + i * PD_PAGE_SIZE;
        /*
         * Not the last-level-only forms (vale1/vaale1): the verbs also
         * remove and free tables, whose cached walks must go too.
         */
        if (is_kernel(pd))
            tlbi(vaae1, tlbi_operand(addr, 0)); /* global entries: any ASID */
        else
            tlbi(vae1, tlbi_operand(addr, pd->asid));
    }
    dsb(nsh);
    isb();
}

void pd_flush_all(struct page_directory *pd)
{
    dsb(ishst);
    if (is_kernel(pd))
        tlbi_all(vmalle1); /* global entries are only dropped with everything */
    else
        tlbi(aside1, (uint64_t)pd->asid << TLBI_ASID_SHIFT);
    dsb(nsh);
    isb();
}

struct page_directory *aarch64_pd_translating(uint64_t va)
{
    if (va >= KERNEL_HALF_BASE)
        return active_kernel;
    if (va < (UINT64_C(1) << A64_VA_BITS))
        return active_user;
    return NULL; /* in neither half: not canonical */
}
