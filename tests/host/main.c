/*
 * The host test runner: the kernel's ktest runner, linked into an ordinary
 * program. Supplies what the kernel's own main.c and panic.c would (a
 * console, panic()) and runs the suites named in argv[1] ("all" by default).
 * Exits non-zero if any test failed or the filter selected nothing.
 */
#include "kernel/console.h"
#include "kernel/kernel.h"
#include "kernel/panic.h"
#include "tests/host/host.h"
#include <pagoda/ktest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static bool host_quiet;

void host_console_quiet(bool quiet)
{
    fflush(stdout);
    host_quiet = quiet;
}

/* The console adds '\r' before '\n' for serial terminals; a pipe wants neither. */
static void host_console_putc(char c)
{
    if (c != '\r' && !host_quiet)
        putchar(c);
}

static const struct console_driver host_console = { "stdout", host_console_putc };

/* Same message as the kernel's, then abort(): the sanitizers and ctest see a crash. */
void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kprintf("\nKERNEL PANIC: ");
    kvprintf(fmt, ap);
    kprintf("\n");
    va_end(ap);
    fflush(stdout);
    abort();
}

bool host_panics(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(2);
        fn();
        _exit(0);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return false;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

uint64_t host_test_seed(struct ktest *t, uint64_t fallback)
{
    const char *env = getenv("PAGODA_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : fallback;
    ktest_note(t, "seed %#llx (replay with PAGODA_SEED=%#llx)", (unsigned long long)seed,
               (unsigned long long)seed);
    return seed;
}

/* There is no boot on the host (see kernel/kernel.h). */
const struct boot_info *boot_info_current(void)
{
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "usage: %s [all | suite[,suite...]]\n", argv[0]);
        return EXIT_FAILURE;
    }
    console_register(&host_console);
    const char *filter = argc > 1 ? argv[1] : "all";
    int failed = ktest_run(filter, strlen(filter));
    fflush(stdout);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
