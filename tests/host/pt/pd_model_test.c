/*
 * The randomized differential test of the page-table engine: thousands of
 * random map/unmap/protect/clear operations per format, each checked against
 * the plain model through the format's software MMU. The seed is printed;
 * PAGODA_SEED=<n> replays one run.
 */
#include "tests/host/host.h"
#include "tests/host/pt/pd_model.h"
#include <stdlib.h>

#define MODEL_STEPS 3000
#define MODEL_SAMPLES 24

static void run_model(struct ktest *t, const struct pd_test_format *tf)
{
    size_t index = (size_t)(tf - pd_test_formats);
    /* A different default seed per format, so each walks different sequences. */
    uint64_t random = host_test_seed(t, UINT64_C(0x9e3779b97f4a7c15) * (index + 1));
    static struct pd_model m;
    pd_model_init(&m, tf);
    char why[256];
    unsigned counts[PD_OP_KINDS] = { 0 };
    for (unsigned step = 0; step < MODEL_STEPS; step++) {
        struct pd_model_op op;
        pd_model_random_op(&random, &op);
        counts[op.kind]++;
        if (!pd_model_step(&m, &op, &random, MODEL_SAMPLES, why, sizeof(why))) {
            ktest_fail(t, __FILE__, __LINE__, "%s", why);
            break;
        }
    }
    ktest_note(t, "%s: %u maps, %u unmaps, %u protects, %u clears; %zu table pages at the end",
               tf->name, counts[PD_OP_MAP], counts[PD_OP_UNMAP], counts[PD_OP_PROTECT],
               counts[PD_OP_CLEAR], m.fixture.user.table_pages);
    KEXPECT_EQ(t, pd_model_fini(&m), 0);
}

KTEST(pd_model, random_operations_match_model) { pd_for_each_format(t, run_model); }
