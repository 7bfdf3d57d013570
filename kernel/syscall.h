/*
 * The system calls of include/pagoda/syscall.h, served for a process
 * (called by process_run() for each USER_TRAP_SYSCALL).
 */
#pragma once

struct process;
struct user_trap;

void syscall_handle(struct process *p, const struct user_trap *trap);
