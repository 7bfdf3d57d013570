/*
 * Tests of the Multiboot2 parser (kernel/boot/multiboot2.c): one structure
 * shaped like GRUB's on q35, then every kind of damage the parser promises
 * to reject. Each structure is parsed from the very end of a buffer and
 * passed with its exact size, so any read past it runs off the buffer
 * (AddressSanitizer catches that on the host).
 */
#include "kernel/boot/multiboot2.h"
#include "kernel/lib/string.h"
#include "tests/portable/mb2_builder.h"
#include <pagoda/errors.h>
#include <pagoda/ktest.h>

#define MB2_TEST_INFO_PHYS 0x10b000u /* where the loader "put" the structure */
#define MB2_TEST_ENTRY_SIZE 24u      /* the standard memory-map entry */
#define MB2_TEST_TAG_UNKNOWN 0x7a7au /* a tag type no specification defines */
#define MB2_TEST_MMAP_UNKNOWN 20u    /* a memory type no specification defines */
#define MB2_TEST_RSDP_V1_SIZE 20u
#define MB2_TEST_RSDP_V2_SIZE 36u
#define MB2_TEST_PARSE_TOO_BIG 1     /* never returned by the parser */

static uint8_t mb2_scratch[2048] __attribute__((aligned(8)));
static uint8_t mb2_window[2048] __attribute__((aligned(8)));
static struct boot_info mb2_bi;

/* Parse the first LEN bytes of BLOB, placed so that they end where the window ends. */
static int mb2_test_parse_at(const void *blob, size_t len, uint64_t info_phys)
{
    boot_info_init(&mb2_bi, "x86_64");
    if (len > sizeof(mb2_window))
        return MB2_TEST_PARSE_TOO_BIG;
    uint8_t *at = mb2_window + sizeof(mb2_window) - len;
    memmove(at, blob, len);
    return mb2_boot_info(&mb2_bi, at, len, info_phys);
}

static int mb2_test_parse(const void *blob, size_t len)
{
    return mb2_test_parse_at(blob, len, MB2_TEST_INFO_PHYS);
}

/* Overwrite the little-endian u32 at OFFSET of BLOB (a test damaging a structure). */
static void mb2_test_patch(uint8_t *blob, size_t offset, uint32_t value)
{
    for (unsigned i = 0; i < sizeof(value); i++)
        blob[offset + i] = (uint8_t)(value >> (8 * i));
}

/* Offsets of the tags of the good structure, for tests that damage one. */
struct mb2_test_layout {
    size_t loader, cmdline, module, mmap, acpi, end;
    size_t size;
};

/* Memory map of the good structure. */
static const struct {
    uint64_t base, length;
    uint32_t type;
} mb2_test_map[] = {
    { 0x0, 0x9fc00, MB2_MMAP_AVAILABLE },
    { 0x9fc00, 0x400, MB2_MMAP_RESERVED },
    { 0xf0000, 0x10000, MB2_MMAP_RESERVED },
    { 0x100000, 0x1fee0000, MB2_MMAP_AVAILABLE },
    { 0x1ffe0000, 0x10000, MB2_MMAP_ACPI_RECLAIMABLE },
    { 0x1fff0000, 0x10000, MB2_MMAP_NVS },
    { 0x20000000, 0, MB2_MMAP_AVAILABLE }, /* empty: ignored */
    { 0x40000000, 0x1000, MB2_MMAP_BADRAM },
    { 0xfeffc000, 0x4000, MB2_TEST_MMAP_UNKNOWN },
    { 0xfffc0000, 0x40000, MB2_MMAP_RESERVED },
};

static size_t mb2_test_build_good(struct mb2_test_layout *l)
{
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    l->loader = mb2_builder_loader_name(&b, "GRUB 2.06");
    l->cmdline = mb2_builder_cmdline(&b, "ktest=multiboot2 console=ttyS0");
    l->module = mb2_builder_module(&b, 0x200000, 0x201000, "initrd");
    mb2_builder_module(&b, 0x300000, 0x300800, "/boot/init arg");
    mb2_builder_tag_begin(&b, MB2_TAG_BASIC_MEMINFO);
    mb2_builder_put_u32(&b, 639);    /* KiB below 1 MiB */
    mb2_builder_put_u32(&b, 523136); /* KiB above 1 MiB */
    mb2_builder_tag_end(&b);
    mb2_builder_tag_begin(&b, MB2_TEST_TAG_UNKNOWN);
    mb2_builder_put_bytes(&b, "\x01\x02\x03", 3);
    mb2_builder_tag_end(&b);
    l->mmap = mb2_builder_mmap_begin(&b, MB2_TEST_ENTRY_SIZE);
    for (size_t i = 0; i < ARRAY_SIZE(mb2_test_map); i++)
        mb2_builder_mmap_entry(&b, mb2_test_map[i].base, mb2_test_map[i].length,
                               mb2_test_map[i].type);
    mb2_builder_tag_end(&b);
    l->acpi = mb2_builder_acpi(&b, MB2_TAG_ACPI_OLD, MB2_TEST_RSDP_V1_SIZE);
    l->end = b.len;
    l->size = mb2_builder_finish(&b);
    return l->size;
}

static bool mb2_test_has_reserved(uint64_t base, uint64_t size, enum boot_range_kind kind)
{
    for (size_t i = 0; i < mb2_bi.reserved_count; i++) {
        const struct boot_range *r = &mb2_bi.reserved[i];
        if (r->base == base && r->size == size && r->kind == kind)
            return true;
    }
    return false;
}

KTEST(multiboot2, parses_grub_like_structure)
{
    struct mb2_test_layout l;
    KASSERT_NE(t, mb2_test_build_good(&l), 0);
    KASSERT_EQ(t, mb2_test_parse(mb2_scratch, l.size), 0);

    KEXPECT_STREQ(t, mb2_bi.loader, "GRUB 2.06");
    KEXPECT_STREQ(t, mb2_bi.cmdline, "ktest=multiboot2 console=ttyS0");

    KASSERT_EQ(t, mb2_bi.ram_count, 2);
    KEXPECT_EQU(t, mb2_bi.ram[0].base, 0);
    KEXPECT_EQU(t, mb2_bi.ram[0].size, 0x9fc00);
    KEXPECT_EQU(t, mb2_bi.ram[1].base, 0x100000);
    KEXPECT_EQU(t, mb2_bi.ram[1].size, 0x1fee0000);

    /* Seven reservations from the map, two modules and the structure itself. */
    KEXPECT_EQ(t, mb2_bi.reserved_count, 10);
    KEXPECT(t, mb2_test_has_reserved(0x9fc00, 0x400, BOOT_RANGE_RESERVED));
    KEXPECT(t, mb2_test_has_reserved(0xf0000, 0x10000, BOOT_RANGE_RESERVED));
    KEXPECT(t, mb2_test_has_reserved(0x1ffe0000, 0x10000, BOOT_RANGE_ACPI));
    KEXPECT(t, mb2_test_has_reserved(0x1fff0000, 0x10000, BOOT_RANGE_ACPI_NVS));
    KEXPECT(t, mb2_test_has_reserved(0x40000000, 0x1000, BOOT_RANGE_BAD));
    KEXPECT(t, mb2_test_has_reserved(0xfeffc000, 0x4000, BOOT_RANGE_RESERVED));
    KEXPECT(t, mb2_test_has_reserved(0xfffc0000, 0x40000, BOOT_RANGE_RESERVED));
    KEXPECT(t, mb2_test_has_reserved(0x200000, 0x1000, BOOT_RANGE_MODULE));
    KEXPECT(t, mb2_test_has_reserved(0x300000, 0x800, BOOT_RANGE_MODULE));
    KEXPECT(t, mb2_test_has_reserved(MB2_TEST_INFO_PHYS, l.size, BOOT_RANGE_BOOTINFO));

    KASSERT_EQ(t, mb2_bi.module_count, 2);
    KEXPECT_EQU(t, mb2_bi.modules[0].base, 0x200000);
    KEXPECT_EQU(t, mb2_bi.modules[0].size, 0x1000);
    KEXPECT_STREQ(t, mb2_bi.modules[0].name, "initrd");
    KEXPECT_EQU(t, mb2_bi.modules[1].base, 0x300000);
    KEXPECT_EQU(t, mb2_bi.modules[1].size, 0x800);
    KEXPECT_STREQ(t, mb2_bi.modules[1].name, "/boot/init arg");

    /* The RSDP copy sits in the ACPI tag's payload, just after its 8-byte header. */
    KEXPECT_EQU(t, mb2_bi.acpi_rsdp, MB2_TEST_INFO_PHYS + l.acpi + 8);
}

KTEST(multiboot2, usable_ram_excludes_reservations)
{
    struct mb2_test_layout l;
    KASSERT_NE(t, mb2_test_build_good(&l), 0);
    KASSERT_EQ(t, mb2_test_parse(mb2_scratch, l.size), 0);
    /* RAM minus the structure itself and the two modules (ACPI etc. lie outside RAM). */
    uint64_t expected = 0x9fc00 + 0x1fee0000 - l.size - 0x1000 - 0x800;
    KEXPECT_EQU(t, boot_info_for_each_usable(&mb2_bi, NULL, NULL), expected);
}

KTEST(multiboot2, newer_rsdp_wins_in_either_order)
{
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    mb2_builder_mmap_begin(&b, MB2_TEST_ENTRY_SIZE);
    mb2_builder_mmap_entry(&b, 0, 0x9fc00, MB2_MMAP_AVAILABLE);
    mb2_builder_tag_end(&b);
    mb2_builder_acpi(&b, MB2_TAG_ACPI_OLD, MB2_TEST_RSDP_V1_SIZE);
    size_t new_at = mb2_builder_acpi(&b, MB2_TAG_ACPI_NEW, MB2_TEST_RSDP_V2_SIZE);
    mb2_builder_acpi(&b, MB2_TAG_ACPI_OLD, MB2_TEST_RSDP_V1_SIZE);
    size_t size = mb2_builder_finish(&b);
    KASSERT_NE(t, size, 0);
    KASSERT_EQ(t, mb2_test_parse(mb2_scratch, size), 0);
    KEXPECT_EQU(t, mb2_bi.acpi_rsdp, MB2_TEST_INFO_PHYS + new_at + 8);
}

KTEST(multiboot2, accepts_larger_mmap_entries)
{
    /* A later entry_version may grow the entry; the first 24 bytes keep their meaning. */
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    mb2_builder_mmap_begin(&b, MB2_TEST_ENTRY_SIZE + 8);
    mb2_builder_mmap_entry(&b, 0x100000, 0x100000, MB2_MMAP_AVAILABLE);
    mb2_builder_put_u64(&b, 0xffffffffffffffffu);
    mb2_builder_mmap_entry(&b, 0x300000, 0x1000, MB2_MMAP_NVS);
    mb2_builder_put_u64(&b, 0xffffffffffffffffu);
    mb2_builder_tag_end(&b);
    size_t size = mb2_builder_finish(&b);
    KASSERT_NE(t, size, 0);
    KASSERT_EQ(t, mb2_test_parse(mb2_scratch, size), 0);
    KASSERT_EQ(t, mb2_bi.ram_count, 1);
    KEXPECT_EQU(t, mb2_bi.ram[0].base, 0x100000);
    KEXPECT(t, mb2_test_has_reserved(0x300000, 0x1000, BOOT_RANGE_ACPI_NVS));
}

KTEST(multiboot2, ignores_empty_module)
{
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    mb2_builder_module(&b, 0x200000, 0x200000, "empty");
    mb2_builder_mmap_begin(&b, MB2_TEST_ENTRY_SIZE);
    mb2_builder_mmap_entry(&b, 0x100000, 0x100000, MB2_MMAP_AVAILABLE);
    mb2_builder_tag_end(&b);
    size_t size = mb2_builder_finish(&b);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), 0);
    KEXPECT_EQ(t, mb2_bi.module_count, 0);
}

KTEST(multiboot2, rejects_buffer_smaller_than_header)
{
    static const uint8_t tiny[4] = { 16, 0, 0, 0 };
    KEXPECT_EQ(t, mb2_test_parse(tiny, sizeof(tiny)), -E_TRUNC);
    KEXPECT_EQ(t, mb2_test_parse(tiny, 0), -E_TRUNC);
}

KTEST(multiboot2, rejects_total_size_below_minimum)
{
    struct mb2_test_layout l;
    KASSERT_NE(t, mb2_test_build_good(&l), 0);
    for (uint32_t bad = 0; bad < 16; bad += 4) {
        mb2_scratch[0] = (uint8_t)bad;
        mb2_scratch[1] = 0;
        KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, l.size), -E_TRUNC);
    }
}

KTEST(multiboot2, rejects_total_size_beyond_buffer)
{
    struct mb2_test_layout l;
    KASSERT_NE(t, mb2_test_build_good(&l), 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, l.size - 1), -E_TRUNC);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, l.size - 8), -E_TRUNC);
}

KTEST(multiboot2, rejects_total_size_cutting_a_tag)
{
    struct mb2_test_layout l;
    KASSERT_NE(t, mb2_test_build_good(&l), 0);
    /* total_size (and the buffer) end 12 bytes into the memory-map tag. */
    size_t cut = l.mmap + 12;
    mb2_test_patch(mb2_scratch, 0, (uint32_t)cut);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, cut), -E_FORMAT);
}

KTEST(multiboot2, rejects_cuts_near_tag_boundaries)
{
    /* (tests/host/parser_bounds_test.c cuts at every byte, on the host) */
    struct mb2_test_layout l;
    KASSERT_NE(t, mb2_test_build_good(&l), 0);
    static uint8_t copy[sizeof(mb2_scratch)];
    memcpy(copy, mb2_scratch, l.size);
    const size_t tags[] = { l.loader, l.cmdline, l.module, l.mmap, l.acpi, l.end };
    int wrong = 0;
    for (size_t i = 0; i < ARRAY_SIZE(tags); i++) {
        for (size_t len = tags[i]; len < tags[i] + 12 && len < l.size; len += 4) {
            /* Claimed size as the loader wrote it: longer than the buffer. */
            wrong += mb2_test_parse(copy, len) != -E_TRUNC;
            /* Claimed size cut to match: the end tag (at least) is missing. */
            mb2_test_patch(copy, 0, (uint32_t)len);
            wrong += mb2_test_parse(copy, len) == 0;
            mb2_test_patch(copy, 0, (uint32_t)l.size);
        }
    }
    KEXPECT_EQ(t, wrong, 0);
}

KTEST(multiboot2, rejects_tag_running_past_end)
{
    struct mb2_test_layout l;
    KASSERT_NE(t, mb2_test_build_good(&l), 0);
    mb2_test_patch(mb2_scratch, l.cmdline + 4, (uint32_t)(l.size - l.cmdline + 1));
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, l.size), -E_FORMAT);
    mb2_test_patch(mb2_scratch, l.cmdline + 4, 0xfffffff8u);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, l.size), -E_FORMAT);
}

KTEST(multiboot2, rejects_tag_smaller_than_header)
{
    /* Size 0 would loop forever if it were accepted; 4 would overlap the next header. */
    static const uint32_t bad_sizes[] = { 0, 4, 7 };
    struct mb2_test_layout l;
    for (size_t i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
        KASSERT_NE(t, mb2_test_build_good(&l), 0);
        mb2_test_patch(mb2_scratch, l.mmap + 4, bad_sizes[i]);
        KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, l.size), -E_FORMAT);

        KASSERT_NE(t, mb2_test_build_good(&l), 0);
        mb2_test_patch(mb2_scratch, l.end + 4, bad_sizes[i]); /* the end tag too */
        KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, l.size), -E_FORMAT);
    }
}

KTEST(multiboot2, rejects_missing_end_tag)
{
    struct mb2_test_layout l;
    KASSERT_NE(t, mb2_test_build_good(&l), 0);
    /* The end tag turned into an unknown tag: the walk reaches total_size without an end. */
    mb2_test_patch(mb2_scratch, l.end, MB2_TEST_TAG_UNKNOWN);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, l.size), -E_FORMAT);
    /* The end tag cut off by total_size. */
    mb2_test_patch(mb2_scratch, l.end, MB2_TAG_END);
    mb2_test_patch(mb2_scratch, 0, (uint32_t)l.end);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, l.end), -E_FORMAT);
}

/* A structure whose memory-map tag has ENTRY_SIZE and EXTRA bytes after one entry. */
static size_t mb2_test_build_mmap(uint32_t entry_size, size_t extra)
{
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    mb2_builder_mmap_begin(&b, entry_size);
    mb2_builder_mmap_entry(&b, 0x100000, 0x100000, MB2_MMAP_AVAILABLE);
    for (size_t i = MB2_TEST_ENTRY_SIZE; i < entry_size + extra; i++)
        mb2_builder_put_bytes(&b, "", 1);
    mb2_builder_tag_end(&b);
    return mb2_builder_finish(&b);
}

KTEST(multiboot2, rejects_mmap_entry_size)
{
    /* Entries claim 16 bytes, and 32 bytes are two of them: only the minimum rejects it. */
    size_t size = mb2_test_build_mmap(16, 16);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);
    size = mb2_test_build_mmap(0, 0); /* would divide by zero */
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);
    size = mb2_test_build_mmap(28, 0); /* not a multiple of 8 */
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);
    size = mb2_test_build_mmap(MB2_TEST_ENTRY_SIZE, 0); /* the control: accepted */
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), 0);
}

KTEST(multiboot2, rejects_mmap_partial_entry)
{
    size_t size = mb2_test_build_mmap(MB2_TEST_ENTRY_SIZE, 8);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);

    /* A memory-map tag too short for its own entry_size/entry_version words. */
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    mb2_builder_tag_begin(&b, MB2_TAG_MMAP);
    mb2_builder_put_u32(&b, MB2_TEST_ENTRY_SIZE);
    mb2_builder_tag_end(&b);
    size = mb2_builder_finish(&b);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);
}

/* A good memory map, then one tag of TYPE holding exactly LEN bytes of PAYLOAD. */
static size_t mb2_test_build_with_tag(uint32_t type, const void *payload, size_t len)
{
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    mb2_builder_mmap_begin(&b, MB2_TEST_ENTRY_SIZE);
    mb2_builder_mmap_entry(&b, 0x100000, 0x100000, MB2_MMAP_AVAILABLE);
    mb2_builder_tag_end(&b);
    mb2_builder_tag_begin(&b, type);
    mb2_builder_put_bytes(&b, payload, len);
    mb2_builder_tag_end(&b);
    return mb2_builder_finish(&b);
}

KTEST(multiboot2, rejects_unterminated_strings)
{
    /* The padding after each tag is zero, so only a bounds-true check sees these. */
    size_t size = mb2_test_build_with_tag(MB2_TAG_CMDLINE, "ktest=all", 9);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);
    size = mb2_test_build_with_tag(MB2_TAG_LOADER_NAME, "GRUB", 4);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);
    size = mb2_test_build_with_tag(MB2_TAG_CMDLINE, "", 0);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);
    /* mod_start 0x200000, mod_end 0x201000, name "initrd" without its NUL. */
    static const uint8_t module[] = { 0, 0, 0x20, 0, 0, 0x10, 0x20, 0,
                                      'i', 'n', 'i', 't', 'r', 'd' };
    size = mb2_test_build_with_tag(MB2_TAG_MODULE, module, sizeof(module));
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);
    /* The same module with its terminator: the control. */
    static const uint8_t module_ok[] = { 0, 0, 0x20, 0, 0, 0x10, 0x20, 0,
                                         'i', 'n', 'i', 't', 'r', 'd', 0 };
    size = mb2_test_build_with_tag(MB2_TAG_MODULE, module_ok, sizeof(module_ok));
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), 0);
    KEXPECT_STREQ(t, mb2_bi.modules[0].name, "initrd");
}

KTEST(multiboot2, rejects_bad_modules)
{
    /* mod_start 0x201000 above mod_end 0x200000. */
    static const uint8_t backwards[] = { 0, 0x10, 0x20, 0, 0, 0, 0x20, 0, 'm', 0 };
    size_t size = mb2_test_build_with_tag(MB2_TAG_MODULE, backwards, sizeof(backwards));
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);
    /* Too short to hold mod_end (the zero padding after it must not be read as one). */
    static const uint8_t start_only[] = { 0, 0, 0, 0 };
    size = mb2_test_build_with_tag(MB2_TAG_MODULE, start_only, sizeof(start_only));
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);
}

KTEST(multiboot2, rejects_bad_rsdp)
{
    size_t size = mb2_test_build_with_tag(MB2_TAG_ACPI_OLD, "RSD PTR ", 8);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_FORMAT);
    static const char not_rsdp[MB2_TEST_RSDP_V1_SIZE] = "RSD PTX ";
    size = mb2_test_build_with_tag(MB2_TAG_ACPI_NEW, not_rsdp, sizeof(not_rsdp));
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_BADMAGIC);
}

/* A structure with one memory map of COUNT entries from ENTRIES. */
static size_t mb2_test_build_map(const uint64_t (*entries)[3], size_t count)
{
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    mb2_builder_mmap_begin(&b, MB2_TEST_ENTRY_SIZE);
    for (size_t i = 0; i < count; i++)
        mb2_builder_mmap_entry(&b, entries[i][0], entries[i][1], (uint32_t)entries[i][2]);
    mb2_builder_tag_end(&b);
    return mb2_builder_finish(&b);
}

KTEST(multiboot2, rejects_overlapping_ram)
{
    static const uint64_t overlap[][3] = {
        { 0x100000, 0x200000, MB2_MMAP_AVAILABLE },
        { 0x2ff000, 0x1000, MB2_MMAP_AVAILABLE },
    };
    size_t size = mb2_test_build_map(overlap, ARRAY_SIZE(overlap));
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_OVERLAP);

    /* Touching is not overlapping; reserved over RAM is normal. */
    static const uint64_t touching[][3] = {
        { 0x100000, 0x200000, MB2_MMAP_AVAILABLE },
        { 0x300000, 0x1000, MB2_MMAP_AVAILABLE },
        { 0x100000, 0x1000, MB2_MMAP_RESERVED },
    };
    size = mb2_test_build_map(touching, ARRAY_SIZE(touching));
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), 0);
    KEXPECT_EQ(t, mb2_bi.ram_count, 2);
}

KTEST(multiboot2, rejects_overlap_across_two_maps)
{
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    for (int i = 0; i < 2; i++) {
        mb2_builder_mmap_begin(&b, MB2_TEST_ENTRY_SIZE);
        mb2_builder_mmap_entry(&b, 0x100000, 0x1000, MB2_MMAP_AVAILABLE);
        mb2_builder_tag_end(&b);
    }
    size_t size = mb2_builder_finish(&b);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_OVERLAP);
}

KTEST(multiboot2, ignores_empty_entries)
{
    static const uint64_t map[][3] = {
        { 0x100000, 0, MB2_MMAP_AVAILABLE },
        { 0x100000, 0x1000, MB2_MMAP_AVAILABLE },
        { 0x100000, 0, MB2_MMAP_AVAILABLE }, /* would overlap if it counted */
        { 0x500000, 0, MB2_MMAP_RESERVED },
    };
    size_t size = mb2_test_build_map(map, ARRAY_SIZE(map));
    KASSERT_NE(t, size, 0);
    KASSERT_EQ(t, mb2_test_parse(mb2_scratch, size), 0);
    KEXPECT_EQ(t, mb2_bi.ram_count, 1);
    KEXPECT_EQ(t, mb2_bi.reserved_count, 1); /* only the structure itself */
}

KTEST(multiboot2, rejects_wrapping_entries)
{
    static const uint64_t ram[][3] = { { 0xfffffffffffff000u, 0x2000, MB2_MMAP_AVAILABLE } };
    size_t size = mb2_test_build_map(ram, ARRAY_SIZE(ram));
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_RANGE);
    static const uint64_t reserved[][3] = {
        { 0x100000, 0x1000, MB2_MMAP_AVAILABLE },
        { 0xfffffffffffff000u, 0x2000, MB2_MMAP_RESERVED },
    };
    size = mb2_test_build_map(reserved, ARRAY_SIZE(reserved));
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_RANGE);
}

KTEST(multiboot2, rejects_structure_wrapping_address_space)
{
    static const uint64_t ram[][3] = { { 0x100000, 0x1000, MB2_MMAP_AVAILABLE } };
    size_t size = mb2_test_build_map(ram, ARRAY_SIZE(ram));
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse_at(mb2_scratch, size, 0xfffffffffffffff0u), -E_RANGE);
}

KTEST(multiboot2, rejects_too_many_ranges)
{
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    mb2_builder_mmap_begin(&b, MB2_TEST_ENTRY_SIZE);
    for (uint64_t i = 0; i <= BOOT_MAX_RANGES; i++)
        mb2_builder_mmap_entry(&b, i * 0x2000, 0x1000, MB2_MMAP_AVAILABLE);
    mb2_builder_tag_end(&b);
    size_t size = mb2_builder_finish(&b);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_NOSPACE);
}

KTEST(multiboot2, requires_memory_map)
{
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    mb2_builder_cmdline(&b, "ktest=all");
    size_t size = mb2_builder_finish(&b);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_NOENT);

    /* The smallest legal structure: header and end tag, still no map. */
    mb2_builder_init(&b, mb2_scratch, sizeof(mb2_scratch));
    size = mb2_builder_finish(&b);
    KASSERT_EQ(t, size, 16);
    KEXPECT_EQ(t, mb2_test_parse(mb2_scratch, size), -E_NOENT);
}

KTEST(multiboot2, builder_reports_overflow)
{
    /* The tests above trust mb2_builder_finish() to return 0 when out of room. */
    struct mb2_builder b;
    mb2_builder_init(&b, mb2_scratch, 24);
    mb2_builder_cmdline(&b, "longer than sixteen bytes");
    KEXPECT_EQ(t, mb2_builder_finish(&b), 0);
}
