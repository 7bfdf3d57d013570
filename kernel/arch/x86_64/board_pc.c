/*
 * Which PC this is. Multiboot2 does not say, but the PCI host bridge at
 * bus 0, device 0, function 0 is the chipset, and the chipset is what
 * distinguishes QEMU's q35 from its i440FX "pc".
 */
#include <x86_64/board_pc.h>
#include <x86_64/instr.h>

#define PCI_ID_VENDOR_MASK 0xffffu
#define PCI_ID_DEVICE_SHIFT 16
#define PCI_HOST_BRIDGE_ADDRESS 0 /* bus 0, device 0, function 0, register 0 (the ids) */

const char *pc_board_name(void)
{
    x86_outl(PC_PCI_CONFIG_ADDRESS_PORT, PC_PCI_CONFIG_ENABLE | PCI_HOST_BRIDGE_ADDRESS);
    uint32_t id = x86_inl(PC_PCI_CONFIG_DATA_PORT);
    if ((id & PCI_ID_VENDOR_MASK) != PC_PCI_VENDOR_INTEL)
        return "PC (unknown chipset)";
    switch (id >> PCI_ID_DEVICE_SHIFT) {
    case PC_PCI_DEVICE_Q35_HOST:
        return "PC q35 (Q35 MCH + ICH9)";
    case PC_PCI_DEVICE_I440FX_HOST:
        return "PC i440FX (440FX + PIIX)";
    default:
        return "PC (unknown Intel chipset)";
    }
}
