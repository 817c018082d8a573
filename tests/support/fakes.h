#pragma once
// Test doubles of the core's interfaces, shared by the unit and integration tests: a bucket
// that answers from a map, a scanner that answers with given files, a manual clock and a
// scripted RunPod backend.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/object_store.h"
#include "core/previews.h"
#include "core/training_backend.h"
#include "core/training_data_scanner.h"

namespace atr::testing {

/// A bucket "s3://b/" that holds `objects` (URL → size): HEADs answer from it (NotFound
/// otherwise, or `error` when set), listings find nothing and uploads succeed and keep nothing;
/// every HEAD is remembered in `asked`, every list_each() call's prefixes in `listings` and
/// every upload run's keys in `puts`.
class FakeBucket final : public ObjectStore {
 public:
  std::map<std::string, std::int64_t> objects;
  std::optional<Error> error;
  std::vector<std::string> asked;
  std::vector<std::vector<std::string>> listings;
  std::vector<std::vector<std::string>> puts;
  std::set<std::string> failing_puts;  ///< keys whose upload fails (Unavailable)

  [[nodiscard]] std::string url_of(const std::string& key) const override {
    return "s3://b/" + key;
  }
  Result<std::vector<StoredObject>> list(const std::string& /*prefix*/) override {
    return std::vector<StoredObject>{};
  }
  std::vector<Result<std::vector<StoredObject>>> list_each(const std::vector<std::string>& prefixes,
                                                           int /*concurrency*/) override {
    listings.push_back(prefixes);
    return std::vector<Result<std::vector<StoredObject>>>(prefixes.size(),
                                                          std::vector<StoredObject>{});
  }
  /// Uploads each item as it is added, on the caller's thread; the run's keys are one entry
  /// of `puts` once finished.
  std::unique_ptr<Uploads> start_uploads(int /*concurrency*/, PutDone done) override {
    class Run final : public Uploads {
     public:
      Run(FakeBucket& bucket, PutDone done) : bucket_(bucket), done_(std::move(done)) {}
      Run(const Run&) = delete;
      Run& operator=(const Run&) = delete;
      ~Run() override { finish(); }
      void add(const std::vector<PutItem>& items) override {
        for (const PutItem& item : items) {
          keys_.push_back(item.key);
          const Status outcome = bucket_.failing_puts.contains(item.key)
                                     ? Status(Error{ErrorCode::Unavailable, "upload refused"})
                                     : Status(Ok{});
          if (done_) done_(item, outcome);
        }
      }
      void finish() override {
        if (finished_) return;
        finished_ = true;
        bucket_.puts.push_back(keys_);
      }

     private:
      FakeBucket& bucket_;
      PutDone done_;
      std::vector<std::string> keys_;
      bool finished_ = false;
    };
    return std::make_unique<Run>(*this, std::move(done));
  }
  Status remove(const std::string& /*key*/) override { return Ok{}; }
  Result<StoredObject> head(const std::string& key) override { return head_at({"b", key, ""}); }
  Result<StoredObject> head_at(const S3Location& at) override {
    asked.push_back(at.url());
    if (error) return *error;
    auto it = objects.find(at.url());
    if (it == objects.end()) return Error{ErrorCode::NotFound, "no such key"};
    return StoredObject{at.key, "etag", it->second};
  }
  Result<std::vector<StoredObject>> list_at(const S3Location& /*at*/) override {
    return std::vector<StoredObject>{};
  }
  Result<std::string> get_at(const S3Location& /*at*/) override {
    return Error{ErrorCode::NotFound, "none"};
  }
  Result<std::string> download_at(const S3Location& /*at*/, const std::string& /*etag*/,
                                  const std::string& /*file*/) override {
    return Error{ErrorCode::NotFound, "none"};
  }
  [[nodiscard]] std::string presigned_get(const std::string& key,
                                          std::chrono::seconds expires) const override {
    return "https://b.example/" + key + "?expires=" + std::to_string(expires.count());
  }
};

/// A scanner that finds `files` in every folder (or, when `by_folder` is set, what it holds for
/// the folder, NotFound for others) and remembers what record_synced() was told.
class FakeScanner final : public TrainingDataScanner {
 public:
  std::vector<ScannedFile> files;
  std::map<std::string, std::vector<ScannedFile>> by_folder;
  std::map<std::string, std::map<std::string, std::string>> recorded;  ///< folder → name → MD5

  std::vector<ScanDepth> depths;  ///< what each scan was asked for

  Result<std::vector<ScannedFile>> scan(std::string_view folder, const ProgressFn& progress,
                                        ScanDepth depth) override {
    depths.push_back(depth);
    if (!by_folder.empty()) {
      auto it = by_folder.find(std::string(folder));
      if (it == by_folder.end()) return Error{ErrorCode::NotFound, "no such folder"};
      if (progress) progress(it->second.size(), it->second.size());
      return it->second;
    }
    if (progress) progress(files.size(), files.size());
    return files;
  }
  Status record_synced(std::string_view folder,
                       const std::map<std::string, std::string>& md5_by_name) override {
    recorded[std::string(folder)] = md5_by_name;
    return Ok{};
  }
  ScannedFile scan_object(const std::string& name, const StoredObject& /*object*/,
                          const FetchFn& /*fetch*/) override {
    ScannedFile file;
    file.name = name;
    return file;
  }
};

/// A 1024×1024 JPEG as a scan reports it; `synced_md5` empty: never synced.
inline ScannedFile scanned_image(const std::string& name, const std::string& md5,
                                 const std::string& synced_md5 = {}) {
  ScannedFile f;
  f.name = name;
  f.format = "jpeg";
  f.width = 1024;
  f.height = 1024;
  f.bytes = 1000;
  f.md5 = md5;
  f.synced_md5 = synced_md5;
  return f;
}

/// A clock that stands where the test puts it.
class ManualClock final : public Clock {
 public:
  std::chrono::system_clock::time_point at{std::chrono::seconds(1'800'000'000)};
  [[nodiscard]] std::chrono::system_clock::time_point now() const override { return at; }
};

/// A RunPod stand-in that answers submits, statuses and cancels from queues the test fills,
/// counting the calls and keeping the last request it was sent.
class ScriptedBackend final : public TrainingBackend {
 public:
  std::deque<SubmitOutcome> submits;
  std::deque<Result<JobReport>> statuses;
  std::deque<Result<JobReport>> cancels;
  std::deque<Result<JobReport>> retries;
  int retry_calls = 0;
  int submit_calls = 0;
  int status_calls = 0;
  int cancel_calls = 0;
  bool render_fails = false;
  std::optional<TrainingRequest> last_request;
  int preview_calls = 0;
  std::optional<PreviewRequest> last_preview;

  [[nodiscard]] Result<std::string> render_request(const TrainingRequest&) const override {
    if (render_fails) return Error{ErrorCode::InvalidArgument, "binding matches no node"};
    return std::string("{}");
  }
  SubmitOutcome submit(const std::string&, const TrainingRequest& request) override {
    ++submit_calls;
    last_request = request;
    SubmitOutcome out = submits.front();
    submits.pop_front();
    return out;
  }
  [[nodiscard]] Result<std::string> render_preview(const PreviewRequest&) const override {
    return std::string("{}");
  }
  SubmitOutcome submit_preview(const std::string&, const PreviewRequest& request) override {
    ++preview_calls;
    last_preview = request;
    SubmitOutcome out = submits.front();
    submits.pop_front();
    return out;
  }
  Result<JobReport> status(const std::string&, const std::string&, Retries) override {
    ++status_calls;
    Result<JobReport> out = statuses.front();
    statuses.pop_front();
    return out;
  }
  Result<JobReport> cancel(const std::string&, const std::string&) override {
    ++cancel_calls;
    Result<JobReport> out = cancels.front();
    cancels.pop_front();
    return out;
  }
  Result<JobReport> retry(const std::string&, const std::string&) override {
    ++retry_calls;
    Result<JobReport> out = retries.front();
    retries.pop_front();
    return out;
  }
  Result<BackendHealth> health(const std::string&) override { return BackendHealth{}; }
};

}  // namespace atr::testing
