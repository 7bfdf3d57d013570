/*
 * struct boot_info: what every boot path (Multiboot2 on x86_64, a devicetree
 * on riscv64 and aarch64) tells the portable kernel, in one normalised form.
 * The arch entry code fills it with the parsers in kernel/lib and then calls
 * kmain(). Ranges are physical, in bytes; the lists are kept sorted by base.
 */
#pragma once

#include <pagoda/types.h>

#define BOOT_MAX_RANGES 64
#define BOOT_MAX_MODULES 8
#define BOOT_CMDLINE_MAX 256
#define BOOT_NAME_MAX 64

enum boot_range_kind {
    BOOT_RANGE_USABLE,   /* RAM the kernel may allocate from */
    BOOT_RANGE_KERNEL,   /* the kernel image */
    BOOT_RANGE_MODULE,   /* a boot module / initrd */
    BOOT_RANGE_DTB,      /* the flattened devicetree blob */
    BOOT_RANGE_FIRMWARE, /* firmware (OpenSBI, BIOS, /reserved-memory, memreserve) */
    BOOT_RANGE_ACPI,     /* ACPI tables (reclaimable after parsing) */
    BOOT_RANGE_ACPI_NVS, /* ACPI non-volatile storage */
    BOOT_RANGE_BAD,      /* defective RAM */
    BOOT_RANGE_BOOTINFO, /* the boot loader's information structure */
    BOOT_RANGE_PAGE_TABLES, /* the kernel's page-table pool */
    BOOT_RANGE_PAGE_METADATA, /* the struct phys_page array */
    BOOT_RANGE_RESERVED, /* anything else that must not be touched */
};

struct boot_range {
    uint64_t base;
    uint64_t size;
    enum boot_range_kind kind;
};

struct boot_module {
    uint64_t base;
    uint64_t size;
    char name[BOOT_NAME_MAX];
};

enum boot_console_kind {
    BOOT_CONSOLE_NONE,
    BOOT_CONSOLE_UART16550_PIO,  /* x86 COM port, base is an I/O port */
    BOOT_CONSOLE_UART16550_MMIO, /* ns16550a, base is physical, reg_shift below */
    BOOT_CONSOLE_PL011,          /* Arm PrimeCell UART */
    BOOT_CONSOLE_SBI,            /* SBI debug console / legacy putchar */
};

struct boot_console {
    enum boot_console_kind kind;
    uint64_t base;
    uint32_t reg_shift;
};

struct boot_info {
    const char *arch;                 /* "x86_64", "riscv64", "aarch64" */
    char board[BOOT_NAME_MAX];        /* devicetree model, or the firmware's name */
    char loader[BOOT_NAME_MAX];       /* boot loader / firmware name if known */
    char cmdline[BOOT_CMDLINE_MAX];

    struct boot_range ram[BOOT_MAX_RANGES];      /* physical RAM as reported */
    size_t ram_count;
    struct boot_range reserved[BOOT_MAX_RANGES]; /* never handed out */
    size_t reserved_count;
    struct boot_module modules[BOOT_MAX_MODULES];
    size_t module_count;

    uint64_t dtb_phys;      /* 0 if none */
    uint64_t dtb_size;
    uint64_t acpi_rsdp;     /* physical address of the RSDP, 0 if none */
    uint32_t cpu_id;        /* boot CPU: hart id, MPIDR affinity, or APIC id */
    struct boot_console console;
};

/* Start from an empty record for ARCH. */
void boot_info_init(struct boot_info *bi, const char *arch);

/*
 * Record a range of RAM or a reserved range. Zero-sized ranges and ranges
 * that wrap past the top of the address space are rejected with E_RANGE;
 * a full table with E_NOSPACE. RAM ranges that overlap an existing RAM
 * range are rejected with E_OVERLAP (firmware that reports RAM twice is
 * lying about one of them). Reserved ranges may overlap each other.
 */
int boot_info_add_ram(struct boot_info *bi, uint64_t base, uint64_t size) MUST_CHECK;
int boot_info_add_reserved(struct boot_info *bi, uint64_t base, uint64_t size,
                           enum boot_range_kind kind) MUST_CHECK;
int boot_info_add_module(struct boot_info *bi, uint64_t base, uint64_t size,
                         const char *name) MUST_CHECK;
void boot_info_set_cmdline(struct boot_info *bi, const char *text, size_t max_len);
/* The boot module called NAME (the initrd is "initrd" on every board), or NULL. */
const struct boot_module *boot_info_find_module(const struct boot_info *bi, const char *name);

/*
 * The usable RAM: every RAM range with every reserved range cut out, in
 * ascending order. Calls FN once per usable piece. Returns the total.
 */
uint64_t boot_info_for_each_usable(const struct boot_info *bi,
                                   void (*fn)(uint64_t base, uint64_t size, void *ctx),
                                   void *ctx);

const char *boot_range_kind_name(enum boot_range_kind kind);

/* Print the memory map as a table on the console. */
void boot_info_print(const struct boot_info *bi);

/* Look up "key=value" (or a bare "key") on the command line. */
bool boot_cmdline_get(const char *cmdline, const char *key, const char **value, size_t *value_len);
bool boot_cmdline_has(const char *cmdline, const char *key);

/*
 * The portable kernel's entry point, called by every arch's boot code once
 * BI is complete and the console works. kmain builds the kernel page
 * directory (kernel_vm_init), which may add reservations to BI.
 */
NORETURN void kmain(struct boot_info *bi);
