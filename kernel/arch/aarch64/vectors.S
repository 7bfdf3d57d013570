/*
 * The EL1 exception vector table (VBAR_EL1): sixteen 0x80-byte entries, in
 * four groups (current EL on SP_EL0, current EL on SP_EL1, lower EL in
 * AArch64, lower EL in AArch32) of four (synchronous, IRQ, FIQ, SError).
 * Every entry saves a struct trap_frame (include/aarch64/trap_frame.h) and
 * calls aarch64_trap_handle(frame, kind) in trap.c, which decides; on return
 * the frame, possibly edited, is restored and eret resumes it. The one
 * exception is a synchronous exception from AArch64 user mode: it ends the
 * arch_user_run() the thread was started by (user_entry.S).
 */
#include <aarch64/layout.h>
#include <aarch64/sysreg.h>
#include <aarch64/trap_frame.h>

/*
 * One entry. CHECK_STACK (the kernel-on-SP_EL1 group, the only one that can
 * be entered on an overflowing kernel stack) first checks that the new frame
 * is still on the boot stack, without a spare register: it parks x0 in SP
 * for a moment, the trick Linux uses for its VMAP stacks.
 */
.macro vector_entry kind, check_stack
    /* .org cannot move backwards: the assembler fails if the entry before outgrew 0x80 bytes. */
    .org    aarch64_vectors + (\kind) * VECTOR_ENTRY_SIZE
    sub     sp, sp, #TRAP_FRAME_SIZE
.if \check_stack
    add     sp, sp, x0               /* sp = frame + x0 */
    sub     x0, sp, x0               /* x0 = frame */
    tbnz    x0, #BOOT_STACK_SHIFT, trap_stack_overflow
    sub     x0, sp, x0               /* x0 = x0 again */
    sub     sp, sp, x0               /* sp = frame */
.endif
    stp     x0, x1, [sp, #TRAP_FRAME_X(0)]
    mov     x0, #\kind
    b       trap_entry
.endm

/*
 * A system call, page fault or exception of a user thread: SP_EL1 holds
 * arch_user_run()'s run frame, every register is still the thread's.
 */
.macro user_vector_entry kind
    .org    aarch64_vectors + (\kind) * VECTOR_ENTRY_SIZE
    b       aarch64_user_trap_sync
.endm

    .text
    .balign VECTOR_TABLE_ALIGN
    .global aarch64_vectors
aarch64_vectors:
    vector_entry TRAP_KIND(TRAP_GROUP_CURRENT_SP0, TRAP_TYPE_SYNC), 0
    vector_entry TRAP_KIND(TRAP_GROUP_CURRENT_SP0, TRAP_TYPE_IRQ), 0
    vector_entry TRAP_KIND(TRAP_GROUP_CURRENT_SP0, TRAP_TYPE_FIQ), 0
    vector_entry TRAP_KIND(TRAP_GROUP_CURRENT_SP0, TRAP_TYPE_SERROR), 0
    vector_entry TRAP_KIND(TRAP_GROUP_CURRENT_SPX, TRAP_TYPE_SYNC), 1
    vector_entry TRAP_KIND(TRAP_GROUP_CURRENT_SPX, TRAP_TYPE_IRQ), 1
    vector_entry TRAP_KIND(TRAP_GROUP_CURRENT_SPX, TRAP_TYPE_FIQ), 1
    vector_entry TRAP_KIND(TRAP_GROUP_CURRENT_SPX, TRAP_TYPE_SERROR), 1
    user_vector_entry TRAP_KIND(TRAP_GROUP_LOWER_A64, TRAP_TYPE_SYNC)
    vector_entry TRAP_KIND(TRAP_GROUP_LOWER_A64, TRAP_TYPE_IRQ), 0
    vector_entry TRAP_KIND(TRAP_GROUP_LOWER_A64, TRAP_TYPE_FIQ), 0
    vector_entry TRAP_KIND(TRAP_GROUP_LOWER_A64, TRAP_TYPE_SERROR), 0
    vector_entry TRAP_KIND(TRAP_GROUP_LOWER_A32, TRAP_TYPE_SYNC), 0
    vector_entry TRAP_KIND(TRAP_GROUP_LOWER_A32, TRAP_TYPE_IRQ), 0
    vector_entry TRAP_KIND(TRAP_GROUP_LOWER_A32, TRAP_TYPE_FIQ), 0
    vector_entry TRAP_KIND(TRAP_GROUP_LOWER_A32, TRAP_TYPE_SERROR), 0
    .org    aarch64_vectors + TRAP_KIND_COUNT * VECTOR_ENTRY_SIZE

/* x0 = kind, x0 and x1 already saved in the frame at sp. */
trap_entry:
    stp     x2, x3, [sp, #TRAP_FRAME_X(2)]
    stp     x4, x5, [sp, #TRAP_FRAME_X(4)]
    stp     x6, x7, [sp, #TRAP_FRAME_X(6)]
    stp     x8, x9, [sp, #TRAP_FRAME_X(8)]
    stp     x10, x11, [sp, #TRAP_FRAME_X(10)]
    stp     x12, x13, [sp, #TRAP_FRAME_X(12)]
    stp     x14, x15, [sp, #TRAP_FRAME_X(14)]
    stp     x16, x17, [sp, #TRAP_FRAME_X(16)]
    stp     x18, x19, [sp, #TRAP_FRAME_X(18)]
    stp     x20, x21, [sp, #TRAP_FRAME_X(20)]
    stp     x22, x23, [sp, #TRAP_FRAME_X(22)]
    stp     x24, x25, [sp, #TRAP_FRAME_X(24)]
    stp     x26, x27, [sp, #TRAP_FRAME_X(26)]
    stp     x28, x29, [sp, #TRAP_FRAME_X(28)]
    add     x2, sp, #TRAP_FRAME_SIZE
    stp     x30, x2, [sp, #TRAP_FRAME_X(30)]   /* x30, then the interrupted sp */
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    stp     x2, x3, [sp, #TRAP_FRAME_ELR]
    tst     x3, #SPSR_MODE_EL_MASK
    b.ne    1f
    mrs     x2, sp_el0               /* from EL0: the interrupted sp is the thread's */
    str     x2, [sp, #TRAP_FRAME_SP]
1:  mrs     x2, esr_el1
    mrs     x3, far_el1
    stp     x2, x3, [sp, #TRAP_FRAME_ESR]

    mov     x1, x0
    mov     x0, sp
    mov     x29, xzr                 /* end the frame-pointer chain for backtraces */
    bl      aarch64_trap_handle

    /* Resume what the (possibly edited) frame describes. */
    ldp     x2, x3, [sp, #TRAP_FRAME_ELR]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldp     x0, x1, [sp, #TRAP_FRAME_X(0)]
    ldp     x2, x3, [sp, #TRAP_FRAME_X(2)]
    ldp     x4, x5, [sp, #TRAP_FRAME_X(4)]
    ldp     x6, x7, [sp, #TRAP_FRAME_X(6)]
    ldp     x8, x9, [sp, #TRAP_FRAME_X(8)]
    ldp     x10, x11, [sp, #TRAP_FRAME_X(10)]
    ldp     x12, x13, [sp, #TRAP_FRAME_X(12)]
    ldp     x14, x15, [sp, #TRAP_FRAME_X(14)]
    ldp     x16, x17, [sp, #TRAP_FRAME_X(16)]
    ldp     x18, x19, [sp, #TRAP_FRAME_X(18)]
    ldp     x20, x21, [sp, #TRAP_FRAME_X(20)]
    ldp     x22, x23, [sp, #TRAP_FRAME_X(22)]
    ldp     x24, x25, [sp, #TRAP_FRAME_X(24)]
    ldp     x26, x27, [sp, #TRAP_FRAME_X(26)]
    ldp     x28, x29, [sp, #TRAP_FRAME_X(28)]
    ldr     x30, [sp, #TRAP_FRAME_X(30)]
    add     sp, sp, #TRAP_FRAME_SIZE
    eret

/*
 * The frame would land below the boot stack: the stack overflowed into its
 * guard page. Nothing can be saved there, so move to the emergency stack
 * (this is fatal anyway; x0 is lost). linker.ld places that stack where bit
 * BOOT_STACK_SHIFT is clear too, so exceptions taken while the report is
 * printed pass the check above. SP_EL0 is unused by the kernel and
 * keeps the frame address that overflowed, for the report.
 */
trap_stack_overflow:
    msr     sp_el0, x0
    adrp    x0, __trap_emergency_stack_top
    add     x0, x0, :lo12:__trap_emergency_stack_top
    mov     sp, x0
    sub     sp, sp, #TRAP_FRAME_SIZE
    stp     x0, x1, [sp, #TRAP_FRAME_X(0)]
    mov     x0, #TRAP_KIND_STACK_OVERFLOW
    b       trap_entry

