/*
 * The AArch64 system registers the boot path programs, and the fields of
 * each that Pagoda uses. Field positions are from the Arm Architecture
 * Reference Manual (DDI 0487), Armv8.0 unless noted. Usable from assembly.
 */
#pragma once

#include <aarch64/bits.h>

/* CurrentEL: the exception level is in bits [3:2]. */
#define CURRENT_EL_SHIFT 2
#define CURRENT_EL_MASK 3

/* Exception levels. */
#define EL0 0
#define EL1 1
#define EL2 2
#define EL3 3

/* SCTLR_EL1: system control. */
#define SCTLR_EL1_M AARCH64_BIT(0)   /* stage 1 MMU enable */
#define SCTLR_EL1_C AARCH64_BIT(2)   /* data cacheability */
#define SCTLR_EL1_SA AARCH64_BIT(3)  /* SP alignment check at EL1 */
#define SCTLR_EL1_SA0 AARCH64_BIT(4) /* SP alignment check at EL0 */
#define SCTLR_EL1_UMA AARCH64_BIT(9)   /* EL0 may read and write DAIF */
#define SCTLR_EL1_I AARCH64_BIT(12)    /* instruction cacheability */
#define SCTLR_EL1_DZE AARCH64_BIT(14)  /* EL0 may use DC ZVA */
#define SCTLR_EL1_UCT AARCH64_BIT(15)  /* EL0 may read CTR_EL0 */
#define SCTLR_EL1_nTWI AARCH64_BIT(16) /* EL0 WFI is not trapped */
#define SCTLR_EL1_nTWE AARCH64_BIT(18) /* EL0 WFE is not trapped */
#define SCTLR_EL1_SPAN AARCH64_BIT(23) /* (FEAT_PAN) exceptions to EL1 leave PSTATE.PAN alone */
#define SCTLR_EL1_E0E AARCH64_BIT(24)  /* EL0 data accesses are big-endian */
#define SCTLR_EL1_UCI AARCH64_BIT(26)  /* EL0 may clean and invalidate caches by address */
/*
 * What EL0 may do to the machine: none of the above. A user thread cannot
 * unmask interrupts, wait for one, zero or maintain caches, or read the
 * cache geometry; each traps to EL1 (ESR classes 0x01 and 0x18) and becomes
 * a user exception. Accesses are little-endian and SP is alignment-checked.
 */
#define SCTLR_EL1_EL0_GRANTS                                                       \
    (SCTLR_EL1_UMA | SCTLR_EL1_DZE | SCTLR_EL1_UCT | SCTLR_EL1_nTWI | SCTLR_EL1_nTWE | \
     SCTLR_EL1_E0E | SCTLR_EL1_UCI)
/* Bits that read as one in Armv8.0 and must be written as one. */
#define SCTLR_EL1_RES1                                                            \
    (AARCH64_BIT(11) | AARCH64_BIT(20) | AARCH64_BIT(22) | AARCH64_BIT(23) |     \
     AARCH64_BIT(28) | AARCH64_BIT(29))
/* Before the boot tables exist: MMU and caches off, little-endian, SP checks on. */
#define SCTLR_EL1_BOOT (SCTLR_EL1_RES1 | SCTLR_EL1_SA | SCTLR_EL1_SA0)
#define SCTLR_EL1_MMU_ON (SCTLR_EL1_M | SCTLR_EL1_C | SCTLR_EL1_I)

/*
 * CPACR_EL1.FPEN: which levels may use FP/SIMD without trapping (EC 0x07).
 * 0b01 = EL1 only: user threads' FP/SIMD registers are not part of their
 * saved context (include/arch/user.h has no room for them), so a user FP
 * instruction traps rather than see another thread's values.
 */
#define CPACR_EL1_FPEN_SHIFT 20
#define CPACR_EL1_FPEN_MASK AARCH64_MASK(2, CPACR_EL1_FPEN_SHIFT)
#define CPACR_EL1_FPEN_EL1_ONLY AARCH64_FIELD(1, CPACR_EL1_FPEN_SHIFT)

/* HCR_EL2: RW = EL1 is AArch64. Everything else zero: no stage 2, no traps, no VHE. */
#define HCR_EL2_RW AARCH64_BIT(31)

/* CNTHCTL_EL2: let EL1 read the physical counter and use the physical timer. */
#define CNTHCTL_EL2_EL1PCTEN AARCH64_BIT(0)
#define CNTHCTL_EL2_EL1PCEN AARCH64_BIT(1)

/* CPTR_EL2 (without VHE): RES1 bits; TFP (bit 10) left zero so FP/SIMD does not trap to EL2. */
#define CPTR_EL2_RES1 (AARCH64_MASK(10, 0) | AARCH64_BIT(12) | AARCH64_BIT(13))

/* SPSR_ELx: the state eret returns to. */
#define SPSR_MODE_EL0T 0                  /* M[3:0]: EL0 (always on SP_EL0) */
#define SPSR_MODE_EL1H 5                  /* M[3:0]: EL1 using SP_EL1 */
#define SPSR_MODE_EL_MASK AARCH64_MASK(2, 2) /* M[3:2]: the exception level */
#define SPSR_DAIF_MASKED AARCH64_MASK(4, 6) /* D, A, I, F all masked */
#define SPSR_NZCV_MASK AARCH64_MASK(4, 28)  /* the condition flags */
/* A user thread: AArch64 EL0 with every interrupt masked (nothing preempts it yet). */
#define SPSR_EL0_USER (SPSR_MODE_EL0T | SPSR_DAIF_MASKED)

/* DAIFSet/DAIFClr immediates. */
#define DAIF_DEBUG 8   /* D */
#define DAIF_IRQ_FIQ 3 /* I and F */
#define DAIF_ALL 15    /* D, A, I and F */
/* The DAIF register (and SPSR) bit of the D mask. */
#define PSTATE_D AARCH64_BIT(9)

/*
 * MAIR_EL1: the memory attributes the descriptors' AttrIndx selects. One
 * value for the boot tables and the kernel page directory alike: the
 * layout of <aarch64/pt_desc.h> (A64_MAIR_EL1, which is C only; pd_hw.c
 * asserts the two are equal). Index 0 Device-nGnRE (device registers),
 * 1 Normal write-back read/write-allocate, 2 Normal non-cacheable.
 */
#define MAIR_ATTR_DEVICE_nGnRE 0x04
#define MAIR_ATTR_NORMAL_WB 0xff /* inner and outer write-back, read/write-allocate */
#define MAIR_ATTR_NORMAL_NC 0x44 /* inner and outer non-cacheable */
#define MAIR_INDEX_DEVICE 0
#define MAIR_INDEX_NORMAL 1
#define MAIR_INDEX_NONCACHEABLE 2
#define MAIR_ATTR_SHIFT(index) ((index) * 8)
#define MAIR_EL1_VALUE                                                               \
    (AARCH64_FIELD(MAIR_ATTR_DEVICE_nGnRE, MAIR_ATTR_SHIFT(MAIR_INDEX_DEVICE)) |     \
     AARCH64_FIELD(MAIR_ATTR_NORMAL_WB, MAIR_ATTR_SHIFT(MAIR_INDEX_NORMAL)) |        \
     AARCH64_FIELD(MAIR_ATTR_NORMAL_NC, MAIR_ATTR_SHIFT(MAIR_INDEX_NONCACHEABLE)))

/*
 * TCR_EL1: translation control. Both halves: 48-bit (T0SZ = T1SZ = 16),
 * 4 KiB granule, table walks inner/outer write-back and inner shareable.
 */
#define TCR_T0SZ_SHIFT 0
#define TCR_T0SZ_MASK AARCH64_MASK(6, TCR_T0SZ_SHIFT)
#define TCR_EPD0 AARCH64_BIT(7)         /* no walks through TTBR0: no user half */
#define TCR_IRGN0_WBWA AARCH64_FIELD(1, 8)
#define TCR_ORGN0_WBWA AARCH64_FIELD(1, 10)
#define TCR_SH0_INNER AARCH64_FIELD(3, 12)
#define TCR_TG0_SHIFT 14
#define TCR_TG0_MASK AARCH64_MASK(2, TCR_TG0_SHIFT)
#define TCR_TG0_4K AARCH64_FIELD(0, TCR_TG0_SHIFT)
#define TCR_T1SZ_SHIFT 16
#define TCR_T1SZ_MASK AARCH64_MASK(6, TCR_T1SZ_SHIFT)
#define TCR_A1 AARCH64_BIT(22)          /* the ASID comes from TTBR1 (we keep it 0: from TTBR0) */
#define TCR_EPD1 AARCH64_BIT(23)        /* no walks through TTBR1 */
#define TCR_IRGN1_WBWA AARCH64_FIELD(1, 24)
#define TCR_ORGN1_WBWA AARCH64_FIELD(1, 26)
#define TCR_SH1_INNER AARCH64_FIELD(3, 28)
#define TCR_TG1_SHIFT 30
#define TCR_TG1_MASK AARCH64_MASK(2, TCR_TG1_SHIFT)
#define TCR_TG1_4K AARCH64_FIELD(2, TCR_TG1_SHIFT) /* TG1 encodes 4 KiB as 0b10, unlike TG0 */
#define TCR_IPS_SHIFT 32
#define TCR_IPS_MASK AARCH64_MASK(3, TCR_IPS_SHIFT)
#define TCR_IPS_48_BITS 5               /* the largest output size the 4 KiB format holds */
#define TCR_AS AARCH64_BIT(36)          /* 16-bit ASIDs (when ID_AA64MMFR0_EL1 has them) */
#define TCR_T0SZ(va_bits) AARCH64_FIELD(64 - (va_bits), TCR_T0SZ_SHIFT)
#define TCR_T1SZ(va_bits) AARCH64_FIELD(64 - (va_bits), TCR_T1SZ_SHIFT)
/* Everything but IPS and AS, which boot.S reads from ID_AA64MMFR0_EL1. */
#define TCR_VA_BITS 48
#define TCR_EL1_BOOT                                                                 \
    (TCR_T0SZ(TCR_VA_BITS) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |       \
     TCR_TG0_4K | TCR_T1SZ(TCR_VA_BITS) | TCR_IRGN1_WBWA | TCR_ORGN1_WBWA |         \
     TCR_SH1_INNER | TCR_TG1_4K)

/* TTBR0_EL1/TTBR1_EL1: the ASID sits above the table address. */
#define TTBR_ASID_SHIFT 48
#define TTBR_BADDR_MASK AARCH64_MASK(47, 1) /* bits [47:1]; bit 0 is CnP */

/* ID_AA64MMFR0_EL1.PARange: the physical address size, encoded as TCR.IPS is. */
#define ID_AA64MMFR0_PARANGE_MASK 0xf
/* ID_AA64MMFR0_EL1.ASIDBits: 0b0000 = 8-bit ASIDs, 0b0010 = 16-bit. */
#define ID_AA64MMFR0_ASIDBITS_SHIFT 4
#define ID_AA64MMFR0_ASIDBITS_WIDTH 4
#define ID_AA64MMFR0_ASIDBITS_16 2

/* ID_AA64MMFR1_EL1.PAN: 0 = no FEAT_PAN (PSTATE.PAN does not exist). */
#define ID_AA64MMFR1_PAN_SHIFT 20
#define ID_AA64MMFR1_PAN_WIDTH 4
/* PSTATE.PAN as the PAN special register reads it (S3_0_C4_C2_3, named for Armv8.0 assemblers). */
#define PSTATE_PAN_SYSREG s3_0_c4_c2_3
#define PSTATE_PAN AARCH64_BIT(22)

/* PAR_EL1 after an AT instruction. */
#define PAR_EL1_F AARCH64_BIT(0) /* the translation failed */
#define PAR_EL1_ATTR_SHIFT 56    /* MAIR attribute of a successful translation */

/* MPIDR_EL1 affinity fields. */
#define MPIDR_AFF0_SHIFT 0
#define MPIDR_AFF1_SHIFT 8
#define MPIDR_AFF2_SHIFT 16
#define MPIDR_AFF3_SHIFT 32
#define MPIDR_AFF_MASK 0xff

/* VBAR_EL1: the vector table is 16 entries of 0x80 bytes, 2 KiB aligned. */
#define VECTOR_ENTRY_SIZE 0x80
#define VECTOR_TABLE_ALIGN 0x800

#ifndef __ASSEMBLER__
#define sysreg_read(name)                                                          \
    ({                                                                             \
        uint64_t sysreg_value_;                                                    \
        __asm__ volatile("mrs %0, " #name : "=r"(sysreg_value_));                  \
        sysreg_value_;                                                             \
    })
#define sysreg_write(name, value)                                                  \
    __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(value)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(domain) __asm__ volatile("dsb " #domain ::: "memory")
#endif

/* CTR_EL0.DminLine: log2 of the number of 4-byte words in the smallest data cache line. */
#define CTR_EL0_DMINLINE_SHIFT 16
#define CTR_EL0_DMINLINE_WIDTH 4
#define CTR_EL0_WORD_SIZE 4
