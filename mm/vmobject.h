/*
 * VMObjects: what a region's memory is made of (the seed's VMObject family).
 * A VMObject is a reference-counted array of page slots; regions map windows
 * of it. Kinds share this header and differ in an operations table:
 *
 *   anonymous   memory that starts as zeros (mm/anon_vmobject.c)
 *   inode       a file's pages, shared or private (mm/inode_vmobject.c)
 *   MMIO        a device's physical range (mm/mmio_vmobject.c)
 *
 * A page slot holds one of:
 *   paddr(0)               no page: nothing has been promised for it
 *   phys_zero_page()       reads as zeros; mapped read-only, never written
 *   PHYS_LAZY_COMMITTED    reads as zeros; a page is committed for it and is
 *                          taken from the object's commitment on first write
 *   any other address      a real page this object holds a reference on
 */
#pragma once

#include "mm/phys.h"
#include <pagoda/fault.h>

enum vmobject_kind {
    VMOBJECT_ANONYMOUS,
    VMOBJECT_INODE,
    VMOBJECT_MMIO,
};

/* How an anonymous object gets its memory (the seed's AllocationStrategy). */
enum allocation_strategy {
    ALLOCATION_RESERVE,      /* commit every page now, allocate each on first write */
    ALLOCATION_ALLOCATE_NOW, /* commit and allocate (zeroed) every page now */
    ALLOCATION_NONE,         /* promise nothing: a first write may find no memory */
};

struct vmobject;

struct vmobject_ops {
    const char *name;
    /* Release everything the object holds (its last reference went). */
    void (*destroy)(struct vmobject *vmo);
};

struct region;

struct vmobject {
    const struct vmobject_ops *ops;
    enum vmobject_kind kind;
    uint32_t refcount;
    uint64_t page_count;
    paddr_t *pages;          /* page_count slots */
    struct region *mappers;  /* the regions mapping this object (mm/address_space.c keeps it) */
    /*
     * While as_fork runs only: this object's clone in the child, made at the
     * first region that maps the object, so that every region mapping it
     * maps the same clone (holds the clone's first reference); else NULL.
     */
    struct vmobject *fork_clone;
};

/* Does SLOT hold a real page (not empty, not the zero page, not the lazy marker)? */
static inline bool vmobject_slot_is_page(paddr_t slot)
{
    return slot.value != 0 && slot.value != phys_zero_page().value &&
           slot.value != PHYS_LAZY_COMMITTED.value;
}

/* Take and drop a reference; the object is destroyed with its last one. */
void vmobject_ref(struct vmobject *vmo);
void vmobject_unref(struct vmobject *vmo);

/*
 * A set of an object's slots, one bit per slot (bit INDEX % 64 of word
 * INDEX / 64), vmobject_slot_set_words(page_count) words: the slots a fork
 * hands on to a clone, which are those the child's regions map. Where a
 * set is read, NULL stands for every slot.
 */
#define VMOBJECT_SLOTS_PER_WORD 64

static inline uint64_t vmobject_slot_set_words(uint64_t page_count)
{
    return page_count / VMOBJECT_SLOTS_PER_WORD + (page_count % VMOBJECT_SLOTS_PER_WORD != 0);
}

static inline bool vmobject_slot_set_has(const uint64_t *set, uint64_t index)
{
    if (!set)
        return true;
    return (set[index / VMOBJECT_SLOTS_PER_WORD] >> (index % VMOBJECT_SLOTS_PER_WORD)) & 1;
}

/* Add slots [FIRST, FIRST + COUNT) to SET, a word at a time. */
static inline void vmobject_slot_set_add(uint64_t *set, uint64_t first, uint64_t count)
{
    uint64_t end = first + count;
    while (first < end) {
        uint64_t bit = first % VMOBJECT_SLOTS_PER_WORD;
        uint64_t run = MIN(VMOBJECT_SLOTS_PER_WORD - bit, end - first);
        uint64_t ones = run == VMOBJECT_SLOTS_PER_WORD ? UINT64_MAX : (UINT64_C(1) << run) - 1;
        set[first / VMOBJECT_SLOTS_PER_WORD] |= ones << bit;
        first += run;
    }
}

/* --- anonymous memory ---------------------------------------------------------- */

/*
 * A new anonymous object of PAGES pages. RESERVE and ALLOCATE_NOW commit all
 * of them now and fail with -E_NOMEM (nothing changed) if they cannot;
 * NONE never fails for lack of memory here. -E_INVAL for 0 pages.
 */
int anon_vmobject_create(uint64_t pages, enum allocation_strategy strategy,
                         struct vmobject **out) MUST_CHECK;

/*
 * The fork of an anonymous object: a new object sharing every page with
 * VMO, both now copy-on-write. Commits now everything breaking the sharing
 * can need (one page per shared real page, shared by both objects, plus the
 * clone's own share of VMO's not-yet-used commitment), so that no later
 * write fault on committed memory can fail; -E_NOMEM if that cannot be had.
 */
int anon_vmobject_clone(struct vmobject *vmo, struct vmobject **out) MUST_CHECK;
/*
 * The same for the slots in SLOTS only (a vmobject_slot_set; NULL: every
 * slot), which is what a fork does: the clone takes, and commits for, only
 * the slots the child's regions map. Its other slots read as zeros and
 * promise nothing (no region of the child maps them); VMO keeps its pages
 * there, not shared.
 */
int anon_vmobject_clone_slots(struct vmobject *vmo, const uint64_t *slots,
                              struct vmobject **out) MUST_CHECK;

/* Must a write to page INDEX copy it first? (In a shared region, never.) */
bool anon_vmobject_should_cow(const struct vmobject *vmo, uint64_t index, bool shared);

/*
 * Give page INDEX a real, zeroed page for a write (its slot held no page,
 * the zero page, or the lazy-committed marker): from the object's
 * commitment if it has one for the slot, else newly allocated.
 * FAULT_RESPONSE_OUT_OF_MEMORY only for uncommitted memory.
 */
enum fault_response anon_vmobject_zero_fault(struct vmobject *vmo, uint64_t index);

/*
 * Break copy-on-write for page INDEX: if no one else holds the page, keep
 * it (and release the page committed for the copy); else copy it into a
 * page from the shared COW commitment (or a new page for uncommitted memory).
 */
enum fault_response anon_vmobject_cow_fault(struct vmobject *vmo, uint64_t index);

/*
 * Purgeable memory: a volatile object's pages may be reclaimed under
 * pressure. Setting it non-volatile again reports in *WAS_PURGED whether
 * they were (the contents are then zeros). Making it non-volatile commits
 * its pages again: -E_NOMEM if that fails (it then stays volatile).
 */
int anon_vmobject_set_volatile(struct vmobject *vmo, bool is_volatile, bool *was_purged) MUST_CHECK;
bool anon_vmobject_is_volatile(const struct vmobject *vmo);
/* Reclaim a volatile object's pages now; returns how many were freed (0 if not volatile). */
uint64_t anon_vmobject_purge(struct vmobject *vmo);

/* Pages committed to VMO and not yet used (its own plus its share of COW pages). */
uint64_t anon_vmobject_committed_pages(const struct vmobject *vmo);

/* --- files ------------------------------------------------------------------------- */

struct vfile;

/*
 * The file's shared object (one per file: every shared mapping sees the same
 * pages, and writes reach the file on inode_vmobject_sync), or a new private
 * object over it (reads see the file, writes copy the page first). Pages are
 * read in on first touch. -E_NOMEM; -E_INVAL for an empty file.
 */
int inode_vmobject_shared(struct vfile *file, struct vmobject **out) MUST_CHECK;
int inode_vmobject_private(struct vfile *file, struct vmobject **out) MUST_CHECK;

/*
 * Resolve a fault on page INDEX of an inode object: *PAGE is the page to
 * map, *WRITABLE whether it may be mapped writable now (a shared page is
 * first mapped read-only so that the first write marks it dirty; a private
 * object's view of the file is read-only until it copies the page, and a
 * page it shares with a fork is read-only until a write copies it, or
 * finds it is the last holder and keeps it). OutOfMemory only if a page
 * nothing was committed for cannot be had: a page-cache page, or a private
 * object's first copy of a file page; never for breaking a fork's sharing.
 */
enum fault_response inode_vmobject_fault(struct vmobject *vmo, uint64_t index,
                                         enum fault_access access, paddr_t *page,
                                         bool *writable);
/*
 * The fork of a private inode object: a new private object over the same
 * file sharing the pages VMO wrote, both now copy-on-write (the caller must
 * take write access away from VMO's mappings of them). Commits now one page
 * per shared page, in a commitment the whole family of clones shares, so
 * that no write to those pages can fail later; -E_NOMEM (nothing changed)
 * if that cannot be had. Pages neither has written stay the file's.
 * Only the slots in SLOTS (a vmobject_slot_set; NULL: every slot) are
 * shared: a fork passes those the child's regions map; in the others the
 * clone shows the file, and VMO keeps its pages unshared.
 */
int inode_vmobject_clone_private(struct vmobject *vmo, const uint64_t *slots,
                                 struct vmobject **out) MUST_CHECK;
/* Is page INDEX of a shared inode object written since it was read in or synced? */
bool inode_vmobject_page_dirty(const struct vmobject *vmo, uint64_t index);
/* Is VMO the file's shared object (rather than a private one)? */
bool inode_vmobject_is_shared(const struct vmobject *vmo);
/*
 * Write the dirty pages of a shared object back to its file; *WRITTEN gets
 * their number. The caller then unmaps them from every mapper, so that the
 * next write marks them dirty again (as_sync_vmobject does both).
 */
int inode_vmobject_sync(struct vmobject *vmo, uint64_t *written) MUST_CHECK;

/* --- device memory ---------------------------------------------------------------- */

/*
 * An MMIO object: PAGES pages of a device's registers from physical address
 * BASE (page aligned). Its slots are the device's addresses, never RAM pages:
 * they are not reference-counted, never zero-filled and never copied (a fork
 * shares the object). Regions mapping it should use MEMORY_TYPE_IO.
 * -E_ALIGN, -E_INVAL (0 pages), -E_RANGE (wraps), -E_OVERLAP (BASE is RAM
 * that mm/phys manages), -E_NOMEM.
 */
int mmio_vmobject_create(paddr_t base, uint64_t pages, struct vmobject **out) MUST_CHECK;
