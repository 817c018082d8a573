#pragma once

#include <filesystem>

#include "core/previews.h"

namespace atr {

/// SheetWriter with libvips: each cell a 256 px thumbnail of a workspace image (confined to
/// the workspace; a missing one is a grey square marked "none"), titles rendered with
/// vips_text, the grid joined with vips_arrayjoin and saved as PNG.
class VipsSheetWriter final : public SheetWriter {
 public:
  explicit VipsSheetWriter(std::filesystem::path workspace_root);
  Status write(const ContactSheet& sheet, const std::string& out) override;

 private:
  std::filesystem::path root_;
};

}  // namespace atr
