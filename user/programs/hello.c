/*
 * The default run's first program: it says hello, asks for 64 KiB of
 * memory and touches a quarter of it, then shows the figures the memory
 * server keeps for it.
 */
#include "ulib.h"

#define HEAP_SIZE (64 * 1024ul)
#define TOUCHED_PAGES 4

int main(long arg)
{
    (void)arg;
    print("hello: hello from user mode\n");
    long heap = sys_map(0, HEAP_SIZE, USER_PROT_READ | USER_PROT_WRITE, 0, USER_STRATEGY_RESERVE);
    CHECK(heap > 0);
    print_number("hello: resident bytes before touching the heap: ", sys_stat(USER_STAT_RESIDENT));
    for (unsigned long i = 0; i < TOUCHED_PAGES; i++)
        poke((uintptr_t)heap + i * PAGE_SIZE, i);
    print_number("hello: resident bytes after touching 4 heap pages: ",
                 sys_stat(USER_STAT_RESIDENT));
    return 0;
}
