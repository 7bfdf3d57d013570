# User programs (user/programs/*.c), one static ELF executable each, built
# with the kernel's toolchain for ARCH and packed into the initrd as bin/NAME.
# They link at 4 MiB with user/user.ld; USER_ARCH_FLAGS are the user-mode
# code-generation flags (the kernel's differ: no kernel code model, no red-zone rule).
if(ARCH STREQUAL "x86_64")
  set(USER_ARCH_FLAGS -mgeneral-regs-only)
elseif(ARCH STREQUAL "riscv64")
  set(USER_ARCH_FLAGS -march=rv64imac -mabi=lp64 -mcmodel=medany -mno-relax)
elseif(ARCH STREQUAL "aarch64")
  set(USER_ARCH_FLAGS -march=armv8-a -mgeneral-regs-only)
endif()

add_library(pagoda-ulib OBJECT user/lib/ulib.c)
file(GLOB USER_PROGRAM_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/user/programs/*.c)
set(USER_PROGRAMS)
foreach(source ${USER_PROGRAM_SOURCES})
  get_filename_component(name ${source} NAME_WE)
  add_executable(user-${name} ${source} $<TARGET_OBJECTS:pagoda-ulib>)
  set_target_properties(user-${name} PROPERTIES OUTPUT_NAME ${name}
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/user
    LINK_DEPENDS ${CMAKE_SOURCE_DIR}/user/user.ld)
  target_link_options(user-${name} PRIVATE
    --no-pie -static -nostdlib -z max-page-size=4096 -T ${CMAKE_SOURCE_DIR}/user/user.ld)
  list(APPEND USER_PROGRAMS ${name})
endforeach()

foreach(target pagoda-ulib ${USER_PROGRAMS})
  if(NOT target STREQUAL "pagoda-ulib")
    set(target user-${target})
  endif()
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/user/lib)
  target_compile_options(${target} PRIVATE ${USER_ARCH_FLAGS}
    -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie -fno-stack-protector
    -fno-jump-tables -O2 -g -ffile-prefix-map=${CMAKE_SOURCE_DIR}/=
    ${PAGODA_WARNINGS})
endforeach()

# What make_initrd.py adds to the archive: bin/NAME=built file.
set(USER_INITRD_ENTRIES)
set(USER_INITRD_DEPENDS)
foreach(name ${USER_PROGRAMS})
  list(APPEND USER_INITRD_ENTRIES bin/${name}=$<TARGET_FILE:user-${name}>)
  list(APPEND USER_INITRD_DEPENDS user-${name})
endforeach()
