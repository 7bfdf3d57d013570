/*
 * Forks as deep as the kernel allows: every process forks a child and waits
 * for it; each child does the same, until a fork is refused. The deepest
 * one exits with its depth and every parent passes its child's status up,
 * so the program's status is the depth the kernel allowed. It must be
 * refused with an error, never overflow the kernel's stack.
 */
#include "ulib.h"

int main(long arg)
{
    (void)arg;
    long depth = 0;
    for (;;) {
        long id = sys_fork();
        if (id == 0) {
            depth++;
            continue;
        }
        if (id < 0)
            return (int)depth;
        return (int)sys_wait(id);
    }
}
