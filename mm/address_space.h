/*
 * AddressSpace: a user page directory and the regions mapped in it (the
 * seed's AddressSpace). Regions are allocated at a given or any address,
 * unmapped and re-protected in part (splitting them), forked copy-on-write,
 * and destroyed with everything they hold returned; page faults in the space
 * are resolved by as_handle_fault().
 */
#pragma once

#include "mm/region.h"
#include "mm/vfile.h"
#include <pagoda/fault.h>

struct address_space {
    struct page_directory pd;
    struct region_tree regions;
};

struct as_stats {
    uint64_t amount_virtual;            /* bytes in regions */
    uint64_t amount_resident;           /* bytes backed by real pages */
    /*
     * Resident bytes whose page another object also holds: copy-on-write
     * sharing after a fork. A shared region's pages, one object however many
     * spaces map it, do not count.
     */
    uint64_t amount_shared;
    uint64_t amount_dirty_private;      /* resident bytes of private anonymous memory */
    uint64_t amount_purgeable_volatile; /* resident bytes of volatile purgeable memory */
    uint64_t amount_clean_inode;        /* file pages not written since read in or synced */
};

/* An empty address space sharing KERNEL's kernel half, tagged ASID. */
int as_create(struct address_space *as, struct page_directory *kernel, uint16_t asid) MUST_CHECK;
/* Unmap and release every region, then the page directory. */
void as_destroy(struct address_space *as);

/*
 * A new anonymous region of SIZE bytes with ACCESS (enum region_access) and
 * FLAGS, at VA if VA is not 0 (fixed; it must not overlap), else at the
 * lowest free address aligned to ALIGN (0: a page). Errors: -E_INVAL (no
 * access, size 0, bad alignment), -E_ALIGN, -E_RANGE (outside the user
 * half, or wrapping), -E_EXIST (a fixed range overlaps a region), -E_NOMEM
 * (no free range, or the commitment STRATEGY asks for cannot be made).
 */
int as_allocate_region(struct address_space *as, uint64_t va, uint64_t size, uint64_t align,
                       uint32_t access, uint32_t flags, enum allocation_strategy strategy,
                       const char *name, struct region **out) MUST_CHECK;

/*
 * Map pages [OFFSET_PAGES, OFFSET_PAGES + SIZE/page) of VMO (taking a
 * reference) as a region, with the same rules as as_allocate_region.
 * -E_RANGE if the window runs past the end of the object.
 */
int as_map_vmobject(struct address_space *as, uint64_t va, uint64_t size, uint64_t align,
                    uint32_t access, uint32_t flags, enum memory_type type,
                    struct vmobject *vmo, uint64_t offset_pages, const char *name,
                    struct region **out) MUST_CHECK;

/*
 * Unmap [VA, VA+SIZE): regions inside are removed, regions across an end
 * are cut, a region around the whole range is split in two. Holes are
 * skipped. -E_PERM if an immutable region meets the range (nothing changes).
 */
int as_unmap(struct address_space *as, uint64_t va, uint64_t size) MUST_CHECK;

/*
 * Give [VA, VA+SIZE), which regions must cover completely (-E_NOENT
 * otherwise), the rights ACCESS, splitting regions at the ends. -E_PERM if
 * an immutable region meets the range, -E_INVAL for no access; nothing
 * changes on error. Pages already mapped are unmapped, to be mapped again
 * with the new rights by the next fault.
 */
int as_protect(struct address_space *as, uint64_t va, uint64_t size, uint32_t access) MUST_CHECK;

/*
 * Fork PARENT into CHILD (tagged ASID): shared regions share their objects,
 * private ones become copy-on-write clones. -E_NOMEM if the commitment the
 * clones need cannot be made (CHILD is then not created; PARENT keeps
 * working, though pages it shared for a moment are copy-on-write until written).
 */
int as_fork(struct address_space *parent, struct address_space *child, uint16_t asid) MUST_CHECK;

/* The region containing VA, or NULL. */
struct region *as_find_region(struct address_space *as, uint64_t va);

/*
 * Resolve FAULT in AS: the region must allow the access (else ShouldCrash,
 * with the reason printed); then zero-fill, copy-on-write, or map the page
 * the object already has. OutOfMemory only for uncommitted memory.
 */
enum fault_response as_handle_fault(struct address_space *as, const struct fault *fault);
/* The same, also giving the region FAULT was in (NULL if none). */
enum fault_response as_handle_fault_in_region(struct address_space *as, const struct fault *fault,
                                              const struct region **region);

/*
 * Map SIZE bytes of FILE from page OFFSET_PAGES: with REGION_SHARED through
 * the file's shared object (writes reach the file on as_sync_vmobject), else
 * privately (copy-on-write over the file). -E_PERM for a shared writable
 * mapping of a read-only file; -E_RANGE past the end of the file; else as
 * as_map_vmobject.
 */
int as_map_file(struct address_space *as, uint64_t va, uint64_t size, uint32_t access,
                uint32_t flags, struct vfile *file, uint64_t offset_pages, const char *name,
                struct region **out) MUST_CHECK;

/*
 * Write a file's shared object's dirty pages back to the file (*WRITTEN of
 * them), then unmap its pages everywhere so the next write marks them dirty
 * again. -E_INVAL for a private object, -E_PERM for a read-only file.
 */
int as_sync_vmobject(struct vmobject *vmo, uint64_t *written) MUST_CHECK;

/*
 * Reclaim the pages of a volatile purgeable object (anon_vmobject_purge),
 * after unmapping them from every address space that maps it. Returns the
 * pages freed (0 if the object is not volatile).
 */
uint64_t as_purge_vmobject(struct vmobject *vmo);

/*
 * Read (FAULT_READ) or write (FAULT_WRITE) the 64-bit word at VA (8-byte
 * aligned) as the space's program would, from the kernel: the page
 * directory's mapping is checked, a missing or insufficient one goes
 * through as_handle_fault() like a hardware fault, and the word is then
 * reached through quickmap (the copy-in/copy-out path). Returns the fault
 * response that stopped the access, or Continue.
 */
enum fault_response as_access_word(struct address_space *as, uint64_t va,
                                   enum fault_access access, uint64_t *value);

void as_get_stats(struct address_space *as, struct as_stats *stats);

/* Print the regions and the statistics (for the default run and for people). */
void as_print(struct address_space *as, const char *title);
