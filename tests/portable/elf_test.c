/*
 * Tests of the ELF64 executable reader (kernel/boot/elf.c). The good image
 * is a two-segment program (text R+X, data R+W with bss across pages, and a
 * PT_GNU_STACK); every other test breaks exactly one rule of elf.h in it and
 * expects that rule's error. Two sweeps then try every prefix of the file and
 * every corruption of each header byte. Each image is parsed from the very
 * end of a buffer with its exact size, so a read past it runs off the buffer
 * (AddressSanitizer catches that on the host); the buffer ends at an odd
 * address, so the sweeps also read from every alignment.
 */
#include "kernel/boot/elf.h"
#include "kernel/lib/string.h"
#include "tests/portable/elf_builder.h"
#include <pagoda/errors.h>
#include <pagoda/ktest.h>

#define ELF_TEST_PAGE 0x1000u
#define ELF_TEST_BIG_PAGE 0x10000u
#define ELF_TEST_LIMIT (UINT64_C(1) << 47) /* x86_64's lower half */
#define ELF_TEST_MACHINE ELF_MACHINE_X86_64
#define ELF_TEST_BUF_SIZE 0x4000u
#define ELF_TEST_TOO_BIG 1 /* never returned by the parser */

/* The good image: text, data, GNU_STACK; addresses follow the file within their pages. */
enum { ELF_TEST_TEXT, ELF_TEST_DATA, ELF_TEST_STACK, ELF_TEST_PHNUM };
#define ELF_TEST_HEADERS_END (ELF_HEADER_SIZE + ELF_TEST_PHNUM * ELF_PHDR_SIZE)
#define ELF_TEST_TEXT_SIZE 0x40u
#define ELF_TEST_TEXT_VADDR (UINT64_C(0x401000) + ELF_TEST_HEADERS_END)
#define ELF_TEST_ENTRY (ELF_TEST_TEXT_VADDR + 0x10u)
#define ELF_TEST_DATA_OFFSET (ELF_TEST_HEADERS_END + ELF_TEST_TEXT_SIZE)
#define ELF_TEST_DATA_VADDR (UINT64_C(0x402000) + ELF_TEST_DATA_OFFSET)
#define ELF_TEST_DATA_FILESZ 0x18u
#define ELF_TEST_DATA_MEMSZ 0x2000u /* the bss runs over two more pages */
#define ELF_TEST_SIZE (ELF_TEST_DATA_OFFSET + ELF_TEST_DATA_FILESZ)

/* Largest address and offset with the in-page offset OFFSET. */
#define ELF_TEST_TOP_WITH(offset) (~(uint64_t)(ELF_TEST_PAGE - 1) | (offset))

static uint8_t elf_scratch[ELF_TEST_BUF_SIZE] __attribute__((aligned(8)));
/* One byte more than a multiple of 8: images end, and so mostly start, unaligned. */
static uint8_t elf_window[ELF_TEST_BUF_SIZE + 1] __attribute__((aligned(8)));
static uint8_t elf_text[ELF_TEST_TEXT_SIZE];
static uint8_t elf_data[ELF_TEST_DATA_FILESZ];
static struct elf_builder elf_b; /* the last image built, for patching */

static size_t elf_test_build_good(void)
{
    for (size_t i = 0; i < sizeof(elf_text); i++)
        elf_text[i] = (uint8_t)(0x90 + i);
    for (size_t i = 0; i < sizeof(elf_data); i++)
        elf_data[i] = (uint8_t)(0xd0 + i);
    elf_builder_init(&elf_b, elf_scratch, sizeof(elf_scratch), ELF_TEST_MACHINE, ELF_TEST_PAGE);
    elf_builder_load(&elf_b, ELF_PF_R | ELF_PF_X, ELF_TEST_TEXT_VADDR, elf_text,
                     ELF_TEST_TEXT_SIZE, ELF_TEST_TEXT_SIZE);
    elf_builder_load(&elf_b, ELF_PF_R | ELF_PF_W, ELF_TEST_DATA_VADDR, elf_data,
                     ELF_TEST_DATA_FILESZ, ELF_TEST_DATA_MEMSZ);
    elf_builder_other(&elf_b, ELF_PT_GNU_STACK, ELF_PF_R | ELF_PF_W);
    return elf_builder_finish(&elf_b, ELF_TEST_ENTRY);
}

/* Copy the first LEN bytes of the scratch image so that they end where the window ends. */
static const uint8_t *elf_test_place(size_t len)
{
    if (len > sizeof(elf_window))
        return NULL;
    uint8_t *at = elf_window + sizeof(elf_window) - len;
    memmove(at, elf_scratch, len);
    return at;
}

static int elf_test_parse_with(size_t len, uint16_t machine, uint64_t page_size,
                               uint64_t user_limit, struct elf_image *image)
{
    const uint8_t *file = elf_test_place(len);
    if (!file)
        return ELF_TEST_TOO_BIG;
    return elf_parse(file, len, machine, page_size, user_limit, image);
}

/* The first LEN bytes of the scratch image, with the good image's parameters. */
static int elf_test_parse(size_t len, struct elf_image *image)
{
    return elf_test_parse_with(len, ELF_TEST_MACHINE, ELF_TEST_PAGE, ELF_TEST_LIMIT, image);
}

/* elf_test_parse() of the whole image, checked against the promises if accepted. */
static int elf_test_parse_checked(struct ktest *t, struct elf_image *image)
{
    int err = elf_test_parse(elf_b.len, image);
    if (err == 0) {
        const char *broken = elf_image_broken_promise(
            elf_window + sizeof(elf_window) - elf_b.len, elf_b.len, ELF_TEST_MACHINE,
            ELF_TEST_PAGE, ELF_TEST_LIMIT, image);
        if (broken)
            ktest_fail(t, __FILE__, __LINE__, "accepted image breaks a promise: %s", broken);
    }
    return err;
}

static bool elf_test_same_segment(const struct elf_segment *a, const struct elf_segment *b)
{
    return a->vaddr == b->vaddr && a->memsz == b->memsz && a->offset == b->offset &&
           a->filesz == b->filesz && a->flags == b->flags;
}

static bool elf_test_same_image(const struct elf_image *a, const struct elf_image *b)
{
    if (a->entry != b->entry || a->segment_count != b->segment_count)
        return false;
    for (unsigned i = 0; i < a->segment_count; i++) {
        if (!elf_test_same_segment(&a->segments[i], &b->segments[i]))
            return false;
    }
    return true;
}

/* The good image as elf_parse() must describe it. */
static const struct elf_image elf_test_good_image = {
    .entry = ELF_TEST_ENTRY,
    .segment_count = 2,
    .segments = {
        { .vaddr = ELF_TEST_TEXT_VADDR, .memsz = ELF_TEST_TEXT_SIZE,
          .offset = ELF_TEST_HEADERS_END, .filesz = ELF_TEST_TEXT_SIZE,
          .flags = ELF_SEGMENT_READ | ELF_SEGMENT_EXECUTE },
        { .vaddr = ELF_TEST_DATA_VADDR, .memsz = ELF_TEST_DATA_MEMSZ,
          .offset = ELF_TEST_DATA_OFFSET, .filesz = ELF_TEST_DATA_FILESZ,
          .flags = ELF_SEGMENT_READ | ELF_SEGMENT_WRITE },
    },
};

/* --- what is accepted -------------------------------------------------------- */

KTEST(elf, parses_text_and_data)
{
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    struct elf_image image;
    KASSERT_EQ(t, elf_test_parse_checked(t, &image), 0);
    KEXPECT_EQU(t, image.entry, ELF_TEST_ENTRY);
    KASSERT_EQ(t, image.segment_count, 2);
    for (unsigned i = 0; i < 2; i++) {
        const struct elf_segment *got = &image.segments[i];
        const struct elf_segment *want = &elf_test_good_image.segments[i];
        KEXPECT_EQU(t, got->vaddr, want->vaddr);
        KEXPECT_EQU(t, got->memsz, want->memsz);
        KEXPECT_EQU(t, got->offset, want->offset);
        KEXPECT_EQU(t, got->filesz, want->filesz);
        KEXPECT_EQU(t, got->flags, want->flags);
    }
    /* The offsets find the segments' bytes in the caller's buffer. */
    const uint8_t *file = elf_window + sizeof(elf_window) - ELF_TEST_SIZE;
    KEXPECT_EQ(t, memcmp(file + image.segments[0].offset, elf_text, sizeof(elf_text)), 0);
    KEXPECT_EQ(t, memcmp(file + image.segments[1].offset, elf_data, sizeof(elf_data)), 0);
}

KTEST(elf, parses_for_each_machine_only)
{
    static const uint16_t machines[] = { ELF_MACHINE_X86_64, ELF_MACHINE_RISCV,
                                         ELF_MACHINE_AARCH64 };
    struct elf_image image;
    for (size_t built = 0; built < ARRAY_SIZE(machines); built++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_header(&elf_b, ELF_EH_MACHINE, machines[built]);
        for (size_t asked = 0; asked < ARRAY_SIZE(machines); asked++) {
            int err = elf_test_parse_with(ELF_TEST_SIZE, machines[asked], ELF_TEST_PAGE,
                                          ELF_TEST_LIMIT, &image);
            KEXPECT_EQ(t, err, built == asked ? 0 : -E_NOTSUP);
        }
    }
    KEXPECT_STREQ(t, elf_machine_name(ELF_MACHINE_X86_64), "x86_64");
    KEXPECT_STREQ(t, elf_machine_name(ELF_MACHINE_RISCV), "riscv64");
    KEXPECT_STREQ(t, elf_machine_name(ELF_MACHINE_AARCH64), "aarch64");
    KEXPECT_STREQ(t, elf_machine_name(3), "?"); /* EM_386 */
    KEXPECT_STREQ(t, elf_machine_name(0), "?");
}

KTEST(elf, parses_lld_like_programs)
{
    static const struct {
        uint16_t machine;
        uint64_t page_size, base;
    } programs[] = {
        { ELF_MACHINE_X86_64, ELF_TEST_PAGE, 0x200000 },
        { ELF_MACHINE_RISCV, ELF_TEST_PAGE, 0x10000 },
        { ELF_MACHINE_AARCH64, ELF_TEST_BIG_PAGE, 0x200000 }, /* lld's 64 KiB on aarch64 */
    };
    static const uint32_t rights[ELF_PROGRAM_SEGMENTS] = {
        ELF_SEGMENT_READ, ELF_SEGMENT_READ | ELF_SEGMENT_EXECUTE,
        ELF_SEGMENT_READ | ELF_SEGMENT_WRITE, ELF_SEGMENT_READ | ELF_SEGMENT_WRITE,
    };
    for (size_t p = 0; p < ARRAY_SIZE(programs); p++) {
        size_t size = elf_builder_program(elf_scratch, sizeof(elf_scratch), programs[p].machine,
                                          programs[p].page_size, programs[p].base);
        KASSERT_NE(t, size, 0);
        const uint8_t *file = elf_test_place(size);
        KASSERT(t, file != NULL);
        /* Laid out for big pages, it maps with 4 KiB pages too; the reverse is refused. */
        for (uint64_t page = ELF_TEST_PAGE; page <= ELF_TEST_BIG_PAGE; page *= 2) {
            struct elf_image image;
            int err = elf_parse(file, size, programs[p].machine, page, ELF_TEST_LIMIT, &image);
            if (page > programs[p].page_size) {
                KEXPECT_EQ(t, err, -E_ALIGN);
                continue;
            }
            KASSERT_EQ(t, err, 0);
            KEXPECT(t, elf_image_broken_promise(file, size, programs[p].machine, page,
                                                ELF_TEST_LIMIT, &image) == NULL);
            KASSERT_EQ(t, image.segment_count, ELF_PROGRAM_SEGMENTS);
            KEXPECT_EQU(t, image.segments[0].vaddr, programs[p].base);
            KEXPECT_EQU(t, image.segments[0].offset, 0);
            KEXPECT_EQU(t, image.entry, image.segments[1].vaddr);
            for (unsigned s = 0; s < ELF_PROGRAM_SEGMENTS; s++)
                KEXPECT_EQU(t, image.segments[s].flags, rights[s]);
        }
    }
}

KTEST(elf, maps_each_right_alone)
{
    /* p_flags has X in bit 0 and R in bit 2, the reverse of enum elf_segment_flags. */
    static const struct {
        uint32_t pflags, rights;
    } cases[] = {
        { ELF_PF_R, ELF_SEGMENT_READ },
        { ELF_PF_W, ELF_SEGMENT_WRITE },
        { ELF_PF_R | ELF_PF_W, ELF_SEGMENT_READ | ELF_SEGMENT_WRITE },
        /* Bits outside R, W, X (the OS- and processor-specific masks) are dropped. */
        { ELF_PF_R | 0x0ff00000u, ELF_SEGMENT_READ },
        { ELF_PF_W | 0xf0000000u, ELF_SEGMENT_WRITE },
    };
    struct elf_image image;
    for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_FLAGS, cases[c].pflags);
        KASSERT_EQ(t, elf_test_parse_checked(t, &image), 0);
        KEXPECT_EQU(t, image.segments[1].flags, cases[c].rights);
    }
    /* Execute-only text is still executable text. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_TEXT, ELF_PH_FLAGS, ELF_PF_X);
    KASSERT_EQ(t, elf_test_parse_checked(t, &image), 0);
    KEXPECT_EQU(t, image.segments[0].flags, ELF_SEGMENT_EXECUTE);
}

KTEST(elf, reads_unaligned_buffers)
{
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    for (size_t shift = 0; shift < sizeof(uint64_t); shift++) {
        memcpy(elf_window + shift, elf_scratch, ELF_TEST_SIZE);
        struct elf_image image;
        KEXPECT_EQ(t, elf_parse(elf_window + shift, ELF_TEST_SIZE, ELF_TEST_MACHINE,
                                ELF_TEST_PAGE, ELF_TEST_LIMIT, &image), 0);
        KEXPECT(t, elf_test_same_image(&image, &elf_test_good_image));
    }
}

/* --- the caller's arguments ---------------------------------------------------- */

KTEST(elf, rejects_bad_arguments)
{
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    struct elf_image image;
    static const uint64_t bad_pages[] = { 0, 3, 0x1800, ELF_TEST_PAGE + 1 };
    for (size_t i = 0; i < ARRAY_SIZE(bad_pages); i++)
        KEXPECT_EQ(t, elf_test_parse_with(ELF_TEST_SIZE, ELF_TEST_MACHINE, bad_pages[i],
                                          ELF_TEST_LIMIT, &image), -E_INVAL);
    KEXPECT_EQ(t, elf_test_parse_with(ELF_TEST_SIZE, ELF_TEST_MACHINE, ELF_TEST_PAGE,
                                      ELF_TEST_LIMIT - 1, &image), -E_INVAL);
    /* Checked before the file is looked at. */
    KEXPECT_EQ(t, elf_parse(NULL, 0, ELF_TEST_MACHINE, 0, ELF_TEST_LIMIT, &image), -E_INVAL);
    KEXPECT_EQ(t, elf_parse(NULL, 0, ELF_TEST_MACHINE, ELF_TEST_PAGE, ELF_TEST_LIMIT, &image),
               -E_TRUNC);
}

/* --- the file header ------------------------------------------------------------- */

KTEST(elf, rejects_bad_magic)
{
    struct elf_image image;
    for (size_t i = 0; i < ELF_MAGIC_SIZE; i++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_scratch[i] ^= 0x20; /* "\177elf" is not it either */
        KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_BADMAGIC);
    }
}

KTEST(elf, rejects_other_classes_and_byte_orders)
{
    static const struct {
        unsigned index;
        uint8_t value;
    } cases[] = {
        { ELF_IDENT_CLASS, ELF_CLASS_32 }, { ELF_IDENT_CLASS, 0 }, { ELF_IDENT_CLASS, 3 },
        { ELF_IDENT_DATA, ELF_DATA_MSB },  { ELF_IDENT_DATA, 0 },  { ELF_IDENT_DATA, 3 },
    };
    struct elf_image image;
    for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_scratch[cases[c].index] = cases[c].value;
        KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_NOTSUP);
    }
}

KTEST(elf, rejects_other_format_versions)
{
    struct elf_image image;
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_scratch[ELF_IDENT_VERSION] = 0;
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FORMAT);
    elf_scratch[ELF_IDENT_VERSION] = ELF_VERSION_CURRENT + 1;
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FORMAT);
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_header(&elf_b, ELF_EH_VERSION, 0);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FORMAT);
    elf_builder_patch_header(&elf_b, ELF_EH_VERSION, 0x100u | ELF_VERSION_CURRENT);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FORMAT);
}

KTEST(elf, rejects_all_but_executables)
{
    static const uint16_t types[] = { 0, ELF_TYPE_REL, ELF_TYPE_DYN, ELF_TYPE_CORE,
                                      0xfe00 /* ET_LOOS */, 0x0102 /* EXEC in the high byte */ };
    struct elf_image image;
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_header(&elf_b, ELF_EH_TYPE, types[i]);
        KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_NOTSUP);
    }
}

KTEST(elf, rejects_other_machines)
{
    static const uint16_t machines[] = { 0, 3 /* EM_386 */, 40 /* EM_ARM */, 0x3e00 };
    struct elf_image image;
    for (size_t i = 0; i < ARRAY_SIZE(machines); i++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_header(&elf_b, ELF_EH_MACHINE, machines[i]);
        KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_NOTSUP);
    }
}

KTEST(elf, rejects_foreign_header_sizes)
{
    /* ELF32's sizes (52 and 32), off by one, and zero. */
    static const uint16_t ehsizes[] = { 0, 52, ELF_HEADER_SIZE - 1, ELF_HEADER_SIZE + 1 };
    static const uint16_t phentsizes[] = { 0, 32, ELF_PHDR_SIZE - 1, ELF_PHDR_SIZE + 1 };
    struct elf_image image;
    for (size_t i = 0; i < ARRAY_SIZE(ehsizes); i++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_header(&elf_b, ELF_EH_EHSIZE, ehsizes[i]);
        KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FORMAT);
    }
    for (size_t i = 0; i < ARRAY_SIZE(phentsizes); i++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_header(&elf_b, ELF_EH_PHENTSIZE, phentsizes[i]);
        KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FORMAT);
    }
}

KTEST(elf, rejects_missing_program_headers)
{
    struct elf_image image;
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_header(&elf_b, ELF_EH_PHNUM, 0);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FORMAT);
    elf_builder_patch_header(&elf_b, ELF_EH_PHNUM, ELF_PHNUM_EXTENDED);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_NOTSUP);
    /* Fewer headers than written is fine: the text alone still holds the entry. */
    elf_builder_patch_header(&elf_b, ELF_EH_PHNUM, 1);
    KASSERT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), 0);
    KEXPECT_EQ(t, image.segment_count, 1);
}

KTEST(elf, rejects_program_headers_past_the_end)
{
    struct elf_image image;
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    const uint64_t table = ELF_TEST_PHNUM * ELF_PHDR_SIZE;
    /* The table moved to end a byte past the file, to start at its end, and past it. */
    elf_builder_patch_header(&elf_b, ELF_EH_PHOFF, ELF_TEST_SIZE - table + 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
    elf_builder_patch_header(&elf_b, ELF_EH_PHOFF, ELF_TEST_SIZE);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
    elf_builder_patch_header(&elf_b, ELF_EH_PHOFF, ELF_TEST_SIZE + 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
    /* Offsets that wrap when the table's size is added. */
    elf_builder_patch_header(&elf_b, ELF_EH_PHOFF, UINT64_MAX - table + 2);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
    elf_builder_patch_header(&elf_b, ELF_EH_PHOFF, UINT64_MAX);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
    /* More headers than the file holds. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_header(&elf_b, ELF_EH_PHNUM, ELF_TEST_SIZE / ELF_PHDR_SIZE);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
    elf_builder_patch_header(&elf_b, ELF_EH_PHNUM, ELF_PHNUM_EXTENDED - 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
}

/* --- program header types ------------------------------------------------------- */

KTEST(elf, rejects_interpreter_dynamic_and_tls)
{
    static const uint32_t types[] = { ELF_PT_INTERP, ELF_PT_DYNAMIC, ELF_PT_TLS };
    struct elf_image image;
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_phdr(&elf_b, ELF_TEST_STACK, ELF_PH_TYPE, types[i]);
        KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_NOTSUP);
    }
}

KTEST(elf, ignores_other_program_headers)
{
    static const uint32_t types[] = {
        ELF_PT_NULL,        ELF_PT_NOTE,      ELF_PT_SHLIB,     ELF_PT_PHDR,
        ELF_PT_GNU_EH_FRAME, ELF_PT_GNU_STACK, ELF_PT_GNU_RELRO,
        0x70000003u /* PT_RISCV_ATTRIBUTES */, 0xffffffffu,
    };
    struct elf_image image;
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_phdr(&elf_b, ELF_TEST_STACK, ELF_PH_TYPE, types[i]);
        /* Their fields are not looked at: nonsense there changes nothing. */
        elf_builder_patch_phdr(&elf_b, ELF_TEST_STACK, ELF_PH_FLAGS, ELF_PF_W | ELF_PF_X);
        elf_builder_patch_phdr(&elf_b, ELF_TEST_STACK, ELF_PH_OFFSET, UINT64_MAX);
        elf_builder_patch_phdr(&elf_b, ELF_TEST_STACK, ELF_PH_VADDR, ELF_TEST_TEXT_VADDR);
        elf_builder_patch_phdr(&elf_b, ELF_TEST_STACK, ELF_PH_FILESZ, UINT64_MAX);
        elf_builder_patch_phdr(&elf_b, ELF_TEST_STACK, ELF_PH_MEMSZ, 1);
        KEXPECT_EQ(t, elf_test_parse_checked(t, &image), 0);
        KEXPECT(t, elf_test_same_image(&image, &elf_test_good_image));
    }
}

/* --- PT_LOAD segments --------------------------------------------------------------- */

KTEST(elf, rejects_more_file_bytes_than_memory)
{
    struct elf_image image;
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_MEMSZ, ELF_TEST_DATA_FILESZ - 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FORMAT);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_MEMSZ, ELF_TEST_DATA_FILESZ);
    KEXPECT_EQ(t, elf_test_parse_checked(t, &image), 0); /* equal is fine: no bss */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_TEXT, ELF_PH_FILESZ, ELF_TEST_TEXT_SIZE + 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FORMAT);
}

KTEST(elf, skips_segments_without_memory)
{
    struct elf_image image;
    /* An empty PT_LOAD, whatever its address, offset and rights, puts nothing in memory. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_STACK, ELF_PH_TYPE, ELF_PT_LOAD);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_STACK, ELF_PH_FLAGS, ELF_PF_R | ELF_PF_W | ELF_PF_X);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_STACK, ELF_PH_OFFSET, UINT64_MAX);
    KEXPECT_EQ(t, elf_test_parse_checked(t, &image), 0);
    KEXPECT(t, elf_test_same_image(&image, &elf_test_good_image));
    /* But it may not claim file bytes it has no room for. */
    elf_builder_patch_phdr(&elf_b, ELF_TEST_STACK, ELF_PH_FILESZ, 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FORMAT);
    /* Nor does it count towards ELF_MAX_SEGMENTS: see rejects_too_many_segments. */
}

KTEST(elf, rejects_segments_without_rights)
{
    struct elf_image image;
    static const uint32_t none[] = { 0, 0x0ff00000u /* PF_MASKOS */, 0xf0000000u /* PROC */ };
    for (size_t i = 0; i < ARRAY_SIZE(none); i++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_FLAGS, none[i]);
        KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FORMAT);
    }
}

KTEST(elf, rejects_writable_and_executable)
{
    struct elf_image image;
    static const uint32_t wx[] = { ELF_PF_W | ELF_PF_X, ELF_PF_R | ELF_PF_W | ELF_PF_X };
    for (size_t i = 0; i < ARRAY_SIZE(wx); i++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_phdr(&elf_b, ELF_TEST_TEXT, ELF_PH_FLAGS, wx[i]);
        KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_PERM);
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_FLAGS, wx[i]);
        KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_PERM);
    }
}

KTEST(elf, rejects_file_bytes_past_the_end)
{
    struct elf_image image;
    /* One byte too many. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_FILESZ, ELF_TEST_DATA_FILESZ + 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
    /* An offset past the end, even one congruent with the address. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_OFFSET,
                           ELF_TEST_DATA_OFFSET + ELF_TEST_PAGE);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
    /* Offset plus size wrapping around to a small number. */
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_OFFSET,
                           ELF_TEST_TOP_WITH(ELF_TEST_DATA_OFFSET));
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_FILESZ, UINT64_MAX);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_MEMSZ, UINT64_MAX);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
    /* A bss-only segment may sit exactly at the end of the file. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_FILESZ, 0);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_OFFSET, ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_VADDR,
                           ELF_TEST_DATA_VADDR + ELF_TEST_DATA_FILESZ);
    KEXPECT_EQ(t, elf_test_parse_checked(t, &image), 0);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_OFFSET, ELF_TEST_SIZE + 1);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_VADDR,
                           ELF_TEST_DATA_VADDR + ELF_TEST_DATA_FILESZ + 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_TRUNC);
}

KTEST(elf, rejects_addresses_out_of_range)
{
    struct elf_image image;
    /* Page 0 stays unmapped: page 1 is the lowest a segment may use. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_TEXT, ELF_PH_VADDR,
                           ELF_TEST_PAGE + ELF_TEST_HEADERS_END);
    elf_builder_patch_header(&elf_b, ELF_EH_ENTRY, ELF_TEST_PAGE + ELF_TEST_HEADERS_END);
    KEXPECT_EQ(t, elf_test_parse_checked(t, &image), 0);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_TEXT, ELF_PH_VADDR, ELF_TEST_HEADERS_END);
    elf_builder_patch_header(&elf_b, ELF_EH_ENTRY, ELF_TEST_HEADERS_END);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_RANGE);

    /* Ending exactly at the user limit is fine; a byte more is not. */
    const uint64_t top = ELF_TEST_LIMIT - 2 * ELF_TEST_PAGE + ELF_TEST_DATA_OFFSET;
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_VADDR, top);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_MEMSZ, ELF_TEST_LIMIT - top);
    KEXPECT_EQ(t, elf_test_parse_checked(t, &image), 0);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_MEMSZ, ELF_TEST_LIMIT - top + 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_RANGE);
    /* A size larger than the whole user range, from a low address. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_MEMSZ, ELF_TEST_LIMIT + 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_RANGE);

    /* Address plus size wrapping, even with the highest limit there is. */
    const uint64_t highest_limit = ~(uint64_t)(ELF_TEST_PAGE - 1);
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_VADDR,
                           ELF_TEST_TOP_WITH(ELF_TEST_DATA_OFFSET));
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_RANGE);
    KEXPECT_EQ(t, elf_test_parse_with(ELF_TEST_SIZE, ELF_TEST_MACHINE, ELF_TEST_PAGE,
                                      highest_limit, &image), -E_RANGE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_VADDR, ELF_TEST_DATA_VADDR);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_MEMSZ, UINT64_MAX);
    KEXPECT_EQ(t, elf_test_parse_with(ELF_TEST_SIZE, ELF_TEST_MACHINE, ELF_TEST_PAGE,
                                      highest_limit, &image), -E_RANGE);
    /* The good image under a limit just below its data's end. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    const uint64_t data_end = ALIGN_UP(ELF_TEST_DATA_VADDR + ELF_TEST_DATA_MEMSZ, ELF_TEST_PAGE);
    KEXPECT_EQ(t, elf_test_parse_with(ELF_TEST_SIZE, ELF_TEST_MACHINE, ELF_TEST_PAGE,
                                      data_end, &image), 0);
    KEXPECT_EQ(t, elf_test_parse_with(ELF_TEST_SIZE, ELF_TEST_MACHINE, ELF_TEST_PAGE,
                                      data_end - ELF_TEST_PAGE, &image), -E_RANGE);
}

KTEST(elf, rejects_offsets_that_do_not_match_addresses)
{
    struct elf_image image;
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_VADDR, ELF_TEST_DATA_VADDR + 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_ALIGN);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_VADDR,
                           ELF_TEST_DATA_VADDR + ELF_TEST_PAGE / 2);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_ALIGN);
    /* Moving the offset instead (still inside the file) is the same mistake. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_OFFSET, ELF_TEST_DATA_OFFSET - 8);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_ALIGN);
    /* A whole page apart is congruent: the same file page maps there. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_VADDR,
                           ELF_TEST_DATA_VADDR + ELF_TEST_PAGE);
    KEXPECT_EQ(t, elf_test_parse_checked(t, &image), 0);
    /* Pages larger than the file was laid out for. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    KEXPECT_EQ(t, elf_test_parse_with(ELF_TEST_SIZE, ELF_TEST_MACHINE, ELF_TEST_BIG_PAGE,
                                      ELF_TEST_LIMIT, &image), -E_ALIGN);
}

KTEST(elf, rejects_segments_out_of_order)
{
    /* Data first in the table (and in the file), text after it. */
    struct elf_builder *b = &elf_b;
    const uint64_t headers_end = elf_builder_phdr_at(2);
    const uint64_t data = 0x402000 + headers_end;
    const uint64_t text = 0x401000 + headers_end + ELF_TEST_DATA_FILESZ;
    elf_builder_init(b, elf_scratch, sizeof(elf_scratch), ELF_TEST_MACHINE, ELF_TEST_PAGE);
    elf_builder_load(b, ELF_PF_R | ELF_PF_W, data, elf_data, ELF_TEST_DATA_FILESZ,
                     ELF_TEST_DATA_MEMSZ);
    elf_builder_load(b, ELF_PF_R | ELF_PF_X, text, elf_text, ELF_TEST_TEXT_SIZE,
                     ELF_TEST_TEXT_SIZE);
    size_t size = elf_builder_finish(b, text);
    KASSERT_NE(t, size, 0);
    struct elf_image image;
    KEXPECT_EQ(t, elf_test_parse(size, &image), -E_FORMAT);
    /* The same two in the other order of the table are a good program. */
    uint8_t first[ELF_PHDR_SIZE];
    memcpy(first, elf_scratch + elf_builder_phdr_at(0), ELF_PHDR_SIZE);
    memcpy(elf_scratch + elf_builder_phdr_at(0), elf_scratch + elf_builder_phdr_at(1),
           ELF_PHDR_SIZE);
    memcpy(elf_scratch + elf_builder_phdr_at(1), first, ELF_PHDR_SIZE);
    KEXPECT_EQ(t, elf_test_parse_checked(t, &image), 0);
}

KTEST(elf, rejects_segments_sharing_a_page)
{
    struct elf_image image;
    /* Data moved into the text's page (its offset matching). */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_VADDR,
                           ALIGN_DOWN(ELF_TEST_TEXT_VADDR, ELF_TEST_PAGE) + ELF_TEST_DATA_OFFSET);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_OVERLAP);
    /* Text grown to the end of its page: the data's page is the next one, still fine... */
    const uint64_t to_page_end = ALIGN_UP(ELF_TEST_TEXT_VADDR, ELF_TEST_PAGE) - ELF_TEST_TEXT_VADDR;
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_TEXT, ELF_PH_MEMSZ, to_page_end);
    KEXPECT_EQ(t, elf_test_parse_checked(t, &image), 0);
    /* ...but a byte more reaches into it. */
    elf_builder_patch_phdr(&elf_b, ELF_TEST_TEXT, ELF_PH_MEMSZ, to_page_end + 1);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_OVERLAP);
    /* Text grown over the whole data segment. */
    elf_builder_patch_phdr(&elf_b, ELF_TEST_TEXT, ELF_PH_MEMSZ, 4 * ELF_TEST_PAGE);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_OVERLAP);
    /* Two segments at the same address. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_OFFSET, ELF_TEST_HEADERS_END);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_VADDR, ELF_TEST_TEXT_VADDR);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_OVERLAP);
}

/* COUNT bss-only read-only segments after a text segment, on pages of their own. */
static size_t elf_test_build_many(unsigned count, unsigned empty)
{
    struct elf_builder *b = &elf_b;
    const uint64_t file_end = elf_builder_phdr_at(1 + count + empty) + ELF_TEST_TEXT_SIZE;
    const uint64_t text = 0x401000 + elf_builder_phdr_at(1 + count + empty);
    elf_builder_init(b, elf_scratch, sizeof(elf_scratch), ELF_TEST_MACHINE, ELF_TEST_PAGE);
    elf_builder_load(b, ELF_PF_R | ELF_PF_X, text, elf_text, ELF_TEST_TEXT_SIZE,
                     ELF_TEST_TEXT_SIZE);
    for (unsigned i = 0; i < count; i++)
        elf_builder_load(b, ELF_PF_R, 0x402000 + i * 2 * ELF_TEST_PAGE + file_end, NULL, 0,
                         ELF_TEST_PAGE);
    for (unsigned i = 0; i < empty; i++)
        elf_builder_load(b, ELF_PF_R, 0, NULL, 0, 0);
    return elf_builder_finish(b, text);
}

KTEST(elf, rejects_too_many_segments)
{
    struct elf_image image;
    size_t size = elf_test_build_many(ELF_MAX_SEGMENTS - 1, 0);
    KASSERT_NE(t, size, 0);
    KASSERT_EQ(t, elf_test_parse_checked(t, &image), 0);
    KEXPECT_EQ(t, image.segment_count, ELF_MAX_SEGMENTS);
    /* Segments without memory are not counted. */
    size = elf_test_build_many(ELF_MAX_SEGMENTS - 1, 2);
    KASSERT_NE(t, size, 0);
    KASSERT_EQ(t, elf_test_parse_checked(t, &image), 0);
    KEXPECT_EQ(t, image.segment_count, ELF_MAX_SEGMENTS);
    size = elf_test_build_many(ELF_MAX_SEGMENTS, 0);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, elf_test_parse(size, &image), -E_NOSPACE);
}

/* --- the entry point ---------------------------------------------------------------- */

KTEST(elf, rejects_entry_outside_executable_memory)
{
    static const struct {
        uint64_t entry;
        int err;
    } cases[] = {
        { ELF_TEST_TEXT_VADDR, 0 },
        { ELF_TEST_TEXT_VADDR + ELF_TEST_TEXT_SIZE - 1, 0 },
        { ELF_TEST_TEXT_VADDR - 1, -E_FAULT },
        { ELF_TEST_TEXT_VADDR + ELF_TEST_TEXT_SIZE, -E_FAULT },
        { ELF_TEST_DATA_VADDR, -E_FAULT }, /* mapped, but not executable */
        { 0, -E_FAULT },
        { UINT64_MAX, -E_FAULT },
    };
    struct elf_image image;
    for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
        KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
        elf_builder_patch_header(&elf_b, ELF_EH_ENTRY, cases[c].entry);
        KEXPECT_EQ(t, elf_test_parse_checked(t, &image), cases[c].err);
    }
    /* No executable segment at all; no loadable segment at all. */
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_TEXT, ELF_PH_FLAGS, ELF_PF_R);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FAULT);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_TEXT, ELF_PH_TYPE, ELF_PT_NOTE);
    elf_builder_patch_phdr(&elf_b, ELF_TEST_DATA, ELF_PH_TYPE, ELF_PT_NOTE);
    KEXPECT_EQ(t, elf_test_parse(ELF_TEST_SIZE, &image), -E_FAULT);
}

/* --- sweeps ---------------------------------------------------------------------------- */

KTEST(elf, rejects_every_prefix)
{
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    struct elf_image image;
    size_t wrong = 0;
    /* The data segment's bytes end the file, so every shorter file misses some of them. */
    for (size_t len = 0; len < ELF_TEST_SIZE; len++)
        wrong += elf_test_parse(len, &image) != -E_TRUNC;
    KEXPECT_EQ(t, wrong, 0);
    KEXPECT_EQ(t, elf_test_parse_checked(t, &image), 0);
}

/* What corrupting a byte of the good image's headers must lead to. */
#define ELF_TEST_SAME 1   /* accepted, with the good image's description */
#define ELF_TEST_EITHER 2 /* refused, or accepted with every promise kept */

struct elf_test_span {
    size_t start, end; /* [start, end) */
    int outcome;       /* ELF_TEST_SAME, ELF_TEST_EITHER or an error */
};

/* The offset of FIELD of the good image's program header INDEX. */
#define ELF_TEST_PH(index, field) (ELF_HEADER_SIZE + (index) * ELF_PHDR_SIZE + (field))

/*
 * Checked fields whose every change has one answer, and ignored fields whose
 * every change must leave the description as it was (p_paddr, p_align, and
 * all of PT_GNU_STACK but its type). Any other byte: ELF_TEST_EITHER.
 */
static const struct elf_test_span elf_test_spans[] = {
    { 0, ELF_MAGIC_SIZE, -E_BADMAGIC },
    { ELF_IDENT_CLASS, ELF_IDENT_DATA + 1, -E_NOTSUP },
    { ELF_IDENT_VERSION, ELF_IDENT_VERSION + 1, -E_FORMAT },
    { ELF_IDENT_OSABI, ELF_IDENT_SIZE, ELF_TEST_SAME },
    { ELF_EH_TYPE, ELF_EH_VERSION, -E_NOTSUP }, /* type and machine */
    { ELF_EH_VERSION, ELF_EH_ENTRY, -E_FORMAT },
    { ELF_EH_SHOFF, ELF_EH_EHSIZE, ELF_TEST_SAME }, /* section table and e_flags */
    { ELF_EH_EHSIZE, ELF_EH_PHNUM, -E_FORMAT },
    { ELF_EH_SHENTSIZE, ELF_HEADER_SIZE, ELF_TEST_SAME },
    { ELF_TEST_PH(ELF_TEST_TEXT, ELF_PH_PADDR), ELF_TEST_PH(ELF_TEST_TEXT, ELF_PH_FILESZ),
      ELF_TEST_SAME },
    { ELF_TEST_PH(ELF_TEST_TEXT, ELF_PH_ALIGN), ELF_TEST_PH(ELF_TEST_DATA, 0), ELF_TEST_SAME },
    { ELF_TEST_PH(ELF_TEST_DATA, ELF_PH_PADDR), ELF_TEST_PH(ELF_TEST_DATA, ELF_PH_FILESZ),
      ELF_TEST_SAME },
    { ELF_TEST_PH(ELF_TEST_DATA, ELF_PH_ALIGN), ELF_TEST_PH(ELF_TEST_STACK, 0), ELF_TEST_SAME },
    { ELF_TEST_PH(ELF_TEST_STACK, ELF_PH_FLAGS), ELF_TEST_HEADERS_END, ELF_TEST_SAME },
};

static int elf_test_outcome(size_t pos)
{
    for (size_t i = 0; i < ARRAY_SIZE(elf_test_spans); i++) {
        if (pos >= elf_test_spans[i].start && pos < elf_test_spans[i].end)
            return elf_test_spans[i].outcome;
    }
    return ELF_TEST_EITHER;
}

static bool elf_test_is_documented_error(int err)
{
    static const int documented[] = { -E_TRUNC,  -E_BADMAGIC, -E_NOTSUP, -E_FORMAT,
                                       -E_PERM,   -E_RANGE,    -E_ALIGN,  -E_OVERLAP,
                                       -E_NOSPACE, -E_FAULT };
    for (size_t i = 0; i < ARRAY_SIZE(documented); i++) {
        if (err == documented[i])
            return true;
    }
    return false;
}

/* The values each header byte is overwritten with, besides its eight one-bit flips. */
static const uint8_t elf_test_values[] = { 0x00, 0xff };

KTEST(elf, survives_every_header_byte_corrupted)
{
    KASSERT_EQ(t, elf_test_build_good(), ELF_TEST_SIZE);
    const uint8_t *file = elf_window + sizeof(elf_window) - ELF_TEST_SIZE;
    unsigned runs = 0, accepted = 0, wrong = 0;
    for (size_t pos = 0; pos < ELF_TEST_HEADERS_END; pos++) {
        const uint8_t original = elf_scratch[pos];
        const int outcome = elf_test_outcome(pos);
        uint8_t values[8 + ARRAY_SIZE(elf_test_values)];
        for (unsigned bit = 0; bit < 8; bit++)
            values[bit] = (uint8_t)(original ^ (1u << bit));
        memcpy(values + 8, elf_test_values, sizeof(elf_test_values));
        for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
            if (values[v] == original)
                continue;
            elf_scratch[pos] = values[v];
            struct elf_image image;
            int err = elf_test_parse(ELF_TEST_SIZE, &image);
            runs++;
            bool ok;
            if (err == 0) {
                accepted++;
                const char *broken = elf_image_broken_promise(file, ELF_TEST_SIZE,
                                                              ELF_TEST_MACHINE, ELF_TEST_PAGE,
                                                              ELF_TEST_LIMIT, &image);
                ok = !broken && (outcome == ELF_TEST_EITHER ||
                                 (outcome == ELF_TEST_SAME &&
                                  elf_test_same_image(&image, &elf_test_good_image)));
            } else {
                ok = elf_test_is_documented_error(err) &&
                     (outcome == ELF_TEST_EITHER || outcome == err);
            }
            if (!ok && wrong++ < 8)
                ktest_note(t, "byte %zu = 0x%02x: error %d", pos, values[v], err);
        }
        elf_scratch[pos] = original;
    }
    ktest_note(t, "%u corrupted headers, %u accepted", runs, accepted);
    KEXPECT_EQ(t, wrong, 0);
    KEXPECT_LT(t, accepted, runs); /* corruption is noticed at all */
    KEXPECT_GE(t, accepted, 100);  /* and the ignored fields stay ignored */
}
