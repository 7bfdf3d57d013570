/*
 * Kernel regions (see kernel_region.h). Their virtual ranges come from a
 * region tree over KERNEL_REGION_WINDOW; RAM-backed ones hold their pages
 * directly (not through a VMObject: the kernel never faults them in, forks
 * or purges them), and every page is mapped when the region is made.
 */
#include "mm/kernel_region.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/quickmap.h"
#include "mm/region_tree.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <pagoda/errors.h>

#define PAGE PHYS_PAGE_SIZE
#define KREGION_NAME_MAX 32

enum kregion_backing {
    KREGION_PAGES,       /* pages allocated one by one */
    KREGION_CONTIGUOUS,  /* one physically contiguous run */
    KREGION_MMIO,        /* a device's registers: nothing to free */
    KREGION_PHYSICAL,    /* RAM the allocator never had (a boot module): nothing to free */
};

struct kregion {
    struct region_node node;
    enum kregion_backing backing;
    char name[KREGION_NAME_MAX];
};

static struct region_tree kregions;
static bool kregions_ready;

static struct region_tree *tree(void)
{
    if (!kregions_ready) {
        region_tree_init(&kregions, KERNEL_REGION_WINDOW, KERNEL_REGION_WINDOW + KERNEL_REGION_SIZE);
        kregions_ready = true;
    }
    return &kregions;
}

/* A range of SIZE bytes reserved in the window (nothing mapped yet). */
static struct kregion *kregion_reserve(uint64_t size, uint64_t align, enum kregion_backing backing,
                                       const char *name, int *err)
{
    if (size == 0) {
        *err = -E_INVAL;
        return NULL;
    }
    if (!IS_ALIGNED(size, PAGE)) {
        *err = -E_ALIGN;
        return NULL;
    }
    uint64_t start;
    *err = region_tree_find_free(tree(), size, align, &start);
    if (*err)
        return NULL;
    struct kregion *k = kzalloc(sizeof(*k));
    if (!k) {
        *err = -E_NOMEM;
        return NULL;
    }
    k->node.start = start;
    k->node.end = start + size;
    k->backing = backing;
    string_copy(k->name, sizeof(k->name), name ? name : "", KREGION_NAME_MAX);
    *err = region_tree_insert(tree(), &k->node);
    if (*err) {
        kfree(k);
        return NULL;
    }
    return k;
}

static void kregion_release(struct kregion *k)
{
    uint64_t size = k->node.end - k->node.start;
    for (uint64_t off = 0; off < size; off += PAGE) {
        struct pd_query_result q;
        if (pd_query(kernel_pd(), vaddr(k->node.start + off), &q) != 0)
            continue; /* never mapped: an allocation that failed half way */
        if (pd_unmap(kernel_pd(), vaddr(k->node.start + off), PAGE) != 0)
            panic("kregion_release: unmap");
        if (k->backing != KREGION_MMIO && k->backing != KREGION_PHYSICAL)
            phys_page_unref(q.phys);
    }
    region_tree_remove(tree(), &k->node);
    kfree(k);
}

static int map_one_prot(struct kregion *k, uint64_t offset, paddr_t pa, uint32_t prot,
                        enum memory_type type)
{
    return pd_map(kernel_pd(), vaddr(k->node.start + offset), pa, PAGE, prot | PD_GLOBAL, type);
}

static int map_one(struct kregion *k, uint64_t offset, paddr_t pa, enum memory_type type)
{
    return map_one_prot(k, offset, pa, PD_READ | PD_WRITE, type);
}

int kregion_allocate(uint64_t size, const char *name, void **out)
{
    int err;
    struct kregion *k = kregion_reserve(size, PAGE, KREGION_PAGES, name, &err);
    if (!k)
        return err;
    for (uint64_t off = 0; off < size; off += PAGE) {
        paddr_t page;
        err = phys_alloc_page(PHYS_USAGE_KERNEL, &page);
        if (err)
            goto fail;
        quickmap_zero_page(page);
        err = map_one(k, off, page, MEMORY_TYPE_NORMAL);
        if (err) {
            phys_page_unref(page);
            goto fail;
        }
    }
    *out = (void *)k->node.start;
    return 0;
fail:
    kregion_release(k);
    return err;
}

int kregion_allocate_dma(uint64_t size, enum memory_type type, const char *name, void **out,
                         paddr_t *phys)
{
    int err;
    struct kregion *k = kregion_reserve(size, PAGE, KREGION_CONTIGUOUS, name, &err);
    if (!k)
        return err;
    paddr_t base;
    err = phys_alloc_contiguous(size / PAGE, 0, PHYS_USAGE_DMA, &base);
    if (err) {
        kregion_release(k);
        return err;
    }
    for (uint64_t off = 0; off < size; off += PAGE) {
        quickmap_zero_page(paddr(base.value + off));
        err = map_one(k, off, paddr(base.value + off), type);
        if (err) {
            /* Pages not yet mapped are not seen by kregion_release: free them here. */
            for (uint64_t rest = off; rest < size; rest += PAGE)
                phys_page_unref(paddr(base.value + rest));
            kregion_release(k);
            return err;
        }
    }
    *out = (void *)k->node.start;
    *phys = base;
    return 0;
}

int kregion_allocate_contiguous(uint64_t size, const char *name, void **out, paddr_t *phys)
{
    return kregion_allocate_dma(size, MEMORY_TYPE_NORMAL, name, out, phys);
}

int kregion_map_mmio(paddr_t phys, uint64_t size, const char *name, void **out)
{
    if (!IS_ALIGNED(phys.value, PAGE))
        return -E_ALIGN;
    for (uint64_t off = 0; off < size; off += PAGE) {
        if (phys_page_managed(paddr(phys.value + off)))
            return -E_OVERLAP; /* that is RAM, not a device */
    }
    int err;
    struct kregion *k = kregion_reserve(size, PAGE, KREGION_MMIO, name, &err);
    if (!k)
        return err;
    for (uint64_t off = 0; off < size; off += PAGE) {
        err = map_one(k, off, paddr(phys.value + off), MEMORY_TYPE_IO);
        if (err) {
            kregion_release(k);
            return err;
        }
    }
    *out = (void *)k->node.start;
    return 0;
}

int kregion_map_physical(paddr_t phys, uint64_t size, enum memory_type type, uint32_t prot,
                         const char *name, void **out)
{
    if (size == 0 || !(prot & PD_READ) || (prot & ~(uint32_t)(PD_READ | PD_WRITE | PD_EXECUTE)))
        return -E_INVAL;
    if (phys.value + size < phys.value || phys.value + size > UINT64_MAX - (PAGE - 1))
        return -E_RANGE;
    /* The pages that cover [phys, phys + size): boot modules need not be page aligned. */
    uint64_t first = ALIGN_DOWN(phys.value, PAGE);
    uint64_t span = ALIGN_UP(phys.value + size, PAGE) - first;
    for (uint64_t off = 0; off < span; off += PAGE) {
        if (phys_page_managed(paddr(first + off)))
            return -E_OVERLAP; /* the allocator may hand this page out: not ours to map */
    }
    int err;
    struct kregion *k = kregion_reserve(span, PAGE, KREGION_PHYSICAL, name, &err);
    if (!k)
        return err;
    for (uint64_t off = 0; off < span; off += PAGE) {
        err = map_one_prot(k, off, paddr(first + off), prot, type);
        if (err) {
            kregion_release(k);
            return err;
        }
    }
    *out = (void *)(uintptr_t)(k->node.start + (phys.value - first));
    return 0;
}

void kregion_free(void *address)
{
    uint64_t at = (uint64_t)(uintptr_t)address;
    struct region_node *node = region_tree_find(tree(), at);
    struct kregion *k = node ? (struct kregion *)((char *)node - offsetof(struct kregion, node))
                             : NULL;
    /* A physical region is known by the pointer it returned: start plus offset in the page. */
    bool is_start = k && (at == node->start ||
                          (k->backing == KREGION_PHYSICAL && at - node->start < PAGE));
    if (!is_start)
        panic("kregion_free: %p is not the start of a kernel region", address);
    kregion_release(k);
}
