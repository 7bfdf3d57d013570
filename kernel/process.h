/*
 * Processes: a user program in its own address space, run by the kernel
 * until it ends. This is the minimal user mode of issue 5, shaped for the
 * microkernel to come: the arch only enters the thread and reports its next
 * trap (include/arch/user.h); everything after that is here, portable:
 * page faults go to the memory server (user_fault_resolve: pd accessed/dirty
 * bookkeeping, then as_handle_fault), system calls to kernel/syscall.c, and
 * any other trap, an invalid access (ShouldCrash) or a fault that found no
 * memory (OutOfMemory) ends the program, never the kernel.
 *
 * Scheduling is run-to-completion: process_run() runs one program until it
 * ends; SYS_FORK makes a child that runs only when its parent waits for it
 * (SYS_WAIT runs it to its end, nested), and a child never waited for is
 * destroyed with its parent without having run. Each nested wait holds a few
 * hundred bytes of the kernel stack, so the depth of forks is bounded
 * (PROCESS_MAX_DEPTH): a fork bomb is refused, not a kernel stack overflow.
 *
 * A program is a static ELF executable of the initrd: each PT_LOAD segment
 * is mapped privately from the file (copy-on-write over the page cache),
 * the rest of a segment past its file bytes is anonymous zero-fill memory,
 * and the stack is a reserved region of USER_STACK_SIZE below
 * USER_STACK_TOP with a hole under it as its guard.
 */
#pragma once

#include "mm/address_space.h"
#include <arch/user.h>

#define PROCESS_NAME_MAX 32
#define PROCESS_MAX_DEPTH 16 /* forks below a spawned program */

enum process_state {
    PROCESS_READY,  /* created (or forked), not yet run to its end */
    PROCESS_EXITED, /* ended with SYS_EXIT: status is what it passed */
    PROCESS_KILLED, /* ended by the kernel: status is USER_STATUS_CRASHED or _OUT_OF_MEMORY */
};

struct process {
    int id;
    char name[PROCESS_NAME_MAX];
    struct address_space as;
    struct user_context ctx;
    enum process_state state;
    int status;
    struct process *parent;
    unsigned depth;               /* 0 for a spawned program, its parent's + 1 for a fork */
    struct process *children;     /* forked and not yet waited for */
    struct process *next_sibling;
    /* What ended a killed program, for reports and tests. */
    struct user_trap last_trap;
    enum fault_response kill_response;
    /* Counters. */
    uint64_t faults;   /* page faults the memory server resolved */
    uint64_t syscalls;
};

/*
 * Load the program PATH of the initrd into a new process whose thread starts
 * with ARG. Errors: -E_NOENT (no such file), -E_FORMAT and the other
 * elf_parse errors (not an executable for this machine), -E_NOMEM,
 * -E_NOSPACE (no address-space tag left).
 */
int process_spawn(const char *path, uint64_t arg, struct process **out) MUST_CHECK;

/*
 * Run P until it ends (exit, crash or out of memory); returns its status.
 * The caller's page directory is the kernel's or P's parent's, and is active
 * again on return.
 */
int process_run(struct process *p);

/* Release P, with its address space and every child it did not wait for. */
void process_destroy(struct process *p);

/*
 * Make a copy-on-write fork of P (the SYS_FORK path): the child gets 0 from
 * the call. -E_NOSPACE at PROCESS_MAX_DEPTH, or with no address-space tag left.
 */
int process_fork(struct process *p, struct process **out) MUST_CHECK;

/* The child of P called ID, if P has not waited for it yet. */
struct process *process_find_child(struct process *p, int id);

/* Take CHILD off its parent's list (before the parent destroys it after a wait). */
void process_detach(struct process *child);

/* Print a status as people read it: "exit 0", "crashed", "out of memory". */
const char *process_status_name(int status, char *buffer, size_t size);
