# The host build (ARCH=host), included by the top-level CMakeLists:
#   pagoda-host-tests  the portable kernel sources and every KTEST in
#                      tests/portable/ and tests/host/, under ASan and UBSan;
#                      one ctest entry per suite (host.<suite>)
#   fuzz_fdt, fuzz_multiboot2, fuzz_cpio, fuzz_elf
#                      libFuzzer targets for the boot parsers, and
#   fuzz_phys, fuzz_region_tree, fuzz_pd, fuzz_address_space
#                      for mm/ and the page-table engine against their
#                      reference models, when the compiler has libFuzzer
#                      (clang + libclang-rt-14-dev); ctest runs each for a
#                      bounded time (fuzz.<target>) on fuzz-corpus/<target>
#                      (kept between runs) and the seeds written at build
#                      time to fuzz-seeds/<target>
# and, from tests/qemu/qemu.cmake, the ctest entries that boot each board.
# docs/testing.md says how to run all of this, and the fuzzers for longer.
enable_testing()

set(HOST_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all)
set(HOST_COMPILE_OPTIONS -g -O1 -fno-omit-frame-pointer ${PAGODA_WARNINGS})
# A sanitizer report fails the test: no leak noise from abort() paths, stacks for UB.
set(HOST_TEST_ENVIRONMENT
  "ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:strict_string_checks=1"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

file(GLOB HOST_TEST_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/host/*.c)

function(pagoda_host_flags target)
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/include)
  target_compile_definitions(${target} PRIVATE PAGODA_HOST)
  target_compile_options(${target} PRIVATE ${HOST_COMPILE_OPTIONS})
endfunction()

# --- unit tests ------------------------------------------------------------

# PAGODA_HOST_EXTRA_SOURCES: sources that only the host build links besides
# the portable ones (e.g. every arch's page-table format module, which the brief
# wants tested on the host); set it before this file is included.
# tests/fuzz/seeds.c: the fuzzers' seed inputs, which the host bounds tests also use.
add_executable(pagoda-host-tests ${PORTABLE_SOURCES} ${PAGODA_HOST_EXTRA_SOURCES}
               ${PORTABLE_TEST_SOURCES} ${HOST_TEST_SOURCES} tests/fuzz/seeds.c)
pagoda_host_flags(pagoda-host-tests)
target_compile_options(pagoda-host-tests PRIVATE ${HOST_SANITIZERS})
target_link_options(pagoda-host-tests PRIVATE ${HOST_SANITIZERS})

# One ctest entry per suite, found in the sources (the extra ones may hold
# tests too). Editing a test source re-runs this, so a new suite gets its
# entry at the next build.
set(host_suites "")
foreach(source ${PORTABLE_TEST_SOURCES} ${HOST_TEST_SOURCES} ${PAGODA_HOST_EXTRA_SOURCES})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
  file(READ ${source} text)
  string(REGEX MATCHALL "KTEST\\(([a-z0-9_]+)," found "${text}")
  foreach(match ${found})
    string(REGEX REPLACE "KTEST\\(([a-z0-9_]+)," "\\1" suite "${match}")
    list(APPEND host_suites ${suite})
  endforeach()
endforeach()
list(REMOVE_DUPLICATES host_suites)
list(SORT host_suites)
foreach(suite ${host_suites})
  add_test(NAME host.${suite} COMMAND pagoda-host-tests ${suite})
  set_tests_properties(host.${suite} PROPERTIES LABELS host TIMEOUT 120
    ENVIRONMENT "${HOST_TEST_ENVIRONMENT}")
endforeach()
# The runner must not pass when its filter selects nothing.
add_test(NAME host.unknown_suite_fails COMMAND pagoda-host-tests no_such_suite)
set_tests_properties(host.unknown_suite_fails PROPERTIES LABELS host WILL_FAIL TRUE)

# --- fuzzers -----------------------------------------------------------------

include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_FLAGS -fsanitize=fuzzer)
set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=fuzzer)
check_c_source_compiles([[
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { (void)data; (void)size; return 0; }
]] PAGODA_HAVE_LIBFUZZER)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_LINK_OPTIONS)

if(PAGODA_HAVE_LIBFUZZER)
  set(FUZZ_SEEDS ${CMAKE_BINARY_DIR}/fuzz-seeds)
  set(FUZZ_CORPUS ${CMAKE_BINARY_DIR}/fuzz-corpus)
  set(FUZZ_ARTIFACTS ${CMAKE_BINARY_DIR}/fuzz-artifacts)
  set(FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all)

  # The portable sources again, instrumented for coverage; a static library,
  # so each fuzzer links only what it calls.
  add_library(pagoda-fuzz-portable STATIC ${PORTABLE_SOURCES} tests/fuzz/fuzz_support.c)
  pagoda_host_flags(pagoda-fuzz-portable)
  target_compile_options(pagoda-fuzz-portable PRIVATE -fsanitize=fuzzer-no-link ${FUZZ_SANITIZERS})

  # Seed corpora, written at build time by a host program from the test builders.
  add_executable(pagoda-fuzz-seeds tests/fuzz/make_seeds.c tests/fuzz/seeds.c
                 tests/portable/fdt_builder.c tests/portable/mb2_builder.c
                 tests/portable/cpio_builder.c tests/portable/elf_builder.c
                 kernel/lib/string.c)
  pagoda_host_flags(pagoda-fuzz-seeds)
  add_custom_command(OUTPUT ${FUZZ_SEEDS}/seeds.stamp
    COMMAND pagoda-fuzz-seeds ${FUZZ_SEEDS}
    COMMAND ${CMAKE_COMMAND} -E touch ${FUZZ_SEEDS}/seeds.stamp
    DEPENDS pagoda-fuzz-seeds
    COMMENT "Writing fuzz seed corpora")
  add_custom_target(pagoda-fuzz-seed-corpora ALL DEPENDS ${FUZZ_SEEDS}/seeds.stamp)

  # pagoda_fuzzer(<name> [SEEDS] [INCLUDE_ARCH] SOURCES ...): the target fuzz_<name>
  # from tests/fuzz/fuzz_<name>.c and SOURCES, and the ctest entry fuzz.<name>
  # that runs it for 15 s. New inputs go to the first folder, which stays in the
  # build tree between runs; SEEDS adds the written seed corpus as a second.
  function(pagoda_fuzzer name)
    cmake_parse_arguments(ARG "SEEDS;INCLUDE_ARCH" "" "SOURCES" ${ARGN})
    add_executable(fuzz_${name} tests/fuzz/fuzz_${name}.c ${ARG_SOURCES})
    pagoda_host_flags(fuzz_${name})
    if(ARG_INCLUDE_ARCH)
      target_include_directories(fuzz_${name} PRIVATE ${PAGODA_ARCH_INCLUDE_DIRS})
    endif()
    target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer ${FUZZ_SANITIZERS})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer ${FUZZ_SANITIZERS})
    target_link_libraries(fuzz_${name} PRIVATE pagoda-fuzz-portable)
    set(corpora ${FUZZ_CORPUS}/${name})
    if(ARG_SEEDS)
      add_dependencies(fuzz_${name} pagoda-fuzz-seed-corpora)
      list(APPEND corpora ${FUZZ_SEEDS}/${name})
    endif()
    file(MAKE_DIRECTORY ${FUZZ_CORPUS}/${name} ${FUZZ_ARTIFACTS})
    add_test(NAME fuzz.${name}
      COMMAND fuzz_${name} -max_total_time=15 -timeout=10 -rss_limit_mb=2048
              -print_final_stats=1 -artifact_prefix=${FUZZ_ARTIFACTS}/${name}- ${corpora})
    set_tests_properties(fuzz.${name} PROPERTIES LABELS "host;fuzz" TIMEOUT 60)
  endfunction()

  # The boot parsers, from seed blobs like the boards' own.
  pagoda_fuzzer(fdt SEEDS)
  pagoda_fuzzer(multiboot2 SEEDS)
  # The boot-module archive reader, from an archive like the boards' initrd.
  pagoda_fuzzer(cpio SEEDS)
  # The user-program loader's ELF reader, from programs laid out as ld.lld lays them out.
  pagoda_fuzzer(elf SEEDS SOURCES tests/portable/elf_builder.c)
  # The physical allocator and the region tree against their reference models.
  pagoda_fuzzer(phys SOURCES tests/host/mm/phys_model.c tests/host/mm/host_ram.c
                ${MM_PHYS_SOURCES})
  pagoda_fuzzer(region_tree SOURCES mm/region_tree.c)
  # The page-table engine against the reference model, over every format.
  file(GLOB swmmu_sources ${CMAKE_SOURCE_DIR}/tests/host/swmmu_*.c)
  pagoda_fuzzer(pd INCLUDE_ARCH SOURCES tests/host/pt/pd_model.c tests/host/pt/pd_fixture.c
                tests/host/pt/simphys.c tests/host/pd_hw_host.c ${swmmu_sources}
                kernel/arch/pt/page_directory.c ${PT_FORMAT_SOURCES})
  # Address spaces (mm/ over the engine and every format) against their reference model.
  pagoda_fuzzer(address_space INCLUDE_ARCH SOURCES tests/host/mm/as_model.c
                tests/host/mm/host_ram.c tests/host/mm/kmalloc_host.c tests/host/pt/pd_fixture.c
                tests/host/pt/simphys.c tests/host/pd_hw_host.c ${swmmu_sources}
                kernel/arch/pt/page_directory.c ${PT_FORMAT_SOURCES} ${MM_SOURCES})
else()
  message(STATUS "pagoda: ${CMAKE_C_COMPILER_ID} has no libFuzzer here: fuzz targets and "
                 "fuzz.* tests skipped (use clang with libclang-rt-14-dev)")
endif()

include(${CMAKE_SOURCE_DIR}/tests/qemu/qemu.cmake OPTIONAL)
