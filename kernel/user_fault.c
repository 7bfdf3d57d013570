#include "kernel/user_fault.h"
#include <arch/page_directory.h>
#include <arch/user.h>

enum fault_response user_fault_resolve(struct address_space *as, const struct fault *fault)
{
    /* Only an entry that exists can be waiting for its accessed or dirty flag. */
    if (fault->cause == FAULT_PROTECTION &&
        pd_update_accessed_dirty(&as->pd, fault->addr, fault->access, true) == 0)
        return FAULT_RESPONSE_CONTINUE;
    const struct region *r;
    enum fault_response response = as_handle_fault_in_region(as, fault, &r);
    /* A page that may be executed was just filled: fetches must see its bytes. */
    if (response == FAULT_RESPONSE_CONTINUE && (r->access & REGION_EXECUTE))
        arch_user_sync_icache();
    return response;
}
