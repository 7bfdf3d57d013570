/*
 * Basic types shared by the kernel, mm/ and the host build: fixed-width
 * integers, and physical and virtual addresses as distinct types so that one
 * can never be passed where the other is expected.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t value;
} paddr_t;

typedef struct {
    uintptr_t value;
} vaddr_t;

static inline paddr_t paddr(uint64_t value) { return (paddr_t){ value }; }
static inline vaddr_t vaddr(uintptr_t value) { return (vaddr_t){ value }; }

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define UNUSED(x) ((void)(x))
#define NORETURN _Noreturn
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define MUST_CHECK __attribute__((warn_unused_result))
