/* The reference model of mm/phys (see phys_model.h). */
#include "tests/host/mm/phys_model.h"
#include <pagoda/errors.h>
#include <stdio.h>
#include <string.h>

#define MODEL_BASE UINT64_C(0x40000000)

void phys_model_init(struct phys_model *m)
{
    memset(m->refcount, 0, sizeof(m->refcount));
    memset(m->commitments, 0, sizeof(m->commitments));
    m->steps = 0;
    phys_reset();
    host_ram_init(&m->ram, MODEL_BASE, PHYS_MODEL_PAGES);
}

void phys_model_fini(struct phys_model *m)
{
    host_ram_fini(&m->ram);
    phys_reset();
}

static uint64_t index_of(paddr_t page)
{
    return (page.value - MODEL_BASE) / PHYS_PAGE_SIZE;
}

static paddr_t page_at(uint64_t index)
{
    return paddr(MODEL_BASE + index * PHYS_PAGE_SIZE);
}

static uint64_t model_used(const struct phys_model *m)
{
    uint64_t used = 0;
    for (size_t i = 0; i < PHYS_MODEL_PAGES; i++)
        used += m->refcount[i] != 0;
    return used;
}

static uint64_t model_committed(const struct phys_model *m)
{
    uint64_t committed = 0;
    for (size_t i = 0; i < PHYS_MODEL_COMMITMENTS; i++)
        committed += m->commitments[i].remaining;
    return committed;
}

/* The Nth allocated page (wrapping), or -1 if none is allocated. */
static int64_t nth_allocated(const struct phys_model *m, uint32_t n)
{
    uint64_t used = model_used(m);
    if (used == 0)
        return -1;
    n %= used;
    for (size_t i = 0; i < PHYS_MODEL_PAGES; i++) {
        if (m->refcount[i] && n-- == 0)
            return (int64_t)i;
    }
    return -1;
}

/* Record newly handed-out pages; false if one was already in use. */
static bool record(struct phys_model *m, paddr_t base, uint64_t pages, char *why, size_t size)
{
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t index = index_of(paddr(base.value + i * PHYS_PAGE_SIZE));
        if (index >= PHYS_MODEL_PAGES || m->refcount[index]) {
            snprintf(why, size, "handed out page %#llx, which is %s",
                     (unsigned long long)base.value + i * PHYS_PAGE_SIZE,
                     index >= PHYS_MODEL_PAGES ? "outside RAM" : "already in use");
            return false;
        }
        m->refcount[index] = 1;
    }
    return true;
}

static bool apply(struct phys_model *m, enum phys_model_kind kind, uint32_t a, uint32_t b,
                  char *why, size_t size)
{
    uint64_t uncommitted = PHYS_MODEL_PAGES - model_used(m) - model_committed(m);
    struct phys_commitment *c = &m->commitments[b % PHYS_MODEL_COMMITMENTS];
    paddr_t page;
    int64_t index;
    int err;
    switch (kind) {
    case PHYS_OP_ALLOC:
        err = phys_alloc_page(PHYS_USAGE_TEST, &page);
        if ((err == 0) != (uncommitted > 0)) {
            snprintf(why, size, "alloc returned %d with %llu uncommitted pages", err,
                     (unsigned long long)uncommitted);
            return false;
        }
        return err || record(m, page, 1, why, size);
    case PHYS_OP_CONTIGUOUS: {
        uint64_t pages = 1 + a % 40, block = 1;
        while (block < pages)
            block *= 2;
        err = phys_alloc_contiguous(pages, 0, PHYS_USAGE_DMA, &page);
        if (err == 0 && uncommitted < block) {
            snprintf(why, size, "a %llu-page run succeeded with %llu uncommitted pages",
                     (unsigned long long)pages, (unsigned long long)uncommitted);
            return false;
        }
        if (err == 0 && page.value % (block * PHYS_PAGE_SIZE)) {
            snprintf(why, size, "a %llu-page run at %#llx is misaligned",
                     (unsigned long long)pages, (unsigned long long)page.value);
            return false;
        }
        return err || record(m, page, pages, why, size);
    }
    case PHYS_OP_REF:
        index = nth_allocated(m, a);
        if (index >= 0) {
            phys_page_ref(page_at((uint64_t)index));
            m->refcount[index]++;
        }
        return true;
    case PHYS_OP_UNREF:
        index = nth_allocated(m, a);
        if (index >= 0) {
            phys_page_unref(page_at((uint64_t)index));
            m->refcount[index]--;
        }
        return true;
    case PHYS_OP_COMMIT: {
        if (c->remaining)
            return true; /* that slot holds a commitment already */
        uint64_t pages = a % (PHYS_MODEL_PAGES / 4);
        err = phys_commit(pages, c);
        if ((err == 0) != (pages <= uncommitted)) {
            snprintf(why, size, "commit of %llu returned %d with %llu uncommitted",
                     (unsigned long long)pages, err, (unsigned long long)uncommitted);
            return false;
        }
        if (err)
            c->remaining = 0;
        return true;
    }
    case PHYS_OP_TAKE:
        for (uint32_t i = 0; i <= a % 8 && c->remaining; i++) {
            page = phys_commitment_take(c, PHYS_USAGE_ANONYMOUS);
            if (!record(m, page, 1, why, size))
                return false;
        }
        return true;
    case PHYS_OP_UNCOMMIT:
        phys_uncommit(c);
        return true;
    case PHYS_OP_KINDS:
        break;
    }
    return true;
}

bool phys_model_step(struct phys_model *m, enum phys_model_kind kind, uint32_t a, uint32_t b,
                     char *why, size_t why_size)
{
    m->steps++;
    if (!apply(m, kind, a, b, why, why_size))
        return false;
    struct phys_stats s;
    phys_get_stats(&s);
    uint64_t used = model_used(m), committed = model_committed(m);
    if (s.used != used || s.committed != committed || s.total != PHYS_MODEL_PAGES ||
        s.used + s.free != s.total || s.uncommitted != s.free - s.committed ||
        !phys_check_totals()) {
        snprintf(why, why_size,
                 "step %llu (op %d): allocator says used %llu committed %llu; model %llu %llu",
                 (unsigned long long)m->steps, kind, (unsigned long long)s.used,
                 (unsigned long long)s.committed, (unsigned long long)used,
                 (unsigned long long)committed);
        return false;
    }
    return true;
}

bool phys_model_drain(struct phys_model *m)
{
    for (size_t i = 0; i < PHYS_MODEL_PAGES; i++) {
        while (m->refcount[i]) {
            phys_page_unref(page_at(i));
            m->refcount[i]--;
        }
    }
    for (size_t i = 0; i < PHYS_MODEL_COMMITMENTS; i++)
        phys_uncommit(&m->commitments[i]);
    phys_trim();
    struct phys_stats s;
    phys_get_stats(&s);
    return s.free == PHYS_MODEL_PAGES && s.committed == 0 && phys_check_totals() &&
           s.zones[0].largest_free_order == PHYS_MAX_ORDER;
}
