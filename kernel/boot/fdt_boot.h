/*
 * Fill struct boot_info from a devicetree: the riscv64 and aarch64 boot path.
 */
#pragma once

#include "kernel/boot/fdt.h"
#include "kernel/boot_info.h"

/*
 * Read from the devicetree at physical address DTB_PHYS (mapped at DTB,
 * BUFFER_SIZE bytes readable):
 *   - the board name (/model, else the root's first "compatible");
 *   - RAM: every node with device_type "memory" (all its "reg" entries);
 *   - reservations: the blob itself, the memory-reservation block, and every
 *     child of /reserved-memory that has "reg";
 *   - /chosen: "bootargs" as the command line, linux,initrd-start/-end as a
 *     boot module, and "stdout-path" (else the first ns16550a or pl011 node)
 *     as the console.
 * Returns 0, or the first error with a message printed naming what was wrong.
 */
int fdt_boot_info(struct boot_info *bi, const void *dtb, size_t buffer_size,
                  uint64_t dtb_phys) MUST_CHECK;
