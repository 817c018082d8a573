#include "images/vips_contact_sheet.h"

#include <vips/vips.h>

#include "base/files.h"
#include "base/paths.h"
#include "images/vips_scanner.h"

namespace atr {
namespace {

constexpr int kCell = 256;
constexpr int kTitleWidth = 220;
constexpr int kTitleHeight = 40;

// Owns the images made while building one sheet.
class Images {
 public:
  Images() = default;
  Images(const Images&) = delete;
  Images& operator=(const Images&) = delete;
  ~Images() {
    for (VipsImage* image : owned_) {
      g_object_unref(image);
    }
  }
  VipsImage* keep(VipsImage* image) {
    if (image != nullptr) owned_.push_back(image);
    return image;
  }

 private:
  std::vector<VipsImage*> owned_;
};

// A 3-band uchar `width` × `height` tile of grey `level`, with `text` on it when fonts render.
VipsImage* tile(Images& images, int width, int height, double level, const std::string& text) {
  VipsImage* black = nullptr;
  VipsImage* grey = nullptr;
  VipsImage* tile = nullptr;
  if (vips_black(&black, width, height, "bands", 3, nullptr) != 0) return nullptr;
  images.keep(black);
  if (vips_linear1(black, &grey, 1.0, level, nullptr) != 0) return nullptr;
  images.keep(grey);
  if (vips_cast_uchar(grey, &tile, nullptr) != 0) return nullptr;
  images.keep(tile);
  if (text.empty()) return tile;
  char* markup = g_markup_escape_text(text.c_str(), -1);
  VipsImage* mask = nullptr;
  VipsImage* placed = nullptr;
  VipsImage* ink = nullptr;
  VipsImage* out = nullptr;
  const bool drawn = vips_text(&mask, markup, "width", width - 16, "height", height - 8, "dpi", 110,
                               nullptr) == 0 &&
                     images.keep(mask) != nullptr &&
                     vips_embed(mask, &placed, 8, 4, width, height, nullptr) == 0 &&
                     images.keep(placed) != nullptr &&
                     vips_black(&ink, width, height, "bands", 3, nullptr) == 0 &&
                     images.keep(ink) != nullptr &&
                     vips_ifthenelse(placed, ink, tile, &out, "blend", TRUE, nullptr) == 0 &&
                     images.keep(out) != nullptr;
  g_free(markup);
  if (!drawn) {
    vips_error_clear();  // no font: the tile without its text
    return tile;
  }
  VipsImage* cast = nullptr;
  if (vips_cast_uchar(out, &cast, nullptr) != 0) return tile;
  return images.keep(cast);
}

// The image at `relative` fitted into a kCell square (3 bands, uchar), or a "none" tile.
VipsImage* cell(Images& images, const std::filesystem::path& root, const std::string& relative) {
  if (relative.empty()) return tile(images, kCell, kCell, 200, "none");
  Result<std::filesystem::path> path = confine(root, relative);
  VipsImage* thumb = nullptr;
  VipsImage* rgb = nullptr;
  VipsImage* flat = nullptr;
  VipsImage* placed = nullptr;
  if (!path || vips_thumbnail(path->c_str(), &thumb, kCell, "height", kCell, nullptr) != 0) {
    vips_error_clear();
    return tile(images, kCell, kCell, 200, "unreadable");
  }
  images.keep(thumb);
  if (vips_colourspace(thumb, &rgb, VIPS_INTERPRETATION_sRGB, nullptr) != 0) return nullptr;
  images.keep(rgb);
  if (vips_image_hasalpha(rgb)) {
    if (vips_flatten(rgb, &flat, nullptr) != 0) return nullptr;
    images.keep(flat);
  } else {
    flat = rgb;
  }
  if (vips_gravity(flat, &placed, VIPS_COMPASS_DIRECTION_CENTRE, kCell, kCell, "extend",
                   VIPS_EXTEND_WHITE, nullptr) != 0) {
    return nullptr;
  }
  images.keep(placed);
  VipsImage* cast = nullptr;
  if (vips_cast_uchar(placed, &cast, nullptr) != 0) return nullptr;
  return images.keep(cast);
}

}  // namespace

VipsSheetWriter::VipsSheetWriter(std::filesystem::path workspace_root)
    : root_(std::move(workspace_root)) {}

Status VipsSheetWriter::write(const ContactSheet& sheet, const std::string& out) {
  ensure_vips_started();
  const size_t columns = sheet.column_titles.size();
  if (columns == 0 || sheet.row_titles.empty() ||
      sheet.cells.size() != columns * sheet.row_titles.size()) {
    return Error{ErrorCode::FailedPrecondition, "the contact sheet has no images to show"};
  }
  Images images;
  std::vector<VipsImage*> grid;
  // The header row: an empty corner, then each column's title.
  grid.push_back(tile(images, kTitleWidth, kTitleHeight, 255, ""));
  for (const std::string& title : sheet.column_titles) {
    grid.push_back(tile(images, kCell, kTitleHeight, 255, title));
  }
  for (size_t r = 0; r < sheet.row_titles.size(); ++r) {
    grid.push_back(tile(images, kTitleWidth, kCell, 255, sheet.row_titles[r]));
    for (size_t c = 0; c < columns; ++c) {
      grid.push_back(cell(images, root_, sheet.cells[r * columns + c]));
    }
  }
  for (VipsImage* image : grid) {
    if (image == nullptr) {
      return Error{ErrorCode::Internal, "contact sheet: " + take_vips_error()};
    }
  }
  // Each row is joined on its own (every cell the size of the row's largest), then the rows
  // one under the other: the header row stays as low as its titles.
  VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
  auto join = [&](VipsImage** in, size_t n, int across, VipsImage** joined_out) {
    return vips_arrayjoin(in, joined_out, static_cast<int>(n), "across", across, "shim", 4,
                          "background", white, "halign", VIPS_ALIGN_CENTRE, "valign",
                          VIPS_ALIGN_CENTRE, nullptr) == 0 &&
           images.keep(*joined_out) != nullptr;
  };
  std::vector<VipsImage*> rows;
  bool joined_ok = true;
  for (size_t start = 0; joined_ok && start < grid.size(); start += columns + 1) {
    VipsImage* row = nullptr;
    joined_ok = join(grid.data() + start, columns + 1, static_cast<int>(columns + 1), &row);
    rows.push_back(row);
  }
  // One under the other with vips_join: vips_arrayjoin would make every row as high as the
  // highest.
  VipsImage* joined = joined_ok ? rows.front() : nullptr;
  for (size_t r = 1; joined_ok && r < rows.size(); ++r) {
    VipsImage* below = nullptr;
    joined_ok = vips_join(joined, rows[r], &below, VIPS_DIRECTION_VERTICAL, "expand", TRUE, "shim",
                          4, "background", white, nullptr) == 0 &&
                images.keep(below) != nullptr;
    joined = below;
  }
  vips_area_unref(VIPS_AREA(white));
  if (!joined_ok) return Error{ErrorCode::Internal, "contact sheet: " + take_vips_error()};
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_pngsave_buffer(joined, &buffer, &length, nullptr) != 0) {
    return Error{ErrorCode::Internal, "contact sheet: " + take_vips_error()};
  }
  const std::string png(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return write_file_atomic(out, png);
}

}  // namespace atr
