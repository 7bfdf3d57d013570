/*
 * The memory server's answer to a page fault a user thread took: first the
 * arch's accessed/dirty bookkeeping (pd_update_accessed_dirty: a fault that
 * only asked software to set a flag is resolved there), then mm/'s
 * as_handle_fault() for the address space; a page filled in an executable
 * region is then made visible to instruction fetches. Shared by the process loop
 * (kernel/process.c) and the arches' user-mode tests.
 */
#pragma once

#include "mm/address_space.h"

enum fault_response user_fault_resolve(struct address_space *as, const struct fault *fault);
