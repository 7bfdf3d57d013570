/*
 * The system calls of Pagoda's minimal user mode, shared by the kernel
 * (kernel/syscall.c) and user programs (user/lib/). Until the capability
 * system arrives, a program talks to the memory server through these few
 * calls, each a thin wrapper over one AddressSpace operation of
 * mm/address_space.h, so that test programs can drive every path of mm/
 * with real faults. How a call is made on each arch: include/arch/user.h.
 *
 * A call returns a value >= 0 on success and -E_* (include/pagoda/errors.h)
 * on failure. Bits and flags use the values below, which are the ABI; the
 * kernel translates them to mm/'s own enums.
 */
#pragma once

enum syscall_number {
    SYS_EXIT = 0,         /* (status): end the program; never returns */
    SYS_WRITE = 1,        /* (buffer, length): print to the console; returns length */
    SYS_MAP = 2,          /* (va, size, access, flags, strategy): anonymous memory; returns its address */
    SYS_MAP_FILE = 3,     /* (va, size, access, flags, path, offset in pages): a file of the initrd */
    SYS_MAP_DEVICE = 4,   /* (va): the board's test device registers; returns USER_DEVICE_* */
    SYS_UNMAP = 5,        /* (va, size) */
    SYS_PROTECT = 6,      /* (va, size, access) */
    SYS_FORK = 7,         /* (): the child's id to the parent, 0 to the child */
    SYS_WAIT = 8,         /* (id): run the child to its end; its status (see USER_STATUS_*) */
    SYS_STAT = 9,         /* (which): one USER_STAT_* figure of the caller's address space, bytes */
    SYS_SET_VOLATILE = 10, /* (va, volatile): of a purgeable region; returns 1 if it had been purged */
    SYS_PURGE = 11,       /* (): reclaim every volatile region of the caller (memory pressure); pages freed */
    SYS_SYNC = 12,        /* (va): write the shared file mapping at VA back; pages written */
    SYS_NOP = 13,         /* (): nothing; returns 0 (the round trip, for benchmarks) */
    SYS_COUNT
};

/* SYS_MAP, SYS_MAP_FILE, SYS_PROTECT access bits. */
#define USER_PROT_READ 1u
#define USER_PROT_WRITE 2u
#define USER_PROT_EXEC 4u

/* SYS_MAP, SYS_MAP_FILE flags. */
#define USER_MAP_SHARED 1u    /* writes are seen by every mapper (and reach the file) */
#define USER_MAP_IMMUTABLE 2u /* can be neither unmapped nor re-protected */
#define USER_MAP_PURGEABLE 4u /* anonymous memory that SYS_SET_VOLATILE may make reclaimable */

/* SYS_MAP strategies (the seed's AllocationStrategy). */
#define USER_STRATEGY_RESERVE 0      /* commit now, allocate on first write */
#define USER_STRATEGY_ALLOCATE_NOW 1 /* commit and allocate now */
#define USER_STRATEGY_NONE 2         /* promise nothing: a write may find no memory */

/* SYS_STAT figures (struct as_stats). */
#define USER_STAT_VIRTUAL 0
#define USER_STAT_RESIDENT 1
#define USER_STAT_SHARED 2
#define USER_STAT_DIRTY_PRIVATE 3
#define USER_STAT_PURGEABLE_VOLATILE 4
#define USER_STAT_CLEAN_INODE 5

/* SYS_MAP_DEVICE: which device the page holds. */
#define USER_DEVICE_UART16550 1 /* an ns16550a, byte-wide registers */
#define USER_DEVICE_PL011 2     /* an Arm PL011 */
#define USER_DEVICE_LOCAL_APIC 3 /* an x86 local APIC */

/*
 * SYS_WAIT status: the child's exit status (0-255), or one of these when
 * the kernel ended it.
 */
#define USER_STATUS_CRASHED 256      /* ShouldCrash: an invalid access or exception */
#define USER_STATUS_OUT_OF_MEMORY 257 /* a fault that found no memory */

/* Where the kernel puts a program's stack: the top of it, and its size. */
#define USER_STACK_TOP 0x7fff0000ull
#define USER_STACK_SIZE (64ull * 1024)
