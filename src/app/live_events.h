#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/previews.h"
#include "core/training_backend.h"
#include "core/version_store.h"
#include "http/api_server.h"
#include "http/event_hub.h"
#include "http/metrics.h"

namespace atr {

/// A VersionStore that, after each write commits, tells an observer which versions it
/// touched: how `serve` turns every change (webhook, poll, API, CLI through the API) into live
/// events without the core knowing about them. The observer is set once, before any thread
/// uses the store.
class ObservedVersionStore final : public VersionStore {
 public:
  using Observer = std::function<void(const std::vector<std::int64_t>& version_ids)>;

  explicit ObservedVersionStore(std::unique_ptr<VersionStore> inner);
  void set_observer(Observer observer) { observer_ = std::move(observer); }

  [[nodiscard]] Result<CreatedVersion> create(const NewVersion& request, const MakeVersion& make,
                                              const std::vector<LogEntry>& lines) override;
  [[nodiscard]] Result<std::vector<std::int64_t>> import_versions(
      const std::vector<Version>& versions) override;
  [[nodiscard]] Result<Version> get(std::int64_t id) const override;
  [[nodiscard]] Result<std::vector<Version>> list_for_actor(
      const std::string& actor_id) const override;
  [[nodiscard]] Result<std::vector<Version>> latest_per_actor() const override;
  [[nodiscard]] Result<std::optional<Version>> find_by_key(const std::string& key) const override;
  [[nodiscard]] Result<std::vector<Version>> list_all() const override;
  [[nodiscard]] Result<std::optional<BudgetSettings>> stored_budget() const override;
  Status store_budget(const std::optional<BudgetSettings>& budget) override;
  [[nodiscard]] Result<std::vector<SpendEntry>> spend_entries() const override;
  [[nodiscard]] Result<std::vector<Version>> list_unfinished() const override;
  [[nodiscard]] Result<std::vector<Version>> list_completed(const std::string& endpoint_name,
                                                            int limit) const override;
  [[nodiscard]] Result<Version> update(std::int64_t id, const Change& change) override;
  [[nodiscard]] Result<std::vector<ReportOutcome>> apply_reports(
      const std::vector<JobReport>& reports, const ApplyReport& apply) override;
  Status append_log(std::int64_t version_id, const std::vector<LogEntry>& lines) override;
  [[nodiscard]] Result<std::vector<LogLine>> logs(std::int64_t version_id, std::int64_t after,
                                                  int limit) const override;
  [[nodiscard]] Result<std::int64_t> last_log_seq() const override;
  Status set_good(const std::string& actor_id, std::int64_t version_id) override;
  [[nodiscard]] Result<std::string> get_or_create_setting(
      const std::string& key, const std::function<std::string()>& make) override;

 private:
  void notify(const std::vector<std::int64_t>& ids) const;

  std::unique_ptr<VersionStore> inner_;
  Observer observer_;
};

/// Each actor's newest version as the API's list shows it, kept up to date by the live event
/// publisher (every stored change passes through it) so the list never asks the store.
class LatestVersionBoard final : public LatestVersions {
 public:
  /// Starts from the store's newest version of each actor.
  explicit LatestVersionBoard(const VersionStore& store);
  /// A version changed: it becomes its actor's newest unless a higher number is known.
  void note(const Version& version);
  [[nodiscard]] std::optional<std::pair<std::string, VersionStatus>> of(
      const std::string& actor_key) const override;
  [[nodiscard]] std::uint64_t generation() const override;

 private:
  struct Newest {
    int number = 0;
    std::string name;
    VersionStatus status = VersionStatus::Pending;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Newest> newest_;  ///< actor key → newest version
  std::uint64_t generation_ = 0;
};

/// Turns store changes into "version" and "log" events: each changed version is read back
/// and published when its API shape differs from the last one sent, then every console line
/// newer than the last one published follows, in order.
class LivePublisher {
 public:
  /// `on_version` also hears each published version (the API's latest-version column).
  LivePublisher(const VersionStore& store, EventHub& hub,
                std::function<void(const Version&)> on_version);
  void changed(const std::vector<std::int64_t>& version_ids);

 private:
  const VersionStore& store_;
  EventHub& hub_;
  std::function<void(const Version&)> on_version_;
  std::mutex mutex_;
  std::map<std::int64_t, std::string> last_sent_;  ///< unfinished versions only
  std::map<std::int64_t, std::string> actor_of_;   ///< version id -> actor id
  std::int64_t log_cursor_ = 0;
};

/// A TrainingBackend that counts RunPod calls by outcome into `metrics`.
class CountingBackend final : public TrainingBackend {
 public:
  CountingBackend(std::unique_ptr<TrainingBackend> inner, std::shared_ptr<Metrics> metrics);

  [[nodiscard]] Result<std::string> render_request(const TrainingRequest& request) const override;
  [[nodiscard]] SubmitOutcome submit(const std::string& endpoint_id,
                                     const TrainingRequest& request) override;
  [[nodiscard]] Result<std::string> render_preview(const PreviewRequest& request) const override;
  [[nodiscard]] SubmitOutcome submit_preview(const std::string& endpoint_id,
                                             const PreviewRequest& request) override;
  [[nodiscard]] Result<JobReport> status(const std::string& endpoint_id, const std::string& job_id,
                                         Retries retries) override;
  [[nodiscard]] Result<JobReport> cancel(const std::string& endpoint_id,
                                         const std::string& job_id) override;
  [[nodiscard]] Result<JobReport> retry(const std::string& endpoint_id,
                                        const std::string& job_id) override;
  [[nodiscard]] Result<BackendHealth> health(const std::string& endpoint_id) override;

 private:
  void count(const char* call, std::string_view outcome);

  std::unique_ptr<TrainingBackend> inner_;
  std::shared_ptr<Metrics> metrics_;
};

}  // namespace atr
