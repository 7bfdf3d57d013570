/*
 * panic(): for broken invariants. Prints "KERNEL PANIC: <message>" and powers
 * the board off with a failure status, so tests and QEMU see it at once.
 */
#pragma once

#include <pagoda/types.h>

NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* ASSERT: a precondition that, if false, means a kernel bug. */
#define ASSERT(cond)                                                            \
    do {                                                                        \
        if (!(cond))                                                            \
            panic("%s:%d: %s: assertion failed: %s", __FILE__, __LINE__,        \
                  __func__, #cond);                                             \
    } while (0)
