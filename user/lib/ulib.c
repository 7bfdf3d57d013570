/*
 * Program start-up and printing for user programs. The kernel starts a
 * program at _start with its argument in the first argument register and
 * the stack pointer at the top of its stack region, so _start can be plain
 * C: it never returns, it exits with main's result.
 */
#include "ulib.h"

_Noreturn void _start(long arg);

_Noreturn void _start(long arg)
{
    sys_exit(main(arg));
}

static size_t length(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

void print(const char *text)
{
    sys_write(text, length(text));
}

void print_number(const char *label, long value)
{
    char buffer[96];
    size_t n = 0;
    while (*label && n < 64)
        buffer[n++] = *label++;
    char digits[24];
    size_t d = 0;
    unsigned long v = value < 0 ? 0ul - (unsigned long)value : (unsigned long)value;
    do {
        digits[d++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (value < 0)
        buffer[n++] = '-';
    while (d)
        buffer[n++] = digits[--d];
    buffer[n++] = '\n';
    sys_write(buffer, n);
}

/* The compiler may call these for aggregate copies and clears, even freestanding. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}
