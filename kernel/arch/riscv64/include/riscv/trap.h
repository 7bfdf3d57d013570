/*
 * The trap frame: what vectors.S saves on the stack when a trap arrives, and
 * what riscv_trap_handle() may change before the trap returns (sepc, to
 * resume somewhere else). The offsets are shared with the assembly, and
 * trap.c pins them to the struct with static asserts.
 */
#pragma once

#define TRAP_FRAME_REG_SIZE 8
#define TRAP_FRAME_REGS 32 /* x0..x31; the x0 slot is unused, so regs[n] is xn */
#define TRAP_FRAME_SEPC (TRAP_FRAME_REGS * TRAP_FRAME_REG_SIZE)
#define TRAP_FRAME_SSTATUS (TRAP_FRAME_SEPC + TRAP_FRAME_REG_SIZE)
#define TRAP_FRAME_SCAUSE (TRAP_FRAME_SSTATUS + TRAP_FRAME_REG_SIZE)
#define TRAP_FRAME_STVAL (TRAP_FRAME_SCAUSE + TRAP_FRAME_REG_SIZE)
#define TRAP_FRAME_SIZE (TRAP_FRAME_STVAL + TRAP_FRAME_REG_SIZE) /* a multiple of 16 */

#ifndef __ASSEMBLER__

#include "riscv/csr.h"
#include <pagoda/fault.h>
#include <pagoda/types.h>

struct riscv_trap_frame {
    uint64_t regs[TRAP_FRAME_REGS];
    uint64_t sepc;    /* where the trap happened; where sret returns to */
    uint64_t sstatus; /* SPP tells whether it came from S or U mode */
    uint64_t scause;
    uint64_t stval;   /* the faulting address for page and access faults */
};

/* The most recent trap as it arrived (before any fixup), kept for tests. */
struct riscv_trap_record {
    struct riscv_trap_frame frame;
    uint64_t count; /* traps taken since boot */
};

/* The entry point stvec points at (vectors.S). */
extern char riscv_trap_vector[];

/* Point stvec at riscv_trap_vector (direct mode). */
void riscv_trap_init(void);

/* Called by vectors.S with the saved state; returns to resume at frame->sepc. */
void riscv_trap_handle(struct riscv_trap_frame *frame);

struct riscv_trap_record riscv_trap_last(void);

/* The name of an exception or interrupt cause ("load page fault"). */
const char *riscv_trap_cause_name(uint64_t scause);

/* Is SCAUSE an instruction, load or store/AMO page fault (12, 13, 15)? */
static inline bool riscv_is_page_fault(uint64_t scause)
{
    return scause == EXC_LOAD_PAGE_FAULT || scause == EXC_STORE_PAGE_FAULT ||
           scause == EXC_INSN_PAGE_FAULT; /* the interrupt bit is clear */
}

/*
 * Does PD hold a leaf for VA, valid as the hardware reads it? Exactly
 * pd_query(PD, VA) == 0, by a walk that only looks at entry kinds: what
 * tells a protection fault from a not-present one.
 */
struct page_directory;
bool riscv_pd_has_leaf(const struct page_directory *pd, uint64_t va);

/*
 * The arch-neutral record of a page fault (SCAUSE one of the above) at
 * STVAL, taken by the instruction at SEPC in MODE: the access from the
 * cause, not-present or protection from the current page directory
 * (riscv_pd_has_leaf).
 */
struct fault riscv_page_fault_decode(uint64_t scause, uint64_t stval, uint64_t sepc,
                                     enum fault_mode mode);

#endif /* __ASSEMBLER__ */
