/*
 * A reference model of mm/phys for randomized and fuzz tests: it tracks
 * every allocated page's reference count and every open commitment, applies
 * the same operations as the real allocator, and after each one checks the
 * allocator's totals and its answers against the model.
 */
#pragma once

#include "tests/host/mm/host_ram.h"

#define PHYS_MODEL_PAGES 2048
#define PHYS_MODEL_COMMITMENTS 8

enum phys_model_kind {
    PHYS_OP_ALLOC, PHYS_OP_CONTIGUOUS, PHYS_OP_REF, PHYS_OP_UNREF, PHYS_OP_COMMIT,
    PHYS_OP_TAKE, PHYS_OP_UNCOMMIT, PHYS_OP_KINDS,
};

struct phys_model {
    struct host_ram ram;
    uint32_t refcount[PHYS_MODEL_PAGES];   /* 0: free */
    struct phys_commitment commitments[PHYS_MODEL_COMMITMENTS];
    uint64_t steps;
};

void phys_model_init(struct phys_model *m);
void phys_model_fini(struct phys_model *m);
/* Apply operation KIND with parameters A and B; false (and WHY) on a disagreement. */
bool phys_model_step(struct phys_model *m, enum phys_model_kind kind, uint32_t a, uint32_t b,
                     char *why, size_t why_size);
/* Drop every reference and commitment; true if the allocator is then entirely free. */
bool phys_model_drain(struct phys_model *m);
