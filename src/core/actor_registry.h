#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/actor.h"
#include "core/actor_search.h"

namespace atr {

/// The actor registry (actors.json, shared with other tools). registry/ implements it.
class ActorRegistry {
 public:
  virtual ~ActorRegistry() = default;

  /// The last good copy. Never null once the registry opened.
  [[nodiscard]] virtual std::shared_ptr<const ActorCatalog> catalog() const = 0;
  /// Re-reads the file if it changed. On a malformed file it keeps serving the last good copy
  /// and returns the error (InvalidArgument, naming line and column).
  virtual Status reload() = 0;
  /// Ok while the file reads well; else the error of the last read, while the last good copy
  /// is served (a broken file is shown by /api/health until it is fixed).
  [[nodiscard]] virtual Status read_state() const { return Ok{}; }
  /// The text fields `names` of `actor`'s record as the registry holds it now (the fields the
  /// read model leaves out, such as `face_prompt` and `outfit`, read when a use case needs
  /// them); a field that is missing or not a string is absent. NotFound when the record is
  /// gone or was changed since `actor` was read.
  [[nodiscard]] virtual Result<std::map<std::string, std::string>> text_fields(
      const Actor& actor, const std::vector<std::string>& names) const = 0;
  /// Applies all patches in one atomic write that leaves every other byte of the file as it
  /// was, and never reverts another program's edit: its newer version is kept and the patches
  /// are laid on it. Conflict when that program changed a field a patch sets; NotFound or
  /// Conflict (ambiguous) for a bad actor reference. Nothing is written on any error.
  virtual Status update(const std::vector<ActorPatch>& patches) = 0;
};

}  // namespace atr
