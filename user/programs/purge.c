/*
 * Purgeable memory, from user mode: a purgeable region is written, made
 * volatile (its pages now count as purgeable), reclaimed under simulated
 * pressure (SYS_PURGE), and made non-volatile again, which reports that it
 * was purged; its pages then read as zeros. A region made volatile and
 * back without pressure keeps its contents and reports nothing purged.
 */
#include "ulib.h"

#define PAGES 8
#define RW (USER_PROT_READ | USER_PROT_WRITE)

int main(long arg)
{
    (void)arg;
    long cache = sys_map(0, PAGES * PAGE_SIZE, RW, USER_MAP_PURGEABLE, USER_STRATEGY_RESERVE);
    CHECK(cache > 0);
    for (unsigned long i = 0; i < PAGES; i++)
        poke((uintptr_t)cache + i * PAGE_SIZE, 0xcac4e000u + i);
    CHECK(sys_set_volatile((uintptr_t)cache, 1) == 0);
    CHECK(sys_set_volatile((uintptr_t)cache, 0) == 0); /* no pressure: not purged */
    CHECK(peek((uintptr_t)cache) == 0xcac4e000u);

    CHECK(sys_set_volatile((uintptr_t)cache, 1) == 0);
    CHECK(sys_stat(USER_STAT_PURGEABLE_VOLATILE) == PAGES * PAGE_SIZE);
    long resident = sys_stat(USER_STAT_RESIDENT);
    CHECK(sys_purge() == PAGES);
    CHECK(sys_stat(USER_STAT_PURGEABLE_VOLATILE) == 0);
    CHECK(sys_stat(USER_STAT_RESIDENT) == resident - (long)(PAGES * PAGE_SIZE));
    CHECK(sys_set_volatile((uintptr_t)cache, 0) == 1);
    for (unsigned long i = 0; i < PAGES; i++)
        CHECK(peek((uintptr_t)cache + i * PAGE_SIZE) == 0);
    /* A region that is not purgeable cannot be made volatile. */
    long plain = sys_map(0, PAGE_SIZE, RW, 0, USER_STRATEGY_RESERVE);
    CHECK(plain > 0 && sys_set_volatile((uintptr_t)plain, 1) < 0);
    return 0;
}
