/*
 * Tests of the cpio "newc" reader (kernel/boot/cpio.c): an archive shaped
 * like `cpio -o -H newc` output (files, an empty file, a directory), lookup
 * by name, then every kind of damage the reader promises to reject, with its
 * exact error. Each archive is read from the very end of a buffer and passed
 * with its exact size, so any read past it runs off the buffer
 * (AddressSanitizer catches that on the host).
 */
#include "kernel/boot/cpio.h"
#include "kernel/lib/string.h"
#include "tests/portable/cpio_builder.h"
#include <pagoda/errors.h>
#include <pagoda/ktest.h>

#define CPIO_TEST_BIG_SIZE 300u   /* more than two hex digits of file size */
#define CPIO_TEST_BIG_PERIOD 251u /* a prime, so a shifted copy never matches */
#define CPIO_TEST_MAX_ENTRIES 16u
#define CPIO_TEST_TOO_BIG 1       /* never returned by the reader */

static uint8_t cpio_scratch[2048] __attribute__((aligned(8)));
static uint8_t cpio_window[2048] __attribute__((aligned(8)));
static uint8_t cpio_big[CPIO_TEST_BIG_SIZE];

static const char cpio_hello[] = "hello from the initrd\n";
static const char cpio_abc[] = "abc";

/* Offsets of the good archive's headers, for tests that damage one. */
struct cpio_test_layout {
    size_t hello, empty, dir, abc, big, trailer;
    size_t size;
};

/* The files of the good archive, in order (the directory has no data). */
static const struct {
    const char *name;
    uint32_t mode;
    const void *data;
    size_t size;
} cpio_test_files[] = {
    { "hello.txt", CPIO_MODE_REGULAR | 0644u, cpio_hello, sizeof(cpio_hello) - 1 },
    { "empty", CPIO_MODE_REGULAR | 0644u, "", 0 },
    { "dir", CPIO_MODE_DIRECTORY | 0755u, "", 0 },
    { "dir/abc", CPIO_MODE_REGULAR | 0644u, cpio_abc, sizeof(cpio_abc) - 1 },
    { "big", CPIO_MODE_REGULAR | 0644u, cpio_big, CPIO_TEST_BIG_SIZE },
};

static size_t cpio_test_build_good(struct cpio_test_layout *l)
{
    for (size_t i = 0; i < CPIO_TEST_BIG_SIZE; i++)
        cpio_big[i] = (uint8_t)(i % CPIO_TEST_BIG_PERIOD);
    struct cpio_builder b;
    cpio_builder_init(&b, cpio_scratch, sizeof(cpio_scratch));
    l->hello = cpio_builder_file(&b, "hello.txt", cpio_hello, sizeof(cpio_hello) - 1);
    l->empty = cpio_builder_file(&b, "empty", NULL, 0);
    l->dir = cpio_builder_dir(&b, "dir");
    l->abc = cpio_builder_file(&b, "dir/abc", cpio_abc, sizeof(cpio_abc) - 1);
    l->big = cpio_builder_file(&b, "big", cpio_big, CPIO_TEST_BIG_SIZE);
    l->trailer = b.len;
    l->size = cpio_builder_finish(&b);
    return l->size;
}

/* A builder over the finished good archive, for cpio_builder_patch_field(). */
static struct cpio_builder cpio_test_patcher(const struct cpio_test_layout *l)
{
    return (struct cpio_builder){ .buf = cpio_scratch, .capacity = sizeof(cpio_scratch),
                                  .len = l->size };
}

/* Copy the first LEN bytes of the scratch archive so that they end where the window ends. */
static const uint8_t *cpio_test_place(size_t len)
{
    if (len > sizeof(cpio_window))
        return NULL;
    uint8_t *at = cpio_window + sizeof(cpio_window) - len;
    memmove(at, cpio_scratch, len);
    return at;
}

/*
 * Read every entry of the first LEN bytes of the scratch archive; returns
 * what ended the walk (-E_NOENT at the trailer) and the entries before it.
 */
static int cpio_test_walk(size_t len, size_t *count)
{
    const uint8_t *archive = cpio_test_place(len);
    *count = 0;
    if (!archive)
        return CPIO_TEST_TOO_BIG;
    size_t offset = 0;
    for (;;) {
        struct cpio_entry e;
        int err = cpio_next(archive, len, &offset, &e);
        if (err)
            return err;
        if (++*count > CPIO_TEST_MAX_ENTRIES)
            return CPIO_TEST_TOO_BIG; /* a reader that does not advance */
    }
}

KTEST(cpio, reads_every_entry_exactly)
{
    struct cpio_test_layout l;
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    const uint8_t *archive = cpio_test_place(l.size);
    KASSERT(t, archive != NULL);
    size_t offset = 0;
    for (size_t i = 0; i < ARRAY_SIZE(cpio_test_files); i++) {
        struct cpio_entry e;
        size_t header = offset;
        KASSERT_EQ(t, cpio_next(archive, l.size, &offset, &e), 0);
        KEXPECT_STREQ(t, e.name, cpio_test_files[i].name);
        KEXPECT_EQ(t, e.name_len, strlen(cpio_test_files[i].name));
        KEXPECT_EQU(t, e.mode, cpio_test_files[i].mode);
        KEXPECT_EQ(t, e.offset, header);
        KEXPECT_EQ(t, e.data_offset % CPIO_NEWC_ALIGN, 0);
        KEXPECT(t, e.data == archive + e.data_offset);
        KASSERT_EQ(t, e.size, cpio_test_files[i].size);
        KEXPECT_EQ(t, memcmp(e.data, cpio_test_files[i].data, e.size), 0);
        /* The next header follows the data and its padding, nothing more. */
        KEXPECT_EQ(t, offset, ALIGN_UP(e.data_offset + e.size, CPIO_NEWC_ALIGN));
    }
    KEXPECT_EQ(t, offset, l.trailer);
    struct cpio_entry untouched = { .name = "sentinel" };
    KEXPECT_EQ(t, cpio_next(archive, l.size, &offset, &untouched), -E_NOENT);
    KEXPECT_STREQ(t, untouched.name, "sentinel");
    KEXPECT_EQ(t, offset, l.trailer);
}

KTEST(cpio, pads_name_and_data_to_four)
{
    /* hello.txt: 110-byte header + 10-byte name = 120, aligned; 22 bytes of data pad to 144. */
    struct cpio_test_layout l;
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    const uint8_t *archive = cpio_test_place(l.size);
    KASSERT(t, archive != NULL);
    size_t offset = 0;
    struct cpio_entry e;
    KASSERT_EQ(t, cpio_next(archive, l.size, &offset, &e), 0);
    KEXPECT_EQ(t, e.data_offset, 120);
    KEXPECT_EQ(t, offset, 144);
    KEXPECT_EQ(t, l.empty, 144);
    /* empty: 144 + 110 + 6 = 260, aligned; no data, so dir's header is at 260. */
    KASSERT_EQ(t, cpio_next(archive, l.size, &offset, &e), 0);
    KEXPECT_EQ(t, e.data_offset, 260);
    KEXPECT_EQ(t, offset, 260);
    /* dir: 260 + 110 + 4 = 374, padded to 376. */
    KASSERT_EQ(t, cpio_next(archive, l.size, &offset, &e), 0);
    KEXPECT_EQ(t, e.data_offset, 376);
    KEXPECT_EQ(t, offset, 376);
}

KTEST(cpio, accepts_lower_case_hex)
{
    struct cpio_test_layout l;
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    /* The directory's mode 040755 is 0x41ed: write it as GNU cpio's lower-case cousins do. */
    memcpy(cpio_scratch + l.dir + CPIO_NEWC_MAGIC_SIZE + CPIO_FIELD_MODE * CPIO_NEWC_FIELD_DIGITS,
           "000041ed", CPIO_NEWC_FIELD_DIGITS);
    const uint8_t *archive = cpio_test_place(l.size);
    KASSERT(t, archive != NULL);
    struct cpio_entry e;
    KASSERT_EQ(t, cpio_find(archive, l.size, "dir", &e), 0);
    KEXPECT_EQU(t, e.mode, CPIO_MODE_DIRECTORY | 0755u);
}

KTEST(cpio, find_by_exact_name)
{
    struct cpio_test_layout l;
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    const uint8_t *archive = cpio_test_place(l.size);
    KASSERT(t, archive != NULL);
    struct cpio_entry e;
    KASSERT_EQ(t, cpio_find(archive, l.size, "dir/abc", &e), 0);
    KEXPECT_EQ(t, e.offset, l.abc);
    KEXPECT_EQ(t, e.size, 3);
    KEXPECT_EQ(t, memcmp(e.data, "abc", 3), 0);
    KASSERT_EQ(t, cpio_find(archive, l.size, "big", &e), 0);
    KEXPECT_EQ(t, e.offset, l.big);
    KASSERT_EQ(t, cpio_find(archive, l.size, "empty", &e), 0);
    KEXPECT_EQ(t, e.size, 0);
    KEXPECT_EQ(t, e.offset, l.empty);

    struct cpio_entry untouched = { .name = "sentinel" };
    KEXPECT_EQ(t, cpio_find(archive, l.size, "hello", &untouched), -E_NOENT);
    KEXPECT_EQ(t, cpio_find(archive, l.size, "hello.txt2", &untouched), -E_NOENT);
    KEXPECT_EQ(t, cpio_find(archive, l.size, "./hello.txt", &untouched), -E_NOENT);
    KEXPECT_EQ(t, cpio_find(archive, l.size, "dir/", &untouched), -E_NOENT);
    KEXPECT_EQ(t, cpio_find(archive, l.size, CPIO_TRAILER_NAME, &untouched), -E_NOENT);
    KEXPECT_EQ(t, cpio_find(archive, l.size, "", &untouched), -E_NOENT);
    KEXPECT_STREQ(t, untouched.name, "sentinel");
}

KTEST(cpio, find_reports_damage_before_the_name)
{
    struct cpio_test_layout l;
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    cpio_scratch[l.dir] = 'X';
    const uint8_t *archive = cpio_test_place(l.size);
    KASSERT(t, archive != NULL);
    struct cpio_entry e;
    /* Entries before the damage are still found; the damage stops any search past it. */
    KEXPECT_EQ(t, cpio_find(archive, l.size, "empty", &e), 0);
    KEXPECT_EQ(t, cpio_find(archive, l.size, "big", &e), -E_BADMAGIC);
    KEXPECT_EQ(t, cpio_find(archive, l.size, "nothing", &e), -E_BADMAGIC);
}

KTEST(cpio, rejects_truncated_header)
{
    struct cpio_test_layout l;
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    size_t count, wrong = 0;
    /* Every cut inside the first header, and inside the third. */
    for (size_t len = 0; len < CPIO_NEWC_HEADER_SIZE; len++) {
        wrong += cpio_test_walk(len, &count) != -E_TRUNC || count != 0;
        wrong += cpio_test_walk(l.dir + len, &count) != -E_TRUNC || count != 2;
    }
    KEXPECT_EQ(t, wrong, 0);
    /* A cut inside the trailer's header too: the trailer must be whole to count. */
    KEXPECT_EQ(t, cpio_test_walk(l.trailer + CPIO_NEWC_HEADER_SIZE - 1, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, ARRAY_SIZE(cpio_test_files));
    KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_NOENT);
    KEXPECT_EQ(t, count, ARRAY_SIZE(cpio_test_files));
}

KTEST(cpio, rejects_missing_trailer)
{
    struct cpio_test_layout l;
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    size_t count;
    /* Cut cleanly between entries: every entry reads, then no trailer. */
    KEXPECT_EQ(t, cpio_test_walk(l.trailer, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, ARRAY_SIZE(cpio_test_files));
    KEXPECT_EQ(t, cpio_test_walk(l.dir, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, 2);
    /* The last data's padding missing as well: big's 300 bytes end unaligned. */
    struct cpio_entry e;
    const uint8_t *archive = cpio_test_place(l.size);
    KASSERT(t, archive != NULL);
    KASSERT_EQ(t, cpio_find(archive, l.size, "big", &e), 0);
    size_t len = e.data_offset + e.size - 1;
    KEXPECT_EQ(t, cpio_test_walk(len, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, ARRAY_SIZE(cpio_test_files) - 1);
    KEXPECT_EQ(t, cpio_test_walk(len + 1, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, ARRAY_SIZE(cpio_test_files));
    /* An empty archive is not a valid one either. */
    KEXPECT_EQ(t, cpio_test_walk(0, &count), -E_TRUNC);
    struct cpio_builder b;
    cpio_builder_init(&b, cpio_scratch, sizeof(cpio_scratch));
    size_t size = cpio_builder_finish(&b);
    KASSERT_NE(t, size, 0);
    KEXPECT_EQ(t, cpio_test_walk(size, &count), -E_NOENT);
    KEXPECT_EQ(t, count, 0);
}

KTEST(cpio, rejects_bad_magic)
{
    struct cpio_test_layout l;
    size_t count;
    for (size_t i = 0; i < CPIO_NEWC_MAGIC_SIZE; i++) {
        KASSERT_NE(t, cpio_test_build_good(&l), 0);
        cpio_scratch[l.abc + i] ^= 0x01;
        KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_BADMAGIC);
        KEXPECT_EQ(t, count, 3);
    }
    /* The "crc" variant and the old binary and ASCII formats are not newc. */
    static const char *const others[] = { "070702", "070707", "\xc7\x71\x00\x00\x00\x00" };
    for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
        KASSERT_NE(t, cpio_test_build_good(&l), 0);
        memcpy(cpio_scratch, others[i], CPIO_NEWC_MAGIC_SIZE);
        KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_BADMAGIC);
        KEXPECT_EQ(t, count, 0);
    }
}

KTEST(cpio, rejects_non_hex_fields)
{
    /* What a strtoul()-based reader would let through: signs, spaces, "0x", 'g'. */
    static const char bad[] = { 'g', 'G', ' ', '+', '-', 'x', '\0', '/', ':', '@', '`' };
    struct cpio_test_layout l;
    size_t wrong = 0, count;
    for (unsigned f = 0; f < CPIO_NEWC_FIELD_COUNT; f++) {
        for (size_t c = 0; c < ARRAY_SIZE(bad); c++) {
            size_t digit = (f + c) % CPIO_NEWC_FIELD_DIGITS; /* every position, over the loop */
            KASSERT_NE(t, cpio_test_build_good(&l), 0);
            cpio_scratch[l.empty + CPIO_NEWC_MAGIC_SIZE + f * CPIO_NEWC_FIELD_DIGITS + digit] =
                (uint8_t)bad[c];
            wrong += cpio_test_walk(l.size, &count) != -E_FORMAT || count != 1;
        }
    }
    KEXPECT_EQ(t, wrong, 0);
}

KTEST(cpio, rejects_bad_name_size)
{
    struct cpio_test_layout l;
    size_t count;
    /* Zero: not even room for the terminator. */
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    struct cpio_builder b = cpio_test_patcher(&l);
    cpio_builder_patch_field(&b, l.abc, CPIO_FIELD_NAMESIZE, 0);
    KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_FORMAT);
    KEXPECT_EQ(t, count, 3);
    /* Running past the end: by one byte, and by as much as the field can say. */
    cpio_builder_patch_field(&b, l.abc, CPIO_FIELD_NAMESIZE,
                             (uint32_t)(l.size - l.abc - CPIO_NEWC_HEADER_SIZE + 1));
    KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, 3);
    cpio_builder_patch_field(&b, l.abc, CPIO_FIELD_NAMESIZE, 0xffffffffu);
    KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, 3);
    /* The archive cut just after the name, before its padding. */
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    KEXPECT_EQ(t, cpio_test_walk(l.dir + CPIO_NEWC_HEADER_SIZE + 4, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, 2);
    KEXPECT_EQ(t, cpio_test_walk(l.dir + CPIO_NEWC_HEADER_SIZE + 3, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, 2);
}

KTEST(cpio, rejects_unterminated_name)
{
    struct cpio_test_layout l;
    size_t count;
    /* "hello.txt" with its NUL overwritten: no terminator inside the name size. */
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    cpio_scratch[l.hello + CPIO_NEWC_HEADER_SIZE + 9] = 'X';
    KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_FORMAT);
    KEXPECT_EQ(t, count, 0);
    /* A name size one short leaves the NUL outside the name. */
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    struct cpio_builder b = cpio_test_patcher(&l);
    cpio_builder_patch_field(&b, l.hello, CPIO_FIELD_NAMESIZE, 9);
    KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_FORMAT);
    KEXPECT_EQ(t, count, 0);
    /* One too long takes in a padding byte: a NUL before the last byte is refused too. */
    cpio_builder_patch_field(&b, l.dir, CPIO_FIELD_NAMESIZE, 5);
    cpio_builder_patch_field(&b, l.hello, CPIO_FIELD_NAMESIZE, 10);
    KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_FORMAT);
    KEXPECT_EQ(t, count, 2);
    /* The trailer's name is checked like any other before it is believed. */
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    cpio_builder_patch_field(&b, l.trailer, CPIO_FIELD_NAMESIZE, 10);
    KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_FORMAT);
    KEXPECT_EQ(t, count, ARRAY_SIZE(cpio_test_files));
}

KTEST(cpio, rejects_data_past_the_end)
{
    struct cpio_test_layout l;
    size_t count;
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    struct cpio_builder b = cpio_test_patcher(&l);
    /* big's data runs one byte past the archive when the archive ends just before its end. */
    struct cpio_entry e;
    const uint8_t *archive = cpio_test_place(l.size);
    KASSERT(t, archive != NULL);
    KASSERT_EQ(t, cpio_find(archive, l.size, "big", &e), 0);
    KEXPECT_EQ(t, cpio_test_walk(e.data_offset + e.size - 1, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, ARRAY_SIZE(cpio_test_files) - 1);
    /* A size that reaches past the trailer, and the largest the field can hold. */
    cpio_builder_patch_field(&b, l.big, CPIO_FIELD_FILESIZE,
                             (uint32_t)(l.size - e.data_offset + 1));
    KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, ARRAY_SIZE(cpio_test_files) - 1);
    cpio_builder_patch_field(&b, l.hello, CPIO_FIELD_FILESIZE, 0xffffffffu);
    KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, 0);
    /* Exactly up to the end is fine: the file then swallows the trailer, which goes missing. */
    cpio_builder_patch_field(&b, l.hello, CPIO_FIELD_FILESIZE, sizeof(cpio_hello) - 1);
    cpio_builder_patch_field(&b, l.big, CPIO_FIELD_FILESIZE, (uint32_t)(l.size - e.data_offset));
    KEXPECT_EQ(t, cpio_test_walk(l.size, &count), -E_TRUNC);
    KEXPECT_EQ(t, count, ARRAY_SIZE(cpio_test_files));
}

KTEST(cpio, rejects_bad_offsets)
{
    struct cpio_test_layout l;
    KASSERT_NE(t, cpio_test_build_good(&l), 0);
    const uint8_t *archive = cpio_test_place(l.size);
    KASSERT(t, archive != NULL);
    struct cpio_entry e;
    size_t offset = 2;
    KEXPECT_EQ(t, cpio_next(archive, l.size, &offset, &e), -E_INVAL);
    KEXPECT_EQ(t, offset, 2);
    offset = l.size + CPIO_NEWC_ALIGN;
    KEXPECT_EQ(t, cpio_next(archive, l.size, &offset, &e), -E_INVAL);
    offset = l.empty;
    KEXPECT_EQ(t, cpio_next(archive, l.size, &offset, &e), 0);
    KEXPECT_STREQ(t, e.name, "empty");
}
