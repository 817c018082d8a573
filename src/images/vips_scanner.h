#pragma once

#include <filesystem>

#include "core/training_data_scanner.h"

namespace atr {

/// TrainingDataScanner that reads image headers with libvips (no pixel decode), hashes content
/// with OpenSSL MD5, and checks each format's end marker so a truncated file is caught without
/// decoding it. Symlinks that resolve outside `workspace_root` are reported, never read.
class VipsTrainingDataScanner final : public TrainingDataScanner {
 public:
  explicit VipsTrainingDataScanner(std::filesystem::path workspace_root);

  Result<std::vector<ScannedFile>> scan(std::string_view relative,
                                        const ProgressFn& progress) override;

 private:
  std::filesystem::path workspace_root_;
};

/// Starts libvips once per process (safe to call repeatedly and from several threads).
void ensure_vips_started();

/// Reads one file: status, detected format, dimensions, size, MD5. Exposed for tests.
ScannedFile scan_file(const std::filesystem::path& path);

}  // namespace atr
