/*
 * What user programs need to know about the board: their ELF machine, and
 * the device page SYS_MAP_DEVICE offers: the console's ns16550a, found in the devicetree at boot.
 */
#include "kernel/boot_info.h"
#include "kernel/kernel.h"
#include "mm/phys.h"
#include <arch/user.h>
#include <pagoda/syscall.h>

#define ELF_MACHINE_RISCV 243

uint16_t arch_user_elf_machine(void)
{
    return ELF_MACHINE_RISCV;
}

bool arch_user_test_device(paddr_t *base, unsigned *kind)
{
    const struct boot_info *bi = boot_info_current();
    if (!bi || bi->console.kind != BOOT_CONSOLE_UART16550_MMIO || !IS_ALIGNED(bi->console.base, PHYS_PAGE_SIZE))
        return false;
    *base = paddr(bi->console.base);
    *kind = USER_DEVICE_UART16550;
    return true;
}

/* fence.i: this hart's fetches see its earlier stores (the Zifencei extension). */
void arch_user_sync_icache(void)
{
    __asm__ volatile("fence.i" ::: "memory");
}
