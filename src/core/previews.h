#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/actor_registry.h"
#include "core/clock.h"
#include "core/plan.h"
#include "core/settings.h"
#include "core/training_backend.h"
#include "core/version.h"
#include "core/version_store.h"

namespace atr {

/// One preview image job: a version's LoRA rendered with one prompt of the workspace's set and
/// one seed, so every version of every actor is seen with the same prompts and seeds.
struct Preview {
  std::int64_t id = 0;
  std::int64_t version_id = 0;
  std::string actor_id;
  std::string version_name;  ///< "V3"
  int prompt_index = 0;      ///< position in the prompt set
  std::string prompt_label;  ///< "close-up portrait"
  std::string prompt;        ///< the text sent, the actor's fields filled in
  std::int64_t seed = 0;
  int width = 1024;
  int height = 1024;
  std::string endpoint_name;
  std::string endpoint_id;
  std::string request_id;  ///< "<model>_p<prompt>_s<seed>"
  SubmitState submit_state = SubmitState::Prepared;
  std::string job_id;
  VersionStatus status = VersionStatus::Pending;
  UnixMs created_at = 0;
  UnixMs updated_at = 0;
  std::optional<UnixMs> submitted_at;
  std::optional<UnixMs> finished_at;
  std::optional<std::int64_t> delay_ms;
  std::optional<std::int64_t> execution_ms;
  std::optional<double> cost;       ///< USD: execution time × the preview endpoint's price
  std::string error;                ///< why this preview failed (never the version's failure)
  std::vector<std::string> images;  ///< workspace-relative paths of the saved images
  std::vector<std::string>
      s3_urls;  ///< where they were uploaded too ([runpod.preview] s3_key_layout)
  int not_found_count = 0;
  std::optional<std::int64_t> job_ttl_ms;
  bool operator==(const Preview&) const = default;
};

/// What one preview `/run` carries, decided by the core; runpod/ binds it into the preview
/// workflow (ComfyUI graph) and adds `model_urls`.
struct PreviewRequest {
  std::string model_id;  ///< the LoRA's file name the graph loads: "actor_0006_V7.safetensors"
  std::string lora_url;  ///< where the worker downloads it
  std::string prompt;
  std::int64_t seed = 0;
  int width = 1024;
  int height = 1024;
  double lora_strength = 1.0;
  std::optional<std::string> webhook_url;
  std::optional<std::int64_t> ttl_ms;
};

/// The previews' durable record. store/ implements it in state.db beside the versions.
class PreviewStore {
 public:
  virtual ~PreviewStore() = default;
  /// Inserts each of `wanted` whose version, prompt index and seed has no preview yet, in one
  /// transaction, and returns the stored preview of every one of them (new or not), in order.
  [[nodiscard]] virtual Result<std::vector<Preview>> create_previews(
      const std::vector<Preview>& wanted) = 0;
  /// The preview with row id `id`; NotFound otherwise.
  [[nodiscard]] virtual Result<Preview> get_preview(std::int64_t id) const = 0;
  /// Every preview of one version, by prompt index then seed.
  [[nodiscard]] virtual Result<std::vector<Preview>> previews_of(std::int64_t version_id) const = 0;
  /// Every preview that is not final, oldest first: what the poller tracks.
  [[nodiscard]] virtual Result<std::vector<Preview>> unfinished_previews() const = 0;
  /// Changes one preview as it is stored now; `change` returns false to leave it untouched.
  /// It may run more than once, so it must be pure.
  using ChangePreview = std::function<bool(Preview&)>;
  [[nodiscard]] virtual Result<Preview> update_preview(std::int64_t id,
                                                       const ChangePreview& change) = 0;
  /// What previews cost so far, per actor (USD).
  [[nodiscard]] virtual Result<std::map<std::string, double>> preview_costs() const = 0;
  /// Completed versions (trained here, with a LoRA URL) that finished at or after `since` and
  /// have no preview yet, oldest first.
  [[nodiscard]] virtual Result<std::vector<std::int64_t>> completed_without_previews(
      UnixMs since) const = 0;
};

/// Where the images a preview worker returned are kept. app/ implements it: base64 decoded,
/// URLs downloaded, each checked to be an image and written atomically under
/// `.actor-trainer/previews/`.
class PreviewImages {
 public:
  virtual ~PreviewImages() = default;
  struct Saved {
    std::vector<std::string> files;    ///< workspace-relative paths
    std::vector<std::string> s3_urls;  ///< where each was uploaded; empty when not uploaded
  };
  /// Writes `preview`'s images (and uploads them when a key layout is set); InvalidArgument
  /// naming the image when one cannot be decoded, fetched or read as an image (nothing kept
  /// then), Unavailable when an upload failed.
  [[nodiscard]] virtual Result<Saved> save(const Preview& preview,
                                           const std::vector<ReportedImage>& images) = 0;
};

/// A grid of preview images for one version or several side by side: a column per version, a
/// row per prompt × seed.
struct ContactSheet {
  std::vector<std::string> column_titles;  ///< "6 V1"
  std::vector<std::string> row_titles;     ///< "close-up portrait · seed 1234"
  /// Row-major: rows × columns workspace-relative image paths; empty where there is none.
  std::vector<std::string> cells;
};

/// Renders a contact sheet as a PNG. images/ implements it with libvips.
class SheetWriter {
 public:
  virtual ~SheetWriter() = default;
  /// Writes `sheet` to `out` (absolute, or relative to the current folder) atomically.
  virtual Status write(const ContactSheet& sheet, const std::string& out) = 0;
};

/// The sheet of `columns` (each a version's previews, from Previews::of_version), rows in
/// prompt × seed order of the union; `titles` name the columns.
ContactSheet contact_sheet(const std::vector<std::vector<Preview>>& columns,
                           const std::vector<std::string>& titles);

/// The prompts of the preview set with the actor's fields filled in: `{trigger}` (the version's
/// trigger word), `{face_prompt}`, `{description}`, `{outfit}`; a field the actor lacks becomes
/// empty and the spaces and commas it leaves are tidied.
std::string fill_prompt(const std::string& pattern,
                        const std::map<std::string, std::string>& fields);

/// The previews a version gets: every prompt × every seed of `settings`, in that order, not yet
/// stored (ids 0). Pure.
std::vector<Preview> plan_previews(const Version& version, const PreviewSettings& settings,
                                   const std::map<std::string, std::string>& actor_fields,
                                   UnixMs now);

/// Applies a RunPod report to a preview through the same lifecycle table as a training.
/// A completed report's images are not judged here (see Previews::check). Returns whether it
/// changed. Pure.
bool apply_preview_report(Preview& preview, const JobReport& report, double price_per_second,
                          UnixMs now);

/// The preview use cases: start a version's set (idempotent), follow each job (status checks,
/// webhook hints), save what it returns, abort.
class Previews {
 public:
  using WebhookUrl = std::function<std::optional<std::string>()>;
  /// Called with the version id after every stored change of one of its previews.
  using Changed = std::function<void(const Preview&)>;

  Previews(ActorRegistry& registry, VersionStore& versions, PreviewStore& store,
           TrainingBackend& backend, PreviewImages& images, const Clock& clock,
           const Settings& settings, WebhookUrl webhook_url, Changed changed = {});

  /// FailedPrecondition unless a preview endpoint is configured (with an id and a key).
  [[nodiscard]] Status configured() const;

  /// Stores the version's previews that do not exist yet (every prompt × seed) and sends each
  /// that was never sent. Idempotent: a second call sends nothing for a preview that exists.
  /// FailedPrecondition unless the version completed with a LoRA URL and a preview endpoint is
  /// configured.
  [[nodiscard]] Result<std::vector<Preview>> start(std::int64_t version_id);

  /// One status check of a preview (or the send of one never sent). On completion the images
  /// are saved; an answer without usable images fails this preview only.
  [[nodiscard]] Result<Preview> check(std::int64_t id, Retries retries);

  /// Cancels a preview's job (or withdraws one never sent).
  [[nodiscard]] Result<Preview> abort(std::int64_t id);

  /// Sets who hears each stored change (serve's live events); call before other threads use it.
  void on_change(Changed changed) { changed_ = std::move(changed); }

  /// What `actor_id`'s previews cost so far (USD).
  [[nodiscard]] Result<double> cost_of_actor(const std::string& actor_id) const;

  /// The previews of a version.
  [[nodiscard]] Result<std::vector<Preview>> of_version(std::int64_t version_id) const;

 private:
  Result<Preview> send(const Preview& preview, const Version& version);
  UnixMs now_ms() const;
  Result<Preview> stored_change(std::int64_t id, const PreviewStore::ChangePreview& change);

  ActorRegistry& registry_;
  VersionStore& versions_;
  PreviewStore& store_;
  TrainingBackend& backend_;
  PreviewImages& images_;
  const Clock& clock_;
  const Settings& settings_;
  WebhookUrl webhook_url_;
  Changed changed_;
};

}  // namespace atr
