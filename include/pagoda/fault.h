/*
 * The arch-neutral page-fault record. kernel/arch/<arch>/ decodes the
 * hardware's fault report into one of these and calls fault_handle(); from
 * there on nothing about the fault depends on the architecture.
 */
#pragma once

#include <pagoda/types.h>

enum fault_access {
    FAULT_READ,
    FAULT_WRITE,
    FAULT_EXECUTE,
};

enum fault_cause {
    FAULT_NOT_PRESENT, /* no translation for the address */
    FAULT_PROTECTION,  /* a translation exists but forbids the access */
};

enum fault_mode {
    FAULT_KERNEL,
    FAULT_USER,
};

struct fault {
    vaddr_t addr;      /* the faulting virtual address */
    uintptr_t pc;      /* the instruction that faulted */
    enum fault_access access;
    enum fault_cause cause;
    enum fault_mode mode;
};

/* The memory server's answer, as in SerenityOS's PageFaultResponse. */
enum fault_response {
    FAULT_RESPONSE_CONTINUE,      /* resolved: retry the access */
    FAULT_RESPONSE_SHOULD_CRASH,  /* invalid access */
    FAULT_RESPONSE_OUT_OF_MEMORY, /* valid, but no memory to resolve it */
};

/* The portable fault handler. Called by the arch trap code with interrupts off. */
enum fault_response fault_handle(const struct fault *fault);

/* The most recent fault delivered, and how many there have been (for tests). */
struct fault fault_last(void);
uint64_t fault_count(void);

const char *fault_access_name(enum fault_access access);
const char *fault_cause_name(enum fault_cause cause);
const char *fault_response_name(enum fault_response response);

/* Print one line describing FAULT (used by every arch's crash report). */
void fault_print(const struct fault *fault);
