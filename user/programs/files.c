/*
 * File mappings, from user mode, over files of the initrd:
 *  - hello.txt mapped shared and read-only reads the file's bytes; mapped
 *    privately and written, it gives the writer its own copy and leaves the
 *    file alone;
 *  - var/shared.dat (a writable file) mapped shared twice: a write through
 *    one mapping is seen through the other at once; syncing writes the page
 *    back, after which the page counts as clean again.
 * The kernel test then checks that the write reached the file's data.
 */
#include "ulib.h"

#define R USER_PROT_READ
#define RW (USER_PROT_READ | USER_PROT_WRITE)
#define HELLO_FIRST_WORD 0x7266206f6c6c6568ull /* "hello fr", little-endian */
#define MARK 0x5041474f44412121ull             /* what the kernel test looks for */

int main(long arg)
{
    (void)arg;
    long shared = sys_map_file(0, PAGE_SIZE, R, USER_MAP_SHARED, "hello.txt", 0);
    long private = sys_map_file(0, PAGE_SIZE, RW, 0, "hello.txt", 0);
    CHECK(shared > 0 && private > 0);
    CHECK(peek((uintptr_t)shared) == HELLO_FIRST_WORD);
    CHECK(peek((uintptr_t)private) == HELLO_FIRST_WORD);
    long clean = sys_stat(USER_STAT_CLEAN_INODE);
    CHECK(clean >= (long)PAGE_SIZE);
    poke((uintptr_t)private, 0x2121212121212121ull);
    CHECK(peek((uintptr_t)private) == 0x2121212121212121ull);
    CHECK(peek((uintptr_t)shared) == HELLO_FIRST_WORD);
    /* Refused: a writable shared mapping of a read-only file, and a window past its end. */
    CHECK(sys_map_file(0, PAGE_SIZE, RW, USER_MAP_SHARED, "hello.txt", 0) < 0);
    CHECK(sys_map_file(0, PAGE_SIZE, R, USER_MAP_SHARED, "hello.txt", 1) < 0);
    CHECK(sys_map_file(0, PAGE_SIZE, R, 0, "no/such/file", 0) < 0);

    long a = sys_map_file(0, PAGE_SIZE, RW, USER_MAP_SHARED, "var/shared.dat", 0);
    long b = sys_map_file(0, PAGE_SIZE, RW, USER_MAP_SHARED, "var/shared.dat", 0);
    CHECK(a > 0 && b > 0 && a != b);
    uint64_t old = peek((uintptr_t)b + 8);
    poke((uintptr_t)a + 8, MARK);
    CHECK(peek((uintptr_t)b + 8) == MARK);
    CHECK(old != MARK);
    CHECK(sys_sync((uintptr_t)a) == 1);
    CHECK(sys_sync((uintptr_t)a) == 0); /* nothing written since */
    CHECK(peek((uintptr_t)b + 8) == MARK);
    return 0;
}
