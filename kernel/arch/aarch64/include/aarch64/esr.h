/*
 * ESR_EL1, the exception syndrome: the exception class (EC) and, for
 * aborts, the fault status code (DFSC/IFSC) and access bits. Values from the
 * Arm Architecture Reference Manual (DDI 0487), section D17.2.40.
 */
#pragma once

#include <aarch64/bits.h>

#define ESR_EC_SHIFT 26
#define ESR_EC_WIDTH 6
#define ESR_ISS_WIDTH 25

/* The exception classes, with the words the crash report uses for each. */
#define ESR_EC_LIST(X)                                                              \
    X(ESR_EC_UNKNOWN, 0x00, "unknown reason (undefined instruction)")               \
    X(ESR_EC_WFX, 0x01, "trapped WFI/WFE")                                          \
    X(ESR_EC_FP_ACCESS, 0x07, "FP/SIMD access trapped (CPACR_EL1.FPEN)")            \
    X(ESR_EC_BTI, 0x0d, "branch target exception")                                  \
    X(ESR_EC_ILLEGAL_STATE, 0x0e, "illegal execution state")                        \
    X(ESR_EC_SVC64, 0x15, "SVC instruction")                                        \
    X(ESR_EC_HVC64, 0x16, "HVC instruction")                                        \
    X(ESR_EC_SMC64, 0x17, "SMC instruction")                                        \
    X(ESR_EC_SYSREG, 0x18, "trapped MSR/MRS or system instruction")                 \
    X(ESR_EC_SVE, 0x19, "SVE access trapped")                                       \
    X(ESR_EC_PAC, 0x1c, "pointer authentication failure")                           \
    X(ESR_EC_IABT_LOWER, 0x20, "instruction abort from a lower exception level")    \
    X(ESR_EC_IABT_SAME, 0x21, "instruction abort in the kernel")                    \
    X(ESR_EC_PC_ALIGN, 0x22, "PC alignment fault")                                  \
    X(ESR_EC_DABT_LOWER, 0x24, "data abort from a lower exception level")           \
    X(ESR_EC_DABT_SAME, 0x25, "data abort in the kernel")                           \
    X(ESR_EC_SP_ALIGN, 0x26, "SP alignment fault")                                  \
    X(ESR_EC_FP_EXC64, 0x2c, "floating-point exception")                            \
    X(ESR_EC_SERROR, 0x2f, "SError interrupt")                                      \
    X(ESR_EC_BREAKPOINT_LOWER, 0x30, "breakpoint from a lower exception level")     \
    X(ESR_EC_BREAKPOINT_SAME, 0x31, "breakpoint in the kernel")                     \
    X(ESR_EC_STEP_LOWER, 0x32, "software step from a lower exception level")        \
    X(ESR_EC_STEP_SAME, 0x33, "software step in the kernel")                        \
    X(ESR_EC_WATCHPOINT_LOWER, 0x34, "watchpoint from a lower exception level")     \
    X(ESR_EC_WATCHPOINT_SAME, 0x35, "watchpoint in the kernel")                     \
    X(ESR_EC_BRK64, 0x3c, "BRK instruction (compiler trap or assertion)")

#ifndef __ASSEMBLER__
enum esr_ec {
#define ESR_EC_ENUM(name, value, text) name = value,
    ESR_EC_LIST(ESR_EC_ENUM)
#undef ESR_EC_ENUM
};

static inline enum esr_ec esr_class(uint64_t esr)
{
    return (enum esr_ec)((esr >> ESR_EC_SHIFT) & (AARCH64_BIT(ESR_EC_WIDTH) - 1));
}

static inline uint32_t esr_iss(uint64_t esr)
{
    return (uint32_t)(esr & (AARCH64_BIT(ESR_ISS_WIDTH) - 1));
}
#endif

/* ISS of an instruction or data abort. */
#define ESR_ABORT_FSC_MASK 0x3f          /* DFSC / IFSC */
#define ESR_ABORT_WNR AARCH64_BIT(6)     /* data abort: the access was a write */
#define ESR_ABORT_CM AARCH64_BIT(8)      /* data abort: by a cache-maintenance instruction */
#define ESR_ABORT_FNV AARCH64_BIT(10)    /* FAR_EL1 is not valid */

/*
 * Fault status codes. The translation-table faults carry the level of the
 * table that faulted in their low two bits, so they are recognised by kind
 * with the level masked off.
 */
#define ESR_FSC_LEVEL_MASK 0x3
#define ESR_FSC_KIND_MASK 0x3c
#define ESR_FSC_ADDRESS_SIZE 0x00   /* + level */
#define ESR_FSC_TRANSLATION 0x04    /* + level: nothing mapped there */
#define ESR_FSC_ACCESS_FLAG 0x08    /* + level: AF clear in the descriptor */
#define ESR_FSC_PERMISSION 0x0c     /* + level: mapped, access not allowed */
#define ESR_FSC_EXTERNAL 0x10       /* synchronous external abort */
#define ESR_FSC_EXTERNAL_WALK 0x14  /* + level: external abort on a table walk */
#define ESR_FSC_PARITY 0x18
#define ESR_FSC_ALIGNMENT 0x21
#define ESR_FSC_TLB_CONFLICT 0x30

/* ISS of an SVC: the instruction's 16-bit immediate. */
#define ESR_SVC_IMM_MASK 0xffff
