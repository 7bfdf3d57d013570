#include "kernel/user_fault.h"
#include <arch/page_directory.h>

enum fault_response user_fault_resolve(struct address_space *as, const struct fault *fault)
{
    if (pd_update_accessed_dirty(&as->pd, fault->addr, fault->access, true) == 0)
        return FAULT_RESPONSE_CONTINUE;
    return as_handle_fault(as, fault);
}
