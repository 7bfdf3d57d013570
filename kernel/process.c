/*
 * Processes: loading a program, the run loop that turns each trap from user
 * mode into a memory-server or system-call decision, fork, and teardown
 * (see process.h for the model).
 */
#include "kernel/process.h"
#include "kernel/boot/elf.h"
#include "kernel/console.h"
#include "kernel/initrd_fs.h"
#include "kernel/kernel_vm.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#include "kernel/syscall.h"
#include "kernel/user_fault.h"
#include "mm/kmalloc.h"
#include <pagoda/errors.h>
#include <pagoda/syscall.h>

#define PAGE PHYS_PAGE_SIZE

/*
 * Address-space tags for processes: [PROCESS_ASID_FIRST, PROCESS_ASID_END),
 * below the 8-bit limit of the smallest ASID space we run on (aarch64
 * without 16-bit ASIDs). Lower tags belong to the in-kernel tests.
 */
#define PROCESS_ASID_FIRST 100
#define PROCESS_ASID_END 256
#define ASID_WORD_BITS 64

static uint64_t asid_used[PROCESS_ASID_END / ASID_WORD_BITS];
static int next_process_id = 1;

static int asid_allocate(uint16_t *out)
{
    for (unsigned a = PROCESS_ASID_FIRST; a < PROCESS_ASID_END; a++) {
        uint64_t bit = UINT64_C(1) << (a % ASID_WORD_BITS);
        if (!(asid_used[a / ASID_WORD_BITS] & bit)) {
            asid_used[a / ASID_WORD_BITS] |= bit;
            *out = (uint16_t)a;
            return 0;
        }
    }
    return -E_NOSPACE;
}

static void asid_free(uint16_t asid)
{
    asid_used[asid / ASID_WORD_BITS] &= ~(UINT64_C(1) << (asid % ASID_WORD_BITS));
}

/* A new process with an empty address space (or CHILD of FROM's), not yet on any list. */
static int process_new(const char *name, struct process *from, struct process **out)
{
    struct process *p = kzalloc(sizeof(*p));
    if (!p)
        return -E_NOMEM;
    uint16_t asid;
    int err = asid_allocate(&asid);
    if (!err) {
        err = from ? as_fork(&from->as, &p->as, asid) : as_create(&p->as, kernel_pd(), asid);
        if (err)
            asid_free(asid);
    }
    if (err) {
        kfree(p);
        return err;
    }
    p->id = next_process_id++;
    ksnprintf(p->name, sizeof(p->name), "%s", name);
    p->state = PROCESS_READY;
    *out = p;
    return 0;
}

static uint32_t segment_access(uint32_t flags)
{
    return (flags & ELF_SEGMENT_READ ? REGION_READ : 0) |
           (flags & ELF_SEGMENT_WRITE ? REGION_WRITE : 0) |
           (flags & ELF_SEGMENT_EXECUTE ? REGION_EXECUTE : 0);
}

/*
 * Zero [VA, END) of a private file mapping: the bytes of the segment's last
 * file page past its file bytes belong to its zero-filled part. Written as
 * the program would write them (copy-on-write from the file's page).
 */
static int zero_tail(struct address_space *as, uint64_t va, uint64_t end)
{
    for (uint64_t word = ALIGN_DOWN(va, 8); word < end; word += 8) {
        uint64_t value = 0;
        if (as_access_word(as, word, FAULT_READ, &value) != FAULT_RESPONSE_CONTINUE)
            return -E_FAULT;
        for (unsigned byte = 0; byte < 8; byte++) {
            if (word + byte >= va && word + byte < end)
                value &= ~(UINT64_C(0xff) << (8 * byte));
        }
        if (as_access_word(as, word, FAULT_WRITE, &value) != FAULT_RESPONSE_CONTINUE)
            return -E_NOMEM;
    }
    return 0;
}

/* Map one PT_LOAD segment: its file pages privately, the rest anonymous. */
static int map_segment(struct process *p, struct vfile *file, const struct elf_segment *s)
{
    uint64_t start = ALIGN_DOWN(s->vaddr, PAGE);
    uint64_t file_end = ALIGN_UP(s->vaddr + s->filesz, PAGE);
    uint64_t end = ALIGN_UP(s->vaddr + s->memsz, PAGE);
    uint32_t access = segment_access(s->flags);
    char name[REGION_NAME_MAX];
    ksnprintf(name, sizeof(name), "%s %c%c%c", p->name, access & REGION_READ ? 'r' : '-',
              access & REGION_WRITE ? 'w' : '-', access & REGION_EXECUTE ? 'x' : '-');
    int err = 0;
    if (s->filesz) {
        /* Writable at first if there are bytes to zero; the rights are set after. */
        bool tail = s->memsz > s->filesz && !IS_ALIGNED(s->vaddr + s->filesz, PAGE);
        err = as_map_file(&p->as, start, file_end - start, access | (tail ? REGION_WRITE : 0), 0,
                          file, ALIGN_DOWN(s->offset, PAGE) / PAGE, name, NULL);
        if (!err && tail)
            err = zero_tail(&p->as, s->vaddr + s->filesz, file_end);
        if (!err && tail && !(access & REGION_WRITE))
            err = as_protect(&p->as, start, file_end - start, access);
    } else {
        file_end = start;
    }
    if (!err && end > file_end)
        err = as_allocate_region(&p->as, file_end, end - file_end, 0, access, 0,
                                 ALLOCATION_RESERVE, name, NULL);
    return err;
}

static int load_program(struct process *p, const char *path, uint64_t arg)
{
    struct vfile *file;
    int err = initrd_fs_open(path, &file);
    if (err)
        return err;
    struct elf_image image;
    err = elf_parse(file->data, file->size, arch_user_elf_machine(), PAGE,
                    MIN(pd_user_limit(&p->as.pd), USER_STACK_TOP - USER_STACK_SIZE - PAGE),
                    &image);
    if (err) {
        kprintf("process: %s is not a %s executable we can run: %s\n", path,
                elf_machine_name(arch_user_elf_machine()), error_name(err));
        return err;
    }
    for (unsigned i = 0; i < image.segment_count && !err; i++)
        err = map_segment(p, file, &image.segments[i]);
    if (!err)
        err = as_allocate_region(&p->as, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE, 0,
                                 REGION_READ | REGION_WRITE, REGION_STACK, ALLOCATION_RESERVE,
                                 "stack", NULL);
    if (!err) {
        arch_user_context_init(&p->ctx, image.entry, USER_STACK_TOP, arg);
        arch_user_sync_icache(); /* the bytes zero_tail() wrote */
    }
    return err;
}

int process_spawn(const char *path, uint64_t arg, struct process **out)
{
    const char *base = path;
    for (const char *c = path; *c; c++) {
        if (*c == '/')
            base = c + 1;
    }
    struct process *p;
    int err = process_new(base, NULL, &p);
    if (err)
        return err;
    err = load_program(p, path, arg);
    if (err) {
        process_destroy(p);
        return err;
    }
    *out = p;
    return 0;
}

int process_fork(struct process *p, struct process **out)
{
    if (p->depth >= PROCESS_MAX_DEPTH)
        return -E_NOSPACE;
    struct process *child;
    int err = process_new(p->name, p, &child);
    if (err)
        return err;
    child->ctx = p->ctx;
    arch_user_set_result(&child->ctx, 0);
    child->parent = p;
    child->depth = p->depth + 1;
    child->next_sibling = p->children;
    p->children = child;
    *out = child;
    return 0;
}

struct process *process_find_child(struct process *p, int id)
{
    for (struct process *c = p->children; c; c = c->next_sibling) {
        if (c->id == id)
            return c;
    }
    return NULL;
}

void process_detach(struct process *child)
{
    struct process **link = &child->parent->children;
    while (*link != child)
        link = &(*link)->next_sibling;
    *link = child->next_sibling;
    child->parent = NULL;
}

void process_destroy(struct process *p)
{
    while (p->children) {
        struct process *c = p->children;
        process_detach(c);
        process_destroy(c);
    }
    if (p->parent)
        process_detach(p);
    uint16_t asid = p->as.pd.asid;
    as_destroy(&p->as);
    asid_free(asid);
    kfree(p);
}

const char *process_status_name(int status, char *buffer, size_t size)
{
    if (status == USER_STATUS_CRASHED)
        return "crashed";
    if (status == USER_STATUS_OUT_OF_MEMORY)
        return "out of memory";
    ksnprintf(buffer, size, "exit %d", status);
    return buffer;
}

static void terminate(struct process *p, const struct user_trap *trap, enum fault_response response)
{
    p->state = PROCESS_KILLED;
    p->last_trap = *trap;
    p->kill_response = response;
    p->status = response == FAULT_RESPONSE_OUT_OF_MEMORY ? USER_STATUS_OUT_OF_MEMORY
                                                         : USER_STATUS_CRASHED;
    if (trap->kind == USER_TRAP_EXCEPTION)
        kprintf("process %d (%s): %s at pc %#lx (cause %#llx): killed\n", p->id, p->name,
                trap->exception, (unsigned long)trap->pc, (unsigned long long)trap->cause);
    else
        kprintf("process %d (%s): user %s of %#lx at pc %#lx: %s: killed\n", p->id, p->name,
                fault_access_name(trap->fault.access), (unsigned long)trap->fault.addr.value,
                (unsigned long)trap->pc, fault_response_name(response));
}

int process_run(struct process *p)
{
    struct page_directory *resume = p->parent ? &p->parent->as.pd : kernel_pd();
    pd_activate(&p->as.pd);
    while (p->state == PROCESS_READY) {
        struct user_trap trap;
        arch_user_run(&p->ctx, &trap);
        switch (trap.kind) {
        case USER_TRAP_SYSCALL:
            p->syscalls++;
            syscall_handle(p, &trap);
            break;
        case USER_TRAP_PAGE_FAULT: {
            enum fault_response response = user_fault_resolve(&p->as, &trap.fault);
            if (response == FAULT_RESPONSE_CONTINUE)
                p->faults++;
            else
                terminate(p, &trap, response);
            break;
        }
        case USER_TRAP_EXCEPTION:
            terminate(p, &trap, FAULT_RESPONSE_SHOULD_CRASH);
            break;
        }
    }
    pd_activate(resume);
    return p->status;
}
