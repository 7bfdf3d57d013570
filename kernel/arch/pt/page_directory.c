/*
 * The PageDirectory verbs of include/arch/page_directory.h, written once
 * over any page-table format (kernel/arch/pt/pt_format.h). One recursive
 * range walk serves unmap, protect and clearing accessed/dirty; map has its
 * own because it allocates on the way down, and a map of one page (the
 * page-fault path) a loop without recursion. Every verb validates its
 * arguments, then checks or reserves everything it will need, and only
 * then changes entries, so a failure leaves the tables as they were.
 *
 * Empty tables. Every table page has a count of its valid entries (leaves
 * and tables), kept in storage the page provider supplies (valid_count in
 * include/arch/page_directory.h) and changed here wherever an entry turns
 * valid or invalid: a table is empty when its count is 0, with no scan of
 * its 512 entries. An unmap's walk tells the level above whether it emptied
 * each table it visited, and that level frees it (see walk_level). With
 * PT_CHECK_COUNTS (on in the host build) every count a walk or a map changes
 * is compared with a scan, and pt_count_mismatches() checks a whole
 * directory for the tests.
 */
#include "kernel/arch/pt/pt_format.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>
#include <pagoda/fault.h>

#ifndef PT_CHECK_COUNTS
#ifdef PAGODA_HOST
#define PT_CHECK_COUNTS 1
#else
#define PT_CHECK_COUNTS 0
#endif
#endif

/* At most one split per level at each end of a range. */
#define PT_MAX_SPLITS (2 * (PT_MAX_LEVELS - 1))

static pte_t *table_entries(const struct page_directory *pd, paddr_t table)
{
    return pd->provider->table(pd->provider->ctx, table);
}

static pte_t pte_load(const pte_t *slot)
{
    return *(const volatile pte_t *)slot;
}

static void pte_store(pte_t *slot, pte_t value)
{
    *(volatile pte_t *)slot = value;
}

static void decode(const struct page_directory *pd, pte_t pte, unsigned level,
                   struct pte_info *info)
{
    if (pte == 0) {
        *info = (struct pte_info){ .kind = PTE_INVALID };
        return;
    }
    pd->format->decode(pte, level, info);
}

static unsigned root_level(const struct pt_format *format)
{
    return format->levels - 1;
}

static unsigned index_of(uint64_t va, unsigned level)
{
    return (unsigned)(va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
}

/* The last address of the level-LEVEL block that contains VA. */
static uint64_t block_last(uint64_t va, unsigned level)
{
    return va | (PT_LEVEL_SIZE(level) - 1);
}

static bool leaf_allowed(const struct pt_format *format, unsigned level)
{
    return level == 0 || (format->leaf_levels & (1u << level));
}

static bool is_kernel(const struct page_directory *pd)
{
    return pd->kernel == NULL;
}

/* --- the halves of the address space -------------------------------------- */

static uint64_t user_limit(const struct pt_format *format)
{
    unsigned bits = format->split_roots ? format->va_bits : format->va_bits - 1;
    return UINT64_C(1) << bits;
}

/* The first address of the kernel half this format lets us map. */
static uint64_t kernel_base(const struct pt_format *format)
{
    if (format->split_roots)
        return (uint64_t)0 - (UINT64_C(1) << format->va_bits);
    return (uint64_t)0 - format->kernel_root_slots * PT_LEVEL_SIZE(root_level(format));
}

static bool in_kernel_half(const struct pt_format *format, uint64_t va)
{
    return va >= kernel_base(format);
}

/* The root table that translates VA in PD's view. */
static paddr_t root_for(const struct page_directory *pd, uint64_t va)
{
    if (pd->kernel && in_kernel_half(pd->format, va))
        return pd->kernel->root;
    return pd->root;
}

/* --- valid-entry counts ------------------------------------------------------ */

static pd_valid_count_t *table_valid(const struct page_directory *pd, paddr_t table)
{
    return pd->provider->valid_count(pd->provider->ctx, table);
}

/* TABLE's valid entries counted the slow way, to check the count against. */
static unsigned table_scan(const struct page_directory *pd, paddr_t table)
{
    const pte_t *entries = table_entries(pd, table);
    unsigned valid = 0;
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        valid += pte_load(&entries[i]) != 0;
    return valid;
}

/* With PT_CHECK_COUNTS: panic if COUNT is not what TABLE holds. */
static void count_check(const struct page_directory *pd, paddr_t table, unsigned count)
{
    if (!PT_CHECK_COUNTS)
        return;
    unsigned scanned = table_scan(pd, table);
    if (scanned != count)
        panic("page directory: table %#llx counts %u valid entries but holds %u",
              (unsigned long long)table.value, count, scanned);
}

/*
 * Add DELTA to TABLE's count and return the new count. The walks tally
 * their changes to a table in a register and call this once when they
 * leave it: one counter fetch per table changed, none per entry.
 */
static unsigned count_update(const struct page_directory *pd, paddr_t table, int delta)
{
    pd_valid_count_t *valid = table_valid(pd, table);
    *valid = (pd_valid_count_t)(*valid + delta);
    count_check(pd, table, *valid);
    return *valid;
}

/* --- table pages ----------------------------------------------------------- */

static int table_alloc(struct page_directory *pd, paddr_t *table)
{
    int err = pd->provider->alloc(pd->provider->ctx, table);
    if (err)
        return err;
    memset(table_entries(pd, *table), 0, PT_PAGE_SIZE);
    *table_valid(pd, *table) = 0;
    pd->table_pages++;
    return 0;
}

static void table_free(struct page_directory *pd, paddr_t table)
{
    pd->provider->free(pd->provider->ctx, table);
    pd->table_pages--;
}

/* Pages set aside before a verb changes anything, so splits cannot fail. */
struct reserve {
    paddr_t pages[PT_MAX_SPLITS];
    unsigned count;
};

static int reserve_fill(struct page_directory *pd, struct reserve *r, unsigned count)
{
    r->count = 0;
    while (r->count < count) {
        int err = table_alloc(pd, &r->pages[r->count]);
        if (err) {
            while (r->count)
                table_free(pd, r->pages[--r->count]);
            return err;
        }
        r->count++;
    }
    return 0;
}

static void reserve_release(struct page_directory *pd, struct reserve *r)
{
    while (r->count)
        table_free(pd, r->pages[--r->count]);
}

/* --- argument checks ------------------------------------------------------- */

static int check_range(const struct page_directory *pd, uint64_t va, uint64_t size)
{
    if (size == 0)
        return -E_INVAL;
    if (!IS_ALIGNED(va, PT_PAGE_SIZE) || !IS_ALIGNED(size, PT_PAGE_SIZE))
        return -E_ALIGN;
    uint64_t last = va + size - 1;
    if (last < va)
        return -E_RANGE; /* wraps past the top of the address space */
    if (is_kernel(pd))
        return va >= kernel_base(pd->format) ? 0 : -E_RANGE;
    return last < user_limit(pd->format) ? 0 : -E_RANGE;
}

static int check_prot(const struct page_directory *pd, uint32_t prot)
{
    if (!(prot & PD_READ) || (prot & ~PD_PROT_ALL))
        return -E_INVAL;
    if (is_kernel(pd) && (prot & PD_USER))
        return -E_INVAL;
    if (!is_kernel(pd) && (prot & PD_GLOBAL))
        return -E_INVAL;
    return 0;
}

/* --- create and destroy ---------------------------------------------------- */

/* Root indices a directory owns: all for split roots, else its half. */
static void owned_root_indices(const struct page_directory *pd, unsigned *first, unsigned *end)
{
    const struct pt_format *f = pd->format;
    if (f->split_roots) {
        *first = 0;
        *end = PT_ENTRIES;
    } else if (is_kernel(pd)) {
        *first = PT_ENTRIES - f->kernel_root_slots;
        *end = PT_ENTRIES;
    } else {
        *first = 0;
        *end = PT_ENTRIES / 2;
    }
}

int pd_create_kernel(struct page_directory *pd, const struct pt_format *format,
                     const struct page_provider *provider)
{
    *pd = (struct page_directory){ .format = format, .provider = provider };
    int err = table_alloc(pd, &pd->root);
    if (err)
        return err;
    if (format->split_roots)
        return 0;
    /*
     * One root covers both halves: allocate the kernel's top-level tables
     * now, so that user directories can copy the root entries once and
     * every later kernel mapping is seen by all of them.
     */
    unsigned first, end;
    owned_root_indices(pd, &first, &end);
    pte_t *root = table_entries(pd, pd->root);
    pd_valid_count_t *valid = table_valid(pd, pd->root);
    for (unsigned i = first; i < end; i++) {
        paddr_t table;
        err = table_alloc(pd, &table);
        if (err) {
            pd_destroy(pd);
            return err;
        }
        struct pte_info info = { .kind = PTE_TABLE, .phys = table };
        pte_store(&root[i], format->encode(&info, root_level(format)));
        (*valid)++;
    }
    return 0;
}

int pd_create_user(struct page_directory *pd, struct page_directory *kernel, uint16_t asid)
{
    *pd = (struct page_directory){
        .format = kernel->format, .provider = kernel->provider, .kernel = kernel, .asid = asid,
    };
    int err = table_alloc(pd, &pd->root);
    if (err)
        return err;
    if (!pd->format->split_roots) {
        const pte_t *from = table_entries(kernel, kernel->root);
        pte_t *to = table_entries(pd, pd->root);
        pd_valid_count_t *valid = table_valid(pd, pd->root);
        for (unsigned i = PT_ENTRIES - pd->format->kernel_root_slots; i < PT_ENTRIES; i++) {
            pte_t shared = pte_load(&from[i]);
            pte_store(&to[i], shared);
            *valid = (pd_valid_count_t)(*valid + (shared != 0));
        }
    }
    return 0;
}

/* Free TABLE's subtables below LEVEL, then TABLE itself. */
static void free_tree(struct page_directory *pd, paddr_t table, unsigned level)
{
    pte_t *entries = table_entries(pd, table);
    for (unsigned i = 0; level > 0 && i < PT_ENTRIES; i++) {
        struct pte_info info;
        decode(pd, pte_load(&entries[i]), level, &info);
        if (info.kind == PTE_TABLE)
            free_tree(pd, info.phys, level - 1);
    }
    table_free(pd, table);
}

void pd_destroy(struct page_directory *pd)
{
    /*
     * Drop this CPU's cached translations and walks tagged with PD's
     * address-space tag first: the tag will be given to another directory.
     */
    if (!is_kernel(pd))
        pd_flush_all(pd);
    unsigned first, end, level = root_level(pd->format);
    owned_root_indices(pd, &first, &end);
    pte_t *root = table_entries(pd, pd->root);
    for (unsigned i = first; i < end; i++) {
        struct pte_info info;
        decode(pd, pte_load(&root[i]), level, &info);
        if (info.kind == PTE_TABLE)
            free_tree(pd, info.phys, level - 1);
    }
    table_free(pd, pd->root);
    pd->root = paddr(0);
}

/* --- map ------------------------------------------------------------------- */

/* Is anything mapped in [VA, LAST] below TABLE at LEVEL? */
static bool range_mapped(const struct page_directory *pd, paddr_t table, unsigned level,
                         uint64_t va, uint64_t last)
{
    const pte_t *entries = table_entries(pd, table);
    for (;;) {
        uint64_t chunk_last = MIN(block_last(va, level), last);
        struct pte_info info;
        decode(pd, pte_load(&entries[index_of(va, level)]), level, &info);
        if (info.kind == PTE_LEAF)
            return true;
        if (info.kind == PTE_TABLE && range_mapped(pd, info.phys, level - 1, va, chunk_last))
            return true;
        if (chunk_last == last)
            return false;
        va = chunk_last + 1;
    }
}

/* Leaving TABLE with ADDED entries made valid there: count them, and pass ERR on. */
static int map_level_end(struct page_directory *pd, paddr_t table, unsigned added, int err)
{
    if (added)
        count_update(pd, table, (int)added);
    return err;
}

/*
 * Map [VA, LAST] to PA below TABLE at LEVEL with the leaf template LEAF (its
 * phys is set for each leaf), using the largest leaf each piece allows. The
 * range is known to be empty. The entries made valid in TABLE are tallied
 * and counted once, on the way out.
 */
static int map_level(struct page_directory *pd, paddr_t table, unsigned level, uint64_t va,
                     uint64_t last, uint64_t pa, struct pte_info *leaf)
{
    const struct pt_format *f = pd->format;
    pte_t *entries = table_entries(pd, table);
    unsigned added = 0;
    for (;;) {
        uint64_t chunk_last = MIN(block_last(va, level), last);
        pte_t *slot = &entries[index_of(va, level)];
        bool whole = IS_ALIGNED(va, PT_LEVEL_SIZE(level)) && chunk_last == block_last(va, level);
        struct pte_info info;
        decode(pd, pte_load(slot), level, &info);
        if (info.kind == PTE_LEAF)
            return -E_EXIST; /* only for a one-page map, before any change: longer ranges were checked */
        if (info.kind == PTE_INVALID && whole && leaf_allowed(f, level) &&
            IS_ALIGNED(pa, PT_LEVEL_SIZE(level))) {
            leaf->phys = paddr(pa);
            pte_store(slot, f->encode(leaf, level));
            added++;
        } else {
            if (info.kind == PTE_INVALID) {
                int err = table_alloc(pd, &info.phys);
                if (err)
                    return map_level_end(pd, table, added, err);
                info.kind = PTE_TABLE;
                pte_store(slot, f->encode(&info, level));
                added++;
            }
            int err = map_level(pd, info.phys, level - 1, va, chunk_last, pa, leaf);
            if (err)
                return map_level_end(pd, table, added, err);
        }
        if (chunk_last == last)
            return map_level_end(pd, table, added, 0);
        pa += chunk_last - va + 1;
        va = chunk_last + 1;
    }
}

/*
 * Remove whatever [VA, LAST] holds and free every table there that is left
 * empty; used to undo a verb that ran out of tables half-way.
 */
static void undo_range(struct page_directory *pd, uint64_t va, uint64_t last);

/*
 * map_level for one 4 KiB page (the page-fault path), without recursion:
 * walk down from TABLE, making the tables that are missing, and store LEAF
 * for PA at level 0. -E_EXIST if a leaf already maps VA (nothing changed).
 */
static int map_one_page(struct page_directory *pd, paddr_t table, uint64_t va, uint64_t pa,
                        struct pte_info *leaf)
{
    const struct pt_format *f = pd->format;
    for (unsigned level = root_level(f); level > 0; level--) {
        pte_t *slot = &table_entries(pd, table)[index_of(va, level)];
        struct pte_info info;
        decode(pd, pte_load(slot), level, &info);
        if (info.kind == PTE_LEAF)
            return -E_EXIST; /* a large leaf maps VA: nothing has changed, as below an
                                invalid entry (where tables are made) nothing is mapped */
        if (info.kind == PTE_INVALID) {
            int err = table_alloc(pd, &info.phys);
            if (err) {
                undo_range(pd, va, va + PT_PAGE_SIZE - 1); /* the tables made so far */
                return err;
            }
            info.kind = PTE_TABLE;
            pte_store(slot, f->encode(&info, level));
            count_update(pd, table, 1);
        }
        table = info.phys;
    }
    pte_t *slot = &table_entries(pd, table)[index_of(va, 0)];
    if (pte_load(slot) != 0)
        return -E_EXIST; /* at level 0 a valid entry is a leaf */
    leaf->phys = paddr(pa);
    pte_store(slot, f->encode(leaf, 0));
    count_update(pd, table, 1);
    return 0;
}

int pd_map(struct page_directory *pd, vaddr_t va, paddr_t pa, size_t size, uint32_t prot,
           enum memory_type type)
{
    uint32_t state = prot & (PD_MAP_ACCESSED | PD_MAP_DIRTY);
    prot &= ~state;
    if ((state & PD_MAP_DIRTY) && !(prot & PD_WRITE))
        return -E_INVAL; /* dirty without the right to write */
    int err = check_range(pd, va.value, size);
    if (!err)
        err = check_prot(pd, prot);
    if (err)
        return err;
    if (!IS_ALIGNED(pa.value, PT_PAGE_SIZE))
        return -E_ALIGN;
    if (pa.value + size - 1 < pa.value || pa.value + size - 1 >= pd->format->phys_limit)
        return -E_RANGE;
    if (type != MEMORY_TYPE_NORMAL && type != MEMORY_TYPE_IO && type != MEMORY_TYPE_NONCACHEABLE)
        return -E_INVAL;
    if (type == MEMORY_TYPE_IO && (prot & PD_EXECUTE))
        return -E_INVAL; /* device registers are never executed (and speculation must not fetch them) */

    uint64_t last = va.value + size - 1;
    unsigned level = root_level(pd->format);
    paddr_t root = root_for(pd, va.value);
    /*
     * A range of several pages must be checked whole before anything is
     * written. One page needs no separate walk: the mapping walk itself
     * meets whatever maps it (its leaf, or a large leaf on the way down)
     * before changing anything, so a page fault's map costs one walk.
     */
    bool one_page = size == PT_PAGE_SIZE;
    if (!one_page && range_mapped(pd, root, level, va.value, last))
        return -E_EXIST;

    /*
     * Kernel mappings start accessed and dirty: the kernel must never take
     * a fault just so software can set them. User mappings start clear, so
     * that mm/ learns which pages were touched and written, unless the
     * caller says the access is already under way (PD_MAP_ACCESSED/_DIRTY).
     */
    struct pte_info leaf = {
        .kind = PTE_LEAF, .prot = prot, .type = type,
        .accessed = is_kernel(pd) || (state & PD_MAP_ACCESSED),
        .dirty = is_kernel(pd) || (state & PD_MAP_DIRTY),
    };
    if (one_page) {
        err = map_one_page(pd, root, va.value, pa.value, &leaf);
    } else {
        err = map_level(pd, root, level, va.value, last, pa.value, &leaf);
        if (err)
            undo_range(pd, va.value, last);
    }
    if (err == -E_EXIST)
        return err; /* only for one page, found mapped before anything changed */
    pd_flush_range(pd, va, size);
    return err;
}

/* --- one walk for unmap, protect and clear ---------------------------------- */

enum range_op {
    RANGE_UNMAP,
    RANGE_UNDO,  /* unmap, and free the tables found empty too (see undo_range) */
    RANGE_PROTECT,
    RANGE_CLEAR_ACCESSED_DIRTY,
};

struct range_walk {
    struct page_directory *pd;
    enum range_op op;
    uint32_t prot;           /* RANGE_PROTECT */
    struct reserve reserve;  /* pages for splitting large leaves */
    bool split;              /* may split (unmap/protect) */
};

/*
 * Replace the large leaf in SLOT at LEVEL by a table of LEVEL-1 leaves that
 * map the same memory the same way. Break before make: the old entry is
 * removed and flushed before the table is installed, as aarch64 requires.
 */
static void split_leaf(struct range_walk *w, pte_t *slot, unsigned level, uint64_t block_va)
{
    struct page_directory *pd = w->pd;
    const struct pt_format *f = pd->format;
    struct pte_info leaf;
    decode(pd, pte_load(slot), level, &leaf);

    paddr_t table = w->reserve.pages[--w->reserve.count];
    pte_t *entries = table_entries(pd, table);
    for (unsigned i = 0; i < PT_ENTRIES; i++) {
        struct pte_info small = leaf;
        small.phys = paddr(leaf.phys.value + i * PT_LEVEL_SIZE(level - 1));
        pte_store(&entries[i], f->encode(&small, level - 1));
    }
    *table_valid(pd, table) = PT_ENTRIES;
    /* The slot stays counted: it is invalid only between the break and the make. */
    pte_store(slot, 0);
    pd_flush_range(pd, vaddr(block_va), PT_LEVEL_SIZE(level));
    struct pte_info info = { .kind = PTE_TABLE, .phys = table };
    pte_store(slot, f->encode(&info, level));
}

static bool removes_entries(const struct range_walk *w)
{
    return w->op == RANGE_UNMAP || w->op == RANGE_UNDO;
}

/*
 * Decode the entry PTE at LEVEL for W. Removing an entry needs only its
 * kind, and at level 0 every valid entry is a leaf: an unmap decodes none
 * there, which saves a format call per page.
 */
static void walk_decode(const struct range_walk *w, pte_t pte, unsigned level,
                        struct pte_info *info)
{
    if (level == 0 && pte != 0 && removes_entries(w)) {
        info->kind = PTE_LEAF;
        return;
    }
    decode(w->pd, pte, level, info);
}

/* Apply W->op to the leaf in SLOT; true if that made the entry invalid (unmap, undo). */
static bool apply_to_leaf(struct range_walk *w, pte_t *slot, unsigned level,
                          const struct pte_info *leaf)
{
    if (removes_entries(w)) {
        pte_store(slot, 0); /* LEAF holds only the kind (see walk_decode) */
        return true;
    }
    struct pte_info changed = *leaf;
    if (w->op == RANGE_PROTECT) {
        changed.prot = w->prot;
        if (leaf->type == MEMORY_TYPE_IO)
            changed.prot &= ~(uint32_t)PD_EXECUTE; /* as pd_map: devices are never executable */
    } else {
        changed.accessed = false; /* RANGE_CLEAR_ACCESSED_DIRTY */
        changed.dirty = false;
    }
    pte_store(slot, w->pd->format->encode(&changed, level));
    return false;
}

/*
 * Apply W->op to [VA, LAST] below TABLE at LEVEL. Leaves wholly inside the
 * range are changed; a large leaf partly inside is split first (unmap,
 * protect) or changed whole (clear). Returns true if the walk emptied TABLE
 * (its count fell to 0), and frees each table below that it emptied, unless
 * KEEP_TABLES (the shared kernel tables under a single root).
 *
 * A table's count is fetched only if an entry of it was removed, so an
 * unmap pays for the tables it changes, and protect and clear (which turn
 * leaves into leaves) for none. No table is empty at rest but the shared
 * kernel tables under a single root (kept anyway) and a quick slot's, which
 * no walk frees unless it removes something from it: every verb that fails
 * half-way frees the tables it made (RANGE_UNDO fetches every count, to find
 * them).
 */
static bool walk_level(struct range_walk *w, paddr_t table, unsigned level, uint64_t va,
                       uint64_t last, bool keep_tables)
{
    struct page_directory *pd = w->pd;
    pte_t *entries = table_entries(pd, table);
    unsigned removed = 0; /* entries made invalid here, counted on the way out */
    for (;;) {
        uint64_t chunk_last = MIN(block_last(va, level), last);
        bool whole = IS_ALIGNED(va, PT_LEVEL_SIZE(level)) && chunk_last == block_last(va, level);
        pte_t *slot = &entries[index_of(va, level)];
        struct pte_info info;
        walk_decode(w, pte_load(slot), level, &info);

        if (info.kind == PTE_LEAF && (whole || !w->split)) {
            removed += apply_to_leaf(w, slot, level, &info);
        } else if (info.kind != PTE_INVALID) {
            if (info.kind == PTE_LEAF) {
                split_leaf(w, slot, level, va & ~(PT_LEVEL_SIZE(level) - 1));
                decode(pd, pte_load(slot), level, &info);
            }
            bool emptied = walk_level(w, info.phys, level - 1, va, chunk_last, false);
            if (emptied && !keep_tables) {
                pte_store(slot, 0);
                table_free(pd, info.phys);
                removed++;
            }
        }
        if (chunk_last == last)
            break;
        va = chunk_last + 1;
    }
    if (removed == 0 && w->op != RANGE_UNDO)
        return false; /* nothing removed here: not emptied by this walk */
    return count_update(pd, table, -(int)removed) == 0;
}

/* How many splits the boundary at ADDR needs for the range [VA, LAST]. */
static unsigned splits_at(const struct page_directory *pd, uint64_t addr, uint64_t va,
                          uint64_t last)
{
    unsigned level = root_level(pd->format);
    paddr_t table = root_for(pd, addr);
    for (;;) {
        struct pte_info info;
        decode(pd, pte_load(&table_entries(pd, table)[index_of(addr, level)]), level, &info);
        if (info.kind == PTE_INVALID)
            return 0;
        if (info.kind == PTE_LEAF)
            break;
        table = info.phys;
        level--;
    }
    unsigned splits = 0;
    for (; level > 0; level--) {
        uint64_t start = addr & ~(PT_LEVEL_SIZE(level) - 1);
        if (start >= va && block_last(addr, level) <= last)
            break; /* this block, and every smaller one, lies inside the range */
        splits++;
    }
    return splits;
}

static int walk_range(struct page_directory *pd, enum range_op op, uint32_t prot, uint64_t va,
                      uint64_t size)
{
    struct range_walk w = { .pd = pd, .op = op, .prot = prot,
                            .split = op != RANGE_CLEAR_ACCESSED_DIRTY };
    uint64_t last = va + size - 1;
    if (w.split) {
        int err = reserve_fill(pd, &w.reserve, splits_at(pd, va, va, last) +
                                                   splits_at(pd, last, va, last));
        if (err)
            return err;
    }
    bool keep = is_kernel(pd) && !pd->format->split_roots;
    /* A root lives as long as its directory: what it holds afterwards does not matter here. */
    (void)walk_level(&w, root_for(pd, va), root_level(pd->format), va, last, keep);
    reserve_release(pd, &w.reserve);
    pd_flush_range(pd, vaddr(va), size);
    return 0;
}

static void undo_range(struct page_directory *pd, uint64_t va, uint64_t last)
{
    /* Used only on ranges whose leaves all lie inside it: no split, cannot fail. */
    int err = walk_range(pd, RANGE_UNDO, 0, va, last - va + 1);
    (void)err;
}

int pd_unmap(struct page_directory *pd, vaddr_t va, size_t size)
{
    int err = check_range(pd, va.value, size);
    if (err)
        return err;
    return walk_range(pd, RANGE_UNMAP, 0, va.value, size);
}

int pd_protect(struct page_directory *pd, vaddr_t va, size_t size, uint32_t prot)
{
    int err = check_range(pd, va.value, size);
    if (!err)
        err = check_prot(pd, prot);
    if (err)
        return err;
    return walk_range(pd, RANGE_PROTECT, prot, va.value, size);
}

int pd_clear_accessed_dirty(struct page_directory *pd, vaddr_t va, size_t size)
{
    int err = check_range(pd, va.value, size);
    if (err)
        return err;
    return walk_range(pd, RANGE_CLEAR_ACCESSED_DIRTY, 0, va.value, size);
}

/* --- query and software accessed/dirty --------------------------------------- */

/* The leaf slot translating VA, and its level; NULL if none. */
static pte_t *find_leaf(const struct page_directory *pd, uint64_t va, unsigned *level_out,
                        struct pte_info *info)
{
    unsigned level = root_level(pd->format);
    paddr_t table = root_for(pd, va);
    for (;;) {
        pte_t *slot = &table_entries(pd, table)[index_of(va, level)];
        decode(pd, pte_load(slot), level, info);
        if (info->kind == PTE_INVALID)
            return NULL;
        if (info->kind == PTE_LEAF) {
            *level_out = level;
            return slot;
        }
        if (level == 0)
            return NULL; /* a table entry at the last level: the format would not make one */
        table = info->phys;
        level--;
    }
}

/* Is VA inside the part of the address space PD can translate? */
static bool translatable(const struct page_directory *pd, uint64_t va)
{
    if (in_kernel_half(pd->format, va))
        return true;
    return va < user_limit(pd->format);
}

int pd_query(const struct page_directory *pd, vaddr_t va, struct pd_query_result *result)
{
    if (!translatable(pd, va.value))
        return -E_RANGE;
    unsigned level;
    struct pte_info info;
    if (!find_leaf(pd, va.value, &level, &info))
        return -E_NOENT;
    uint64_t offset = va.value & (PT_LEVEL_SIZE(level) - 1);
    *result = (struct pd_query_result){
        .phys = paddr(info.phys.value + offset), .prot = info.prot, .type = info.type,
        .page_size = (size_t)PT_LEVEL_SIZE(level), .accessed = info.accessed, .dirty = info.dirty,
    };
    return 0;
}

int pd_update_accessed_dirty(struct page_directory *pd, vaddr_t va, int access, bool user)
{
    if (!translatable(pd, va.value))
        return -E_FAULT;
    unsigned level;
    struct pte_info info;
    pte_t *slot = find_leaf(pd, va.value, &level, &info);
    if (!slot)
        return -E_FAULT;
    uint32_t needed = access == FAULT_WRITE ? PD_WRITE : access == FAULT_EXECUTE ? PD_EXECUTE : PD_READ;
    if ((info.prot & needed) != needed || (user && !(info.prot & PD_USER)))
        return -E_FAULT;
    bool writes = access == FAULT_WRITE;
    if (info.accessed && (!writes || info.dirty))
        return -E_FAULT; /* nothing for software to set: a real fault */
    info.accessed = true;
    info.dirty = info.dirty || writes;
    pte_store(slot, pd->format->encode(&info, level));
    uint64_t base = va.value & ~(PT_LEVEL_SIZE(level) - 1);
    pd_flush_range(pd, vaddr(base), PT_LEVEL_SIZE(level));
    return 0;
}

uint64_t pd_user_limit(const struct page_directory *pd)
{
    return user_limit(pd->format);
}

const char *pd_format_name(const struct page_directory *pd)
{
    return pd->format->name;
}

/* --- quick slots ------------------------------------------------------------ */

int pd_quick_slot_init(struct page_directory *pd, vaddr_t va, struct pd_quick_slot *slot)
{
    int err = check_range(pd, va.value, PT_PAGE_SIZE);
    if (err)
        return err;
    if (!is_kernel(pd))
        return -E_RANGE;
    /* Walk down to level 0, creating tables; the entry itself must be empty. */
    unsigned level = root_level(pd->format);
    paddr_t table = root_for(pd, va.value);
    for (; level > 0; level--) {
        pte_t *slot_entry = &table_entries(pd, table)[index_of(va.value, level)];
        struct pte_info info;
        decode(pd, pte_load(slot_entry), level, &info);
        if (info.kind == PTE_LEAF)
            return -E_EXIST;
        if (info.kind == PTE_INVALID) {
            err = table_alloc(pd, &info.phys);
            if (err) {
                undo_range(pd, va.value, va.value + PT_PAGE_SIZE - 1); /* the tables made so far */
                return err;
            }
            info.kind = PTE_TABLE;
            pte_store(slot_entry, pd->format->encode(&info, level));
            (*table_valid(pd, table))++;
        }
        table = info.phys;
    }
    pte_t *entry = &table_entries(pd, table)[index_of(va.value, 0)];
    if (pte_load(entry) != 0)
        return -E_EXIST;
    *slot = (struct pd_quick_slot){
        .pd = pd, .va = va, .entry = entry, .valid = table_valid(pd, table),
    };
    return 0;
}

/* The slot's entry is counted while it maps a page, like any other. */
void pd_quick_enter(struct pd_quick_slot *slot, paddr_t pa)
{
    struct pte_info leaf = {
        .kind = PTE_LEAF, .phys = pa, .prot = PD_READ | PD_WRITE | PD_GLOBAL,
        .type = MEMORY_TYPE_NORMAL, .accessed = true, .dirty = true,
    };
    pte_t *entry = slot->entry;
    if (pte_load(entry) == 0)
        (*slot->valid)++;
    pte_store(entry, slot->pd->format->encode(&leaf, 0));
    pd_flush_range(slot->pd, slot->va, PT_PAGE_SIZE);
}

void pd_quick_remove(struct pd_quick_slot *slot)
{
    pte_t *entry = slot->entry;
    if (pte_load(entry) != 0)
        (*slot->valid)--;
    pte_store(entry, 0);
    pd_flush_range(slot->pd, slot->va, PT_PAGE_SIZE);
}

/* --- checking the counts (for tests) ------------------------------------------- */

/* Tables below TABLE at LEVEL, from entry FIRST to END, whose count is not a scan's. */
static size_t tree_mismatches(const struct page_directory *pd, paddr_t table, unsigned level,
                              unsigned first, unsigned end)
{
    size_t mismatches = *table_valid(pd, table) != table_scan(pd, table);
    const pte_t *entries = table_entries(pd, table);
    for (unsigned i = first; level > 0 && i < end; i++) {
        struct pte_info info;
        decode(pd, pte_load(&entries[i]), level, &info);
        if (info.kind == PTE_TABLE)
            mismatches += tree_mismatches(pd, info.phys, level - 1, 0, PT_ENTRIES);
    }
    return mismatches;
}

size_t pt_count_mismatches(const struct page_directory *pd)
{
    unsigned first, end;
    owned_root_indices(pd, &first, &end);
    return tree_mismatches(pd, pd->root, root_level(pd->format), first, end);
}
