#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/actor_registry.h"
#include "registry/actor_reader.h"

namespace atr {

/// ActorRegistry over an actors.json file shared with other tools.
///
/// Writes splice new values into the original text, so every byte outside the changed members
/// stays as it was: unknown fields, actor order, key order, indentation, number spelling.
/// Another program's edits are never reverted: when the file changed since we read it, the
/// patches are laid on its new version if they set none of the fields it changed (else
/// Conflict, nothing written), and the replace is a compare-and-swap against the bytes the
/// splice was made on (`replace_file_if_unchanged`), redone on a write that lands in between.
/// Thread-safe.
class JsonFileActorRegistry final : public ActorRegistry {
 public:
  /// Reads and indexes `file`. `lock_file` serializes writers among our own processes (other
  /// tools do not take it; the byte comparison catches them). NotFound when `file` is missing,
  /// InvalidArgument (with line and column) when it is malformed.
  static Result<std::unique_ptr<JsonFileActorRegistry>> open(std::filesystem::path file,
                                                             std::filesystem::path lock_file);

  [[nodiscard]] std::shared_ptr<const ActorCatalog> catalog() const override;
  Status reload() override;
  [[nodiscard]] Status read_state() const override;
  [[nodiscard]] Result<std::map<std::string, std::string>> text_fields(
      const Actor& actor, const std::vector<std::string>& names) const override;
  Status update(const std::vector<ActorPatch>& patches) override;

 private:
  struct Loaded {
    std::string text;
    std::shared_ptr<const ActorCatalog> catalog;
    std::vector<ObjectBounds> bounds;  ///< where each actor's object sits in `text`
  };

  JsonFileActorRegistry(std::filesystem::path file, std::filesystem::path lock_file, Loaded loaded);
  /// Parses `text` into a catalog; InvalidArgument with line/column when malformed. Actors
  /// whose object is unchanged from `previous` keep their revision.
  static Result<Loaded> parse(const std::filesystem::path& file, std::string text,
                              const Loaded* previous = nullptr);
  static Loaded assemble(std::string text, ReadActors read, const Loaded* previous);

  const std::filesystem::path file_;
  const std::filesystem::path lock_file_;
  mutable std::mutex mutex_;
  Loaded loaded_;  ///< guarded by mutex_: the text we last read or wrote, and its catalog
  std::uint64_t generation_ = 0;  ///< guarded by mutex_: counts changes of loaded_
  Status read_state_ = Ok{};      ///< guarded by mutex_: how the last read of the file went
};

/// Applies patches to registry text and returns the new text (pure; exposed for tests and
/// benchmarks). The same rules as JsonFileActorRegistry::update, minus the file handling.
Result<std::string> apply_patches(std::string_view text, const std::vector<ActorPatch>& patches);

}  // namespace atr
