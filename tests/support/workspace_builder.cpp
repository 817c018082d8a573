#include "support/workspace_builder.h"

#include <fstream>

#include "support/images.h"

namespace atr::testing {

std::string synced_actor(const std::filesystem::path& workspace, const std::string& id_json,
                         const std::string& name, int images, const std::string& extra) {
  const std::string folder = "data/actors/" + name + "/training_data";
  std::string urls;
  for (int i = 0; i < images; ++i) {
    const std::string file = "img_" + std::to_string(i) + ".jpg";
    write_image(workspace / folder / file, 640, 640, i);
    urls.append(i == 0 ? "\"" : ", \"").append("s3://b/actors/").append(name);
    urls.append("/training_data/").append(file).append("\"");
  }
  std::string out = "{\"id\": " + id_json + ", \"name\": \"" + name + "\", ";
  if (!extra.empty()) out += extra + ", ";
  out += "\"training_data\": {\"s3_urls\": [" + urls + "], \"local_path\": \"" + folder +
         "\", \"count\": " + std::to_string(images) + ", \"synced\": true}}";
  return out;
}

void write_api_workspace(const std::filesystem::path& workspace) {
  std::string actors = "[\n";
  for (const std::string id : {"0006", "0008"}) {
    actors += id == "0006" ? "  " : ",\n  ";
    actors += synced_actor(workspace, "\"" + id + "\"", id + "_european_20_female", 3,
                           R"("sex": "female", "ethnicity": "european", )"
                           R"("description": "calm eyes", "custom": [1, 2])");
  }
  actors += R"(,
  {"id": 10, "name": "0010_african_30_male", "sex": "male", "ethnicity": "african",
   "img": "https://cdn.example.invalid/0010.webp"},
  {"id": "0011", "name": "0011_asian_25_female", "sex": "female", "ethnicity": "asian"}
]
)";
  std::filesystem::create_directories(workspace);
  std::ofstream(workspace / "actors.json", std::ios::binary | std::ios::trunc) << actors;
  write_image(workspace / "data/actors/0006_european_20_female/poster.jpg", 900, 1200, 7);
  // Local images that were never synced: the list shows them as not_synced.
  write_image(workspace / "data/actors/0011_asian_25_female/training_data/a.jpg", 512, 512, 3);
}

}  // namespace atr::testing
