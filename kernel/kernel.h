/* Kernel-wide facts that do not belong to one subsystem. */
#pragma once

#include "kernel/boot_info.h"

#ifndef PAGODA_VERSION
#define PAGODA_VERSION "0.1"
#endif

/* The boot information kmain() was started with (NULL on the host). */
const struct boot_info *boot_info_current(void);

/* The default run's demonstration of the memory layers (kernel/demo.c). */
void kernel_demo_run(void);
