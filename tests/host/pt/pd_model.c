/* The reference model of a user page directory (see pd_model.h). */
#include "tests/host/pt/pd_model.h"
#include <pagoda/errors.h>
#include <stdio.h>
#include <stdlib.h>

#define PAGES_PER_LARGE (PT_LEVEL_SIZE(1) / PT_PAGE_SIZE)
#define PAGES_PER_HUGE (PT_LEVEL_SIZE(2) / PT_PAGE_SIZE)
/* Physical addresses the model hands out: below 64 GiB, so every format can hold them. */
#define MODEL_PHYS_PAGES ((64 * GiB) / PT_PAGE_SIZE)

uint64_t pd_model_next(uint64_t *s)
{
    /* xorshift64*: small, fast and good enough to choose test operations. */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(0x2545f4914f6cdd1d);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
    return pd_model_next(s) % n;
}

void pd_model_init(struct pd_model *m, const struct pd_test_format *tf)
{
    pd_fixture_init(&m->fixture, tf);
    m->pages = calloc(PD_MODEL_PAGES, sizeof(*m->pages));
    if (!m->pages)
        abort();
    m->steps = 0;
}

size_t pd_model_fini(struct pd_model *m)
{
    size_t leaked = 0;
    if (pd_unmap(&m->fixture.user, vaddr(PD_MODEL_BASE), PD_MODEL_SIZE) != 0 ||
        m->fixture.user.table_pages != 1)
        leaked = m->fixture.user.table_pages - 1;
    leaked += pd_fixture_fini(&m->fixture);
    free(m->pages);
    return leaked;
}

void pd_model_random_op(uint64_t *s, struct pd_model_op *op)
{
    unsigned roll = (unsigned)below(s, 100);
    op->kind = roll < 40 ? PD_OP_MAP : roll < 65 ? PD_OP_UNMAP : roll < 95 ? PD_OP_PROTECT
                                                                            : PD_OP_CLEAR;
    unsigned shape = (unsigned)below(s, 100);
    uint64_t align = shape < 2 ? PAGES_PER_HUGE : shape < 35 ? PAGES_PER_LARGE : 1;
    op->pages = align == 1 ? 1 + below(s, 64) : align * (1 + below(s, align == PAGES_PER_HUGE ? 1 : 3));
    /* Unaligned ends half of the time for large shapes, to force splits. */
    if (align > 1 && below(s, 2))
        op->pages += below(s, 16);
    op->first_page = below(s, (PD_MODEL_PAGES - op->pages) / align + 1) * align;
    if (align > 1 && below(s, 2))
        op->first_page = MIN(op->first_page + below(s, 16), PD_MODEL_PAGES - op->pages);
    uint64_t pa_page = below(s, MODEL_PHYS_PAGES / align) * align;
    op->pa = pa_page * PT_PAGE_SIZE;
    op->prot = PD_READ | PD_USER | (below(s, 2) ? PD_WRITE : 0) | (below(s, 3) == 0 ? PD_EXECUTE : 0);
    op->type = (enum memory_type)below(s, 3);
}

/* Translate through the MMU, resolving software accessed/dirty faults as the trap code will. */
static struct swmmu_result access_page(struct pd_model *m, uint64_t va, enum fault_access access)
{
    struct pd_fixture *f = &m->fixture;
    struct swmmu_result r = pd_translate(f, va, access, true);
    for (int tries = 0; tries < 2 && r.outcome != SWMMU_OK && r.outcome != SWMMU_NOT_PRESENT;
         tries++) {
        if (pd_update_accessed_dirty(&f->user, vaddr(va), access, true) != 0)
            break;
        r = pd_translate(f, va, access, true);
    }
    return r;
}

static bool check_page(struct pd_model *m, uint64_t index, char *why, size_t why_size)
{
    const struct pd_model_page *p = &m->pages[index];
    uint64_t va = PD_MODEL_BASE + index * PT_PAGE_SIZE;
    static const enum fault_access accesses[] = { FAULT_READ, FAULT_WRITE, FAULT_EXECUTE };
    static const uint32_t needs[] = { PD_READ, PD_WRITE, PD_EXECUTE };
    for (size_t i = 0; i < ARRAY_SIZE(accesses); i++) {
        struct swmmu_result r = access_page(m, va + 8, accesses[i]);
        enum swmmu_outcome want = !p->prot ? SWMMU_NOT_PRESENT
                                  : (p->prot & needs[i]) ? SWMMU_OK : SWMMU_PROTECTION;
        if (r.outcome != want || (want == SWMMU_OK && r.pa != p->pa + 8)) {
            snprintf(why, why_size,
                     "page %#llx, %s: MMU says outcome %d pa %#llx; model: outcome %d pa %#llx prot %#x",
                     (unsigned long long)va, fault_access_name(accesses[i]), r.outcome,
                     (unsigned long long)r.pa, want, (unsigned long long)p->pa + 8, p->prot);
            return false;
        }
    }
    struct pd_query_result q;
    int err = pd_query(&m->fixture.user, vaddr(va), &q);
    if (p->prot ? (err != 0 || q.phys.value != p->pa || q.prot != p->prot) : err != -E_NOENT) {
        snprintf(why, why_size, "page %#llx: pd_query %d phys %#llx prot %#x; model pa %#llx prot %#x",
                 (unsigned long long)va, err, (unsigned long long)q.phys.value, q.prot,
                 (unsigned long long)p->pa, p->prot);
        return false;
    }
    return true;
}

static int apply_to_model(struct pd_model *m, const struct pd_model_op *op)
{
    struct pd_model_page *pages = &m->pages[op->first_page];
    switch (op->kind) {
    case PD_OP_MAP:
        if (op->type == MEMORY_TYPE_IO && (op->prot & PD_EXECUTE))
            return -E_INVAL; /* device memory is never executable */
        for (uint64_t i = 0; i < op->pages; i++) {
            if (pages[i].prot)
                return -E_EXIST;
        }
        for (uint64_t i = 0; i < op->pages; i++)
            pages[i] = (struct pd_model_page){ op->pa + i * PT_PAGE_SIZE, op->prot, op->type };
        return 0;
    case PD_OP_UNMAP:
        for (uint64_t i = 0; i < op->pages; i++)
            pages[i].prot = 0;
        return 0;
    case PD_OP_PROTECT:
        for (uint64_t i = 0; i < op->pages; i++) {
            if (pages[i].prot)
                pages[i].prot = pages[i].type == MEMORY_TYPE_IO && m->fixture.tf->has_memory_types
                                    ? op->prot & ~(uint32_t)PD_EXECUTE
                                    : op->prot; /* a format without types cannot tell IO apart */
        }
        return 0;
    case PD_OP_CLEAR:
    case PD_OP_KINDS:
        break;
    }
    return 0;
}

static int apply_to_directory(struct pd_model *m, const struct pd_model_op *op)
{
    struct page_directory *pd = &m->fixture.user;
    vaddr_t va = vaddr(PD_MODEL_BASE + op->first_page * PT_PAGE_SIZE);
    size_t size = op->pages * PT_PAGE_SIZE;
    switch (op->kind) {
    case PD_OP_MAP:
        return pd_map(pd, va, paddr(op->pa), size, op->prot, op->type);
    case PD_OP_UNMAP:
        return pd_unmap(pd, va, size);
    case PD_OP_PROTECT:
        return pd_protect(pd, va, size, op->prot);
    case PD_OP_CLEAR:
    case PD_OP_KINDS:
        break;
    }
    return pd_clear_accessed_dirty(pd, va, size);
}

static const char *const op_names[] = { "map", "unmap", "protect", "clear-accessed-dirty" };

bool pd_model_step(struct pd_model *m, const struct pd_model_op *op, uint64_t *random,
                   unsigned samples, char *why, size_t why_size)
{
    m->steps++;
    int got = apply_to_directory(m, op);
    int want = apply_to_model(m, op);
    if (got != want) {
        snprintf(why, why_size, "step %llu: %s of %llu pages at page %llu returned %d, model %d",
                 (unsigned long long)m->steps, op_names[op->kind], (unsigned long long)op->pages,
                 (unsigned long long)op->first_page, got, want);
        return false;
    }
    /* Every table's valid-entry count still says what it holds... */
    size_t miscounted = pt_count_mismatches(&m->fixture.user);
    if (miscounted) {
        snprintf(why, why_size, "step %llu: after %s of %llu pages at page %llu, %zu tables' "
                 "valid-entry counts differ from their entries", (unsigned long long)m->steps,
                 op_names[op->kind], (unsigned long long)op->pages,
                 (unsigned long long)op->first_page, miscounted);
        return false;
    }
    /* ...the pages the operation touched and a margin around it... */
    uint64_t first = op->first_page > 2 ? op->first_page - 2 : 0;
    uint64_t end = MIN(op->first_page + op->pages + 2, PD_MODEL_PAGES);
    for (uint64_t i = first; i < end; i++) {
        bool edge = i < first + 40 || i + 40 >= end || below(random, 16) == 0;
        if (edge && !check_page(m, i, why, why_size))
            return false;
    }
    /* ...and a sample of everything else. */
    for (unsigned i = 0; i < samples; i++) {
        if (!check_page(m, below(random, PD_MODEL_PAGES), why, why_size))
            return false;
    }
    return true;
}
