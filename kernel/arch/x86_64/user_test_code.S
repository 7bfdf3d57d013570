/*
 * The machine code of the user_x86 tests (user_tests.c). The programs are
 * data to the kernel: they sit in .rodata between x86_ut_programs and
 * x86_ut_programs_end, are copied word by word into a user code region at
 * UT_CODE_VA, and run there in ring 3. They are position-independent, and
 * the labels inside them are exported so that the tests know each
 * trapping instruction's address (UT_CODE_VA + label - x86_ut_programs).
 * Conventions of user_test_code.h; system calls as include/arch/user.h.
 *
 * After the programs, one kernel function: x86_ut_run_checked, which calls
 * arch_user_run with canaries in every callee-saved register.
 */
#include "kernel/arch/x86_64/user_test_code.h"

/* A label the C side can see. */
.macro LABEL name
    .globl \name
\name:
.endm

/* A system call: number NUMBER, arguments already in rdi rsi rdx r10 r8 r9. */
.macro SYSCALL number
    movl $\number, %eax
    int $0x80
.endm

    .section .rodata
    .balign 8
LABEL x86_ut_programs

/* The first instruction is a system call: the registers as the thread starts. */
LABEL x86_ut_first
    int $0x80
LABEL x86_ut_first_return
    ud2

/*
 * Six arguments and a number; then the result and registers the kernel
 * must have kept, in two more calls; then rflags as the thread sees it
 * (pushfq takes the first, lazily allocated, stack page).
 */
LABEL x86_ut_syscall
    movabs $UT_VALUE_RBX, %rbx
    movabs $UT_VALUE_RBP, %rbp
    movabs $UT_VALUE_RCX, %rcx
    movabs $UT_VALUE_R11, %r11
    movabs $UT_VALUE_R12, %r12
    movabs $UT_VALUE_R13, %r13
    movabs $UT_VALUE_R14, %r14
    movabs $UT_VALUE_R15, %r15
    movabs $UT_ARG0, %rdi
    movabs $UT_ARG1, %rsi
    movabs $UT_ARG2, %rdx
    movabs $UT_ARG3, %r10
    movabs $UT_ARG4, %r8
    movabs $UT_ARG5, %r9
    SYSCALL UT_SYS_ARGS
LABEL x86_ut_syscall_args_return
    movq %rax, %rdi
    movq %rbx, %rsi
    movq %rbp, %rdx
    movq %rcx, %r10
    movq %r11, %r8
    movq %r12, %r9
    SYSCALL UT_SYS_RESULT
LABEL x86_ut_syscall_result_return
    movq %r13, %rdi
    movq %r14, %rsi
    movq %r15, %rdx
    movq %rax, %r10
    movq %cs, %r8
    movq %ss, %r9
    SYSCALL UT_SYS_STATE
LABEL x86_ut_syscall_state_return
LABEL x86_ut_syscall_push
    pushfq
    popq %rdi
    movq %rsp, %rsi
    SYSCALL UT_SYS_FLAGS
LABEL x86_ut_syscall_flags_return
    ud2

/*
 * The direction flag set across a system call: the kernel must run with it
 * clear, and the thread get it back (pushfq takes the first stack page).
 */
LABEL x86_ut_direction
    std
    SYSCALL UT_SYS_DONE
LABEL x86_ut_direction_return
    pushfq
    popq %rdi
    movq %rsp, %rsi
    SYSCALL UT_SYS_FLAGS
    ud2

/* Store UT_STORE_VALUE at rdi, load it back, report both. */
LABEL x86_ut_store
    movabs $UT_STORE_VALUE, %rax
LABEL x86_ut_store_access
    movq %rax, (%rdi)
    movq (%rdi), %rsi
    SYSCALL UT_SYS_DONE
    ud2

/* Load from rdi and report. */
LABEL x86_ut_load
    movq (%rdi), %rsi
    SYSCALL UT_SYS_DONE
    ud2

/* Load from rdi, store the value back. */
LABEL x86_ut_load_store
    movq (%rdi), %rsi
LABEL x86_ut_load_store_access
    movq %rsi, (%rdi)
    SYSCALL UT_SYS_DONE
    ud2

LABEL x86_ut_jump
    jmp *%rdi

/* One exception each. */
LABEL x86_ut_ud2
    ud2
LABEL x86_ut_cli
    cli
LABEL x86_ut_hlt
    hlt
LABEL x86_ut_int3
    int3
LABEL x86_ut_int3_next
    ud2
LABEL x86_ut_divide
    xorl %ecx, %ecx
LABEL x86_ut_divide_access
    divq %rcx
LABEL x86_ut_int_absent
    int $UT_ABSENT_VECTOR

/*
 * A thread's loop: increment the count at UT_DATA_VA (shared by the
 * threads of one address space) and report it with the thread's id (its
 * start argument, kept in r12).
 */
LABEL x86_ut_count
    movq %rdi, %r12
    movabs $UT_DATA_VA, %r13
1:  movq (%r13), %rbx
    incq %rbx
    movq %rbx, (%r13)
    movq %r12, %rdi
    movq %rbx, %rsi
    SYSCALL UT_SYS_COUNT
    jmp 1b

    .balign 8
LABEL x86_ut_programs_end

/* ---------------------------------------------------------------------- */
    .text

/* If REG does not hold VALUE, set BIT in eax. */
.macro EXPECT_CANARY reg, value, bit
    movabs $\value, %rcx
    cmpq %rcx, \reg
    je 1f
    orl $\bit, %eax
1:
.endm

/* unsigned x86_ut_run_checked(struct user_context *ctx, struct user_trap *trap) */
LABEL x86_ut_run_checked
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp      /* aligns the call; holds rsp itself, to check it too */
    movq %rsp, (%rsp)
    movabs $UT_CANARY_RBX, %rbx
    movabs $UT_CANARY_RBP, %rbp
    movabs $UT_CANARY_R12, %r12
    movabs $UT_CANARY_R13, %r13
    movabs $UT_CANARY_R14, %r14
    movabs $UT_CANARY_R15, %r15
    call arch_user_run
    xorl %eax, %eax
    EXPECT_CANARY %rbx, UT_CANARY_RBX, UT_LOST_RBX
    EXPECT_CANARY %rbp, UT_CANARY_RBP, UT_LOST_RBP
    EXPECT_CANARY %r12, UT_CANARY_R12, UT_LOST_R12
    EXPECT_CANARY %r13, UT_CANARY_R13, UT_LOST_R13
    EXPECT_CANARY %r14, UT_CANARY_R14, UT_LOST_R14
    EXPECT_CANARY %r15, UT_CANARY_R15, UT_LOST_R15
    cmpq %rsp, (%rsp)
    je 2f
    orl $UT_LOST_RSP, %eax
2:  addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
