/*
 * What the host test runner (tests/host/main.c) offers host-only tests.
 */
#pragma once

#include <stdbool.h>

/*
 * Drop console output while QUIET (for tests that make the parsers print
 * thousands of rejections); KTAP lines printed after it is turned off again
 * are unaffected.
 */
void host_console_quiet(bool quiet);
