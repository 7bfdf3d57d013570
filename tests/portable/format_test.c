/*
 * Tests of the printf engine (kernel/lib/format.c) with exact expected text:
 * each conversion, flags, width and precision, truncation and the return
 * value, and format_size(). tests/host/format_libc_test.c also compares it
 * with the C library over a larger table, on the host only.
 */
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#include <pagoda/ktest.h>

#define FMT_BUF_SIZE 96

static char fmt_buf[FMT_BUF_SIZE];

/* Check that the ksnprintf() call that filled fmt_buf produced EXPECTED and returned its length. */
#define FMT_EXPECT(t, call, expected)                                                    \
    do {                                                                                 \
        int fmt_n_ = (call);                                                             \
        KEXPECT_STREQ(t, fmt_buf, expected);                                             \
        KEXPECT_EQ(t, fmt_n_, (int)strlen(expected));                                    \
    } while (0)

/*
 * Format one int with FMT given as a variable: for conversions whose
 * argument type or flags the compiler's format check would (rightly) query,
 * but whose C-defined result the engine must still get right.
 */
static int fmt_int(const char *fmt, int value)
{
    return ksnprintf(fmt_buf, sizeof(fmt_buf), fmt, value);
}

KTEST(format, integers)
{
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%d", 0), "0");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%d", -42), "-42");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%i", 2147483647), "2147483647");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%d", (int)-2147483647 - 1), "-2147483648");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%u", 4294967295u), "4294967295");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%x", 0xbeefu), "beef");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%X", 0xbeefu), "BEEF");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%#x", 0xffu), "0xff");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%#x", 0u), "0");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%o", 8u), "10");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%zu", (size_t)123456789), "123456789");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%lld", (long long)INT64_MIN),
               "-9223372036854775808");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%llu", (unsigned long long)UINT64_MAX),
               "18446744073709551615");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%#llx", 0xfedcba9876543210ull),
               "0xfedcba9876543210");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%lx", 0x7fffffffUL), "7fffffff");
    FMT_EXPECT(t, fmt_int("%hhu", 300), "44");
    FMT_EXPECT(t, fmt_int("%hd", 70000), "4464");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%+d %+d % d", 5, -5, 5), "+5 -5  5");
}

KTEST(format, width_and_precision)
{
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%5d]", 42), "[   42]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%-5d]", 42), "[42   ]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%05d]", 42), "[00042]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%05d]", -42), "[-0042]");
    FMT_EXPECT(t, fmt_int("[%-05d]", 42), "[42   ]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%.3d]", 7), "[007]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%6.3d]", -7), "[  -007]");
    FMT_EXPECT(t, fmt_int("[%06.3d]", 7), "[   007]"); /* 0 ignored */
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%.0d]", 0), "[]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%#010x]", 0x1234u), "[0x00001234]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%#018llx]", 0x9fc00ull),
               "[0x000000000009fc00]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%*d]", 4, 1), "[   1]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%*d]", -4, 1), "[1   ]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%12s]", "usable"), "[      usable]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%-8s]", "RAM"), "[RAM     ]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%.2s]", "abcdef"), "[ab]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%5.1s]", "abcdef"), "[    a]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%.*s]", 3, "abcdef"), "[abc]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%3c]", 'x'), "[  x]");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "[%-3c]", 'x'), "[x  ]");
}

KTEST(format, strings_chars_pointers)
{
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%s=%c", "key", 'v'), "key=v");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%s", ""), "");
    /* NULL prints "(null)" here; volatile keeps the compiler's format check out of it. */
    const char *volatile none = NULL;
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%s", none), "(null)");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%p", (void *)(uintptr_t)0x1234), "0x1234");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "%p", (void *)0), "0x0");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "100%%"), "100%");
    FMT_EXPECT(t, ksnprintf(fmt_buf, sizeof(fmt_buf), "plain text"), "plain text");
}

KTEST(format, truncates_to_buffer)
{
    memset(fmt_buf, '#', sizeof(fmt_buf));
    /* The return value is the length the whole output would have had. */
    KEXPECT_EQ(t, ksnprintf(fmt_buf, 4, "hello %d", 12345), 11);
    KEXPECT_STREQ(t, fmt_buf, "hel");
    KEXPECT_EQ(t, fmt_buf[4], '#'); /* nothing written past the size given */

    KEXPECT_EQ(t, ksnprintf(fmt_buf, 1, "hello"), 5);
    KEXPECT_EQ(t, fmt_buf[0], '\0');
    KEXPECT_EQ(t, fmt_buf[1], 'e'); /* left from the call before */

    fmt_buf[0] = '#';
    KEXPECT_EQ(t, ksnprintf(fmt_buf, 0, "hello"), 5);
    KEXPECT_EQ(t, fmt_buf[0], '#'); /* size 0: nothing written at all */

    KEXPECT_EQ(t, ksnprintf(fmt_buf, 6, "hello"), 5); /* exactly fits */
    KEXPECT_STREQ(t, fmt_buf, "hello");
    KEXPECT_EQ(t, ksnprintf(fmt_buf, 5, "hello"), 5); /* one short */
    KEXPECT_STREQ(t, fmt_buf, "hell");
}

/* format_size(BYTES) into fmt_buf. */
static const char *fmt_size(uint64_t bytes)
{
    format_size(fmt_buf, sizeof(fmt_buf), bytes);
    return fmt_buf;
}

KTEST(format, sizes_for_people)
{
    KEXPECT_STREQ(t, fmt_size(0), "0 B");
    KEXPECT_STREQ(t, fmt_size(512), "512 B");
    KEXPECT_STREQ(t, fmt_size(1023), "1023 B");
    KEXPECT_STREQ(t, fmt_size(1024), "1 KiB");
    KEXPECT_STREQ(t, fmt_size(1536), "1.50 KiB");
    KEXPECT_STREQ(t, fmt_size(512 * KiB), "512 KiB");
    KEXPECT_STREQ(t, fmt_size(MiB + MiB / 2), "1.50 MiB");
    KEXPECT_STREQ(t, fmt_size(0x9fc00), "639 KiB");
    KEXPECT_STREQ(t, fmt_size(0x1fee0000), "510.87 MiB"); /* truncated, not rounded */
    KEXPECT_STREQ(t, fmt_size(4 * GiB), "4 GiB");
    KEXPECT_STREQ(t, fmt_size(3 * GiB + 256 * MiB), "3.25 GiB");
    KEXPECT_STREQ(t, fmt_size(UINT64_MAX), "15.99 EiB");
    format_size(fmt_buf, 4, 512 * KiB);
    KEXPECT_STREQ(t, fmt_buf, "512");
}
