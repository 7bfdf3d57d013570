/* Bringing up the memory manager in the kernel, once the kernel page directory is active. */
#pragma once

struct boot_info;

/*
 * Hand every usable page of BI to mm/phys: carve and map the page metadata
 * array, add one zone per usable range, start quickmap, set aside the zero
 * page. Panics if any of it fails.
 */
void mm_init(struct boot_info *bi);
