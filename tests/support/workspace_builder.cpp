#include "support/workspace_builder.h"

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

}  // namespace atr::testing
