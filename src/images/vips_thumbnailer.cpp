#include "images/vips_thumbnailer.h"

#include <array>
#include <cstdio>
#include <memory>

#include <openssl/evp.h>
#include <sys/stat.h>
#include <vips/vips.h>

#include "base/files.h"
#include "base/paths.h"
#include "base/strings.h"
#include "images/vips_scanner.h"

namespace atr {
namespace {

namespace fs = std::filesystem;

constexpr int kJpegQuality = 82;

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  EVP_Digest(text.data(), text.size(), md.data(), &md_len, EVP_sha256(), nullptr);
  return to_hex(md.data(), md_len);
}

std::string vips_failure(std::string_view what) {
  return std::string(what) + ": " + take_vips_error();
}

// Decodes `source` shrunk to fit `pixels` (never enlarged) and encodes it as JPEG.
Result<std::string> render(const fs::path& source, int pixels, std::string_view label) {
  ensure_vips_started();
  VipsImage* raw = nullptr;
  if (vips_thumbnail(source.c_str(), &raw, pixels, "height", pixels, "size", VIPS_SIZE_DOWN,
                     nullptr) != 0) {
    return Error{ErrorCode::InvalidArgument, vips_failure(std::string(label) + " is not an image")};
  }
  std::unique_ptr<VipsImage, decltype(&g_object_unref)> image(raw, &g_object_unref);
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_jpegsave_buffer(image.get(), &buffer, &length, "Q", kJpegQuality, "strip", TRUE,
                           nullptr) != 0) {
    return Error{ErrorCode::Internal, vips_failure(std::string(label) + ": encoding failed")};
  }
  std::string bytes(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return bytes;
}

}  // namespace

VipsThumbnailer::VipsThumbnailer(fs::path workspace_root, fs::path cache_dir)
    : workspace_root_(std::move(workspace_root)), cache_dir_(std::move(cache_dir)) {}

Result<Thumbnail> VipsThumbnailer::thumbnail(std::string_view relative, ThumbnailSize size) {
  Result<fs::path> source = confine(workspace_root_, relative);
  if (!source) return source.error();
  const std::string label(relative);
  struct stat info {};
  if (::stat(source->c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return Error{ErrorCode::NotFound, "no image " + label};
  }
  if (!resolves_within(workspace_root_, *source)) {
    return Error{ErrorCode::InvalidArgument, label + " leaves the workspace"};
  }
  const std::string key =
      sha256_hex(source->lexically_relative(workspace_root_).string() + '\n' +
                 std::string(to_string(size)) + '\n' + std::to_string(info.st_size) + '\n' +
                 std::to_string(info.st_mtim.tv_sec) + '.' + std::to_string(info.st_mtim.tv_nsec))
          .substr(0, 32);
  const fs::path cached = cache_dir_ / (key + ".jpg");
  Thumbnail out{cached.string(), '"' + key + '"', "image/jpeg"};
  std::error_code ec;
  if (fs::is_regular_file(cached, ec)) return out;

  Result<std::string> bytes = render(*source, pixels_of(size), label);
  if (!bytes) return bytes.error();
  fs::create_directories(cache_dir_, ec);
  if (Status written = write_file_atomic(cached, *bytes); !written) return written.error();
  return out;
}

}  // namespace atr
