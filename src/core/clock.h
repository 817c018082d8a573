#pragma once

#include <chrono>

namespace atr {

/// Where the core gets the time. SystemClock in app/, ManualClock in tests.
class Clock {
 public:
  virtual ~Clock() = default;
  /// The current wall-clock time.
  [[nodiscard]] virtual std::chrono::system_clock::time_point now() const = 0;
};

}  // namespace atr
