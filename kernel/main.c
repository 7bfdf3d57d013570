/*
 * kmain(): where every boot path meets. Prints who we are, builds the kernel
 * page directory and starts the memory manager, prints the memory map and the
 * memory totals, then runs the in-kernel tests if the command line
 * asks for them ("ktest=all" or "ktest=suite,suite"), or the benchmarks
 * ("bench" or "bench=prefix,prefix"), or else a short demonstration of the
 * memory layers (kernel/demo.c), and powers off.
 */
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/kernel.h"
#include "kernel/initrd_fs.h"
#include "kernel/kernel_vm.h"
#include "mm/phys.h"
#include <arch/cpu.h>
#include <pagoda/bench.h>
#include <pagoda/ktest.h>

static const struct boot_info *boot_info_current_ptr __ro_after_init;

const struct boot_info *boot_info_current(void)
{
    return boot_info_current_ptr;
}

static void print_banner(const struct boot_info *bi)
{
    kprintf("\nPagoda %s - a microkernel memory server (%s)\n", PAGODA_VERSION, bi->arch);
    kprintf("board:    %s\n", bi->board);
    if (bi->loader[0])
        kprintf("loader:   %s\n", bi->loader);
    kprintf("boot cpu: %u\n", bi->cpu_id);
    kprintf("cmdline:  \"%s\"\n", bi->cmdline);
    if (bi->dtb_phys)
        kprintf("devicetree at %#llx (%llu bytes)\n", (unsigned long long)bi->dtb_phys,
                (unsigned long long)bi->dtb_size);
    if (bi->acpi_rsdp)
        kprintf("ACPI RSDP at %#llx\n", (unsigned long long)bi->acpi_rsdp);
}

void kmain(struct boot_info *bi)
{
    boot_info_current_ptr = bi;
    print_banner(bi);
    kernel_vm_init(bi);
    boot_info_print(bi);
    phys_print_stats();
    initrd_fs_init(bi);
    kernel_vm_protect_ro_after_init(); /* boot is done: nothing writes that data any more */

    const char *filter;
    size_t filter_len;
    if (boot_cmdline_get(bi->cmdline, "ktest", &filter, &filter_len)) {
        int failed = ktest_run(filter_len ? filter : "all", filter_len ? filter_len : 3);
        kprintf("pagoda: tests %s\n", failed ? "FAILED" : "passed");
        arch_poweroff(failed ? EXIT_FAILURE_STATUS : EXIT_SUCCESS_STATUS);
    }
    if (boot_cmdline_get(bi->cmdline, "bench", &filter, &filter_len))
        bench_run(filter_len ? filter : "all", filter_len ? filter_len : 3);
    else
        kernel_demo_run();

    kprintf("pagoda: boot complete, powering off\n");
    arch_poweroff(EXIT_SUCCESS_STATUS);
}
