# Boot tests: one ctest entry per board and scenario. Each boots a kernel
# built in ${PAGODA_BUILD_ROOT}/<arch> (./pagoda builds them first) through
# tests/qemu/pagoda_qemu.py, which parses the KTAP report and judges the run.
set(PAGODA_BUILD_ROOT ${CMAKE_BINARY_DIR}/.. CACHE PATH "folder holding the per-arch kernel builds")
set(PAGODA_BOARDS x86_64 riscv64 aarch64 CACHE STRING "boards to boot in ctest")
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(harness ${CMAKE_SOURCE_DIR}/tests/qemu/pagoda_qemu.py)

add_test(NAME harness.ktap COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/qemu/test_ktap.py)
set_tests_properties(harness.ktap PROPERTIES LABELS host)

# pagoda_boot_test(<arch> <name> <expect> <timeout> <cmdline> [qemu args...])
function(pagoda_boot_test arch name expect timeout cmdline)
  set(test boot.${arch}.${name})
  string(JOIN " " qemu_args ${ARGN})
  add_test(NAME ${test}
    COMMAND ${Python3_EXECUTABLE} ${harness} test --arch ${arch}
            --build-dir ${PAGODA_BUILD_ROOT}/${arch} --cmdline "${cmdline}"
            --expect ${expect} --timeout ${timeout} "--qemu-args=${qemu_args}")
  math(EXPR ctest_timeout "${timeout} + 60")
  set_tests_properties(${test} PROPERTIES LABELS ${arch} TIMEOUT ${ctest_timeout})
endfunction()

foreach(arch ${PAGODA_BOARDS})
  # Every in-kernel test, on the default board and at both ends of the sizes we support.
  pagoda_boot_test(${arch} ktest pass 120 "ktest=all")
  pagoda_boot_test(${arch} ktest-128M pass 120 "ktest=all" -m 128M)
  # Every page of 4 GiB goes through quickmap twice; slow riscv64 TCG TLB flushes need the room.
  pagoda_boot_test(${arch} ktest-4G-smp4 pass 300 "ktest=all" -m 4G -smp 4)
  # A plain boot shows the banner and the memory map and powers off cleanly.
  pagoda_boot_test(${arch} run pass 60 "")
  # The harness must catch each way a run can go wrong.
  pagoda_boot_test(${arch} inject-fail fail 60 "ktest=selftest ktest.inject=fail")
  pagoda_boot_test(${arch} inject-panic panic 60 "ktest=selftest ktest.inject=panic")
  pagoda_boot_test(${arch} inject-fault panic 60 "ktest=selftest ktest.inject=fault")
  pagoda_boot_test(${arch} inject-hang hang 10 "ktest=selftest ktest.inject=hang")
  pagoda_boot_test(${arch} unknown-suite fail 60 "ktest=no_such_suite")
endforeach()
