/*
 * The randomized model-based test of mm/phys: random allocations, runs,
 * references, commitments and releases, checked against the model and the
 * accounting identities after every step. PAGODA_SEED=<n> replays a run.
 */
#include "tests/host/mm/phys_model.h"
#include "tests/host/host.h"
#include "tests/host/pt/pd_model.h"
#include <stdlib.h>

#define PHYS_MODEL_STEPS 20000

KTEST(phys_model, random_operations_match_model)
{
    uint64_t random = host_test_seed(t, UINT64_C(0x5eed0f9a9e5));
    static struct phys_model m;
    phys_model_init(&m);
    char why[200];
    for (unsigned step = 0; step < PHYS_MODEL_STEPS; step++) {
        uint64_t r = pd_model_next(&random);
        /* Weights: mostly single pages in and out, so the pool fills and drains. */
        static const enum phys_model_kind mix[] = {
            PHYS_OP_ALLOC, PHYS_OP_ALLOC, PHYS_OP_ALLOC, PHYS_OP_UNREF, PHYS_OP_UNREF,
            PHYS_OP_UNREF, PHYS_OP_CONTIGUOUS, PHYS_OP_REF, PHYS_OP_COMMIT, PHYS_OP_TAKE,
            PHYS_OP_UNCOMMIT,
        };
        enum phys_model_kind kind = mix[r % ARRAY_SIZE(mix)];
        if (!phys_model_step(&m, kind, (uint32_t)(r >> 16), (uint32_t)(r >> 40), why, sizeof(why))) {
            ktest_fail(t, __FILE__, __LINE__, "%s", why);
            break;
        }
    }
    KEXPECT(t, phys_model_drain(&m));
    phys_model_fini(&m);
}
