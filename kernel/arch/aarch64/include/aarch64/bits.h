/*
 * One bit-building macro that works in both C and assembly, so register
 * and descriptor layouts are written once and shared by boot.S and the C code.
 */
#pragma once

#ifdef __ASSEMBLER__
#define AARCH64_BIT(n) (1 << (n))
#define AARCH64_FIELD(value, shift) ((value) << (shift))
#else
#include <stdint.h>
#define AARCH64_BIT(n) (UINT64_C(1) << (n))
#define AARCH64_FIELD(value, shift) ((uint64_t)(value) << (shift))
#endif

/* A mask of WIDTH bits starting at SHIFT. */
#define AARCH64_MASK(width, shift) AARCH64_FIELD(AARCH64_BIT(width) - 1, shift)
