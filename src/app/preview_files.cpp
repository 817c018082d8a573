#include "app/preview_files.h"

#include <openssl/evp.h>

#include "base/files.h"
#include "base/strings.h"
#include "core/s3_url.h"
#include "images/vips_scanner.h"

namespace atr {
namespace {

// A preview image above this size is refused: a 4096×4096 PNG is well below it.
constexpr size_t kMaxImageBytes = 64ULL * 1024 * 1024;

}  // namespace

Result<std::string> decode_base64(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') clean.push_back(c);
  }
  if (clean.empty() || clean.size() % 4 != 0) {
    return Error{ErrorCode::InvalidArgument, "not base64 (its length is not a multiple of 4)"};
  }
  std::string out(clean.size() / 4 * 3, '\0');
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(clean.data()),
                                      static_cast<int>(clean.size()));
  if (written < 0) return Error{ErrorCode::InvalidArgument, "not base64"};
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t padding = 0;
  if (clean.ends_with("==")) {
    padding = 2;
  } else if (clean.ends_with('=')) {
    padding = 1;
  }
  out.resize(static_cast<size_t>(written) - padding);
  return out;
}

PreviewFiles::PreviewFiles(std::filesystem::path root, std::shared_ptr<HttpClient> http,
                           ObjectStore* objects, std::string key_layout)
    : root_(std::move(root)),
      http_(std::move(http)),
      objects_(objects),
      key_layout_(std::move(key_layout)) {}

Result<std::string> PreviewFiles::bytes_of(const ReportedImage& image) {
  if (image.kind == ReportedImage::Kind::Base64) {
    if (image.data.size() > kMaxImageBytes / 3 * 4) {
      return Error{ErrorCode::InvalidArgument, "the image is larger than 64 MiB"};
    }
    return decode_base64(image.data);
  }
  // https URLs (presigned ones too) are fetched as they are; only s3:// needs the bucket.
  if (std::optional<S3Location> at =
          image.data.starts_with("s3://") ? parse_s3_url(image.data) : std::nullopt) {
    if (objects_ == nullptr) {
      return Error{ErrorCode::FailedPrecondition,
                   "the image is in S3 (" + image.data + ") and no bucket is configured"};
    }
    return objects_->get_at(*at);
  }
  if (!image.data.starts_with("http://") && !image.data.starts_with("https://")) {
    return Error{ErrorCode::InvalidArgument, "the image URL is neither http(s) nor s3"};
  }
  HttpRequest request;
  request.url = image.data;
  request.timeout = std::chrono::milliseconds(60'000);
  const HttpResponse response = http_->send(request);
  if (response.outcome != HttpResponse::Outcome::Answered || response.status != 200) {
    return Error{ErrorCode::Unavailable, "fetching " + image.data + " failed: " +
                                             (response.outcome == HttpResponse::Outcome::Answered
                                                  ? "HTTP " + std::to_string(response.status)
                                                  : response.failure)};
  }
  if (response.body.size() > kMaxImageBytes) {
    return Error{ErrorCode::InvalidArgument, "the image is larger than 64 MiB"};
  }
  return response.body;
}

Result<PreviewImages::Saved> PreviewFiles::save(const Preview& preview,
                                                const std::vector<ReportedImage>& images) {
  std::vector<PutItem> files;  // key (when uploaded), workspace-relative path, MD5, size
  std::vector<std::string> contents;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string which =
        "image " + std::to_string(i + 1) + " of " + std::to_string(images.size());
    Result<std::string> bytes = bytes_of(images[i]);
    if (!bytes) return bytes.error().with_context(which);
    const ScannedFile scanned = scan_bytes("preview", *bytes);
    if (scanned.status != FileStatus::Image) {
      return Error{ErrorCode::InvalidArgument,
                   which + " is not a readable image" +
                       (scanned.detail.empty() ? "" : ": " + scanned.detail)};
    }
    const std::string ext = scanned.format == "jpeg" ? "jpg" : scanned.format;
    const std::string name = "p" + std::to_string(preview.prompt_index) + "-s" +
                             std::to_string(preview.seed) + "-" + std::to_string(i + 1) + "." + ext;
    PutItem item;
    item.file = ".actor-trainer/previews/v" + std::to_string(preview.version_id) + "/" + name;
    item.md5 = scanned.md5;
    item.size = static_cast<std::int64_t>(bytes->size());
    if (!key_layout_.empty()) {
      item.key = replace_all(replace_all(replace_all(key_layout_, "{actor}", preview.actor_id),
                                         "{version}", preview.version_name),
                             "{file}", name);
    }
    files.push_back(std::move(item));
    contents.push_back(std::move(bytes).value());
  }
  Saved saved;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::filesystem::path path = root_ / files[i].file;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return Error{ErrorCode::Unavailable,
                   "cannot create " + path.parent_path().string() + ": " + ec.message()};
    }
    if (Status written = write_file_atomic(path, contents[i]); !written) return written.error();
    saved.files.push_back(files[i].file);
  }
  if (key_layout_.empty()) return saved;
  if (objects_ == nullptr) {
    return Error{ErrorCode::FailedPrecondition,
                 "[runpod.preview] s3_key_layout is set but no bucket is configured"};
  }
  std::vector<std::string> failures;
  {
    std::unique_ptr<ObjectStore::Uploads> run =
        objects_->start_uploads(2, [&failures](const PutItem& item, const Status& outcome) {
          if (!outcome) failures.push_back(item.key + ": " + outcome.error().message);
        });
    run->add(files);
    run->finish();
  }
  if (!failures.empty()) {
    return Error{ErrorCode::Unavailable,
                 "uploading the preview images failed: " + failures.front()};
  }
  for (const PutItem& item : files) {
    saved.s3_urls.push_back(objects_->url_of(item.key));
  }
  return saved;
}

}  // namespace atr
