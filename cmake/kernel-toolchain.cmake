# Toolchain for a freestanding Pagoda kernel: one clang and ld.lld for every
# architecture. The top-level CMakeLists passes -DARCH=...; the triple and the
# per-arch code-generation flags live in kernel/arch/<arch>/arch.cmake.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR ${ARCH})

find_program(PAGODA_CLANG NAMES clang-14 clang REQUIRED)
find_program(PAGODA_LLD NAMES ld.lld-14 ld.lld REQUIRED)
find_program(PAGODA_OBJCOPY NAMES llvm-objcopy-14 llvm-objcopy REQUIRED)

set(CMAKE_C_COMPILER ${PAGODA_CLANG})
set(CMAKE_ASM_COMPILER ${PAGODA_CLANG})
set(CMAKE_C_COMPILER_TARGET ${ARCH}-unknown-elf)
set(CMAKE_ASM_COMPILER_TARGET ${ARCH}-unknown-elf)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# CMake runs its compiler checks in a separate project: hand ARCH on to it.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ARCH)

# Link with ld.lld directly: the clang driver's bare-metal defaults differ per triple.
set(CMAKE_C_LINK_EXECUTABLE "${PAGODA_LLD} <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_ASM_LINK_EXECUTABLE ${CMAKE_C_LINK_EXECUTABLE})
