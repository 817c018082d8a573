#pragma once

#include <memory>

#include "cli/context.h"
#include "core/training_data.h"

namespace atr::cli {

/// An actor found in a catalog snapshot, which it keeps alive while the actor is used.
struct FoundActor {
  std::shared_ptr<const ActorCatalog> catalog;
  const Actor* actor = nullptr;
};

/// Looks up `ref` (any id form or the name) in the registry's current snapshot.
Result<FoundActor> find_actor(const Context& context, const std::string& ref);

/// The version `ref` names: a version id ("12") or ACTOR/Vn ("6/V3", "0006_european_20_female/v3").
Result<Version> find_version(const Context& context, const std::string& ref);

/// Scans the actor's training folder with a progress bar on a terminal (none with --json).
Result<TrainingDataReport> scan_with_progress(Context& context, const Actor& actor, bool json);

}  // namespace atr::cli
