/*
 * Memory exhaustion, from user mode. ARG is the size in pages of a request
 * larger than all free memory; the kernel test passes it, and leaves fewer
 * than HOG_PAGES pages uncommitted, so that the hog below runs out fast
 * whatever the size of the board.
 *  - A committed request that large is refused at once (SYS_MAP fails);
 *    the program goes on.
 *  - The program commits COMMITTED pages, then forks a child that maps
 *    HOG_PAGES uncommitted (USER_STRATEGY_NONE) and writes to them until a
 *    fault finds no memory: the child ends with OutOfMemory. The parent,
 *    whose memory was committed, then writes all of its pages: every fault
 *    succeeds, though the child took the rest of memory.
 */
#include "ulib.h"

#define RW (USER_PROT_READ | USER_PROT_WRITE)
#define COMMITTED 64
#define HOG_PAGES 4096

static int hog(unsigned long pages)
{
    long base = sys_map(0, pages * PAGE_SIZE, RW, 0, USER_STRATEGY_NONE);
    CHECK(base > 0);
    for (unsigned long i = 0; i < pages; i++)
        poke((uintptr_t)base + i * PAGE_SIZE, i);
    return 1; /* memory never ran out: a failure */
}

int main(long arg)
{
    unsigned long huge = (unsigned long)arg;
    CHECK(sys_map(0, huge * PAGE_SIZE, RW, 0, USER_STRATEGY_RESERVE) < 0);
    CHECK(sys_map(0, huge * PAGE_SIZE, RW, 0, USER_STRATEGY_ALLOCATE_NOW) < 0);
    long mine = sys_map(0, COMMITTED * PAGE_SIZE, RW, 0, USER_STRATEGY_RESERVE);
    CHECK(mine > 0);
    long id = sys_fork();
    CHECK(id >= 0);
    if (id == 0)
        return hog(HOG_PAGES);
    CHECK(sys_wait(id) == USER_STATUS_OUT_OF_MEMORY);
    for (unsigned long i = 0; i < COMMITTED; i++)
        poke((uintptr_t)mine + i * PAGE_SIZE, i);
    for (unsigned long i = 0; i < COMMITTED; i++)
        CHECK(peek((uintptr_t)mine + i * PAGE_SIZE) == i);
    return 0;
}
