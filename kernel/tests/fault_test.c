/*
 * Real page faults through each arch's trap path: a guarded read and write
 * of an address the boot tables leave unmapped must each deliver one
 * arch-neutral fault record to fault_handle() and then fail with E_FAULT.
 */
#include <arch/cpu.h>
#include <pagoda/errors.h>
#include <pagoda/fault.h>
#include <pagoda/ktest.h>

static void check_record(struct ktest *t, uintptr_t addr, enum fault_access access,
                         uint64_t count_before)
{
    struct fault f = fault_last();
    KEXPECT_EQ(t, fault_count(), count_before + 1);
    KEXPECT_EQU(t, f.addr.value, addr);
    KEXPECT_EQ(t, f.access, access);
    KEXPECT_EQ(t, f.cause, FAULT_NOT_PRESENT);
    KEXPECT_EQ(t, f.mode, FAULT_KERNEL);
    KEXPECT_NE(t, f.pc, 0);
}

KTEST(fault, unmapped_read_delivers_record)
{
    uintptr_t addr = arch_unmapped_address();
    uint64_t before = fault_count();
    uint64_t value = 0x1234;
    KEXPECT_EQ(t, arch_probe_read(addr, &value), -E_FAULT);
    KEXPECT_EQU(t, value, 0x1234); /* untouched on failure */
    check_record(t, addr, FAULT_READ, before);
}

KTEST(fault, unmapped_write_delivers_record)
{
    uintptr_t addr = arch_unmapped_address() + 0x18;
    uint64_t before = fault_count();
    KEXPECT_EQ(t, arch_probe_write(addr, 0xdeadbeef), -E_FAULT);
    check_record(t, addr, FAULT_WRITE, before);
}

KTEST(fault, probe_of_mapped_memory_succeeds)
{
    static volatile uint64_t word = 0x5a5a5a5a5a5a5a5aull;
    uint64_t before = fault_count();
    uint64_t value = 0;
    KEXPECT_EQ(t, arch_probe_read((uintptr_t)&word, &value), 0);
    KEXPECT_EQU(t, value, 0x5a5a5a5a5a5a5a5aull);
    KEXPECT_EQ(t, arch_probe_write((uintptr_t)&word, 42), 0);
    KEXPECT_EQU(t, word, 42);
    KEXPECT_EQ(t, fault_count(), before);
}

KTEST(fault, names_are_distinct)
{
    KEXPECT_STREQ(t, fault_access_name(FAULT_READ), "read");
    KEXPECT_STREQ(t, fault_access_name(FAULT_WRITE), "write");
    KEXPECT_STREQ(t, fault_access_name(FAULT_EXECUTE), "execute");
    KEXPECT_STREQ(t, fault_response_name(FAULT_RESPONSE_SHOULD_CRASH), "ShouldCrash");
}
