// The actors.json span scanner against nlohmann/json: on any bytes it must not crash or read
// past the end, and where nlohmann reads an array of objects, the scanner must find the same
// objects, the same member names in order, and value spans that parse to the same values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "registry/json_spans.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  atr::Result<atr::ArraySpans> spans = atr::scan_array_of_objects(text);
  const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return 0;
  for (const auto& item : doc) {
    if (!item.is_object()) return 0;
  }
  if (!spans || spans->objects.size() != doc.size()) std::abort();
  for (size_t i = 0; i < doc.size(); ++i) {
    const atr::ObjectSpan& object = spans->objects[i];
    // nlohmann keeps the last of duplicate names; compare only objects without duplicates.
    if (object.members.size() != doc[i].size()) continue;
    size_t m = 0;
    for (const auto& [key, value] : doc[i].items()) {
      const atr::MemberSpan& member = object.members[m++];
      if (member.key != key || member.value_end > size || member.value_begin > member.value_end) {
        std::abort();
      }
      const auto reread = nlohmann::ordered_json::parse(
          text.substr(member.value_begin, member.value_end - member.value_begin), nullptr, false);
      if (reread != value) std::abort();
    }
  }
  return 0;
}
