# x86_64 on the PC (QEMU q35): GRUB loads the kernel as a Multiboot2 ELF.
# Sets the build contract of cmake/kernel.cmake and adds an optional target,
# `ninja iso`, that wraps pagoda.elf in a bootable GRUB CD image.
set(ARCH_SOURCES
  kernel/arch/x86_64/boot.S
  kernel/arch/x86_64/boot.c
  kernel/arch/x86_64/board_pc.c
  kernel/arch/x86_64/uart16550.c
  kernel/arch/x86_64/gdt.c
  kernel/arch/x86_64/trap.c
  kernel/arch/x86_64/crash.c
  kernel/arch/x86_64/vectors.S
  kernel/arch/x86_64/kernel_map.c
  kernel/arch/x86_64/pd_hw.c
  kernel/arch/x86_64/page_ops.c
  kernel/arch/x86_64/pt_format.c
  kernel/arch/x86_64/cpu.c
  kernel/arch/x86_64/probe.S
  kernel/arch/x86_64/user.c
  kernel/arch/x86_64/user_board.c
  kernel/arch/x86_64/user_entry.S
  kernel/arch/x86_64/arch_tests.c
  kernel/arch/x86_64/user_tests.c
  kernel/arch/x86_64/user_test_code.S
)

set(ARCH_COMPILE_FLAGS
  -mno-red-zone        # traps push their frame onto the interrupted stack
  -mgeneral-regs-only  # the trap path saves no SSE/x87 state
  -fno-asynchronous-unwind-tables
  $<$<COMPILE_LANGUAGE:C>:-mcmodel=kernel>  # linked in the top 2 GiB
)

set(ARCH_LINKER_SCRIPT kernel/arch/x86_64/linker.ld)


# `ninja iso`: pagoda.iso in the build folder, booting pagoda.elf with
# PAGODA_X86_CMDLINE. Not part of the default build (grub-mkrescue is slow
# and optional); tests/qemu makes its own image per command line.
set(PAGODA_X86_CMDLINE "" CACHE STRING "x86_64: kernel command line in pagoda.iso's grub.cfg")

function(pagoda_arch_post_link target)
  find_program(PAGODA_GRUB_MKRESCUE grub-mkrescue)
  if(NOT PAGODA_GRUB_MKRESCUE)
    return()
  endif()
  set(iso_root ${CMAKE_BINARY_DIR}/iso)
  configure_file(${CMAKE_SOURCE_DIR}/kernel/arch/x86_64/grub.cfg.in
                 ${iso_root}/boot/grub/grub.cfg @ONLY)
  add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/pagoda.iso
    COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:${target}> ${iso_root}/boot/pagoda.elf
    COMMAND ${PAGODA_GRUB_MKRESCUE} -o ${CMAKE_BINARY_DIR}/pagoda.iso ${iso_root}
    DEPENDS ${target} ${iso_root}/boot/grub/grub.cfg
    COMMENT "Making pagoda.iso (GRUB, command line \"${PAGODA_X86_CMDLINE}\")"
    VERBATIM)
  add_custom_target(iso DEPENDS ${CMAKE_BINARY_DIR}/pagoda.iso)
endfunction()
