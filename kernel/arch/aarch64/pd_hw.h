/*
 * What the aarch64 trap code needs from pd_hw.c: which page directory
 * translates an address on this CPU right now, so that a fault the
 * hardware raised only for accessed/dirty bookkeeping can be resolved there.
 */
#pragma once

#include <arch/page_directory.h>

/*
 * The directory that translates VA now: the active kernel directory for the
 * TTBR1 half, the active user directory for the TTBR0 half; NULL before
 * kernel_vm_init() and for the TTBR0 half while no user directory is active.
 */
struct page_directory *aarch64_pd_translating(uint64_t va);
