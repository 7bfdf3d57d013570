/*
 * One-line wrappers for the privileged x86_64 instructions the arch code
 * uses: port I/O, MSRs, control registers, descriptor-table registers,
 * CPUID and the time-stamp counter. Nothing outside kernel/arch/x86_64/
 * includes this.
 */
#pragma once

#include <pagoda/types.h>
#include <x86_64/descriptors.h>

static inline void x86_outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline void x86_outw(uint16_t port, uint16_t value)
{
    __asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline void x86_outl(uint16_t port, uint32_t value)
{
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline uint8_t x86_inb(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

static inline uint32_t x86_inl(uint16_t port)
{
    uint32_t value;
    __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

static inline uint64_t x86_rdmsr(uint32_t msr)
{
    uint32_t low, high;
    __asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return (uint64_t)high << 32 | low;
}

static inline void x86_wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
}

#define X86_DEFINE_READ_CR(n)                                                    \
    static inline uint64_t x86_read_cr##n(void)                                  \
    {                                                                            \
        uint64_t value;                                                          \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(value) : : "memory");       \
        return value;                                                            \
    }
X86_DEFINE_READ_CR(0)
X86_DEFINE_READ_CR(2)
X86_DEFINE_READ_CR(3)
X86_DEFINE_READ_CR(4)
#undef X86_DEFINE_READ_CR

/* Load a new top-level table; flushes every non-global TLB entry. */
static inline void x86_write_cr3(uint64_t value)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

/* Changing CR4.PGE flushes every TLB entry, global ones included (SDM vol. 3A, 4.10.4.1). */
static inline void x86_write_cr4(uint64_t value)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(value) : "memory");
}

/* Drop this CPU's cached translation of the page holding VA, global or not. */
static inline void x86_invlpg(uintptr_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t x86_read_rflags(void)
{
    uint64_t value;
    __asm__ volatile("pushfq; popq %0" : "=r"(value) : : "memory");
    return value;
}

static inline uint16_t x86_read_cs(void)
{
    uint16_t value;
    __asm__ volatile("mov %%cs, %0" : "=r"(value));
    return value;
}

static inline void x86_lgdt(const struct x86_table_register *reg)
{
    __asm__ volatile("lgdt %0" : : "m"(*reg) : "memory");
}

static inline void x86_lidt(const struct x86_table_register *reg)
{
    __asm__ volatile("lidt %0" : : "m"(*reg) : "memory");
}

static inline struct x86_table_register x86_sgdt(void)
{
    struct x86_table_register reg;
    __asm__ volatile("sgdt %0" : "=m"(reg));
    return reg;
}

static inline struct x86_table_register x86_sidt(void)
{
    struct x86_table_register reg;
    __asm__ volatile("sidt %0" : "=m"(reg));
    return reg;
}

static inline void x86_ltr(uint16_t selector)
{
    __asm__ volatile("ltr %0" : : "r"(selector) : "memory");
}

static inline uint16_t x86_str(void)
{
    uint16_t selector;
    __asm__ volatile("str %0" : "=r"(selector));
    return selector;
}

struct x86_cpuid {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct x86_cpuid x86_cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct x86_cpuid r;
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

static inline uint64_t x86_rdtsc(void)
{
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t)high << 32 | low;
}

static inline void x86_cli(void)
{
    __asm__ volatile("cli" : : : "memory");
}

static inline void x86_hlt(void)
{
    __asm__ volatile("hlt" : : : "memory");
}
