#include "s3/s3_object_store.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <openssl/evp.h>

#include "base/files.h"
#include "base/paths.h"
#include "base/strings.h"

namespace atr {
namespace {

std::string md5_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &length, EVP_md5(), nullptr);
  return to_hex(md.data(), length);
}

}  // namespace

S3ObjectStore::S3ObjectStore(S3Config config, std::filesystem::path workspace_root)
    : config_(config), client_(std::move(config)), workspace_root_(std::move(workspace_root)) {}

std::string S3ObjectStore::url_of(const std::string& key) const {
  return client_.s3_url(key);
}

Result<std::vector<StoredObject>> S3ObjectStore::list(const std::string& prefix) {
  return list_at(S3Location{config_.bucket, prefix, {}});
}

namespace {

// Runs work(i) for every i < count on up to `concurrency` threads.
void run_parallel(std::size_t count, int concurrency,
                  const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      work(i);
    }
  };
  const std::size_t threads =
      std::min<std::size_t>(count, static_cast<std::size_t>(std::max(1, concurrency)));
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back(worker);
  }
  for (std::thread& t : pool) {
    t.join();
  }
}

}  // namespace

std::vector<Result<std::vector<StoredObject>>> S3ObjectStore::list_each(
    const std::vector<std::string>& prefixes, int concurrency) {
  std::vector<Result<std::vector<StoredObject>>> out(prefixes.size(), std::vector<StoredObject>{});
  run_parallel(prefixes.size(), concurrency, [&](std::size_t i) { out[i] = list(prefixes[i]); });
  return out;
}

Status S3ObjectStore::put_one(const PutItem& item) {
  Result<std::filesystem::path> file = confine(workspace_root_, item.file);
  return file ? client_.put_file(item.key, *file, item.md5) : Status(file.error());
}

namespace {

// Worker threads that upload what add() queues, until finish() has seen the queue empty.
class QueuedUploads final : public ObjectStore::Uploads {
 public:
  QueuedUploads(int concurrency, std::function<Status(const PutItem&)> put,
                ObjectStore::PutDone done)
      : put_(std::move(put)), done_(std::move(done)) {
    const auto threads = static_cast<std::size_t>(std::max(1, concurrency));
    workers_.reserve(threads);
    for (std::size_t t = 0; t < threads; ++t) {
      workers_.emplace_back([this] { work(); });
    }
  }
  QueuedUploads(const QueuedUploads&) = delete;
  QueuedUploads& operator=(const QueuedUploads&) = delete;
  ~QueuedUploads() override { finish(); }

  void add(const std::vector<PutItem>& items) override {
    {
      std::lock_guard lock(mutex_);
      queue_.insert(queue_.end(), items.begin(), items.end());
    }
    ready_.notify_all();
  }
  void finish() override {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
    for (std::thread& worker : workers_) {
      if (worker.joinable()) worker.join();
    }
  }

 private:
  void work() {
    while (true) {
      PutItem item;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return closed_ || !queue_.empty(); });
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      const Status outcome = put_(item);
      std::lock_guard lock(report_);
      if (done_) done_(item, outcome);
    }
  }

  std::function<Status(const PutItem&)> put_;
  ObjectStore::PutDone done_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<PutItem> queue_;  ///< guarded by mutex_
  bool closed_ = false;        ///< guarded by mutex_
  std::mutex report_;          ///< one `done` at a time
  std::vector<std::thread> workers_;
};

}  // namespace

std::unique_ptr<ObjectStore::Uploads> S3ObjectStore::start_uploads(int concurrency, PutDone done) {
  return std::make_unique<QueuedUploads>(
      concurrency, [this](const PutItem& item) { return put_one(item); }, std::move(done));
}

Status S3ObjectStore::remove(const std::string& key) {
  return client_.remove(key);
}

Result<StoredObject> S3ObjectStore::head(const std::string& key) {
  Result<S3Object> object = client_.head(key);
  if (!object) return object.error();
  return StoredObject{object->key, object->etag, object->size};
}

S3Client& S3ObjectStore::client_for(const S3Location& at) {
  if (at.bucket == config_.bucket) return client_;
  std::lock_guard lock(others_mutex_);
  std::unique_ptr<S3Client>& slot = others_[at.bucket];
  if (!slot) {
    S3Config config = config_;
    config.bucket = at.bucket;
    if (!at.region.empty()) config.region = at.region;
    slot = std::make_unique<S3Client>(std::move(config));
  }
  return *slot;
}

Result<StoredObject> S3ObjectStore::head_at(const S3Location& at) {
  Result<S3Object> object = client_for(at).head(at.key);
  if (!object) return object.error();
  return StoredObject{object->key, object->etag, object->size};
}

Result<std::vector<StoredObject>> S3ObjectStore::list_at(const S3Location& at) {
  Result<std::vector<S3Object>> objects = client_for(at).list(at.key);
  if (!objects) return objects.error();
  std::vector<StoredObject> out;
  out.reserve(objects->size());
  for (S3Object& o : *objects) {
    out.push_back({std::move(o.key), std::move(o.etag), o.size});
  }
  return out;
}

Result<std::string> S3ObjectStore::get_at(const S3Location& at) {
  return client_for(at).get(at.key);
}

Result<std::string> S3ObjectStore::download_at(const S3Location& at, const std::string& etag,
                                               const std::string& file) {
  Result<std::filesystem::path> target = confine(workspace_root_, file);
  if (!target) return target.error();
  Result<std::string> content = get_at(at);
  if (!content) return content.error();
  std::string md5 = md5_hex(*content);
  if (is_md5_hex(etag) && to_lower(etag) != md5) {
    return Error{ErrorCode::Unavailable, "S3 GET " + at.url() + ": the content's MD5 " + md5 +
                                             " differs from the ETag " + etag};
  }
  std::error_code ec;
  std::filesystem::create_directories(target->parent_path(), ec);
  if (ec) {
    return Error{ErrorCode::Unavailable,
                 "create " + target->parent_path().string() + ": " + ec.message()};
  }
  if (Status written = write_file_atomic(*target, *content); !written) return written.error();
  return md5;
}

std::string S3ObjectStore::presigned_get(const std::string& key,
                                         std::chrono::seconds expires) const {
  return client_.presigned_get(key, expires, std::chrono::system_clock::now());
}

}  // namespace atr
