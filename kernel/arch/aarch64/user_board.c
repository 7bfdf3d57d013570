/*
 * What user programs need to know about the board: their ELF machine, and
 * the device page SYS_MAP_DEVICE offers: the console's PL011, found in the devicetree at boot.
 */
#include "kernel/boot_info.h"
#include "kernel/kernel.h"
#include "mm/phys.h"
#include <arch/user.h>
#include <pagoda/syscall.h>

#define ELF_MACHINE_AARCH64 183

uint16_t arch_user_elf_machine(void)
{
    return ELF_MACHINE_AARCH64;
}

bool arch_user_test_device(paddr_t *base, unsigned *kind)
{
    const struct boot_info *bi = boot_info_current();
    if (!bi || bi->console.kind != BOOT_CONSOLE_PL011 || !IS_ALIGNED(bi->console.base, PHYS_PAGE_SIZE))
        return false;
    *base = paddr(bi->console.base);
    *kind = USER_DEVICE_PL011;
    return true;
}

/*
 * Invalidate this CPU's instruction cache (to the point of unification)
 * after the stores that filled the page. QEMU models no caches; on a core
 * whose CTR_EL0.IDC is 0 the data cache would also need cleaning to the
 * point of unification, by address, for each page written: not done yet.
 */
void arch_user_sync_icache(void)
{
    __asm__ volatile("dsb ish\n\tic iallu\n\tdsb nsh\n\tisb" ::: "memory");
}
