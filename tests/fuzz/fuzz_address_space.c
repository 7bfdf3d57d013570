/*
 * libFuzzer target for address spaces: the first input byte picks a
 * page-table format and an amount of RAM, each following 8 bytes are one
 * operation (map with a strategy and the shared flag, unmap, protect, write,
 * read or fetch by the program or by the kernel, fork, destroy, make
 * volatile or not, purge) decoded as the randomized test decodes its random
 * numbers, up to MAX_OPS of them. The spaces are driven
 * through the reference model (tests/host/mm/as_model.h), which checks
 * results, contents, statistics, regions, page references, commitments and
 * page-directory entries after every operation; at the end every space is
 * destroyed and every page, commitment, heap block and table page must be
 * back. A disagreement, a leak, a panic or a sanitizer report aborts.
 *
 * RAM is mostly small (ram_sizes), so inputs reach the end of memory:
 * commitments refused, first writes to uncommitted memory out of memory.
 *
 * libFuzzer starts from inputs of a few bytes and lets them grow slowly, so
 * a short run (ctest's 15 seconds) would only try a handful of operations at
 * a time. LLVMFuzzerInitialize sets the full length from the start; flags on
 * the command line come after and still win.
 */
#include "tests/host/mm/as_model.h"
#include <stdio.h>
#include <stdlib.h>

#define OP_BYTES 8
#define MAX_OPS 96

/* Pages of RAM an input may choose: the zero page takes one; the windows hold 256. */
static const uint64_t ram_sizes[] = { 16, 32, 64, 512 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static char max_len[32];
    static char len_control[] = "-len_control=0";
    snprintf(max_len, sizeof(max_len), "-max_len=%d", 1 + MAX_OPS * OP_BYTES);
    char **args = calloc((size_t)*argc + 3, sizeof(*args));
    if (!args)
        abort();
    int n = 0;
    args[n++] = (*argv)[0];
    args[n++] = max_len;
    args[n++] = len_control;
    for (int i = 1; i < *argc; i++)
        args[n++] = (*argv)[i];
    *argc = n;
    *argv = args; /* for the whole run: never freed */
    return 0;
}

static uint64_t take_word(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < OP_BYTES; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void die(const struct pd_test_format *tf, uint64_t ram, size_t op, const char *kind,
                const char *why)
{
    fprintf(stderr, "fuzz_address_space (%s, %llu pages of RAM), operation %zu (%s): %s\n",
            tf->name, (unsigned long long)ram, op, kind, why);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct as_model m;
    static bool ready;
    if (size < 1)
        return 0;
    const struct pd_test_format *tf = &pd_test_formats[data[0] % pd_test_format_count];
    uint64_t ram = ram_sizes[data[0] / pd_test_format_count % ARRAY_SIZE(ram_sizes)];
    char why[320];
    if (!ready) {
        as_model_init(&m, tf, ram); /* once: each input ends with everything destroyed */
        ready = true;
    } else if ((m.fixture.tf != tf || m.ram_pages != ram) &&
               !as_model_reset(&m, tf, ram, why, sizeof(why))) {
        die(tf, ram, 0, "reset", why);
    }
    size_t ops = MIN((size - 1) / OP_BYTES, MAX_OPS);
    for (size_t i = 0; i < ops; i++) {
        struct as_model_op op;
        as_model_decode_op(take_word(data + 1 + i * OP_BYTES), &op);
        if (!as_model_step(&m, &op, why, sizeof(why)))
            die(tf, ram, i, as_model_kind_name(op.kind), why);
    }
    if (!as_model_reset(&m, tf, ram, why, sizeof(why)))
        die(tf, ram, ops, "reset", why);
    return 0;
}
