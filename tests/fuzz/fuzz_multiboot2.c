/*
 * libFuzzer target for the Multiboot2 parser: the input is the boot
 * information structure. libFuzzer hands over a buffer of exactly the input's
 * size, so ASan reports any read past it. A successful parse must leave a
 * boot_info that keeps the parser's promises, checked here.
 */
#include "kernel/boot/multiboot2.h"
#include <stdlib.h>

#define FUZZ_INFO_PHYS 0x10000u

static struct boot_info fuzz_bi;

/* Promises of a successful parse, whatever the input. */
static void fuzz_check_result(const struct boot_info *bi)
{
    for (size_t i = 0; i < bi->ram_count; i++) {
        const struct boot_range *r = &bi->ram[i];
        if (r->size == 0 || r->base + r->size < r->base)
            abort(); /* empty or wrapping RAM */
        if (i > 0 && bi->ram[i - 1].base + bi->ram[i - 1].size > r->base)
            abort(); /* unsorted or overlapping RAM */
    }
    if (bi->reserved_count == 0)
        abort(); /* the structure itself is always reserved */
    for (size_t i = 0; i < bi->module_count; i++) {
        if (bi->modules[i].size == 0)
            abort();
    }
    (void)boot_info_for_each_usable(bi, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    boot_info_init(&fuzz_bi, "x86_64");
    if (mb2_boot_info(&fuzz_bi, data, size, FUZZ_INFO_PHYS) == 0)
        fuzz_check_result(&fuzz_bi);
    return 0;
}
