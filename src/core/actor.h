#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/url_list.h"

namespace atr {

/// The `training_data` block of an actor: where its images are and whether S3 has them all.
struct TrainingDataRecord {
  UrlList s3_urls;         ///< sorted `s3://bucket/key` URLs
  std::string local_path;  ///< workspace-relative folder of the images
  int count = 0;           ///< number of images the URLs stand for
  bool synced = false;     ///< S3 held exactly the local images at the last sync

  bool operator==(const TrainingDataRecord&) const = default;
};

/// The `validated_lora_model` block: the version a person marked as the one that works.
struct ValidatedModel {
  std::string version_id;
  std::string version_name;
  std::string lora_url;
  std::string marked_at;  ///< RFC 3339 UTC, e.g. "2026-11-28T10:00:00Z"

  bool operator==(const ValidatedModel&) const = default;
};

/// One actor of the registry, with the fields this product reads. Other fields stay in the
/// registry file untouched; this struct is a read model, not the record.
struct Actor {
  std::size_t position = 0;   ///< index in the registry file, which is also the display order
  std::string id;             ///< as written in the file: "0006" or "6"; empty when missing
  bool id_is_number = false;  ///< the file writes the id as a JSON number (6), not a string
  std::string name;           ///< e.g. "0006_european_20_female"; may be empty
  std::string sex;
  std::string ethnicity;
  std::string age;  ///< the file may hold a number or a string; kept as text
  std::string description;
  std::string poster_url;  ///< best remote poster frame (medium webp first), or `img`
  bool good = false;
  std::optional<TrainingDataRecord> training_data;
  std::optional<ValidatedModel> validated_model;
  /// Which reading of the record this is: a record read from the file gets a new number unless
  /// the registry finds its object byte for byte unchanged since the last read, and copies keep
  /// it, so two Actors with the same revision hold the same record (a cheap test for caches;
  /// 0: not from a reader).
  std::uint64_t revision = 0;

  /// The canonical actor key of the API, the CLI and the state store: the registry's id as
  /// text ("38" for the JSON number 38, "0006" for the string "0006"), else the name. Always a
  /// string, so every resource, event and URL names an actor the same way; the registry's own
  /// value stays as it is in the file (see `id_is_number`).
  [[nodiscard]] const std::string& key() const { return id.empty() ? name : id; }
  /// How messages and tables name this actor: the key.
  [[nodiscard]] const std::string& label() const { return key(); }
  /// Images the registry's `training_data` block records (0 without one). What the folder holds
  /// now is the scan's to say (DataSummary); this is what the last sync recorded.
  [[nodiscard]] int recorded_images() const {
    return training_data && training_data->count > 0 ? training_data->count : 0;
  }
  /// True when a validated LoRA model is recorded.
  [[nodiscard]] bool has_validated_model() const { return validated_model.has_value(); }

  bool operator==(const Actor&) const = default;
};

/// A change to one actor's product-owned fields; unset members are left as they are.
struct ActorPatch {
  std::string actor_ref;  ///< id in any form or name (see find_actor)
  std::optional<TrainingDataRecord> training_data;
  /// Set to a model to record it; set to std::nullopt inside to remove the block.
  std::optional<std::optional<ValidatedModel>> validated_model;
  std::optional<bool> good;
};

/// The workspace-relative folder holding an actor's training images: `training_data.local_path`
/// when recorded, else `data/actors/<name>/training_data`. Not yet confined to the workspace
/// (the scanner does that). InvalidArgument when the actor has neither a local_path nor a name
/// usable as one folder name.
Result<std::string> training_folder(const Actor& actor);

}  // namespace atr
