/*
 * Fill struct boot_info from the Multiboot2 boot information structure (the
 * x86_64 boot path). The layout facts come from the Multiboot2 specification
 * (version 2.0): an 8-byte header (total_size, reserved) followed by tags,
 * each {u32 type, u32 size, payload}, 8-byte aligned, ending with type 0.
 */
#pragma once

#include "kernel/boot_info.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u /* in eax at entry */

enum mb2_tag_type {
    MB2_TAG_END = 0,
    MB2_TAG_CMDLINE = 1,
    MB2_TAG_LOADER_NAME = 2,
    MB2_TAG_MODULE = 3,
    MB2_TAG_BASIC_MEMINFO = 4,
    MB2_TAG_BOOTDEV = 5,
    MB2_TAG_MMAP = 6,
    MB2_TAG_FRAMEBUFFER = 8,
    MB2_TAG_ELF_SECTIONS = 9,
    MB2_TAG_APM = 10,
    MB2_TAG_EFI32 = 11,
    MB2_TAG_EFI64 = 12,
    MB2_TAG_SMBIOS = 13,
    MB2_TAG_ACPI_OLD = 14,
    MB2_TAG_ACPI_NEW = 15,
    MB2_TAG_NETWORK = 16,
    MB2_TAG_EFI_MMAP = 17,
    MB2_TAG_EFI_BS = 18,
    MB2_TAG_EFI32_IH = 19,
    MB2_TAG_EFI64_IH = 20,
    MB2_TAG_LOAD_BASE_ADDR = 21,
};

enum mb2_mmap_type {
    MB2_MMAP_AVAILABLE = 1,
    MB2_MMAP_RESERVED = 2,
    MB2_MMAP_ACPI_RECLAIMABLE = 3,
    MB2_MMAP_NVS = 4,
    MB2_MMAP_BADRAM = 5,
};

/*
 * Parse the information structure at INFO (physical address INFO_PHYS, at
 * most BUFFER_SIZE bytes readable). Records RAM (type 1), reserved ranges
 * (types 2-5, other types as reserved), the structure itself, boot modules,
 * the command line, the loader name and the ACPI RSDP address. Rejects with
 * a printed message and an error: a total_size smaller than 16 or larger than
 * the buffer (-E_TRUNC), a tag running past the end or smaller than 8 bytes,
 * a missing end tag, a memory map whose entry_size is below 24 or not a
 * multiple of 8, strings without a terminator inside their tag, a module
 * whose end is below its start, RAM ranges that overlap (-E_FORMAT /
 * -E_OVERLAP), and no memory map at all (-E_NOENT).
 */
int mb2_boot_info(struct boot_info *bi, const void *info, size_t buffer_size,
                  uint64_t info_phys) MUST_CHECK;
