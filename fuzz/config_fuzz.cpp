// The configuration readers: the same bytes as actor-trainer.toml and as .env. Each gives
// settings or an error naming the place, never a crash; settings it accepts keep their bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  atr::Settings settings;
  if (atr::parse_toml_settings(text, "actor-trainer.toml", settings)) {
    const atr::DataCheckLimits& limits = settings.limits;
    if (limits.min_images < 1 || limits.min_short_side < 1 ||
        limits.max_images < limits.min_images) {
      std::abort();
    }
    for (const atr::EndpointProfile& e : settings.endpoints) {
      if (!(e.seconds_per_step > 0.0) || !(e.price_per_second >= 0.0)) std::abort();
    }
  }
  (void)atr::parse_dotenv(text);
  return 0;
}
