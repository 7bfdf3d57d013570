/*
 * What user programs need to know about the PC: their ELF machine, and the
 * device page SYS_MAP_DEVICE offers: the local APIC's registers (the serial
 * port is reached through I/O ports, which user mode cannot map). Its base
 * is in IA32_APIC_BASE (SDM vol. 3, 11.4.4).
 */
#include <arch/user.h>
#include <pagoda/syscall.h>
#include <x86_64/instr.h>
#include <x86_64/regs.h>

#define ELF_MACHINE_X86_64 62

uint16_t arch_user_elf_machine(void)
{
    return ELF_MACHINE_X86_64;
}

bool arch_user_test_device(paddr_t *base, unsigned *kind)
{
    uint64_t apic = x86_rdmsr(X86_MSR_APIC_BASE);
    if (!(apic & X86_APIC_BASE_ENABLE))
        return false;
    *base = paddr(apic & X86_APIC_BASE_ADDRESS_MASK);
    *kind = USER_DEVICE_LOCAL_APIC;
    return true;
}

/* x86 keeps instruction fetches coherent with stores (SDM vol. 3, 11.6): nothing to do. */
void arch_user_sync_icache(void)
{
}
