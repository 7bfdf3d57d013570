/*
 * Copy-on-write after fork, from user mode. The parent writes PAGES pages
 * and forks; the child finds them shared and equal, writes one (breaking
 * the sharing of that page only) and ends with CHILD_STATUS; the parent
 * then still sees its own values, and its pages are its own again.
 */
#include "ulib.h"

#define PAGES 8
#define CHILD_STATUS 42
#define RW (USER_PROT_READ | USER_PROT_WRITE)

static uint64_t value(unsigned long page) { return 0xc0de0000u + page; }

static int child(uintptr_t base)
{
    CHECK(sys_stat(USER_STAT_SHARED) >= (long)(PAGES * PAGE_SIZE));
    for (unsigned long i = 0; i < PAGES; i++)
        CHECK(peek(base + i * PAGE_SIZE) == value(i));
    long shared = sys_stat(USER_STAT_SHARED);
    poke(base, 0xc41d);
    CHECK(peek(base) == 0xc41d);
    CHECK(peek(base + PAGE_SIZE) == value(1));
    CHECK(sys_stat(USER_STAT_SHARED) == shared - (long)PAGE_SIZE);
    return CHILD_STATUS;
}

int main(long arg)
{
    (void)arg;
    long base = sys_map(0, PAGES * PAGE_SIZE, RW, 0, USER_STRATEGY_RESERVE);
    CHECK(base > 0);
    for (unsigned long i = 0; i < PAGES; i++)
        poke((uintptr_t)base + i * PAGE_SIZE, value(i));
    long shared_alone = sys_stat(USER_STAT_SHARED);
    long id = sys_fork();
    CHECK(id >= 0);
    if (id == 0)
        return child((uintptr_t)base);
    CHECK(sys_stat(USER_STAT_SHARED) >= (long)(PAGES * PAGE_SIZE));
    CHECK(sys_wait(id) == CHILD_STATUS);
    for (unsigned long i = 0; i < PAGES; i++)
        CHECK(peek((uintptr_t)base + i * PAGE_SIZE) == value(i));
    /* The child is gone: nothing of the parent's is shared any more. */
    CHECK(sys_stat(USER_STAT_SHARED) == shared_alone);
    poke((uintptr_t)base, 1);
    CHECK(peek((uintptr_t)base) == 1);
    return 0;
}
