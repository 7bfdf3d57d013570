/*
 * Address spaces (see address_space.h): regions in a region tree over a
 * user page directory, and the page-fault handler that fills them in.
 * Every operation checks and allocates what it needs first (new region
 * records for splits), then changes the tree and the tables, so an error
 * leaves the space as it was.
 */
#include "mm/address_space.h"
#include "mm/kmalloc.h"
#include "mm/quickmap.h"
#include "kernel/console.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>

#define PAGE PHYS_PAGE_SIZE

/* --- regions ----------------------------------------------------------------- */

static struct region *region_new(struct address_space *as, uint64_t start, uint64_t end,
                                 uint32_t access, uint32_t flags, enum memory_type type,
                                 struct vmobject *vmo, uint64_t offset_pages, const char *name)
{
    struct region *r = kzalloc(sizeof(*r));
    if (!r)
        return NULL;
    r->space = as;
    r->node.start = start;
    r->node.end = end;
    r->access = access;
    r->flags = flags;
    r->type = type;
    r->vmobject = vmo;
    r->offset_pages = offset_pages;
    string_copy(r->name, sizeof(r->name), name ? name : "", REGION_NAME_MAX);
    vmobject_ref(vmo);
    /* Join the object's mappers, so a change to a shared page reaches every mapping. */
    r->mapper_next = vmo->mappers;
    if (vmo->mappers)
        vmo->mappers->mapper_prev = r;
    vmo->mappers = r;
    return r;
}

static void region_free(struct region *r)
{
    if (r->mapper_prev)
        r->mapper_prev->mapper_next = r->mapper_next;
    else
        r->vmobject->mappers = r->mapper_next;
    if (r->mapper_next)
        r->mapper_next->mapper_prev = r->mapper_prev;
    vmobject_unref(r->vmobject);
    kfree(r);
}

/*
 * Page INDEX of R's object changed (a shared page was filled in): every other
 * region mapping it drops its mapping, to fault the new page in when touched.
 */
static void unmap_page_elsewhere(struct region *r, uint64_t index)
{
    for (struct region *m = r->vmobject->mappers; m; m = m->mapper_next) {
        if (m == r || index < m->offset_pages || index >= m->offset_pages + region_pages(m))
            continue;
        uint64_t va = m->node.start + (index - m->offset_pages) * PAGE;
        if (pd_unmap(&m->space->pd, vaddr(va), PAGE) != 0)
            panic("unmap_page_elsewhere: %#llx", (unsigned long long)va); /* 4 KiB: cannot fail */
    }
}

/*
 * Unmap every mapping of VMO, in every address space, so that the next
 * access to any of its pages faults and sees the object as it is now. WHO
 * names the caller in the panic (4 KiB user leaves: an unmap cannot fail).
 */
static void unmap_every_mapper(struct vmobject *vmo, const char *who)
{
    for (struct region *m = vmo->mappers; m; m = m->mapper_next) {
        if (pd_unmap(&m->space->pd, vaddr(m->node.start), region_size(m)) != 0)
            panic("%s: unmap of %#llx", who, (unsigned long long)m->node.start);
    }
}

/* The page-directory rights for a page of R; COPY_ON_WRITE withholds write. */
static uint32_t region_prot(const struct region *r, bool copy_on_write)
{
    uint32_t prot = PD_READ | PD_USER;
    if ((r->access & REGION_WRITE) && !copy_on_write)
        prot |= PD_WRITE;
    if (r->access & REGION_EXECUTE)
        prot |= PD_EXECUTE;
    return prot;
}

struct region *as_find_region(struct address_space *as, uint64_t va)
{
    return region_of(region_tree_find(&as->regions, va));
}

/* --- create and destroy -------------------------------------------------------- */

int as_create(struct address_space *as, struct page_directory *kernel, uint16_t asid)
{
    int err = pd_create_user(&as->pd, kernel, asid);
    if (err)
        return err;
    /* Page 0 stays unmapped, so a null pointer always faults. */
    region_tree_init(&as->regions, PAGE, pd_user_limit(&as->pd));
    return 0;
}

void as_destroy(struct address_space *as)
{
    struct region_node *node;
    while ((node = region_tree_first(&as->regions))) {
        struct region *r = region_of(node);
        int err = pd_unmap(&as->pd, vaddr(r->node.start), region_size(r));
        if (err)
            panic("as_destroy: unmap of %#llx: %s", (unsigned long long)r->node.start,
                  error_name(err)); /* 4 KiB user leaves never need a split */
        region_tree_remove(&as->regions, node);
        region_free(r);
    }
    pd_destroy(&as->pd);
}

/* --- allocating regions ---------------------------------------------------------- */

static int choose_range(struct address_space *as, uint64_t va, uint64_t size, uint64_t align,
                        uint64_t *start)
{
    if (size == 0 || (align & (align - 1)) != 0)
        return -E_INVAL;
    if (!IS_ALIGNED(size, PAGE) || !IS_ALIGNED(va, PAGE) || (align && align < PAGE))
        return -E_ALIGN;
    if (va == 0)
        return region_tree_find_free(&as->regions, size, align ? align : PAGE, start);
    if (va + size < va || va < as->regions.lower || va + size > as->regions.upper)
        return -E_RANGE;
    struct region_node *next = region_tree_first_from(&as->regions, va);
    if (next && next->start < va + size)
        return -E_EXIST;
    *start = va;
    return 0;
}

int as_map_vmobject(struct address_space *as, uint64_t va, uint64_t size, uint64_t align,
                    uint32_t access, uint32_t flags, enum memory_type type,
                    struct vmobject *vmo, uint64_t offset_pages, const char *name,
                    struct region **out)
{
    if (!(access & (REGION_READ | REGION_WRITE | REGION_EXECUTE)) ||
        (access & ~(uint32_t)(REGION_READ | REGION_WRITE | REGION_EXECUTE)))
        return -E_INVAL;
    if (type == MEMORY_TYPE_IO && (access & REGION_EXECUTE))
        return -E_INVAL; /* device registers are never executed */
    uint64_t start;
    int err = choose_range(as, va, size, align, &start);
    if (err)
        return err;
    if (offset_pages > vmo->page_count || size / PAGE > vmo->page_count - offset_pages)
        return -E_RANGE;
    struct region *r = region_new(as, start, start + size, access | REGION_READ, flags, type, vmo,
                                  offset_pages, name);
    if (!r)
        return -E_NOMEM;
    err = region_tree_insert(&as->regions, &r->node);
    if (err) {
        region_free(r); /* cannot happen: the range was checked free */
        return err;
    }
    if (out)
        *out = r;
    return 0;
}

int as_allocate_region(struct address_space *as, uint64_t va, uint64_t size, uint64_t align,
                       uint32_t access, uint32_t flags, enum allocation_strategy strategy,
                       const char *name, struct region **out)
{
    uint64_t start;
    int err = choose_range(as, va, size, align, &start); /* check before committing memory */
    if (err)
        return err;
    struct vmobject *vmo;
    err = anon_vmobject_create(size / PAGE, strategy, &vmo);
    if (err)
        return err;
    err = as_map_vmobject(as, start, size, 0, access, flags, MEMORY_TYPE_NORMAL, vmo, 0, name,
                          out);
    vmobject_unref(vmo); /* the region holds its own reference */
    return err;
}

/* --- unmap and protect ---------------------------------------------------------- */

/* Does any region meeting [VA, END) carry FLAG? */
static bool range_has_flag(struct address_space *as, uint64_t va, uint64_t end, uint32_t flag)
{
    for (struct region_node *n = region_tree_first_from(&as->regions, va); n && n->start < end;
         n = region_tree_next(n)) {
        if (region_of(n)->flags & flag)
            return true;
    }
    return false;
}

static int check_range(struct address_space *as, uint64_t va, uint64_t size)
{
    if (size == 0)
        return -E_INVAL;
    if (!IS_ALIGNED(va, PAGE) || !IS_ALIGNED(size, PAGE))
        return -E_ALIGN;
    if (va + size < va || va + size > as->regions.upper)
        return -E_RANGE;
    return 0;
}

/* A copy of R covering [START, END) of it (the split-off part). */
static struct region *region_split_off(struct region *r, uint64_t start, uint64_t end)
{
    return region_new(r->space, start, end, r->access, r->flags, r->type, r->vmobject,
                      region_page_index(r, start), r->name);
}

/* Shrink R (in the tree) to [START, END) of itself. Cannot fail: it only gets smaller. */
static void region_trim(struct address_space *as, struct region *r, uint64_t start, uint64_t end)
{
    region_tree_remove(&as->regions, &r->node);
    r->offset_pages = region_page_index(r, start);
    r->node.start = start;
    r->node.end = end;
    if (region_tree_insert(&as->regions, &r->node) != 0)
        panic("region_trim: a shrunk region no longer fits");
}

int as_unmap(struct address_space *as, uint64_t va, uint64_t size)
{
    int err = check_range(as, va, size);
    if (err)
        return err;
    uint64_t end = va + size;
    if (range_has_flag(as, va, end, REGION_IMMUTABLE))
        return -E_PERM;
    /* One region around the whole range needs a second record for its tail: get it first. */
    struct region *around = as_find_region(as, va);
    struct region *tail = NULL;
    if (around && around->node.start < va && around->node.end > end) {
        tail = region_split_off(around, end, around->node.end);
        if (!tail)
            return -E_NOMEM;
    }
    err = pd_unmap(&as->pd, vaddr(va), size);
    if (err) {
        if (tail)
            region_free(tail);
        return err; /* 4 KiB user leaves: cannot happen */
    }
    struct region_node *n = region_tree_first_from(&as->regions, va);
    while (n && n->start < end) {
        struct region *r = region_of(n);
        n = region_tree_next(n);
        if (r->node.start >= va && r->node.end <= end) {
            region_tree_remove(&as->regions, &r->node);
            region_free(r);
        } else if (r->node.start < va) {
            region_trim(as, r, r->node.start, va);
        } else {
            region_trim(as, r, end, r->node.end);
        }
    }
    if (tail && region_tree_insert(&as->regions, &tail->node) != 0)
        panic("as_unmap: the split-off tail does not fit");
    return 0;
}

int as_protect(struct address_space *as, uint64_t va, uint64_t size, uint32_t access)
{
    int err = check_range(as, va, size);
    if (err)
        return err;
    if (!(access & (REGION_READ | REGION_WRITE | REGION_EXECUTE)) ||
        (access & ~(uint32_t)(REGION_READ | REGION_WRITE | REGION_EXECUTE)))
        return -E_INVAL;
    uint64_t end = va + size;
    /* Regions must cover the range without holes. */
    uint64_t covered = va;
    for (struct region_node *n = region_tree_first_from(&as->regions, va);
         n && n->start < end && n->start <= covered; n = region_tree_next(n))
        covered = n->end;
    if (covered < end)
        return -E_NOENT;
    if (range_has_flag(as, va, end, REGION_IMMUTABLE))
        return -E_PERM;
    /* Up to two splits: allocate both records before changing anything. */
    struct region *first = as_find_region(as, va), *last = as_find_region(as, end - 1);
    struct region *head_part = NULL, *tail_part = NULL;
    if (first->node.start < va)
        head_part = region_split_off(first, va, MIN(first->node.end, end));
    if (last->node.end > end)
        tail_part = region_split_off(last, end, last->node.end);
    if ((first->node.start < va && !head_part) || (last->node.end > end && !tail_part)) {
        if (head_part)
            region_free(head_part);
        if (tail_part)
            region_free(tail_part);
        return -E_NOMEM;
    }
    err = pd_unmap(&as->pd, vaddr(va), size);
    if (err)
        panic("as_protect: unmap: %s", error_name(err)); /* 4 KiB user leaves: cannot fail */
    /* Cut the outer parts off, insert the split records, then set the rights inside. */
    if (head_part) {
        region_trim(as, first, first->node.start, va);
        if (region_tree_insert(&as->regions, &head_part->node) != 0)
            panic("as_protect: split record does not fit");
    }
    if (tail_part) {
        struct region *owner = as_find_region(as, end - 1);
        region_trim(as, owner, owner->node.start, end);
        if (region_tree_insert(&as->regions, &tail_part->node) != 0)
            panic("as_protect: split record does not fit");
    }
    for (struct region_node *n = region_tree_first_from(&as->regions, va); n && n->start < end;
         n = region_tree_next(n))
        region_of(n)->access = access | REGION_READ;
    return 0;
}

/* --- fork ------------------------------------------------------------------------ */

/*
 * Does a fork give R's child region a copy-on-write clone of R's object
 * (private anonymous memory, private file objects), rather than the object
 * itself (shared memory, the file's shared object, devices)?
 */
static bool fork_clones(const struct region *r)
{
    if (r->vmobject->kind == VMOBJECT_ANONYMOUS)
        return !(r->flags & REGION_SHARED);
    return r->vmobject->kind == VMOBJECT_INODE && !inode_vmobject_is_shared(r->vmobject);
}

/*
 * The slots of VMO a fork of SPACE hands on to the clone: the windows of
 * every region of SPACE that clones it (split parts of one region, or
 * mappings that overlap, alike). A new vmobject_slot_set for the caller to
 * free; NULL if there is no memory for it.
 */
static uint64_t *fork_slots(struct address_space *space, struct vmobject *vmo)
{
    uint64_t *slots = kzalloc(vmobject_slot_set_words(vmo->page_count) * sizeof(uint64_t));
    if (!slots)
        return NULL;
    for (struct region *m = vmo->mappers; m; m = m->mapper_next) {
        if (m->space == space && fork_clones(m))
            vmobject_slot_set_add(slots, m->offset_pages, region_pages(m));
    }
    return slots;
}

/*
 * A fork made the pages a private file object wrote copy-on-write: take
 * write access away from every mapping of VMO (its view of the file is
 * read-only already), so that the next write faults, and copies the page or
 * finds it alone again. Read mappings stay, so reads do not fault again.
 */
static int protect_mappers_copy_on_write(struct vmobject *vmo)
{
    for (struct region *m = vmo->mappers; m; m = m->mapper_next) {
        int err = pd_protect(&m->space->pd, vaddr(m->node.start), region_size(m),
                             region_prot(m, true));
        if (err)
            return err; /* 4 KiB user leaves never need a split: cannot happen */
    }
    return 0;
}

/*
 * The child's clone of R's object. The first region of the fork that maps
 * the object makes it, over the slots every such region maps, and leaves it
 * in the object's fork_clone (with the clone's first reference) for the
 * others: one clone per object, however many regions map it, committing
 * once for each page the child maps. The object's pages are now shared:
 * every mapping of it loses write access to them (anonymous ones are
 * unmapped, file ones keep read access), so that the next write faults.
 */
static int fork_clone_of(struct address_space *parent, struct region *r, struct vmobject **out)
{
    struct vmobject *vmo = r->vmobject;
    if (vmo->fork_clone) {
        *out = vmo->fork_clone;
        return 0;
    }
    /* The common case, a region over the whole object, takes every slot: no set needed. */
    uint64_t *slots = NULL;
    if (r->offset_pages != 0 || region_pages(r) != vmo->page_count) {
        slots = fork_slots(parent, vmo);
        if (!slots)
            return -E_NOMEM;
    }
    struct vmobject *clone;
    int err = vmo->kind == VMOBJECT_ANONYMOUS ? anon_vmobject_clone_slots(vmo, slots, &clone)
                                              : inode_vmobject_clone_private(vmo, slots, &clone);
    kfree(slots);
    if (err)
        return err;
    vmo->fork_clone = clone;
    *out = clone;
    if (vmo->kind == VMOBJECT_INODE)
        return protect_mappers_copy_on_write(vmo);
    unmap_every_mapper(vmo, "as_fork");
    return 0;
}

/* The fork is over: drop the clones' first references (the child's regions hold their own). */
static void fork_forget_clones(struct address_space *parent)
{
    for (struct region_node *n = region_tree_first(&parent->regions); n; n = region_tree_next(n)) {
        struct vmobject *vmo = region_of(n)->vmobject;
        struct vmobject *clone = vmo->fork_clone;
        if (!clone)
            continue;
        vmo->fork_clone = NULL;
        vmobject_unref(clone);
    }
}

int as_fork(struct address_space *parent, struct address_space *child, uint16_t asid)
{
    int err = as_create(child, parent->pd.kernel, asid);
    if (err)
        return err;
    for (struct region_node *n = region_tree_first(&parent->regions); n; n = region_tree_next(n)) {
        struct region *r = region_of(n);
        struct vmobject *vmo = r->vmobject;
        if (fork_clones(r)) {
            err = fork_clone_of(parent, r, &vmo);
            if (err)
                break;
        }
        err = as_map_vmobject(child, r->node.start, region_size(r), 0, r->access, r->flags,
                              r->type, vmo, r->offset_pages, r->name, NULL);
        if (err)
            break;
    }
    fork_forget_clones(parent);
    if (err)
        as_destroy(child); /* takes the clones with it */
    return err;
}

/* --- page faults ------------------------------------------------------------------ */

static enum fault_response crash(const struct fault *fault, const char *why)
{
    kprintf("page fault: %s %s at %#lx: %s\n", fault->mode == FAULT_USER ? "user" : "kernel",
            fault_access_name(fault->access), (unsigned long)fault->addr.value, why);
    return FAULT_RESPONSE_SHOULD_CRASH;
}

/*
 * Map PAGE at VA with PROT, replacing what maps it now. A not-present fault
 * maps straight away; only when something is there (a protection fault) is
 * it unmapped first, which costs a walk and an emptiness check. The entry
 * starts accessed, and dirty for a write the mapping allows: the access
 * FAULT retries must not fault again just to set them.
 */
static enum fault_response map_page(struct address_space *as, const struct region *r,
                                    const struct fault *fault, uint64_t va, paddr_t page,
                                    uint32_t prot)
{
    prot |= PD_MAP_ACCESSED;
    if (fault->access == FAULT_WRITE && (prot & PD_WRITE))
        prot |= PD_MAP_DIRTY;
    int err = pd_map(&as->pd, vaddr(va), page, PAGE, prot, r->type);
    if (err == -E_EXIST) {
        err = pd_unmap(&as->pd, vaddr(va), PAGE);
        if (!err)
            err = pd_map(&as->pd, vaddr(va), page, PAGE, prot, r->type);
    }
    if (err == -E_NOMEM)
        return FAULT_RESPONSE_OUT_OF_MEMORY; /* a page-table page could not be had */
    if (err)
        panic("as_handle_fault: cannot map %#llx: %s", (unsigned long long)va, error_name(err));
    return FAULT_RESPONSE_CONTINUE;
}

enum fault_response as_handle_fault(struct address_space *as, const struct fault *fault)
{
    const struct region *r;
    return as_handle_fault_in_region(as, fault, &r);
}

enum fault_response as_handle_fault_in_region(struct address_space *as, const struct fault *fault,
                                              const struct region **region)
{
    uint64_t va = ALIGN_DOWN(fault->addr.value, PAGE);
    struct region *r = as_find_region(as, va);
    *region = r;
    if (!r)
        return crash(fault, "no region there");
    static const uint32_t needs[] = {
        [FAULT_READ] = REGION_READ, [FAULT_WRITE] = REGION_WRITE, [FAULT_EXECUTE] = REGION_EXECUTE,
    };
    if (!(r->access & needs[fault->access]))
        return crash(fault, fault->access == FAULT_WRITE     ? "the region is not writable"
                            : fault->access == FAULT_EXECUTE ? "the region is not executable"
                                                             : "the region is not readable");
    struct vmobject *vmo = r->vmobject;
    uint64_t index = region_page_index(r, va);
    bool shared = r->flags & REGION_SHARED;

    if (vmo->kind == VMOBJECT_INODE) {
        paddr_t page;
        bool writable;
        enum fault_response response =
            inode_vmobject_fault(vmo, index, fault->access, &page, &writable);
        if (response != FAULT_RESPONSE_CONTINUE)
            return response;
        return map_page(as, r, fault, va, page, region_prot(r, !writable));
    }
    if (vmo->kind == VMOBJECT_ANONYMOUS && fault->access == FAULT_WRITE) {
        enum fault_response response = FAULT_RESPONSE_CONTINUE;
        if (anon_vmobject_should_cow(vmo, index, shared)) {
            response = anon_vmobject_cow_fault(vmo, index);
        } else if (!vmobject_slot_is_page(vmo->pages[index])) {
            response = anon_vmobject_zero_fault(vmo, index);
            /* Other mappers of a shared object may map the zero page there: drop that. */
            if (response == FAULT_RESPONSE_CONTINUE && shared)
                unmap_page_elsewhere(r, index);
        }
        if (response != FAULT_RESPONSE_CONTINUE)
            return response;
        return map_page(as, r, fault, va, vmo->pages[index], region_prot(r, false));
    }
    /* A read or an execute: the page the object has, or the zero page, never writable. */
    paddr_t page = vmo->pages[index];
    bool copy_on_write = vmo->kind == VMOBJECT_ANONYMOUS && anon_vmobject_should_cow(vmo, index, shared);
    if (!vmobject_slot_is_page(page)) {
        if (vmo->kind != VMOBJECT_ANONYMOUS)
            return crash(fault, "the object has no page there");
        page = phys_zero_page();
        copy_on_write = true; /* the zero page is never written */
    }
    return map_page(as, r, fault, va, page, region_prot(r, copy_on_write));
}

int as_map_file(struct address_space *as, uint64_t va, uint64_t size, uint32_t access,
                uint32_t flags, struct vfile *file, uint64_t offset_pages, const char *name,
                struct region **out)
{
    bool shared = flags & REGION_SHARED;
    if (shared && (access & REGION_WRITE) && !file->writable)
        return -E_PERM;
    struct vmobject *vmo;
    int err = shared ? inode_vmobject_shared(file, &vmo) : inode_vmobject_private(file, &vmo);
    if (err)
        return err;
    err = as_map_vmobject(as, va, size, 0, access, flags, MEMORY_TYPE_NORMAL, vmo, offset_pages,
                          name, out);
    vmobject_unref(vmo); /* the region holds its own reference */
    return err;
}

int as_sync_vmobject(struct vmobject *vmo, uint64_t *written)
{
    int err = inode_vmobject_sync(vmo, written);
    if (err)
        return err;
    /* Written back: map read-only again everywhere, so the next write marks the page dirty. */
    unmap_every_mapper(vmo, "as_sync_vmobject");
    return 0;
}

uint64_t as_purge_vmobject(struct vmobject *vmo)
{
    if (vmo->kind != VMOBJECT_ANONYMOUS || !anon_vmobject_is_volatile(vmo))
        return 0;
    unmap_every_mapper(vmo, "as_purge_vmobject");
    return anon_vmobject_purge(vmo);
}

enum fault_response as_access_word(struct address_space *as, uint64_t va,
                                   enum fault_access access, uint64_t *value)
{
    uint32_t needs = access == FAULT_WRITE ? PD_WRITE : PD_READ;
    for (int tries = 0; tries < 2; tries++) {
        struct pd_query_result q;
        bool mapped = pd_query(&as->pd, vaddr(va), &q) == 0;
        if (mapped && (q.prot & needs) && (q.prot & PD_USER)) {
            uint64_t *page = quickmap_map(paddr(ALIGN_DOWN(q.phys.value, PAGE)));
            uint64_t *word = page + (va % PAGE) / sizeof(uint64_t);
            if (access == FAULT_WRITE)
                *word = *value;
            else
                *value = *word;
            quickmap_unmap(page);
            return FAULT_RESPONSE_CONTINUE;
        }
        struct fault fault = {
            .addr = vaddr(va), .access = access, .mode = FAULT_USER,
            .cause = mapped ? FAULT_PROTECTION : FAULT_NOT_PRESENT,
        };
        enum fault_response response = as_handle_fault(as, &fault);
        if (response != FAULT_RESPONSE_CONTINUE)
            return response;
    }
    panic("as_access_word: %#llx still faults after the handler resolved it",
          (unsigned long long)va);
}

/* --- statistics ---------------------------------------------------------------------- */

void as_get_stats(struct address_space *as, struct as_stats *s)
{
    *s = (struct as_stats){ 0 };
    for (struct region_node *n = region_tree_first(&as->regions); n; n = region_tree_next(n)) {
        struct region *r = region_of(n);
        s->amount_virtual += region_size(r);
        bool volatile_object = r->vmobject->kind == VMOBJECT_ANONYMOUS &&
                               anon_vmobject_is_volatile(r->vmobject);
        for (uint64_t i = 0; i < region_pages(r); i++) {
            paddr_t page = r->vmobject->pages[r->offset_pages + i];
            if (!vmobject_slot_is_page(page))
                continue;
            if (r->vmobject->kind == VMOBJECT_MMIO)
                continue; /* device registers are not memory */
            s->amount_resident += PAGE;
            if (r->vmobject->kind == VMOBJECT_INODE) {
                if (!inode_vmobject_is_shared(r->vmobject))
                    s->amount_dirty_private += PAGE; /* a private copy of a file page */
                else if (!inode_vmobject_page_dirty(r->vmobject, r->offset_pages + i))
                    s->amount_clean_inode += PAGE;
                if (phys_page_refcount(page) > 1)
                    s->amount_shared += PAGE;
                continue;
            }
            if (phys_page_refcount(page) > 1)
                s->amount_shared += PAGE;
            if (r->vmobject->kind == VMOBJECT_ANONYMOUS && !(r->flags & REGION_SHARED))
                s->amount_dirty_private += PAGE;
            if (volatile_object)
                s->amount_purgeable_volatile += PAGE;
        }
    }
}

static void print_bytes(const char *what, uint64_t bytes)
{
    char size[32];
    format_size(size, sizeof(size), bytes);
    kprintf(" %s %s", what, size);
}

void as_print(struct address_space *as, const char *title)
{
    kprintf("address space %s (%s, %zu regions):\n", title, pd_format_name(&as->pd),
            as->regions.count);
    for (struct region_node *n = region_tree_first(&as->regions); n; n = region_tree_next(n)) {
        struct region *r = region_of(n);
        char size[32];
        format_size(size, sizeof(size), region_size(r));
        kprintf("  %#014llx-%#014llx %10s %c%c%c%s%s%s%s  %s\n", (unsigned long long)r->node.start,
                (unsigned long long)r->node.end - 1, size, r->access & REGION_READ ? 'r' : '-',
                r->access & REGION_WRITE ? 'w' : '-', r->access & REGION_EXECUTE ? 'x' : '-',
                r->flags & REGION_SHARED ? " shared" : "", r->flags & REGION_STACK ? " stack" : "",
                r->flags & REGION_IMMUTABLE ? " immutable" : "",
                r->flags & REGION_PURGEABLE ? " purgeable" : "", r->name);
    }
    struct as_stats s;
    as_get_stats(as, &s);
    kprintf(" ");
    print_bytes("virtual", s.amount_virtual);
    print_bytes("resident", s.amount_resident);
    print_bytes("shared", s.amount_shared);
    print_bytes("dirty private", s.amount_dirty_private);
    print_bytes("volatile", s.amount_purgeable_volatile);
    print_bytes("clean file", s.amount_clean_inode);
    kprintf("\n");
}
