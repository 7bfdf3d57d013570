/*
 * x86_64 architectural register facts: control-register, EFER, RFLAGS and
 * CPUID bits, as documented in the Intel SDM vol. 3 and the AMD APM vol. 2.
 * Plain #defines so that boot.S and the C code read the same names.
 */
#pragma once

#ifdef __ASSEMBLER__
#define X86_BIT(n) (1 << (n))
#else
#include <stdint.h>
#define X86_BIT(n) (UINT64_C(1) << (n))
#endif

/* CR0 */
#define X86_CR0_PE X86_BIT(0)  /* protected mode */
#define X86_CR0_WP X86_BIT(16) /* read-only pages are read-only for ring 0 too */
#define X86_CR0_PG X86_BIT(31) /* paging */

/* CR4 */
#define X86_CR4_PAE X86_BIT(5) /* 64-bit entries; required for long mode */
#define X86_CR4_PGE X86_BIT(7) /* global pages: G leaves survive CR3 loads */

/* IA32_APIC_BASE: where the local APIC's registers are, and whether it is on */
#define X86_MSR_APIC_BASE 0x1bu
#define X86_APIC_BASE_ENABLE (UINT64_C(1) << 11)
#define X86_APIC_BASE_ADDRESS_MASK UINT64_C(0x000ffffffffff000)

/* EFER, the extended feature enable MSR */
#define X86_MSR_EFER 0xc0000080
#define X86_EFER_LME X86_BIT(8)  /* long mode enable */
#define X86_EFER_LMA X86_BIT(10) /* long mode active (read-only) */
#define X86_EFER_NXE X86_BIT(11) /* the NX bit (63) of page-table entries is honoured */

/* RFLAGS */
#define X86_RFLAGS_RESERVED_ONE X86_BIT(1) /* reads as 1, always */
#define X86_RFLAGS_IF X86_BIT(9)           /* maskable interrupts enabled */
#define X86_RFLAGS_DF X86_BIT(10)          /* string instructions count down */
#define X86_RFLAGS_IOPL_SHIFT 12           /* I/O privilege level, bits 12-13 */
#define X86_RFLAGS_IOPL_MASK (3 * X86_BIT(X86_RFLAGS_IOPL_SHIFT))

/* CPUID leaves and the bits we test */
#define X86_CPUID_FEATURES 0x1
#define X86_CPUID_1_EBX_APIC_ID_SHIFT 24 /* initial APIC id in EBX[31:24] */
#define X86_CPUID_1_EBX_APIC_ID_MASK 0xff
#define X86_CPUID_1_EDX_PGE X86_BIT(13) /* CR4.PGE and the G bit */
#define X86_CPUID_1_EDX_PAT X86_BIT(16) /* the IA32_PAT MSR */
#define X86_CPUID_EXT_MAX 0x80000000
#define X86_CPUID_EXT_FEATURES 0x80000001
#define X86_CPUID_EXT_EDX_NX X86_BIT(20)
#define X86_CPUID_EXT_EDX_PAGE_1G X86_BIT(26)
#define X86_CPUID_EXT_EDX_LONG_MODE X86_BIT(29)
