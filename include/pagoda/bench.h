/*
 * Benchmarks: operations timed in a loop, registered with BENCH(name) and
 * run by bench_run() in the kernel (cmdline "bench") and on the host
 * (pagoda-host-bench). In the kernel the unit is guest instructions, counted
 * by the arch's counter under QEMU's -icount shift=0 (one nanosecond of
 * guest time per instruction), so figures repeat exactly; on the host it is
 * nanoseconds. See docs/benchmarks.md.
 */
#pragma once

#include <pagoda/types.h>

struct bench_case {
    const char *name;
    /* Perform the operation ITERATIONS times; return how many were done (0: skipped). */
    uint64_t (*run)(uint64_t iterations);
    /* Optional, outside the timed part: prepare for RUN(ITERATIONS), and clean up after. */
    bool (*setup)(uint64_t iterations);
    void (*teardown)(void);
};

#define BENCH_SECTION "bench_cases"

#define BENCH(name_)                                                                   \
    static uint64_t bench_fn_##name_(uint64_t iterations);                             \
    static const struct bench_case bench_case_##name_                                  \
        __attribute__((used, section(BENCH_SECTION), aligned(sizeof(void *)))) = {     \
            .name = #name_, .run = bench_fn_##name_,                                   \
        };                                                                             \
    static uint64_t bench_fn_##name_(uint64_t iterations)

/* A benchmark with untimed set-up and tear-down (SETUP returns false to skip). */
#define BENCH_WITH_SETUP(name_, setup_, teardown_)                                     \
    static uint64_t bench_fn_##name_(uint64_t iterations);                             \
    static const struct bench_case bench_case_##name_                                  \
        __attribute__((used, section(BENCH_SECTION), aligned(sizeof(void *)))) = {     \
            .name = #name_, .run = bench_fn_##name_, .setup = setup_,                  \
            .teardown = teardown_,                                                     \
        };                                                                             \
    static uint64_t bench_fn_##name_(uint64_t iterations)

/* The clock: guest instructions in the kernel, nanoseconds on the host. */
uint64_t bench_now(void);
const char *bench_unit(void);

/* Run the benchmarks whose names start with one of FILTER's comma-separated prefixes ("all": every one). */
void bench_run(const char *filter, size_t filter_len);

/* Keep the compiler from optimising a result away. */
static inline void bench_keep(uint64_t value)
{
    __asm__ volatile("" : : "r"(value) : "memory");
}
