#include "registry/manifest_json.h"

#include <algorithm>
#include <system_error>

#include "base/files.h"
#include "base/paths.h"
#include "base/strings.h"
#include "core/s3_url.h"
#include "registry/actor_json.h"

namespace atr {
namespace {

using nlohmann::json;

std::optional<std::int64_t> size_at(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  const auto value = it->get<std::int64_t>();
  return value >= 0 ? std::optional(value) : std::nullopt;
}

std::optional<UnixMs> time_at(const json& object, const char* key) {
  const std::string text = json_string(object, key);
  if (text.empty()) return std::nullopt;
  return parse_utc_timestamp(text);
}

// 7 from "V7" or "v7"; else from a file name "actor_6_V7.safetensors"; 0 when neither says.
int version_number(const std::string& version, const std::string& filename) {
  auto digits_after_v = [](std::string_view text) -> int {
    if (text.size() < 2 || (text[0] != 'V' && text[0] != 'v')) return 0;
    const std::string_view digits = text.substr(1);
    if (!is_digits(digits) || digits.size() > 6) return 0;
    return std::stoi(std::string(digits));
  };
  if (int n = digits_after_v(version); n > 0) return n;
  const std::size_t dot = filename.rfind('.');
  const std::string stem = filename.substr(0, dot);
  const std::size_t mark = stem.rfind('_');
  return mark == std::string::npos ? 0 : digits_after_v(std::string_view(stem).substr(mark + 1));
}

// Calls `read(entry, where)` for each object of the list `doc[key]` (absent or null: none);
// a list that is not one, and entries that are not objects, become problems of `m`.
template <typename Read>
void for_each_entry(const json& doc, const char* key, ActorManifest& m, Read read) {
  auto list = doc.find(key);
  if (list == doc.end() || list->is_null()) return;
  if (!list->is_array()) {
    m.problems.push_back(std::string(key) + " is not a list");
    return;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& entry = (*list)[i];
    const std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    if (!entry.is_object()) {
      m.problems.push_back(where + " is not an object");
      continue;
    }
    read(entry, where);
  }
}

void read_images(const json& doc, ActorManifest& m) {
  for_each_entry(doc, "training_data", m, [&m](const json& entry, const std::string& where) {
    ManifestImage image;
    image.filename = json_string(entry, "filename");
    image.local_path = json_string(entry, "local_path");
    if (image.filename.empty() && !image.local_path.empty()) {
      image.filename = image.local_path.substr(image.local_path.rfind('/') + 1);
    }
    if (image.filename.empty() || image.filename.find('/') != std::string::npos) {
      m.problems.push_back(where + " has no usable filename");
      return;
    }
    image.size_bytes = size_at(entry, "size_bytes").value_or(0);
    image.md5 = to_lower(json_string(entry, "md5_hash"));
    const std::string url = json_string(entry, "s3_url");
    const std::string status = json_string(entry, "status");
    if (!url.empty()) {
      const std::optional<S3Location> location = parse_s3_url(url);
      if (!location) {
        m.problems.push_back(where + " (" + image.filename + "): s3_url " + url +
                             " is not an S3 URL");
      } else {
        image.s3_url = location->url();
      }
    }
    image.synced = !image.s3_url.empty() && status != "local_only";
    m.images.push_back(std::move(image));
  });
}

void read_models(const json& doc, ActorManifest& m) {
  for_each_entry(doc, "custom_lora_models", m, [&m](const json& entry, const std::string&) {
    ManifestModel model;
    model.filename = json_string(entry, "filename");
    model.number = version_number(json_string(entry, "version"), model.filename);
    model.lora_url = json_string(entry, "s3_url");
    if (model.lora_url.empty()) model.lora_url = json_string(entry, "s3_accelerated_url");
    if (model.filename.empty() && !model.lora_url.empty()) {
      if (std::optional<S3Location> at = parse_s3_url(model.lora_url)) {
        model.filename = at->file_name();
      }
    }
    model.size_bytes = size_at(entry, "size_bytes");
    model.md5 = json_string(entry, "md5_hash");
    model.created_at = time_at(entry, "created_date");
    model.modified_at = time_at(entry, "last_modified");
    auto good = entry.find("good");
    model.good = good != entry.end() && good->is_boolean() && good->get<bool>();
    m.models.push_back(std::move(model));
  });
}

}  // namespace

Result<ActorManifest> parse_manifest(std::string_view text, const std::string& file) {
  Result<json> doc = parse_json_document(text);
  if (!doc) return doc.error().with_context(file);
  if (!doc->is_object()) {
    return Error{ErrorCode::InvalidArgument, file + ": expected a JSON object at line 1, column 1"};
  }
  ActorManifest m;
  m.file = file;
  auto id = doc->find("character_id");
  if (id != doc->end() && id->is_string()) m.character_id = id->get<std::string>();
  if (id != doc->end() && id->is_number_integer()) {
    m.character_id = std::to_string(id->get<long long>());
  }
  m.character_name = json_string(*doc, "character_name");
  read_images(*doc, m);
  read_models(*doc, m);
  auto good = doc->find("training_data_good");
  if (good != doc->end() && good->is_boolean()) m.training_data_good = good->get<bool>();
  return m;
}

Result<std::vector<ActorManifest>> read_manifests(const std::filesystem::path& root,
                                                  const std::string& folder) {
  Result<std::filesystem::path> dir = confine(root, folder);
  if (!dir) return dir.error();
  std::error_code ec;
  if (!std::filesystem::is_directory(*dir, ec)) {
    return Error{ErrorCode::NotFound, "no manifest folder " + folder + " in the workspace"};
  }
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(*dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with("_manifest.json") && entry.is_regular_file(ec)) names.push_back(name);
  }
  if (ec) return Error{ErrorCode::Unavailable, "list " + folder + ": " + ec.message()};
  std::sort(names.begin(), names.end());
  std::vector<ActorManifest> out;
  out.reserve(names.size());
  const std::string prefix = folder + '/';
  for (const std::string& name : names) {
    const std::string relative = prefix + name;
    Result<std::string> text = read_file(*dir / name);
    Result<ActorManifest> manifest =
        text ? parse_manifest(*text, relative) : Result<ActorManifest>(text.error());
    if (manifest) {
      out.push_back(std::move(manifest).value());
    } else {
      ActorManifest broken;
      broken.file = relative;
      broken.problems.push_back(manifest.error().message);
      out.push_back(std::move(broken));
    }
  }
  return out;
}

}  // namespace atr
