/*
 * The Arm semihosting call (hlt #0xf000 in AArch64, "Semihosting for
 * AArch32 and AArch64", Arm IHI 0093). Under QEMU with -semihosting-config
 * enable=on the debugger side answers it; without, the hlt is an undefined
 * instruction. trap.c recognises that one case by the pc (aarch64_semihost_insn),
 * sets x0 to -E_NOTSUP and resumes at aarch64_semihost_fixup, so callers can
 * fall back to something else.
 */
#define SEMIHOST_HLT_IMMEDIATE 0xf000

    .text

/* int64_t aarch64_semihost_call(uint64_t operation, uint64_t parameter) */
    .global aarch64_semihost_call, aarch64_semihost_insn, aarch64_semihost_fixup
    .balign 4
aarch64_semihost_call:
aarch64_semihost_insn:
    hlt     #SEMIHOST_HLT_IMMEDIATE
aarch64_semihost_fixup:
    ret
