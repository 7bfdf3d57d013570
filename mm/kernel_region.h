/*
 * The kernel's own regions (the seed's MemoryManager::allocate_kernel_region
 * family): ranges of KERNEL_REGION_WINDOW backed by RAM allocated now, by a
 * physically contiguous run, by a DMA buffer with a chosen memory type, by
 * a device's registers, or by reserved RAM such as a boot module. Unlike the
 * heap, each is page-granular, has a name, and can be given a memory type.
 */
#pragma once

#include <arch/page_directory.h>

/* SIZE bytes (page multiple) of zeroed RAM, read-write, mapped now. */
int kregion_allocate(uint64_t size, const char *name, void **out) MUST_CHECK;
/* SIZE bytes of physically contiguous zeroed RAM (aligned to its size); its physical base in *PHYS. */
int kregion_allocate_contiguous(uint64_t size, const char *name, void **out,
                                paddr_t *phys) MUST_CHECK;
/* A DMA buffer: like the contiguous region, mapped with TYPE (e.g. MEMORY_TYPE_NONCACHEABLE). */
int kregion_allocate_dma(uint64_t size, enum memory_type type, const char *name, void **out,
                         paddr_t *phys) MUST_CHECK;
/* Device registers at PHYS (not RAM), SIZE bytes, mapped MEMORY_TYPE_IO. */
int kregion_map_mmio(paddr_t phys, uint64_t size, const char *name, void **out) MUST_CHECK;
/*
 * RAM the physical allocator does not manage (a boot module, say), SIZE bytes
 * at PHYS, mapped with PROT (PD_READ, and PD_WRITE / PD_EXECUTE if wanted)
 * and TYPE. PHYS and SIZE need not be page aligned: the covering pages are
 * mapped and *OUT points at PHYS within them. Refuses a page the allocator
 * manages (-E_OVERLAP), a bad PROT or SIZE 0 (-E_INVAL), a range that wraps
 * (-E_RANGE). kregion_free(*OUT) unmaps it and frees nothing.
 */
int kregion_map_physical(paddr_t phys, uint64_t size, enum memory_type type, uint32_t prot,
                         const char *name, void **out) MUST_CHECK;
/* Unmap the region starting at ADDRESS (as returned) and release what backs it. */
void kregion_free(void *address);
