#include "images/vips_scanner.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <system_error>

#include <openssl/evp.h>
#include <vips/vips.h>

#include "base/paths.h"
#include "base/strings.h"

namespace atr {
namespace fs = std::filesystem;

namespace {

constexpr size_t kTailBytes = 1024;

struct ContentDigest {
  std::string md5;
  std::uint64_t bytes = 0;
  std::string tail;  // the last kTailBytes bytes, for end-marker checks
};

// One pass over the file: MD5 of everything and the tail kept for the end-marker check.
Result<ContentDigest> digest_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::Unavailable, "cannot open"};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1) {
    return Error{ErrorCode::Internal, "md5 unavailable in OpenSSL"};
  }
  ContentDigest digest;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    const auto got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    EVP_DigestUpdate(ctx.get(), buffer.data(), got);
    digest.bytes += got;
    digest.tail.append(buffer.data(), got);
    if (digest.tail.size() > kTailBytes) digest.tail.erase(0, digest.tail.size() - kTailBytes);
  }
  if (in.bad()) return Error{ErrorCode::Unavailable, "read error"};
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  EVP_DigestFinal_ex(ctx.get(), md.data(), &md_len);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < md_len; ++i) {
    digest.md5 += kHex[md[i] >> 4];
    digest.md5 += kHex[md[i] & 0x0f];
  }
  return digest;
}

std::string take_vips_error() {
  std::string text(trim(vips_error_buffer()));
  vips_error_clear();
  std::replace(text.begin(), text.end(), '\n', ' ');
  return std::string(trim(text));
}

std::string format_of_loader(std::string_view loader) {
  const std::string lower = to_lower(loader);
  if (lower.find("jpeg") != std::string::npos) return "jpeg";
  if (lower.find("png") != std::string::npos) return "png";
  if (lower.find("webp") != std::string::npos) return "webp";
  return {};
}

std::string short_loader_name(std::string_view loader) {
  std::string name = to_lower(loader);
  for (std::string_view noise : {"vipsforeignload", "_source", "_file", "file", "source"}) {
    if (size_t at = name.find(noise); at != std::string::npos) name.erase(at, noise.size());
  }
  return name.empty() ? std::string(loader) : name;
}

// A truncated file usually keeps a valid header, so a header read alone accepts it. Each
// format marks its end; checking the tail catches truncation without decoding pixels.
std::string truncation_problem(const std::string& format, const ContentDigest& digest) {
  const std::string& tail = digest.tail;
  if (format == "jpeg") {
    // EOI marker FF D9; some writers pad after it, so look in the whole tail.
    for (size_t i = tail.size(); i >= 2; --i) {
      if (static_cast<unsigned char>(tail[i - 2]) == 0xFF &&
          static_cast<unsigned char>(tail[i - 1]) == 0xD9) {
        return {};
      }
    }
    return "truncated: no JPEG end marker";
  }
  if (format == "png") {
    return tail.find("IEND") != std::string::npos ? std::string{} : "truncated: no PNG IEND chunk";
  }
  if (format == "webp") return {};  // checked against the RIFF size in scan_file
  return {};
}

}  // namespace

void ensure_vips_started() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("actor-trainer") != 0) {
      std::fprintf(stderr, "libvips failed to start: %s\n", vips_error_buffer());
      std::abort();
    }
    vips_cache_set_max(0);  // we read headers once each; caching them only costs memory
  });
}

ScannedFile scan_file(const fs::path& path) {
  ensure_vips_started();
  ScannedFile file;
  file.name = path.filename().string();
  Result<ContentDigest> digest = digest_file(path);
  if (!digest) {
    file.status = FileStatus::Unreadable;
    file.detail = digest.error().message;
    return file;
  }
  file.bytes = digest->bytes;
  file.md5 = digest->md5;
  if (file.bytes == 0) {
    file.status = FileStatus::Corrupt;
    file.detail = "empty file";
    return file;
  }
  const char* loader = vips_foreign_find_load(path.c_str());
  if (loader == nullptr) {
    vips_error_clear();
    file.status = FileStatus::Corrupt;
    file.detail = "content is not a recognizable image";
    return file;
  }
  file.format = format_of_loader(loader);
  if (file.format.empty()) {
    file.status = FileStatus::Unsupported;
    file.detail = "content is " + short_loader_name(loader);
    return file;
  }
  // Lazy open: libvips reads the header only; pixels are never decoded here.
  VipsImage* image =
      vips_image_new_from_file(path.c_str(), "access", VIPS_ACCESS_SEQUENTIAL, nullptr);
  if (image == nullptr) {
    file.status = FileStatus::Corrupt;
    file.detail = take_vips_error();
    return file;
  }
  file.width = vips_image_get_width(image);
  file.height = vips_image_get_height(image);
  g_object_unref(image);

  std::string problem = truncation_problem(file.format, *digest);
  if (file.format == "webp" && file.bytes >= 12) {
    // RIFF size field (little endian, bytes 4..7) counts everything after the first 8 bytes.
    std::ifstream in(path, std::ios::binary);
    std::array<unsigned char, 8> head{};
    in.read(reinterpret_cast<char*>(head.data()), head.size());  // NOLINT: byte buffer
    const std::uint64_t riff =
        static_cast<std::uint64_t>(head[4]) | (static_cast<std::uint64_t>(head[5]) << 8) |
        (static_cast<std::uint64_t>(head[6]) << 16) | (static_cast<std::uint64_t>(head[7]) << 24);
    if (riff + 8 > file.bytes) problem = "truncated: WebP RIFF size exceeds the file";
  }
  if (!problem.empty()) {
    file.status = FileStatus::Corrupt;
    file.detail = problem;
  }
  return file;
}

VipsTrainingDataScanner::VipsTrainingDataScanner(fs::path workspace_root)
    : workspace_root_(std::move(workspace_root)) {}

Result<std::vector<ScannedFile>> VipsTrainingDataScanner::scan(std::string_view relative,
                                                               const ProgressFn& progress) {
  Result<fs::path> confined = confine(workspace_root_, relative);
  if (!confined) return confined.error().with_context("training folder");
  const fs::path& folder = *confined;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return Error{ErrorCode::NotFound,
                 "training folder " + std::string(relative) + ": no such folder"};
  }
  std::vector<fs::path> candidates;
  std::set<std::string> captions;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.front() == '.') continue;  // hidden files and editor leftovers
    if (entry.is_directory(ec)) continue;
    if (extension_lower(name) == "txt") {
      captions.insert(entry.path().stem().string());
      continue;
    }
    candidates.push_back(entry.path());
  }
  if (ec) return Error{ErrorCode::Unavailable, "scan " + folder.string() + ": " + ec.message()};
  std::sort(candidates.begin(), candidates.end());

  std::vector<ScannedFile> files;
  files.reserve(candidates.size());
  static const std::set<std::string> kImageExtensions = {"jpg", "jpeg", "png", "webp"};
  for (size_t i = 0; i < candidates.size(); ++i) {
    const fs::path& path = candidates[i];
    ScannedFile file;
    file.name = path.filename().string();
    const std::string ext = extension_lower(file.name);
    if (fs::is_symlink(path, ec) && !fs::exists(path, ec)) {
      file.status = FileStatus::Unreadable;
      file.detail = "broken symlink: its target does not exist";
    } else if (fs::is_symlink(path, ec) && !resolves_within(workspace_root_, path)) {
      file.status = FileStatus::OutsideWorkspace;
      file.detail = "symlink target is outside the workspace";
    } else if (kImageExtensions.count(ext) == 0) {
      file.status = FileStatus::Unsupported;
      file.detail = ext.empty() ? "no file extension" : "extension ." + ext;
    } else {
      file = scan_file(path);
    }
    file.has_caption = captions.count(path.stem().string()) > 0;
    files.push_back(std::move(file));
    if (progress) progress(i + 1, candidates.size());
  }
  return files;
}

}  // namespace atr
