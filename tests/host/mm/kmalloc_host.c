/*
 * mm/kmalloc.h on the host: the kernel heap's calls served by the C library,
 * so code that allocates with kmalloc() links into the host tests, fuzzers
 * and pagoda-host-bench. Each block carries a small header in front of the
 * pointer it returns, holding the requested size (for the statistics) and
 * a magic number, so that kfree() of a pointer kmalloc() did not return
 * panics as in the kernel. Not thread-safe, like the single-threaded host
 * programs that use it.
 */
#include "mm/kmalloc.h"
#include "kernel/panic.h"
#include <stdlib.h>
#include <string.h>

#define KMALLOC_HOST_ALIGN 16          /* what kmalloc.h promises for small sizes */
#define KMALLOC_HOST_PAGE UINT64_C(4096) /* sizes of a page or more are page-aligned */
#define KMALLOC_HOST_MAGIC UINT64_C(0x6b6d616c6c6f6321)
#define KMALLOC_HOST_FREED UINT64_C(0x6b667265656421aa)

/* Sits immediately below the returned pointer; the block starts ALIGN - sizeof(header) lower. */
struct kmalloc_host_header {
    uint64_t size;   /* requested bytes */
    uint64_t magic;  /* KMALLOC_HOST_MAGIC while allocated */
};

_Static_assert(sizeof(struct kmalloc_host_header) <= KMALLOC_HOST_ALIGN,
               "the header must fit in the alignment padding");

static struct kmalloc_stats stats;

/* The alignment of a SIZE-byte block, which is also the space in front for the header. */
static size_t block_align(size_t size)
{
    return size >= KMALLOC_HOST_PAGE ? KMALLOC_HOST_PAGE : KMALLOC_HOST_ALIGN;
}

void *kmalloc(size_t size)
{
    size_t align = block_align(size);
    if (size > SIZE_MAX - align)
        return NULL;
    void *block;
    if (posix_memalign(&block, align, align + size) != 0)
        return NULL;
    uint8_t *p = (uint8_t *)block + align;
    struct kmalloc_host_header *h = (struct kmalloc_host_header *)p - 1;
    h->size = size;
    h->magic = KMALLOC_HOST_MAGIC;
    stats.bytes_in_use += size;
    stats.allocations++;
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
    struct kmalloc_host_header *h = (struct kmalloc_host_header *)p - 1;
    if (h->magic != KMALLOC_HOST_MAGIC)
        panic("kfree: %p was not returned by kmalloc (or was freed already)", p);
    h->magic = KMALLOC_HOST_FREED;
    stats.bytes_in_use -= h->size;
    stats.allocations--;
    free((uint8_t *)p - block_align(h->size));
}

void kmalloc_get_stats(struct kmalloc_stats *out)
{
    *out = stats; /* pages stays 0: the C library's heap has no pages of ours */
}
