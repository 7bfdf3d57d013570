/*
 * The riscv64 hooks of arch/kernel_vm.h: which page-table format the hart
 * gets (Sv39 or Sv48, with or without Svpbmt), what the kernel page
 * directory must map (the image by section, the boot stack above its
 * guard page, the console UART and the exit device in the device window),
 * and what changes once it is active (device pointers move to the window,
 * the boot map is cleared). kernel/kernel_vm.c does the building.
 */
#include "riscv/boot_map.h"
#include "riscv/csr.h"
#include "riscv/exit_device.h"
#include "riscv/layout.h"
#include "riscv/mmu.h"
#include "riscv/pte.h"
#include "riscv/uart16550.h"
#include "kernel/console.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"

#define DEVICE_PAGE PD_PAGE_SIZE
/* The device window ends where the quickmap window begins. */
#define DEVICE_WINDOW_SIZE (KERNEL_QUICKMAP_WINDOW - KERNEL_DEVICE_WINDOW)

unsigned long boot_map_satp;

static const struct pt_format *chosen_format;
static bool hart_sv48, hart_svpbmt;

static struct kernel_mapping made[KERNEL_MAPPINGS_MAX];
static size_t made_count;

/* Where the devices will be once the kernel page directory is active; 0 if not mapped. */
static uintptr_t uart_window_va;
static uintptr_t exit_window_va;

static bool option_is(const char *value, size_t len, const char *word)
{
    return len == strlen(word) && strncmp(value, word, len) == 0;
}

void riscv_mmu_select(const struct boot_info *bi, bool svpbmt)
{
    hart_sv48 = boot_map_satp >> SATP_MODE_SHIFT == SATP_MODE_SV48;
    hart_svpbmt = svpbmt;

    bool sv48 = hart_sv48;
    const char *why = "the widest mode the hart has";
    const char *value;
    size_t len;
    if (boot_cmdline_get(bi->cmdline, "mmu", &value, &len)) {
        if (option_is(value, len, "sv39")) {
            sv48 = false;
            why = "mmu=sv39";
        } else if (option_is(value, len, "sv48")) {
            if (!hart_sv48)
                panic("riscv64: mmu=sv48, but this hart has no Sv48 (satp refused it)");
            sv48 = true;
            why = "mmu=sv48";
        } else {
            panic("riscv64: mmu=%.*s: expected mmu=sv39 or mmu=sv48", (int)len, value);
        }
    }
    if (sv48)
        chosen_format = svpbmt ? &pt_format_sv48_svpbmt : &pt_format_sv48;
    else
        chosen_format = svpbmt ? &pt_format_sv39_svpbmt : &pt_format_sv39;
    kprintf("riscv64: paging %s (%s); Svpbmt %s\n", sv48 ? "Sv48" : "Sv39", why,
            svpbmt ? "used for memory types" : "absent: the PMAs decide memory types");
}

bool riscv_hart_has_sv48(void)
{
    return hart_sv48;
}

bool riscv_hart_has_svpbmt(void)
{
    return hart_svpbmt;
}

const struct pt_format *arch_pt_format(void)
{
    if (!chosen_format)
        panic("arch_pt_format: riscv_mmu_select() has not run");
    return chosen_format;
}

/* The boot map identity-maps the low 256 GiB (riscv/boot_map.h), the table pool included. */
uintptr_t arch_boot_phys_offset(void)
{
    return 0;
}

uintptr_t arch_kernel_virt_offset(void)
{
    return RISCV_KERNEL_VIRT_OFFSET;
}

struct mapping_list {
    struct kernel_mapping *out;
    size_t count, max;
    uintptr_t next_device_va;
};

static void list_add(struct mapping_list *l, const char *name, uintptr_t va, uint64_t pa,
                     uint64_t size, uint32_t prot, enum memory_type type)
{
    if (l->count == l->max)
        panic("riscv64: more than %zu kernel mappings", l->max);
    l->out[l->count++] = (struct kernel_mapping){
        .name = name, .va = va, .pa = pa, .size = size, .prot = prot, .type = type,
    };
}

/* A part of the image, at its link address, backed by where it was loaded. */
static void add_image(struct mapping_list *l, const char *name, const char *start,
                      const char *end, uint32_t prot)
{
    uintptr_t va = (uintptr_t)start;
    list_add(l, name, va, va - RISCV_KERNEL_VIRT_OFFSET, (uint64_t)(end - start), prot,
             MEMORY_TYPE_NORMAL);
}

/*
 * Device registers [PHYS, PHYS+SIZE): the pages holding them go to the next
 * free place in the device window, with an unmapped page after each so an
 * overrun faults. Returns the register block's address in the window.
 */
static uintptr_t add_device(struct mapping_list *l, const char *name, uint64_t phys,
                            uint64_t size)
{
    uint64_t first = ALIGN_DOWN(phys, DEVICE_PAGE);
    uint64_t span = ALIGN_UP(phys + size, DEVICE_PAGE) - first;
    uint64_t used = l->next_device_va - KERNEL_DEVICE_WINDOW;
    if (span + DEVICE_PAGE > DEVICE_WINDOW_SIZE - used)
        panic("riscv64: %s (%llu bytes) does not fit in the device window", name,
              (unsigned long long)size);
    uintptr_t va = l->next_device_va;
    list_add(l, name, va, first, span, PD_READ | PD_WRITE, MEMORY_TYPE_IO);
    l->next_device_va += span + DEVICE_PAGE;
    return va + (uintptr_t)(phys - first);
}

size_t arch_kernel_mappings(const struct boot_info *bi, struct kernel_mapping *out, size_t max)
{
    struct mapping_list l = { .out = out, .max = max, .next_device_va = KERNEL_DEVICE_WINDOW };
    add_image(&l, "kernel text", __text_start, __text_end, PD_READ | PD_EXECUTE);
    add_image(&l, "kernel rodata", __rodata_start, __rodata_end, PD_READ);
    add_image(&l, "kernel data and bss", __data_start, __data_end, PD_READ | PD_WRITE);
    /* __boot_stack_guard, the page between, stays unmapped. */
    add_image(&l, "boot stack", boot_stack_bottom, __boot_stack_end, PD_READ | PD_WRITE);

    uart_window_va = exit_window_va = 0;
    if (bi->console.kind == BOOT_CONSOLE_UART16550_MMIO)
        uart_window_va = add_device(&l, "console UART", bi->console.base,
                                    uart16550_span(bi->console.reg_shift));
    if (riscv_exit_test_device())
        exit_window_va = add_device(&l, "sifive,test device", riscv_exit_test_device(),
                                    SIFIVE_TEST_REG_SIZE);

    made_count = MIN(l.count, ARRAY_SIZE(made));
    memcpy(made, out, made_count * sizeof(made[0]));
    return l.count;
}

const struct kernel_mapping *riscv_kernel_mappings_made(size_t *count)
{
    *count = made_count;
    return made;
}

void boot_map_forget(void)
{
    memset(boot_root_sv39, 0, sizeof(boot_root_sv39));
    memset(boot_root_sv48, 0, sizeof(boot_root_sv48));
}

/* Nothing may print before the console's pointer moves: its old address is gone. */
void arch_kernel_vm_switched(void)
{
    if (uart_window_va)
        uart16550_move(uart_window_va);
    if (exit_window_va)
        riscv_exit_set_test_device(exit_window_va);
    boot_map_forget();
}
