#include "core/data_states.h"

namespace atr {

DataStates::DataStates(TrainingDataScanner& scanner, const DataCheckLimits& limits,
                       const Clock& clock, std::chrono::seconds max_age)
    : scanner_(scanner), limits_(limits), clock_(clock), max_age_(max_age) {}

DataSummary DataStates::of(const Actor& actor) {
  const auto now = clock_.now();
  // The common case, under a shared lock: the same revision of the record, young enough.
  if (actor.revision != 0) {
    std::shared_lock lock(mutex_);
    auto it = entries_.find(actor.key());
    if (it != entries_.end() && it->second.revision == actor.revision &&
        now - it->second.at < max_age_) {
      return it->second.summary;
    }
  }
  Result<std::string> folder = training_folder(actor);
  const std::string where = folder ? *folder : std::string();
  {
    // Another revision (a reload) of the same block and folder keeps its summary.
    std::unique_lock lock(mutex_);
    auto it = entries_.find(actor.key());
    if (it != entries_.end() && it->second.record == actor.training_data &&
        it->second.folder == where && now - it->second.at < max_age_) {
      it->second.revision = actor.revision;
      return it->second.summary;
    }
  }
  // Scanned without the lock: two threads may scan the same folder, which costs time only.
  DataSummary summary = data_summary(actor, scanner_, limits_);
  std::unique_lock lock(mutex_);
  auto [it, added] = entries_.try_emplace(actor.key());
  // A first summary cannot make an earlier answer stale: any answer showing this actor
  // computed it. A changed one can.
  if (!added && !(it->second.summary == summary)) ++generation_;
  it->second = Entry{summary, actor.training_data, actor.revision, where, now};
  return summary;
}

void DataStates::forget(const std::string& key) {
  std::unique_lock lock(mutex_);
  if (entries_.erase(key) > 0) ++generation_;
}

std::uint64_t DataStates::generation() const {
  std::shared_lock lock(mutex_);
  return generation_;
}

}  // namespace atr
