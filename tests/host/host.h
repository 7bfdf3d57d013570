/*
 * What the host test runner (tests/host/main.c) offers host-only tests.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct ktest;

/*
 * Drop console output while QUIET (for tests that make the parsers print
 * thousands of rejections); KTAP lines printed after it is turned off again
 * are unaffected.
 */
void host_console_quiet(bool quiet);

/*
 * Run FN in a child process; true if it died of abort(), which is what a
 * panic() does on the host. The child's output is dropped, so its panic
 * message stays out of the KTAP stream; the parent's state is untouched.
 */
bool host_panics(void (*fn)(void));

/*
 * The seed of a randomized test: $PAGODA_SEED if set, else FALLBACK (so CI
 * runs repeat exactly). Notes it in the test's output, with how to replay it.
 */
uint64_t host_test_seed(struct ktest *t, uint64_t fallback);
