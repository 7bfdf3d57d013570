/*
 * The register frame vectors.S saves on every exception and hands to
 * aarch64_trap_handle(). The offsets are shared with the assembly and pinned
 * by static asserts in trap.c.
 */
#pragma once

#define TRAP_FRAME_X(n) ((n) * 8) /* x0..x30 */
#define TRAP_FRAME_SP 248         /* the stack pointer before the exception */
#define TRAP_FRAME_ELR 256
#define TRAP_FRAME_SPSR 264
#define TRAP_FRAME_ESR 272
#define TRAP_FRAME_FAR 280
#define TRAP_FRAME_SIZE 288       /* a multiple of 16: SP stays aligned */

/*
 * Which vector was taken: the table's four groups of four. The kinds are the
 * entry's index in the table; one more is used by the stack-overflow path.
 */
#define TRAP_GROUP_CURRENT_SP0 0
#define TRAP_GROUP_CURRENT_SPX 1
#define TRAP_GROUP_LOWER_A64 2
#define TRAP_GROUP_LOWER_A32 3
#define TRAP_TYPE_SYNC 0
#define TRAP_TYPE_IRQ 1
#define TRAP_TYPE_FIQ 2
#define TRAP_TYPE_SERROR 3
#define TRAP_TYPES_PER_GROUP 4
#define TRAP_KIND(group, type) ((group) * TRAP_TYPES_PER_GROUP + (type))
#define TRAP_KIND_COUNT 16
#define TRAP_KIND_STACK_OVERFLOW TRAP_KIND_COUNT


#ifndef __ASSEMBLER__
#include <stdint.h>

struct trap_frame {
    uint64_t x[31];
    uint64_t sp;
    uint64_t elr;
    uint64_t spsr;
    uint64_t esr;
    uint64_t far;
};

/* Called by vectors.S with the saved frame; may edit elr and x[] to resume elsewhere. */
void aarch64_trap_handle(struct trap_frame *frame, uint64_t kind);
#endif
