# The freestanding kernel for one architecture. kernel/arch/<arch>/arch.cmake
# sets:
#   ARCH_SOURCES        its sources (paths relative to the repository root)
#   ARCH_COMPILE_FLAGS  code-generation flags for C and assembly
#   ARCH_LINKER_SCRIPT  the linker script
# and may define pagoda_arch_post_link(target) to make a boot image.
include(${CMAKE_SOURCE_DIR}/kernel/arch/${ARCH}/arch.cmake)

set(KERNEL_SOURCES
  ${PORTABLE_SOURCES}
  ${MM_SOURCES}
  kernel/main.c
  kernel/panic.c
  kernel/kernel_vm.c
  kernel/bench.c
  kernel/bench_clock.c
  kernel/demo.c
  kernel/initrd_fs.c
  kernel/process.c
  kernel/syscall.c
  kernel/user_fault.c
  kernel/arch/pt/page_directory.c
  mm/kernel_region.c
  mm/kmalloc.c
  mm/mm_init.c
  mm/quickmap.c
)
# In-kernel tests (kernel/tests/, kernel/tests/vm/) and benchmarks (bench/).
file(GLOB KERNEL_TEST_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/kernel/tests/*.c
     ${CMAKE_SOURCE_DIR}/kernel/tests/vm/*.c)
file(GLOB BENCH_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bench/*.c
     ${CMAKE_SOURCE_DIR}/bench/kernel/*.c)

add_executable(pagoda-kernel ${KERNEL_SOURCES} ${KERNEL_TEST_SOURCES} ${BENCH_SOURCES}
               ${PORTABLE_TEST_SOURCES} ${ARCH_SOURCES})
set_target_properties(pagoda-kernel PROPERTIES OUTPUT_NAME pagoda.elf LINK_DEPENDS ${CMAKE_SOURCE_DIR}/${ARCH_LINKER_SCRIPT})
target_include_directories(pagoda-kernel PRIVATE
  ${CMAKE_SOURCE_DIR}
  ${CMAKE_SOURCE_DIR}/include
  ${CMAKE_SOURCE_DIR}/kernel/arch/${ARCH}/include)
target_compile_definitions(pagoda-kernel PRIVATE PAGODA_KERNEL PAGODA_ARCH_${ARCH})
target_compile_options(pagoda-kernel PRIVATE
  ${ARCH_COMPILE_FLAGS}
  -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie -fno-stack-protector
  -fno-omit-frame-pointer -O2 -g
  -ffile-prefix-map=${CMAKE_SOURCE_DIR}/=
  $<$<COMPILE_LANGUAGE:C>:${PAGODA_WARNINGS}>)
target_link_options(pagoda-kernel PRIVATE
  --no-pie -static -nostdlib -z max-page-size=4096
  -T ${CMAKE_SOURCE_DIR}/${ARCH_LINKER_SCRIPT}
  -Map=${CMAKE_BINARY_DIR}/pagoda.map)

if(COMMAND pagoda_arch_post_link)
  pagoda_arch_post_link(pagoda-kernel)
endif()

include(${CMAKE_SOURCE_DIR}/user/user.cmake)

# The boot initrd: tests/initrd/root/, a generated pattern file and the user
# programs (bin/) packed with `cpio -o -H newc` into initrd.cpio beside the
# kernel; the harness passes it to every boot and kernel/tests/vm/initrd_test.c
# reads it back.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
file(GLOB_RECURSE INITRD_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/initrd/root/*)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/initrd.cpio
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/initrd/make_initrd.py
          ${CMAKE_SOURCE_DIR}/tests/initrd/root ${CMAKE_BINARY_DIR}/initrd.cpio
          ${USER_INITRD_ENTRIES}
  DEPENDS ${CMAKE_SOURCE_DIR}/tests/initrd/make_initrd.py ${INITRD_FILES} ${USER_INITRD_DEPENDS}
  COMMENT "Packing the boot initrd")
add_custom_target(pagoda-initrd ALL DEPENDS ${CMAKE_BINARY_DIR}/initrd.cpio)
