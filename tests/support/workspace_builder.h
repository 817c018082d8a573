#pragma once

#include <filesystem>
#include <string>

namespace atr::testing {

/// An actor whose training folder holds `images` small JPEGs (img_0.jpg …, 640×640, written
/// under `workspace`) that its `training_data` block records as synced
/// (s3://b/actors/<name>/training_data/img_N.jpg): its actors.json object, one line, with
/// `extra` members ("\"sex\": \"female\", …") between the name and the block. `id_json` is the
/// id as the file writes it: "\"0006\"" or "7".
std::string synced_actor(const std::filesystem::path& workspace, const std::string& id_json,
                         const std::string& name, int images, const std::string& extra = {});

/// The API tests' workspace: 0006 and 0008 synced with 3 images each ("calm eyes", an unknown
/// "custom" member), 0006 with a local poster; 10 (a numeric id) with a remote poster and no
/// data; 0011 with one local image never synced. Writes actors.json and the files.
void write_api_workspace(const std::filesystem::path& workspace);

}  // namespace atr::testing
