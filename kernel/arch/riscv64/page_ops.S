/*
 * Whole-page clear and copy (include/arch/page_ops.h). RV64IMAC has no
 * block-zeroing instruction (that is Zicboz), so both move doublewords,
 * eight per loop: 64 bytes for one add and one branch.
 */
#define PAGE_BYTES 4096

    .text

/* void arch_clear_page(void *page) */
    .globl arch_clear_page
arch_clear_page:
    li      t0, PAGE_BYTES
    add     a1, a0, t0
1:  sd      zero, 0(a0)
    sd      zero, 8(a0)
    sd      zero, 16(a0)
    sd      zero, 24(a0)
    sd      zero, 32(a0)
    sd      zero, 40(a0)
    sd      zero, 48(a0)
    sd      zero, 56(a0)
    addi    a0, a0, 64
    bne     a0, a1, 1b
    ret

/* void arch_copy_page(void *dst, const void *src) */
    .globl arch_copy_page
arch_copy_page:
    li      t0, PAGE_BYTES
    add     a2, a1, t0
1:  ld      t0, 0(a1)
    ld      t1, 8(a1)
    ld      t2, 16(a1)
    ld      t3, 24(a1)
    ld      t4, 32(a1)
    ld      t5, 40(a1)
    ld      t6, 48(a1)
    ld      a3, 56(a1)
    sd      t0, 0(a0)
    sd      t1, 8(a0)
    sd      t2, 16(a0)
    sd      t3, 24(a0)
    sd      t4, 32(a0)
    sd      t5, 40(a0)
    sd      t6, 48(a0)
    sd      a3, 56(a0)
    addi    a1, a1, 64
    addi    a0, a0, 64
    bne     a1, a2, 1b
    ret
