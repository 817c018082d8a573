// actors.json as another tool might leave it: the reader (simdjson On-Demand) and the write
// path (apply_patches) must give a value or an error on any bytes. The reader is checked
// against nlohmann/json's full parser: whatever that accepts as an array of objects, the
// reader reads with as many actors (text with a NUL byte aside), each located by its bounds; a
// write that succeeds must hold its change and keep the number of actors.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "registry/actor_json.h"
#include "registry/actor_reader.h"
#include "registry/json_file_actor_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  atr::Result<atr::ReadActors> read = atr::read_actors(text);
  atr::Result<nlohmann::json> doc = atr::parse_json_document(text);
  // nlohmann/json stops at a NUL byte and accepts what came before it; the reader refuses the
  // bytes after it, as it should. Only NUL-free text is compared.
  bool objects = doc && doc->is_array() && text.find('\0') == std::string::npos;
  if (objects) {
    for (const nlohmann::json& record : *doc)
      objects = objects && record.is_object();
  }
  if (objects && (!read || read->actors.size() != doc->size())) std::abort();
  if (!read) return 0;
  if (read->bounds.size() != read->actors.size()) std::abort();
  for (const atr::ObjectBounds& b : read->bounds) {
    if (b.begin >= b.end || b.end > text.size() || text[b.begin] != '{' || text[b.end - 1] != '}') {
      std::abort();
    }
  }
  if (!objects || read->actors.empty()) return 0;
  const atr::Actor& first = read->actors.front();
  const std::string first_ref = first.id.empty() ? first.name : first.id;
  if (first_ref.empty()) return 0;
  atr::TrainingDataRecord block;
  block.s3_urls = {"s3://b/actors/x/training_data/a.jpg"};
  block.local_path = "data/actors/x/training_data";
  block.count = 1;
  block.synced = true;
  const std::vector<atr::ActorPatch> patches = {
      atr::ActorPatch{.actor_ref = first_ref, .training_data = block, .good = true}};
  atr::Result<std::string> written = atr::apply_patches(text, patches);
  if (!written) return 0;
  atr::Result<nlohmann::json> reread = atr::parse_json_document(*written);
  if (!reread || !reread->is_array() || reread->size() != doc->size()) std::abort();
  return 0;
}
