/*
 * The kernel heap (see kmalloc.h). Every heap page is a physical page from
 * mm/phys mapped at its own address in KERNEL_HEAP_WINDOW, so heap memory
 * is reached directly, never through quickmap.
 *
 * Small objects (up to KMALLOC_MAX_SMALL bytes) come from slabs: one page
 * holding a header and equal slots of one size class, with a free list
 * threaded through the free slots. Larger allocations take a run of pages
 * with a header in front. Either way the header sits at the start of the
 * first page, so kfree() finds it by rounding the pointer down to a page.
 */
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>

#define KMALLOC_ALIGN 16
#define KMALLOC_MIN_CLASS_SHIFT 4   /* 16 bytes */
#define KMALLOC_CLASSES 8           /* 16 .. 2048 bytes */
#define KMALLOC_MAX_SMALL (UINT64_C(1) << (KMALLOC_MIN_CLASS_SHIFT + KMALLOC_CLASSES - 1))
#define HEAP_PAGE PHYS_PAGE_SIZE
#define HEAP_MAX_FREE_RUNS 64       /* remembered free address ranges for large allocations */

/* Written into each header, so kfree() can tell a heap pointer from anything else. */
#define SLAB_MAGIC UINT32_C(0x51ab51ab)
#define LARGE_MAGIC UINT32_C(0x1a26e1a2)

struct slab {
    uint32_t magic;
    uint16_t size_class;
    uint16_t free_slots;
    struct slab *next;        /* the class's slabs that have free slots */
    void *free_list;          /* first free slot; each holds a pointer to the next */
    uint64_t padding;         /* keeps the slots 16-byte aligned */
};

struct large {
    uint32_t magic;
    uint32_t pages;
    uint64_t size;
};

_Static_assert(sizeof(struct slab) % KMALLOC_ALIGN == 0, "slab slots must stay aligned");
_Static_assert(sizeof(struct large) % KMALLOC_ALIGN == 0, "large data must stay aligned");

struct va_run {
    uint64_t start;
    uint64_t pages;
};

static struct {
    struct slab *partial[KMALLOC_CLASSES];
    uint64_t next_va;                 /* never-used heap addresses start here */
    struct va_run free_runs[HEAP_MAX_FREE_RUNS];
    size_t free_run_count;
    struct kmalloc_stats stats;
} heap = { .next_va = KERNEL_HEAP_WINDOW };

/* --- heap address space ---------------------------------------------------- */

static uint64_t va_alloc(uint64_t pages)
{
    for (size_t i = 0; i < heap.free_run_count; i++) {
        struct va_run *r = &heap.free_runs[i];
        if (r->pages >= pages) {
            uint64_t start = r->start;
            r->start += pages * HEAP_PAGE;
            r->pages -= pages;
            if (r->pages == 0)
                *r = heap.free_runs[--heap.free_run_count];
            return start;
        }
    }
    if (heap.next_va + pages * HEAP_PAGE > KERNEL_HEAP_WINDOW + KERNEL_HEAP_SIZE)
        return 0;
    uint64_t start = heap.next_va;
    heap.next_va += pages * HEAP_PAGE;
    return start;
}

static void va_free(uint64_t start, uint64_t pages)
{
    /* Merge with a neighbouring run if there is one; else remember it, if there is room. */
    for (size_t i = 0; i < heap.free_run_count; i++) {
        struct va_run *r = &heap.free_runs[i];
        if (r->start + r->pages * HEAP_PAGE == start) {
            r->pages += pages;
            return;
        }
        if (start + pages * HEAP_PAGE == r->start) {
            r->start = start;
            r->pages += pages;
            return;
        }
    }
    if (start + pages * HEAP_PAGE == heap.next_va)
        heap.next_va = start;
    else if (heap.free_run_count < HEAP_MAX_FREE_RUNS)
        heap.free_runs[heap.free_run_count++] = (struct va_run){ start, pages };
    /* else: the addresses are lost, the memory is not; the window is large. */
}

/* --- heap pages ------------------------------------------------------------- */

static void unmap_pages(uint64_t va, uint64_t pages)
{
    for (uint64_t i = 0; i < pages; i++) {
        struct pd_query_result q;
        uint64_t page_va = va + i * HEAP_PAGE;
        if (pd_query(kernel_pd(), vaddr(page_va), &q) != 0)
            panic("kmalloc: heap page %#llx is not mapped", (unsigned long long)page_va);
        if (pd_unmap(kernel_pd(), vaddr(page_va), HEAP_PAGE) != 0)
            panic("kmalloc: cannot unmap heap page %#llx", (unsigned long long)page_va);
        phys_page_unref(q.phys);
        heap.stats.pages--;
    }
}

/* PAGES fresh pages mapped together; their address, or 0 if out of memory. */
static uint64_t map_pages(uint64_t pages)
{
    uint64_t va = va_alloc(pages);
    if (!va)
        return 0;
    uint64_t i;
    for (i = 0; i < pages; i++) {
        paddr_t page;
        if (phys_alloc_page(PHYS_USAGE_KERNEL, &page) != 0)
            goto fail;
        if (pd_map(kernel_pd(), vaddr(va + i * HEAP_PAGE), page, HEAP_PAGE,
                   PD_READ | PD_WRITE | PD_GLOBAL, MEMORY_TYPE_NORMAL) != 0) {
            phys_page_unref(page);
            goto fail;
        }
        heap.stats.pages++;
    }
    return va;
fail:
    unmap_pages(va, i);
    va_free(va, pages);
    return 0;
}

/* --- slabs ---------------------------------------------------------------------- */

static unsigned class_of(size_t size)
{
    unsigned c = 0;
    while ((UINT64_C(1) << (KMALLOC_MIN_CLASS_SHIFT + c)) < size)
        c++;
    return c;
}

static size_t class_size(unsigned c)
{
    return (size_t)1 << (KMALLOC_MIN_CLASS_SHIFT + c);
}

static struct slab *slab_create(unsigned c)
{
    uint64_t va = map_pages(1);
    if (!va)
        return NULL;
    struct slab *s = (struct slab *)va;
    *s = (struct slab){ .magic = SLAB_MAGIC, .size_class = (uint16_t)c };
    size_t size = class_size(c);
    uint8_t *slot = (uint8_t *)va + sizeof(struct slab);
    uint8_t *end = (uint8_t *)va + HEAP_PAGE;
    void **link = &s->free_list;
    for (; slot + size <= end; slot += size) {
        *link = slot;
        link = (void **)slot;
        s->free_slots++;
    }
    *link = NULL;
    return s;
}

static uint16_t slots_per_slab(unsigned c)
{
    return (uint16_t)((HEAP_PAGE - sizeof(struct slab)) / class_size(c));
}

static void *slab_alloc(size_t size)
{
    unsigned c = class_of(size);
    struct slab *s = heap.partial[c];
    if (!s) {
        s = slab_create(c);
        if (!s)
            return NULL;
        heap.partial[c] = s;
    }
    void *p = s->free_list;
    s->free_list = *(void **)p;
    if (--s->free_slots == 0)
        heap.partial[c] = s->next; /* full: off the list until a slot is freed */
    return p;
}

static void slab_remove_from_partial(struct slab *s)
{
    for (struct slab **link = &heap.partial[s->size_class]; *link; link = &(*link)->next) {
        if (*link == s) {
            *link = s->next;
            return;
        }
    }
}

static void slab_free(struct slab *s, void *p)
{
    size_t size = class_size(s->size_class);
    uintptr_t offset = (uintptr_t)p - (uintptr_t)s - sizeof(struct slab);
    if ((uintptr_t)p < (uintptr_t)s + sizeof(struct slab) || offset % size != 0)
        panic("kfree: %p is not the start of a %zu-byte slot", p, size);
    for (void *f = s->free_list; f; f = *(void **)f) {
        if (f == p)
            panic("kfree: %p freed twice", p);
    }
    if (s->free_slots == 0) {
        s->next = heap.partial[s->size_class];
        heap.partial[s->size_class] = s;
    }
    *(void **)p = s->free_list;
    s->free_list = p;
    s->free_slots++;
    /* An empty slab goes back, unless it is the only one with room in its class. */
    if (s->free_slots == slots_per_slab(s->size_class) &&
        (heap.partial[s->size_class] != s || s->next)) {
        slab_remove_from_partial(s);
        s->magic = 0;
        unmap_pages((uint64_t)(uintptr_t)s, 1);
        va_free((uint64_t)(uintptr_t)s, 1);
    }
}

/* --- the interface ------------------------------------------------------------ */

void *kmalloc(size_t size)
{
    if (size == 0)
        size = 1;
    void *p;
    if (size <= KMALLOC_MAX_SMALL) {
        p = slab_alloc(size);
        size = class_size(class_of(size)); /* what it really takes, as kfree() counts it */
    } else {
        if (size > KERNEL_HEAP_SIZE)
            return NULL;
        uint64_t pages = (size + sizeof(struct large) + HEAP_PAGE - 1) / HEAP_PAGE;
        uint64_t va = map_pages(pages);
        if (!va)
            return NULL;
        struct large *l = (struct large *)va;
        *l = (struct large){ .magic = LARGE_MAGIC, .pages = (uint32_t)pages, .size = size };
        p = l + 1;
    }
    if (p) {
        heap.stats.allocations++;
        heap.stats.bytes_in_use += size;
    }
    return p;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

void kfree(void *p)
{
    if (!p)
        return;
    uintptr_t va = (uintptr_t)p;
    if (va < KERNEL_HEAP_WINDOW || va >= heap.next_va)
        panic("kfree: %p is not a heap address", p);
    uint32_t magic = *(const uint32_t *)ALIGN_DOWN(va, HEAP_PAGE);
    if (magic == SLAB_MAGIC) {
        struct slab *s = (struct slab *)ALIGN_DOWN(va, HEAP_PAGE);
        heap.stats.bytes_in_use -= class_size(s->size_class); /* the class, not the request */
        slab_free(s, p);
    } else if (magic == LARGE_MAGIC && va == ALIGN_DOWN(va, HEAP_PAGE) + sizeof(struct large)) {
        struct large *l = (struct large *)ALIGN_DOWN(va, HEAP_PAGE);
        uint64_t pages = l->pages;
        heap.stats.bytes_in_use -= l->size;
        l->magic = 0;
        unmap_pages(ALIGN_DOWN(va, HEAP_PAGE), pages);
        va_free(ALIGN_DOWN(va, HEAP_PAGE), pages);
    } else {
        panic("kfree: %p was not returned by kmalloc (or was freed already)", p);
    }
    heap.stats.allocations--;
}

void kmalloc_get_stats(struct kmalloc_stats *stats)
{
    *stats = heap.stats;
}
