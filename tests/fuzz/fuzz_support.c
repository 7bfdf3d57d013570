/*
 * What the portable parsers need from a kernel when linked into a fuzzer:
 * panic() aborts, so a broken invariant is reported as a crash. No console
 * driver is registered: the parsers' rejection messages fill the console's
 * early buffer and are then dropped, which keeps the fuzzers fast and quiet.
 */
#include "kernel/console.h"
#include "kernel/panic.h"
#include <stdio.h>
#include <stdlib.h>

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("KERNEL PANIC: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
