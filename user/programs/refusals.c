/*
 * Bad requests, from user mode: each is refused with an error, changes
 * nothing, and the program goes on. Among them, an immutable region refuses
 * to be unmapped or re-protected, yet stays usable.
 */
#include "ulib.h"

#define R USER_PROT_READ
#define RW (USER_PROT_READ | USER_PROT_WRITE)
#define FIXED 0x20000000ul

int main(long arg)
{
    (void)arg;
    long before = sys_stat(USER_STAT_VIRTUAL);
    CHECK(sys_map(0, 0, RW, 0, USER_STRATEGY_RESERVE) < 0);              /* zero size */
    CHECK(sys_map(0, 100, RW, 0, USER_STRATEGY_RESERVE) < 0);            /* unaligned size */
    CHECK(sys_map(FIXED + 8, PAGE_SIZE, RW, 0, USER_STRATEGY_RESERVE) < 0); /* unaligned address */
    CHECK(sys_map(0, PAGE_SIZE, 0, 0, USER_STRATEGY_RESERVE) < 0);       /* no access */
    CHECK(sys_map(0xfffffffffffff000ul, 2 * PAGE_SIZE, RW, 0, USER_STRATEGY_RESERVE) < 0);
    CHECK(sys_map(0xffffffff80000000ul, PAGE_SIZE, RW, 0, USER_STRATEGY_RESERVE) < 0); /* kernel */
    CHECK(sys_map(0, PAGE_SIZE, RW, 0, 7) < 0);                         /* no such strategy */
    CHECK(sys_map(0, PAGE_SIZE, RW, 0x100, USER_STRATEGY_RESERVE) < 0); /* no such flag */
    CHECK(sys_stat(USER_STAT_VIRTUAL) == before);

    CHECK(sys_map(FIXED, 4 * PAGE_SIZE, RW, 0, USER_STRATEGY_RESERVE) == (long)FIXED);
    CHECK(sys_map(FIXED + PAGE_SIZE, PAGE_SIZE, RW, 0, USER_STRATEGY_RESERVE) < 0); /* overlaps */
    poke(FIXED, 7);
    CHECK(sys_unmap(FIXED + PAGE_SIZE, 3) < 0);                          /* unaligned */
    CHECK(sys_protect(FIXED, 8 * PAGE_SIZE, R) < 0);                     /* not all mapped */
    CHECK(peek(FIXED) == 7);

    long frozen = sys_map(0, 2 * PAGE_SIZE, RW, USER_MAP_IMMUTABLE, USER_STRATEGY_RESERVE);
    CHECK(frozen > 0);
    poke((uintptr_t)frozen, 9);
    CHECK(sys_unmap((uintptr_t)frozen, PAGE_SIZE) < 0);
    CHECK(sys_protect((uintptr_t)frozen, 2 * PAGE_SIZE, R) < 0);
    CHECK(sys_unmap((uintptr_t)frozen - PAGE_SIZE, 3 * PAGE_SIZE) < 0); /* a range that meets it */
    poke((uintptr_t)frozen + PAGE_SIZE, 10);
    CHECK(peek((uintptr_t)frozen) == 9);

    /* Bad pointers given to the kernel are refused, not followed. */
    CHECK(sys_write((const void *)0x10, 4) < 0);
    CHECK(sys_map_file(0, PAGE_SIZE, R, 0, (const char *)0xffffffff80000000ul, 0) < 0);
    CHECK(sys_wait(12345) < 0);
    CHECK(sys_stat(99) < 0);
    CHECK(syscall6(SYS_COUNT, 0, 0, 0, 0, 0, 0) < 0); /* no such system call */
    CHECK(syscall6(-1, 0, 0, 0, 0, 0, 0) < 0);
    return 0;
}
