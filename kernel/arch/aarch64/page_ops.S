/*
 * Whole-page clear and copy (include/arch/page_ops.h). A page is cleared
 * with dc zva, which zeroes one block of 4 << DCZID_EL0.BS bytes (64 on
 * the cores we run on) per instruction, unless DCZID_EL0.DZP forbids it;
 * then, and for copies, with pairs of registers, 64 bytes per loop.
 */
#define PAGE_BYTES 4096
#define DCZID_DZP_BIT 4      /* dc zva prohibited */
#define DCZID_BS_MASK 0xf    /* log2 of the block size in words */
#define WORD_BYTES 4

    .text

/* void arch_clear_page(void *page) */
    .globl arch_clear_page
arch_clear_page:
    add     x3, x0, #PAGE_BYTES
    mrs     x1, dczid_el0
    tbnz    x1, #DCZID_DZP_BIT, 2f
    and     x1, x1, #DCZID_BS_MASK
    mov     x2, #WORD_BYTES
    lsl     x2, x2, x1           /* bytes per dc zva */
1:  dc      zva, x0
    add     x0, x0, x2
    cmp     x0, x3
    b.ne    1b
    ret
2:  stp     xzr, xzr, [x0]
    stp     xzr, xzr, [x0, #16]
    stp     xzr, xzr, [x0, #32]
    stp     xzr, xzr, [x0, #48]
    add     x0, x0, #64
    cmp     x0, x3
    b.ne    2b
    ret

/* void arch_copy_page(void *dst, const void *src) */
    .globl arch_copy_page
arch_copy_page:
    add     x2, x1, #PAGE_BYTES
1:  ldp     x3, x4, [x1]
    ldp     x5, x6, [x1, #16]
    ldp     x7, x8, [x1, #32]
    ldp     x9, x10, [x1, #48]
    stp     x3, x4, [x0]
    stp     x5, x6, [x0, #16]
    stp     x7, x8, [x0, #32]
    stp     x9, x10, [x0, #48]
    add     x1, x1, #64
    add     x0, x0, #64
    cmp     x1, x2
    b.ne    1b
    ret
