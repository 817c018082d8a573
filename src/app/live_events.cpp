#include "app/live_events.h"

#include "api/api_json.h"

namespace atr {

ObservedVersionStore::ObservedVersionStore(std::unique_ptr<VersionStore> inner)
    : inner_(std::move(inner)) {}

void ObservedVersionStore::notify(const std::vector<std::int64_t>& ids) const {
  if (observer_ && !ids.empty()) observer_(ids);
}

Result<CreatedVersion> ObservedVersionStore::create(const NewVersion& request,
                                                    const MakeVersion& make,
                                                    const std::vector<LogEntry>& lines) {
  Result<CreatedVersion> created = inner_->create(request, make, lines);
  if (created && created->created) notify({created->version.id});
  return created;
}

Result<Version> ObservedVersionStore::get(std::int64_t id) const {
  return inner_->get(id);
}

Result<std::vector<Version>> ObservedVersionStore::list_for_actor(
    const std::string& actor_id) const {
  return inner_->list_for_actor(actor_id);
}

Result<std::vector<Version>> ObservedVersionStore::latest_per_actor() const {
  return inner_->latest_per_actor();
}

Result<std::optional<Version>> ObservedVersionStore::find_by_key(const std::string& key) const {
  return inner_->find_by_key(key);
}

Result<std::optional<BudgetSettings>> ObservedVersionStore::stored_budget() const {
  return inner_->stored_budget();
}

Status ObservedVersionStore::store_budget(const std::optional<BudgetSettings>& budget) {
  return inner_->store_budget(budget);
}

Result<std::vector<Version>> ObservedVersionStore::list_all() const {
  return inner_->list_all();
}

Result<std::vector<SpendEntry>> ObservedVersionStore::spend_entries() const {
  return inner_->spend_entries();
}

Result<std::vector<Version>> ObservedVersionStore::list_unfinished() const {
  return inner_->list_unfinished();
}

Result<std::vector<Version>> ObservedVersionStore::list_completed(const std::string& endpoint_name,
                                                                  int limit) const {
  return inner_->list_completed(endpoint_name, limit);
}

Result<Version> ObservedVersionStore::update(std::int64_t id, const Change& change) {
  Result<Version> updated = inner_->update(id, change);
  if (updated) notify({id});
  return updated;
}

Result<std::vector<ReportOutcome>> ObservedVersionStore::apply_reports(
    const std::vector<JobReport>& reports, const ApplyReport& apply) {
  Result<std::vector<ReportOutcome>> outcomes = inner_->apply_reports(reports, apply);
  if (outcomes) {
    std::vector<std::int64_t> ids;
    ids.reserve(outcomes->size());
    for (const ReportOutcome& o : *outcomes) {
      if (o.changed && o.version_id != 0) ids.push_back(o.version_id);
    }
    notify(ids);
  }
  return outcomes;
}

Status ObservedVersionStore::append_log(std::int64_t version_id,
                                        const std::vector<LogEntry>& lines) {
  Status appended = inner_->append_log(version_id, lines);
  if (appended) notify({version_id});
  return appended;
}

Result<std::vector<LogLine>> ObservedVersionStore::logs(std::int64_t version_id, std::int64_t after,
                                                        int limit) const {
  return inner_->logs(version_id, after, limit);
}

Result<std::int64_t> ObservedVersionStore::last_log_seq() const {
  return inner_->last_log_seq();
}

Result<std::vector<std::int64_t>> ObservedVersionStore::import_versions(
    const std::vector<Version>& versions) {
  Result<std::vector<std::int64_t>> ids = inner_->import_versions(versions);
  if (ids) notify(*ids);
  return ids;
}

Status ObservedVersionStore::set_good(const std::string& actor_id, std::int64_t version_id) {
  Status set = inner_->set_good(actor_id, version_id);
  if (set) {
    Result<std::vector<Version>> versions = inner_->list_for_actor(actor_id);
    if (versions) {
      std::vector<std::int64_t> ids;
      ids.reserve(versions->size());
      for (const Version& v : *versions) {
        ids.push_back(v.id);
      }
      notify(ids);
    }
  }
  return set;
}

Result<std::string> ObservedVersionStore::get_or_create_setting(
    const std::string& key, const std::function<std::string()>& make) {
  return inner_->get_or_create_setting(key, make);
}

LatestVersionBoard::LatestVersionBoard(const VersionStore& store) {
  Result<std::vector<Version>> latest = store.latest_per_actor();
  if (!latest) return;  // the list shows no newest version until the next change
  for (const Version& v : *latest) {
    newest_[v.actor_id] = {v.number, v.name, v.status};
  }
}

void LatestVersionBoard::note(const Version& version) {
  std::lock_guard lock(mutex_);
  Newest& slot = newest_[version.actor_id];
  // Only the newest number counts; an older version's change leaves the column alone.
  if (version.number < slot.number) return;
  slot = {version.number, version.name, version.status};
  ++generation_;
}

std::optional<std::pair<std::string, VersionStatus>> LatestVersionBoard::of(
    const std::string& actor_key) const {
  std::lock_guard lock(mutex_);
  auto it = newest_.find(actor_key);
  if (it == newest_.end()) return std::nullopt;
  return std::pair{it->second.name, it->second.status};
}

std::uint64_t LatestVersionBoard::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

LivePublisher::LivePublisher(const VersionStore& store, EventHub& hub,
                             std::function<void(const Version&)> on_version)
    : store_(store), hub_(hub), on_version_(std::move(on_version)) {
  Result<std::int64_t> last = store_.last_log_seq();
  log_cursor_ = last ? *last : 0;
}

void LivePublisher::changed(const std::vector<std::int64_t>& version_ids) {
  constexpr int kLogBatch = 1000;
  std::lock_guard lock(mutex_);
  for (std::int64_t id : version_ids) {
    Result<Version> v = store_.get(id);
    if (!v) continue;
    actor_of_[id] = v->actor_id;
    std::string data =
        version_to_json(*v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    auto it = last_sent_.find(id);
    // The good mark can change on a finished version, so finished ones are compared too,
    // then forgotten.
    if (it != last_sent_.end() && it->second == data) continue;
    if (on_version_) on_version_(*v);
    if (is_final(v->status)) {
      last_sent_.erase(id);
    } else {
      last_sent_[id] = data;
    }
    hub_.publish("version", v->actor_id, id, std::move(data));
  }
  while (true) {
    Result<std::vector<LogLine>> lines = store_.logs(0, log_cursor_, kLogBatch);
    if (!lines || lines->empty()) break;
    for (const LogLine& line : *lines) {
      log_cursor_ = line.seq;
      auto actor = actor_of_.find(line.version_id);
      if (actor == actor_of_.end()) {
        Result<Version> v = store_.get(line.version_id);
        actor = actor_of_.emplace(line.version_id, v ? v->actor_id : std::string()).first;
      }
      nlohmann::ordered_json doc = log_line_to_json(line);
      doc["actor_id"] = actor->second;
      hub_.publish("log", actor->second, line.version_id,
                   doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    if (static_cast<int>(lines->size()) < kLogBatch) break;
  }
}

CountingBackend::CountingBackend(std::unique_ptr<TrainingBackend> inner,
                                 std::shared_ptr<Metrics> metrics)
    : inner_(std::move(inner)), metrics_(std::move(metrics)) {}

void CountingBackend::count(const char* call, std::string_view outcome) {
  metrics_->add("atr_runpod_calls_total", "RunPod API calls, by call and outcome",
                {{"call", call}, {"outcome", std::string(outcome)}});
}

Result<std::string> CountingBackend::render_request(const TrainingRequest& request) const {
  return inner_->render_request(request);
}

namespace {

std::string_view outcome_name(const SubmitOutcome& outcome) {
  return outcome.kind == SubmitOutcome::Kind::Accepted   ? "accepted"
         : outcome.kind == SubmitOutcome::Kind::Rejected ? "rejected"
                                                         : "unknown";
}

}  // namespace

SubmitOutcome CountingBackend::submit(const std::string& endpoint_id,
                                      const TrainingRequest& request) {
  SubmitOutcome outcome = inner_->submit(endpoint_id, request);
  count("run", outcome_name(outcome));
  return outcome;
}

Result<std::string> CountingBackend::render_preview(const PreviewRequest& request) const {
  return inner_->render_preview(request);
}

SubmitOutcome CountingBackend::submit_preview(const std::string& endpoint_id,
                                              const PreviewRequest& request) {
  SubmitOutcome outcome = inner_->submit_preview(endpoint_id, request);
  count("preview_run", outcome_name(outcome));
  return outcome;
}

Result<JobReport> CountingBackend::status(const std::string& endpoint_id, const std::string& job_id,
                                          Retries retries) {
  Result<JobReport> report = inner_->status(endpoint_id, job_id, retries);
  count("status", report ? "answered" : to_string(report.error().code));
  return report;
}

Result<JobReport> CountingBackend::cancel(const std::string& endpoint_id,
                                          const std::string& job_id) {
  Result<JobReport> report = inner_->cancel(endpoint_id, job_id);
  count("cancel", report ? "answered" : to_string(report.error().code));
  return report;
}

Result<JobReport> CountingBackend::retry(const std::string& endpoint_id,
                                         const std::string& job_id) {
  Result<JobReport> report = inner_->retry(endpoint_id, job_id);
  count("retry", report ? "answered" : to_string(report.error().code));
  return report;
}

Result<BackendHealth> CountingBackend::health(const std::string& endpoint_id) {
  Result<BackendHealth> health = inner_->health(endpoint_id);
  count("health", health ? "answered" : to_string(health.error().code));
  return health;
}

}  // namespace atr
