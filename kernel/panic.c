/*
 * panic(): the end of the line for a broken invariant. The message format
 * "KERNEL PANIC: ..." is what the QEMU test harness looks for.
 */
#include "kernel/panic.h"
#include "kernel/console.h"
#include <arch/cpu.h>

static bool panicking;

void panic(const char *fmt, ...)
{
    arch_interrupts_disable();
    if (panicking) {
        /* A panic while panicking: print nothing more that could fault again. */
        arch_poweroff(EXIT_PANIC_STATUS);
    }
    panicking = true;

    va_list ap;
    va_start(ap, fmt);
    kprintf("\nKERNEL PANIC: ");
    kvprintf(fmt, ap);
    kprintf("\n");
    va_end(ap);
    kprintf("pagoda: powering off after panic\n");
    arch_poweroff(EXIT_PANIC_STATUS);
}
