#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/training_data.h"
#include "core/training_data_scanner.h"

namespace atr {

/// Every actor's DataSummary, as the actor list, its facets, the detail and the page show it:
/// one scan of the folder against the recorded block, kept for `max_age` and taken again after
/// that (cheap: the scan memory re-reads only changed files), or at once when the recorded
/// block changed or forget() was called (a sync ended). Thread-safe.
class DataStates {
 public:
  DataStates(TrainingDataScanner& scanner, const DataCheckLimits& limits, const Clock& clock,
             std::chrono::seconds max_age);

  /// The actor's summary, from a scan no older than `max_age`.
  DataSummary of(const Actor& actor);
  /// Drops what is known of the actor with this key, so the next of() scans.
  void forget(const std::string& key);
  /// Bumped whenever a summary differs from the one it replaced: answers built from summaries
  /// are stale when it moved.
  [[nodiscard]] std::uint64_t generation() const;

 private:
  struct Entry {
    DataSummary summary;
    std::optional<TrainingDataRecord> record;  ///< the block the summary was computed with
    std::uint64_t revision = 0;                ///< of the record (Actor::revision) it came from
    std::string folder;
    std::chrono::system_clock::time_point at;
  };

  TrainingDataScanner& scanner_;
  DataCheckLimits limits_;
  const Clock& clock_;
  std::chrono::seconds max_age_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  ///< by actor key
  std::uint64_t generation_ = 0;
};

}  // namespace atr
