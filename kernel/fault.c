/*
 * The portable page-fault entry point. Each arch decodes its fault into a
 * struct fault and calls fault_handle(). Until mm/ owns address spaces,
 * every fault is an invalid access; the arch code then either recovers a
 * guarded probe or reports a crash. The last record is kept for tests.
 */
#include <pagoda/fault.h>
#include "kernel/console.h"

static struct fault last_fault;
static uint64_t fault_total;

enum fault_response fault_handle(const struct fault *fault)
{
    last_fault = *fault;
    fault_total++;
    return FAULT_RESPONSE_SHOULD_CRASH;
}

struct fault fault_last(void)
{
    return last_fault;
}

uint64_t fault_count(void)
{
    return fault_total;
}

const char *fault_access_name(enum fault_access access)
{
    switch (access) {
    case FAULT_READ:
        return "read";
    case FAULT_WRITE:
        return "write";
    case FAULT_EXECUTE:
        return "execute";
    }
    return "?";
}

const char *fault_cause_name(enum fault_cause cause)
{
    return cause == FAULT_NOT_PRESENT ? "not-present" : "protection";
}

const char *fault_response_name(enum fault_response response)
{
    switch (response) {
    case FAULT_RESPONSE_CONTINUE:
        return "Continue";
    case FAULT_RESPONSE_SHOULD_CRASH:
        return "ShouldCrash";
    case FAULT_RESPONSE_OUT_OF_MEMORY:
        return "OutOfMemory";
    }
    return "?";
}

void fault_print(const struct fault *fault)
{
    kprintf("page fault: %s %s of %#lx (%s) at pc %#lx\n",
            fault->mode == FAULT_USER ? "user" : "kernel", fault_access_name(fault->access),
            (unsigned long)fault->addr.value, fault_cause_name(fault->cause),
            (unsigned long)fault->pc);
}
