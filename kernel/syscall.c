/*
 * The system calls: each checks its arguments, translates the ABI's bits
 * (include/pagoda/syscall.h) into mm/'s, and calls one AddressSpace
 * operation; the result (or -E_*) goes back in the thread's result
 * register. Memory the program names (a buffer, a path) is read the way
 * the program would read it, through as_access_word() (its regions and
 * rights checked, faults resolved, the bytes reached through quickmap): the
 * kernel never dereferences a user address.
 */
#include "kernel/syscall.h"
#include "kernel/console.h"
#include "kernel/boot_info.h"
#include "kernel/initrd_fs.h"
#include "kernel/process.h"
#include "mm/vmobject.h"
#include <pagoda/errors.h>
#include <pagoda/syscall.h>

#define PAGE PHYS_PAGE_SIZE
#define WORD sizeof(uint64_t)
#define WRITE_MAX 256    /* bytes SYS_WRITE prints per call */
#define PATH_MAX_BYTES VFILE_NAME_MAX

/* Read LENGTH bytes at user address VA of AS into BUFFER; -E_FAULT if any is not readable. */
static int copy_in(struct address_space *as, uint64_t va, void *buffer, size_t length)
{
    uint8_t *out = buffer;
    for (size_t done = 0; done < length;) {
        uint64_t word_va = ALIGN_DOWN(va + done, WORD);
        struct region *r = as_find_region(as, word_va);
        if (va + done < va || !r || !(r->access & REGION_READ))
            return -E_FAULT;
        uint64_t word;
        if (as_access_word(as, word_va, FAULT_READ, &word) != FAULT_RESPONSE_CONTINUE)
            return -E_FAULT;
        for (unsigned b = (unsigned)(va + done - word_va); b < WORD && done < length; b++)
            out[done++] = (uint8_t)(word >> (8 * b));
    }
    return 0;
}

/* Read a NUL-terminated string of at most SIZE - 1 bytes at VA. */
static int copy_in_string(struct address_space *as, uint64_t va, char *buffer, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        int err = copy_in(as, va + i, &buffer[i], 1);
        if (err)
            return err;
        if (buffer[i] == '\0')
            return 0;
    }
    return -E_RANGE;
}

static bool access_from_abi(uint64_t bits, uint32_t *access)
{
    if (bits == 0 || (bits & ~(uint64_t)(USER_PROT_READ | USER_PROT_WRITE | USER_PROT_EXEC)))
        return false;
    *access = (bits & USER_PROT_READ ? REGION_READ : 0) |
              (bits & USER_PROT_WRITE ? REGION_WRITE : 0) |
              (bits & USER_PROT_EXEC ? REGION_EXECUTE : 0);
    return true;
}

static bool flags_from_abi(uint64_t bits, uint64_t allowed, uint32_t *flags)
{
    if (bits & ~allowed)
        return false;
    *flags = REGION_MMAP | (bits & USER_MAP_SHARED ? REGION_SHARED : 0) |
             (bits & USER_MAP_IMMUTABLE ? REGION_IMMUTABLE : 0) |
             (bits & USER_MAP_PURGEABLE ? REGION_PURGEABLE : 0);
    return true;
}

/* A mapping call's result: the region's address, or the error. */
static int64_t mapped(int err, const struct region *r)
{
    return err ? err : (int64_t)region_base(r);
}

static int64_t sys_write(struct process *p, const uint64_t *a)
{
    char text[WRITE_MAX];
    size_t length = MIN(a[1], sizeof(text));
    int err = copy_in(&p->as, a[0], text, length);
    if (err)
        return err;
    console_write(text, length);
    return (int64_t)length;
}

static int64_t sys_map(struct process *p, const uint64_t *a)
{
    static const enum allocation_strategy strategies[] = {
        [USER_STRATEGY_RESERVE] = ALLOCATION_RESERVE,
        [USER_STRATEGY_ALLOCATE_NOW] = ALLOCATION_ALLOCATE_NOW,
        [USER_STRATEGY_NONE] = ALLOCATION_NONE,
    };
    uint32_t access, flags;
    if (!access_from_abi(a[2], &access) ||
        !flags_from_abi(a[3], USER_MAP_SHARED | USER_MAP_IMMUTABLE | USER_MAP_PURGEABLE, &flags) ||
        a[4] >= ARRAY_SIZE(strategies))
        return -E_INVAL;
    struct region *r;
    int err =
        as_allocate_region(&p->as, a[0], a[1], 0, access, flags, strategies[a[4]], "mmap", &r);
    return mapped(err, r);
}

static int64_t sys_map_file(struct process *p, const uint64_t *a)
{
    uint32_t access, flags;
    if (!access_from_abi(a[2], &access) ||
        !flags_from_abi(a[3], USER_MAP_SHARED | USER_MAP_IMMUTABLE, &flags))
        return -E_INVAL;
    char path[PATH_MAX_BYTES];
    int err = copy_in_string(&p->as, a[4], path, sizeof(path));
    struct vfile *file;
    if (!err)
        err = initrd_fs_open(path, &file);
    if (err)
        return err;
    struct region *r;
    err = as_map_file(&p->as, a[0], a[1], access, flags, file, a[5], file->name, &r);
    return mapped(err, r);
}

static int64_t sys_map_device(struct process *p, const uint64_t *a)
{
    paddr_t base;
    unsigned kind;
    if (!arch_user_test_device(&base, &kind))
        return -E_NOTSUP;
    struct vmobject *device;
    int err = mmio_vmobject_create(base, 1, &device);
    if (err)
        return err;
    struct region *r;
    err = as_map_vmobject(&p->as, a[0], PAGE, 0, REGION_READ | REGION_WRITE, REGION_MMAP,
                          MEMORY_TYPE_IO, device, 0, "device", &r);
    vmobject_unref(device);
    return err ? err : kind;
}

static int64_t sys_fork(struct process *p, const uint64_t *a)
{
    (void)a;
    struct process *child;
    int err = process_fork(p, &child);
    return err ? err : child->id;
}

static int64_t sys_wait(struct process *p, const uint64_t *a)
{
    struct process *child = process_find_child(p, (int)a[0]);
    if (!child || (int64_t)a[0] != child->id)
        return -E_NOENT;
    int status = process_run(child);
    process_destroy(child);
    return status;
}

static int64_t sys_stat(struct process *p, const uint64_t *a)
{
    struct as_stats s;
    as_get_stats(&p->as, &s);
    const uint64_t figures[] = {
        [USER_STAT_VIRTUAL] = s.amount_virtual,
        [USER_STAT_RESIDENT] = s.amount_resident,
        [USER_STAT_SHARED] = s.amount_shared,
        [USER_STAT_DIRTY_PRIVATE] = s.amount_dirty_private,
        [USER_STAT_PURGEABLE_VOLATILE] = s.amount_purgeable_volatile,
        [USER_STAT_CLEAN_INODE] = s.amount_clean_inode,
    };
    return a[0] < ARRAY_SIZE(figures) ? (int64_t)figures[a[0]] : -E_INVAL;
}

static int64_t sys_set_volatile(struct process *p, const uint64_t *a)
{
    struct region *r = as_find_region(&p->as, a[0]);
    if (!r || !(r->flags & REGION_PURGEABLE))
        return -E_INVAL;
    bool purged = false;
    int err = anon_vmobject_set_volatile(r->vmobject, a[1] != 0, &purged);
    return err ? err : purged;
}

static int64_t sys_purge(struct process *p, const uint64_t *a)
{
    (void)a;
    uint64_t freed = 0;
    for (struct region_node *n = region_tree_first(&p->as.regions); n; n = region_tree_next(n)) {
        struct region *r = region_of(n);
        if ((r->flags & REGION_PURGEABLE) && anon_vmobject_is_volatile(r->vmobject))
            freed += as_purge_vmobject(r->vmobject);
    }
    return (int64_t)freed;
}

static int64_t sys_sync(struct process *p, const uint64_t *a)
{
    struct region *r = as_find_region(&p->as, a[0]);
    if (!r)
        return -E_NOENT;
    if (r->vmobject->kind != VMOBJECT_INODE)
        return -E_INVAL;
    uint64_t written;
    int err = as_sync_vmobject(r->vmobject, &written);
    return err ? err : (int64_t)written;
}

static int64_t sys_exit(struct process *p, const uint64_t *a)
{
    p->state = PROCESS_EXITED;
    p->status = (int)(a[0] & 0xff);
    return 0; /* never seen: the thread does not run again */
}

static int64_t sys_unmap(struct process *p, const uint64_t *a)
{
    return as_unmap(&p->as, a[0], a[1]);
}

static int64_t sys_protect(struct process *p, const uint64_t *a)
{
    uint32_t access;
    return access_from_abi(a[2], &access) ? as_protect(&p->as, a[0], a[1], access) : -E_INVAL;
}

static int64_t sys_nop(struct process *p, const uint64_t *a)
{
    (void)p;
    (void)a;
    return 0;
}

/*
 * One handler per call, reached through this table: the dispatcher stays a
 * bounds check and an indirect call, and only the calls that need a large
 * stack frame pay for one.
 */
typedef int64_t (*syscall_fn)(struct process *p, const uint64_t *args);

static const syscall_fn handlers[SYS_COUNT] = {
    [SYS_EXIT] = sys_exit,
    [SYS_WRITE] = sys_write,
    [SYS_MAP] = sys_map,
    [SYS_MAP_FILE] = sys_map_file,
    [SYS_MAP_DEVICE] = sys_map_device,
    [SYS_UNMAP] = sys_unmap,
    [SYS_PROTECT] = sys_protect,
    [SYS_FORK] = sys_fork,
    [SYS_WAIT] = sys_wait,
    [SYS_STAT] = sys_stat,
    [SYS_SET_VOLATILE] = sys_set_volatile,
    [SYS_PURGE] = sys_purge,
    [SYS_SYNC] = sys_sync,
    [SYS_NOP] = sys_nop,
};

void syscall_handle(struct process *p, const struct user_trap *trap)
{
    if (trap->syscall >= SYS_COUNT || !handlers[trap->syscall]) {
        kprintf("process %d (%s): no system call %llu\n", p->id, p->name,
                (unsigned long long)trap->syscall);
        arch_user_set_result(&p->ctx, (uint64_t)(int64_t)-E_NOTSUP);
        return;
    }
    arch_user_set_result(&p->ctx, (uint64_t)handlers[trap->syscall](p, trap->args));
}
