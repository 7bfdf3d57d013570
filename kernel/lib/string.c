/*
 * Freestanding memory and string functions. The compiler may emit calls to
 * memcpy/memset/memmove/memcmp on its own, so these must exist in the kernel.
 * The host build uses the C library's versions instead.
 */
#include "kernel/lib/string.h"
#include <stdint.h>

#ifndef PAGODA_HOST
/*
 * memcpy and memset move eight bytes at a time where both sides allow it:
 * zeroing and copying whole pages is the hot path of page faults. may_alias
 * tells the compiler these word accesses may touch objects of any type.
 */
typedef uint64_t __attribute__((may_alias)) word_t;
#define WORD sizeof(word_t)
#define WORD_MASK (WORD - 1)
#define UNROLL 8

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
        while (n && ((uintptr_t)d & WORD_MASK)) {
            *d++ = *s++;
            n--;
        }
        word_t *dw = (word_t *)d;
        const word_t *sw = (const word_t *)s;
        for (; n >= UNROLL * WORD; n -= UNROLL * WORD, dw += UNROLL, sw += UNROLL) {
            for (unsigned i = 0; i < UNROLL; i++)
                dw[i] = sw[i];
        }
        for (; n >= WORD; n -= WORD)
            *dw++ = *sw++;
        d = (unsigned char *)dw;
        s = (const unsigned char *)sw;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n && ((uintptr_t)d & WORD_MASK)) {
        *d++ = (unsigned char)c;
        n--;
    }
    word_t pattern = UINT64_C(0x0101010101010101) * (unsigned char)c;
    word_t *w = (word_t *)d;
    for (; n >= UNROLL * WORD; n -= UNROLL * WORD, w += UNROLL) {
        for (unsigned i = 0; i < UNROLL; i++)
            w[i] = pattern;
    }
    for (; n >= WORD; n -= WORD)
        *w++ = pattern;
    d = (unsigned char *)w;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] || !a[i])
            return (unsigned char)a[i] - (unsigned char)b[i];
    }
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == (unsigned char)c)
            return (void *)(p + i);
    }
    return NULL;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}
#endif

void string_copy(char *dst, size_t size, const char *src, size_t src_max)
{
    if (size == 0)
        return;
    size_t n = strnlen(src, src_max);
    if (n > size - 1)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}
