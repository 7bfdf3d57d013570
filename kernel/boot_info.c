/*
 * Building, querying and printing struct boot_info. Every boot path feeds
 * its ranges through the checks here, so a malformed memory map is caught
 * in one place whichever parser it came from.
 */
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#include <pagoda/errors.h>

void boot_info_init(struct boot_info *bi, const char *arch)
{
    memset(bi, 0, sizeof(*bi));
    bi->arch = arch;
    string_copy(bi->board, sizeof(bi->board), "unknown board", BOOT_NAME_MAX);
}

static bool range_valid(uint64_t base, uint64_t size)
{
    return size != 0 && base + size > base; /* non-empty and not wrapping */
}

static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
    return a < b + b_size && b < a + a_size;
}

/* Insert into a table kept sorted by base. */
static int insert_sorted(struct boot_range *table, size_t *count, struct boot_range r)
{
    if (*count == BOOT_MAX_RANGES)
        return -E_NOSPACE;
    size_t i = *count;
    while (i > 0 && table[i - 1].base > r.base) {
        table[i] = table[i - 1];
        i--;
    }
    table[i] = r;
    (*count)++;
    return 0;
}

int boot_info_add_ram(struct boot_info *bi, uint64_t base, uint64_t size)
{
    if (!range_valid(base, size))
        return -E_RANGE;
    for (size_t i = 0; i < bi->ram_count; i++) {
        if (ranges_overlap(base, size, bi->ram[i].base, bi->ram[i].size))
            return -E_OVERLAP;
    }
    return insert_sorted(bi->ram, &bi->ram_count,
                         (struct boot_range){ base, size, BOOT_RANGE_USABLE });
}

int boot_info_add_reserved(struct boot_info *bi, uint64_t base, uint64_t size,
                           enum boot_range_kind kind)
{
    if (!range_valid(base, size) || kind == BOOT_RANGE_USABLE)
        return -E_RANGE;
    return insert_sorted(bi->reserved, &bi->reserved_count,
                         (struct boot_range){ base, size, kind });
}

int boot_info_add_module(struct boot_info *bi, uint64_t base, uint64_t size, const char *name)
{
    if (!range_valid(base, size))
        return -E_RANGE;
    if (bi->module_count == BOOT_MAX_MODULES)
        return -E_NOSPACE;
    int err = boot_info_add_reserved(bi, base, size, BOOT_RANGE_MODULE);
    if (err)
        return err;
    struct boot_module *m = &bi->modules[bi->module_count++];
    m->base = base;
    m->size = size;
    string_copy(m->name, sizeof(m->name), name ? name : "", BOOT_NAME_MAX);
    return 0;
}

const struct boot_module *boot_info_find_module(const struct boot_info *bi, const char *name)
{
    for (size_t i = 0; bi && i < bi->module_count; i++) {
        if (strcmp(bi->modules[i].name, name) == 0)
            return &bi->modules[i];
    }
    return NULL;
}

void boot_info_set_cmdline(struct boot_info *bi, const char *text, size_t max_len)
{
    string_copy(bi->cmdline, sizeof(bi->cmdline), text, max_len);
}

uint64_t boot_info_for_each_usable(const struct boot_info *bi,
                                   void (*fn)(uint64_t base, uint64_t size, void *ctx), void *ctx)
{
    uint64_t total = 0;
    for (size_t i = 0; i < bi->ram_count; i++) {
        uint64_t pos = bi->ram[i].base;
        uint64_t end = bi->ram[i].base + bi->ram[i].size;
        /*
         * Walk the reserved ranges in order, emitting the gaps between them.
         * Reserved ranges are sorted by base but may overlap, so track the
         * furthest end seen.
         */
        for (size_t j = 0; j < bi->reserved_count && pos < end; j++) {
            uint64_t r_base = bi->reserved[j].base;
            uint64_t r_end = r_base + bi->reserved[j].size;
            if (r_end <= pos || r_base >= end)
                continue;
            if (r_base > pos) {
                if (fn)
                    fn(pos, r_base - pos, ctx);
                total += r_base - pos;
            }
            pos = MAX(pos, r_end);
        }
        if (pos < end) {
            if (fn)
                fn(pos, end - pos, ctx);
            total += end - pos;
        }
    }
    return total;
}

const char *boot_range_kind_name(enum boot_range_kind kind)
{
    switch (kind) {
    case BOOT_RANGE_USABLE:
        return "usable";
    case BOOT_RANGE_KERNEL:
        return "kernel image";
    case BOOT_RANGE_MODULE:
        return "boot module";
    case BOOT_RANGE_DTB:
        return "devicetree";
    case BOOT_RANGE_FIRMWARE:
        return "firmware";
    case BOOT_RANGE_ACPI:
        return "ACPI tables";
    case BOOT_RANGE_ACPI_NVS:
        return "ACPI NVS";
    case BOOT_RANGE_BAD:
        return "bad memory";
    case BOOT_RANGE_BOOTINFO:
        return "boot information";
    case BOOT_RANGE_PAGE_TABLES:
        return "page tables";
    case BOOT_RANGE_PAGE_METADATA:
        return "page metadata";
    case BOOT_RANGE_RESERVED:
        return "reserved";
    }
    return "?";
}

static void print_range(const char *what, uint64_t base, uint64_t size)
{
    char human[32];
    format_size(human, sizeof(human), size);
    kprintf("  0x%016llx-0x%016llx %12s  %s\n", (unsigned long long)base,
            (unsigned long long)(base + size - 1), human, what);
}

static void print_usable(uint64_t base, uint64_t size, void *ctx)
{
    UNUSED(ctx);
    print_range("usable", base, size);
}

void boot_info_print(const struct boot_info *bi)
{
    char human[32];
    uint64_t ram_total = 0;

    kprintf("memory map: %zu RAM range(s), %zu reserved range(s)\n", bi->ram_count,
            bi->reserved_count);
    kprintf("  %-18s %-18s %12s  %s\n", "start", "end", "size", "type");
    for (size_t i = 0; i < bi->ram_count; i++) {
        print_range("RAM", bi->ram[i].base, bi->ram[i].size);
        ram_total += bi->ram[i].size;
    }
    for (size_t i = 0; i < bi->reserved_count; i++)
        print_range(boot_range_kind_name(bi->reserved[i].kind), bi->reserved[i].base,
                    bi->reserved[i].size);
    kprintf("usable RAM after reservations:\n");
    uint64_t usable = boot_info_for_each_usable(bi, print_usable, NULL);

    format_size(human, sizeof(human), ram_total);
    kprintf("RAM %s", human);
    format_size(human, sizeof(human), usable);
    kprintf(", usable %s", human);
    format_size(human, sizeof(human), ram_total - usable);
    kprintf(", reserved %s\n", human);
    for (size_t i = 0; i < bi->module_count; i++) {
        format_size(human, sizeof(human), bi->modules[i].size);
        kprintf("module %zu: %#llx, %s, \"%s\"\n", i, (unsigned long long)bi->modules[i].base,
                human, bi->modules[i].name);
    }
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool boot_cmdline_get(const char *cmdline, const char *key, const char **value, size_t *value_len)
{
    size_t key_len = strlen(key);
    const char *p = cmdline;
    while (*p) {
        while (is_space(*p))
            p++;
        const char *word = p;
        while (*p && !is_space(*p))
            p++;
        size_t word_len = (size_t)(p - word);
        if (word_len < key_len || strncmp(word, key, key_len) != 0)
            continue;
        if (word_len == key_len) {
            if (value)
                *value = word + word_len;
            if (value_len)
                *value_len = 0;
            return true;
        }
        if (word[key_len] == '=') {
            if (value)
                *value = word + key_len + 1;
            if (value_len)
                *value_len = word_len - key_len - 1;
            return true;
        }
    }
    return false;
}

bool boot_cmdline_has(const char *cmdline, const char *key)
{
    return boot_cmdline_get(cmdline, key, NULL, NULL);
}
