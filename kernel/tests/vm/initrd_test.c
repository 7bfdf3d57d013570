/*
 * In-kernel tests of the boot initrd: the archive tests/initrd/make_initrd.py
 * packs and the harness passes to every board (-initrd on riscv64 and
 * aarch64, a Multiboot2 module named "initrd" on x86_64) arrives as a boot
 * module, maps read-only with kregion_map_physical() (it is reserved RAM the
 * allocator never had), and reads back through the cpio reader byte for byte.
 */
#include "kernel/boot/cpio.h"
#include "kernel/kernel.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include "mm/address_space.h"
#include "mm/kernel_region.h"
#include "mm/phys.h"
#include <pagoda/errors.h>
#include <pagoda/ktest.h>

#define PAGE PHYS_PAGE_SIZE
#define INITRD_MODULE_NAME "initrd"
/* What make_initrd.py writes: keep these in step with it. */
#define INITRD_HELLO_NAME "hello.txt"
#define INITRD_HELLO_TEXT "hello from the initrd\n"
#define INITRD_PATTERN_NAME "pattern.bin"
#define INITRD_PATTERN_SIZE 10000u
#define INITRD_PATTERN_PERIOD 251u
#define INITRD_DIR_NAME "etc"

static const struct boot_module *initrd_module(void)
{
    return boot_info_find_module(boot_info_current(), INITRD_MODULE_NAME);
}

static uint64_t initrd_free_pages(void)
{
    struct phys_stats s;
    phys_get_stats(&s);
    return s.free;
}

KTEST(initrd, files_read_back_exactly)
{
    const struct boot_module *m = initrd_module();
    if (!m) {
        ktest_skip(t, "no initrd module was passed");
        return;
    }
    const uint8_t *archive;
    KASSERT_EQ(t, kregion_map_physical(paddr(m->base), m->size, MEMORY_TYPE_NORMAL, PD_READ,
                                       "initrd", (void **)&archive),
               0);
    struct cpio_entry e;
    int err = cpio_find(archive, m->size, INITRD_HELLO_NAME, &e);
    KEXPECT_EQ(t, err, 0);
    if (err == 0) {
        KEXPECT_EQ(t, e.size, sizeof(INITRD_HELLO_TEXT) - 1);
        if (e.size == sizeof(INITRD_HELLO_TEXT) - 1)
            KEXPECT_EQ(t, memcmp(e.data, INITRD_HELLO_TEXT, e.size), 0);
        KEXPECT_EQU(t, e.mode & CPIO_MODE_TYPE_MASK, CPIO_MODE_REGULAR);
    }
    err = cpio_find(archive, m->size, INITRD_PATTERN_NAME, &e);
    KEXPECT_EQ(t, err, 0);
    if (err == 0) {
        KEXPECT_EQ(t, e.size, INITRD_PATTERN_SIZE);
        const uint8_t *data = e.data;
        size_t wrong = 0;
        for (size_t i = 0; i < e.size; i++)
            wrong += data[i] != (uint8_t)(i % INITRD_PATTERN_PERIOD);
        KEXPECT_EQ(t, wrong, 0);
    }
    err = cpio_find(archive, m->size, INITRD_DIR_NAME, &e);
    KEXPECT_EQ(t, err, 0);
    if (err == 0)
        KEXPECT_EQU(t, e.mode & CPIO_MODE_TYPE_MASK, CPIO_MODE_DIRECTORY);
    KEXPECT_EQ(t, cpio_find(archive, m->size, "no-such-file", &e), -E_NOENT);
    kregion_free((void *)archive);
}

KTEST(initrd, maps_read_only_at_any_offset)
{
    const struct boot_module *m = initrd_module();
    if (!m) {
        ktest_skip(t, "no initrd module was passed");
        return;
    }
    KASSERT(t, m->size > 2);
    const uint8_t *whole, *inner;
    /* One round first, so the heap's slab for the region record exists before counting. */
    KASSERT_EQ(t, kregion_map_physical(paddr(m->base), m->size, MEMORY_TYPE_NORMAL, PD_READ,
                                       "initrd", (void **)&whole),
               0);
    kregion_free((void *)whole);
    uint64_t before = initrd_free_pages();
    KASSERT_EQ(t, kregion_map_physical(paddr(m->base), m->size, MEMORY_TYPE_NORMAL, PD_READ,
                                       "initrd", (void **)&whole),
               0);
    KEXPECT_EQU(t, (uintptr_t)whole % PAGE, m->base % PAGE);
    struct pd_query_result q;
    KASSERT_EQ(t, pd_query(kernel_pd(), vaddr((uintptr_t)whole), &q), 0);
    KEXPECT_EQU(t, q.phys.value, ALIGN_DOWN(m->base, PAGE));
    KEXPECT(t, !(q.prot & PD_WRITE));
    KEXPECT(t, !(q.prot & PD_EXECUTE));
    /* The last byte's page is mapped too, and is the module's. */
    uintptr_t last = (uintptr_t)whole + m->size - 1;
    KASSERT_EQ(t, pd_query(kernel_pd(), vaddr(ALIGN_DOWN(last, PAGE)), &q), 0);
    KEXPECT_EQU(t, q.phys.value, ALIGN_DOWN(m->base + m->size - 1, PAGE));
    KEXPECT_EQ(t, memcmp(whole, CPIO_NEWC_MAGIC, CPIO_NEWC_MAGIC_SIZE), 0);

    /* An unaligned start (one byte in, across a page boundary too) sees the same bytes. */
    static const uint64_t skips[] = { 1, PAGE - 1, PAGE + 3 };
    for (size_t i = 0; i < ARRAY_SIZE(skips); i++) {
        if (skips[i] + 2 > m->size)
            continue;
        uint64_t size = m->size - skips[i];
        KASSERT_EQ(t, kregion_map_physical(paddr(m->base + skips[i]), size, MEMORY_TYPE_NORMAL,
                                           PD_READ, "initrd-inner", (void **)&inner),
                   0);
        KEXPECT_EQU(t, (uintptr_t)inner % PAGE, (m->base + skips[i]) % PAGE);
        KEXPECT_EQ(t, memcmp(inner, whole + skips[i], size), 0);
        kregion_free((void *)inner);
    }
    kregion_free((void *)whole);
    /* Nothing was allocated for the pages and nothing was given to the allocator. */
    KEXPECT_EQ(t, initrd_free_pages(), before);
    KEXPECT(t, !phys_page_managed(paddr(ALIGN_DOWN(m->base, PAGE))));
}

KTEST(initrd, map_physical_refuses_bad_requests)
{
    void *va;
    paddr_t ram = phys_zero_page(); /* RAM the allocator manages */
    KEXPECT_EQ(t, kregion_map_physical(ram, PAGE, MEMORY_TYPE_NORMAL, PD_READ, "ram", &va),
               -E_OVERLAP);
    KEXPECT_EQ(t, kregion_map_physical(paddr(ram.value + 5), 1, MEMORY_TYPE_NORMAL, PD_READ,
                                       "ram", &va),
               -E_OVERLAP);
    KEXPECT_EQ(t, kregion_map_physical(ram, 0, MEMORY_TYPE_NORMAL, PD_READ, "zero", &va),
               -E_INVAL);
    KEXPECT_EQ(t, kregion_map_physical(ram, PAGE, MEMORY_TYPE_NORMAL, PD_WRITE, "no-read", &va),
               -E_INVAL);
    KEXPECT_EQ(t, kregion_map_physical(ram, PAGE, MEMORY_TYPE_NORMAL, PD_READ | PD_USER, "user",
                                       &va),
               -E_INVAL);
    KEXPECT_EQ(t, kregion_map_physical(paddr(UINT64_MAX - 10), 100, MEMORY_TYPE_NORMAL, PD_READ,
                                       "wrap", &va),
               -E_RANGE);
}

/* A file of the initrd mapped into an address space: read in on fault, written back on sync. */
KTEST(initrd, file_mapping_reads_and_writes_back)
{
    const struct boot_module *m = initrd_module();
    if (!m) {
        ktest_skip(t, "no initrd module was passed");
        return;
    }
    uint8_t *archive;
    KASSERT_EQ(t, kregion_map_physical(paddr(m->base), m->size, MEMORY_TYPE_NORMAL,
                                       PD_READ | PD_WRITE, "initrd", (void **)&archive), 0);
    struct cpio_entry e;
    KASSERT_EQ(t, cpio_find(archive, m->size, INITRD_PATTERN_NAME, &e), 0);
    struct vfile file = { .name = INITRD_PATTERN_NAME, .size = e.size,
                          .data = archive + e.data_offset, .writable = true };
    struct address_space as;
    KASSERT_EQ(t, as_create(&as, kernel_pd(), 5), 0);
    struct region *shared, *private;
    uint64_t pages = (e.size + PAGE - 1) / PAGE;
    KASSERT_EQ(t, as_map_file(&as, 0x20000000, pages * PAGE, REGION_READ | REGION_WRITE,
                              REGION_SHARED, &file, 0, "pattern", &shared), 0);
    KASSERT_EQ(t, as_map_file(&as, 0x30000000, pages * PAGE, REGION_READ | REGION_WRITE, 0,
                              &file, 0, "pattern (private)", &private), 0);
    /* Read in on fault: the word at 8 KiB + 8 is bytes 8200..8207 of the pattern. */
    uint64_t want = 0, got = 0;
    for (unsigned i = 0; i < 8; i++)
        want |= (uint64_t)((2 * PAGE + 8 + i) % INITRD_PATTERN_PERIOD) << (8 * i);
    KEXPECT_EQ(t, as_access_word(&as, 0x20000000 + 2 * PAGE + 8, FAULT_READ, &got),
               FAULT_RESPONSE_CONTINUE);
    KEXPECT_EQU(t, got, want);
    /* A private write stays private; a shared write reaches the file on sync. */
    uint64_t value = 0x7777;
    KEXPECT_EQ(t, as_access_word(&as, 0x30000000 + 8, FAULT_WRITE, &value), FAULT_RESPONSE_CONTINUE);
    uint64_t original;
    memcpy(&original, file.data + 16, sizeof(original));
    value = 0x8888;
    KEXPECT_EQ(t, as_access_word(&as, 0x20000000 + 16, FAULT_WRITE, &value), FAULT_RESPONSE_CONTINUE);
    uint64_t written = 0;
    KASSERT_EQ(t, as_sync_vmobject(shared->vmobject, &written), 0);
    KEXPECT_EQ(t, written, 1);
    uint64_t in_file;
    memcpy(&in_file, file.data + 16, sizeof(in_file));
    KEXPECT_EQU(t, in_file, 0x8888);
    memcpy(&in_file, file.data + 8, sizeof(in_file));
    KEXPECT_NE(t, in_file, 0x7777);
    /* Put the file back as it was, for the other tests. */
    value = original;
    KEXPECT_EQ(t, as_access_word(&as, 0x20000000 + 16, FAULT_WRITE, &value), FAULT_RESPONSE_CONTINUE);
    KASSERT_EQ(t, as_sync_vmobject(shared->vmobject, &written), 0);
    as_destroy(&as);
    KEXPECT(t, file.shared == NULL);
    kregion_free(archive);
}
