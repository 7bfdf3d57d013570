/*
 * Whole-page clear and copy (include/arch/page_ops.h) with the string
 * instructions, as x86 kernels do: rep stosq and rep movsq move a page in
 * 512 quadwords without a loop in software. The kernel runs with the
 * direction flag clear (the trap path clears it on entry).
 */
#include <arch/page_ops.h>

#define QUADWORDS_PER_PAGE (ARCH_PAGE_OPS_SIZE / sizeof(uint64_t))

void arch_clear_page(void *page)
{
    uint64_t count = QUADWORDS_PER_PAGE;
    __asm__ volatile("rep stosq" : "+D"(page), "+c"(count) : "a"(UINT64_C(0)) : "memory");
}

void arch_copy_page(void *dst, const void *src)
{
    uint64_t count = QUADWORDS_PER_PAGE;
    __asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(count) : : "memory");
}
