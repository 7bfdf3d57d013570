/*
 * The hardware half of the PageDirectory interface on riscv64 (the verbs
 * pd_activate, pd_flush_range and pd_flush_all of arch/page_directory.h):
 * load a directory's root into satp and invalidate the hart's cached
 * translations with sfence.vma. Everything else about page tables is the
 * format (pt_format.c) and the portable engine.
 *
 * sfence.vma (privileged spec 4.2.1) with rs1 = an address invalidates the
 * leaf entries for that address; with rs2 = x0 it covers every address
 * space and global mappings too, with rs2 = an ASID only that ASID's
 * non-global entries. Kernel mappings are global, so kernel flushes use
 * rs2 = x0. The same instruction also orders earlier page-table stores
 * before later implicit walks, which is the barrier the engine relies on
 * after every change.
 */
#include "riscv/csr.h"
#include "riscv/mmu.h"
#include "riscv/pte.h"

/*
 * Past this many pages one full flush is cheaper than one sfence.vma per
 * page: the refill cost of a flushed TLB (tens of entries on the harts we
 * know) is paid once, while per-page fences grow with the range. Linux
 * uses the same figure (arch/riscv/mm/tlbflush.c). A range over a large
 * leaf (2 MiB and up, 512+ pages) always takes the full flush.
 */
#define FLUSH_ALL_THRESHOLD_PAGES 64

/* The directory this hart translates through (per hart once SMP comes). */
static struct page_directory *current_pd;
/* The ASID bits this hart implements (ASIDLEN, found by pd_activate of the kernel). */
static unsigned long asid_mask;

static unsigned long satp_mode(const struct page_directory *pd)
{
    switch (pd->format->levels) {
    case RISCV_SV39_LEVELS:
        return SATP_MODE_SV39;
    case RISCV_SV48_LEVELS:
        return SATP_MODE_SV48;
    }
    panic("pd_activate: no satp mode for a %u-level format", pd->format->levels);
}

static unsigned long satp_for(const struct page_directory *pd, unsigned long asid)
{
    return satp_mode(pd) << SATP_MODE_SHIFT | (asid & SATP_ASID_MASK) << SATP_ASID_SHIFT |
           pd->root.value >> RISCV_PAGE_SHIFT;
}

/* The ASID the hart really tags PD's entries with: the bits it implements. */
static unsigned long hw_asid(const struct page_directory *pd)
{
    return pd->asid & asid_mask;
}

static bool is_kernel_pd(const struct page_directory *pd)
{
    return pd->kernel == NULL;
}

static void sfence_all(void)
{
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

static void sfence_page_all_spaces(uintptr_t va)
{
    __asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}

static void sfence_asid(unsigned long asid)
{
    __asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
}

static void sfence_page_asid(uintptr_t va, unsigned long asid)
{
    __asm__ volatile("sfence.vma %0, %1" ::"r"(va), "r"(asid) : "memory");
}

/*
 * The kernel directory is activated once per hart, at boot, over whatever
 * map came before (the boot map, whose global entries only a full flush
 * drops). That first write also measures ASIDLEN the way the privileged
 * spec suggests (4.1.11): write ones to the whole ASID field and read back
 * which bits stayed. The kernel runs with ASID 0; its entries are global.
 */
static void activate_kernel(struct page_directory *pd)
{
    unsigned long satp = satp_for(pd, 0);
    sfence_all(); /* the tables' stores before any walk of them */
    csr_write(satp, satp_for(pd, SATP_ASID_MASK));
    asid_mask = csr_read(satp) >> SATP_ASID_SHIFT & SATP_ASID_MASK;
    csr_write(satp, satp);
    sfence_all();
    if (csr_read(satp) != satp)
        panic("pd_activate: satp kept %#lx, not %#lx: the hart refuses the %s format",
              csr_read(satp), satp, pd->format->name);
}

/*
 * A user directory: its own root (with the kernel's root entries copied
 * in) and ASID. Drop whatever that ASID cached before: the ASID may have
 * belonged to another directory, or be truncated to fewer bits.
 */
static void activate_user(struct page_directory *pd)
{
    csr_write(satp, satp_for(pd, hw_asid(pd)));
    sfence_asid(hw_asid(pd));
}

void pd_activate(struct page_directory *pd)
{
    if (is_kernel_pd(pd))
        activate_kernel(pd);
    else
        activate_user(pd);
    current_pd = pd;
}

void pd_flush_range(struct page_directory *pd, vaddr_t va, size_t size)
{
    if (size / PT_PAGE_SIZE > FLUSH_ALL_THRESHOLD_PAGES) {
        pd_flush_all(pd);
        return;
    }
    uintptr_t start = ALIGN_DOWN(va.value, PT_PAGE_SIZE);
    uintptr_t end = ALIGN_UP(va.value + size, PT_PAGE_SIZE);
    for (uintptr_t page = start; page != end; page += PT_PAGE_SIZE) {
        if (is_kernel_pd(pd))
            sfence_page_all_spaces(page);
        else
            sfence_page_asid(page, hw_asid(pd));
    }
}

void pd_flush_all(struct page_directory *pd)
{
    if (is_kernel_pd(pd))
        sfence_all();
    else
        sfence_asid(hw_asid(pd));
}

struct page_directory *riscv_current_pd(void)
{
    return current_pd;
}

unsigned long riscv_asid_mask(void)
{
    return asid_mask;
}
