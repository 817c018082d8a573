#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace atr::testing {

/// One actor of a studio-shaped workspace and what its folder holds.
struct StudioActor {
  int id = 0;        ///< a JSON number in actors.json, as in the studio's registry
  std::string name;  ///< "0038_european_45_female"
  int images = 0;    ///< good training images in its folder (0: see has_folder)
  bool has_folder = false;
  bool notes = false;    ///< a notes.md and a .DS_Store beside the images
  bool corrupt = false;  ///< a truncated broken.jpg
  bool bmp = false;      ///< a scan_01.bmp (an image format we do not train on)
};

/// A workspace shaped like the studio's real one: every `id` a JSON number, no
/// `training_data` block anywhere, the real fields (name, sex, ethnicity, age as a string,
/// description, face_prompt, outfit, img, poster_frames with standard and accelerated URLs,
/// url, good), about a fifth of the actors with a local folder (and a local poster.jpg), some
/// folders with stray files, one empty folder. Deterministic for a given count.
struct StudioWorkspace {
  std::string registry_json;
  std::vector<StudioActor> actors;

  /// The first actor with `images` good images and every kind of stray file, if any.
  [[nodiscard]] const StudioActor* messy_actor() const;
};

/// The shape for `count` actors (ids 1..count).
StudioWorkspace studio_workspace(std::size_t count);

/// Writes `ws` under `dir`: actors.json and each folder's files. `write_image(path, side, seed)`
/// makes one good image (tests pass a plain gradient, the demo a portrait).
void write_studio_workspace(
    const std::filesystem::path& dir, const StudioWorkspace& ws,
    const std::function<void(const std::filesystem::path&, int, int)>& write_image);

}  // namespace atr::testing
