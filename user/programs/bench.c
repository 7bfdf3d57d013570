/*
 * The user-mode side of the benchmarks (bench/kernel/user_bench.c): ARG
 * holds what to do in its top bits and how many times in its low 32. The
 * kernel times the whole run, so what is around the loop (one mapping, the
 * exit) is spread over every operation.
 */
#include "ulib.h"

enum bench_mode {
    NULL_SYSCALLS,     /* COUNT system calls that do nothing */
    ZERO_FILL_WRITES,  /* one write to each of COUNT fresh pages */
    ZERO_PAGE_READS,   /* one read of each of COUNT fresh pages */
};

#define MODE_SHIFT 32
#define COUNT_MASK 0xffffffffu

int main(long arg)
{
    unsigned long count = (unsigned long)arg & COUNT_MASK;
    unsigned long mode = (unsigned long)arg >> MODE_SHIFT;
    if (mode == NULL_SYSCALLS) {
        for (unsigned long i = 0; i < count; i++)
            sys_nop();
        return 0;
    }
    long base = sys_map(0, count * PAGE_SIZE, USER_PROT_READ | USER_PROT_WRITE, 0,
                        USER_STRATEGY_RESERVE);
    CHECK(base > 0);
    for (unsigned long i = 0; i < count; i++) {
        uintptr_t va = (uintptr_t)base + i * PAGE_SIZE;
        if (mode == ZERO_FILL_WRITES)
            poke(va, i);
        else
            (void)peek(va);
    }
    return 0;
}
