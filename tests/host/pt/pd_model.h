/*
 * A plain reference model of one user page directory, for differential
 * tests: an array with one entry per page of a fixed window, updated by the
 * same operations the real directory gets. After each operation the real
 * tables are walked by the format's software MMU and compared with the
 * model. Used by the randomized test (pd_model_test.c) and the fuzzer
 * (tests/fuzz/fuzz_pd.c).
 */
#pragma once

#include "tests/host/pt/pd_fixture.h"

#define PD_MODEL_BASE PD_TEST_USER_VA
#define PD_MODEL_SIZE (2 * GiB)
#define PD_MODEL_PAGES (PD_MODEL_SIZE / PT_PAGE_SIZE)

enum pd_model_kind { PD_OP_MAP, PD_OP_UNMAP, PD_OP_PROTECT, PD_OP_CLEAR, PD_OP_KINDS };

struct pd_model_op {
    enum pd_model_kind kind;
    uint64_t first_page; /* index in the window */
    uint64_t pages;      /* within the window */
    uint64_t pa;
    uint32_t prot;
    enum memory_type type;
};

struct pd_model_page {
    uint64_t pa;       /* of this page */
    uint32_t prot;     /* 0: unmapped */
    uint8_t type;
};

struct pd_model {
    struct pd_fixture fixture;
    struct pd_model_page *pages;
    uint64_t steps;
};

void pd_model_init(struct pd_model *m, const struct pd_test_format *tf);
/* Returns the table pages leaked (0 when all is well) after unmapping everything. */
size_t pd_model_fini(struct pd_model *m);

/*
 * Apply OP to the directory and the model and compare: the result code, every
 * table's valid-entry count against its entries, then the translation of the
 * pages around the op and SAMPLES random other pages
 * (RANDOM drives the choice). Returns true if all agree; else writes what
 * differed into WHY.
 */
bool pd_model_step(struct pd_model *m, const struct pd_model_op *op, uint64_t *random,
                   unsigned samples, char *why, size_t why_size);

/* A pseudo-random operation inside the window, drawn from RANDOM (xorshift state). */
void pd_model_random_op(uint64_t *random, struct pd_model_op *op);
uint64_t pd_model_next(uint64_t *random);
