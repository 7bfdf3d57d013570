/*
 * Software MMUs for the host tests: one per page-table format, each written
 * from the architecture manual independently of the format module it checks
 * (kernel/arch/<arch>/pt_format.c), walking the real tables in simulated
 * physical memory and reporting the fault the hardware would.
 *
 * Each models the configuration the Pagoda kernel runs with (documented at
 * the top of its swmmu_<arch>.c): which privileged-access checks are on
 * (SMEP/SMAP, SUM, PAN), and how accessed/dirty state is kept.
 */
#pragma once

#include <arch/page_directory.h>
#include <pagoda/fault.h>

enum swmmu_outcome {
    SWMMU_OK,
    SWMMU_NOT_PRESENT,  /* no valid translation (includes non-canonical addresses) */
    SWMMU_PROTECTION,   /* a translation forbids the access */
    SWMMU_ACCESS_FLAG,  /* aarch64: the access flag is clear (software must set it) */
};

/* Simulated physical memory: [0, size) backed by a host buffer. */
struct swmmu_memory {
    uint8_t *base;
    uint64_t size;
};

enum swmmu_ad_mode {
    SWMMU_AD_HARDWARE, /* the walker sets accessed/dirty in the entry, as x86 and most harts do */
    SWMMU_AD_FAULT,    /* the walker faults instead (riscv Svade; aarch64 without FEAT_HAFDBS) */
};

struct swmmu_request {
    uint64_t va;
    enum fault_access access;
    bool user;                 /* the access comes from user mode */
    uint64_t user_root;        /* physical root for the lower half (TTBR0 / the root) */
    uint64_t kernel_root;      /* physical root for the upper half (TTBR1; == user_root if one root) */
    enum swmmu_ad_mode ad_mode;
};

struct swmmu_result {
    enum swmmu_outcome outcome;
    uint64_t pa;               /* SWMMU_OK: the translated address */
    enum memory_type type;     /* SWMMU_OK: the memory type the entry selects */
};

typedef void (*swmmu_translate_fn)(struct swmmu_memory *mem, const struct swmmu_request *req,
                                   struct swmmu_result *result);

/* One per format; all follow the same contract. A table outside mem is a test failure (abort). */
void swmmu_x86_64_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                            struct swmmu_result *result);
void swmmu_sv39_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                          struct swmmu_result *result);
void swmmu_sv48_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                          struct swmmu_result *result);
/* The same walks on harts with Svpbmt (the PBMT field selects the memory type). */
void swmmu_sv39_svpbmt_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                                 struct swmmu_result *result);
void swmmu_sv48_svpbmt_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                                 struct swmmu_result *result);
void swmmu_aarch64_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                             struct swmmu_result *result);
