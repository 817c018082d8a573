#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace atr {

/// The three thumbnail sizes the UI asks for, by their longest edge in pixels.
enum class ThumbnailSize { Small, Medium, Large };

/// "small", "medium", "large".
std::string_view to_string(ThumbnailSize size);
/// The size named `text`, or nothing.
std::optional<ThumbnailSize> parse_thumbnail_size(std::string_view text);
/// Longest edge in pixels: 160, 320, 640.
int pixels_of(ThumbnailSize size);

/// A thumbnail ready to send: a cached file and its validator.
struct Thumbnail {
  std::string path;          ///< absolute path of the cached JPEG
  std::string etag;          ///< changes whenever the source image or the size changes
  std::string content_type;  ///< "image/jpeg"
};

/// Makes and caches thumbnails of workspace images. images/ implements it with libvips.
class Thumbnailer {
 public:
  virtual ~Thumbnailer() = default;
  /// A thumbnail of the workspace file `relative` (confined to the workspace: `..`, absolute
  /// paths, NUL bytes and symlinks that leave it are InvalidArgument). NotFound when there is
  /// no such file; InvalidArgument when it is not a readable image.
  [[nodiscard]] virtual Result<Thumbnail> thumbnail(std::string_view relative,
                                                    ThumbnailSize size) = 0;
};

}  // namespace atr
