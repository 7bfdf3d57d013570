/*
 * Shared set-up for the host tests of the page-table engine: every format
 * with its software MMU, and a fixture holding simulated physical memory, a
 * kernel page directory and one user page directory over it.
 */
#pragma once

#include "kernel/arch/pt/pt_format.h"
#include "tests/host/pt/simphys.h"
#include "tests/host/swmmu.h"
#include <pagoda/ktest.h>

struct pd_test_format {
    const char *name;
    const struct pt_format *format;
    swmmu_translate_fn translate;
    enum swmmu_ad_mode ad_mode;  /* how the hardware we run on keeps accessed/dirty */
    bool has_memory_types;       /* can the format express IO/NONCACHEABLE? */
};

extern const struct pd_test_format pd_test_formats[];
extern const size_t pd_test_format_count;

struct pd_fixture {
    const struct pd_test_format *tf;
    struct simphys sim;
    struct page_directory kernel;
    struct page_directory user;
};

#define PD_TEST_MEMORY (32 * MiB)
/* Addresses valid in every format: 1 GiB into the user half, 1 GiB below the top. */
#define PD_TEST_USER_VA UINT64_C(0x40000000)
#define PD_TEST_KERNEL_VA UINT64_C(0xffffffffc0000000)
#define PD_TEST_PA UINT64_C(0x80000000)

void pd_fixture_init(struct pd_fixture *f, const struct pd_test_format *tf);
/* Destroy both directories; returns the table pages still allocated (0 if no leak). */
size_t pd_fixture_fini(struct pd_fixture *f);

/* Translate VA through the user directory's view (user half) or the kernel's. */
struct swmmu_result pd_translate(struct pd_fixture *f, uint64_t va, enum fault_access access,
                                 bool user);

/* Run FN once per format, naming the format in the log if that run failed. */
typedef void (*pd_format_test_fn)(struct ktest *t, const struct pd_test_format *tf);
void pd_for_each_format(struct ktest *t, pd_format_test_fn fn);
