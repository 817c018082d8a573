// Writes the demo workspace (see README.md): actors.json, posters and training images made
// with libvips, with a few planted data problems; or, with --studio, a workspace shaped like a
// studio's real registry. Usage: make-demo-workspace DIR [--studio [--actors N]]
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <vips/vips.h>

#include "support/photos.h"
#include "support/studio_workspace.h"

namespace fs = std::filesystem;

namespace {

struct Look {
  double skin[3];
  double hair[3];
  double back[3];
};

// A soft portrait: background gradient, a face ellipse, hair, eyes; light noise so no two
// images are identical. Drawn into a buffer, encoded by libvips.
bool write_portrait(const fs::path& path, int side, const Look& look, unsigned seed, int quality) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> jitter(-0.06, 0.06);
  std::uint32_t state = seed * 2654435761U + 1U;  // xorshift: light, cheap grain
  auto noise = [&state] {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return static_cast<double>(state % 9U) - 4.0;
  };
  const double cx = 0.5 + jitter(rng);
  const double cy = 0.52 + jitter(rng);
  const double rx = 0.24 + jitter(rng) / 2;
  const double ry = 0.32 + jitter(rng) / 2;
  const auto width = static_cast<std::size_t>(side);
  std::vector<unsigned char> pixels(width * width * 3);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      const double u = (x + 0.5) / side;
      const double v = (y + 0.5) / side;
      const double fx = (u - cx) / rx;
      const double fy = (v - cy) / ry;
      const double face = fx * fx + fy * fy;
      const double hx = (u - cx) / (rx * 1.15);
      const double hy = (v - cy + 0.08) / (ry * 1.1);
      const bool hair = hx * hx + hy * hy < 1.0 && v < cy - ry * 0.35;
      const bool eye = std::abs(v - (cy - 0.06)) < 0.025 &&
                       (std::abs(u - (cx - 0.09)) < 0.035 || std::abs(u - (cx + 0.09)) < 0.035);
      const bool mouth = std::abs(v - (cy + 0.16)) < 0.012 && std::abs(u - cx) < 0.08;
      const double grain = noise();
      for (int c = 0; c < 3; ++c) {
        double value = look.back[c] * (0.75 + 0.35 * v);
        if (face < 1.0) value = look.skin[c] * (1.05 - 0.25 * face);
        if (hair) value = look.hair[c];
        if (eye || mouth) value = 40.0;
        value += grain;
        pixels[(static_cast<std::size_t>(y) * width + static_cast<std::size_t>(x)) * 3 +
               static_cast<std::size_t>(c)] =
            static_cast<unsigned char>(std::clamp(value, 0.0, 255.0));
      }
    }
  }
  VipsImage* image =
      vips_image_new_from_memory(pixels.data(), pixels.size(), side, side, 3, VIPS_FORMAT_UCHAR);
  if (image == nullptr) return false;
  const std::string ext = path.extension().string();
  const int rc = ext == ".png" ? vips_pngsave(image, path.c_str(), nullptr)
                               : vips_jpegsave(image, path.c_str(), "Q", quality, nullptr);
  g_object_unref(image);
  return rc == 0;
}

// The public-domain portrait the training photos are cut from (skimage's astronaut.png: NASA's
// portrait of Eileen Collins, 512×512, one face with its brows-to-chin box at about
// x 179–267, y 83–171). Loaded once; nothing is downloaded.
VipsImage* source_photo() {
  // libvips takes images as non-const pointers; this one is only read.
  // NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables)
  static VipsImage* const kPhoto = [] {
    VipsImage* loaded =
        vips_image_new_from_file((atr::testing::skimage_data() / "astronaut.png").c_str(), "access",
                                 VIPS_ACCESS_RANDOM, nullptr);
    if (loaded == nullptr) {
      throw std::runtime_error(std::string("cannot read the source photograph (install "
                                           "python3-skimage: scripts/setup): ") +
                               vips_error_buffer());
    }
    return loaded;
  }();
  return kPhoto;
}

// A training photo: a square crop of the source portrait around its face at a per-image zoom
// and offset, mirrored for every other seed, tinted towards the actor's look, `side` px. The
// face checks find one face in each; crops close in zoom and offset may repeat each other
// (near-duplicates), as a real shoot's frames do.
bool write_photo(const fs::path& path, int side, const Look& look, unsigned seed, int quality) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> zoom(300, 512);
  std::uniform_int_distribution<int> shift(-60, 60);
  const int s = zoom(rng);
  const int cx = 223 + shift(rng);
  const int cy = 127 + shift(rng);
  const int x0 = std::clamp(cx - s / 2, 0, 512 - s);
  const int y0 = std::clamp(cy - s * 2 / 5, 0, 512 - s);
  VipsImage* crop = nullptr;
  VipsImage* tinted = nullptr;
  VipsImage* bytes = nullptr;
  VipsImage* sized = nullptr;
  VipsImage* out = nullptr;
  std::array<double, 3> gain{};
  for (std::size_t c = 0; c < 3; ++c) {
    gain[c] = 0.75 + 0.35 * look.skin[c] / 240.0;
  }
  const std::array<double, 3> offset{0, 0, 0};
  bool ok = vips_extract_area(source_photo(), &crop, x0, y0, s, s, nullptr) == 0 &&
            vips_linear(crop, &tinted, gain.data(), offset.data(), 3, nullptr) == 0 &&
            vips_cast_uchar(tinted, &bytes, nullptr) == 0 &&
            vips_resize(bytes, &sized, static_cast<double>(side) / s, nullptr) == 0;
  if (ok && seed % 2 == 1) {
    ok = vips_flip(sized, &out, VIPS_DIRECTION_HORIZONTAL, nullptr) == 0;
  } else if (ok) {
    out = sized;
    g_object_ref(out);
  }
  if (ok) {
    const std::string ext = path.extension().string();
    ok = (ext == ".png" ? vips_pngsave(out, path.c_str(), nullptr)
                        : vips_jpegsave(out, path.c_str(), "Q", quality, nullptr)) == 0;
  }
  for (VipsImage* image : {crop, tinted, bytes, sized, out}) {
    if (image != nullptr) g_object_unref(image);
  }
  return ok;
}

}  // namespace

int run(int argc, char** argv);

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "make-demo-workspace: " << e.what() << "\n";
    return 1;
  }
}

constexpr int kQualityCasesActor = 21;

constexpr const char* kUsage =
    "usage: make-demo-workspace DIR [--studio [--actors N]]\n"
    "       make-demo-workspace --photos DIR N | --photo-cases DIR\n"
    "  DIR        the workspace folder to write\n"
    "  --studio   shape it like a studio's real registry: numeric ids, no training_data\n"
    "             blocks, a fifth of the actors with local folders, stray files\n"
    "  --actors N with --studio: how many actors (default 260)\n"
    "  --photos DIR N [SIDE]  write N training photos (crops of one real portrait), SIDE px\n"
    "                     (default 512), into DIR\n"
    "  --photo-cases DIR  write the image-quality checks' test set into DIR\n";

int write_studio(const fs::path& dir, std::size_t count) {
  const atr::testing::StudioWorkspace ws = atr::testing::studio_workspace(count);
  const Look look{{225, 185, 150}, {60, 40, 30}, {70, 90, 120}};
  bool ok = true;
  atr::testing::write_studio_workspace(dir, ws, [&](const fs::path& path, int side, int seed) {
    ok = write_photo(path, side, look, static_cast<unsigned>(seed), 82) && ok;
  });
  if (!ok) {
    std::cerr << "make-demo-workspace: cannot write an image: " << vips_error_buffer() << "\n";
    return 1;
  }
  std::cout << "wrote " << ws.actors.size() << " studio-shaped actors to " << dir.string() << "\n";
  vips_shutdown();
  return 0;
}

int run(int argc, char** argv) {
  std::string target;
  bool studio = false;
  std::size_t studio_actors = 260;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if ((arg == "--photos" && i + 2 < argc) || (arg == "--photo-cases" && i + 1 < argc)) {
      if (VIPS_INIT(argv[0]) != 0) return 2;
      const fs::path dir = argv[i + 1];
      fs::create_directories(dir);
      if (arg == "--photo-cases") {
        std::cout << "wrote " << atr::testing::write_photo_cases(dir).size() << " photos to "
                  << dir.string() << "\n";
        return 0;
      }
      const int n = std::stoi(argv[i + 2]);
      const int side = i + 3 < argc ? std::stoi(argv[i + 3]) : 512;
      const Look look{{225, 185, 150}, {60, 40, 30}, {70, 90, 120}};
      for (int k = 1; k <= n; ++k) {
        char file[32];
        std::snprintf(file, sizeof file, "img_%02d.jpg", k);
        if (!write_photo(dir / file, side, look, static_cast<unsigned>(k), 85)) {
          std::cerr << "make-demo-workspace: cannot write " << (dir / file) << "\n";
          return 1;
        }
      }
      std::cout << "wrote " << n << " photos to " << dir.string() << "\n";
      return 0;
    }
    if (arg == "--studio") {
      studio = true;
    } else if (arg == "--actors" && i + 1 < argc) {
      studio_actors = std::stoul(argv[++i]);
    } else if (!arg.empty() && arg.front() != '-' && target.empty()) {
      target = arg;
    } else {
      std::cerr << "make-demo-workspace: unexpected argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  if (target.empty() || VIPS_INIT(argv[0]) != 0) {
    std::cerr << kUsage;
    return 2;
  }
  const fs::path dir = target;
  if (studio) return write_studio(dir, studio_actors);
  const std::vector<std::string> ethnicities = {"european", "asian",          "african", "latino",
                                                "indian",   "middle_eastern", "nordic"};
  const std::vector<std::string> traits = {
      "freckles and messy red hair", "short beard, calm eyes",   "silver braids",
      "round glasses, curly hair",   "sharp cheekbones",         "soft smile, dimples",
      "shaved head, strong jaw",     "long straight black hair", "laugh lines, warm eyes",
      "bob haircut, bright eyes",    "stubble, tired look",      "high ponytail"};
  // Image counts cycle through every auto-adjust tier; 0 means no data yet.
  const std::vector<int> counts = {12, 6, 0, 24, 45, 8, 18, 60, 3, 30, 0, 15, 40, 9, 22, 52};
  const Look palette[] = {{{232, 190, 160}, {150, 70, 40}, {60, 80, 110}},
                          {{225, 185, 150}, {30, 25, 25}, {90, 60, 90}},
                          {{140, 95, 70}, {20, 20, 20}, {50, 100, 90}},
                          {{200, 150, 115}, {60, 40, 30}, {110, 80, 50}},
                          {{185, 135, 100}, {25, 20, 20}, {70, 70, 120}},
                          {{210, 165, 130}, {80, 60, 40}, {100, 90, 70}},
                          {{240, 205, 180}, {220, 200, 150}, {60, 90, 130}}};
  nlohmann::ordered_json actors = nlohmann::ordered_json::array();
  int written = 0;
  for (int i = 0; i < 48; ++i) {
    const std::string sex = i % 2 == 0 ? "female" : "male";
    const std::string& eth = ethnicities[static_cast<std::size_t>(i) % ethnicities.size()];
    const int age = 18 + (i * 7) % 50;
    char id[8];
    std::snprintf(id, sizeof id, "%04d", i);
    std::string name = id;
    name.append("_").append(eth).append("_").append(std::to_string(age)).append("_").append(sex);
    nlohmann::ordered_json a;
    a["id"] = i % 11 == 5 ? nlohmann::ordered_json(i) : nlohmann::ordered_json(id);
    a["name"] = name;
    a["sex"] = sex;
    a["ethnicity"] = eth;
    a["age"] =
        i % 3 == 0 ? nlohmann::ordered_json(age) : nlohmann::ordered_json(std::to_string(age));
    a["description"] = traits[static_cast<std::size_t>(i) % traits.size()];
    std::string prompt = "portrait photo of a ";
    prompt.append(std::to_string(age)).append(" year old ").append(eth).append(" ").append(sex);
    a["face_prompt"] = prompt;
    a["outfit"] = i % 4 == 0 ? "denim jacket" : "plain t-shirt";
    actors.push_back(a);

    const fs::path folder = dir / "data/actors" / name;
    const fs::path training = folder / "training_data";
    fs::create_directories(training);
    const Look& look = palette[static_cast<std::size_t>(i) % std::size(palette)];
    if (!write_portrait(folder / "poster.jpg", 384, look, 1000U + static_cast<unsigned>(i), 85)) {
      std::cerr << "make-demo-workspace: cannot write " << (folder / "poster.jpg") << ": "
                << vips_error_buffer() << "\n";
      return 1;
    }
    // Actor 21's folder holds the test set of the image-quality checks instead: two people, a
    // small face, a face cut by the edge, blurred, dark and overexposed copies, a photo with no
    // person, and a resized copy of the portrait (support/photos.h).
    if (i == kQualityCasesActor) {
      written += static_cast<int>(atr::testing::write_photo_cases(training).size());
    }
    const int n = i == kQualityCasesActor ? 0 : counts[static_cast<std::size_t>(i) % counts.size()];
    for (int k = 1; k <= n; ++k) {
      char file[32];
      std::snprintf(file, sizeof file, "img_%02d.%s", k, k % 7 == 0 ? "png" : "jpg");
      const int side = (i == 13) ? 320 : 512;  // actor 13: every image below 512 px
      if (!write_photo(training / file, side, look, static_cast<unsigned>(i * 1000 + k), 82)) {
        std::cerr << "make-demo-workspace: cannot write " << (training / file) << "\n";
        return 1;
      }
      if (i % 3 == 1 && k % 2 == 1) {
        std::ofstream(training / (std::string(file).substr(0, 6) + ".txt"))
            << name << ", portrait, neutral light\n";
      }
      ++written;
    }
    if (i == 5) {  // a truncated JPEG: its header reads, its end marker is missing
      const fs::path cut = training / "img_99.jpg";
      write_photo(cut, 640, look, 99U, 82);
      fs::resize_file(cut, fs::file_size(cut) / 2);
    }
    if (i == 9) fs::copy_file(training / "img_01.jpg", training / "scan_01.bmp");  // unsupported
    if (i == 17) fs::copy_file(training / "img_01.jpg", training / "img_01_copy.jpg");  // duplicate
  }
  std::ofstream(dir / "actors.json") << actors.dump(2) << "\n";
  // scripts/demo makes the workspace again when this differs from its own generation number.
  std::ofstream(dir / ".demo-generation") << "2\n";
  std::cout << "wrote " << actors.size() << " actors and " << written << " training images to "
            << dir.string() << "\n";
  vips_shutdown();
  return 0;
}
