/*
 * Host-only: ksnprintf() against the C library's snprintf() over a table of
 * formats and values, for every conversion the kernel's engine supports.
 * Both the text and the return value must match, also when truncated.
 * (Deliberate differences, such as "%p" of NULL printing 0x0 where glibc
 * prints "(nil)", are left out here and pinned in tests/portable/format_test.c.)
 */
#include "kernel/lib/format.h"
#include <limits.h>
#include <pagoda/ktest.h>
#include <stdio.h>
#include <string.h>

#define LIBC_BUF_SIZE 128

/* Format with both engines into separate buffers of SIZE bytes and compare. */
#define LIBC_COMPARE(t, size, fmt, ...)                                                  \
    do {                                                                                 \
        char kbuf_[LIBC_BUF_SIZE], cbuf_[LIBC_BUF_SIZE];                                 \
        memset(kbuf_, '#', sizeof(kbuf_));                                               \
        memset(cbuf_, '#', sizeof(cbuf_));                                               \
        int kn_ = ksnprintf(kbuf_, (size), (fmt), __VA_ARGS__);                          \
        int cn_ = snprintf(cbuf_, (size), (fmt), __VA_ARGS__);                           \
        if (kn_ != cn_ || memcmp(kbuf_, cbuf_, sizeof(kbuf_)) != 0)                      \
            ktest_fail((t), __FILE__, __LINE__,                                          \
                       "format \"%s\", size %zu: kernel %d \"%.*s\", libc %d \"%.*s\"",  \
                       (fmt), (size_t)(size), kn_, (int)(size) ? LIBC_BUF_SIZE - 1 : 0,  \
                       kbuf_, cn_, (int)(size) ? LIBC_BUF_SIZE - 1 : 0, cbuf_);          \
    } while (0)

static const char *const int_formats[] = {
    "%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+5d", "%-+5d|", "%.3d", "%8.3d",
    "%-8.3d|", "%08.3d", "%.0d", "%x", "%X", "%#x", "%#X", "%#10x", "%#-10x|", "%#010x",
    "%o", "%#o", "%u", "%5u", "%.0u", "%hhd", "%hhu", "%hd", "%hu", "%hx", "%*d", "%.*d",
    "%-#8o|", "%#08o", "%#.0x",
};
static const int int_values[] = {
    0, 1, -1, 7, 42, -42, 255, 256, 1000, -1000, 65535, 65536, 70000, INT_MAX, INT_MIN,
};

KTEST(format_libc, int_table)
{
    for (size_t f = 0; f < ARRAY_SIZE(int_formats); f++) {
        for (size_t v = 0; v < ARRAY_SIZE(int_values); v++) {
            if (strchr(int_formats[f], '*'))
                LIBC_COMPARE(t, LIBC_BUF_SIZE, int_formats[f], 6, int_values[v]);
            else
                LIBC_COMPARE(t, LIBC_BUF_SIZE, int_formats[f], int_values[v]);
        }
    }
}

/*
 * Corners of C's rules that the engine got wrong when this test was written:
 * '+' and ' ' apply to signed conversions only, and '#' with 'o' adds a
 * leading zero only when the digits (after precision) do not start with one.
 */
KTEST(format_libc, unsigned_flags_and_octal_alt)
{
    static const char *const formats[] = { "%+u", "% u", "%+x", "% X", "%+o", "%#.0o",
                                           "%#.3o", "%#5.3o", "%#.1o" };
    static const unsigned values[] = { 0, 1, 7, 8, 42, 511, 4294967295u };
    for (size_t f = 0; f < ARRAY_SIZE(formats); f++)
        for (size_t v = 0; v < ARRAY_SIZE(values); v++)
            LIBC_COMPARE(t, LIBC_BUF_SIZE, formats[f], values[v]);
}

static const char *const long_long_formats[] = {
    "%lld", "%llu", "%llx", "%#llx", "%llX", "%20lld", "%-20lld|", "%020llx", "%#018llx",
    "%.20lld", "%+lld", "%llo",
};
static const long long long_long_values[] = {
    0, 1, -1, 4294967296LL, -4294967296LL, 0x123456789abcdefLL, LLONG_MAX, LLONG_MIN,
};

KTEST(format_libc, long_long_table)
{
    for (size_t f = 0; f < ARRAY_SIZE(long_long_formats); f++)
        for (size_t v = 0; v < ARRAY_SIZE(long_long_values); v++)
            LIBC_COMPARE(t, LIBC_BUF_SIZE, long_long_formats[f], long_long_values[v]);
}

static const char *const long_formats[] = { "%ld", "%lu", "%lx", "%#lx", "%16lx" };
static const char *const size_formats[] = { "%zu", "%zx", "%zd", "%5zu", "%td", "%jd", "%ju" };
static const long long_values[] = { 0, 1, -1, 123456789L, LONG_MAX, LONG_MIN };

KTEST(format_libc, long_and_size_table)
{
    for (size_t f = 0; f < ARRAY_SIZE(long_formats); f++)
        for (size_t v = 0; v < ARRAY_SIZE(long_values); v++)
            LIBC_COMPARE(t, LIBC_BUF_SIZE, long_formats[f], long_values[v]);
    /* size_t, ptrdiff_t and intmax_t are all the width of long on LP64 hosts. */
    for (size_t f = 0; f < ARRAY_SIZE(size_formats); f++)
        for (size_t v = 0; v < ARRAY_SIZE(long_values); v++)
            LIBC_COMPARE(t, LIBC_BUF_SIZE, size_formats[f], long_values[v]);
}

static const char *const string_formats[] = {
    "%s", "%10s", "%-10s|", "%.3s", "%10.3s", "%-10.3s|", "%.0s", "[%s]", "%.*s",
};
static const char *const string_values[] = { "", "a", "abc", "hello", "pagoda kernel" };

KTEST(format_libc, string_and_char_table)
{
    for (size_t f = 0; f < ARRAY_SIZE(string_formats); f++) {
        for (size_t v = 0; v < ARRAY_SIZE(string_values); v++) {
            if (strchr(string_formats[f], '*'))
                LIBC_COMPARE(t, LIBC_BUF_SIZE, string_formats[f], 2, string_values[v]);
            else
                LIBC_COMPARE(t, LIBC_BUF_SIZE, string_formats[f], string_values[v]);
        }
    }
    static const char *const char_formats[] = { "%c", "%3c", "%-3c|", "<%c>" };
    static const char chars[] = { 'a', 'Z', '0', ' ', '%' };
    for (size_t f = 0; f < ARRAY_SIZE(char_formats); f++)
        for (size_t v = 0; v < ARRAY_SIZE(chars); v++)
            LIBC_COMPARE(t, LIBC_BUF_SIZE, char_formats[f], chars[v]);
}

KTEST(format_libc, pointers)
{
    static int object;
    static const char *const formats[] = { "%p", "%20p", "%-20p|" };
    void *const values[] = { &object, (void *)(uintptr_t)0x1000, (void *)UINTPTR_MAX };
    for (size_t f = 0; f < ARRAY_SIZE(formats); f++)
        for (size_t v = 0; v < ARRAY_SIZE(values); v++)
            LIBC_COMPARE(t, LIBC_BUF_SIZE, formats[f], values[v]);
}

KTEST(format_libc, truncation)
{
    /* Every buffer size from 0 to past the end, for a mixed format. */
    for (size_t size = 0; size < 40; size++) {
        LIBC_COMPARE(t, size, "%s=%#x [%-6d] %c%%", "key", 0xbeefu, -12, 'z');
        LIBC_COMPARE(t, size, "%lld", LLONG_MIN);
    }
}
