/*
 * The freestanding string and memory functions the kernel and parsers use.
 * The host build takes the C library's and compiles only string_copy().
 */
#pragma once

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
void *memchr(const void *s, int c, size_t n);
/*
 * Copy at most SIZE-1 bytes of SRC (stopping at its terminator or after
 * SRC_MAX bytes, whichever comes first) and always terminate DST.
 */
void string_copy(char *dst, size_t size, const char *src, size_t src_max);
