/*
 * The benchmark runner (see <pagoda/bench.h>), shared by kernel and host.
 * Each benchmark runs once to warm up, then BENCH_ITERATIONS times between
 * two readings of the clock (its set-up and tear-down, if any, outside them); the line it prints is what ./pagoda bench and
 * docs/benchmarks.md collect.
 */
#include <pagoda/bench.h>
#include "kernel/console.h"
#include "kernel/lib/string.h"

#define BENCH_WARMUP 16
#define BENCH_ITERATIONS 2000

extern const struct bench_case __start_bench_cases[];
extern const struct bench_case __stop_bench_cases[];

static bool selected(const char *filter, size_t len, const char *name)
{
    if (len == 3 && strncmp(filter, "all", 3) == 0)
        return true;
    for (const char *p = filter, *end = filter + len; p < end;) {
        const char *comma = p;
        while (comma < end && *comma != ',')
            comma++;
        if (comma > p && strncmp(name, p, (size_t)(comma - p)) == 0)
            return true;
        p = comma + 1;
    }
    return false;
}

/* The warm-up: one short run, with its set-up and tear-down; false if it was skipped. */
static bool run_untimed(const struct bench_case *b, uint64_t iterations)
{
    if (b->setup && !b->setup(iterations))
        return false;
    uint64_t done = b->run(iterations);
    if (b->teardown)
        b->teardown();
    return done != 0;
}

void bench_run(const char *filter, size_t filter_len)
{
    kprintf("bench: %-36s %12s  %s\n", "operation", bench_unit(), "iterations");
    for (const struct bench_case *b = __start_bench_cases; b < __stop_bench_cases; b++) {
        if (!selected(filter, filter_len, b->name))
            continue;
        if (!run_untimed(b, BENCH_WARMUP)) {
            kprintf("bench: %-36s %12s\n", b->name, "skipped");
            continue;
        }
        if (b->setup && !b->setup(BENCH_ITERATIONS)) {
            kprintf("bench: %-36s %12s\n", b->name, "skipped");
            continue;
        }
        uint64_t start = bench_now();
        uint64_t done = b->run(BENCH_ITERATIONS);
        uint64_t elapsed = bench_now() - start;
        if (b->teardown)
            b->teardown();
        uint64_t per_op_x10 = done ? elapsed * 10 / done : 0;
        kprintf("bench: %-36s %10llu.%llu  %llu\n", b->name,
                (unsigned long long)(per_op_x10 / 10), (unsigned long long)(per_op_x10 % 10),
                (unsigned long long)done);
    }
    kprintf("bench: done\n");
}
