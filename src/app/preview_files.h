#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/object_store.h"
#include "core/previews.h"
#include "net/http_client.h"

namespace atr {

/// PreviewImages in the workspace: each image of a preview is decoded (base64, with OpenSSL),
/// or fetched (an http(s) URL with libcurl, an s3:// URL from the bucket), checked to be a
/// PNG, JPEG or WebP image with libvips, and written atomically as
/// `.actor-trainer/previews/v<version id>/p<prompt>-s<seed>-<n>.<format>`: keyed by version,
/// prompt and seed, so a repeat writes the same files.
class PreviewFiles final : public PreviewImages {
 public:
  /// `objects` may be null (no bucket: s3:// images cannot be fetched nor uploaded). With a
  /// `key_layout` ({actor}, {version}, {file}), each image is uploaded there too.
  PreviewFiles(std::filesystem::path root, std::shared_ptr<HttpClient> http, ObjectStore* objects,
               std::string key_layout = {});

  [[nodiscard]] Result<Saved> save(const Preview& preview,
                                   const std::vector<ReportedImage>& images) override;

 private:
  Result<std::string> bytes_of(const ReportedImage& image);

  std::filesystem::path root_;
  std::shared_ptr<HttpClient> http_;
  ObjectStore* objects_;
  std::string key_layout_;
};

/// The bytes of base64 `text` (whitespace ignored); InvalidArgument when it is not base64.
Result<std::string> decode_base64(std::string_view text);

}  // namespace atr
