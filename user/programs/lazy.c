/*
 * Lazy zero fill, from user mode: a reserved region costs nothing until it
 * is touched; reading it maps the shared zero page (still nothing
 * resident), and each written page becomes one private page. ARG is the
 * number of pages to write (at most PAGES).
 */
#include "ulib.h"

#define PAGES 16

int main(long arg)
{
    long written = arg;
    CHECK(written >= 0 && written <= PAGES);
    long before = sys_stat(USER_STAT_RESIDENT);
    long base = sys_map(0, PAGES * PAGE_SIZE, USER_PROT_READ | USER_PROT_WRITE, 0,
                        USER_STRATEGY_RESERVE);
    CHECK(base > 0);
    CHECK(sys_stat(USER_STAT_RESIDENT) == before);
    for (unsigned long i = 0; i < PAGES; i++)
        CHECK(peek((uintptr_t)base + i * PAGE_SIZE + 8 * i) == 0);
    CHECK(sys_stat(USER_STAT_RESIDENT) == before); /* the zero page is nobody's */
    for (long i = 0; i < written; i++)
        poke((uintptr_t)base + (unsigned long)i * PAGE_SIZE, 0x1000u + (unsigned long)i);
    CHECK(sys_stat(USER_STAT_RESIDENT) == before + written * (long)PAGE_SIZE);
    for (long i = 0; i < written; i++)
        CHECK(peek((uintptr_t)base + (unsigned long)i * PAGE_SIZE) == 0x1000u + (unsigned long)i);
    CHECK(sys_unmap((uintptr_t)base, PAGES * PAGE_SIZE) == 0);
    CHECK(sys_stat(USER_STAT_RESIDENT) == before);
    return 0;
}
