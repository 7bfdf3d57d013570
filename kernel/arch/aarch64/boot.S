/*
 * The first instructions of the aarch64 kernel: the arm64 Image header that
 * tells the loader (QEMU's -kernel, U-Boot's booti) where to put us, then
 * the drop from EL2 to EL1 when we start at EL2, the minimal EL1 state (FP/SIMD
 * enabled, a zeroed .bss), the boot page tables and the MMU, and the jump
 * from the physical load address to the kernel's link address in the TTBR1
 * half, where the stack and vectors are set and arch_boot_main(dtb_phys,
 * entry_el) in boot.c is called.
 *
 * State at entry (Linux Documentation/arch/arm64/booting.rst): x0 = the
 * devicetree's physical address, x1-x3 = 0, MMU off, D-cache off,
 * interrupts masked, at EL2 or EL1, on the boot CPU only.
 *
 * Until the MMU is on we run at the physical address while every symbol is
 * linked 0xffffffff00000000 higher: only PC-relative addressing (adr, adrp,
 * b, bl) gives the address something really has. A literal (ldr x, =sym)
 * gives the link address, which is what the tables map and what the jump
 * to boot_high needs.
 */
#include <aarch64/layout.h>
#include <aarch64/pte.h>
#include <aarch64/sysreg.h>
#include "kernel/arch/aarch64/board_virt.h"

/* arm64 Image header fields. */
/* Load us 2 MiB above a 2 MiB aligned RAM base: linker.ld's load address (LMA). */
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

    /* We run where we are loaded (link address - KERNEL_VIRT_OFFSET), or halt. */
    adr     x9, _start
    ldr     x10, =_start
    ldr     x11, =KERNEL_VIRT_OFFSET
    sub     x10, x10, x11
    cmp     x9, x10
    b.ne    boot_halt

    mrs     x20, CurrentEL
    ubfx    x20, x20, #CURRENT_EL_SHIFT, #2   /* the entry EL, passed on to C */
    cmp     x20, #EL1
    b.eq    boot_el1
    /*
     * Anything but EL1 or EL2 (EL3 on boards without firmware) halts: the
     * tables below are for the EL1 regime, so the jump to the link address
     * would fault with nothing mapped to report it.
     */
    cmp     x20, #EL2
    b.ne    boot_halt

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
    /*
     * A known SCTLR_EL1 (MMU and caches off until below; nothing granted
     * to EL0), FP/SIMD untrapped at EL1 and trapped at EL0, and vectors
     * that halt: the real ones are C code that needs the MMU on, and an
     * exception before that is a bug in this file.
     */
    ldr     x9, =SCTLR_EL1_BOOT
    msr     sctlr_el1, x9
    ldr     x9, =CPACR_EL1_FPEN_EL1_ONLY
    msr     cpacr_el1, x9
    adr     x9, boot_early_vectors
    msr     vbar_el1, x9
    isb

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
     * cannot bring old data back over ours (the boot tables among them).
     * (QEMU has no caches; real CPUs do.)
     */
    adrp    x0, __trap_emergency_stack_bottom
    add     x0, x0, :lo12:__trap_emergency_stack_bottom
    adrp    x1, __kernel_end
    add     x1, x1, :lo12:__kernel_end
    bl      boot_dcache_invalidate

    bl      boot_build_tables        /* x21 = TTBR1 root, x22 = TTBR0 root */
    bl      boot_mmu_on

    /* Leave the identity map: from here on everything runs at its link address. */
    ldr     x9, =boot_high
    br      x9
boot_high:
    ldr     x9, =__boot_stack_top
    mov     sp, x9
    ldr     x9, =aarch64_vectors
    msr     vbar_el1, x9
    isb
    mov     x0, x19
    mov     x1, x20
    bl      arch_boot_main           /* does not return */

boot_halt:
    wfe
    b       boot_halt

/*
 * The boot tables, built with the MMU off in the pool boot_tables
 * (mmu_boot.c; zeroed with .bss), whose first two pages are the roots:
 *
 * - TTBR1 (x21): the image at its link address, page by page, with the
 *   rights of its section: code read-only and executable, .rodata
 *   read-only, .data/.bss/stacks read-write; the guard page below the boot
 *   stack left out, so an overflow faults from the first C instruction on.
 * - TTBR0 (x22), identity: the 2 MiB blocks that hold the devicetree (two,
 *   since it may be 2 MiB long and start anywhere) for arch_boot_main to
 *   parse, the virt board's UART page as Device memory for messages and
 *   crash reports before mmu_boot.c maps the console the devicetree names,
 *   and last the 2 MiB block of the image, executable, for the few
 *   instructions between turning the MMU on and the jump to boot_high
 *   (last, so it wins if the devicetree shares its block).
 *
 * mmu_boot.c replaces TTBR0 once the devicetree has been read; kernel_vm.c
 * replaces both. Uses x0-x13, x21-x25.
 */
boot_build_tables:
    mov     x25, x30
    adrp    x21, boot_tables
    add     x21, x21, :lo12:boot_tables
    add     x22, x21, #PT_PAGE_SIZE
    mov     x9, #2
    adrp    x10, boot_tables_used
    str     x9, [x10, :lo12:boot_tables_used]

    ldr     x23, =__kernel_start     /* virtual */
    ldr     x24, =__kernel_end
1:  cmp     x23, x24
    b.hs    4f
    ldr     x2, =(PTE_BOOT_TEXT | PTE_PAGE | PTE_VALID)
    ldr     x9, =__text_end
    cmp     x23, x9
    b.lo    2f
    ldr     x2, =(PTE_BOOT_RODATA | PTE_PAGE | PTE_VALID)
    ldr     x9, =__rodata_end
    cmp     x23, x9
    b.lo    2f
    ldr     x2, =(PTE_BOOT_DATA | PTE_PAGE | PTE_VALID)
    ldr     x9, =__boot_stack_guard
    cmp     x23, x9
    b.lo    2f
    ldr     x9, =__boot_stack_bottom
    cmp     x23, x9
    b.lo    3f                       /* the guard page: never mapped */
2:  ldr     x9, =KERNEL_VIRT_OFFSET
    sub     x9, x23, x9              /* physical */
    orr     x2, x2, x9
    mov     x0, x21
    mov     x1, x23
    mov     x3, #PT_LAST_LEVEL
    bl      boot_early_map
3:  add     x23, x23, #PT_PAGE_SIZE
    b       1b

4:  /* The devicetree; an address beyond 48 bits is left for C to refuse. */
    cbz     x19, 5f
    lsr     x9, x19, #PT_VA_BITS
    cbnz    x9, 5f
    and     x23, x19, #~(PT_BLOCK_2M_SIZE - 1)
    ldr     x9, =(PTE_BOOT_DATA | PTE_VALID)
    orr     x2, x23, x9
    mov     x0, x22
    mov     x1, x23
    mov     x3, #PT_BLOCK_2M_LEVEL
    bl      boot_early_map
    add     x23, x23, #PT_BLOCK_2M_SIZE
    ldr     x9, =(PTE_BOOT_DATA | PTE_VALID)
    orr     x2, x23, x9
    mov     x0, x22
    mov     x1, x23
    mov     x3, #PT_BLOCK_2M_LEVEL
    bl      boot_early_map

5:  ldr     x1, =VIRT_UART0_BASE
    ldr     x9, =(PTE_BOOT_DEVICE | PTE_PAGE | PTE_VALID)
    orr     x2, x1, x9
    mov     x0, x22
    mov     x3, #PT_LAST_LEVEL
    bl      boot_early_map

    adr     x23, _start
    and     x23, x23, #~(PT_BLOCK_2M_SIZE - 1)
    ldr     x9, =(PTE_BOOT_TEXT | PTE_VALID)
    orr     x2, x23, x9
    mov     x0, x22
    mov     x1, x23
    mov     x3, #PT_BLOCK_2M_LEVEL
    bl      boot_early_map
    ret     x25

/*
 * Set the entry for virtual address x1 at lookup level x3 of the tree whose
 * root is x0 to x2, taking the tables on the way from boot_tables. Halts
 * when the pool is used up or a block stands where a table must be: a bug
 * in boot_build_tables, not something to boot on. Uses x0 and x4-x13.
 */
boot_early_map:
    mov     x4, #0                   /* lookup level */
1:  mov     x5, #PT_LEVEL_SHIFT(0)
    mov     x6, #PT_INDEX_BITS
    msub    x5, x4, x6, x5           /* the shift of this level's index */
    lsr     x6, x1, x5
    and     x6, x6, #(PT_ENTRIES - 1)
    add     x7, x0, x6, lsl #PT_ENTRY_SHIFT
    cmp     x4, x3
    b.eq    3f
    ldr     x8, [x7]
    tbnz    x8, #PTE_VALID_BIT, 2f
    adrp    x10, boot_tables_used
    ldr     x11, [x10, :lo12:boot_tables_used]
    cmp     x11, #BOOT_TABLE_COUNT
    b.hs    boot_halt
    adrp    x12, boot_tables
    add     x12, x12, :lo12:boot_tables
    add     x8, x12, x11, lsl #PT_PAGE_SHIFT
    add     x11, x11, #1
    str     x11, [x10, :lo12:boot_tables_used]
    orr     x8, x8, #(PTE_TABLE | PTE_VALID)
    str     x8, [x7]
2:  tbz     x8, #PTE_TABLE_BIT, boot_halt
    and     x0, x8, #PTE_ADDR_MASK
    add     x4, x4, #1
    b       1b
3:  str     x2, [x7]
    ret

/*
 * Attributes, translation control, the roots, then SCTLR_EL1. The tables
 * were written with the data cache off, so they are in memory where the
 * walker reads. TCR_EL1: both halves 48-bit with 4 KiB granules, the output
 * size the CPU has (at most the format's 48 bits), 16-bit ASIDs when the
 * CPU has them, the ASID taken from TTBR0 (A1 = 0).
 */
boot_mmu_on:
    ldr     x9, =MAIR_EL1_VALUE
    msr     mair_el1, x9
    mrs     x10, id_aa64mmfr0_el1
    and     x11, x10, #ID_AA64MMFR0_PARANGE_MASK
    mov     x12, #TCR_IPS_48_BITS
    cmp     x11, x12
    csel    x11, x11, x12, ls
    ldr     x9, =TCR_EL1_BOOT
    orr     x9, x9, x11, lsl #TCR_IPS_SHIFT
    ubfx    x11, x10, #ID_AA64MMFR0_ASIDBITS_SHIFT, #ID_AA64MMFR0_ASIDBITS_WIDTH
    cmp     x11, #ID_AA64MMFR0_ASIDBITS_16
    b.ne    1f
    orr     x9, x9, #TCR_AS
1:  msr     tcr_el1, x9
    msr     ttbr0_el1, x22
    msr     ttbr1_el1, x21
    dsb     sy
    isb
    tlbi    vmalle1
    ic      iallu                    /* no stale lines when the I-cache turns on */
    dsb     nsh
    isb
    mrs     x9, sctlr_el1
    ldr     x10, =SCTLR_EL1_MMU_ON
    orr     x9, x9, x10
    msr     sctlr_el1, x9
    isb
    ret

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

/*
 * VBAR_EL1 until the MMU is on: sixteen entries that halt (a debugger or
 * QEMU's -d int shows where). The C trap code cannot run at the physical
 * address: its data holds link addresses.
 */
    .balign VECTOR_TABLE_ALIGN
boot_early_vectors:
    .rept   VECTOR_TABLE_ALIGN / VECTOR_ENTRY_SIZE
    b       boot_halt
    .balign VECTOR_ENTRY_SIZE
    .endr
