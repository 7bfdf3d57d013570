/*
 * System calls from user programs: one inline-assembly trap per arch, in
 * the convention of include/arch/user.h, and a typed wrapper per call of
 * include/pagoda/syscall.h.
 */
#pragma once

#include <pagoda/syscall.h>
#include <stddef.h>
#include <stdint.h>

static inline long syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
#if defined(__x86_64__)
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(n), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "memory", "rcx", "r11");
    return ret;
#elif defined(__riscv)
    register long x10 __asm__("a0") = a0;
    register long x11 __asm__("a1") = a1;
    register long x12 __asm__("a2") = a2;
    register long x13 __asm__("a3") = a3;
    register long x14 __asm__("a4") = a4;
    register long x15 __asm__("a5") = a5;
    register long x17 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(x10)
                     : "r"(x11), "r"(x12), "r"(x13), "r"(x14), "r"(x15), "r"(x17)
                     : "memory");
    return x10;
#elif defined(__aarch64__)
    register long x0 __asm__("x0") = a0;
    register long x1 __asm__("x1") = a1;
    register long x2 __asm__("x2") = a2;
    register long x3 __asm__("x3") = a3;
    register long x4 __asm__("x4") = a4;
    register long x5 __asm__("x5") = a5;
    register long x8 __asm__("x8") = n;
    __asm__ volatile("svc #0"
                     : "+r"(x0)
                     : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x8)
                     : "memory");
    return x0;
#else
#error "no system-call convention for this architecture"
#endif
}

_Noreturn static inline void sys_exit(int status)
{
    syscall6(SYS_EXIT, status, 0, 0, 0, 0, 0);
    for (;;) {
    }
}

static inline long sys_write(const void *buffer, size_t length)
{
    return syscall6(SYS_WRITE, (long)buffer, (long)length, 0, 0, 0, 0);
}

static inline long sys_map(uintptr_t va, size_t size, unsigned access, unsigned flags,
                           unsigned strategy)
{
    return syscall6(SYS_MAP, (long)va, (long)size, access, flags, strategy, 0);
}

static inline long sys_map_file(uintptr_t va, size_t size, unsigned access, unsigned flags,
                                const char *path, size_t offset_pages)
{
    return syscall6(SYS_MAP_FILE, (long)va, (long)size, access, flags, (long)path,
                    (long)offset_pages);
}

static inline long sys_map_device(uintptr_t va)
{
    return syscall6(SYS_MAP_DEVICE, (long)va, 0, 0, 0, 0, 0);
}

static inline long sys_unmap(uintptr_t va, size_t size)
{
    return syscall6(SYS_UNMAP, (long)va, (long)size, 0, 0, 0, 0);
}

static inline long sys_protect(uintptr_t va, size_t size, unsigned access)
{
    return syscall6(SYS_PROTECT, (long)va, (long)size, access, 0, 0, 0);
}

static inline long sys_fork(void)
{
    return syscall6(SYS_FORK, 0, 0, 0, 0, 0, 0);
}

static inline long sys_wait(long id)
{
    return syscall6(SYS_WAIT, id, 0, 0, 0, 0, 0);
}

static inline long sys_stat(unsigned which)
{
    return syscall6(SYS_STAT, which, 0, 0, 0, 0, 0);
}

static inline long sys_set_volatile(uintptr_t va, int is_volatile)
{
    return syscall6(SYS_SET_VOLATILE, (long)va, is_volatile, 0, 0, 0, 0);
}

static inline long sys_purge(void)
{
    return syscall6(SYS_PURGE, 0, 0, 0, 0, 0, 0);
}

static inline long sys_sync(uintptr_t va)
{
    return syscall6(SYS_SYNC, (long)va, 0, 0, 0, 0, 0);
}

static inline long sys_nop(void)
{
    return syscall6(SYS_NOP, 0, 0, 0, 0, 0, 0);
}
