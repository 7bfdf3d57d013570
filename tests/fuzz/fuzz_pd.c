/*
 * libFuzzer target for the page-table engine: the input is a format choice
 * and a list of operations (map, unmap, protect, clear accessed/dirty) on one
 * user page directory. After each operation the real tables are compared
 * with the plain model through that format's software MMU (tests/host/pt/
 * pd_model.c); a disagreement, a leaked table page or a sanitizer report
 * aborts with the reason.
 */
#include "tests/host/pt/pd_model.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OP_BYTES 12
#define MAX_OPS 64
#define SAMPLES 4

static struct pd_model models[8];
static bool ready[8];

static uint64_t take(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

/* Turn 12 input bytes into an operation inside the model's window. */
static void decode_op(const uint8_t *p, struct pd_model_op *op)
{
    op->kind = (enum pd_model_kind)(p[0] % PD_OP_KINDS);
    bool large = p[1] & 1;
    uint64_t unit = large ? 512 : 1; /* 2 MiB in pages */
    op->pages = (1 + p[1] / 2 % 8) * unit + (p[2] & 1 ? p[2] >> 1 : 0);
    op->pages = MIN(op->pages, PD_MODEL_PAGES);
    uint64_t first = take(p + 3, 3) * unit + (p[6] & 0x0f);
    op->first_page = MIN(first % PD_MODEL_PAGES, PD_MODEL_PAGES - op->pages);
    op->pa = (take(p + 7, 3) * unit + (p[6] >> 4)) * PD_PAGE_SIZE;
    op->prot = PD_READ | PD_USER | (p[10] & 1 ? PD_WRITE : 0) | (p[10] & 2 ? PD_EXECUTE : 0);
    op->type = (enum memory_type)(p[11] % 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t which = data[0] % pd_test_format_count;
    struct pd_model *m = &models[which];
    if (!ready[which]) {
        pd_model_init(m, &pd_test_formats[which]);
        ready[which] = true;
    }
    uint64_t random = UINT64_C(0x9e3779b97f4a7c15) ^ size;
    char why[256];
    size_t ops = MIN((size - 1) / OP_BYTES, MAX_OPS);
    for (size_t i = 0; i < ops; i++) {
        struct pd_model_op op;
        decode_op(data + 1 + i * OP_BYTES, &op);
        if (!pd_model_step(m, &op, &random, SAMPLES, why, sizeof(why))) {
            fprintf(stderr, "fuzz_pd (%s): %s\n", pd_test_formats[which].name, why);
            abort();
        }
    }
    /* Back to empty: every table page but the root must come back. */
    if (pd_unmap(&m->fixture.user, vaddr(PD_MODEL_BASE), PD_MODEL_SIZE) != 0 ||
        m->fixture.user.table_pages != 1) {
        fprintf(stderr, "fuzz_pd (%s): %zu table pages left after unmapping everything\n",
                pd_test_formats[which].name, m->fixture.user.table_pages);
        abort();
    }
    memset(m->pages, 0, PD_MODEL_PAGES * sizeof(*m->pages));
    return 0;
}
