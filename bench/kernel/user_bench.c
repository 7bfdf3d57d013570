/*
 * Benchmarks from user mode, trap entry and exit included, to read beside
 * the brief's Linux figures: a null system call round trip, and a zero-fill
 * write fault and a zero-page read fault per page. Each runs
 * user/programs/bench.c, spawned outside the timed part; the timed part is
 * the whole run, so the program's one mapping and its exit are spread over
 * the operations (a few instructions each at 2000 of them).
 */
#include "kernel/process.h"
#include <pagoda/bench.h>

#define BENCH_PROGRAM "bin/bench"
#define MODE_SHIFT 32

/* What user/programs/bench.c does, by mode. */
enum { NULL_SYSCALLS, ZERO_FILL_WRITES, ZERO_PAGE_READS };

static struct process *bench_process;

static bool spawn(uint64_t mode, uint64_t iterations)
{
    return process_spawn(BENCH_PROGRAM, mode << MODE_SHIFT | iterations, &bench_process) == 0;
}

static bool setup_null_syscalls(uint64_t iterations) { return spawn(NULL_SYSCALLS, iterations); }
static bool setup_zero_fill(uint64_t iterations) { return spawn(ZERO_FILL_WRITES, iterations); }
static bool setup_zero_page(uint64_t iterations) { return spawn(ZERO_PAGE_READS, iterations); }

static void teardown(void)
{
    process_destroy(bench_process);
}

static uint64_t run(uint64_t iterations)
{
    return process_run(bench_process) == 0 ? iterations : 0;
}

BENCH_WITH_SETUP(user_null_syscall_round_trip, setup_null_syscalls, teardown)
{
    return run(iterations);
}

BENCH_WITH_SETUP(user_zero_fill_write_fault, setup_zero_fill, teardown)
{
    return run(iterations);
}

BENCH_WITH_SETUP(user_zero_page_read_fault, setup_zero_page, teardown)
{
    return run(iterations);
}
