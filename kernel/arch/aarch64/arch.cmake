# The aarch64 kernel: QEMU virt, booted as an arm64 Image (docs/boot-aarch64.md).
set(ARCH_SOURCES
  kernel/arch/aarch64/boot.S
  kernel/arch/aarch64/boot.c
  kernel/arch/aarch64/cpu.c
  kernel/arch/aarch64/kernel_vm_hooks.c
  kernel/arch/aarch64/mmu_boot.c
  kernel/arch/aarch64/pd_hw.c
  kernel/arch/aarch64/page_ops.S
  kernel/arch/aarch64/pl011.c
  kernel/arch/aarch64/probe.S
  kernel/arch/aarch64/psci.c
  kernel/arch/aarch64/pt_format.c
  kernel/arch/aarch64/semihost.S
  kernel/arch/aarch64/trap.c
  kernel/arch/aarch64/user.c
  kernel/arch/aarch64/user_board.c
  kernel/arch/aarch64/user_entry.S
  kernel/arch/aarch64/vectors.S
  kernel/arch/aarch64/arch_tests.c
  kernel/arch/aarch64/user_tests.c
  kernel/arch/aarch64/user_test_programs.S
)
# No FP/SIMD registers in the kernel (nothing to save on traps), and no
# unaligned accesses: they fault on Device memory, and the compiler cannot
# tell which pointers lead there. (C no longer runs with the MMU off, when
# every access is Device memory, but the rule is cheap.)
set(ARCH_COMPILE_FLAGS -march=armv8-a -mgeneral-regs-only -mstrict-align)
set(ARCH_LINKER_SCRIPT kernel/arch/aarch64/linker.ld)

# QEMU (and U-Boot's booti) boot a raw Image: the ELF's loadable bytes from
# the Image header on, laid out by load (physical) address. A bare ELF would
# be started with x0 = 0 and no devicetree.
function(pagoda_arch_post_link target)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${PAGODA_OBJCOPY} -O binary $<TARGET_FILE:${target}> ${CMAKE_BINARY_DIR}/pagoda.img
    BYPRODUCTS ${CMAKE_BINARY_DIR}/pagoda.img
    COMMENT "Making the arm64 Image pagoda.img")
endfunction()
