#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/batch.h"
#include "core/poll_schedule.h"
#include "core/previews.h"
#include "core/trainings.h"

namespace atr {

/// Group commit for webhook reports: callers on many listener threads hand in one report
/// each and wait; one writer thread stores everything waiting in a single transaction (one
/// fsync), then answers them all. Durability per report is unchanged; throughput is not
/// bounded by one fsync per report.
class ReportBatcher {
 public:
  explicit ReportBatcher(Trainings& trainings, size_t max_batch = 256);
  ~ReportBatcher();
  ReportBatcher(const ReportBatcher&) = delete;
  ReportBatcher& operator=(const ReportBatcher&) = delete;

  /// Stores `report` (with whatever else is waiting) and returns once it is committed.
  Result<ReportOutcome> ingest(const JobReport& report);

 private:
  struct Pending {
    JobReport report;
    std::promise<Result<ReportOutcome>> done;
  };
  void run();

  Trainings& trainings_;
  size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

/// The batch queue's thread: every second (or at once when woken) starts what waits in the
/// running batches, up to each batch's concurrency (Batches::advance). The queue is kept in
/// state.db, so a restarted serve goes on where it stopped.
class BatchRunner {
 public:
  /// `changed` is called with each batch a pass changed (live events).
  BatchRunner(Batches& batches, std::function<void(std::int64_t)> changed);
  ~BatchRunner();
  BatchRunner(const BatchRunner&) = delete;
  BatchRunner& operator=(const BatchRunner&) = delete;
  void start();
  void stop();
  /// A batch was started or cancelled: look now rather than at the next tick.
  void wake();

 private:
  void run();

  Batches& batches_;
  std::function<void(std::int64_t)> changed_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

/// The reconciler's thread: checks every unfinished version on PollSchedule's timetable,
/// one status call at a time, and resumes all unfinished versions when it starts.
class Poller {
 public:
  /// Called after each check with the version as stored (for logs).
  using Notify = std::function<void(const Version&)>;

  Poller(Trainings& trainings, VersionStore& store, const Clock& clock,
         const TrackingSettings& settings, Notify notify = {});
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void start();
  void stop();

  /// A webhook's hint for version `id` (see Trainings::ingest): checks it with RunPod soon,
  /// within the same request budget as every other check. `job_id`: the job the webhook
  /// named, for a version whose job id is unknown. Returns at once.
  void confirm(std::int64_t id, const std::string& job_id);

  /// Also follows preview jobs (the same timetable and request budget; in the schedule a
  /// preview is its negated id), and, when `automatic`, starts a version's previews when a
  /// check sees it completed. Call before start().
  void use_previews(Previews* previews, PreviewStore* store, bool automatic);
  /// A preview webhook's hint: the preview running job `job_id` is checked soon.
  void hint_preview(const std::string& job_id);
  /// Status calls made so far (for benchmarks and tests).
  [[nodiscard]] std::uint64_t checks() const { return checks_.load(); }

 private:
  void run();
  // One check of version `id` (a preview when negative), from the timetable or a hint.
  void check_one(std::int64_t id, const std::string& hinted_job);
  // Schedules the next check of `id` from how this one went (`failure` null: it answered).
  void record_check(std::int64_t id, VersionStatus status, const Error* failure,
                    std::string_view context);
  // Starts the previews of a version seen completed (once per version in this process).
  void after_check(const Version& version);

  Trainings& trainings_;
  VersionStore& store_;
  const Clock& clock_;
  TrackingSettings settings_;
  PollSchedule schedule_;
  Notify notify_;
  std::atomic<std::uint64_t> checks_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::int64_t, std::string> to_confirm_;  ///< guarded by mutex_: id → hinted job
  bool hinted_ = false;  ///< guarded by mutex_: a hint came since the last look (wakes the loop)
  std::vector<std::string> preview_hints_;  ///< guarded by mutex_: job ids of preview webhooks
  Previews* previews_ = nullptr;
  PreviewStore* preview_store_ = nullptr;
  bool automatic_previews_ = false;
  std::set<std::int64_t> previewed_;  ///< versions whose previews this process started
  // At start: the versions that completed while no serve ran (the last day) get their previews.
  void preview_missed_completions();
  std::thread thread_;
};

}  // namespace atr
