/*
 * User programs on the board: each test runs a program of the initrd
 * (user/programs/) in its own address space, with real faults from user
 * mode resolved by the memory server, and checks how it ended, what it
 * touched, and that everything it had came back: every physical page
 * (commitments included) and every kernel heap byte.
 *
 * The programs check themselves where they can (a failed CHECK ends one
 * with the failing line as its exit status, shown here); the kernel side
 * checks what only it can see: the faults taken, the file's data after a
 * write-back, the fault that stopped a crashing program.
 */
#include "kernel/initrd_fs.h"
#include "kernel/lib/string.h"
#include "kernel/process.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include <pagoda/errors.h>
#include <pagoda/ktest.h>
#include <pagoda/syscall.h>

#define PAGE PHYS_PAGE_SIZE

struct leak_check {
    struct phys_stats phys;
    struct kmalloc_stats heap;
};

static void leak_check_start(struct leak_check *c)
{
    phys_get_stats(&c->phys);
    kmalloc_get_stats(&c->heap);
}

static void leak_check_end(struct ktest *t, const struct leak_check *c)
{
    struct phys_stats phys;
    struct kmalloc_stats heap;
    phys_get_stats(&phys);
    kmalloc_get_stats(&heap);
    KEXPECT_EQ(t, phys.committed, c->phys.committed);
    /* Every page is back, but for the empty slabs the heap keeps for reuse. */
    KEXPECT_EQ(t, phys.free + (heap.pages - c->heap.pages), c->phys.free);
    KEXPECT_EQ(t, heap.allocations, c->heap.allocations);
}

/* Spawn PATH with ARG (skipping the test without an initrd); NULL on failure. */
static struct process *spawn(struct ktest *t, const char *path, uint64_t arg)
{
    struct vfile *file;
    if (initrd_fs_open(path, &file) == -E_NOENT) {
        ktest_skip(t, "no initrd with the user programs");
        return NULL;
    }
    struct process *p = NULL;
    int err = process_spawn(path, arg, &p);
    KEXPECT_EQ(t, err, 0);
    return err ? NULL : p;
}

/* Run PATH to its end and expect exit status 0. */
static void run_expecting_success(struct ktest *t, const char *path, uint64_t arg,
                                  uint64_t min_faults)
{
    struct leak_check c;
    leak_check_start(&c);
    struct process *p = spawn(t, path, arg);
    if (!p)
        return;
    int status = process_run(p);
    KEXPECT_EQ(t, status, 0);
    KEXPECT_EQ(t, p->state, PROCESS_EXITED);
    KEXPECT_GE(t, p->faults, min_faults);
    ktest_note(t, "%s: %llu faults resolved, %llu system calls", path,
               (unsigned long long)p->faults, (unsigned long long)p->syscalls);
    process_destroy(p);
    leak_check_end(t, &c);
}

KTEST(user, lazy_zero_fill)
{
    /* 16 pages read (zero page), 5 written: at least 5 zero-fill write faults. */
    run_expecting_success(t, "bin/lazy", 5, 5);
}

KTEST(user, segments_loaded_with_data_rodata_and_zeroed_bss)
{
    run_expecting_success(t, "bin/segments", 0, 3);
}

KTEST(user, copy_on_write_after_fork)
{
    run_expecting_success(t, "bin/cow", 0, 8);
}

KTEST(user, purgeable_memory_purged_and_reported)
{
    run_expecting_success(t, "bin/purge", 0, 8);
}

KTEST(user, bad_requests_are_refused_and_immutable_regions_stay)
{
    run_expecting_success(t, "bin/refusals", 0, 1);
}

KTEST(user, device_register_mapped_into_user_mode)
{
    run_expecting_success(t, "bin/mmio", 0, 1);
}

KTEST(user, file_mappings_shared_and_private)
{
    struct vfile *file;
    if (initrd_fs_open("var/shared.dat", &file) != 0) {
        ktest_skip(t, "no initrd with the user programs");
        return;
    }
    static const uint8_t mark[8] = { 0x21, 0x21, 0x41, 0x44, 0x4f, 0x47, 0x41, 0x50 };
    KASSERT_GE(t, file->size, 16u);
    uint8_t saved[8];
    memcpy(saved, file->data + 8, sizeof(saved));
    KEXPECT_NE(t, memcmp(saved, mark, sizeof(mark)), 0);
    run_expecting_success(t, "bin/files", 0, 4);
    /* The write through the shared mapping reached the file at the sync. */
    KEXPECT_EQ(t, memcmp(file->data + 8, mark, sizeof(mark)), 0);
    memcpy(file->data + 8, saved, sizeof(saved)); /* leave the initrd as it was */
}

/* Run bin/crash with MISTAKE; it must be killed with a ShouldCrash. */
static struct process *run_crash(struct ktest *t, uint64_t mistake, struct leak_check *c)
{
    leak_check_start(c);
    struct process *p = spawn(t, "bin/crash", mistake);
    if (!p)
        return NULL;
    KEXPECT_EQ(t, process_run(p), USER_STATUS_CRASHED);
    KEXPECT_EQ(t, p->state, PROCESS_KILLED);
    KEXPECT_EQ(t, p->kill_response, FAULT_RESPONSE_SHOULD_CRASH);
    return p;
}

static void expect_fault(struct ktest *t, struct process *p, enum fault_access access,
                         uint64_t lowest, uint64_t highest)
{
    KEXPECT_EQ(t, p->last_trap.kind, USER_TRAP_PAGE_FAULT);
    KEXPECT_EQ(t, p->last_trap.fault.access, access);
    KEXPECT_EQ(t, p->last_trap.fault.mode, FAULT_USER);
    KEXPECT_GE(t, p->last_trap.fault.addr.value, lowest);
    KEXPECT_LE(t, p->last_trap.fault.addr.value, highest);
}

/* The mistakes of user/programs/crash.c, and where the programs are linked. */
enum { READ_UNMAPPED, WRITE_READ_ONLY, EXECUTE_DATA, ILLEGAL, READ_KERNEL, STACK_OVERFLOW };
#define PROGRAM_BASE UINT64_C(0x400000)
#define PROGRAM_END UINT64_C(0x500000)

KTEST(user, invalid_accesses_stop_only_the_program)
{
    static const struct {
        uint64_t mistake;
        enum fault_access access;
        uint64_t lowest, highest;
    } cases[] = {
        { READ_UNMAPPED, FAULT_READ, 0, PAGE - 1 },
        { WRITE_READ_ONLY, FAULT_WRITE, PROGRAM_BASE, PROGRAM_END },
        { EXECUTE_DATA, FAULT_EXECUTE, PROGRAM_BASE, PROGRAM_END },
        { READ_KERNEL, FAULT_READ, UINT64_C(0xffffffff80000000), UINT64_C(0xffffffff80000000) },
        { STACK_OVERFLOW, FAULT_WRITE, USER_STACK_TOP - USER_STACK_SIZE - PAGE,
          USER_STACK_TOP - USER_STACK_SIZE - 1 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct leak_check c;
        struct process *p = run_crash(t, cases[i].mistake, &c);
        if (!p)
            return;
        expect_fault(t, p, cases[i].access, cases[i].lowest, cases[i].highest);
        process_destroy(p);
        leak_check_end(t, &c);
    }
}

KTEST(user, illegal_instruction_stops_only_the_program)
{
    struct leak_check c;
    struct process *p = run_crash(t, ILLEGAL, &c);
    if (!p)
        return;
    KEXPECT_EQ(t, p->last_trap.kind, USER_TRAP_EXCEPTION);
    KEXPECT_GE(t, p->last_trap.pc, PROGRAM_BASE);
    KEXPECT_LT(t, p->last_trap.pc, PROGRAM_END);
    process_destroy(p);
    leak_check_end(t, &c);
}

/*
 * Memory the out-of-memory test leaves uncommitted, fewer pages than the
 * uncommitted hog of user/programs/oom.c asks for: it runs out fast at any size.
 */
#define OOM_HEADROOM_PAGES 1024

KTEST(user, out_of_memory_ends_only_the_uncommitted_program)
{
    struct phys_stats s;
    phys_get_stats(&s);
    struct phys_commitment hold = { 0 };
    if (s.uncommitted > OOM_HEADROOM_PAGES)
        KASSERT_EQ(t, phys_commit(s.uncommitted - OOM_HEADROOM_PAGES, &hold), 0);
    /* More than all free memory: the committed request must be refused. */
    run_expecting_success(t, "bin/oom", s.free + s.total / 4, 64);
    phys_uncommit(&hold);
}

KTEST(user, fork_depth_is_bounded)
{
    struct leak_check c;
    leak_check_start(&c);
    struct process *p = spawn(t, "bin/forkbomb", 0);
    if (!p)
        return;
    KEXPECT_EQ(t, process_run(p), PROCESS_MAX_DEPTH);
    process_destroy(p);
    leak_check_end(t, &c);
}

KTEST(user, programs_that_are_not_executables_are_refused)
{
    struct leak_check c;
    leak_check_start(&c);
    struct process *p = NULL;
    KEXPECT_EQ(t, process_spawn("pattern.bin", 0, &p), -E_BADMAGIC);
    KEXPECT_EQ(t, process_spawn("bin/no-such-program", 0, &p), -E_NOENT);
    KEXPECT(t, p == NULL);
    leak_check_end(t, &c);
}
