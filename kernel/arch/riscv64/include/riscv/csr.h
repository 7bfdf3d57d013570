/*
 * Supervisor-mode control and status registers (RISC-V privileged
 * architecture, version 1.12): the bits Pagoda uses, by name, and the
 * accessors for reading and writing them. Shared by C and assembly.
 */
#pragma once

/* An unsigned long constant in C, a plain number in assembly. */
#ifdef __ASSEMBLER__
#define CSR_UL(x) x
#else
#define CSR_UL(x) x##ul
#endif

/* sstatus */
#define SSTATUS_SIE (CSR_UL(1) << 1)  /* supervisor interrupts enabled */
#define SSTATUS_SPIE (CSR_UL(1) << 5) /* SIE before the trap */
#define SSTATUS_SPP (CSR_UL(1) << 8)  /* privilege before the trap: 1 = S, 0 = U */
#define SSTATUS_FS (CSR_UL(3) << 13)  /* FP unit state; 0 = off: FP instructions trap */
#define SSTATUS_SUM (CSR_UL(1) << 18) /* S-mode may touch U pages */

/* stvec: the handler address, low two bits select the mode */
#define STVEC_MODE_MASK CSR_UL(3)
#define STVEC_MODE_DIRECT CSR_UL(0)

/* satp: MODE[63:60] ASID[59:44] PPN[43:0] */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE CSR_UL(0)
#define SATP_MODE_SV39 CSR_UL(8)
#define SATP_MODE_SV48 CSR_UL(9)
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK CSR_UL(0xffff) /* after the shift; a hart may implement fewer bits */
#define SATP_PPN_MASK ((CSR_UL(1) << 44) - 1)

/* scause: the top bit tells an interrupt from an exception */
#define SCAUSE_INTERRUPT (CSR_UL(1) << 63)
#define SCAUSE_CODE_MASK (SCAUSE_INTERRUPT - 1)

#ifndef __ASSEMBLER__

/* Exception codes in scause (privileged spec, table 4.2). */
enum riscv_exception {
    EXC_INSN_MISALIGNED = 0,
    EXC_INSN_ACCESS_FAULT = 1,
    EXC_ILLEGAL_INSN = 2,
    EXC_BREAKPOINT = 3,
    EXC_LOAD_MISALIGNED = 4,
    EXC_LOAD_ACCESS_FAULT = 5,
    EXC_STORE_MISALIGNED = 6,
    EXC_STORE_ACCESS_FAULT = 7,
    EXC_ECALL_FROM_U = 8,
    EXC_ECALL_FROM_S = 9,
    EXC_INSN_PAGE_FAULT = 12,
    EXC_LOAD_PAGE_FAULT = 13,
    EXC_STORE_PAGE_FAULT = 15,
};

/* Supervisor interrupt numbers in scause (interrupt bit set). */
enum riscv_interrupt {
    IRQ_S_SOFTWARE = 1,
    IRQ_S_TIMER = 5,
    IRQ_S_EXTERNAL = 9,
};

#define csr_read(csr)                                                   \
    ({                                                                  \
        unsigned long csr_value_;                                       \
        __asm__ volatile("csrr %0, " #csr : "=r"(csr_value_));          \
        csr_value_;                                                     \
    })

#define csr_write(csr, value) __asm__ volatile("csrw " #csr ", %0" ::"r"(value) : "memory")
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" ::"r"(bits) : "memory")
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" ::"r"(bits) : "memory")

#endif /* __ASSEMBLER__ */
