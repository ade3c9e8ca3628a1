# SPDX-License-Identifier: MIT
# Runs the header-only and the compiled fingerprint programs and fails unless their outputs are
# byte-identical. Variables: HEADER_ONLY, COMPILED (the two executables).
execute_process(COMMAND "${HEADER_ONLY}" OUTPUT_VARIABLE header_only RESULT_VARIABLE header_only_status)
execute_process(COMMAND "${COMPILED}" OUTPUT_VARIABLE compiled RESULT_VARIABLE compiled_status)
if(NOT header_only_status EQUAL 0 OR NOT compiled_status EQUAL 0)
  message(FATAL_ERROR "a fingerprint program failed: header-only ${header_only_status}, compiled ${compiled_status}")
endif()
if(header_only STREQUAL "")
  message(FATAL_ERROR "the fingerprint printed nothing")
endif()
if(NOT header_only STREQUAL compiled)
  message(FATAL_ERROR "header-only and compiled results differ:\n--- header-only\n${header_only}--- compiled\n${compiled}")
endif()
message(STATUS "header-only and compiled modes agree bit for bit:\n${header_only}")
