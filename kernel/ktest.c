/*
 * The ktest runner: finds every KTEST() through the ktest_cases linker
 * section, runs the selected suites and prints KTAP version 1 (the format
 * of Linux's KUnit), which tests/qemu/ parses. Shared by kernel and host.
 */
#include <pagoda/ktest.h>
#include "kernel/console.h"
#include "kernel/lib/string.h"

extern const struct ktest_case __start_ktest_cases[];
extern const struct ktest_case __stop_ktest_cases[];

static size_t case_count(void)
{
    return (size_t)(__stop_ktest_cases - __start_ktest_cases);
}

bool ktest_streq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kprintf("    # %s: EXPECTATION FAILED at %s:%d: ", t->name, file, line);
    kvprintf(fmt, ap);
    kprintf("\n");
    va_end(ap);
    t->failures++;
}

void ktest_skip(struct ktest *t, const char *reason)
{
    t->skipped = true;
    t->skip_reason = reason;
}

void ktest_note(struct ktest *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kprintf("    # %s: ", t->name);
    kvprintf(fmt, ap);
    kprintf("\n");
    va_end(ap);
}

/* Is SUITE named in the comma-separated FILTER (or is FILTER "all")? */
static bool filter_selects(const char *filter, size_t filter_len, const char *suite)
{
    if (filter_len == 3 && strncmp(filter, "all", 3) == 0)
        return true;
    size_t suite_len = strlen(suite);
    const char *p = filter, *end = filter + filter_len;
    while (p < end) {
        const char *comma = p;
        while (comma < end && *comma != ',')
            comma++;
        if ((size_t)(comma - p) == suite_len && strncmp(p, suite, suite_len) == 0)
            return true;
        p = comma + 1;
    }
    return false;
}

/* Is case I the first one of its suite (so the suite is listed once)? */
static bool first_of_suite(size_t i)
{
    for (size_t j = 0; j < i; j++) {
        if (strcmp(__start_ktest_cases[j].suite, __start_ktest_cases[i].suite) == 0)
            return false;
    }
    return true;
}

struct totals {
    int passed, failed, skipped;
};

/* Run every case of SUITE as one KTAP subtest; returns true if none failed. */
static bool run_suite(const char *suite, int suite_number, struct totals *totals)
{
    size_t n = 0;
    for (size_t i = 0; i < case_count(); i++)
        n += strcmp(__start_ktest_cases[i].suite, suite) == 0;

    kprintf("    KTAP version 1\n    # Subtest: %s\n    1..%zu\n", suite, n);
    int number = 0, failed = 0;
    for (size_t i = 0; i < case_count(); i++) {
        const struct ktest_case *c = &__start_ktest_cases[i];
        if (strcmp(c->suite, suite) != 0)
            continue;
        struct ktest t = { .suite = c->suite, .name = c->name };
        c->run(&t);
        number++;
        if (t.failures) {
            kprintf("    not ok %d %s\n", number, c->name);
            failed++;
            totals->failed++;
        } else if (t.skipped) {
            kprintf("    ok %d %s # SKIP %s\n", number, c->name, t.skip_reason);
            totals->skipped++;
        } else {
            kprintf("    ok %d %s\n", number, c->name);
            totals->passed++;
        }
    }
    kprintf("%s %d %s\n", failed ? "not ok" : "ok", suite_number, suite);
    return failed == 0;
}

int ktest_run(const char *filter, size_t filter_len)
{
    int suites = 0;
    for (size_t i = 0; i < case_count(); i++)
        suites += first_of_suite(i) && filter_selects(filter, filter_len, __start_ktest_cases[i].suite);

    kprintf("KTAP version 1\n1..%d\n", suites);
    if (suites == 0) {
        kprintf("# ktest: no suite matches \"%.*s\"\n", (int)filter_len, filter);
        return 1;
    }
    struct totals totals = { 0, 0, 0 };
    int number = 0;
    for (size_t i = 0; i < case_count(); i++) {
        const char *suite = __start_ktest_cases[i].suite;
        if (first_of_suite(i) && filter_selects(filter, filter_len, suite))
            run_suite(suite, ++number, &totals);
    }
    kprintf("# ktest: %d passed, %d failed, %d skipped\n", totals.passed, totals.failed,
            totals.skipped);
    return totals.failed;
}
