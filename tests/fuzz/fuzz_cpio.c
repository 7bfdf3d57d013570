/*
 * libFuzzer target for the cpio "newc" reader: the input is the archive.
 * libFuzzer hands over a buffer of exactly the input's size, so ASan reports
 * any read past it. Every entry the reader accepts must keep its promises,
 * checked here: name and data inside the archive, the name terminated where
 * its length says, the data aligned, and each step moving forward (so a walk
 * always ends). Then a lookup walks the same archive again.
 */
#include "kernel/boot/cpio.h"
#include <pagoda/errors.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_check_entry(const uint8_t *archive, size_t size, size_t before, size_t after,
                             const struct cpio_entry *e)
{
    const uint8_t *name = (const uint8_t *)e->name;
    const uint8_t *data = e->data;
    if (e->offset != before || after <= before || after > size)
        abort(); /* not moving forward, or leaving the archive */
    if (after - before < CPIO_NEWC_HEADER_SIZE)
        abort(); /* an entry is at least its header */
    if (name < archive || name + e->name_len >= archive + size || name[e->name_len] != '\0')
        abort();
    if (strlen(e->name) != e->name_len)
        abort();
    if (data != archive + e->data_offset || e->data_offset % CPIO_NEWC_ALIGN != 0)
        abort();
    if (e->data_offset > size || e->size > size - e->data_offset ||
        e->data_offset + e->size > after)
        abort();
    /* Touch every byte of the data, so ASan sees a pointer that strays. */
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < e->size; i++)
        sum += data[i];
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t offset = 0, last_entry = 0, entries = 0;
    int err;
    for (;;) {
        struct cpio_entry e;
        size_t before = offset;
        err = cpio_next(data, size, &offset, &e);
        if (err) {
            if (offset != before)
                abort(); /* a refusal leaves the offset alone */
            break;
        }
        fuzz_check_entry(data, size, before, offset, &e);
        last_entry = before;
        entries++;
    }
    /* The lookup must agree with the walk: it finds the same entry, or the same error. */
    struct cpio_entry found;
    if (entries > 0) {
        struct cpio_entry last;
        size_t at = last_entry;
        if (cpio_next(data, size, &at, &last) != 0)
            abort();
        int find_err = cpio_find(data, size, last.name, &found);
        if (find_err != 0 || found.offset > last_entry || strcmp(found.name, last.name) != 0)
            abort();
    }
    /* A name the input may hold too (libFuzzer learns strcmp operands): then it is found. */
    static const char probe[] = "\x01probe";
    int probe_err = cpio_find(data, size, probe, &found);
    if (probe_err == 0 ? strcmp(found.name, probe) != 0 : probe_err != err)
        abort();
    return 0;
}
