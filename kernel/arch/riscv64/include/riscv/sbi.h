/*
 * Calls into the Supervisor Binary Interface (the firmware below us, OpenSBI
 * on QEMU virt), RISC-V SBI specification v1.0: ecall with the extension id
 * in a7, the function id in a6, arguments in a0-a5; the answer comes back as
 * {error in a0, value in a1}. The legacy extensions (v0.1) return only a0.
 */
#pragma once

/* Extension ids. */
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_EXT_SRST 0x53525354 /* "SRST": system reset */

/* Base extension functions. */
#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXTENSION 3

/* Spec version: major in bits 30:24, minor in bits 23:0. */
#define SBI_SPEC_MAJOR_SHIFT 24
#define SBI_SPEC_MAJOR_MASK 0x7ful
#define SBI_SPEC_MINOR_MASK 0xfffffful

/* Implementation ids we name (SBI spec, table 1). */
#define SBI_IMPL_OPENSBI 1
/* OpenSBI encodes its version as major << 16 | minor. */
#define OPENSBI_VERSION_MAJOR_SHIFT 16
#define OPENSBI_VERSION_MINOR_MASK 0xfffful

/* System reset: function, types and reasons. */
#define SBI_SRST_RESET 0
#define SBI_SRST_TYPE_SHUTDOWN 0
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

#define SBI_SUCCESS 0
#define SBI_ERR_NOT_SUPPORTED (-2)

#ifndef __ASSEMBLER__ /* the ids above are also used by entry.S */

#include "kernel/console.h"
#include <pagoda/types.h>

struct sbi_result {
    long error;
    long value;
};

struct sbi_result sbi_call(unsigned long ext, unsigned long fn, unsigned long arg0,
                           unsigned long arg1, unsigned long arg2);

/* Does the firmware implement extension EXT? (Legacy-only firmware: assumed yes for v0.1 ids.) */
bool sbi_has_extension(unsigned long ext);

/* The console through the firmware: the fallback until a UART is found. */
extern const struct console_driver sbi_console_driver;

/* Write one character through the legacy console (blocks until sent). */
void sbi_console_putchar(char c);

/* Ask the firmware to power off; returns only if it refused. */
void sbi_shutdown(bool failure);

/* "OpenSBI v1.1 (SBI v1.0)" or the like into BUF, for boot_info.loader. */
void sbi_describe_firmware(char *buf, size_t size);

#endif /* __ASSEMBLER__ */
