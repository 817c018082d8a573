#include "app/tracking.h"

#include <chrono>
#include <iostream>
#include <random>

namespace atr {
namespace {

UnixMs to_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

ReportBatcher::ReportBatcher(Trainings& trainings, size_t max_batch)
    : trainings_(trainings), max_batch_(max_batch), writer_([this] { run(); }) {}

ReportBatcher::~ReportBatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

Result<ReportOutcome> ReportBatcher::ingest(const JobReport& report) {
  std::future<Result<ReportOutcome>> done;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Error{ErrorCode::Unavailable, "shutting down"};
    queue_.push_back(Pending{report, {}});
    done = queue_.back().done.get_future();
  }
  wake_.notify_one();
  return done.get();
}

void ReportBatcher::run() {
  while (true) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything was answered
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<JobReport> reports;
    reports.reserve(batch.size());
    for (const Pending& p : batch) {
      reports.push_back(p.report);
    }
    Result<std::vector<ReportOutcome>> outcomes = trainings_.ingest(reports);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (outcomes) {
        batch[i].done.set_value((*outcomes)[i]);
      } else {
        batch[i].done.set_value(outcomes.error());
      }
    }
  }
}

BatchRunner::BatchRunner(Batches& batches, std::function<void(std::int64_t)> changed)
    : batches_(batches), changed_(std::move(changed)) {}

BatchRunner::~BatchRunner() {
  stop();
}

void BatchRunner::start() {
  thread_ = std::thread([this] { run(); });
}

void BatchRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BatchRunner::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void BatchRunner::run() {
  using namespace std::chrono_literals;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, 1s, [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
    Result<std::vector<std::int64_t>> changed = batches_.advance();
    if (!changed) {
      std::cerr << "batches: " << changed.error().message << "\n";
      continue;
    }
    if (changed_) {
      for (std::int64_t id : *changed) {
        changed_(id);
      }
    }
  }
}

Poller::Poller(Trainings& trainings, VersionStore& store, const Clock& clock,
               const TrackingSettings& settings, Notify notify)
    : trainings_(trainings),
      store_(store),
      clock_(clock),
      settings_(settings),
      schedule_(settings, std::random_device{}()),
      notify_(std::move(notify)) {}

Poller::~Poller() {
  stop();
}

void Poller::start() {
  thread_ = std::thread([this] { run(); });
}

void Poller::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Poller::confirm(std::int64_t id, const std::string& job_id) {
  {
    std::lock_guard lock(mutex_);
    to_confirm_[id] = job_id;
    hinted_ = true;
  }
  wake_.notify_all();
}

void Poller::use_previews(Previews* previews, PreviewStore* store, bool automatic) {
  previews_ = previews;
  preview_store_ = store;
  automatic_previews_ = automatic;
}

void Poller::hint_preview(const std::string& job_id) {
  {
    std::lock_guard lock(mutex_);
    preview_hints_.push_back(job_id);
    hinted_ = true;
  }
  wake_.notify_all();
}

void Poller::preview_missed_completions() {
  if (!automatic_previews_ || previews_ == nullptr || preview_store_ == nullptr ||
      !previews_->configured()) {
    return;
  }
  constexpr UnixMs kDayMs = 24LL * 3600 * 1000;
  Result<std::vector<std::int64_t>> missed =
      preview_store_->completed_without_previews(to_ms(clock_.now()) - kDayMs);
  if (!missed) {
    std::cerr << "poller: " << missed.error().message << "\n";
    return;
  }
  for (std::int64_t id : *missed) {
    if (Result<Version> v = store_.get(id); v) after_check(*v);
  }
}

void Poller::after_check(const Version& v) {
  if (notify_) notify_(v);
  if (!automatic_previews_ || previews_ == nullptr || v.status != VersionStatus::Completed ||
      v.lora_url.empty() || !previews_->configured() || !previewed_.insert(v.id).second) {
    return;
  }
  Result<std::vector<Preview>> started = previews_->start(v.id);
  if (!started) {
    std::cerr << "poller: previews of " << v.name << ": " << started.error().message << "\n";
  } else {
    std::cerr << "poller: previews of " << v.name << " of actor " << v.actor_id << ": "
              << started->size() << " sent\n";
  }
}

void Poller::record_check(std::int64_t id, VersionStatus status, const Error* failure,
                          std::string_view context) {
  const UnixMs after = to_ms(clock_.now());
  if (failure == nullptr) {
    schedule_.record(id, status, PollSchedule::Outcome::Answered, after);
    return;
  }
  // RunPod busy, rate limiting or unreachable: pause every check, not just this one.
  const bool busy = failure->code == ErrorCode::Unavailable;
  schedule_.record(id, VersionStatus::Queued,
                   busy ? PollSchedule::Outcome::Busy : PollSchedule::Outcome::Answered, after,
                   failure->retry_after_ms);
  std::cerr << "poller: " << context << failure->message << (busy ? " (pausing checks)" : "")
            << "\n";
}

void Poller::check_one(std::int64_t id, const std::string& hinted_job) {
  checks_.fetch_add(1);
  if (id < 0) {
    const Result<Preview> checked = previews_->check(-id, Retries::None);
    record_check(id, checked ? checked->status : VersionStatus::Queued,
                 checked ? nullptr : &checked.error(), "preview: ");
    return;
  }
  const Result<Version> checked = trainings_.check(id, Retries::None, hinted_job);
  record_check(id, checked ? checked->status : VersionStatus::Queued,
               checked ? nullptr : &checked.error(),
               hinted_job.empty() ? "" : "confirming a webhook: ");
  if (checked) after_check(*checked);
}

void Poller::run() {
  using namespace std::chrono_literals;
  // The list of unfinished versions is re-read at most this often; webhooks and CLI commands
  // change it behind our back, so it cannot be cached for long.
  constexpr UnixMs kRelistMs = 1'000;
  constexpr auto kTick = 100ms;
  std::vector<Version> unfinished;  // previews among them with negated ids
  std::map<std::string, std::int64_t> preview_of_job;
  UnixMs listed_at = 0;
  preview_missed_completions();
  while (true) {
    std::vector<std::string> preview_hints;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kTick, [this] { return stopping_ || hinted_; });
      if (stopping_) return;
      preview_hints.swap(preview_hints_);
    }
    const UnixMs now = to_ms(clock_.now());
    // Webhook hints first, each a status call from the same budget as the timetable's.
    std::map<std::int64_t, std::string> confirming;
    {
      std::lock_guard lock(mutex_);
      confirming.swap(to_confirm_);
      hinted_ = false;
    }
    for (auto it = confirming.begin(); it != confirming.end(); it = confirming.erase(it)) {
      if (!schedule_.take(to_ms(clock_.now()))) break;  // tried again once RunPod answers
      check_one(it->first, it->second);
    }
    if (!confirming.empty()) {
      // Not yet checked (budget spent, or RunPod busy): kept, unless a newer hint came.
      std::lock_guard lock(mutex_);
      to_confirm_.merge(confirming);
    }
    if (!preview_hints.empty()) listed_at = 0;  // a new preview job may not be listed yet
    if (now - listed_at >= kRelistMs || listed_at == 0) {
      Result<std::vector<Version>> listed = store_.list_unfinished();
      if (!listed) {
        std::cerr << "poller: " << listed.error().message << "\n";
        continue;
      }
      unfinished = std::move(listed).value();
      preview_of_job.clear();
      if (preview_store_ != nullptr) {
        Result<std::vector<Preview>> previews = preview_store_->unfinished_previews();
        if (!previews) {
          std::cerr << "poller: " << previews.error().message << "\n";
        } else {
          for (const Preview& p : *previews) {
            Version entry;
            entry.id = -p.id;
            entry.status = p.status;
            unfinished.push_back(std::move(entry));
            if (!p.job_id.empty()) preview_of_job[job_key(p.job_id)] = p.id;
          }
        }
      }
      listed_at = now;
    }
    for (const std::string& job : preview_hints) {
      auto it = preview_of_job.find(job_key(job));
      if (it == preview_of_job.end() || !schedule_.take(to_ms(clock_.now()))) continue;
      check_one(-it->second, {});
    }
    for (std::int64_t id : schedule_.due(unfinished, now)) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      check_one(id, {});
    }
  }
}

}  // namespace atr
