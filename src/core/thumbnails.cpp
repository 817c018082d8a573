#include "core/thumbnails.h"

namespace atr {

std::string_view to_string(ThumbnailSize size) {
  switch (size) {
    case ThumbnailSize::Small: return "small";
    case ThumbnailSize::Medium: return "medium";
    case ThumbnailSize::Large: return "large";
  }
  return "medium";
}

std::optional<ThumbnailSize> parse_thumbnail_size(std::string_view text) {
  for (ThumbnailSize size : {ThumbnailSize::Small, ThumbnailSize::Medium, ThumbnailSize::Large}) {
    if (text == to_string(size)) return size;
  }
  return std::nullopt;
}

int pixels_of(ThumbnailSize size) {
  switch (size) {
    case ThumbnailSize::Small: return 160;
    case ThumbnailSize::Medium: return 320;
    case ThumbnailSize::Large: return 640;
  }
  return 320;
}

}  // namespace atr
