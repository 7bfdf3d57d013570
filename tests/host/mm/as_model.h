/*
 * A reference model of address spaces, for the randomized test
 * (address_space_test.c, address_space_model) and the fuzzer
 * (tests/fuzz/fuzz_address_space.c). It owns a fixture -- simulated RAM
 * under mm/phys, table pages from simphys, a kernel page directory in one
 * page-table format -- and AS_MODEL_SPACES address spaces whose regions lie
 * in a window of AS_MODEL_PAGES pages.
 *
 * Beside the real spaces it keeps a plain picture of what they should hold:
 * for each page of each window whether it is mapped, with which rights, and
 * which page of which object backs it; for each object (a region's memory,
 * shared by the regions split from it) each slot: zeros not promised, zeros
 * committed, or a page of memory; for each page of memory its contents (a
 * few words) and how many objects hold it. A program's access goes through
 * the format's software MMU and as_handle_fault(), as the trap code does; the
 * kernel's, on the program's behalf, through as_access_word().
 *
 * After every operation as_model_check() compares everything it can see
 * with the model: results and fault responses, contents, the statistics
 * of as_get_stats(), phys's used and committed totals, the regions (bounds,
 * rights, object, offset), every object slot and page reference count, and
 * every page the page directories map (target, rights, contents).
 *
 * Two choices of mm/ the model follows, so that those figures can be exact:
 * a fork clones a private object once, however many regions map it, the
 * clone holding (and committing for) only the slots the space maps, and
 * zeros with nothing promised in the others; and an unmap gives back none
 * of an object's pages until its last region goes. Not
 * modelled: bad arguments, immutable regions, file and device memory
 * (address_space_test.c tests those directly).
 */
#pragma once

#include "mm/address_space.h"
#include "mm/kmalloc.h"
#include "tests/host/mm/host_ram.h"
#include "tests/host/pt/pd_fixture.h"

/* --- the fixture (also used by the other address-space tests) ------------------ */

#define AS_FIXTURE_RAM_BASE UINT64_C(0x40000000)
#define AS_FIXTURE_TABLE_MEMORY (16 * MiB) /* simphys: page-table pages only */

struct as_fixture {
    const struct pd_test_format *tf;
    struct simphys sim;
    struct host_ram ram;
    struct page_directory kernel;
    struct phys_stats start;       /* phys after the zero page was set aside */
};

/* Simulated RAM of RAM_PAGES pages under mm/phys, and a kernel directory in TF's format. */
void as_fixture_init(struct as_fixture *f, const struct pd_test_format *tf, uint64_t ram_pages);
/* Tear down; true if every data page, commitment and table page came back. */
bool as_fixture_fini(struct as_fixture *f);

/*
 * A user access to VA as the CPU and the trap code make it: translated by the
 * format's software MMU; an accessed/dirty fault goes to
 * pd_update_accessed_dirty(), any other to as_handle_fault(), and the access is
 * retried. Writes *VALUE, or reads into it. Returns Continue, or the fault
 * response that stopped the access (ShouldCrash also if the handler said
 * Continue and the access still faults).
 */
enum fault_response as_fixture_access(struct as_fixture *f, struct address_space *as,
                                      uint64_t va, enum fault_access access, uint64_t *value);

/* --- the model ------------------------------------------------------------------ */

#define AS_MODEL_SPACES 4
#define AS_MODEL_PAGES 64                 /* each space's window */
#define AS_MODEL_BASE UINT64_C(0x1000000) /* where the window starts */
#define AS_MODEL_MAX_RUN 16               /* pages one operation covers at most */
#define AS_MODEL_OBJECTS 512              /* live objects; regions (at most 256) bound them */
#define AS_MODEL_WORDS 4                  /* words of each page the model follows */
#define AS_MODEL_DECODE_WEIGHTS 64        /* the weights of as_model_decode_op add up to this */

enum as_model_kind {
    AS_OP_MAP,          /* as_allocate_region at a fixed address */
    AS_OP_UNMAP,
    AS_OP_PROTECT,
    AS_OP_WRITE,        /* one word, by the space's program or by the kernel for it */
    AS_OP_READ,         /* one word, read (so too) or fetched as an instruction */
    AS_OP_FORK,         /* into the first space not in use */
    AS_OP_DESTROY,
    AS_OP_SET_VOLATILE, /* of the object behind a page, on or off */
    AS_OP_PURGE,        /* as_purge_vmobject of the object behind a page */
    AS_OP_KINDS,
};

struct as_model_op {
    enum as_model_kind kind;
    unsigned space;                    /* < AS_MODEL_SPACES */
    unsigned first_page;               /* in the window */
    unsigned pages;                    /* 1..AS_MODEL_MAX_RUN, inside the window */
    bool to_mapped;                    /* aim at the first mapped page from first_page instead
                                          (a map: just after the pages mapped there; a protect:
                                          stop before the next hole; a purge: aim at the first
                                          page of a volatile object) */
    uint32_t access;                   /* map, protect: enum region_access bits */
    bool shared;                       /* map: REGION_SHARED */
    enum allocation_strategy strategy; /* map */
    bool is_volatile;                  /* set volatile: on or off */
    enum fault_access fetch;           /* read: FAULT_READ or FAULT_EXECUTE */
    bool by_kernel;                    /* read, write: through as_access_word (a fetch: never) */
    unsigned word;                     /* read, write: which of the page's followed words */
    uint64_t value;                    /* write: never 0, so a lost write shows */
};

enum as_model_slot_kind {
    AS_SLOT_ZERO,      /* zeros, nothing promised: a first write may find no memory */
    AS_SLOT_COMMITTED, /* zeros, one page committed for the first write */
    AS_SLOT_PAGE,      /* a page of memory (struct as_model_frame) */
};

struct as_model_slot {
    uint8_t kind;   /* enum as_model_slot_kind */
    uint16_t frame; /* AS_SLOT_PAGE: which */
};

struct as_model_object {
    bool live;
    bool shared;      /* mapped by shared regions: written in place, shared by a fork */
    bool is_volatile;
    bool was_purged;  /* purged since it became volatile */
    unsigned pages;
    struct vmobject *real;
    struct as_model_slot slot[AS_MODEL_MAX_RUN];
};

/* A page of memory. Held by REFS object slots (more than one: copy-on-write). */
struct as_model_frame {
    uint32_t refs;                  /* 0: not in use */
    uint64_t value[AS_MODEL_WORDS]; /* the words the model follows */
    uint64_t pa;                    /* the real page, learnt from the first slot showing it */
};

struct as_model_page {
    bool mapped;
    uint32_t access;  /* enum region_access bits, REGION_READ included */
    uint16_t object;
    uint16_t index;   /* the object's page */
    uint32_t region;  /* pages of one region share this number */
};

struct as_model {
    struct as_fixture fixture;
    struct kmalloc_stats heap_start;
    size_t kernel_tables;             /* simphys pages in use with no user space */
    struct address_space as[AS_MODEL_SPACES];
    bool live[AS_MODEL_SPACES];
    struct as_model_page page[AS_MODEL_SPACES][AS_MODEL_PAGES];
    struct as_model_object object[AS_MODEL_OBJECTS];
    struct as_model_frame *frame;     /* one per page of RAM */
    uint16_t *frame_at;               /* RAM page -> frame + 1 (0: none seen there) */
    uint16_t *free_frames;            /* a stack of unused frame numbers */
    uint64_t free_frame_count;
    uint64_t ram_pages;
    uint32_t next_region;
    /*
     * What the run did, to show that it did something: operations that took
     * effect (reads and writes: of mapped pages; forks: that made a child;
     * volatile changes and purges: of an object, volatile for a purge), first
     * writes out of memory, commitments refused (maps, forks, volatile off).
     */
    unsigned done[AS_OP_KINDS];
    unsigned out_of_memory, refused_commits, purged_pages;
    unsigned clone_reuses;            /* forks' child regions mapping an earlier region's clone */
};

/* Set up the fixture over RAM_PAGES pages of RAM in TF's format; no space is live yet. */
void as_model_init(struct as_model *m, const struct pd_test_format *tf, uint64_t ram_pages);

/*
 * Apply OP to the spaces and to the model, then as_model_check(). An
 * operation on a space that is not in use creates it instead. Returns true if
 * everything agrees; else writes the disagreement into WHY.
 */
bool as_model_step(struct as_model *m, const struct as_model_op *op, char *why, size_t why_size);

/* Compare every live space, object and page with the model (see the top of this file). */
bool as_model_check(struct as_model *m, char *why, size_t why_size);

/*
 * Destroy every space; true if every page, commitment, heap block and table
 * page came back. Then start again empty, in TF's format, over RAM_PAGES
 * pages of RAM (new RAM, and mm/phys started afresh, if that changed).
 */
bool as_model_reset(struct as_model *m, const struct pd_test_format *tf, uint64_t ram_pages,
                    char *why, size_t why_size);

/* as_model_reset, then tear the fixture down; true if nothing leaked. */
bool as_model_fini(struct as_model *m, char *why, size_t why_size);

/*
 * An operation from 64 bits (a random number, or fuzzer input): space, page,
 * length and kind from the low 32 bits, the kind's parameters from the high.
 */
void as_model_decode_op(uint64_t word, struct as_model_op *op);

const char *as_model_kind_name(enum as_model_kind kind);
