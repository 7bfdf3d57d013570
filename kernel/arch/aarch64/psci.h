/*
 * PSCI, the Arm Power State Coordination Interface (Arm DEN 0022): how the
 * kernel asks the firmware (or QEMU, or a hypervisor) to power the machine
 * off. The call goes through a "conduit": hvc when a hypervisor at EL2
 * answers, smc when firmware at EL3 does; the devicetree's /psci "method"
 * says which.
 */
#pragma once

#include "kernel/boot/fdt.h"

enum psci_conduit {
    PSCI_CONDUIT_NONE,
    PSCI_CONDUIT_HVC,
    PSCI_CONDUIT_SMC,
};

void psci_set_conduit(enum psci_conduit conduit);
enum psci_conduit psci_get_conduit(void);
const char *psci_conduit_name(enum psci_conduit conduit);

/* The conduit named by /psci "method": -E_NOENT without /psci, -E_FORMAT for an unknown method. */
int psci_read_conduit(const struct fdt *fdt, enum psci_conduit *conduit) MUST_CHECK;

/* SYSTEM_OFF. Returns only if there is no conduit or the call failed. */
void psci_system_off(void);
