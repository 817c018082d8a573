#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/actor_registry.h"
#include "core/clock.h"
#include "core/settings.h"
#include "core/training_backend.h"
#include "core/training_data_scanner.h"

namespace atr::cli {

/// Everything the command line asked for: global flags plus each command's options.
struct Options {
  std::string workspace = ".";
  bool json = false;
  // actors list
  std::string search;
  std::vector<std::string> sex;
  std::vector<std::string> ethnicity;
  bool has_data = false;
  bool without_data = false;
  bool has_model = false;
  bool without_model = false;
  std::size_t limit = 50;
  std::size_t offset = 0;
  // actor commands
  std::string actor;
  std::string endpoint;
  std::vector<std::string> params;  ///< "name=value" overrides
  bool dry_run = false;
};

/// The services a command works with; app/ builds it for the chosen workspace.
struct Context {
  std::filesystem::path workspace;
  ActorRegistry& registry;
  TrainingDataScanner& scanner;
  TrainingBackend& backend;
  const Clock& clock;
  const Settings& settings;
};

}  // namespace atr::cli
