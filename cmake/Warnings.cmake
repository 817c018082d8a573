# Warning flags live on an INTERFACE target that each of our targets links privately, so
# nothing leaks into third-party code.
add_library(atr_warnings INTERFACE)
target_compile_options(atr_warnings INTERFACE
  -Wall -Wextra -Wpedantic
  -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Woverloaded-virtual -Wold-style-cast
  -Wimplicit-fallthrough -Wformat=2
  -Wno-missing-field-initializers   # designated initializers may omit defaulted fields
  # g++ 12 at -O2/-O3 reports false -Wrestrict errors inside libstdc++ for
  # "literal" + std::string (GCC bugs 105329, 105651); the warning is off until a fixed g++.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
  $<$<BOOL:${ATR_WARNINGS_AS_ERRORS}>:-Werror>)
