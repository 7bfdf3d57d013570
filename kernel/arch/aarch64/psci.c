/*
 * PSCI calls over the SMC Calling Convention (Arm DEN 0028): function id in
 * w0, result in x0, x1-x17 may be clobbered by the callee.
 */
#include "kernel/arch/aarch64/psci.h"
#include "kernel/lib/string.h"
#include <pagoda/errors.h>

#define PSCI_FN_SYSTEM_OFF 0x84000008u

static enum psci_conduit psci_conduit;

void psci_set_conduit(enum psci_conduit conduit)
{
    psci_conduit = conduit;
}

enum psci_conduit psci_get_conduit(void)
{
    return psci_conduit;
}

const char *psci_conduit_name(enum psci_conduit conduit)
{
    switch (conduit) {
    case PSCI_CONDUIT_HVC:
        return "hvc";
    case PSCI_CONDUIT_SMC:
        return "smc";
    case PSCI_CONDUIT_NONE:
        break;
    }
    return "none";
}

int psci_read_conduit(const struct fdt *fdt, enum psci_conduit *conduit)
{
    int node = fdt_find_path(fdt, "/psci");
    if (node < 0)
        return -E_NOENT;
    const char *method = fdt_get_string(fdt, node, "method");
    if (!method)
        return -E_NOENT;
    if (strcmp(method, "hvc") == 0)
        *conduit = PSCI_CONDUIT_HVC;
    else if (strcmp(method, "smc") == 0)
        *conduit = PSCI_CONDUIT_SMC;
    else
        return -E_FORMAT;
    return 0;
}

#define PSCI_CLOBBERS                                                              \
    "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",     \
        "x13", "x14", "x15", "x16", "x17", "memory"

static int64_t psci_call(uint32_t function)
{
    register uint64_t x0 __asm__("x0") = function;
    if (psci_conduit == PSCI_CONDUIT_HVC)
        __asm__ volatile("hvc #0" : "+r"(x0) : : PSCI_CLOBBERS);
    else if (psci_conduit == PSCI_CONDUIT_SMC)
        __asm__ volatile("smc #0" : "+r"(x0) : : PSCI_CLOBBERS);
    else
        return -E_NOTSUP;
    return (int64_t)x0;
}

void psci_system_off(void)
{
    /* Only a failure comes back; there is nothing to do with its code but return. */
    (void)psci_call(PSCI_FN_SYSTEM_OFF);
}
