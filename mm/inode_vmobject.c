/*
 * Inode VMObjects (the seed's SharedInodeVMObject and PrivateInodeVMObject):
 * the pages of a file. A file has at most one shared object; its slots are
 * the file's page cache, filled on first touch, with a dirty byte per page
 * that sync clears after writing the page back. A private object keeps its
 * own copies of the pages it wrote and shows the shared object's pages,
 * read-only, for the rest. Accounting: page-cache pages are allocated when a
 * fault needs them, and that allocation can fail (OutOfMemory); a file is
 * memory the system may always refuse to cache.
 */
#include "mm/kmalloc.h"
#include "mm/quickmap.h"
#include "mm/vfile.h"
#include "mm/vmobject.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>

struct inode_vmobject {
    struct vmobject vmo;        /* first, so a vmobject pointer converts */
    struct vfile *file;
    struct vmobject *shared;    /* private objects: the file's shared object (a reference) */
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

int inode_vmobject_clone_private(struct vmobject *vmo, struct vmobject **out)
{
    struct inode_vmobject *o = inode_of(vmo);
    ASSERT(o->shared);
    struct vmobject *clone;
    int err = inode_vmobject_private(o->file, &clone);
    if (err)
        return err;
    for (uint64_t i = 0; i < vmo->page_count; i++) {
        if (!vmobject_slot_is_page(vmo->pages[i]))
            continue;
        paddr_t copy;
        if (phys_alloc_page(PHYS_USAGE_ANONYMOUS, &copy) != 0) {
            vmobject_unref(clone); /* frees the copies made so far */
            return -E_NOMEM;
        }
        quickmap_copy_page(copy, vmo->pages[i]);
        clone->pages[i] = copy;
    }
    *out = clone;
    return 0;
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
    /* Private: our own copy if we made one, else the file's page until we write. */
    if (vmobject_slot_is_page(vmo->pages[index])) {
        *page = vmo->pages[index];
        *writable = true;
        return FAULT_RESPONSE_CONTINUE;
    }
    paddr_t file_page;
    enum fault_response response = cache_page(inode_of(o->shared), index, &file_page);
    if (response != FAULT_RESPONSE_CONTINUE || access != FAULT_WRITE) {
        *page = file_page;
        *writable = false;
        return response;
    }
    paddr_t copy;
    if (phys_alloc_page(PHYS_USAGE_ANONYMOUS, &copy) != 0)
        return FAULT_RESPONSE_OUT_OF_MEMORY;
    quickmap_copy_page(copy, file_page);
    vmo->pages[index] = copy;
    *page = copy;
    *writable = true;
    return FAULT_RESPONSE_CONTINUE;
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
        if (vmobject_slot_is_page(vmo->pages[i]))
            phys_page_unref(vmo->pages[i]);
    }
    if (o->shared)
        vmobject_unref(o->shared);
    else
        o->file->shared = NULL;
    kfree(o->dirty);
    kfree(vmo->pages);
    kfree(o);
}
