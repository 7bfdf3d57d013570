/*
 * The kernel console: one output driver, chosen by the arch boot code from
 * boot_info, and the printf-style functions everything else prints with.
 */
#pragma once

#include <pagoda/types.h>
#include <stdarg.h>

struct console_driver {
    const char *name;
    void (*putc)(char c);
};

/* Install DRIVER; output before this is kept in a small buffer and replayed. */
void console_register(const struct console_driver *driver);
void console_putc(char c);
void console_write(const char *s, size_t len);

int kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
int kvprintf(const char *fmt, va_list ap);
