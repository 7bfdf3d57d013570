/* Simulated physical memory and its page provider (see simphys.h). */
#include "tests/host/pt/simphys.h"
#include <pagoda/errors.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_PAGE 4096u
/* What a new page's count holds until the page directory sets it: no count it could mean. */
#define SIM_COUNT_SCRIBBLE 0xa5a5u

static int sim_alloc(void *ctx, paddr_t *page)
{
    struct simphys *s = ctx;
    if (s->fail_countdown == 0)
        return -E_NOMEM;
    if (s->fail_countdown > 0)
        s->fail_countdown--;
    if (s->free_count == 0)
        return -E_NOMEM;
    uint64_t pa = s->free_pages[--s->free_count];
    s->allocated[pa / SIM_PAGE] = 1;
    s->in_use++;
    /* Scribble on it and its count: the page directory must not rely on either arriving zeroed. */
    memset(s->memory.base + pa, 0xa5, SIM_PAGE);
    s->valid[pa / SIM_PAGE] = SIM_COUNT_SCRIBBLE;
    *page = paddr(pa);
    return 0;
}

static void sim_free(void *ctx, paddr_t page)
{
    struct simphys *s = ctx;
    uint64_t pa = page.value;
    if (pa % SIM_PAGE || pa >= s->memory.size || !s->allocated[pa / SIM_PAGE]) {
        fprintf(stderr, "simphys: free of a page that is not allocated: %#llx\n",
                (unsigned long long)pa);
        abort();
    }
    s->allocated[pa / SIM_PAGE] = 0;
    s->in_use--;
    s->free_pages[s->free_count++] = pa;
}

/* The index of PAGE, which must be allocated (WHAT names the access for the message). */
static uint64_t allocated_index(const struct simphys *s, paddr_t page, const char *what)
{
    uint64_t pa = page.value;
    if (pa % SIM_PAGE || pa >= s->memory.size || !s->allocated[pa / SIM_PAGE]) {
        fprintf(stderr, "simphys: %s of a table page that is not allocated: %#llx\n", what,
                (unsigned long long)pa);
        abort();
    }
    return pa / SIM_PAGE;
}

static void *sim_table(void *ctx, paddr_t page)
{
    struct simphys *s = ctx;
    return s->memory.base + allocated_index(s, page, "access") * SIM_PAGE;
}

static pd_valid_count_t *sim_valid_count(void *ctx, paddr_t page)
{
    struct simphys *s = ctx;
    return &s->valid[allocated_index(s, page, "count")];
}

void simphys_init(struct simphys *s, uint64_t size)
{
    size_t pages = size / SIM_PAGE;
    s->memory.base = aligned_alloc(SIM_PAGE, size);
    s->memory.size = size;
    s->allocated = calloc(pages, 1);
    s->valid = calloc(pages, sizeof(*s->valid));
    s->free_pages = malloc(pages * sizeof(uint64_t));
    if (!s->memory.base || !s->allocated || !s->valid || !s->free_pages)
        abort();
    memset(s->memory.base, 0, size);
    s->free_count = 0;
    /* Highest first on the stack bottom, so allocation starts low: easier to read in dumps. */
    for (size_t i = pages; i-- > 1;)
        s->free_pages[s->free_count++] = (uint64_t)i * SIM_PAGE;
    s->in_use = 0;
    s->fail_countdown = -1;
    s->provider = (struct page_provider){ sim_alloc, sim_free, sim_table, sim_valid_count, s };
}

void simphys_fini(struct simphys *s)
{
    free(s->memory.base);
    free(s->allocated);
    free(s->valid);
    free(s->free_pages);
    memset(s, 0, sizeof(*s));
}

void simphys_fail_after(struct simphys *s, long n)
{
    s->fail_countdown = n;
}
