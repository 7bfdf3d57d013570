/*
 * libFuzzer target for mm/phys: each 5 input bytes are one operation
 * (kind, two parameters) applied to the allocator and to the reference
 * model (tests/host/mm/phys_model.c); a disagreement, broken accounting or
 * a sanitizer report aborts. Every input ends by releasing everything and
 * checking that the allocator is whole again.
 */
#include "tests/host/mm/phys_model.h"
#include <stdio.h>
#include <stdlib.h>

#define OP_BYTES 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct phys_model m;
    static bool ready;
    if (!ready) {
        phys_model_init(&m); /* once: each input ends with everything released */
        ready = true;
    }
    char why[200];
    for (size_t i = 0; i + OP_BYTES <= size; i += OP_BYTES) {
        enum phys_model_kind kind = (enum phys_model_kind)(data[i] % PHYS_OP_KINDS);
        uint32_t a = (uint32_t)data[i + 1] << 8 | data[i + 2];
        uint32_t b = (uint32_t)data[i + 3] << 8 | data[i + 4];
        if (!phys_model_step(&m, kind, a, b, why, sizeof(why))) {
            fprintf(stderr, "fuzz_phys: %s\n", why);
            abort();
        }
    }
    if (!phys_model_drain(&m)) {
        fprintf(stderr, "fuzz_phys: the allocator is not whole after releasing everything\n");
        abort();
    }
    return 0;
}
