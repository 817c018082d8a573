// actors.json as another tool might leave it: decoding every record and the write path
// (apply_patches) must give a value or an error on any bytes, and a write that succeeds must
// hold its change and keep the number of actors.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "registry/actor_json.h"
#include "registry/json_file_actor_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  atr::Result<nlohmann::json> doc = atr::parse_json_document(text);
  if (!doc || !doc->is_array()) return 0;
  std::string first_ref;
  for (const nlohmann::json& record : *doc) {
    if (!record.is_object()) return 0;
    const atr::Actor actor = atr::decode_actor(record);
    if (first_ref.empty()) first_ref = actor.id.empty() ? actor.name : actor.id;
  }
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
