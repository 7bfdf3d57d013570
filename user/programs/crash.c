/*
 * Programs that must be stopped: ARG picks the mistake. Each ends in a
 * ShouldCrash (the kernel test checks the fault or exception it reports);
 * reaching the end is a failure.
 */
#include "ulib.h"

enum mistake {
    READ_UNMAPPED,     /* a load from page 0 */
    WRITE_READ_ONLY,   /* a store into the program's own read-only data */
    EXECUTE_DATA,      /* a jump into a writable, non-executable page */
    ILLEGAL,           /* a trapping instruction */
    READ_KERNEL,       /* a load from the kernel half */
    STACK_OVERFLOW,    /* recursion past the bottom of the stack */
};

static const uint64_t constant = 1;
static uint64_t code_in_data[2];

static long recurse(long depth)
{
    volatile char frame[512];
    if (depth > (long)(USER_STACK_SIZE / 8)) /* far deeper than the stack: never reached */
        return 0;
    frame[0] = (char)depth;
    return recurse(depth + 1) + frame[0];
}

int main(long arg)
{
    switch (arg) {
    case READ_UNMAPPED:
        return (int)peek(0);
    case WRITE_READ_ONLY:
        poke((uintptr_t)&constant, 2);
        break;
    case EXECUTE_DATA:
        poke((uintptr_t)code_in_data, 0); /* written, so it must live in the data segment */
        ((void (*)(void))(uintptr_t)code_in_data)();
        break;
    case ILLEGAL:
        __builtin_trap();
    case READ_KERNEL:
        return (int)peek((uintptr_t)0xffffffff80000000ull);
    case STACK_OVERFLOW:
        return (int)recurse(0);
    }
    return 1;
}
