/*
 * The first instructions of the aarch64 kernel: the arm64 Image header that
 * tells the loader (QEMU's -kernel, U-Boot's booti) where to put us, then
 * the drop from EL2 to EL1 when we start at EL2, the minimal EL1 state C
 * needs (FP/SIMD enabled, vectors installed, a stack, a zeroed .bss), and
 * the call to arch_boot_main(dtb_phys, entry_el) in boot.c.
 *
 * State at entry (Linux Documentation/arch/arm64/booting.rst): x0 = the
 * devicetree's physical address, x1-x3 = 0, MMU off, D-cache off,
 * interrupts masked, at EL2 or EL1, on the boot CPU only.
 */
#include <aarch64/layout.h>
#include <aarch64/sysreg.h>

/* arm64 Image header fields. */
/* Load us 2 MiB above a 2 MiB aligned RAM base; linker.ld links for the same place. */
#define IMAGE_TEXT_OFFSET 0x200000
#define IMAGE_FLAG_PAGE_4K (1 << 1)   /* bits 1-2: 1 = 4 KiB pages */
/*
 * Bit 0 clear: little-endian. Bit 3 clear: the base must be near the start
 * of RAM (we are not relocatable).
 */
#define IMAGE_FLAGS IMAGE_FLAG_PAGE_4K

    .section .text.boot, "ax"
    .global _start
_start:
    b       boot_entry               /* code0 */
    .long   0                        /* code1 */
    .quad   IMAGE_TEXT_OFFSET        /* text_offset */
    .quad   __kernel_image_size      /* image_size: non-zero, or QEMU ignores text_offset */
    .quad   IMAGE_FLAGS              /* flags */
    .quad   0, 0, 0                  /* res2, res3, res4 */
    .ascii  "ARM\x64"                /* magic, at offset 56 */
    .long   0                        /* res5: no PE/COFF header */

boot_entry:
    msr     daifset, #DAIF_ALL
    mov     x19, x0                  /* the DTB address survives the calls below in x19 */

    /* We run where we are linked: a loader that put us elsewhere gets a halted CPU. */
    adr     x9, _start
    ldr     x10, =_start
    cmp     x9, x10
    b.ne    boot_halt

    mrs     x20, CurrentEL
    ubfx    x20, x20, #CURRENT_EL_SHIFT, #2   /* the entry EL, passed on to C */
    cmp     x20, #EL2
    b.ne    boot_el1

    /*
     * EL2: hand everything to EL1 and stay out of the way. EL1 is AArch64
     * (HCR_EL2.RW) with no stage 2 and no traps; EL1 may use the physical
     * counter and timer; the virtual counter equals the physical one; FP/SIMD
     * does not trap to EL2; EL1 reads the real MIDR and MPIDR.
     */
    ldr     x9, =HCR_EL2_RW
    msr     hcr_el2, x9
    mrs     x9, cnthctl_el2
    orr     x9, x9, #(CNTHCTL_EL2_EL1PCTEN | CNTHCTL_EL2_EL1PCEN)
    msr     cnthctl_el2, x9
    msr     cntvoff_el2, xzr
    ldr     x9, =CPTR_EL2_RES1
    msr     cptr_el2, x9
    msr     hstr_el2, xzr
    mrs     x9, midr_el1
    msr     vpidr_el2, x9
    mrs     x9, mpidr_el1
    msr     vmpidr_el2, x9
    ldr     x9, =(SPSR_DAIF_MASKED | SPSR_MODE_EL1H)
    msr     spsr_el2, x9
    adr     x9, boot_el1
    msr     elr_el2, x9
    eret

boot_el1:
    /* A known SCTLR_EL1 (MMU and caches off until mmu_boot.c), FP/SIMD untrapped. */
    ldr     x9, =SCTLR_EL1_BOOT
    msr     sctlr_el1, x9
    ldr     x9, =CPACR_EL1_FPEN_NO_TRAP
    msr     cpacr_el1, x9
    adrp    x9, aarch64_vectors
    add     x9, x9, :lo12:aarch64_vectors
    msr     vbar_el1, x9
    isb

    adrp    x9, __boot_stack_top
    add     x9, x9, :lo12:__boot_stack_top
    mov     sp, x9

    adrp    x9, __bss_start
    add     x9, x9, :lo12:__bss_start
    adrp    x10, __bss_end
    add     x10, x10, :lo12:__bss_end
1:  cmp     x9, x10
    b.hs    2f
    stp     xzr, xzr, [x9], #16
    b       1b
2:
    /*
     * .bss and the stacks are written with the caches off; drop any line the
     * firmware left in the cache for them, so turning the caches on later
     * cannot bring old data back over ours. (QEMU has no caches; real CPUs do.)
     */
    adrp    x0, __trap_emergency_stack_bottom
    add     x0, x0, :lo12:__trap_emergency_stack_bottom
    adrp    x1, __kernel_end
    add     x1, x1, :lo12:__kernel_end
    bl      boot_dcache_invalidate

    mov     x0, x19
    mov     x1, x20
    bl      arch_boot_main           /* does not return */

boot_halt:
    wfe
    b       boot_halt

/* Invalidate the data cache lines over [x0, x1) to the point of coherency. Uses x0-x4. */
boot_dcache_invalidate:
    mrs     x2, ctr_el0
    ubfx    x2, x2, #CTR_EL0_DMINLINE_SHIFT, #CTR_EL0_DMINLINE_WIDTH
    mov     x3, #CTR_EL0_WORD_SIZE
    lsl     x3, x3, x2               /* line size in bytes */
    sub     x4, x3, #1
    bic     x0, x0, x4
1:  dc      ivac, x0
    add     x0, x0, x3
    cmp     x0, x1
    b.lo    1b
    dsb     sy
    ret

    .ltorg
