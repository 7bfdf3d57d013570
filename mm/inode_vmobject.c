/*
 * Inode VMObjects (the seed's SharedInodeVMObject and PrivateInodeVMObject):
 * the pages of a file. A file has at most one shared object; its slots are
 * the file's page cache, filled on first touch, with a dirty byte per page
 * that sync clears after writing the page back. A private object keeps its
 * own copies of the pages it wrote and shows the shared object's pages,
 * read-only, for the rest: a page it never wrote follows the file's page
 * cache, shared writes included (as Linux's MAP_PRIVATE; POSIX leaves it open).
 *
 * Fork. A private object's clone shares the pages it wrote, copy-on-write:
 * a page held by more than one object is mapped read-only everywhere, and
 * the first write on any side copies it, or keeps it if every other holder
 * has let go. Only private objects hold references on these pages (the
 * page cache's pages and mappings take none), so "held by another" is
 * "reference count above 1" and no per-slot bit is needed.
 *
 * Accounting. Page-cache pages are allocated when a fault needs them, and
 * that allocation can fail (OutOfMemory): a file is memory the system may
 * always refuse to cache. A private object's first write to a page copies a
 * cache page that may itself have to be read in first, so it cannot be
 * promised either: it is uncommitted, and may find no memory. What a fork
 * adds is committed, as for anonymous memory: the clone commits one page
 * per page it shares, into a COW set (struct inode_cow_set) shared by every
 * object of the family, which holds at all times
 *
 *     sum over the family's private pages of (refcount - 1)
 *
 * pages. A holder that copies takes one page from it; a holder that lets go
 * of a page others still hold gives one back; the last holder keeps the page
 * for free. So a write to a page written before the fork never fails, and a
 * fork that cannot commit this fails at once, with nothing changed. A fork
 * clones an object once, sharing only the pages the child's regions map: a
 * page the parent wrote and then unmapped is neither shared nor committed for.
 *
 * Locking: none yet. The caller (the address space) serialises calls on an
 * object, and on the objects of one family.
 */
#include "mm/kmalloc.h"
#include "mm/quickmap.h"
#include "mm/vfile.h"
#include "mm/vmobject.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>

/* Pages committed for the copies a family's shared private pages may still need. */
struct inode_cow_set {
    uint32_t users;                    /* private objects that reference the set */
    struct phys_commitment commitment;
};

struct inode_vmobject {
    struct vmobject vmo;        /* first, so a vmobject pointer converts */
    struct vfile *file;
    struct vmobject *shared;    /* private objects: the file's shared object (a reference) */
    struct inode_cow_set *cow_set; /* private objects: NULL until a fork shares a page */
    uint8_t *dirty;             /* shared objects: one byte per page */
};

static void inode_vmobject_destroy(struct vmobject *vmo);

static const struct vmobject_ops inode_vmobject_ops = {
    .name = "inode",
    .destroy = inode_vmobject_destroy,
};

static struct inode_vmobject *inode_of(struct vmobject *vmo)
{
    ASSERT(vmo->kind == VMOBJECT_INODE && vmo->ops == &inode_vmobject_ops);
    return (struct inode_vmobject *)vmo;
}

static const struct inode_vmobject *inode_of_const(const struct vmobject *vmo)
{
    ASSERT(vmo->kind == VMOBJECT_INODE && vmo->ops == &inode_vmobject_ops);
    return (const struct inode_vmobject *)vmo;
}

static uint64_t file_pages(const struct vfile *file)
{
    return (file->size + PHYS_PAGE_SIZE - 1) / PHYS_PAGE_SIZE;
}

static struct inode_vmobject *inode_new(struct vfile *file, bool shared)
{
    uint64_t pages = file_pages(file);
    struct inode_vmobject *o = kzalloc(sizeof(*o));
    paddr_t *slots = kzalloc(pages * sizeof(paddr_t));
    uint8_t *dirty = shared ? kzalloc(pages) : NULL;
    if (!o || !slots || (shared && !dirty)) {
        kfree(o);
        kfree(slots);
        kfree(dirty);
        return NULL;
    }
    o->vmo = (struct vmobject){
        .ops = &inode_vmobject_ops, .kind = VMOBJECT_INODE, .refcount = 1,
        .page_count = pages, .pages = slots,
    };
    o->file = file;
    o->dirty = dirty;
    return o;
}

int inode_vmobject_shared(struct vfile *file, struct vmobject **out)
{
    if (file->size == 0)
        return -E_INVAL;
    if (file->shared) {
        vmobject_ref(file->shared);
        *out = file->shared;
        return 0;
    }
    struct inode_vmobject *o = inode_new(file, true);
    if (!o)
        return -E_NOMEM;
    file->shared = &o->vmo;
    *out = &o->vmo;
    return 0;
}

int inode_vmobject_private(struct vfile *file, struct vmobject **out)
{
    struct vmobject *shared;
    int err = inode_vmobject_shared(file, &shared);
    if (err)
        return err;
    struct inode_vmobject *o = inode_new(file, false);
    if (!o) {
        vmobject_unref(shared);
        return -E_NOMEM;
    }
    o->shared = shared;
    *out = &o->vmo;
    return 0;
}

/* Is PAGE, a private object's own page, held by another object of its family too? */
static bool page_is_shared(paddr_t page)
{
    return phys_page_refcount(page) > 1;
}

/* Drop O's reference on its COW set; what is left of it goes back with the last user. */
static void cow_set_put(struct inode_vmobject *o)
{
    struct inode_cow_set *set = o->cow_set;
    if (!set)
        return;
    o->cow_set = NULL;
    ASSERT(set->users > 0);
    if (--set->users > 0)
        return;
    phys_uncommit(&set->commitment);
    kfree(set);
}

int inode_vmobject_clone_private(struct vmobject *vmo, const uint64_t *slots,
                                 struct vmobject **out)
{
    struct inode_vmobject *parent = inode_of(vmo);
    ASSERT(parent->shared);
    uint64_t held = 0;
    for (uint64_t i = 0; i < vmo->page_count; i++)
        held += vmobject_slot_set_has(slots, i) && vmobject_slot_is_page(vmo->pages[i]);

    /* Get everything that can fail first; then sharing the pages cannot. */
    struct vmobject *clone;
    struct phys_commitment copies = { 0 };
    struct inode_cow_set *new_set = NULL;
    int err = inode_vmobject_private(parent->file, &clone);
    if (err)
        return err;
    err = phys_commit(held, &copies);
    if (err)
        goto fail;
    if (held > 0 && !parent->cow_set) {
        new_set = kzalloc(sizeof(*new_set));
        if (!new_set) {
            err = -E_NOMEM;
            goto fail;
        }
        new_set->users = 1;
        parent->cow_set = new_set;
    }

    if (held > 0) {
        struct inode_cow_set *set = parent->cow_set;
        /* A commitment is a count of promised pages, so two of them add up. */
        set->commitment.remaining += copies.remaining;
        copies.remaining = 0;
        set->users++;
        inode_of(clone)->cow_set = set;
    }
    for (uint64_t i = 0; i < vmo->page_count; i++) {
        /* Slots not taken stay empty: the clone shows the file there. */
        if (!vmobject_slot_set_has(slots, i) || !vmobject_slot_is_page(vmo->pages[i]))
            continue;
        phys_page_ref(vmo->pages[i]);
        clone->pages[i] = vmo->pages[i];
    }
    *out = clone;
    return 0;
fail:
    phys_uncommit(&copies);
    vmobject_unref(clone);
    return err;
}

bool inode_vmobject_is_shared(const struct vmobject *vmo)
{
    return inode_of_const(vmo)->shared == NULL;
}

/* Page INDEX of the file's cache, read in from the file on first use. */
static enum fault_response cache_page(struct inode_vmobject *o, uint64_t index, paddr_t *page)
{
    if (vmobject_slot_is_page(o->vmo.pages[index])) {
        *page = o->vmo.pages[index];
        return FAULT_RESPONSE_CONTINUE;
    }
    paddr_t fresh;
    if (phys_alloc_page(PHYS_USAGE_FILE, &fresh) != 0)
        return FAULT_RESPONSE_OUT_OF_MEMORY;
    uint64_t offset = index * PHYS_PAGE_SIZE;
    uint64_t length = MIN(PHYS_PAGE_SIZE, o->file->size - offset);
    uint8_t *bytes = quickmap_map(fresh);
    memcpy(bytes, o->file->data + offset, length);
    memset(bytes + length, 0, PHYS_PAGE_SIZE - length); /* past the end of the file: zeros */
    quickmap_unmap(bytes);
    o->vmo.pages[index] = fresh;
    *page = fresh;
    return FAULT_RESPONSE_CONTINUE;
}

/*
 * A write to page INDEX of private object O, which holds that page together
 * with others of its family: copy it into a page from the family's COW set
 * (which holds one for every such holder, so this cannot fail).
 */
static paddr_t break_cow(struct inode_vmobject *o, uint64_t index)
{
    paddr_t old = o->vmo.pages[index];
    ASSERT(o->cow_set && o->cow_set->commitment.remaining > 0);
    paddr_t copy = phys_commitment_take(&o->cow_set->commitment, PHYS_USAGE_ANONYMOUS);
    quickmap_copy_page(copy, old);
    phys_page_unref(old); /* others hold it: this does not free it */
    o->vmo.pages[index] = copy;
    return copy;
}

/*
 * A write to page INDEX of private object O, which has no page of its own
 * there yet: a copy of the file's page FILE_PAGE, in a page nothing was
 * committed for.
 */
static enum fault_response copy_file_page(struct inode_vmobject *o, uint64_t index,
                                          paddr_t file_page, paddr_t *page)
{
    paddr_t copy;
    if (phys_alloc_page(PHYS_USAGE_ANONYMOUS, &copy) != 0)
        return FAULT_RESPONSE_OUT_OF_MEMORY;
    quickmap_copy_page(copy, file_page);
    o->vmo.pages[index] = copy;
    *page = copy;
    return FAULT_RESPONSE_CONTINUE;
}

enum fault_response inode_vmobject_fault(struct vmobject *vmo, uint64_t index,
                                         enum fault_access access, paddr_t *page, bool *writable)
{
    struct inode_vmobject *o = inode_of(vmo);
    ASSERT(index < vmo->page_count);
    if (!o->shared) {
        enum fault_response response = cache_page(o, index, page);
        if (response == FAULT_RESPONSE_CONTINUE && access == FAULT_WRITE)
            o->dirty[index] = 1;
        *writable = o->dirty[index];
        return response;
    }
    /* Private: our own page if we wrote one (copy-on-write while the family shares it)... */
    paddr_t own = vmo->pages[index];
    if (vmobject_slot_is_page(own)) {
        bool others_hold = page_is_shared(own);
        if (access == FAULT_WRITE && others_hold) {
            own = break_cow(o, index);
            others_hold = false;
        }
        *page = own;
        *writable = !others_hold; /* alone, it is ours to write, even if it was shared before */
        return FAULT_RESPONSE_CONTINUE;
    }
    /* ... else the file's page, read-only until we write it. */
    paddr_t file_page;
    enum fault_response response = cache_page(inode_of(o->shared), index, &file_page);
    if (response != FAULT_RESPONSE_CONTINUE || access != FAULT_WRITE) {
        *page = file_page;
        *writable = false;
        return response;
    }
    *writable = true;
    return copy_file_page(o, index, file_page, page);
}

bool inode_vmobject_page_dirty(const struct vmobject *vmo, uint64_t index)
{
    const struct inode_vmobject *o = inode_of_const(vmo);
    return !o->shared && o->dirty[index];
}

int inode_vmobject_sync(struct vmobject *vmo, uint64_t *written)
{
    struct inode_vmobject *o = inode_of(vmo);
    *written = 0;
    if (o->shared)
        return -E_INVAL; /* a private object's writes never reach the file */
    if (!o->file->writable)
        return -E_PERM;
    for (uint64_t i = 0; i < vmo->page_count; i++) {
        if (!o->dirty[i])
            continue;
        uint64_t offset = i * PHYS_PAGE_SIZE;
        const uint8_t *bytes = quickmap_map(vmo->pages[i]);
        memcpy(o->file->data + offset, bytes, MIN(PHYS_PAGE_SIZE, o->file->size - offset));
        quickmap_unmap((void *)bytes);
        o->dirty[i] = 0;
        (*written)++;
    }
    return 0;
}

static void inode_vmobject_destroy(struct vmobject *vmo)
{
    struct inode_vmobject *o = inode_of(vmo);
    for (uint64_t i = 0; i < vmo->page_count; i++) {
        paddr_t page = vmo->pages[i];
        if (!vmobject_slot_is_page(page))
            continue;
        if (o->shared && page_is_shared(page)) {
            /* The copy committed for this holder will never be made. */
            ASSERT(o->cow_set);
            phys_commitment_release(&o->cow_set->commitment, 1);
        }
        phys_page_unref(page);
    }
    if (o->shared) {
        cow_set_put(o);
        vmobject_unref(o->shared);
    } else {
        o->file->shared = NULL;
    }
    kfree(o->dirty);
    kfree(vmo->pages);
    kfree(o);
}
