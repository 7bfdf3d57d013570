/*
 * libFuzzer target for the ELF64 executable reader: the input is the file.
 * libFuzzer hands over a buffer of exactly the input's size, so ASan reports
 * any read past it. The input is parsed for each of the three machines with
 * 4 KiB pages; a program can be for one machine at most, and whatever is
 * accepted must keep every promise of elf.h (elf_image_broken_promise(), the
 * same checker the unit tests use), with each segment's file bytes touched so
 * that ASan sees an offset that strays. Then two stricter parses must agree
 * with the first: 64 KiB pages accept a subset of what 4 KiB pages accept,
 * describing it the same way, and a user limit one page below the image's
 * last page refuses it with -E_RANGE.
 */
#include "kernel/boot/elf.h"
#include "tests/portable/elf_builder.h"
#include <pagoda/errors.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_PAGE 0x1000u
#define FUZZ_BIG_PAGE 0x10000u
#define FUZZ_USER_LIMIT (UINT64_C(1) << 47)

static const uint16_t fuzz_machines[] = { ELF_MACHINE_X86_64, ELF_MACHINE_RISCV,
                                          ELF_MACHINE_AARCH64 };

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz_elf: %s\n", what);
    abort();
}

static void fuzz_check(const uint8_t *data, size_t size, uint16_t machine, uint64_t page_size,
                       uint64_t user_limit, const struct elf_image *image)
{
    const char *broken =
        elf_image_broken_promise(data, size, machine, page_size, user_limit, image);
    if (broken)
        fuzz_fail(broken);
    volatile uint8_t sum = 0;
    for (unsigned i = 0; i < image->segment_count; i++) {
        const struct elf_segment *s = &image->segments[i];
        for (uint64_t b = 0; b < s->filesz; b++)
            sum += data[s->offset + b];
    }
    (void)sum;
}

static bool fuzz_same_image(const struct elf_image *a, const struct elf_image *b)
{
    if (a->entry != b->entry || a->segment_count != b->segment_count)
        return false;
    for (unsigned i = 0; i < a->segment_count; i++) {
        const struct elf_segment *x = &a->segments[i], *y = &b->segments[i];
        if (x->vaddr != y->vaddr || x->memsz != y->memsz || x->offset != y->offset ||
            x->filesz != y->filesz || x->flags != y->flags)
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_image image, other;
    unsigned accepted = 0;
    for (size_t m = 0; m < sizeof(fuzz_machines) / sizeof(fuzz_machines[0]); m++) {
        uint16_t machine = fuzz_machines[m];
        int err = elf_parse(data, size, machine, FUZZ_PAGE, FUZZ_USER_LIMIT, &image);
        int big_err = elf_parse(data, size, machine, FUZZ_BIG_PAGE, FUZZ_USER_LIMIT, &other);
        if (err != 0) {
            if (err >= 0 || err == -E_INVAL)
                fuzz_fail("an error that elf.h does not document for these arguments");
            if (big_err == 0)
                fuzz_fail("accepted with big pages what small pages refuse");
            continue;
        }
        accepted++;
        fuzz_check(data, size, machine, FUZZ_PAGE, FUZZ_USER_LIMIT, &image);
        if (big_err == 0) {
            fuzz_check(data, size, machine, FUZZ_BIG_PAGE, FUZZ_USER_LIMIT, &other);
            if (!fuzz_same_image(&image, &other))
                fuzz_fail("big pages describe the program differently");
        }
        /* The segments are in order, so the last one ends highest. */
        const struct elf_segment *last = &image.segments[image.segment_count - 1];
        uint64_t top = (last->vaddr + last->memsz + FUZZ_PAGE - 1) & ~(uint64_t)(FUZZ_PAGE - 1);
        if (elf_parse(data, size, machine, FUZZ_PAGE, top, &other) != 0)
            fuzz_fail("refused under a limit just above its last page");
        if (elf_parse(data, size, machine, FUZZ_PAGE, top - FUZZ_PAGE, &other) != -E_RANGE)
            fuzz_fail("not refused under a limit below its last page");
    }
    if (accepted > 1)
        fuzz_fail("one program accepted for two machines");
    return 0;
}
