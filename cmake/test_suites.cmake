# gaggle_add_test_suites(TARGET ENVIRONMENT env TIMEOUT seconds): one ctest test per
# GoogleTest suite of TARGET, listed after each link (cmake/list_test_suites.cmake).
#
# Why not gtest_discover_tests: it makes one test, so one process, per test case, and
# the unit-test binary takes about 0.45 s to start under ASan (it is half a gigabyte),
# which was half of `make test`'s unit-test time. A suite's tests share one process, as
# they do when the binary runs on its own; ctest -j still runs suites side by side.
function(gaggle_add_test_suites target)
  cmake_parse_arguments(ARG "" "ENVIRONMENT;TIMEOUT" "" ${ARGN})
  set(suites "${CMAKE_CURRENT_BINARY_DIR}/${target}_suites.cmake")
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -D "TEST_BINARY=$<TARGET_FILE:${target}>" -D "OUT=${suites}"
            -D "ENVIRONMENT=${ARG_ENVIRONMENT}" -D "TIMEOUT=${ARG_TIMEOUT}"
            -P "${CMAKE_SOURCE_DIR}/cmake/list_test_suites.cmake"
    BYPRODUCTS "${suites}"
    VERBATIM)
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake")
  file(WRITE "${include_file}"
    "if(EXISTS \"${suites}\")\n  include(\"${suites}\")\nelse()\n"
    "  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
