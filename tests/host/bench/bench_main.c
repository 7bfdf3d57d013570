/*
 * pagoda-host-bench: the portable benchmarks (bench/) on the host, over
 * simulated RAM, timed in nanoseconds. Built without sanitizers, at -O2.
 * Usage: pagoda-host-bench [FILTER] [MiB of simulated RAM]
 */
#include "tests/host/mm/host_ram.h"
#include "kernel/console.h"
#include <pagoda/bench.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void put(char c)
{
    if (c != '\r')
        putchar(c);
}

static const struct console_driver stdout_console = { "stdout", put };

uint64_t bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *bench_unit(void)
{
    return "ns/op";
}

void panic(const char *fmt, ...)
{
    fprintf(stderr, "KERNEL PANIC: %s\n", fmt);
    abort();
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : "all";
    uint64_t mib = argc > 2 ? strtoull(argv[2], NULL, 0) : 128;
    console_register(&stdout_console);
    static struct host_ram ram;
    phys_reset();
    host_ram_init(&ram, UINT64_C(0x80000000), mib * MiB / PHYS_PAGE_SIZE);
    if (phys_init_zero_page() != 0)
        return 1;
    printf("host benchmarks over %llu MiB of simulated RAM\n", (unsigned long long)mib);
    bench_run(filter, strlen(filter));
    host_ram_fini(&ram);
    return 0;
}
