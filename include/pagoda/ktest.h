/*
 * ktest: the test framework shared by the kernel and the host build. A test
 * is a function registered with KTEST(suite, name); the runner (kernel/ktest.c)
 * finds every registered test through a linker section, runs the suites the
 * command line asks for, and prints the results as KTAP version 1, the format
 * of Linux's KUnit. The same test source runs in the kernel and on the host.
 *
 *   KTEST(fdt, rejects_bad_magic) {
 *       KEXPECT_EQ(t, fdt_open(blob, size, &f), -E_BADMAGIC);
 *   }
 *
 * KEXPECT_* records a failure and goes on; KASSERT_* records it and returns
 * from the test at once.
 */
#pragma once

#include <pagoda/types.h>

struct ktest {
    const char *suite;
    const char *name;
    int failures;
    bool skipped;
    const char *skip_reason;
};

struct ktest_case {
    const char *suite;
    const char *name;
    void (*run)(struct ktest *t);
};

#define KTEST_SECTION "ktest_cases"

#define KTEST(suite_, name_)                                                       \
    static void ktest_fn_##suite_##_##name_(struct ktest *t);                      \
    static const struct ktest_case ktest_case_##suite_##_##name_                   \
        __attribute__((used, section(KTEST_SECTION), aligned(sizeof(void *)))) = { \
            #suite_, #name_, ktest_fn_##suite_##_##name_,                          \
        };                                                                         \
    static void ktest_fn_##suite_##_##name_(struct ktest *t)

/* Report a failed expectation (printed as a KTAP diagnostic). */
void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
    PRINTF_LIKE(4, 5);
/* Mark the running test as skipped, with a reason. */
void ktest_skip(struct ktest *t, const char *reason);
/* Print a diagnostic line belonging to the running test. */
void ktest_note(struct ktest *t, const char *fmt, ...) PRINTF_LIKE(2, 3);

#define KTEST_CHECK_(t, cond, on_fail, ...)                                        \
    do {                                                                           \
        if (!(cond)) {                                                             \
            ktest_fail((t), __FILE__, __LINE__, __VA_ARGS__);                      \
            on_fail;                                                               \
        }                                                                          \
    } while (0)

#define KTEST_CMP_(t, a, op, b, on_fail)                                           \
    do {                                                                           \
        long long ka_ = (long long)(a), kb_ = (long long)(b);                      \
        KTEST_CHECK_(t, ka_ op kb_, on_fail, "%s %s %s (%lld vs %lld)", #a, #op, #b, \
                     ka_, kb_);                                                    \
    } while (0)

#define KTEST_CMPU_(t, a, op, b, on_fail)                                          \
    do {                                                                           \
        unsigned long long ka_ = (unsigned long long)(a);                          \
        unsigned long long kb_ = (unsigned long long)(b);                          \
        KTEST_CHECK_(t, ka_ op kb_, on_fail, "%s %s %s (0x%llx vs 0x%llx)", #a, #op, #b, \
                     ka_, kb_);                                                    \
    } while (0)

#define KEXPECT(t, cond) KTEST_CHECK_(t, cond, (void)0, "expected %s", #cond)
#define KASSERT(t, cond) KTEST_CHECK_(t, cond, return, "expected %s", #cond)
#define KEXPECT_EQ(t, a, b) KTEST_CMP_(t, a, ==, b, (void)0)
#define KEXPECT_NE(t, a, b) KTEST_CMP_(t, a, !=, b, (void)0)
#define KEXPECT_LT(t, a, b) KTEST_CMP_(t, a, <, b, (void)0)
#define KEXPECT_GE(t, a, b) KTEST_CMP_(t, a, >=, b, (void)0)
#define KEXPECT_LE(t, a, b) KTEST_CMP_(t, a, <=, b, (void)0)
#define KASSERT_EQ(t, a, b) KTEST_CMP_(t, a, ==, b, return)
#define KASSERT_NE(t, a, b) KTEST_CMP_(t, a, !=, b, return)
#define KASSERT_GE(t, a, b) KTEST_CMP_(t, a, >=, b, return)
#define KEXPECT_EQU(t, a, b) KTEST_CMPU_(t, a, ==, b, (void)0)
#define KASSERT_EQU(t, a, b) KTEST_CMPU_(t, a, ==, b, return)
#define KEXPECT_STREQ(t, a, b)                                                     \
    KTEST_CHECK_(t, ktest_streq((a), (b)), (void)0, "%s == %s (\"%s\" vs \"%s\")", \
                 #a, #b, (a), (b))

bool ktest_streq(const char *a, const char *b);

/*
 * Run the suites selected by FILTER ("all", or a comma-separated list of suite
 * names), printing KTAP. Returns the number of failed tests; a filter that
 * selects nothing counts as one failure, so a typo cannot pass silently.
 */
int ktest_run(const char *filter, size_t filter_len);
