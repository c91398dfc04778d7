# Script mode (cmake -P), run after each link of a GoogleTest binary: lists its test suites
# and writes OUT, a ctest file with one test per suite (`--gtest_filter=Suite.*`).
# Inputs: TEST_BINARY, OUT, ENVIRONMENT (one "K=V" for every test), TIMEOUT (seconds).
execute_process(COMMAND "${TEST_BINARY}" --gtest_list_tests
  OUTPUT_VARIABLE listing RESULT_VARIABLE status TIMEOUT 120)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${TEST_BINARY} --gtest_list_tests failed (${status}):\n${listing}")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(script "# Written by cmake/list_test_suites.cmake from ${TEST_BINARY}; do not edit.\n")
set(count 0)
foreach(line IN LISTS lines)
  # Suites start in column 1 and end with '.' (a parameterised one has a comment after it).
  if(line MATCHES "^([A-Za-z0-9_/]+)\\.( .*)?$")
    set(suite "${CMAKE_MATCH_1}")
    string(APPEND script "add_test(\"${suite}\" \"${TEST_BINARY}\" \"--gtest_filter=${suite}.*\")\n"
      "set_tests_properties(\"${suite}\" PROPERTIES ENVIRONMENT \"${ENVIRONMENT}\" TIMEOUT ${TIMEOUT})\n")
    math(EXPR count "${count} + 1")
  endif()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "${TEST_BINARY} lists no test suites")
endif()
file(WRITE "${OUT}.new" "${script}")
file(RENAME "${OUT}.new" "${OUT}")
