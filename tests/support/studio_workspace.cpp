#include "support/studio_workspace.h"

#include <array>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace atr::testing {
namespace fs = std::filesystem;

const StudioActor* StudioWorkspace::messy_actor() const {
  for (const StudioActor& a : actors) {
    if (a.images > 0 && a.notes && a.corrupt) return &a;
  }
  return nullptr;
}

StudioWorkspace studio_workspace(std::size_t count) {
  static constexpr std::array<const char*, 7> kEthnicities = {
      "european", "asian", "african", "latino", "indian", "middle_eastern", "nordic"};
  static constexpr std::array<const char*, 6> kLooks = {
      "freckles and messy red hair", "short beard, calm eyes",    "silver braids",
      "round glasses, curly hair",   "sharp cheekbones, a smile", "shaved head, strong jaw"};
  static constexpr std::array<const char*, 4> kOutfits = {"denim jacket", "grey hoodie",
                                                          "navy suit", "plain white t-shirt"};
  const std::string cdn = "https://story-boards-assets.s3.us-west-1.amazonaws.com";
  const std::string fast = "https://story-boards-assets.s3-accelerate.amazonaws.com";
  StudioWorkspace ws;
  nlohmann::ordered_json registry = nlohmann::ordered_json::array();
  for (std::size_t i = 1; i <= count; ++i) {
    const int id = static_cast<int>(i);
    const std::string sex = i % 2 == 0 ? "female" : "male";
    const std::string ethnicity = kEthnicities[i % kEthnicities.size()];
    const int age = 18 + static_cast<int>((i * 7) % 50);
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%04d", id);
    const std::string age_text = std::to_string(age);
    const std::string name = join({prefix, ethnicity, age_text, sex}, "_");

    nlohmann::ordered_json a;
    a["id"] = id;
    a["name"] = name;
    a["sex"] = sex;
    a["ethnicity"] = ethnicity;
    a["age"] = std::to_string(age);
    const std::string person = join(
        {age_text, "year old", ethnicity, sex + ",", std::string(kLooks[i % kLooks.size()])}, " ");
    a["description"] = "A " + person;
    a["face_prompt"] = "close-up portrait photo of a " + person;
    a["outfit"] = kOutfits[i % kOutfits.size()];
    a["img"] = join({cdn, "system_actors", name, "img.png"}, "/");
    for (const auto& [variant, host] :
         {std::pair{"standard", cdn}, std::pair{"accelerated", fast}}) {
      const std::string base = join({host, "system_actors", "poster_frames", name}, "/");
      a["poster_frames"][variant] = {{"webp_sm", base + "_sm.webp"},
                                     {"webp_md", base + "_md.webp"},
                                     {"webp_lg", base + "_lg.webp"},
                                     {"png", base + ".png"}};
    }
    if (i % 9 == 0) {
      a["url"] =
          "https://story-boards-assets.s3.us-west-1.amazonaws.com/actor_maker_user/"
          "custom-actors/models/actor_" +
          std::to_string(id) + "_V1.safetensors";
      a["good"] = true;
    } else {
      a["good"] = false;
    }
    registry.push_back(std::move(a));

    StudioActor actor;
    actor.id = id;
    actor.name = name;
    actor.has_folder = i % 5 == 3 || i == 25;
    if (actor.has_folder && i != 25) {  // 25: a folder that is still empty
      actor.images = i % 30 == 3 ? 20 : 5 + static_cast<int>(i % 7);  // 3, 33, …: a long strip
      actor.notes = i % 10 == 8;
      actor.corrupt = i % 15 == 8;
      actor.bmp = i % 20 == 13;
    }
    ws.actors.push_back(actor);
  }
  ws.registry_json = registry.dump(2) + "\n";
  return ws;
}

void write_studio_workspace(const fs::path& dir, const StudioWorkspace& ws,
                            const std::function<void(const fs::path&, int, int)>& write_image) {
  fs::create_directories(dir);
  std::ofstream(dir / "actors.json", std::ios::binary) << ws.registry_json;
  for (const StudioActor& a : ws.actors) {
    if (!a.has_folder) continue;
    const fs::path folder = dir / "data/actors" / a.name / "training_data";
    fs::create_directories(folder);
    // Actors with a folder also have a local poster; the others only the registry's URLs.
    write_image(dir / "data/actors" / a.name / "poster.jpg", 384, a.id * 100 + 77);
    for (int k = 1; k <= a.images; ++k) {
      char file[32];
      std::snprintf(file, sizeof file, "img_%02d.jpg", k);
      write_image(folder / file, 512, a.id * 100 + k);
    }
    if (a.notes) {
      std::ofstream(folder / "notes.md") << "# " << a.name << "\nshot on set, day 2\n";
      std::ofstream(folder / ".DS_Store") << "Bud1";
    }
    if (a.corrupt) {  // a JPEG whose second half is missing: its header still reads
      write_image(folder / "broken.jpg", 512, a.id * 100 + 99);
      fs::resize_file(folder / "broken.jpg", fs::file_size(folder / "broken.jpg") / 2);
    }
    if (a.bmp && a.images > 0) fs::copy_file(folder / "img_01.jpg", folder / "scan_01.bmp");
  }
}

}  // namespace atr::testing
