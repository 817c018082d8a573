#pragma once

#include <filesystem>

#include "core/thumbnails.h"

namespace atr {

/// Thumbnailer on libvips: `vips_thumbnail` shrinks on load (JPEG DCT scaling, WebP scaled
/// decode), so a 4000 px photo is never decoded in full. Results are JPEG files under
/// `cache_dir`, named by a SHA-256 of the source path, its size and mtime, and the thumbnail
/// size: an edited source gets a new name (and ETag), and a cached one is served as it is.
class VipsThumbnailer final : public Thumbnailer {
 public:
  VipsThumbnailer(std::filesystem::path workspace_root, std::filesystem::path cache_dir);

  Result<Thumbnail> thumbnail(std::string_view relative, ThumbnailSize size) override;

 private:
  std::filesystem::path workspace_root_;
  std::filesystem::path cache_dir_;
};

}  // namespace atr
