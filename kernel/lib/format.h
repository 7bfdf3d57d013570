/*
 * A small printf engine, portable and freestanding: the kernel console and
 * ksnprintf() are built on it, and the host tests check it against libc.
 * Supports %d %i %u %x %X %o %c %s %p %% with the flags "-0+ #", a field
 * width, a precision, and the length modifiers hh h l ll z t j.
 */
#pragma once

#include <pagoda/types.h>
#include <stdarg.h>

typedef void (*format_emit_fn)(char c, void *ctx);

/* Format into EMIT; returns the number of characters produced. */
int format_v(format_emit_fn emit, void *ctx, const char *fmt, va_list ap);

int ksnprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* "1.50 MiB", "512 KiB", "3 GiB": a size for people, into BUF. */
void format_size(char *buf, size_t size, uint64_t bytes);
