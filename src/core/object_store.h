#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/s3_url.h"

namespace atr {

/// One stored object as a listing shows it.
struct StoredObject {
  std::string key;
  std::string etag;  ///< MD5 hex for a single-part upload
  std::int64_t size = 0;
};

/// One file to upload.
struct PutItem {
  std::string key;
  std::string file;  ///< workspace-relative path of the local file
  std::string md5;   ///< lowercase hex; the store verifies the bytes against it
  std::int64_t size = 0;
};

/// The bucket the training images go to (S3). s3/ implements it.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  /// "s3://bucket/key".
  [[nodiscard]] virtual std::string url_of(const std::string& key) const = 0;
  /// Every object under `prefix`.
  [[nodiscard]] virtual Result<std::vector<StoredObject>> list(const std::string& prefix) = 0;
  /// Every object under each of `prefixes`, `concurrency` listings at a time (each costs a
  /// round trip or more); one result per prefix, in order.
  [[nodiscard]] virtual std::vector<Result<std::vector<StoredObject>>> list_each(
      const std::vector<std::string>& prefixes, int concurrency) = 0;
  /// Hears each upload of a run as it ends (see start_uploads).
  using PutDone = std::function<void(const PutItem& item, const Status& outcome)>;
  /// An upload run that takes items while it runs (see start_uploads).
  class Uploads {
   public:
    virtual ~Uploads() = default;
    /// Queues `items`; each starts as soon as a connection is free.
    virtual void add(const std::vector<PutItem>& items) = 0;
    /// Waits until every queued item has ended. The destructor calls it too.
    virtual void finish() = 0;
  };
  /// Starts an upload run over `concurrency` connections that takes items while it runs, so
  /// the uploads can start while the caller still prepares later ones; `done` hears each item
  /// as it ends (from any thread, one at a time).
  [[nodiscard]] virtual std::unique_ptr<Uploads> start_uploads(int concurrency, PutDone done) = 0;
  /// Deletes `key`.
  virtual Status remove(const std::string& key) = 0;
  /// The object's metadata; NotFound when it is missing.
  [[nodiscard]] virtual Result<StoredObject> head(const std::string& key) = 0;
  /// The metadata of an object in any bucket the credentials reach (trained models often live
  /// in another bucket than the training images); NotFound when it is missing.
  [[nodiscard]] virtual Result<StoredObject> head_at(const S3Location& at) = 0;
  /// Every object under `at.key` (a prefix) in the bucket `at` names.
  [[nodiscard]] virtual Result<std::vector<StoredObject>> list_at(const S3Location& at) = 0;
  /// The object's content (training images: a few MB each); NotFound when it is missing.
  [[nodiscard]] virtual Result<std::string> get_at(const S3Location& at) = 0;
  /// Writes the object's content to the workspace-relative `file` atomically (a temp file in the
  /// same folder, then rename; the folder is made when missing), after checking the content
  /// against `etag` when it is a single-part one (an MD5). Returns the content's MD5
  /// (lowercase hex).
  [[nodiscard]] virtual Result<std::string> download_at(const S3Location& at,
                                                        const std::string& etag,
                                                        const std::string& file) = 0;
  /// A URL that lets anyone GET `key` for `expires` from now, without credentials.
  [[nodiscard]] virtual std::string presigned_get(const std::string& key,
                                                  std::chrono::seconds expires) const = 0;
};

}  // namespace atr
