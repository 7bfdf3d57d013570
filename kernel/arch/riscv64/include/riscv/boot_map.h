/*
 * The boot map: the throw-away page tables entry.S builds with the MMU off,
 * just enough to jump from the physical load address to the kernel half
 * and run C there until kernel_vm_init() switches to the kernel page
 * directory. Two root tables in .bss:
 *
 *   boot_root_sv39  1 GiB leaves: the low 256 GiB identity-mapped (RAM,
 *                   the devicetree, devices and the table pool are reached
 *                   at their physical addresses until the switch), and the
 *                   gigapage holding the image again at physical +
 *                   RISCV_KERNEL_VIRT_OFFSET.
 *   boot_root_sv48  two pointers, entries 0 and 511, to boot_root_sv39:
 *                   Sv48's level-2 tables are indexed exactly like Sv39's
 *                   root, so both modes translate the identity range and
 *                   the kernel alias the same way, and entry.S can probe
 *                   Sv48 with a live satp write and fall back to Sv39.
 *
 * Every leaf is R W X, G, with A and D set: the map is short-lived, and a
 * page fault under it can only mean "nothing mapped here". The PTE bits
 * are repeated here for the assembler; boot.c pins them to riscv/pte.h.
 */
#pragma once

#define BOOT_MAP_PTE_V (1 << 0)
#define BOOT_MAP_PTE_R (1 << 1)
#define BOOT_MAP_PTE_W (1 << 2)
#define BOOT_MAP_PTE_X (1 << 3)
#define BOOT_MAP_PTE_G (1 << 5)
#define BOOT_MAP_PTE_A (1 << 6)
#define BOOT_MAP_PTE_D (1 << 7)
#define BOOT_MAP_PTE_PPN_SHIFT 10
#define BOOT_MAP_PAGE_SHIFT 12

#define BOOT_MAP_LEAF_FLAGS                                                              \
    (BOOT_MAP_PTE_V | BOOT_MAP_PTE_R | BOOT_MAP_PTE_W | BOOT_MAP_PTE_X | BOOT_MAP_PTE_G | \
     BOOT_MAP_PTE_A | BOOT_MAP_PTE_D)
#define BOOT_MAP_TABLE_FLAGS BOOT_MAP_PTE_V

#define BOOT_MAP_GIGAPAGE_SHIFT 30
#define BOOT_MAP_ENTRIES 512
#define BOOT_MAP_ENTRY_SIZE 8
/* Sv39's lower half: root entries 0-255, the addresses below 2^38 (256 GiB). */
#define BOOT_MAP_IDENTITY_GIGAPAGES 256
/* Sv48 root entries that point at boot_root_sv39: the lowest and the highest 512 GiB. */
#define BOOT_MAP_SV48_LOW_SLOT 0
#define BOOT_MAP_SV48_HIGH_SLOT 511

#ifndef __ASSEMBLER__

#include <pagoda/types.h>

extern uint64_t boot_root_sv39[BOOT_MAP_ENTRIES];
extern uint64_t boot_root_sv48[BOOT_MAP_ENTRIES];

/*
 * The satp value entry.S left, read once at the start of arch_boot_main():
 * its mode says whether the hart took the Sv48 write.
 */
extern unsigned long boot_map_satp;

/* Clear both roots, so nothing can use the boot map by mistake after the switch. */
void boot_map_forget(void);

#endif /* __ASSEMBLER__ */
