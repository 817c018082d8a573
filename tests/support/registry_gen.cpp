#include "support/registry_gen.h"

#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace atr::testing {

std::string generate_registry(std::size_t count) {
  static constexpr std::array<const char*, 2> kSexes = {"male", "female"};
  static constexpr std::array<const char*, 6> kEthnicities = {
      "european", "asian", "african", "latino", "middle_eastern", "indian"};
  static constexpr std::array<const char*, 5> kTraits = {
      "freckles and a warm smile", "sharp jawline", "curly red hair", "glasses, thoughtful look",
      "short beard and tattoos"};
  nlohmann::ordered_json actors = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < count; ++i) {
    const char* sex = kSexes[i % kSexes.size()];
    const char* ethnicity = kEthnicities[(i / 2) % kEthnicities.size()];
    const int age = 16 + static_cast<int>(i % 50);
    char id[32];
    std::snprintf(id, sizeof id, "%04zu", i);
    const std::string name =
        std::string(id) + "_" + ethnicity + "_" + std::to_string(age) + "_" + sex;
    nlohmann::ordered_json a;
    if (i % 7 == 3) {
      a["id"] = static_cast<int>(i);  // some tools write numeric ids
    } else {
      a["id"] = id;
    }
    a["name"] = name;
    a["sex"] = sex;
    a["ethnicity"] = ethnicity;
    a["age"] =
        (i % 3 == 0) ? nlohmann::ordered_json(age) : nlohmann::ordered_json(std::to_string(age));
    a["description"] = std::string("A ") + std::to_string(age) + " year old " + ethnicity + " " +
                       sex + " with " + kTraits[i % kTraits.size()];
    a["face_prompt"] = "portrait photo of " + name + ", studio light";
    a["outfit"] = "casual";
    a["img"] = "https://cdn.example.com/actors/" + name + "/img.png";
    const std::string base = "https://cdn.example.com/actors/" + name + "/poster";
    a["poster_frames"]["standard"] = {{"webp_sm", base + "_sm.webp"},
                                      {"webp_md", base + "_md.webp"},
                                      {"webp_lg", base + "_lg.webp"},
                                      {"png", base + ".png"}};
    a["studio_tags"] = {"cast-" + std::to_string(i % 11), "season-2"};  // a field we do not know
    if (i % 3 == 0) {
      const int images = 5 + static_cast<int>(i % 40);
      nlohmann::ordered_json urls = nlohmann::ordered_json::array();
      for (int k = 0; k < images; ++k) {
        char file[32];
        std::snprintf(file, sizeof file, "img_%03d.jpg", k);
        urls.push_back("s3://studio-bucket/actors/" + name + "/training_data/" + file);
      }
      a["training_data"] = {{"s3_urls", urls},
                            {"local_path", "data/actors/" + name + "/training_data"},
                            {"count", images},
                            {"synced", true}};
    }
    if (i % 10 == 0) {
      a["validated_lora_model"] = {{"version_id", "job-" + std::to_string(i)},
                                   {"version_name", "V2"},
                                   {"lora_url", "https://cdn.example.com/loras/actor_" +
                                                    std::string(id) + "_V2.safetensors"},
                                   {"marked_at", "2026-11-01T10:00:00Z"}};
      a["good"] = true;
    }
    actors.push_back(std::move(a));
  }
  return actors.dump(2) + "\n";
}

}  // namespace atr::testing
