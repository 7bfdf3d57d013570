/*
 * The reference model of address spaces (see as_model.h): the fixture the
 * address-space tests share, the operations applied to the real spaces and
 * to the model side by side, and the check of one against the other.
 */
#include "tests/host/mm/as_model.h"
#include <pagoda/errors.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE PHYS_PAGE_SIZE
/* An access faults at most for presence, then accessed/dirty, then copy-on-write. */
#define ACCESS_TRIES 4
#define NO_OBJECT (-1)

/* --- the fixture ------------------------------------------------------------------ */

void as_fixture_init(struct as_fixture *f, const struct pd_test_format *tf, uint64_t ram_pages)
{
    f->tf = tf;
    simphys_init(&f->sim, AS_FIXTURE_TABLE_MEMORY);
    phys_reset();
    host_ram_init(&f->ram, AS_FIXTURE_RAM_BASE, ram_pages);
    if (phys_init_zero_page() != 0 ||
        pd_create_kernel(&f->kernel, tf->format, &f->sim.provider) != 0) {
        fprintf(stderr, "as_fixture_init: cannot set up the zero page or the kernel directory\n");
        abort();
    }
    phys_get_stats(&f->start);
}

bool as_fixture_fini(struct as_fixture *f)
{
    phys_trim();
    struct phys_stats end;
    phys_get_stats(&end);
    pd_destroy(&f->kernel);
    bool clean = end.used == f->start.used && end.committed == f->start.committed &&
                 f->sim.in_use == 0;
    host_ram_fini(&f->ram);
    phys_reset();
    simphys_fini(&f->sim);
    return clean;
}

enum fault_response as_fixture_access(struct as_fixture *f, struct address_space *as,
                                      uint64_t va, enum fault_access access, uint64_t *value)
{
    for (int tries = 0; tries < ACCESS_TRIES; tries++) {
        struct swmmu_request req = {
            .va = va, .access = access, .user = true, .user_root = as->pd.root.value,
            .kernel_root = f->tf->format->split_roots ? f->kernel.root.value : as->pd.root.value,
            .ad_mode = f->tf->ad_mode,
        };
        struct swmmu_result r;
        f->tf->translate(&f->sim.memory, &req, &r);
        if (r.outcome == SWMMU_OK) {
            uint64_t *p = host_ram_ptr(r.pa);
            if (access == FAULT_WRITE)
                *p = *value;
            else
                *value = *p;
            return FAULT_RESPONSE_CONTINUE;
        }
        if (r.outcome != SWMMU_NOT_PRESENT &&
            pd_update_accessed_dirty(&as->pd, vaddr(va), access, true) == 0)
            continue;
        struct fault fault = {
            .addr = vaddr(va), .access = access, .mode = FAULT_USER,
            .cause = r.outcome == SWMMU_NOT_PRESENT ? FAULT_NOT_PRESENT : FAULT_PROTECTION,
        };
        enum fault_response response = as_handle_fault(as, &fault);
        if (response != FAULT_RESPONSE_CONTINUE)
            return response;
    }
    return FAULT_RESPONSE_SHOULD_CRASH; /* the handler said Continue but the access still faults */
}

/* --- model bookkeeping -------------------------------------------------------------- */

static bool fail(char *why, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

static bool fail(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return false;
}

static uint64_t page_va(unsigned p)
{
    return AS_MODEL_BASE + p * PAGE;
}

/*
 * The words of a page the model follows: the first, the last, and two in
 * between; reads and writes pick one, and the page-directory check compares
 * all of them, so a page not zeroed before use shows.
 */
static const uint16_t word_offsets[AS_MODEL_WORDS] = { 0, 1032, 2064, PAGE - 8 };

/* Room for one frame per page of RAM_PAGES pages of RAM. */
static void frames_alloc(struct as_model *m, uint64_t ram_pages)
{
    if (ram_pages > UINT16_MAX) {
        fprintf(stderr, "as_model: %llu pages of RAM; the model numbers at most %u\n",
                (unsigned long long)ram_pages, UINT16_MAX);
        abort();
    }
    free(m->frame);
    free(m->frame_at);
    free(m->free_frames);
    m->ram_pages = ram_pages;
    m->frame = calloc(ram_pages, sizeof(*m->frame));
    m->frame_at = calloc(ram_pages, sizeof(*m->frame_at));
    m->free_frames = calloc(ram_pages, sizeof(*m->free_frames));
    if (!m->frame || !m->frame_at || !m->free_frames)
        abort();
}

static void frames_clear(struct as_model *m)
{
    memset(m->frame, 0, m->ram_pages * sizeof(*m->frame));
    memset(m->frame_at, 0, m->ram_pages * sizeof(*m->frame_at));
    for (uint64_t i = 0; i < m->ram_pages; i++)
        m->free_frames[i] = (uint16_t)(m->ram_pages - 1 - i);
    m->free_frame_count = m->ram_pages;
}

/* A new page of memory holding a copy of VALUE (zeros if NULL), held once; false if none left. */
static bool frame_new(struct as_model *m, const uint64_t *value, uint16_t *out)
{
    if (m->free_frame_count == 0)
        return false;
    uint16_t f = m->free_frames[--m->free_frame_count];
    m->frame[f] = (struct as_model_frame){ .refs = 1, .pa = 0 };
    if (value)
        memcpy(m->frame[f].value, value, sizeof(m->frame[f].value));
    *out = f;
    return true;
}

/* One holder lets go of frame F; with the last one it is free. */
static void frame_put(struct as_model *m, uint16_t f)
{
    struct as_model_frame *fr = &m->frame[f];
    if (--fr->refs > 0)
        return;
    if (fr->pa)
        m->frame_at[(fr->pa - AS_FIXTURE_RAM_BASE) / PAGE] = 0;
    fr->pa = 0;
    m->free_frames[m->free_frame_count++] = f;
}

static uint64_t live_frames(const struct as_model *m)
{
    return m->ram_pages - m->free_frame_count;
}

/*
 * What the model says phys has committed: a page for every committed slot,
 * and for every page held by K objects the K - 1 copies a write may need.
 */
static uint64_t model_committed(const struct as_model *m)
{
    uint64_t committed = 0;
    for (int o = 0; o < AS_MODEL_OBJECTS; o++) {
        const struct as_model_object *obj = &m->object[o];
        for (unsigned i = 0; obj->live && i < obj->pages; i++)
            committed += obj->slot[i].kind == AS_SLOT_COMMITTED;
    }
    for (uint64_t f = 0; f < m->ram_pages; f++) {
        if (m->frame[f].refs > 1)
            committed += m->frame[f].refs - 1;
    }
    return committed;
}

/* Pages an allocation without a commitment may still take (phys's uncommitted). */
static uint64_t model_uncommitted(const struct as_model *m)
{
    uint64_t taken = live_frames(m) + model_committed(m);
    uint64_t available = m->fixture.start.uncommitted;
    return taken >= available ? 0 : available - taken;
}

static int object_new(struct as_model *m, unsigned pages, bool shared)
{
    for (int o = 0; o < AS_MODEL_OBJECTS; o++) {
        if (!m->object[o].live) {
            m->object[o] = (struct as_model_object){ .live = true, .shared = shared,
                                                     .pages = pages };
            return o;
        }
    }
    return NO_OBJECT;
}

static void object_release(struct as_model *m, struct as_model_object *obj)
{
    for (unsigned i = 0; i < obj->pages; i++) {
        if (obj->slot[i].kind == AS_SLOT_PAGE)
            frame_put(m, obj->slot[i].frame);
    }
    obj->live = false;
}

/* A region's object lives as long as the region; a region as long as one of its pages. */
static void collect_objects(struct as_model *m)
{
    bool used[AS_MODEL_OBJECTS] = { false };
    for (int s = 0; s < AS_MODEL_SPACES; s++) {
        for (unsigned p = 0; p < AS_MODEL_PAGES; p++) {
            if (m->page[s][p].mapped)
                used[m->page[s][p].object] = true;
        }
    }
    for (int o = 0; o < AS_MODEL_OBJECTS; o++) {
        if (m->object[o].live && !used[o])
            object_release(m, &m->object[o]);
    }
}

static struct as_model_object *object_at(struct as_model *m, int s, unsigned p)
{
    return &m->object[m->page[s][p].object];
}

static struct as_model_slot *slot_at(struct as_model *m, int s, unsigned p)
{
    return &object_at(m, s, p)->slot[m->page[s][p].index];
}

/* Word W (of word_offsets) of a mapped page. */
static uint64_t page_value(struct as_model *m, int s, unsigned p, unsigned w)
{
    const struct as_model_slot *slot = slot_at(m, s, p);
    return slot->kind == AS_SLOT_PAGE ? m->frame[slot->frame].value[w] : 0;
}

/* Pages [FIRST, END) of space S that belong to region REGION become a region of their own. */
static void region_split(struct as_model *m, int s, unsigned first, unsigned end, uint32_t region)
{
    uint32_t fresh = m->next_region++;
    for (unsigned p = first; p < end; p++) {
        if (m->page[s][p].mapped && m->page[s][p].region == region)
            m->page[s][p].region = fresh;
    }
}

/* Do pages A and B (A + 1 == B) of space S lie in one region? */
static bool same_region(const struct as_model *m, int s, unsigned a, unsigned b)
{
    const struct as_model_page *pa = &m->page[s][a], *pb = &m->page[s][b];
    return pa->mapped && pb->mapped && pa->region == pb->region;
}

/* Where an operation aims: FIRST_PAGE, or the first mapped page from it if asked. */
static unsigned aim(const struct as_model *m, const struct as_model_op *op)
{
    if (!op->to_mapped)
        return op->first_page;
    for (unsigned k = 0; k < AS_MODEL_PAGES; k++) {
        unsigned p = (op->first_page + k) % AS_MODEL_PAGES;
        if (m->page[op->space][p].mapped)
            return p;
    }
    return op->first_page;
}

static const char *region_access_name(uint32_t access)
{
    static const char *const names[] = { "-", "r", "w", "rw", "x", "rx", "wx", "rwx" };
    return names[access & (REGION_READ | REGION_WRITE | REGION_EXECUTE)];
}

/* --- the operations ------------------------------------------------------------------ */

/* An access to word OP->word of page P of space S, by its program or by the kernel for it. */
static enum fault_response model_access(struct as_model *m, const struct as_model_op *op,
                                        unsigned p, enum fault_access access, uint64_t *value)
{
    struct address_space *as = &m->as[op->space];
    uint64_t va = page_va(p) + word_offsets[op->word];
    if (op->by_kernel)
        return as_access_word(as, va, access, value);
    return as_fixture_access(&m->fixture, as, va, access, value);
}

static bool op_map(struct as_model *m, const struct as_model_op *op, char *why, size_t size)
{
    int s = (int)op->space;
    unsigned p = op->first_page, n = op->pages;
    if (op->to_mapped) {
        /* Right after the mapped pages from FIRST_PAGE: regions side by side. */
        unsigned end = aim(m, op);
        while (end < AS_MODEL_PAGES && m->page[s][end].mapped)
            end++;
        if (end < AS_MODEL_PAGES) {
            p = end;
            n = MIN(n, AS_MODEL_PAGES - p);
        }
    }
    bool free = true;
    for (unsigned i = p; i < p + n; i++)
        free = free && !m->page[s][i].mapped;
    int want = 0;
    if (!free)
        want = -E_EXIST;
    else if (op->strategy != ALLOCATION_NONE && n > model_uncommitted(m))
        want = -E_NOMEM; /* a commitment is made whole or not at all */
    struct region *r = NULL;
    int err = as_allocate_region(&m->as[s], page_va(p), n * PAGE, 0, op->access,
                                 op->shared ? REGION_SHARED : 0, op->strategy, "model", &r);
    if (err != want)
        return fail(why, size, "map of %u pages (%s%s, strategy %d) at page %u of space %d: %s, "
                    "the model expects %s", n, region_access_name(op->access),
                    op->shared ? " shared" : "", op->strategy, p, s, error_name(err),
                    error_name(want));
    if (err == -E_NOMEM)
        m->refused_commits++;
    if (err)
        return true;
    int o = object_new(m, n, op->shared);
    if (o == NO_OBJECT)
        return fail(why, size, "the model has no room for another object");
    struct as_model_object *obj = &m->object[o];
    obj->real = r->vmobject;
    for (unsigned i = 0; i < n; i++) {
        struct as_model_slot *slot = &obj->slot[i];
        if (op->strategy == ALLOCATION_RESERVE) {
            slot->kind = AS_SLOT_COMMITTED;
        } else if (op->strategy == ALLOCATION_NONE) {
            slot->kind = AS_SLOT_ZERO;
        } else {
            slot->kind = AS_SLOT_PAGE;
            if (!frame_new(m, NULL, &slot->frame))
                return fail(why, size, "the model ran out of pages allocating them now");
        }
    }
    m->done[AS_OP_MAP]++;
    uint32_t region = m->next_region++;
    for (unsigned i = 0; i < n; i++)
        m->page[s][p + i] = (struct as_model_page){ .mapped = true,
                                                    .access = op->access | REGION_READ,
                                                    .object = (uint16_t)o, .index = (uint16_t)i,
                                                    .region = region };
    return true;
}

static bool op_unmap(struct as_model *m, const struct as_model_op *op, char *why, size_t size)
{
    int s = (int)op->space;
    unsigned p = op->first_page, n = op->pages;
    int err = as_unmap(&m->as[s], page_va(p), n * PAGE);
    if (err)
        return fail(why, size, "unmap of %u pages at page %u of space %d: %s", n, p, s,
                    error_name(err));
    /* A region around the whole range leaves two: the tail is a region of its own. */
    if (p > 0 && p + n < AS_MODEL_PAGES && same_region(m, s, p - 1, p + n))
        region_split(m, s, p + n, AS_MODEL_PAGES, m->page[s][p + n].region);
    for (unsigned i = p; i < p + n; i++)
        m->page[s][i].mapped = false;
    m->done[AS_OP_UNMAP]++;
    return true;
}

static bool op_protect(struct as_model *m, const struct as_model_op *op, char *why, size_t size)
{
    int s = (int)op->space;
    unsigned p = op->first_page, n = op->pages;
    if (op->to_mapped && m->page[s][aim(m, op)].mapped) {
        /* Only over mapped pages (across regions if they go on), so that most protects apply. */
        p = aim(m, op);
        unsigned run = 0;
        while (run < op->pages && p + run < AS_MODEL_PAGES && m->page[s][p + run].mapped)
            run++;
        n = run;
    }
    bool covered = true;
    for (unsigned i = p; i < p + n; i++)
        covered = covered && m->page[s][i].mapped;
    int want = covered ? 0 : -E_NOENT;
    int err = as_protect(&m->as[s], page_va(p), n * PAGE, op->access);
    if (err != want)
        return fail(why, size, "protect of %u pages at page %u of space %d to %s: %s, the model "
                    "expects %s", n, p, s, region_access_name(op->access), error_name(err),
                    error_name(want));
    if (err)
        return true;
    /* Regions across either end are split there: the part inside gets the new rights. */
    if (p > 0 && same_region(m, s, p - 1, p))
        region_split(m, s, p, p + n, m->page[s][p].region);
    if (p + n < AS_MODEL_PAGES && same_region(m, s, p + n - 1, p + n))
        region_split(m, s, p, p + n, m->page[s][p + n - 1].region);
    for (unsigned i = p; i < p + n; i++)
        m->page[s][i].access = op->access | REGION_READ;
    m->done[AS_OP_PROTECT]++;
    return true;
}

static bool op_write(struct as_model *m, const struct as_model_op *op, char *why, size_t size)
{
    int s = (int)op->space;
    unsigned p = aim(m, op);
    struct as_model_page *pg = &m->page[s][p];
    enum fault_response want = FAULT_RESPONSE_SHOULD_CRASH;
    if (pg->mapped && (pg->access & REGION_WRITE)) {
        /* Only a first write to memory nothing was committed for can find none. */
        bool uncommitted = slot_at(m, s, p)->kind == AS_SLOT_ZERO;
        want = uncommitted && model_uncommitted(m) == 0 ? FAULT_RESPONSE_OUT_OF_MEMORY
                                                        : FAULT_RESPONSE_CONTINUE;
    }
    uint64_t value = op->value;
    enum fault_response response = model_access(m, op, p, FAULT_WRITE, &value);
    if (response != want)
        return fail(why, size, "write%s of word %u at page %u of space %d: %s, the model "
                    "expects %s", op->by_kernel ? " by the kernel" : "", op->word, p, s,
                    fault_response_name(response), fault_response_name(want));
    if (response == FAULT_RESPONSE_OUT_OF_MEMORY)
        m->out_of_memory++;
    if (response != FAULT_RESPONSE_CONTINUE)
        return true;
    struct as_model_object *obj = object_at(m, s, p);
    struct as_model_slot *slot = slot_at(m, s, p);
    if (slot->kind != AS_SLOT_PAGE) {
        if (!frame_new(m, NULL, &slot->frame))
            return fail(why, size, "the model ran out of pages at a write");
        slot->kind = AS_SLOT_PAGE;
    } else if (!obj->shared && m->frame[slot->frame].refs > 1) {
        uint16_t copy; /* copy-on-write: the writer gets its own page */
        if (!frame_new(m, m->frame[slot->frame].value, &copy))
            return fail(why, size, "the model ran out of pages at a copy");
        frame_put(m, slot->frame);
        slot->frame = copy;
    }
    m->frame[slot->frame].value[op->word] = op->value;
    m->done[AS_OP_WRITE]++;
    return true;
}

static bool op_read(struct as_model *m, const struct as_model_op *op, char *why, size_t size)
{
    int s = (int)op->space;
    unsigned p = aim(m, op);
    const struct as_model_page *pg = &m->page[s][p];
    uint32_t needs = op->fetch == FAULT_EXECUTE ? REGION_EXECUTE : REGION_READ;
    bool allowed = pg->mapped && (pg->access & needs);
    enum fault_response want = allowed ? FAULT_RESPONSE_CONTINUE : FAULT_RESPONSE_SHOULD_CRASH;
    uint64_t got = UINT64_MAX;
    enum fault_response response = model_access(m, op, p, op->fetch, &got);
    uint64_t expected = allowed ? page_value(m, s, p, op->word) : 0;
    if (response != want || (allowed && got != expected))
        return fail(why, size, "%s%s of word %u at page %u of space %d: %s, %#llx; the model "
                    "expects %s, %#llx", fault_access_name(op->fetch),
                    op->by_kernel ? " by the kernel" : "", op->word, p, s,
                    fault_response_name(response),
                    (unsigned long long)got, fault_response_name(want),
                    (unsigned long long)expected);
    m->done[AS_OP_READ] += allowed;
    return true;
}

/*
 * The slots a fork of space S hands on, for each private object: those S
 * maps (through any of its regions), which is all a clone takes.
 */
static void fork_slots(const struct as_model *m, int s,
                       bool slots[AS_MODEL_OBJECTS][AS_MODEL_MAX_RUN])
{
    memset(slots, 0, sizeof(bool) * AS_MODEL_OBJECTS * AS_MODEL_MAX_RUN);
    for (unsigned p = 0; p < AS_MODEL_PAGES; p++) {
        const struct as_model_page *pg = &m->page[s][p];
        if (pg->mapped && !m->object[pg->object].shared)
            slots[pg->object][pg->index] = true;
    }
}

/*
 * Pages a fork must commit: each private object is cloned once, over the
 * slots the space maps; a committed slot commits itself, a page its copy.
 */
static uint64_t fork_need(const struct as_model *m,
                          bool slots[AS_MODEL_OBJECTS][AS_MODEL_MAX_RUN])
{
    uint64_t need = 0;
    for (int o = 0; o < AS_MODEL_OBJECTS; o++) {
        const struct as_model_object *obj = &m->object[o];
        for (unsigned i = 0; obj->live && i < obj->pages; i++)
            need += slots[o][i] && obj->slot[i].kind != AS_SLOT_ZERO;
    }
    return need;
}

/*
 * A copy-on-write clone of OBJ over the slots in TAKEN: the same slots
 * there, each page now held once more; zeros, nothing promised, elsewhere.
 */
static int object_clone(struct as_model *m, const struct as_model_object *obj,
                        const bool *taken)
{
    int o = object_new(m, obj->pages, false);
    if (o == NO_OBJECT)
        return NO_OBJECT;
    struct as_model_object *clone = &m->object[o];
    for (unsigned i = 0; i < obj->pages; i++) {
        if (!taken[i]) {
            clone->slot[i] = (struct as_model_slot){ .kind = AS_SLOT_ZERO };
            continue;
        }
        clone->slot[i] = obj->slot[i];
        if (obj->slot[i].kind == AS_SLOT_PAGE)
            m->frame[obj->slot[i].frame].refs++;
    }
    return o;
}

static bool op_fork(struct as_model *m, const struct as_model_op *op, char *why, size_t size)
{
    int s = (int)op->space, c = 0;
    while (c < AS_MODEL_SPACES && m->live[c])
        c++;
    if (c == AS_MODEL_SPACES)
        return true; /* no room for a child */
    static bool slots[AS_MODEL_OBJECTS][AS_MODEL_MAX_RUN]; /* 8 KiB: kept off the stack */
    fork_slots(m, s, slots);
    int want = fork_need(m, slots) > model_uncommitted(m) ? -E_NOMEM : 0;
    int err = as_fork(&m->as[s], &m->as[c], (uint16_t)(c + 1));
    if (err != want)
        return fail(why, size, "fork of space %d into %d: %s, the model expects %s", s, c,
                    error_name(err), error_name(want));
    if (err) {
        m->refused_commits++;
        return true;
    }
    m->live[c] = true;
    m->done[AS_OP_FORK]++;
    /* Each private object's one clone, made at the first page that maps it. */
    int clone_of[AS_MODEL_OBJECTS];
    for (int o = 0; o < AS_MODEL_OBJECTS; o++)
        clone_of[o] = NO_OBJECT;
    uint32_t region = 0;
    for (unsigned p = 0; p < AS_MODEL_PAGES; p++) {
        struct as_model_page pg = m->page[s][p];
        m->page[c][p] = pg;
        if (!pg.mapped)
            continue;
        bool region_start = p == 0 || !same_region(m, s, p - 1, p);
        if (region_start)
            region = m->next_region++;
        m->page[c][p].region = region;
        if (m->object[pg.object].shared)
            continue; /* a shared object is shared */
        if (clone_of[pg.object] != NO_OBJECT && region_start)
            m->clone_reuses++; /* one object, several regions: still one clone */
        if (clone_of[pg.object] == NO_OBJECT) {
            int clone = object_clone(m, &m->object[pg.object], slots[pg.object]);
            if (clone == NO_OBJECT)
                return fail(why, size, "the model has no room for another object");
            struct region *r = as_find_region(&m->as[c], page_va(p));
            if (!r)
                return fail(why, size, "fork of space %d into %d: page %u has no region", s, c,
                            p);
            m->object[clone].real = r->vmobject;
            clone_of[pg.object] = clone;
        }
        m->page[c][p].object = (uint16_t)clone_of[pg.object];
    }
    return true;
}

static void op_destroy(struct as_model *m, int s)
{
    as_destroy(&m->as[s]);
    m->live[s] = false;
    m->done[AS_OP_DESTROY]++;
    for (unsigned p = 0; p < AS_MODEL_PAGES; p++)
        m->page[s][p].mapped = false;
}

static bool op_set_volatile(struct as_model *m, const struct as_model_op *op, char *why,
                            size_t size)
{
    int s = (int)op->space;
    unsigned p = aim(m, op);
    if (!m->page[s][p].mapped)
        return true; /* no object there */
    struct as_model_object *obj = object_at(m, s, p);
    uint64_t missing = 0;
    for (unsigned i = 0; i < obj->pages; i++)
        missing += obj->slot[i].kind != AS_SLOT_PAGE;
    /* Becoming non-volatile commits every slot without a page again. */
    bool recommit = !op->is_volatile && obj->is_volatile;
    int want = recommit && missing > model_uncommitted(m) ? -E_NOMEM : 0;
    bool want_purged = obj->is_volatile && obj->was_purged;
    bool purged = !want_purged;
    int err = anon_vmobject_set_volatile(obj->real, op->is_volatile, &purged);
    if (err != want || (err == 0 && purged != want_purged))
        return fail(why, size, "making the object at page %u of space %d %svolatile: %s, "
                    "was purged %d; the model expects %s, %d", p, s,
                    op->is_volatile ? "" : "non-", error_name(err), purged, error_name(want),
                    want_purged);
    if (err) {
        m->refused_commits++;
        return true;
    }
    if (op->is_volatile && !obj->is_volatile) {
        /* Volatile memory promises nothing: its commitment goes back. */
        for (unsigned i = 0; i < obj->pages; i++) {
            if (obj->slot[i].kind == AS_SLOT_COMMITTED)
                obj->slot[i].kind = AS_SLOT_ZERO;
        }
        obj->was_purged = false;
    } else if (recommit) {
        for (unsigned i = 0; i < obj->pages; i++) {
            if (obj->slot[i].kind != AS_SLOT_PAGE)
                obj->slot[i].kind = AS_SLOT_COMMITTED;
        }
        obj->was_purged = false;
    }
    obj->is_volatile = op->is_volatile;
    m->done[AS_OP_SET_VOLATILE]++;
    return true;
}

/* The first page from FIRST_PAGE whose object is volatile, else where aim() aims. */
static unsigned aim_volatile(struct as_model *m, const struct as_model_op *op)
{
    for (unsigned k = 0; op->to_mapped && k < AS_MODEL_PAGES; k++) {
        unsigned p = (op->first_page + k) % AS_MODEL_PAGES;
        if (m->page[op->space][p].mapped && object_at(m, (int)op->space, p)->is_volatile)
            return p;
    }
    return aim(m, op);
}

static bool op_purge(struct as_model *m, const struct as_model_op *op, char *why, size_t size)
{
    int s = (int)op->space;
    unsigned p = aim_volatile(m, op);
    if (!m->page[s][p].mapped)
        return true;
    struct as_model_object *obj = object_at(m, s, p);
    uint64_t want = 0;
    for (unsigned i = 0; obj->is_volatile && i < obj->pages; i++)
        want += obj->slot[i].kind == AS_SLOT_PAGE;
    uint64_t got = as_purge_vmobject(obj->real);
    if (got != want)
        return fail(why, size, "purge of the object at page %u of space %d (%svolatile): %llu "
                    "pages, the model expects %llu", p, s, obj->is_volatile ? "" : "non-",
                    (unsigned long long)got, (unsigned long long)want);
    if (!obj->is_volatile)
        return true;
    for (unsigned i = 0; i < obj->pages; i++) {
        if (obj->slot[i].kind == AS_SLOT_PAGE) {
            frame_put(m, obj->slot[i].frame);
            obj->slot[i].kind = AS_SLOT_ZERO; /* zeros again, and nothing promised */
        }
    }
    obj->was_purged = true;
    m->done[AS_OP_PURGE]++;
    m->purged_pages += (unsigned)got;
    return true;
}

bool as_model_step(struct as_model *m, const struct as_model_op *op, char *why, size_t why_size)
{
    int s = (int)op->space;
    if (!m->live[s]) {
        int err = as_create(&m->as[s], &m->fixture.kernel, (uint16_t)(s + 1));
        if (err)
            return fail(why, why_size, "create of space %d: %s", s, error_name(err));
        m->live[s] = true;
        return as_model_check(m, why, why_size);
    }
    bool ok = true;
    switch (op->kind) {
    case AS_OP_MAP: ok = op_map(m, op, why, why_size); break;
    case AS_OP_UNMAP: ok = op_unmap(m, op, why, why_size); break;
    case AS_OP_PROTECT: ok = op_protect(m, op, why, why_size); break;
    case AS_OP_WRITE: ok = op_write(m, op, why, why_size); break;
    case AS_OP_READ: ok = op_read(m, op, why, why_size); break;
    case AS_OP_FORK: ok = op_fork(m, op, why, why_size); break;
    case AS_OP_DESTROY: op_destroy(m, s); break;
    case AS_OP_SET_VOLATILE: ok = op_set_volatile(m, op, why, why_size); break;
    case AS_OP_PURGE: ok = op_purge(m, op, why, why_size); break;
    default: return fail(why, why_size, "unknown operation %d", op->kind);
    }
    if (!ok)
        return false;
    collect_objects(m);
    return as_model_check(m, why, why_size);
}

/* --- the check -------------------------------------------------------------------- */

/* Bind frame F to the real page PA the first time, or check that it is still that page. */
static bool check_frame_page(struct as_model *m, uint16_t f, paddr_t pa, char *why, size_t size)
{
    struct as_model_frame *fr = &m->frame[f];
    if (fr->pa)
        return fr->pa == pa.value ||
               fail(why, size, "model page %u is real page %#llx, but now %#llx", f,
                    (unsigned long long)fr->pa, (unsigned long long)pa.value);
    uint64_t index = (pa.value - AS_FIXTURE_RAM_BASE) / PAGE;
    if (pa.value < AS_FIXTURE_RAM_BASE || index >= m->ram_pages || pa.value % PAGE)
        return fail(why, size, "a slot holds %#llx, which is no page of RAM",
                    (unsigned long long)pa.value);
    if (m->frame_at[index] && m->frame_at[index] != f + 1)
        return fail(why, size, "model pages %u and %u are both real page %#llx (a missing copy?)",
                    m->frame_at[index] - 1, f, (unsigned long long)pa.value);
    fr->pa = pa.value;
    m->frame_at[index] = (uint16_t)(f + 1);
    return true;
}

/* Every slot of every live object, and the reference count of every page in them. */
static bool check_objects(struct as_model *m, char *why, size_t size)
{
    for (int o = 0; o < AS_MODEL_OBJECTS; o++) {
        const struct as_model_object *obj = &m->object[o];
        if (!obj->live)
            continue;
        const struct vmobject *vmo = obj->real;
        if (vmo->kind != VMOBJECT_ANONYMOUS || vmo->page_count != obj->pages ||
            anon_vmobject_is_volatile(vmo) != obj->is_volatile)
            return fail(why, size, "object %d: kind %d, %llu pages, volatile %d; the model has "
                        "anonymous, %u, %d", o, vmo->kind, (unsigned long long)vmo->page_count,
                        anon_vmobject_is_volatile(vmo), obj->pages, obj->is_volatile);
        for (unsigned i = 0; i < obj->pages; i++) {
            paddr_t real = vmo->pages[i];
            const struct as_model_slot *slot = &obj->slot[i];
            if (slot->kind == AS_SLOT_ZERO && real.value == phys_zero_page().value)
                continue;
            if (slot->kind == AS_SLOT_COMMITTED && real.value == PHYS_LAZY_COMMITTED.value)
                continue;
            if (slot->kind != AS_SLOT_PAGE || !vmobject_slot_is_page(real))
                return fail(why, size, "object %d slot %u holds %#llx; the model has %s", o, i,
                            (unsigned long long)real.value,
                            slot->kind == AS_SLOT_ZERO        ? "the zero page"
                            : slot->kind == AS_SLOT_COMMITTED ? "a committed zero page"
                                                              : "a page of memory");
            if (!check_frame_page(m, slot->frame, real, why, size))
                return false;
            uint32_t refs = phys_page_refcount(real);
            if (refs != m->frame[slot->frame].refs)
                return fail(why, size, "object %d slot %u: page %#llx has %u references; the "
                            "model has %u", o, i, (unsigned long long)real.value, refs,
                            m->frame[slot->frame].refs);
        }
    }
    return true;
}

/* The regions of space S, each against the run of pages the model has for it. */
static bool check_regions(struct as_model *m, int s, char *why, size_t size)
{
    struct address_space *as = &m->as[s];
    if (!region_tree_check(&as->regions))
        return fail(why, size, "space %d: the region tree is broken", s);
    size_t regions = 0;
    for (unsigned p = 0; p < AS_MODEL_PAGES; p++)
        regions += m->page[s][p].mapped && (p == 0 || !same_region(m, s, p - 1, p));
    if (as->regions.count != regions)
        return fail(why, size, "space %d has %zu regions; the model has %zu", s,
                    as->regions.count, regions);
    for (struct region_node *n = region_tree_first(&as->regions); n; n = region_tree_next(n)) {
        const struct region *r = region_of(n);
        uint64_t start = region_base(r), end = start + region_size(r);
        if (start < AS_MODEL_BASE || end > page_va(AS_MODEL_PAGES) || start % PAGE || end % PAGE)
            return fail(why, size, "space %d: region [%#llx, %#llx) is outside the window", s,
                        (unsigned long long)start, (unsigned long long)end);
        unsigned first = (unsigned)((start - AS_MODEL_BASE) / PAGE);
        unsigned last = (unsigned)((end - AS_MODEL_BASE) / PAGE) - 1;
        const struct as_model_page *pg = &m->page[s][first];
        bool whole = pg->mapped && (first == 0 || !same_region(m, s, first - 1, first)) &&
                     (last + 1 == AS_MODEL_PAGES || !same_region(m, s, last, last + 1));
        for (unsigned p = first; whole && p < last; p++)
            whole = same_region(m, s, p, p + 1);
        if (!whole)
            return fail(why, size, "space %d: region of pages [%u, %u] is not one in the model",
                        s, first, last);
        const struct as_model_object *obj = &m->object[pg->object];
        if (r->access != pg->access || !!(r->flags & REGION_SHARED) != obj->shared ||
            r->vmobject != obj->real || r->offset_pages != pg->index)
            return fail(why, size, "space %d: region of pages [%u, %u] is %s%s at offset %llu "
                        "of %p; the model has %s%s at %u of %p", s, first, last,
                        region_access_name(r->access),
                        (r->flags & REGION_SHARED) ? " shared" : "",
                        (unsigned long long)r->offset_pages, (void *)r->vmobject,
                        region_access_name(pg->access), obj->shared ? " shared" : "",
                        pg->index, (void *)obj->real);
    }
    return true;
}

/*
 * as_get_stats against the model. Every figure is exact: "shared" is, as
 * as_get_stats defines it, a resident page more than one object holds (a
 * copy-on-write page after a fork), not a shared object's page that several
 * spaces map; "dirty private" is every resident page of a private region.
 */
static bool check_stats(struct as_model *m, int s, char *why, size_t size)
{
    struct as_stats want = { 0 };
    for (unsigned p = 0; p < AS_MODEL_PAGES; p++) {
        if (!m->page[s][p].mapped)
            continue;
        want.amount_virtual += PAGE;
        const struct as_model_object *obj = object_at(m, s, p);
        const struct as_model_slot *slot = slot_at(m, s, p);
        if (slot->kind != AS_SLOT_PAGE)
            continue;
        want.amount_resident += PAGE;
        want.amount_shared += m->frame[slot->frame].refs > 1 ? PAGE : 0;
        want.amount_dirty_private += obj->shared ? 0 : PAGE;
        want.amount_purgeable_volatile += obj->is_volatile ? PAGE : 0;
    }
    struct as_stats got;
    as_get_stats(&m->as[s], &got);
    if (memcmp(&got, &want, sizeof(got)) != 0)
        return fail(why, size, "space %d statistics (virtual, resident, shared, dirty private, "
                    "volatile, clean file) are %llu %llu %llu %llu %llu %llu pages; the model "
                    "has %llu %llu %llu %llu %llu 0", s,
                    (unsigned long long)(got.amount_virtual / PAGE),
                    (unsigned long long)(got.amount_resident / PAGE),
                    (unsigned long long)(got.amount_shared / PAGE),
                    (unsigned long long)(got.amount_dirty_private / PAGE),
                    (unsigned long long)(got.amount_purgeable_volatile / PAGE),
                    (unsigned long long)(got.amount_clean_inode / PAGE),
                    (unsigned long long)(want.amount_virtual / PAGE),
                    (unsigned long long)(want.amount_resident / PAGE),
                    (unsigned long long)(want.amount_shared / PAGE),
                    (unsigned long long)(want.amount_dirty_private / PAGE),
                    (unsigned long long)(want.amount_purgeable_volatile / PAGE));
    return true;
}

/*
 * Every page the directory of space S maps: only where the model has a
 * page, user-accessible, to the page the object holds (or the zero page),
 * writable only if a write there needs no fault (the region is writable and
 * the page is the object's alone, or shared by design), executable only if
 * the region is, and holding the model's contents. A page left mapped after
 * an unmap or a purge, or a copy-on-write page left writable, fails here.
 */
static bool check_mappings(struct as_model *m, int s, char *why, size_t size)
{
    for (unsigned p = 0; p < AS_MODEL_PAGES; p++) {
        struct pd_query_result q;
        int err = pd_query(&m->as[s].pd, vaddr(page_va(p)), &q);
        if (err == -E_NOENT)
            continue;
        if (err)
            return fail(why, size, "space %d page %u: query: %s", s, p, error_name(err));
        const struct as_model_page *pg = &m->page[s][p];
        if (!pg->mapped)
            return fail(why, size, "space %d page %u is still mapped (to %#llx) though the model "
                        "has no region there", s, p, (unsigned long long)q.phys.value);
        const struct as_model_object *obj = object_at(m, s, p);
        const struct as_model_slot *slot = slot_at(m, s, p);
        bool page = slot->kind == AS_SLOT_PAGE;
        uint64_t target = page ? m->frame[slot->frame].pa : phys_zero_page().value;
        bool may_write = (pg->access & REGION_WRITE) && page &&
                         (obj->shared || m->frame[slot->frame].refs == 1);
        if (q.phys.value != target || q.page_size != PAGE || !(q.prot & PD_USER) ||
            !(q.prot & PD_READ) || ((q.prot & PD_WRITE) && !may_write) ||
            ((q.prot & PD_EXECUTE) && !(pg->access & REGION_EXECUTE)) ||
            q.type != MEMORY_TYPE_NORMAL)
            return fail(why, size, "space %d page %u maps %#llx (prot %#x, type %d); the model "
                        "has %#llx, %s%s", s, p, (unsigned long long)q.phys.value, q.prot,
                        q.type, (unsigned long long)target, region_access_name(pg->access),
                        may_write ? "" : ", not writable now");
        const uint8_t *bytes = host_ram_ptr(q.phys.value);
        for (unsigned w = 0; w < AS_MODEL_WORDS; w++) {
            uint64_t word;
            memcpy(&word, bytes + word_offsets[w], sizeof(word));
            if (word != page_value(m, s, p, w))
                return fail(why, size, "space %d page %u holds %#llx at %u; the model has %#llx",
                            s, p, (unsigned long long)word, word_offsets[w],
                            (unsigned long long)page_value(m, s, p, w));
        }
    }
    return true;
}

bool as_model_check(struct as_model *m, char *why, size_t why_size)
{
    if (host_quickmap_depth() != 0)
        return fail(why, why_size, "%d quickmap slots left in use", host_quickmap_depth());
    struct phys_stats st;
    phys_get_stats(&st);
    uint64_t used = st.used - m->fixture.start.used;
    uint64_t committed = st.committed - m->fixture.start.committed;
    if (used != live_frames(m) || committed != model_committed(m))
        return fail(why, why_size, "phys has %llu pages used and %llu committed; the model has "
                    "%llu and %llu", (unsigned long long)used, (unsigned long long)committed,
                    (unsigned long long)live_frames(m),
                    (unsigned long long)model_committed(m));
    if (!phys_check_totals())
        return fail(why, why_size, "phys's totals do not add up");
    if (!check_objects(m, why, why_size))
        return false;
    for (int s = 0; s < AS_MODEL_SPACES; s++) {
        if (m->live[s] && (!check_regions(m, s, why, why_size) ||
                           !check_stats(m, s, why, why_size) ||
                           !check_mappings(m, s, why, why_size)))
            return false;
    }
    return true;
}

/* --- set-up and tear-down ------------------------------------------------------------- */

static void model_clear(struct as_model *m)
{
    memset(m->live, 0, sizeof(m->live));
    memset(m->page, 0, sizeof(m->page));
    memset(m->object, 0, sizeof(m->object));
    memset(m->done, 0, sizeof(m->done));
    m->out_of_memory = m->refused_commits = m->purged_pages = 0;
    m->clone_reuses = 0;
    m->next_region = 1;
    frames_clear(m);
    kmalloc_get_stats(&m->heap_start);
    m->kernel_tables = m->fixture.sim.in_use;
}

void as_model_init(struct as_model *m, const struct pd_test_format *tf, uint64_t ram_pages)
{
    m->frame = NULL;
    m->frame_at = NULL;
    m->free_frames = NULL;
    frames_alloc(m, ram_pages);
    as_fixture_init(&m->fixture, tf, ram_pages);
    model_clear(m);
}

/* New RAM of RAM_PAGES pages under a fresh mm/phys (nothing may hold a page of the old). */
static void fixture_replace_ram(struct as_fixture *f, uint64_t ram_pages)
{
    host_ram_fini(&f->ram);
    phys_reset();
    host_ram_init(&f->ram, AS_FIXTURE_RAM_BASE, ram_pages);
    if (phys_init_zero_page() != 0) {
        fprintf(stderr, "as_model_reset: no zero page in %llu pages\n",
                (unsigned long long)ram_pages);
        abort();
    }
    phys_get_stats(&f->start);
}

bool as_model_reset(struct as_model *m, const struct pd_test_format *tf, uint64_t ram_pages,
                    char *why, size_t why_size)
{
    for (int s = 0; s < AS_MODEL_SPACES; s++) {
        if (m->live[s])
            op_destroy(m, s);
    }
    collect_objects(m);
    bool ok = true;
    phys_trim();
    struct phys_stats st;
    phys_get_stats(&st);
    struct kmalloc_stats heap;
    kmalloc_get_stats(&heap);
    if (live_frames(m) != 0)
        ok = fail(why, why_size, "the model holds %llu pages with every space destroyed",
                  (unsigned long long)live_frames(m));
    else if (st.used != m->fixture.start.used || st.committed != m->fixture.start.committed)
        ok = fail(why, why_size, "with every space destroyed, %lld pages are still used and %lld "
                  "committed", (long long)(st.used - m->fixture.start.used),
                  (long long)(st.committed - m->fixture.start.committed));
    else if (m->fixture.sim.in_use != m->kernel_tables)
        ok = fail(why, why_size, "with every space destroyed, %zu table pages are left over",
                  m->fixture.sim.in_use - m->kernel_tables);
    else if (heap.allocations != m->heap_start.allocations ||
             heap.bytes_in_use != m->heap_start.bytes_in_use)
        ok = fail(why, why_size, "with every space destroyed, %lld heap blocks (%lld bytes) are "
                  "left over", (long long)(heap.allocations - m->heap_start.allocations),
                  (long long)(heap.bytes_in_use - m->heap_start.bytes_in_use));
    if (ram_pages != m->ram_pages) {
        frames_alloc(m, ram_pages);
        fixture_replace_ram(&m->fixture, ram_pages);
    }
    if (tf != m->fixture.tf) {
        pd_destroy(&m->fixture.kernel);
        m->fixture.tf = tf;
        if (pd_create_kernel(&m->fixture.kernel, tf->format, &m->fixture.sim.provider) != 0) {
            fprintf(stderr, "as_model_reset: cannot create a %s kernel directory\n", tf->name);
            abort();
        }
    }
    model_clear(m);
    return ok;
}

bool as_model_fini(struct as_model *m, char *why, size_t why_size)
{
    bool ok = as_model_reset(m, m->fixture.tf, m->ram_pages, why, why_size);
    free(m->frame);
    free(m->frame_at);
    free(m->free_frames);
    if (!as_fixture_fini(&m->fixture) && ok)
        ok = fail(why, why_size, "the fixture did not get every page and table page back");
    return ok;
}

/* --- decoding --------------------------------------------------------------------------- */

void as_model_decode_op(uint64_t word, struct as_model_op *op)
{
    /*
     * Weights out of AS_MODEL_DECODE_WEIGHTS: the first seven kinds in the
     * proportions the randomized test always had (maps 3, unmaps 2, protects
     * 1, writes 4, reads 4, forks 1, destroys 1 in 16), less a little for
     * volatile changes and purges.
     */
    static const struct {
        enum as_model_kind kind;
        unsigned weight;
    } mix[] = {
        { AS_OP_MAP, 11 }, { AS_OP_UNMAP, 7 }, { AS_OP_PROTECT, 4 }, { AS_OP_WRITE, 15 },
        { AS_OP_READ, 16 }, { AS_OP_FORK, 4 }, { AS_OP_DESTROY, 4 }, { AS_OP_SET_VOLATILE, 2 },
        { AS_OP_PURGE, 1 },
    };
    static const enum allocation_strategy strategies[] = {
        ALLOCATION_RESERVE, ALLOCATION_RESERVE, ALLOCATION_NONE, ALLOCATION_ALLOCATE_NOW,
    };
    *op = (struct as_model_op){ 0 };
    op->space = (unsigned)(word % AS_MODEL_SPACES);
    op->first_page = (unsigned)((word >> 8) % AS_MODEL_PAGES);
    op->pages = 1 + (unsigned)((word >> 16) % AS_MODEL_MAX_RUN);
    op->pages = MIN(op->pages, AS_MODEL_PAGES - op->first_page);
    unsigned roll = (unsigned)((word >> 24) % AS_MODEL_DECODE_WEIGHTS);
    for (size_t i = 0; i < ARRAY_SIZE(mix); i++) {
        if (roll < mix[i].weight) {
            op->kind = mix[i].kind;
            break;
        }
        roll -= mix[i].weight;
    }
    switch (op->kind) {
    case AS_OP_MAP:
        op->to_mapped = (word >> 40) % 4 == 0;
        op->shared = (word >> 32) % 2 == 0;
        op->access = REGION_READ | ((word >> 34) % 4 != 0 ? REGION_WRITE : 0) |
                     ((word >> 36) % 4 == 0 ? REGION_EXECUTE : 0);
        op->strategy = strategies[(word >> 38) % ARRAY_SIZE(strategies)];
        break;
    case AS_OP_PROTECT:
        op->to_mapped = (word >> 44) % 8 != 0;
        op->access = REGION_READ | ((word >> 36) % 2 ? REGION_WRITE : 0) |
                     ((word >> 37) % 4 == 0 ? REGION_EXECUTE : 0);
        break;
    case AS_OP_WRITE:
    case AS_OP_READ:
        /* Most accesses go to a mapped page (the next one), the rest anywhere. */
        op->to_mapped = (word >> 44) % 8 != 0;
        op->value = word >> 40 | 1;
        op->word = (unsigned)((word >> 52) % AS_MODEL_WORDS);
        /* A quarter through as_access_word (which never fetches), as system calls do. */
        op->by_kernel = (word >> 56) % 4 == 0;
        op->fetch = !op->by_kernel && (word >> 48) % 8 == 0 ? FAULT_EXECUTE : FAULT_READ;
        break;
    case AS_OP_SET_VOLATILE:
        op->to_mapped = true;
        op->is_volatile = (word >> 32) % 3 != 0; /* volatile for longer: purges find pages */
        break;
    case AS_OP_PURGE:
        op->to_mapped = true;
        break;
    default:
        break;
    }
}

const char *as_model_kind_name(enum as_model_kind kind)
{
    static const char *const names[AS_OP_KINDS] = {
        [AS_OP_MAP] = "map", [AS_OP_UNMAP] = "unmap", [AS_OP_PROTECT] = "protect",
        [AS_OP_WRITE] = "write", [AS_OP_READ] = "read", [AS_OP_FORK] = "fork",
        [AS_OP_DESTROY] = "destroy", [AS_OP_SET_VOLATILE] = "set volatile",
        [AS_OP_PURGE] = "purge",
    };
    return kind < AS_OP_KINDS ? names[kind] : "?";
}
