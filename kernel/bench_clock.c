/* The kernel's benchmark clock: guest instructions, from the arch counter under -icount. */
#include <arch/cpu.h>
#include <pagoda/bench.h>

uint64_t bench_now(void)
{
    return arch_read_cycle_counter() * arch_cycle_counter_scale();
}

const char *bench_unit(void)
{
    return "instr/op";
}
