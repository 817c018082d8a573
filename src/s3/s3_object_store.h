#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/object_store.h"
#include "s3/s3_client.h"

namespace atr {

/// The core's ObjectStore on S3Client: files are workspace-relative and confined to the
/// workspace; an upload run and list_each use `concurrency` worker threads.
class S3ObjectStore final : public ObjectStore {
 public:
  S3ObjectStore(S3Config config, std::filesystem::path workspace_root);

  [[nodiscard]] std::string url_of(const std::string& key) const override;
  [[nodiscard]] Result<std::vector<StoredObject>> list(const std::string& prefix) override;
  [[nodiscard]] std::vector<Result<std::vector<StoredObject>>> list_each(
      const std::vector<std::string>& prefixes, int concurrency) override;
  /// `concurrency` worker threads draining a queue that add() fills.
  [[nodiscard]] std::unique_ptr<Uploads> start_uploads(int concurrency, PutDone done) override;
  Status remove(const std::string& key) override;
  [[nodiscard]] Result<StoredObject> head(const std::string& key) override;
  /// In the configured bucket through its client; in another bucket through a client of the
  /// same endpoint and credentials (the location's region when its URL names one), made once.
  [[nodiscard]] Result<StoredObject> head_at(const S3Location& at) override;
  [[nodiscard]] Result<std::vector<StoredObject>> list_at(const S3Location& at) override;
  [[nodiscard]] Result<std::string> get_at(const S3Location& at) override;
  [[nodiscard]] Result<std::string> download_at(const S3Location& at, const std::string& etag,
                                                const std::string& file) override;
  [[nodiscard]] std::string presigned_get(const std::string& key,
                                          std::chrono::seconds expires) const override;

  [[nodiscard]] S3Client& client() { return client_; }

 private:
  Status put_one(const PutItem& item);
  /// The client of `at`'s bucket: the configured one, or one made once per other bucket.
  S3Client& client_for(const S3Location& at);

  S3Config config_;
  S3Client client_;
  std::filesystem::path workspace_root_;
  std::mutex others_mutex_;
  std::map<std::string, std::unique_ptr<S3Client>> others_;  ///< by bucket
};

}  // namespace atr
