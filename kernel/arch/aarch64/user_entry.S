/*
 * The switch between the kernel and a user thread (include/arch/user.h),
 * in the manner of setjmp/longjmp:
 *
 * aarch64_user_enter(ctx) pushes a run frame (<aarch64/user_context.h>) with
 * the kernel's callee-saved x19-x30, its DAIF mask and CTX, loads the thread's registers
 * from CTX (SP_EL0, ELR_EL1 = its pc, SPSR_EL1 = EL0t with DAIF masked and
 * its own NZCV, TPIDR_EL0, x0-x30) and erets. SP_EL1 keeps pointing at the
 * run frame while the thread runs at EL0.
 *
 * The next synchronous exception from EL0 is taken on SP_EL1, so
 * vectors.S's lower-EL entry branches to aarch64_user_trap_sync with the
 * run frame at sp: the thread's registers and the trap's syndrome go back
 * into CTX, the kernel's registers and mask come back from the run frame, and
 * aarch64_user_enter() returns to its caller. Nothing is left on the stack.
 */
#include <aarch64/sysreg.h>
#include <aarch64/user_context.h>

#define CTX(word) USER_CTX_OFFSET(word)

    .text

/* void aarch64_user_enter(struct user_context *ctx): returns after the thread's next trap. */
    .global aarch64_user_enter
    .type   aarch64_user_enter, %function
    .balign 4
aarch64_user_enter:
    sub     sp, sp, #USER_RUN_FRAME_SIZE
    stp     x19, x20, [sp, #USER_RUN_FRAME_X(19)]
    stp     x21, x22, [sp, #USER_RUN_FRAME_X(21)]
    stp     x23, x24, [sp, #USER_RUN_FRAME_X(23)]
    stp     x25, x26, [sp, #USER_RUN_FRAME_X(25)]
    stp     x27, x28, [sp, #USER_RUN_FRAME_X(27)]
    stp     x29, x30, [sp, #USER_RUN_FRAME_X(29)]
    str     x0, [sp, #USER_RUN_FRAME_CTX]
    mrs     x1, daif
    str     x1, [sp, #USER_RUN_FRAME_DAIF]

    ldp     x1, x2, [x0, #CTX(USER_CTX_SP)]       /* sp, pc */
    ldp     x3, x4, [x0, #CTX(USER_CTX_PSTATE)]   /* pstate, tpidr */
    msr     sp_el0, x1
    msr     elr_el1, x2
    /* Only the flags are the thread's: it can never return to EL1 or unmask interrupts. */
    and     x3, x3, #SPSR_NZCV_MASK
    orr     x3, x3, #SPSR_EL0_USER
    msr     spsr_el1, x3
    msr     tpidr_el0, x4

    ldp     x2, x3, [x0, #CTX(USER_CTX_X(2))]
    ldp     x4, x5, [x0, #CTX(USER_CTX_X(4))]
    ldp     x6, x7, [x0, #CTX(USER_CTX_X(6))]
    ldp     x8, x9, [x0, #CTX(USER_CTX_X(8))]
    ldp     x10, x11, [x0, #CTX(USER_CTX_X(10))]
    ldp     x12, x13, [x0, #CTX(USER_CTX_X(12))]
    ldp     x14, x15, [x0, #CTX(USER_CTX_X(14))]
    ldp     x16, x17, [x0, #CTX(USER_CTX_X(16))]
    ldp     x18, x19, [x0, #CTX(USER_CTX_X(18))]
    ldp     x20, x21, [x0, #CTX(USER_CTX_X(20))]
    ldp     x22, x23, [x0, #CTX(USER_CTX_X(22))]
    ldp     x24, x25, [x0, #CTX(USER_CTX_X(24))]
    ldp     x26, x27, [x0, #CTX(USER_CTX_X(26))]
    ldp     x28, x29, [x0, #CTX(USER_CTX_X(28))]
    ldr     x30, [x0, #CTX(USER_CTX_X(30))]
    ldp     x0, x1, [x0, #CTX(USER_CTX_X(0))]
    eret
    /* Never reached: keeps the CPU from speculating past the eret into kernel code. */
    dsb     nsh
    isb
    .size   aarch64_user_enter, . - aarch64_user_enter

/*
 * A synchronous exception from AArch64 EL0 (vectors.S), on SP_EL1 = the run
 * frame, with every register still the thread's.
 */
    .global aarch64_user_trap_sync
    .type   aarch64_user_trap_sync, %function
    .balign 4
aarch64_user_trap_sync:
    str     x0, [sp, #USER_RUN_FRAME_SCRATCH]
    ldr     x0, [sp, #USER_RUN_FRAME_CTX]
    stp     x1, x2, [x0, #CTX(USER_CTX_X(1))]
    stp     x3, x4, [x0, #CTX(USER_CTX_X(3))]
    stp     x5, x6, [x0, #CTX(USER_CTX_X(5))]
    stp     x7, x8, [x0, #CTX(USER_CTX_X(7))]
    stp     x9, x10, [x0, #CTX(USER_CTX_X(9))]
    stp     x11, x12, [x0, #CTX(USER_CTX_X(11))]
    stp     x13, x14, [x0, #CTX(USER_CTX_X(13))]
    stp     x15, x16, [x0, #CTX(USER_CTX_X(15))]
    stp     x17, x18, [x0, #CTX(USER_CTX_X(17))]
    stp     x19, x20, [x0, #CTX(USER_CTX_X(19))]
    stp     x21, x22, [x0, #CTX(USER_CTX_X(21))]
    stp     x23, x24, [x0, #CTX(USER_CTX_X(23))]
    stp     x25, x26, [x0, #CTX(USER_CTX_X(25))]
    stp     x27, x28, [x0, #CTX(USER_CTX_X(27))]
    stp     x29, x30, [x0, #CTX(USER_CTX_X(29))]
    ldr     x1, [sp, #USER_RUN_FRAME_SCRATCH]
    str     x1, [x0, #CTX(USER_CTX_X(0))]
    mrs     x1, sp_el0
    mrs     x2, elr_el1
    stp     x1, x2, [x0, #CTX(USER_CTX_SP)]
    mrs     x1, spsr_el1
    mrs     x2, tpidr_el0
    stp     x1, x2, [x0, #CTX(USER_CTX_PSTATE)]
    mrs     x1, esr_el1
    mrs     x2, far_el1
    stp     x1, x2, [x0, #CTX(USER_CTX_ESR)]

    ldp     x19, x20, [sp, #USER_RUN_FRAME_X(19)]
    ldp     x21, x22, [sp, #USER_RUN_FRAME_X(21)]
    ldp     x23, x24, [sp, #USER_RUN_FRAME_X(23)]
    ldp     x25, x26, [sp, #USER_RUN_FRAME_X(25)]
    ldp     x27, x28, [sp, #USER_RUN_FRAME_X(27)]
    ldp     x29, x30, [sp, #USER_RUN_FRAME_X(29)]
    ldr     x1, [sp, #USER_RUN_FRAME_DAIF]
    msr     daif, x1                 /* the exception masked all four: the caller's mask again */
    add     sp, sp, #USER_RUN_FRAME_SIZE
    ret
    .size   aarch64_user_trap_sync, . - aarch64_user_trap_sync
