/* The formats under test and the page-directory fixture (see pd_fixture.h). */
#include "tests/host/pt/pd_fixture.h"
#include <riscv/pte.h>
#include <stdio.h>
#include <stdlib.h>

const struct pd_test_format pd_test_formats[] = {
    { "x86_64", &pt_format_x86_64, swmmu_x86_64_translate, SWMMU_AD_HARDWARE, true },
    { "sv39", &pt_format_sv39, swmmu_sv39_translate, SWMMU_AD_HARDWARE, false },
    { "sv39 (A/D faults)", &pt_format_sv39, swmmu_sv39_translate, SWMMU_AD_FAULT, false },
    { "sv48", &pt_format_sv48, swmmu_sv48_translate, SWMMU_AD_HARDWARE, false },
    { "sv39+svpbmt", &pt_format_sv39_svpbmt, swmmu_sv39_svpbmt_translate, SWMMU_AD_FAULT, true },
    { "sv48+svpbmt", &pt_format_sv48_svpbmt, swmmu_sv48_svpbmt_translate, SWMMU_AD_HARDWARE, true },
    { "aarch64", &pt_format_aarch64, swmmu_aarch64_translate, SWMMU_AD_FAULT, true },
};
const size_t pd_test_format_count = ARRAY_SIZE(pd_test_formats);

void pd_fixture_init(struct pd_fixture *f, const struct pd_test_format *tf)
{
    f->tf = tf;
    simphys_init(&f->sim, PD_TEST_MEMORY);
    if (pd_create_kernel(&f->kernel, tf->format, &f->sim.provider) != 0 ||
        pd_create_user(&f->user, &f->kernel, 1) != 0) {
        fprintf(stderr, "pd_fixture_init: cannot create page directories\n");
        abort();
    }
}

size_t pd_fixture_fini(struct pd_fixture *f)
{
    pd_destroy(&f->user);
    pd_destroy(&f->kernel);
    size_t leaked = f->sim.in_use;
    simphys_fini(&f->sim);
    return leaked;
}

struct swmmu_result pd_translate(struct pd_fixture *f, uint64_t va, enum fault_access access,
                                 bool user)
{
    struct swmmu_request req = {
        .va = va, .access = access, .user = user,
        .user_root = f->user.root.value,
        .kernel_root = f->tf->format->split_roots ? f->kernel.root.value : f->user.root.value,
        .ad_mode = f->tf->ad_mode,
    };
    struct swmmu_result result;
    f->tf->translate(&f->sim.memory, &req, &result);
    return result;
}
