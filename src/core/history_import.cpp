#include "core/history_import.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "base/strings.h"

namespace atr {
namespace {

std::string file_stem(const std::string& filename) {
  const std::size_t dot = filename.rfind('.');
  return dot == std::string::npos || dot == 0 ? filename : filename.substr(0, dot);
}

// The folder the manifest's local paths agree on, when it is a workspace-relative one; else
// empty. "data/actors/x/training_data/a.jpg" → "data/actors/x/training_data".
std::string common_folder(const std::vector<ManifestImage>& images) {
  std::string folder;
  for (const ManifestImage& image : images) {
    const std::string& path = image.local_path;
    const std::size_t slash = path.rfind('/');
    if (path.empty() || path.front() == '/' || slash == std::string::npos) return {};
    std::string parent = path.substr(0, slash);
    for (const std::string& part : split(parent, '/')) {
      if (part.empty() || part == "." || part == "..") return {};
    }
    if (folder.empty()) {
      folder = std::move(parent);
    } else if (folder != parent) {
      return {};
    }
  }
  return folder;
}

std::string count_text(std::size_t n, const std::string& one) {
  return std::to_string(n) + " " + one + (n == 1 ? "" : "s");
}

void plan_training_data(const Actor& actor, const ActorManifest& m,
                        const std::function<std::string(const Actor&)>& default_folder,
                        ActorImport& out) {
  if (m.images.empty()) {
    out.steps.push_back({"training data", false, "the manifest lists no training images"});
    return;
  }
  std::set<std::string> urls;
  std::size_t local_only = 0;
  for (const ManifestImage& image : m.images) {
    if (image.synced && !image.s3_url.empty()) {
      urls.insert(image.s3_url);
    } else {
      ++local_only;
    }
  }
  if (urls.empty()) {
    out.steps.push_back({"training data", false,
                         "none of its " + count_text(m.images.size(), "image") +
                             " is in S3; run `data sync " + actor.key() + "` after the import"});
    return;
  }
  TrainingDataRecord record;
  for (const std::string& url : urls) {
    record.s3_urls.push_back(url);
  }
  record.count = static_cast<int>(record.s3_urls.size());
  record.synced = local_only == 0;
  record.local_path = common_folder(m.images);
  if (record.local_path.empty()) record.local_path = default_folder(actor);
  std::string what = "training data: " + count_text(urls.size(), "image") + " in S3";
  if (local_only > 0) {
    what += ", " + std::to_string(local_only) + " only local (`data sync " + actor.key() +
            "` uploads them)";
  }
  out.folder = record.local_path;
  for (const ManifestImage& image : m.images) {
    if (image.synced && !image.s3_url.empty() && is_md5_hex(image.md5)) {
      out.synced_md5s[image.filename] = to_lower(image.md5);  // as scans write MD5s
    }
  }
  if (actor.training_data == record) {
    out.steps.push_back({what, false, "already recorded"});
  } else if (actor.training_data) {
    out.steps.push_back(
        {what, false,
         "actors.json already records training data (" +
             count_text(static_cast<std::size_t>(actor.recorded_images()), "image") +
             "); left as it is"});
    out.synced_md5s.clear();
  } else {
    out.training_data = std::move(record);
    out.steps.push_back({what, true, ""});
  }
}

Version imported_version(const Actor& actor, const ActorManifest& m, const ManifestModel& model,
                         UnixMs now) {
  Version v;
  v.actor_id = actor.key();
  v.actor_name = actor.name;
  v.number = model.number;
  v.name = "V" + std::to_string(model.number);
  v.model_name = file_stem(model.filename);
  v.request_id = "imported_" + actor.key() + "_" + v.name;
  v.submit_state = SubmitState::Accepted;
  v.status = VersionStatus::Completed;
  v.created_at = model.created_at.value_or(model.modified_at.value_or(now));
  v.updated_at = now;
  v.finished_at = model.modified_at.value_or(v.created_at);
  v.lora_url = model.lora_url;
  v.model_size_bytes = model.size_bytes;
  v.message = "imported from " + m.file;
  v.imported = true;
  return v;
}

void plan_versions(const Actor& actor, const ActorManifest& m, const std::vector<Version>& known,
                   UnixMs now, ActorImport& out) {
  std::map<int, const Version*> by_number;
  for (const Version& v : known) {
    by_number[v.number] = &v;
  }
  std::vector<ManifestModel> models = m.models;
  std::stable_sort(
      models.begin(), models.end(),
      [](const ManifestModel& a, const ManifestModel& b) { return a.number < b.number; });
  std::set<int> seen;
  const ManifestModel* good = nullptr;
  for (const ManifestModel& model : models) {
    const std::string what = (model.number > 0 ? "V" + std::to_string(model.number) + " " : "") +
                             file_stem(model.filename);
    if (model.number <= 0) {
      out.steps.push_back({what, false, "no version number in `version` or the file name"});
      continue;
    }
    if (!seen.insert(model.number).second) {
      out.steps.push_back({what, false,
                           "the manifest lists V" + std::to_string(model.number) +
                               " twice; the first one is imported"});
      continue;
    }
    if (model.lora_url.empty()) {
      out.steps.push_back({what, false, "no s3_url: nothing to record as its LoRA"});
      continue;
    }
    if (model.good) good = &model;
    const auto stored = by_number.find(model.number);
    if (stored == by_number.end()) {
      out.versions.push_back(imported_version(actor, m, model, now));
      out.steps.push_back({what, true, ""});
    } else if (stored->second->model_name == file_stem(model.filename)) {
      out.steps.push_back({what, false, "already known"});
    } else {
      out.steps.push_back({what, false,
                           "V" + std::to_string(model.number) + " is already " +
                               stored->second->model_name + " here; left out"});
      if (good == &model) good = nullptr;
    }
  }
  if (good == nullptr) return;
  const std::string what = "validated model: V" + std::to_string(good->number);
  if (actor.validated_model && actor.validated_model->lora_url == good->lora_url) {
    out.steps.push_back({what, false, "already recorded"});
  } else if (actor.validated_model) {
    out.steps.push_back({what, false,
                         "actors.json already names " + actor.validated_model->version_name +
                             " as the validated model; left as it is"});
  } else {
    out.good_number = good->number;
    out.steps.push_back({what, true, ""});
  }
}

}  // namespace

bool ActorImport::changes() const {
  return training_data.has_value() || !versions.empty() || good_number.has_value();
}

int ImportPlan::changing() const {
  return static_cast<int>(std::count_if(actors.begin(), actors.end(),
                                        [](const ActorImport& a) { return a.changes(); }));
}

ValidatedModel validated_model_of(const Version& version, UnixMs now) {
  return ValidatedModel{version.job_id.empty() ? version.model_name : version.job_id, version.name,
                        version.lora_url, format_utc_timestamp(now)};
}

ImportPlan plan_import(const ActorCatalog& catalog, const std::vector<ActorManifest>& manifests,
                       const std::function<std::vector<Version>(const std::string&)>& known,
                       const std::function<std::string(const Actor&)>& default_folder, UnixMs now) {
  ImportPlan plan;
  std::set<std::string> planned;
  for (const ActorManifest& m : manifests) {
    ActorImport a;
    a.manifest = m.file;
    a.training_data_good = m.training_data_good;
    for (const std::string& problem : m.problems) {
      a.steps.push_back({problem, false, "could not be read; left out"});
    }
    Result<const Actor*> actor = Error{ErrorCode::NotFound, "no id"};
    if (!m.character_id.empty()) actor = catalog.find(m.character_id);
    if (!actor && !m.character_name.empty()) actor = catalog.find(m.character_name);
    if (!actor) {
      if (!m.character_id.empty() || !m.character_name.empty()) {
        a.steps.push_back({"actor " + (m.character_id.empty() ? m.character_name : m.character_id),
                           false, "no actor with this id or name in actors.json"});
      } else if (m.problems.empty()) {
        a.steps.push_back({"actor", false, "the manifest has no character_id or character_name"});
      }
      plan.actors.push_back(std::move(a));
      continue;
    }
    const Actor& match = **actor;
    a.actor = match.key();
    a.actor_name = match.name;
    if (!planned.insert(a.actor).second) {
      a.steps.push_back({"actor " + a.actor, false, "another manifest already names this actor"});
      plan.actors.push_back(std::move(a));
      continue;
    }
    plan_training_data(match, m, default_folder, a);
    plan_versions(match, m, known(a.actor), now, a);
    plan.actors.push_back(std::move(a));
  }
  return plan;
}

Result<ImportOutcome> apply_import(const ImportPlan& plan, ActorRegistry& registry,
                                   VersionStore& store, ScanMemory* memory, UnixMs now) {
  ImportOutcome outcome;
  std::vector<Version> versions;
  for (const ActorImport& a : plan.actors) {
    versions.insert(versions.end(), a.versions.begin(), a.versions.end());
  }
  if (!versions.empty()) {
    Result<std::vector<std::int64_t>> ids = store.import_versions(versions);
    if (!ids) return ids.error().with_context("import versions");
    outcome.versions_imported =
        static_cast<int>(std::count_if(ids->begin(), ids->end(), [](auto id) { return id > 0; }));
  }
  if (memory != nullptr) {
    for (const ActorImport& a : plan.actors) {
      if (!a.training_data || a.synced_md5s.empty()) continue;
      if (Status recorded = memory->record_synced(a.folder, a.synced_md5s); !recorded) {
        return recorded.error().with_context("remember the synced files of " + a.actor);
      }
    }
  }
  std::vector<ActorPatch> patches;
  std::vector<std::pair<std::string, std::int64_t>> good_marks;
  for (const ActorImport& a : plan.actors) {
    if (!a.changes() || a.actor.empty()) continue;
    ActorPatch patch;
    patch.actor_ref = a.actor;
    patch.training_data = a.training_data;
    if (a.good_number) {
      Result<std::vector<Version>> stored = store.list_for_actor(a.actor);
      if (!stored) return stored.error();
      const auto it = std::find_if(stored->begin(), stored->end(), [&](const Version& v) {
        return v.number == *a.good_number && v.imported;
      });
      if (it != stored->end()) {
        patch.validated_model = validated_model_of(*it, now);
        patch.good = true;
        good_marks.emplace_back(a.actor, it->id);
      }
    }
    if (patch.training_data || patch.validated_model) patches.push_back(std::move(patch));
  }
  if (!patches.empty()) {
    if (Status written = registry.update(patches); !written) {
      return written.error().with_context("record the import in actors.json");
    }
  }
  for (const ActorImport& a : plan.actors) {
    if (a.training_data) ++outcome.blocks_recorded;
  }
  for (const auto& [actor, id] : good_marks) {
    if (Status marked = store.set_good(actor, id); !marked) return marked.error();
    ++outcome.validated_recorded;
  }
  return outcome;
}

HistoryImporter::HistoryImporter(ActorRegistry& registry, VersionStore& store, ScanMemory* memory,
                                 const Clock& clock, ReadManifests read)
    : registry_(registry), store_(store), memory_(memory), clock_(clock), read_(std::move(read)) {}

Result<ImportRun> HistoryImporter::run(const std::string& folder, bool dry_run) {
  std::lock_guard lock(mutex_);
  ImportRun run;
  run.folder = folder.empty() ? std::string(kManifestFolder) : folder;
  run.dry_run = dry_run;
  Result<std::vector<ActorManifest>> manifests = read_(run.folder);
  if (!manifests) return manifests.error().with_context("import " + run.folder);
  // Plan against the file as it is now: a change by another tool since the last reload counts.
  if (Status reloaded = registry_.reload(); !reloaded) {
    return reloaded.error().with_context("import: actors.json");
  }
  const UnixMs now =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
          .count();
  Error store_error{ErrorCode::Internal, ""};
  run.plan = plan_import(
      *registry_.catalog(), *manifests,
      [&](const std::string& key) {
        Result<std::vector<Version>> known = store_.list_for_actor(key);
        if (!known) {
          store_error = known.error();
          return std::vector<Version>{};
        }
        return std::move(known).value();
      },
      [](const Actor& actor) {
        Result<std::string> where = training_folder(actor);
        return where ? *where : std::string();
      },
      now);
  if (!store_error.message.empty()) return store_error.with_context("import");
  if (dry_run) return run;
  Result<ImportOutcome> applied = apply_import(run.plan, registry_, store_, memory_, now);
  if (!applied) return applied.error().with_context("import " + run.folder);
  run.outcome = *applied;
  return run;
}

}  // namespace atr
