#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/history_import.h"

namespace atr {

/// Reads a studio's per-actor manifest (`0006_manifest.json`): `character_id`,
/// `character_name`, `training_data` entries, `custom_lora_models`, `training_data_good`.
/// S3 URLs of images are normalised to `s3://bucket/key`; an entry that cannot be used is left
/// out and named in `problems`. InvalidArgument (with line and column) for a file that is not
/// JSON or not an object. `file` names the manifest in messages.
Result<ActorManifest> parse_manifest(std::string_view text, const std::string& file);

/// Every `*_manifest.json` of `folder` (workspace-relative, confined to `root`), by file name.
/// A file that cannot be read or parsed gives a manifest with only its problem. NotFound when
/// the folder does not exist.
Result<std::vector<ActorManifest>> read_manifests(const std::filesystem::path& root,
                                                  const std::string& folder);

}  // namespace atr
