/*
 * Tests of the test machinery itself. The "injected" cases do nothing
 * unless the command line asks for them with ktest.inject=fail|panic|fault|hang;
 * the boot harness then checks that each such run is judged a failure,
 * so a broken runner or harness cannot report success by accident.
 */
#include "kernel/kernel.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include <arch/cpu.h>
#include <pagoda/ktest.h>

static bool injection_requested(const char *what)
{
    const struct boot_info *bi = boot_info_current();
    const char *value;
    size_t len;
    if (!bi || !boot_cmdline_get(bi->cmdline, "ktest.inject", &value, &len))
        return false;
    return len == strlen(what) && strncmp(value, what, len) == 0;
}

KTEST(selftest, expectations_count_failures)
{
    struct ktest inner = { .suite = "selftest", .name = "inner" };
    KEXPECT_EQ(&inner, 1, 1);
    KEXPECT_EQ(t, inner.failures, 0);
    KEXPECT_EQ(&inner, 1, 2); /* prints a diagnostic for the inner test, on purpose */
    KEXPECT_EQ(t, inner.failures, 1);
}

KTEST(selftest, injected_failure)
{
    if (!injection_requested("fail")) {
        ktest_skip(t, "ktest.inject=fail not given");
        return;
    }
    KEXPECT_EQ(t, 1 + 1, 3);
}

KTEST(selftest, injected_panic)
{
    if (!injection_requested("panic")) {
        ktest_skip(t, "ktest.inject=panic not given");
        return;
    }
    panic("selftest: panic injected on request");
}

KTEST(selftest, injected_fault)
{
    if (!injection_requested("fault")) {
        ktest_skip(t, "ktest.inject=fault not given");
        return;
    }
    /* An unguarded access to unmapped memory: the arch must report and panic. */
    volatile uint64_t *p = (volatile uint64_t *)arch_unmapped_address();
    ktest_note(t, "read %llx", (unsigned long long)*p);
    KEXPECT(t, false); /* not reached */
}

KTEST(selftest, injected_hang)
{
    if (!injection_requested("hang")) {
        ktest_skip(t, "ktest.inject=hang not given");
        return;
    }
    for (;;)
        __asm__ volatile("" ::: "memory");
}
