/*
 * How aarch64 lays out a user thread in struct user_context's words
 * (include/arch/user.h), and the run frame arch_user_run() leaves on the
 * kernel stack while the thread runs. Shared by user_entry.S and user.c
 * (which checks the fit against USER_CONTEXT_WORDS); usable from assembly.
 */
#pragma once

/* Word indices in struct user_context. */
#define USER_CTX_X(n) (n)     /* x0..x30 */
#define USER_CTX_SP 31        /* SP_EL0 */
#define USER_CTX_PC 32        /* ELR_EL1: where the thread resumes */
#define USER_CTX_PSTATE 33    /* SPSR_EL1: only NZCV survives (user_entry.S sets the rest) */
#define USER_CTX_TPIDR 34     /* TPIDR_EL0, the thread pointer EL0 may write */
#define USER_CTX_ESR 35       /* ESR_EL1 of the trap that stopped the thread */
#define USER_CTX_FAR 36       /* FAR_EL1 of that trap (meaningful for aborts only) */
#define USER_CTX_WORDS_USED 37

/* Byte offsets, for ldp/stp. Pairs start at any word: the offsets only need 8-byte alignment. */
#define USER_CTX_OFFSET(word) ((word) * 8)

/*
 * The run frame: arch_user_run()'s callee-saved registers, its DAIF mask
 * and the context pointer, at the kernel's SP_EL1 while the thread runs. An
 * exception from EL0 is taken on SP_EL1, so the vector finds this frame at
 * sp. SCRATCH holds the thread's x0 while x0 points at the context.
 */
#define USER_RUN_FRAME_CTX 0
#define USER_RUN_FRAME_SCRATCH 8
#define USER_RUN_FRAME_DAIF 16                    /* and 8 bytes of padding */
#define USER_RUN_FRAME_X(n) (32 + ((n) - 19) * 8) /* x19..x30 */
#define USER_RUN_FRAME_SIZE 128                   /* a multiple of 16: SP stays aligned */

/* The system-call convention: svc #0, the number in x8, arguments from x0, the result in x0. */
#define USER_SYSCALL_SVC_IMM 0
#define USER_SYSCALL_NUMBER_REG 8
