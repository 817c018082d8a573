#include "images/vips_scanner.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <openssl/evp.h>
#include <sys/stat.h>
#include <vips/vips.h>

#include "base/paths.h"
#include "base/strings.h"
#include "images/image_quality.h"

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
  digest.md5 = to_hex(md.data(), md_len);
  return digest;
}

// The same for content already in memory (an S3 object).
ContentDigest digest_bytes(std::string_view content) {
  ContentDigest digest;
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  EVP_Digest(content.data(), content.size(), md.data(), &md_len, EVP_md5(), nullptr);
  digest.md5 = to_hex(md.data(), md_len);
  digest.bytes = content.size();
  digest.tail =
      std::string(content.substr(content.size() > kTailBytes ? content.size() - kTailBytes : 0));
  return digest;
}

// What libvips reads an image from: a file, or a buffer in memory.
struct ContentSource {
  const fs::path* path = nullptr;
  std::string_view bytes;

  [[nodiscard]] const char* find_loader() const {
    return path != nullptr ? vips_foreign_find_load(path->c_str())
                           : vips_foreign_find_load_buffer(bytes.data(), bytes.size());
  }
  // Lazy open: libvips reads the header only; pixels are never decoded here.
  [[nodiscard]] VipsImage* open() const {
    return path != nullptr
               ? vips_image_new_from_file(path->c_str(), "access", VIPS_ACCESS_SEQUENTIAL, nullptr)
               : vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access",
                                            VIPS_ACCESS_SEQUENTIAL, nullptr);
  }
  // A decoded copy for the quality measures: at most kQualityAnalysisSide px, upright,
  // shrunk while loading where the format allows it.
  [[nodiscard]] VipsImage* analysis_copy() const {
    VipsImage* out = nullptr;
    const int failed =
        path != nullptr
            ? vips_thumbnail(path->c_str(), &out, kQualityAnalysisSide, "size", VIPS_SIZE_DOWN,
                             nullptr)
            : vips_thumbnail_buffer(const_cast<char*>(bytes.data()),  // NOLINT: libvips API
                                    bytes.size(), &out, kQualityAnalysisSide, "size",
                                    VIPS_SIZE_DOWN, nullptr);
    return failed != 0 ? nullptr : out;
  }
  [[nodiscard]] std::array<unsigned char, 8> head() const {
    std::array<unsigned char, 8> out{};
    if (path != nullptr) {
      std::ifstream in(*path, std::ios::binary);
      in.read(reinterpret_cast<char*>(out.data()), out.size());  // NOLINT: byte buffer
    } else {
      std::copy_n(bytes.begin(), std::min(bytes.size(), out.size()), out.begin());
    }
    return out;
  }
};

}  // namespace

std::mutex& vips_error_mutex() {
  static std::mutex mutex;
  return mutex;
}

// Loader names and libjpeg's "Warning:" notes (harmless quirks such as an unknown JFIF
// revision) are dropped; lines become "; ".
std::string take_vips_error() {
  const std::string raw(vips_error_buffer());
  vips_error_clear();
  std::vector<std::string> parts;
  for (const std::string& line : split(raw, '\n')) {
    std::string_view text = trim(line);
    if (const std::size_t colon = text.find(": ");
        colon != std::string_view::npos && text.substr(0, 4) == "Vips") {
      text = trim(text.substr(colon + 2));
    }
    if (text.empty() || text.starts_with("Warning:") || text.starts_with("read gave")) continue;
    if (std::find(parts.begin(), parts.end(), text) == parts.end()) parts.emplace_back(text);
  }
  return parts.empty() ? std::string("libvips cannot read it") : join(parts, "; ");
}

namespace {

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

// The stamp of the file a path names (symlinks followed); nullopt when stat fails.
std::optional<FileStamp> stamp_of(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  constexpr std::int64_t kNsPerSecond = 1'000'000'000;
  FileStamp stamp;
  stamp.size = static_cast<std::uint64_t>(st.st_size);
  stamp.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * kNsPerSecond + st.st_mtim.tv_nsec;
  stamp.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * kNsPerSecond + st.st_ctim.tv_nsec;
  stamp.inode = static_cast<std::uint64_t>(st.st_ino);
  return stamp;
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
    // libvips prints decoder warnings ("VIPS-WARNING **: … unknown JFIF revision") on stderr
    // through GLib; what matters about a file reaches the user as its scan status instead.
    g_log_set_handler(
        "VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE),
        [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
  });
}

namespace {

// Judges content once read: status, format, dimensions, size, MD5; with `analyse`, the
// quality measures of a sound image too.
ScannedFile read_content(std::string name, const Result<ContentDigest>& digest,
                         const ContentSource& source, bool analyse) {
  ensure_vips_started();
  ScannedFile file;
  file.name = std::move(name);
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
  std::unique_lock vips_lock(vips_error_mutex());
  vips_error_clear();
  const char* loader = source.find_loader();
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
  VipsImage* image = source.open();
  if (image == nullptr) {
    file.status = FileStatus::Corrupt;
    file.detail = take_vips_error();
    return file;
  }
  file.width = vips_image_get_width(image);
  file.height = vips_image_get_height(image);
  const bool turned = vips_image_get_orientation_swap(image) != 0;  // EXIF says: a quarter turn
  g_object_unref(image);
  vips_error_clear();  // warnings about a readable file
  vips_lock.unlock();

  std::string problem = truncation_problem(file.format, *digest);
  if (file.format == "webp" && file.bytes >= 12) {
    // RIFF size field (little endian, bytes 4..7) counts everything after the first 8 bytes.
    const std::array<unsigned char, 8> head = source.head();
    const std::uint64_t riff =
        static_cast<std::uint64_t>(head[4]) | (static_cast<std::uint64_t>(head[5]) << 8) |
        (static_cast<std::uint64_t>(head[6]) << 16) | (static_cast<std::uint64_t>(head[7]) << 24);
    if (riff + 8 > file.bytes) problem = "truncated: WebP RIFF size exceeds the file";
  }
  if (!problem.empty()) {
    file.status = FileStatus::Corrupt;
    file.detail = problem;
    return file;
  }
  if (analyse) {
    vips_lock.lock();
    vips_error_clear();
    if (VipsImage* copy = source.analysis_copy(); copy != nullptr) {
      file.quality = measure_image(copy, turned ? file.height : file.width,
                                   turned ? file.width : file.height, vips_lock);
      g_object_unref(copy);
    } else {
      vips_error_clear();  // not measured; the header checks have judged the file
    }
  }
  return file;
}

}  // namespace

ScannedFile scan_file(const fs::path& path, bool analyse) {
  return read_content(path.filename().string(), digest_file(path), ContentSource{&path, {}},
                      analyse);
}

ScannedFile scan_bytes(std::string name, std::string_view content, bool analyse) {
  return read_content(std::move(name), digest_bytes(content), ContentSource{nullptr, content},
                      analyse);
}

VipsTrainingDataScanner::VipsTrainingDataScanner(fs::path workspace_root, ScanMemory* memory,
                                                 bool analyse, std::chrono::nanoseconds racy_window)
    : workspace_root_(std::move(workspace_root)),
      memory_(memory),
      analyse_(analyse),
      racy_window_(racy_window) {}

bool VipsTrainingDataScanner::complete(const ScannedFile& file, bool analyse) {
  return !analyse || file.status != FileStatus::Image || file.quality.has_value();
}

Status VipsTrainingDataScanner::record_synced(
    std::string_view folder, const std::map<std::string, std::string>& md5_by_name) {
  if (memory_ == nullptr) return Ok{};
  return memory_->record_synced(std::string(folder), md5_by_name);
}

ScannedFile VipsTrainingDataScanner::scan_object(const std::string& name,
                                                 const StoredObject& object, const FetchFn& fetch) {
  const bool cacheable = memory_ != nullptr && !object.etag.empty();
  if (cacheable) {
    Result<std::optional<ScannedFile>> known =
        memory_->recall_object(object.etag, static_cast<std::uint64_t>(object.size));
    if (known && *known && complete(**known, analyse_)) {
      ScannedFile file = std::move(**known);
      file.name = name;
      return file;
    }
  }
  Result<std::string> content = fetch();
  if (!content) {
    ScannedFile file;
    file.name = name;
    file.status = FileStatus::Unreadable;
    file.bytes = static_cast<std::uint64_t>(object.size);
    file.detail = "cannot be fetched from S3: " + content.error().message;
    return file;  // not remembered: the next scan tries again
  }
  ScannedFile file = scan_bytes(name, *content, analyse_);
  // Best effort, like the folder memory: a failed write costs the next scan a fetch.
  if (cacheable) (void)memory_->remember_object(object.etag, file);
  return file;
}

namespace {

// Looks std::string keys up by string_view, without making a string of each.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const {
    return std::hash<std::string_view>{}(name);
  }
};
using NameSet = std::unordered_set<std::string, NameHash, std::equal_to<>>;

}  // namespace

std::vector<bool> VipsTrainingDataScanner::absent(const std::vector<std::string>& folders) {
  // Each folder's entries, listed once; nullopt when it cannot be listed (then only a scan
  // can tell). A folder that does not exist has no entries. Symbolic links are not followed:
  // where one leads is for the scan's confinement check to judge.
  struct Listing {
    NameSet names;
    NameSet links;
  };
  std::unordered_map<std::string, std::optional<Listing>, NameHash, std::equal_to<>> listings;
  auto listing_of = [&](std::string_view dir) -> const std::optional<Listing>& {
    if (auto known = listings.find(dir); known != listings.end()) return known->second;
    std::optional<Listing>& slot = listings[std::string(dir)];
    std::error_code ec;
    fs::directory_iterator entries(workspace_root_ / dir, ec);
    if (ec) {
      if (ec == std::errc::no_such_file_or_directory) slot.emplace();
      return slot;
    }
    Listing listing;
    for (; entries != fs::directory_iterator(); entries.increment(ec)) {
      const std::string name = entries->path().filename().string();
      if (entries->is_symlink(ec)) listing.links.insert(name);
      listing.names.insert(name);
    }
    if (!ec) slot = std::move(listing);
    return slot;
  };
  std::vector<bool> out(folders.size(), false);
  for (std::size_t i = 0; i < folders.size(); ++i) {
    // The folder's own text, cut at each '/': `dir` is always a prefix of it (in the form
    // the map holds it, "a/b"), so walking a path makes no string.
    const std::string_view folder = folders[i];
    if (folder.empty() || folder.front() == '/') continue;
    std::string_view dir;
    std::size_t at = 0;
    bool loose = false;  // "./" or "//" inside: the prefix is not a plain "a/b" form
    while (at < folder.size()) {
      std::size_t cut = folder.find('/', at);
      if (cut == std::string_view::npos) cut = folder.size();
      const std::string_view name = folder.substr(at, cut - at);
      at = cut + 1;
      if (name.empty() || name == ".") {
        loose = true;
        continue;
      }
      if (name == ".." || loose) break;  // may leave the workspace, or spelled loosely: scan
      const std::optional<Listing>& listing = listing_of(dir);
      if (!listing || listing->links.contains(name)) break;
      if (!listing->names.contains(name)) {
        out[i] = true;
        break;
      }
      dir = folder.substr(0, cut);
    }
  }
  return out;
}

Result<std::vector<ScannedFile>> VipsTrainingDataScanner::scan(std::string_view relative,
                                                               const ProgressFn& progress,
                                                               ScanDepth depth) {
  const bool analyse = analyse_ && depth == ScanDepth::Quality;
  // Most actors of a large registry have no folder: one stat says so, before the confinement
  // check resolves every component of the path (a plain relative path cannot leave the
  // workspace without existing, so its absence is all there is to say).
  if (const fs::path plain(relative);
      plain.is_relative() && !plain.empty() &&
      std::none_of(plain.begin(), plain.end(), [](const fs::path& p) { return p == ".."; })) {
    struct stat st {};
    if (::stat((workspace_root_ / plain).c_str(), &st) != 0 && errno == ENOENT) {
      return Error{ErrorCode::NotFound,
                   "training folder " + std::string(relative) + ": no such folder"};
    }
  }
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

  std::map<std::string, RememberedScan> recalled;
  std::map<std::string, std::string> synced;
  if (memory_ != nullptr) {
    // The memory only saves work: when it cannot be read, every file is read instead.
    if (auto r = memory_->recall(std::string(relative)); r) recalled = std::move(r).value();
    if (auto d = memory_->synced_digests(std::string(relative)); d) synced = std::move(d).value();
  }
  const std::int64_t racy_from =
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::system_clock::now().time_since_epoch() - racy_window_)
          .count();
  std::vector<RememberedScan> keep;

  std::vector<ScannedFile> files(candidates.size());
  std::vector<std::optional<FileStamp>> stamps(candidates.size());
  std::vector<std::size_t> to_read;  // indices of image files that must be read
  static const std::set<std::string> kImageExtensions = {"jpg", "jpeg", "png", "webp"};
  // Image formats a photo folder may hold that we do not train on: left out, and named. Any
  // other file (notes.md, a .json sidecar) is not an image at all and is only listed.
  static const std::set<std::string> kOtherImageExtensions = {
      "bmp", "gif", "tif", "tiff", "heic", "heif", "avif", "jxl", "jp2", "jfif",
      "jpe", "ico", "psd", "svg",  "dng",  "cr2",  "cr3",  "nef", "arw", "raw"};
  for (size_t i = 0; i < candidates.size(); ++i) {
    const fs::path& path = candidates[i];
    ScannedFile& file = files[i];
    file.name = path.filename().string();
    const std::string ext = extension_lower(file.name);
    if (fs::is_symlink(path, ec) && !fs::exists(path, ec)) {
      file.status = FileStatus::Unreadable;
      file.detail = "broken symlink: its target does not exist";
    } else if (fs::is_symlink(path, ec) && !resolves_within(workspace_root_, path)) {
      file.status = FileStatus::OutsideWorkspace;
      file.detail = "symlink target is outside the workspace";
    } else if (kOtherImageExtensions.count(ext) != 0) {
      file.status = FileStatus::Unsupported;
      file.detail = "." + ext + " files";
    } else if (kImageExtensions.count(ext) == 0) {
      file.status = FileStatus::Ignored;
      file.detail = ext.empty() ? "no file extension" : "not an image (." + ext + ")";
    } else {
      stamps[i] = stamp_of(path);
      auto seen = recalled.find(file.name);
      if (stamps[i] && seen != recalled.end() && seen->second.stamp == *stamps[i] &&
          complete(seen->second.file, analyse)) {
        file = seen->second.file;
        file.name = path.filename().string();
      } else {
        to_read.push_back(i);
      }
    }
  }

  // Reading is hashing and header parsing: spread it over the cores.
  std::mutex progress_mutex;
  std::size_t done = candidates.size() - to_read.size();
  if (progress && done > 0) progress(done, candidates.size());
  std::atomic<std::size_t> next{0};
  auto read_some = [&] {
    for (std::size_t k = next++; k < to_read.size(); k = next++) {
      const std::size_t i = to_read[k];
      files[i] = scan_file(candidates[i], analyse);
      std::lock_guard lock(progress_mutex);
      ++done;
      if (progress) progress(done, candidates.size());
    }
  };
  constexpr std::size_t kMaxReaders = 4;
  const std::size_t readers = std::min<std::size_t>(
      {to_read.size(), kMaxReaders, std::max(1U, std::thread::hardware_concurrency())});
  std::vector<std::thread> pool;
  pool.reserve(readers > 0 ? readers - 1 : 0);
  for (std::size_t t = 1; t < readers; ++t) {
    pool.emplace_back(read_some);
  }
  read_some();
  for (std::thread& t : pool) {
    t.join();
  }
  const bool memory_changed = !to_read.empty();

  for (size_t i = 0; i < candidates.size(); ++i) {
    ScannedFile& file = files[i];
    const std::optional<FileStamp>& stamp = stamps[i];
    if (stamp && stamp->mtime_ns < racy_from && stamp->ctime_ns < racy_from) {
      keep.push_back({*stamp, file});
    }
    file.has_caption = captions.count(candidates[i].stem().string()) > 0;
    if (auto digest = synced.find(file.name); digest != synced.end()) {
      file.synced_md5 = digest->second;
    }
  }
  if (memory_ != nullptr && (memory_changed || keep.size() != recalled.size())) {
    // Best effort, like the recall: a failed write costs the next scan its shortcut only.
    (void)memory_->remember(std::string(relative), keep);
  }
  return files;
}

}  // namespace atr
