/*
 * SBI calls (riscv/sbi.h) and the console that writes through the firmware:
 * the fallback console, available before we know anything about the board.
 */
#include "riscv/sbi.h"
#include "kernel/console.h"
#include "kernel/lib/format.h"

struct sbi_result sbi_call(unsigned long ext, unsigned long fn, unsigned long arg0,
                           unsigned long arg1, unsigned long arg2)
{
    register unsigned long a0 __asm__("a0") = arg0;
    register unsigned long a1 __asm__("a1") = arg1;
    register unsigned long a2 __asm__("a2") = arg2;
    register unsigned long a6 __asm__("a6") = fn;
    register unsigned long a7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
    return (struct sbi_result){ (long)a0, (long)a1 };
}

/* The spec version, or 0 for SBI v0.1, which has no base extension. */
static unsigned long sbi_spec_version(void)
{
    struct sbi_result r = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
    return r.error == SBI_SUCCESS ? (unsigned long)r.value : 0;
}

bool sbi_has_extension(unsigned long ext)
{
    if (sbi_spec_version() == 0)
        return ext < SBI_EXT_BASE; /* v0.1 firmware offers only the legacy calls */
    struct sbi_result r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, ext, 0, 0);
    return r.error == SBI_SUCCESS && r.value != 0;
}

void sbi_console_putchar(char c)
{
    sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0, 0);
}

void sbi_shutdown(bool failure)
{
    if (sbi_has_extension(SBI_EXT_SRST)) {
        sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_TYPE_SHUTDOWN,
                 failure ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE, 0);
    }
    if (sbi_has_extension(SBI_EXT_LEGACY_SHUTDOWN))
        sbi_call(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0);
}

void sbi_describe_firmware(char *buf, size_t size)
{
    unsigned long spec = sbi_spec_version();
    if (spec == 0) {
        ksnprintf(buf, size, "SBI v0.1 firmware");
        return;
    }
    unsigned long spec_major = (spec >> SBI_SPEC_MAJOR_SHIFT) & SBI_SPEC_MAJOR_MASK;
    unsigned long spec_minor = spec & SBI_SPEC_MINOR_MASK;
    long impl = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0).value;
    unsigned long version = (unsigned long)sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0).value;
    if (impl == SBI_IMPL_OPENSBI) {
        ksnprintf(buf, size, "OpenSBI v%lu.%lu (SBI v%lu.%lu)",
                  version >> OPENSBI_VERSION_MAJOR_SHIFT, version & OPENSBI_VERSION_MINOR_MASK,
                  spec_major, spec_minor);
    } else {
        ksnprintf(buf, size, "SBI implementation %ld, version %#lx (SBI v%lu.%lu)", impl,
                  version, spec_major, spec_minor);
    }
}

static void sbi_console_putc(char c)
{
    sbi_console_putchar(c);
}

const struct console_driver sbi_console_driver = {
    .name = "SBI legacy console",
    .putc = sbi_console_putc,
};
