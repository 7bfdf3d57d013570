/*
 * Anonymous VMObjects (the seed's AnonymousVMObject): memory that starts as
 * zeros, with its three allocation strategies, zero faults, fork (clone)
 * with copy-on-write, purgeable (volatile) memory, and the exact commit
 * accounting behind all of them. The contract is in mm/vmobject.h.
 *
 * Commitments. An object holds one commitment of its own, which always
 * covers exactly its PHYS_LAZY_COMMITTED slots: a zero fault on such a slot
 * takes one page from it and cannot fail. Copy-on-write pages are covered
 * by a COW set (struct anon_cow_set), one commitment shared by every object
 * descended from one object through clones (a "family"). The set holds, at
 * all times,
 *
 *     sum over the family's copy-on-write pages of (refcount - 1)
 *
 * pages: a page held by K objects needs K - 1 copies before the last holder
 * owns it alone. Whenever a holder leaves a page that others still hold, one
 * page leaves the set: taken for the copy (a cow fault), or given back (the
 * holder is destroyed or purged). The last holder keeps the page for free.
 * One set per family rather than one per clone keeps this exact when an
 * object is forked again: whichever holder copies draws on the pages every
 * fork of that page committed. This relies on references to anonymous pages
 * being held by anonymous VMObjects only (mappings take none).
 *
 * A fork clones an object once, and only the slots the child will map
 * (anon_vmobject_clone_slots): a page no region of the child maps is
 * neither shared nor committed for.
 *
 * Locking: none yet. The caller (the address space) serialises calls on an
 * object, and on the objects of one family.
 */
#include "mm/vmobject.h"
#include "mm/kmalloc.h"
#include "mm/quickmap.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>

#define COW_BITS_PER_WORD 64

/* Pages committed for the copies a family's copy-on-write pages may still need. */
struct anon_cow_set {
    uint32_t users;                    /* objects that reference the set */
    struct phys_commitment commitment;
};

struct anon_vmobject {
    struct vmobject vmo;               /* first, so a vmobject pointer converts */
    uint64_t *cow;                     /* one bit per slot: write must copy first */
    struct phys_commitment commitment; /* exactly one page per lazy-committed slot */
    struct anon_cow_set *cow_set;      /* NULL until the object shares a page */
    bool is_volatile;
    bool was_purged;                   /* purge ran since the object became volatile */
};

static void anon_vmobject_destroy(struct vmobject *vmo);

static const struct vmobject_ops anon_vmobject_ops = {
    .name = "anonymous",
    .destroy = anon_vmobject_destroy,
};

static struct anon_vmobject *anon_of(struct vmobject *vmo)
{
    ASSERT(vmo->kind == VMOBJECT_ANONYMOUS && vmo->ops == &anon_vmobject_ops);
    return (struct anon_vmobject *)vmo;
}

static const struct anon_vmobject *anon_of_const(const struct vmobject *vmo)
{
    ASSERT(vmo->kind == VMOBJECT_ANONYMOUS && vmo->ops == &anon_vmobject_ops);
    return (const struct anon_vmobject *)vmo;
}

static bool cow_get(const struct anon_vmobject *a, uint64_t index)
{
    return (a->cow[index / COW_BITS_PER_WORD] >> (index % COW_BITS_PER_WORD)) & 1;
}

static void cow_set_bit(struct anon_vmobject *a, uint64_t index)
{
    a->cow[index / COW_BITS_PER_WORD] |= UINT64_C(1) << (index % COW_BITS_PER_WORD);
}

static void cow_clear_bit(struct anon_vmobject *a, uint64_t index)
{
    a->cow[index / COW_BITS_PER_WORD] &= ~(UINT64_C(1) << (index % COW_BITS_PER_WORD));
}

/* Free an object's memory (not its pages or commitments). NULL is ignored. */
static void anon_free(struct anon_vmobject *a)
{
    if (!a)
        return;
    kfree(a->cow);
    kfree(a->vmo.pages);
    kfree(a);
}

/* A new object of PAGES slots (not yet filled), refcount 1, nothing committed. */
static int anon_alloc(uint64_t pages, struct anon_vmobject **out)
{
    if (pages > SIZE_MAX / sizeof(paddr_t))
        return -E_NOMEM;
    uint64_t words = pages / COW_BITS_PER_WORD + (pages % COW_BITS_PER_WORD != 0);
    struct anon_vmobject *a = kzalloc(sizeof(*a));
    if (!a)
        goto fail;
    a->vmo.pages = kmalloc((size_t)pages * sizeof(paddr_t));
    if (!a->vmo.pages)
        goto fail;
    a->cow = kzalloc((size_t)words * sizeof(uint64_t));
    if (!a->cow)
        goto fail;
    a->vmo.ops = &anon_vmobject_ops;
    a->vmo.kind = VMOBJECT_ANONYMOUS;
    a->vmo.refcount = 1;
    a->vmo.page_count = pages;
    *out = a;
    return 0;
fail:
    anon_free(a);
    return -E_NOMEM;
}

/* Drop A's reference on its COW set; the set's leftover pages go back with its last user. */
static void cow_set_put(struct anon_vmobject *a)
{
    struct anon_cow_set *set = a->cow_set;
    if (!set)
        return;
    a->cow_set = NULL;
    ASSERT(set->users > 0);
    if (--set->users > 0)
        return;
    phys_uncommit(&set->commitment);
    kfree(set);
}

/*
 * A lets go of the real page in slot INDEX without copying it (destroy,
 * purge). If others still share it, the copy committed for this holder will
 * never be made: it goes back to the system.
 */
static void release_page(struct anon_vmobject *a, uint64_t index)
{
    paddr_t page = a->vmo.pages[index];
    if (cow_get(a, index)) {
        if (phys_page_refcount(page) > 1)
            phys_commitment_release(&a->cow_set->commitment, 1);
        cow_clear_bit(a, index);
    }
    phys_page_unref(page);
}

int anon_vmobject_create(uint64_t pages, enum allocation_strategy strategy,
                         struct vmobject **out)
{
    if (pages == 0 || (strategy != ALLOCATION_RESERVE && strategy != ALLOCATION_ALLOCATE_NOW &&
                       strategy != ALLOCATION_NONE))
        return -E_INVAL;
    ASSERT(phys_zero_page().value != 0);
    struct anon_vmobject *a;
    int err = anon_alloc(pages, &a);
    if (err)
        return err;
    if (strategy != ALLOCATION_NONE) {
        err = phys_commit(pages, &a->commitment);
        if (err)
            goto fail;
    }
    for (uint64_t i = 0; i < pages; i++) {
        paddr_t slot = phys_zero_page();
        if (strategy == ALLOCATION_RESERVE) {
            slot = PHYS_LAZY_COMMITTED;
        } else if (strategy == ALLOCATION_ALLOCATE_NOW) {
            slot = phys_commitment_take(&a->commitment, PHYS_USAGE_ANONYMOUS);
            quickmap_zero_page(slot);
        }
        a->vmo.pages[i] = slot;
    }
    *out = &a->vmo;
    return 0;
fail:
    anon_free(a);
    return err;
}

int anon_vmobject_clone(struct vmobject *vmo, struct vmobject **out)
{
    return anon_vmobject_clone_slots(vmo, NULL, out);
}

int anon_vmobject_clone_slots(struct vmobject *vmo, const uint64_t *slots, struct vmobject **out)
{
    struct anon_vmobject *parent = anon_of(vmo);
    uint64_t real = 0, lazy = 0;
    for (uint64_t i = 0; i < vmo->page_count; i++) {
        if (!vmobject_slot_set_has(slots, i))
            continue;
        if (vmo->pages[i].value == PHYS_LAZY_COMMITTED.value)
            lazy++;
        else if (vmobject_slot_is_page(vmo->pages[i]))
            real++;
    }

    /* Get everything that can fail first; then sharing the pages cannot. */
    struct anon_vmobject *clone;
    struct phys_commitment copies = { 0 };
    struct anon_cow_set *new_set = NULL;
    int err = anon_alloc(vmo->page_count, &clone);
    if (err)
        return err;
    err = phys_commit(lazy, &clone->commitment);
    if (err)
        goto fail;
    err = phys_commit(real, &copies);
    if (err)
        goto fail;
    if (real > 0 && !parent->cow_set) {
        new_set = kzalloc(sizeof(*new_set));
        if (!new_set) {
            err = -E_NOMEM;
            goto fail;
        }
    }

    if (new_set) {
        new_set->users = 1;
        parent->cow_set = new_set;
    }
    if (real > 0) {
        struct anon_cow_set *set = parent->cow_set;
        /* A commitment is a count of promised pages, so two of them add up. */
        set->commitment.remaining += copies.remaining;
        copies.remaining = 0;
        set->users++;
        clone->cow_set = set;
    }
    for (uint64_t i = 0; i < vmo->page_count; i++) {
        /* A slot the clone does not take: zeros, nothing promised, nothing shared. */
        paddr_t slot = vmobject_slot_set_has(slots, i) ? vmo->pages[i] : phys_zero_page();
        clone->vmo.pages[i] = slot;
        if (!vmobject_slot_is_page(slot))
            continue;
        phys_page_ref(slot);
        cow_set_bit(parent, i);
        cow_set_bit(clone, i);
    }
    *out = &clone->vmo;
    return 0;
fail:
    phys_uncommit(&copies);
    phys_uncommit(&clone->commitment);
    anon_free(clone);
    return err;
}

bool anon_vmobject_should_cow(const struct vmobject *vmo, uint64_t index, bool shared)
{
    const struct anon_vmobject *a = anon_of_const(vmo);
    ASSERT(index < vmo->page_count);
    if (shared)
        return false;
    return vmobject_slot_is_page(vmo->pages[index]) && cow_get(a, index);
}

enum fault_response anon_vmobject_zero_fault(struct vmobject *vmo, uint64_t index)
{
    struct anon_vmobject *a = anon_of(vmo);
    ASSERT(index < vmo->page_count);
    paddr_t slot = vmo->pages[index];
    if (vmobject_slot_is_page(slot))
        return FAULT_RESPONSE_CONTINUE; /* resolved by an earlier fault */
    paddr_t page;
    if (slot.value == PHYS_LAZY_COMMITTED.value) {
        page = phys_commitment_take(&a->commitment, PHYS_USAGE_ANONYMOUS);
    } else if (phys_alloc_page(PHYS_USAGE_ANONYMOUS, &page) != 0) {
        return FAULT_RESPONSE_OUT_OF_MEMORY;
    }
    quickmap_zero_page(page);
    vmo->pages[index] = page;
    return FAULT_RESPONSE_CONTINUE;
}

enum fault_response anon_vmobject_cow_fault(struct vmobject *vmo, uint64_t index)
{
    struct anon_vmobject *a = anon_of(vmo);
    ASSERT(index < vmo->page_count);
    paddr_t old = vmo->pages[index];
    if (!vmobject_slot_is_page(old))
        return anon_vmobject_zero_fault(vmo, index); /* nothing to copy: a first write */
    if (!cow_get(a, index))
        return FAULT_RESPONSE_CONTINUE; /* already broken */
    if (phys_page_refcount(old) == 1) {
        /*
         * The other holders copied (each taking its page from the set) or
         * let go (each giving its page back): nothing is left to release.
         */
        cow_clear_bit(a, index);
        return FAULT_RESPONSE_CONTINUE;
    }
    paddr_t page;
    if (a->cow_set && a->cow_set->commitment.remaining > 0)
        page = phys_commitment_take(&a->cow_set->commitment, PHYS_USAGE_ANONYMOUS);
    else if (phys_alloc_page(PHYS_USAGE_ANONYMOUS, &page) != 0)
        return FAULT_RESPONSE_OUT_OF_MEMORY;
    quickmap_copy_page(page, old);
    phys_page_unref(old); /* others hold it: this does not free it */
    vmo->pages[index] = page;
    cow_clear_bit(a, index);
    return FAULT_RESPONSE_CONTINUE;
}

/* Making an object volatile: it promises nothing any more, so its commitment goes back. */
static void anon_make_volatile(struct anon_vmobject *a)
{
    for (uint64_t i = 0; i < a->vmo.page_count; i++) {
        if (a->vmo.pages[i].value == PHYS_LAZY_COMMITTED.value)
            a->vmo.pages[i] = phys_zero_page();
    }
    phys_uncommit(&a->commitment);
    a->is_volatile = true;
    a->was_purged = false;
}

/* Making it non-volatile: every slot without a real page is committed again. */
static int anon_make_nonvolatile(struct anon_vmobject *a)
{
    uint64_t missing = 0;
    for (uint64_t i = 0; i < a->vmo.page_count; i++)
        missing += !vmobject_slot_is_page(a->vmo.pages[i]);
    ASSERT(a->commitment.remaining == 0); /* given back when it became volatile */
    int err = phys_commit(missing, &a->commitment);
    if (err)
        return err;
    for (uint64_t i = 0; i < a->vmo.page_count; i++) {
        if (!vmobject_slot_is_page(a->vmo.pages[i]))
            a->vmo.pages[i] = PHYS_LAZY_COMMITTED;
    }
    a->is_volatile = false;
    return 0;
}

int anon_vmobject_set_volatile(struct vmobject *vmo, bool is_volatile, bool *was_purged)
{
    struct anon_vmobject *a = anon_of(vmo);
    if (is_volatile) {
        if (!a->is_volatile)
            anon_make_volatile(a);
    } else if (a->is_volatile) {
        int err = anon_make_nonvolatile(a);
        if (err)
            return err;
        if (was_purged)
            *was_purged = a->was_purged;
        a->was_purged = false;
        return 0;
    }
    if (was_purged)
        *was_purged = a->was_purged;
    return 0;
}

bool anon_vmobject_is_volatile(const struct vmobject *vmo)
{
    return anon_of_const(vmo)->is_volatile;
}

/*
 * The object does not know where it is mapped: the caller (the address
 * space) must unmap its pages first, or the mappings would keep pointing at
 * freed pages.
 */
uint64_t anon_vmobject_purge(struct vmobject *vmo)
{
    struct anon_vmobject *a = anon_of(vmo);
    if (!a->is_volatile)
        return 0;
    uint64_t purged = 0;
    for (uint64_t i = 0; i < vmo->page_count; i++) {
        if (!vmobject_slot_is_page(vmo->pages[i]))
            continue;
        release_page(a, i);
        vmo->pages[i] = phys_zero_page();
        purged++;
    }
    a->was_purged = true;
    return purged;
}

uint64_t anon_vmobject_committed_pages(const struct vmobject *vmo)
{
    const struct anon_vmobject *a = anon_of_const(vmo);
    return a->commitment.remaining + (a->cow_set ? a->cow_set->commitment.remaining : 0);
}

static void anon_vmobject_destroy(struct vmobject *vmo)
{
    struct anon_vmobject *a = anon_of(vmo);
    for (uint64_t i = 0; i < vmo->page_count; i++) {
        if (vmobject_slot_is_page(vmo->pages[i]))
            release_page(a, i);
    }
    phys_uncommit(&a->commitment);
    cow_set_put(a);
    anon_free(a);
}
