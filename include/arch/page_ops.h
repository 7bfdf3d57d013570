/*
 * Clearing and copying one whole 4 KiB page: the hot path of zero-fill and
 * copy-on-write faults. Each arch does it with its fastest instructions
 * (kernel/arch/<arch>/page_ops.*): x86_64 with rep stosq / rep movsq,
 * aarch64 with dc zva / ldp-stp, riscv64 with unrolled doubleword stores.
 * The host build uses the C library's.
 */
#pragma once

#include <pagoda/types.h>

#define ARCH_PAGE_OPS_SIZE 4096u

#ifdef PAGODA_HOST
#include <string.h>
static inline void arch_clear_page(void *page) { memset(page, 0, ARCH_PAGE_OPS_SIZE); }
static inline void arch_copy_page(void *dst, const void *src)
{
    memcpy(dst, src, ARCH_PAGE_OPS_SIZE);
}
#else
/* PAGE and DST, SRC: page-aligned kernel addresses of normal (cacheable) memory. */
void arch_clear_page(void *page);
void arch_copy_page(void *dst, const void *src);
#endif
