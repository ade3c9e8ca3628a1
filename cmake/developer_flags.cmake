# Warning flags for valence's own tests, examples and benchmarks (never imposed on users).
add_library(valence_developer_flags INTERFACE)
target_compile_options(
  valence_developer_flags
  INTERFACE $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-Wall -Wextra -Wpedantic -Wconversion -Wshadow>
            $<$<AND:$<CXX_COMPILER_ID:GNU,Clang,AppleClang>,$<BOOL:${VALENCE_WARNINGS_AS_ERRORS}>>:-Werror>
            $<$<CXX_COMPILER_ID:MSVC>:/W4 /permissive->
            $<$<AND:$<CXX_COMPILER_ID:MSVC>,$<BOOL:${VALENCE_WARNINGS_AS_ERRORS}>>:/WX>)
