#include "s3/s3_object_store.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "base/paths.h"

namespace atr {

S3ObjectStore::S3ObjectStore(S3Config config, std::filesystem::path workspace_root)
    : config_(config), client_(std::move(config)), workspace_root_(std::move(workspace_root)) {}

std::string S3ObjectStore::url_of(const std::string& key) const {
  return client_.s3_url(key);
}

Result<std::vector<StoredObject>> S3ObjectStore::list(const std::string& prefix) {
  Result<std::vector<S3Object>> objects = client_.list(prefix);
  if (!objects) return objects.error();
  std::vector<StoredObject> out;
  out.reserve(objects->size());
  for (S3Object& o : *objects) {
    out.push_back({std::move(o.key), std::move(o.etag), o.size});
  }
  return out;
}

std::vector<Status> S3ObjectStore::put_all(const std::vector<PutItem>& items, int concurrency,
                                           const PutDone& done) {
  std::vector<Status> outcomes(items.size(), Status(Ok{}));
  std::atomic<std::size_t> next{0};
  std::mutex report;
  auto work = [&] {
    for (std::size_t i = next++; i < items.size(); i = next++) {
      const PutItem& item = items[i];
      Result<std::filesystem::path> file = confine(workspace_root_, item.file);
      Status outcome = file ? client_.put_file(item.key, *file, item.md5) : Status(file.error());
      std::lock_guard lock(report);
      outcomes[i] = outcome;
      if (done) done(item, outcome);
    }
  };
  const std::size_t threads =
      std::min<std::size_t>(items.size(), static_cast<std::size_t>(std::max(1, concurrency)));
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back(work);
  }
  for (std::thread& t : pool) {
    t.join();
  }
  return outcomes;
}

Status S3ObjectStore::remove(const std::string& key) {
  return client_.remove(key);
}

Result<StoredObject> S3ObjectStore::head(const std::string& key) {
  Result<S3Object> object = client_.head(key);
  if (!object) return object.error();
  return StoredObject{object->key, object->etag, object->size};
}

Result<StoredObject> S3ObjectStore::head_at(const S3Location& at) {
  if (at.bucket == config_.bucket) return head(at.key);
  S3Client* other = nullptr;
  {
    std::lock_guard lock(others_mutex_);
    std::unique_ptr<S3Client>& slot = others_[at.bucket];
    if (!slot) {
      S3Config config = config_;
      config.bucket = at.bucket;
      if (!at.region.empty()) config.region = at.region;
      slot = std::make_unique<S3Client>(std::move(config));
    }
    other = slot.get();
  }
  Result<S3Object> object = other->head(at.key);
  if (!object) return object.error();
  return StoredObject{object->key, object->etag, object->size};
}

std::string S3ObjectStore::presigned_get(const std::string& key,
                                         std::chrono::seconds expires) const {
  return client_.presigned_get(key, expires, std::chrono::system_clock::now());
}

}  // namespace atr
