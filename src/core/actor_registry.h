#pragma once

#include <memory>
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
  /// Applies all patches in one atomic write that leaves every other byte of the file as it
  /// was. Conflict when another program changed the file since it was read; NotFound or
  /// Conflict (ambiguous) for a bad actor reference. Nothing is written on any error.
  virtual Status update(const std::vector<ActorPatch>& patches) = 0;
};

}  // namespace atr
