#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/actor.h"

namespace atr {

/// What reading one file of a training folder found. The scanner fills it; the checks judge it.
enum class FileStatus {
  Image,             ///< a readable jpg/jpeg/png/webp image
  Ignored,           ///< not an image file (notes.md, a .json): listed, never trained on
  Unsupported,       ///< an image format we do not train on (.bmp, .gif, …), or such content
  Unreadable,        ///< cannot be opened or its header cannot be read
  Corrupt,           ///< the header reads but the file is truncated or damaged
  OutsideWorkspace,  ///< a symlink that resolves outside the workspace; never read
};

/// Lowercase wire name: "image", "ignored", "unsupported", "unreadable", "corrupt",
/// "outside_workspace".
std::string_view to_string(FileStatus status);
std::optional<FileStatus> parse_file_status(std::string_view text);

/// A face the detector found, in the image's own pixels. The box may reach past an edge when
/// the face is cut by it.
struct FaceBox {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  /// The detector's score: a clear frontal face scores about 1 to 1.5; false detections (a
  /// sleeve, a pattern) score near or below 0.
  double confidence = 0;

  bool operator==(const FaceBox&) const = default;
};

/// What one decode of an image measured, for the checks a face LoRA needs. images/ fills it
/// (from a grey copy of at most kQualityAnalysisSide px); the checks judge it against
/// QualityLimits, so changing a threshold needs no new scan.
struct ImageQuality {
  /// The image's size upright (as a viewer shows it, EXIF orientation applied): the face
  /// boxes are in these pixels.
  int width = 0;
  int height = 0;
  std::vector<FaceBox> faces;  ///< every detection down to the detector's floor, best first
  /// 1000 × the variance of the Laplacian of the grey copy over the variance of the copy:
  /// crisp edges score high, a blurred image low, whatever its contrast.
  double sharpness = 0;
  double brightness = 0;     ///< mean grey level, 0–255 (of the face, see below)
  double clipped_share = 0;  ///< share of pixels at grey level 250 or more (ditto)
  /// Brightness and clipping were measured on the best-scoring face's box (score 0.3 or
  /// more) rather than the whole image: a face's exposure is what the LoRA learns from.
  bool exposure_of_face = false;
  std::uint64_t dhash = 0;  ///< difference hash of a 9×8 grey copy: 64 bits

  bool operator==(const ImageQuality&) const = default;
};

/// The longest side of the copy the quality measures are taken on.
inline constexpr int kQualityAnalysisSide = 512;

/// One file of an actor's training folder.
struct ScannedFile {
  std::string name;  ///< file name inside the folder
  FileStatus status = FileStatus::Image;
  std::string format;  ///< "jpeg", "png", "webp" as detected from the content
  int width = 0;
  int height = 0;
  std::uint64_t bytes = 0;
  std::string md5;           ///< lowercase hex of the content; empty when not read
  bool has_caption = false;  ///< a same-name .txt file is present
  std::string detail;        ///< why the status is not Image
  std::string synced_md5;    ///< the MD5 this name had at the last sync; empty when unknown
  std::string s3_url;        ///< an S3-only actor's object ("s3://bucket/key"); else empty
  /// The image's measures; absent when not analysed (not an image, or the checks are off).
  std::optional<ImageQuality> quality;
};

enum class Severity { Error, Warning };

/// "error" or "warning".
std::string_view to_string(Severity severity);

/// One result of the quality checks. An error about one file excludes that file from sync
/// and training (the rest of the set is still used); an error about the whole set
/// (`no_images`) blocks the actor.
struct Finding {
  Severity severity = Severity::Warning;
  std::string code;  ///< stable: unreadable, corrupt, unsupported_format, outside_workspace,
                     ///< small_image, duplicate, too_few_images, too_many_images, no_images;
                     ///< image quality: no_face, several_faces, small_face, face_at_border,
                     ///< blurry, too_dark, too_bright, clipped_highlights, near_duplicate
  std::string file;  ///< empty for findings about the whole set
  std::string message;
};

/// What a check's finding is: an error (the image is left out of sync and training), a
/// warning, or nothing (the check is off).
enum class CheckLevel { Off, Warning, Error };

/// "off", "warning", "error".
std::string_view to_string(CheckLevel level);
std::optional<CheckLevel> parse_check_level(std::string_view text);

/// Thresholds and levels of the image-quality checks (`[checks]` in actor-trainer.toml).
struct QualityLimits {
  /// Whether images are analysed at all (faces, sharpness, exposure, near-duplicates).
  bool enabled = true;
  /// A detection counts as a face from this score on (see FaceBox::confidence). On the test
  /// photographs the real faces scored 0.46 (blurred), 0.71 (at 70%), 0.89 (cut by the edge),
  /// 1.15–1.54, and false detections −0.47–0.25 (a sleeve).
  double face_confidence = 0.4;
  /// The main face's width as a share of the image's short side, below which it is small.
  double min_face_share = 0.12;
  /// Sharpness (ImageQuality::sharpness) below which an image is blurred. The test portrait
  /// scores 151, blurred with σ = 3 px 1.3.
  double min_sharpness = 25;
  double min_brightness = 60;       ///< mean grey level below which a face is too dark
  double max_brightness = 215;      ///< mean grey level above which it is too bright
  double max_clipped_share = 0.08;  ///< share of clipped highlights above which it is flagged
  /// Two images whose difference hashes differ in at most this many of 64 bits are
  /// near-duplicates.
  int near_duplicate_bits = 8;
  CheckLevel no_face = CheckLevel::Error;
  CheckLevel several_faces = CheckLevel::Warning;
  CheckLevel small_face = CheckLevel::Warning;
  CheckLevel face_at_border = CheckLevel::Warning;
  CheckLevel blurry = CheckLevel::Warning;
  CheckLevel exposure = CheckLevel::Warning;
  CheckLevel near_duplicate = CheckLevel::Warning;
};

/// Thresholds of the quality checks.
struct DataCheckLimits {
  int min_short_side = 512;
  int min_images = 5;
  int max_images = 150;
  QualityLimits quality;
};

/// The faces that count (confidence at or above the threshold), best first.
std::vector<FaceBox> counted_faces(const ImageQuality& quality, const QualityLimits& limits);

/// The largest of `faces` (the actor, when others are in the frame); `faces` must not be empty.
const FaceBox& main_face(const std::vector<FaceBox>& faces);

/// A face's width as a share of the image's short side (0 for an image of no size): what the
/// small_face check compares with QualityLimits::min_face_share.
double face_share(const ImageQuality& quality, const FaceBox& face);

/// True for the codes of the image-quality checks (no_face … near_duplicate).
bool is_image_quality_code(std::string_view code);

/// How many differing bits two difference hashes have.
int hash_distance(std::uint64_t a, std::uint64_t b);

/// Whether S3 holds the actor's current local images.
enum class SyncState { Synced, OutOfSync, NotSynced, NoData };

/// "synced", "out_of_sync", "not_synced", "no_data".
std::string_view to_string(SyncState state);
/// For people: "synced", "out of sync", "not synced", "no data".
std::string_view describe(SyncState state);

/// The judged contents of a training folder.
struct TrainingDataReport {
  std::string folder;                 ///< workspace-relative
  std::vector<ScannedFile> files;     ///< sorted by name
  std::vector<Finding> findings;      ///< errors first, then warnings
  int usable_count = 0;               ///< images without an error finding: what syncs and trains
  std::vector<std::string> excluded;  ///< image files with an error finding, by name
  std::vector<std::string> ignored;   ///< files that are not images, by name
  std::uint64_t usable_bytes = 0;
  int captions = 0;                    ///< usable images with a caption file
  std::map<std::string, int> formats;  ///< usable images per format
  SyncState sync = SyncState::NoData;
  /// No image file in the folder (or no folder) but a synced `training_data` block: the data
  /// lives only in S3, and the recorded objects are what trains (`sync` is then Synced).
  bool s3_only = false;
  int s3_count = 0;  ///< S3-only: the recorded objects, or the usable ones when checked
  /// S3-only, checked from the objects: where they were found ("s3://bucket/prefix/"). Empty
  /// when only the recorded block was read (`files` is then empty).
  std::string s3_listed;
  /// Whether the image-quality checks judged this report (QualityLimits::enabled), and the
  /// score from which a detection counted as a face.
  bool quality_checked = false;
  double face_confidence = 0;
  /// Analysed images (usable, or left out for having no face) by the faces counted in them.
  int faces_one = 0;
  int faces_none = 0;
  int faces_several = 0;
  /// Images that repeat each other at another size or compression (difference hashes close):
  /// each group starts with the one to keep (the most pixels, then the sharpest; it has no
  /// near_duplicate finding), the rest by name. Exact copies are `duplicate` findings instead.
  std::vector<std::vector<std::string>> near_duplicate_groups;

  /// The images a training uses: the usable local ones, or the recorded ones when S3-only.
  [[nodiscard]] int training_images() const { return s3_only ? s3_count : usable_count; }
  [[nodiscard]] int error_count() const;
  [[nodiscard]] int warning_count() const;
};

/// An actor's training data in a few numbers: what the actor list, its facets, the detail, the
/// CLI and the page all show, computed from one scan of the folder and the recorded block.
struct DataSummary {
  SyncState state = SyncState::NoData;
  int usable = 0;    ///< images that sync and train
  int excluded = 0;  ///< image files left out (damaged, unsupported format, …)
  int ignored = 0;   ///< files in the folder that are not images
  std::uint64_t usable_bytes = 0;
  int recorded = 0;              ///< images the registry's training_data block records
  bool recorded_synced = false;  ///< the block says `synced: true`
  bool s3_only = false;          ///< no local copy: the recorded S3 objects are the data
  /// Analysed images by faces found (see TrainingDataReport); all 0 when not analysed.
  int faces_one = 0;
  int faces_none = 0;
  int faces_several = 0;
  int quality_findings = 0;  ///< findings of the image-quality checks, errors and warnings

  /// True when the actor has images to train on, locally or only in S3.
  [[nodiscard]] bool has_data() const { return usable > 0 || s3_only; }
  /// The images a training uses: the usable local ones, or the recorded ones when S3-only.
  [[nodiscard]] int training_images() const { return s3_only ? recorded : usable; }
  bool operator==(const DataSummary&) const = default;
};

/// The report's findings counted by code ("no_face" → 2, …).
std::map<std::string, int> findings_by_code(const TrainingDataReport& report);

/// The analysed images by faces found, for people: "faces: 17 one face · 1 none · 1 several"
/// (parts with no image left out); empty when no image was analysed.
std::string describe_faces(int one, int none, int several);
inline std::string describe_faces(const TrainingDataReport& r) {
  return describe_faces(r.faces_one, r.faces_none, r.faces_several);
}

/// The summary of a judged folder and the actor's recorded block.
DataSummary summarize(const TrainingDataReport& report,
                      const std::optional<TrainingDataRecord>& record);

/// Why a training cannot use this data, for people; empty when the state is Synced.
/// e.g. "12 usable images are not synced to S3 yet: run `data sync 7` or press Sync now".
std::string explain_sync_state(const Actor& actor, const TrainingDataReport& report);

/// Runs the quality checks of PRODUCT.md §2.2 over scanned files and works out the sync state
/// against the actor's `training_data` block.
TrainingDataReport check_training_data(std::string folder, std::vector<ScannedFile> files,
                                       const std::optional<TrainingDataRecord>& record,
                                       const DataCheckLimits& limits = {});

/// Sync state from the recorded block and the names of the usable local images (an S3-only
/// actor, see TrainingDataReport::s3_only, is judged before this): no images → NoData; no block,
/// `synced: false` or no URLs → NotSynced; the URLs' file names equal the local names and no
/// content changed since the sync (`content_changed`: a file's MD5 differs from the one recorded
/// when it was synced) → Synced; otherwise OutOfSync.
SyncState compute_sync_state(const std::optional<TrainingDataRecord>& record,
                             const std::vector<std::string>& usable_names, bool content_changed);

}  // namespace atr
