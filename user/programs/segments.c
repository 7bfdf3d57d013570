/*
 * A program's own segments, as the loader lays them out: initialised data
 * has its values, read-only data reads back, and the bss is zero, including
 * its first bytes, which share a page with the data: there the file holds
 * other bytes (the sections that follow .data), which the loader must have
 * cleared. Writing the data gives the program its own copy of the page.
 */
#include "ulib.h"

#define BSS_WORDS 700 /* more than a page: the bss runs past the data's page */

static uint64_t initialized[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };
static uint64_t zeroed[BSS_WORDS];
static const uint64_t constants[2] = { 0xc0ffee, 0xdecaf };

int main(long arg)
{
    (void)arg;
    volatile uint64_t *data = initialized, *bss = zeroed;
    CHECK(data[0] == 0x1111 && data[3] == 0x4444);
    CHECK(((volatile const uint64_t *)constants)[1] == 0xdecaf);
    for (unsigned i = 0; i < BSS_WORDS; i++)
        CHECK(bss[i] == 0);
    data[1] = 0x5555;
    bss[BSS_WORDS - 1] = 7;
    CHECK(data[1] == 0x5555 && data[2] == 0x3333 && bss[BSS_WORDS - 1] == 7 && bss[0] == 0);
    return 0;
}
