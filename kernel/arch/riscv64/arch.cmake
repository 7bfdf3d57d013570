# riscv64 on QEMU virt, entered in S-mode by OpenSBI (see docs/boot-riscv64.md).
# The boot path builds the kernel page directory (kernel/kernel_vm.c).
# rv64imac: clang 14 rejects the zicsr/zifencei names, and implies them.
# medany: every symbol is reached PC-relative, which entry.S relies on while
# it runs at the physical load address before jumping to the kernel half.
# -mno-relax: ld.lld 14 cannot relax RISC-V code and rejects R_RISCV_ALIGN.
set(ARCH_SOURCES
  kernel/arch/riscv64/entry.S
  kernel/arch/riscv64/vectors.S
  kernel/arch/riscv64/probe.S
  kernel/arch/riscv64/boot.c
  kernel/arch/riscv64/cpu.c
  kernel/arch/riscv64/kernel_vm.c
  kernel/arch/riscv64/pd_hw.c
  kernel/arch/riscv64/page_ops.S
  kernel/arch/riscv64/pt_format.c
  kernel/arch/riscv64/sbi.c
  kernel/arch/riscv64/trap.c
  kernel/arch/riscv64/uart16550.c
  kernel/arch/riscv64/arch_tests.c
  kernel/arch/riscv64/arch_tests_trap.S
  kernel/arch/riscv64/user.c
  kernel/arch/riscv64/user_board.c
  kernel/arch/riscv64/user_entry.S
  kernel/arch/riscv64/user_tests.c
  kernel/arch/riscv64/user_tests_programs.S
)
set(ARCH_COMPILE_FLAGS -march=rv64imac -mabi=lp64 -mcmodel=medany -mno-relax)
set(ARCH_LINKER_SCRIPT kernel/arch/riscv64/linker.ld)
