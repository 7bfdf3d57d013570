/*
 * The little a test program needs besides system calls: printing, and a
 * CHECK that ends the program with the failing line number as its exit
 * status (so a kernel test reports which check failed).
 */
#pragma once

#include "syscall.h"

#define PAGE_SIZE 4096ul

/* Each program defines main; _start (ulib.c) calls it with the argument the kernel passed. */
int main(long arg);

void print(const char *text);
void print_number(const char *label, long value);

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            print("CHECK failed: " #cond "\n");                               \
            sys_exit(__LINE__ & 0xff ? __LINE__ & 0xff : 1);                  \
        }                                                                     \
    } while (0)

/* Volatile accesses: the compiler must make every one (each may fault). */
static inline uint64_t peek(uintptr_t va) { return *(volatile uint64_t *)va; }
static inline void poke(uintptr_t va, uint64_t value) { *(volatile uint64_t *)va = value; }
