/*
 * Region: one contiguous virtual range of an address space, with its access
 * rights, memory type, flags and name, mapping a window of a VMObject (the
 * seed's Region). Regions live in their address space's region tree.
 */
#pragma once

#include "mm/region_tree.h"
#include "mm/vmobject.h"
#include <arch/page_directory.h>

struct address_space;

enum region_access {
    REGION_READ = 1u << 0,
    REGION_WRITE = 1u << 1,
    REGION_EXECUTE = 1u << 2,
};

enum region_flags {
    REGION_STACK = 1u << 0,     /* a thread's stack */
    REGION_MMAP = 1u << 1,      /* made by a mapping call */
    REGION_SHARED = 1u << 2,    /* writes are seen by every mapper: never copy-on-write */
    REGION_IMMUTABLE = 1u << 3, /* can be neither unmapped nor re-protected */
    REGION_PURGEABLE = 1u << 4, /* anonymous memory its owner may make volatile */
};

#define REGION_NAME_MAX 32

struct region {
    struct region_node node;    /* [start, end) in the address space */
    uint32_t access;            /* enum region_access bits */
    uint32_t flags;             /* enum region_flags bits */
    enum memory_type type;
    struct vmobject *vmobject;  /* one reference held */
    uint64_t offset_pages;      /* the object's page mapped at node.start */
    struct address_space *space; /* the address space the region belongs to */
    struct region *mapper_next;  /* the other regions mapping the same object */
    struct region *mapper_prev;
    char name[REGION_NAME_MAX];
};

static inline uint64_t region_base(const struct region *r) { return r->node.start; }
static inline uint64_t region_size(const struct region *r) { return r->node.end - r->node.start; }
static inline uint64_t region_pages(const struct region *r) { return region_size(r) / PHYS_PAGE_SIZE; }

/* The VMObject page that backs VA (which the region contains). */
static inline uint64_t region_page_index(const struct region *r, uint64_t va)
{
    return r->offset_pages + (va - r->node.start) / PHYS_PAGE_SIZE;
}

/* The region whose tree node is NODE. */
static inline struct region *region_of(struct region_node *node)
{
    return node ? (struct region *)((char *)node - offsetof(struct region, node)) : NULL;
}
