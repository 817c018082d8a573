#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace atr::detail {

void check_failed(std::string_view expression, std::string_view message, const char* file,
                  int line) {
  std::fprintf(stderr, "%s:%d: CHECK failed: %.*s (%.*s)\n", file, line,
               static_cast<int>(expression.size()), expression.data(),
               static_cast<int>(message.size()), message.data());
  std::abort();
}

}  // namespace atr::detail
