/*
 * The PageDirectory interface: the only way portable code (mm/, kernel/)
 * changes address translation. A short list of verbs in the manner of
 * FreeBSD's pmap(9); docs/page-directory.md documents each one: what it
 * does, its preconditions, its errors, and the state a failure leaves.
 *
 * The verbs are implemented once, over any page-table format, by
 * kernel/arch/pt/page_directory.c; each arch supplies its format (how an
 * entry is encoded) and its hardware operations (load the root, flush).
 *
 * Address space halves: a kernel page directory maps the kernel half (the
 * top of the address space) and a user page directory the user half (the
 * bottom). Every user page directory shares the kernel half of the one
 * kernel page directory it was created from.
 */
#pragma once

#include <pagoda/types.h>

/* The base page size of every format (larger leaves are 2 MiB and 1 GiB). */
#define PD_PAGE_SIZE UINT64_C(4096)

/* Memory types, chosen in mm/ and encoded by each arch (PAT, Svpbmt, MAIR). */
enum memory_type {
    MEMORY_TYPE_NORMAL,        /* RAM: cacheable, write-back */
    MEMORY_TYPE_IO,            /* device registers: uncached, strongly ordered */
    MEMORY_TYPE_NONCACHEABLE,  /* RAM shared with devices: uncached, weakly ordered */
};

/* Access rights of a mapping (a bit set; PD_READ is required). */
enum pd_prot {
    PD_READ = 1u << 0,
    PD_WRITE = 1u << 1,
    PD_EXECUTE = 1u << 2,
    PD_USER = 1u << 3,   /* reachable from user mode; only in user page directories */
    PD_GLOBAL = 1u << 4, /* survives address-space switches; only in the kernel half */
};

#define PD_PROT_ALL (PD_READ | PD_WRITE | PD_EXECUTE | PD_USER | PD_GLOBAL)

/*
 * Not rights but the initial state of new leaves, for pd_map() alone: as if
 * already accessed (and, with PD_MAP_DIRTY, written; it needs PD_WRITE), so
 * that the access a page fault is about to retry takes no second fault just
 * for software to set the flags. The fault path maps this way, as Linux
 * maps a faulting page young (and dirty on a write).
 */
#define PD_MAP_ACCESSED (1u << 8)
#define PD_MAP_DIRTY (1u << 9)

/*
 * Where table pages come from: a callback set, so that the page directory
 * does not depend on the physical allocator. alloc returns one 4 KiB page
 * (its contents need not be zero) or -E_NOMEM; table returns a pointer
 * through which the page directory reads and writes a table page, valid for
 * as long as the page is allocated.
 *
 * valid_count returns a pointer to one counter kept beside a table page,
 * valid for as long as the page is allocated: the page directory stores
 * there how many of the page's entries are valid (leaves and tables), so
 * that it knows a table is empty without scanning its 512 entries. The
 * counter cannot live in the table page itself (the hardware owns all of
 * it), and the provider already keeps per-page state (which pages are
 * allocated), so it keeps this too, as FreeBSD's pmap keeps a page-table
 * page's count in its vm_page. Its value on allocation does not matter: the
 * page directory sets it, and alone reads or writes it.
 */
typedef uint16_t pd_valid_count_t;

struct page_provider {
    int (*alloc)(void *ctx, paddr_t *page);
    void (*free)(void *ctx, paddr_t page);
    void *(*table)(void *ctx, paddr_t page);
    pd_valid_count_t *(*valid_count)(void *ctx, paddr_t page);
    void *ctx;
};

struct pt_format;

struct page_directory {
    const struct pt_format *format;
    const struct page_provider *provider;
    paddr_t root;                   /* the root table of the half this directory owns */
    struct page_directory *kernel;  /* user: the kernel directory it shares; kernel: NULL */
    uint16_t asid;                  /* address-space identifier (0 for the kernel) */
    size_t table_pages;             /* table pages this directory allocated, root included */
};

/* What pd_query() reports about one address. */
struct pd_query_result {
    paddr_t phys;           /* the physical address the queried address translates to */
    uint32_t prot;          /* enum pd_prot bits */
    enum memory_type type;
    size_t page_size;       /* the size of the leaf entry: 4 KiB, 2 MiB or 1 GiB */
    bool accessed;
    bool dirty;
};

/* Create the kernel page directory over FORMAT, taking table pages from PROVIDER. */
int pd_create_kernel(struct page_directory *pd, const struct pt_format *format,
                     const struct page_provider *provider) MUST_CHECK;
/* Create a user page directory sharing the kernel half of KERNEL. */
int pd_create_user(struct page_directory *pd, struct page_directory *kernel,
                   uint16_t asid) MUST_CHECK;
/* Free every table page PD allocated. A kernel directory must outlive its users. */
void pd_destroy(struct page_directory *pd);

/*
 * Map [VA, VA+SIZE) to [PA, PA+SIZE) with PROT (rights, and optionally
 * PD_MAP_ACCESSED / PD_MAP_DIRTY) and TYPE; large leaves where they fit.
 */
int pd_map(struct page_directory *pd, vaddr_t va, paddr_t pa, size_t size, uint32_t prot,
           enum memory_type type) MUST_CHECK;
/* Remove every mapping in [VA, VA+SIZE); holes are skipped; empty tables are freed. */
int pd_unmap(struct page_directory *pd, vaddr_t va, size_t size) MUST_CHECK;
/* Change the rights of every mapping in [VA, VA+SIZE); holes are skipped. */
int pd_protect(struct page_directory *pd, vaddr_t va, size_t size, uint32_t prot) MUST_CHECK;
/* Describe the mapping of VA; -E_NOENT if there is none. */
int pd_query(const struct page_directory *pd, vaddr_t va, struct pd_query_result *result) MUST_CHECK;
/* Clear the accessed and dirty state of every mapping in [VA, VA+SIZE). */
int pd_clear_accessed_dirty(struct page_directory *pd, vaddr_t va, size_t size) MUST_CHECK;
/*
 * Called by the trap code for a fault on VA with ACCESS (enum fault_access) from
 * user mode if USER: if the mapping allows the access and the fault was only
 * the hardware asking software to set the accessed or dirty state (aarch64
 * without hardware flag management, riscv harts that trap on A/D), set it
 * and return 0 so the access can be retried; else -E_FAULT.
 */
int pd_update_accessed_dirty(struct page_directory *pd, vaddr_t va, int access,
                             bool user) MUST_CHECK;

/*
 * Quick slots: one fixed kernel page whose translation is changed often (the
 * quickmap slots of mm/quickmap.c), in the manner of FreeBSD's
 * pmap_quick_enter_page(9). pd_quick_slot_init() makes sure the last-level
 * table for VA exists (VA must be in the kernel half and unmapped) and
 * remembers its entry; then pd_quick_enter() and pd_quick_remove() change
 * that one entry directly and flush it on this CPU, without a walk. The
 * mapping is read-write, global, MEMORY_TYPE_NORMAL, 4 KiB. Only the owner of
 * the slot may touch VA with other verbs. The table is freed only by an
 * unmap that removes its last valid entry, and the slot's entry counts only
 * while it maps a page, so keep another mapping in that table (an anchor).
 * pd_quick_slot_init() fails with -E_NOMEM having changed nothing.
 */
struct pd_quick_slot {
    struct page_directory *pd;
    vaddr_t va;
    void *entry;
    pd_valid_count_t *valid;  /* the valid-entry count of the entry's table */
};

int pd_quick_slot_init(struct page_directory *pd, vaddr_t va, struct pd_quick_slot *slot) MUST_CHECK;
void pd_quick_enter(struct pd_quick_slot *slot, paddr_t pa);
void pd_quick_remove(struct pd_quick_slot *slot);

/* The end of the user half: user mappings lie below this address. */
uint64_t pd_user_limit(const struct page_directory *pd);

/* The name of PD's page-table format ("Sv39", "x86_64 4-level", ...). */
const char *pd_format_name(const struct page_directory *pd);

/* Hardware operations, implemented per arch (kernel/arch/<arch>/pd_hw.c). */

/* Make PD the current translation on this CPU (user PD: its half; kernel PD: everything). */
void pd_activate(struct page_directory *pd);
/*
 * Invalidate this CPU's cached translations of [VA, VA+SIZE) in PD. Called by
 * the verbs above after every change; this is where SMP shootdown will go.
 */
void pd_flush_range(struct page_directory *pd, vaddr_t va, size_t size);
/* Invalidate every cached translation tagged with PD's address-space identifier. */
void pd_flush_all(struct page_directory *pd);
