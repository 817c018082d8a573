#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "core/actor.h"
#include "core/actor_search.h"
#include "core/batch.h"
#include "core/budget.h"
#include "core/data_sync.h"
#include "core/history_import.h"
#include "core/plan.h"
#include "core/previews.h"
#include "core/s3_data.h"
#include "core/stats.h"
#include "core/training_data.h"
#include "core/trainings.h"
#include "core/tunnel.h"
#include "core/version.h"

namespace atr {

/// Our API's JSON shapes, shared by the HTTP server and the CLI's --json output, so scripts
/// see the same documents from both. docs/api.md describes them.

/// `{"error": {"code", "message"}}`.
nlohmann::ordered_json error_to_json(const Error& error);
/// The one error document of the API, the webhook listener and the CLI's --json:
/// `{"error": {"code", "message"[, "field"]}}` (`field` left out when empty).
nlohmann::ordered_json problem_to_json(std::string_view code, const std::string& message,
                                       const std::string& field = {});

/// What a listing adds to an actor's record from outside the registry.
struct ActorView {
  std::optional<std::string> poster_url;  ///< where to load the poster; unset: the record's URL
  DataSummary data;                       ///< the scan of its folder against the recorded block
  std::optional<std::pair<std::string, VersionStatus>> latest_version;  ///< name, status

  bool operator==(const ActorView&) const = default;
};
/// Gives the view of one actor (the HTTP server looks at the disk and the state store).
using ActorViewFn = std::function<ActorView(const Actor&)>;

/// The registry's own `id` value as the file has it: a number, a string, or null.
nlohmann::ordered_json registry_id_to_json(const Actor& actor);
/// One actor as listed: `id` (the canonical key, always a string: see Actor::key),
/// `registry_id` (the file's own value), name, sex, ethnicity, age, description, poster_url,
/// training_data {count, excluded, ignored, recorded, synced, state}, good,
/// validated_lora_model, latest_version {name, status} (null when there is none).
nlohmann::ordered_json actor_to_json(const Actor& actor, const ActorView& view);
/// A search's facets: `{"sex": {value: count}, "ethnicity": {…}, "has_data", "has_model"}`.
nlohmann::ordered_json facets_to_json(const ActorFacets& facets);
/// `{"total", "items", "facets"}` for a search.
nlohmann::ordered_json actor_list_to_json(const ActorCatalog& catalog,
                                          const ActorSearchResult& result, const ActorViewFn& view);
/// Every parameter by its PRODUCT.md name.
nlohmann::ordered_json parameters_to_json(const TrainingParameters& params);
/// The parameter table as the page draws its form and guidelines from it: name, kind, label,
/// what, good, default, min, max, step, choices.
nlohmann::ordered_json parameter_table_to_json();
/// {"items": newest first, "total_cost_usd": trainings and previews, "preview_cost_usd"}.
nlohmann::ordered_json version_list_to_json(const std::vector<Version>& versions,
                                            double preview_cost = 0.0);
/// `{"items": [log lines], "next_after"}`: a page of a console after sequence `after`.
nlohmann::ordered_json log_page_to_json(const std::vector<LogLine>& lines, std::int64_t after);
/// GET /api/settings: endpoints, what is configured (never a secret), the parameter table,
/// the webhook's reachability (`mode`: public_url, ngrok or none; `base_url` without token).
nlohmann::ordered_json settings_to_json(const Settings& settings, const std::string& webhook_mode,
                                        const std::string& webhook_base_url);
/// GET /api/health: `status` ok or degraded (a broken actors.json: the last good copy is
/// served, writes refused), time, actor count, active versions (null: the store did not
/// answer), webhook mode and the registry's state.
nlohmann::ordered_json health_to_json(const std::string& time, std::size_t actors,
                                      std::optional<std::size_t> active_versions,
                                      const std::string& webhook_mode, const Status& registry);
/// GET /api/tunnel: the webhook's reachability and the ngrok tunnel's state.
nlohmann::ordered_json tunnel_to_json(const TunnelStatus& tunnel, const std::string& webhook_mode,
                                      const std::string& webhook_base_url);
/// `[{"field", "message"}]`.
nlohmann::ordered_json validation_to_json(const std::vector<FieldError>& errors);
/// `{"endpoint", "seconds_per_step", "seconds_per_step_source", "duration_seconds", "cost_usd"}`.
nlohmann::ordered_json estimate_to_json(const Estimate& estimate);
/// `{"image_count", "parameters", "defaults", "validation", "estimate"}`.
nlohmann::ordered_json plan_to_json(const TrainingPlan& plan);
/// The scan report: summary, sync state, files with their checks, findings.
nlohmann::ordered_json training_data_to_json(const Actor& actor, const TrainingDataReport& report);
/// One actor's line of `data check`: usable and left-out images, faces, and the findings by
/// code (`findings`: code → count), errors and warnings.
nlohmann::ordered_json data_check_to_json(const Actor& actor, const TrainingDataReport& report);
/// A sync's plan and outcome: actor_id, prefix, uploaded/deleted/orphan/excluded/ignored/failed
/// lists, unchanged count, upload_bytes, s3_urls count, marked_synced.
nlohmann::ordered_json sync_report_to_json(const SyncReport& report);

/// {"actor_id", "folder", "pulled", "pulled_bytes", "unchanged", "kept", "missing", "failed",
/// "recorded"}: what `data pull` did.
nlohmann::ordered_json pull_report_to_json(const PullReport& report);
/// One training version: id, actor_id (the actor's key), name, status, submission, job id,
/// parameters, description, image_count, times (RFC 3339), duration_seconds, progress,
/// results, cost, good.
nlohmann::ordered_json version_to_json(const Version& version);
/// `{"seq", "version_id", "at", "kind", "text"}`.
nlohmann::ordered_json log_line_to_json(const LogLine& line);

/// A version's loss curve: {"version_id", "total_steps", "final_loss", "steps_per_second",
/// "points": [{"step", "loss", "at"}]}.
nlohmann::ordered_json curve_to_json(const Version& version);

/// One preview job with its images (each with the API URL that serves it).
nlohmann::ordered_json preview_to_json(const Preview& preview);

/// {"items": [preview…], "cost_usd"}.
nlohmann::ordered_json preview_list_to_json(const std::vector<Preview>& previews);
/// An import's plan per manifest (every step, with why it does not apply) and what it did.
nlohmann::ordered_json import_run_to_json(const ImportRun& run);
/// `[{"code", "message", "version_id"?}]`: why a training cannot start now.
nlohmann::ordered_json blockers_to_json(const std::vector<Blocker>& blockers);
/// `{"left", "right", "parameters": [{"name", "left", "right", "differs"}]}`.
nlohmann::ordered_json comparison_to_json(const Version& left, const Version& right,
                                          const std::vector<ParameterDiff>& rows);

/// The caps and the spend of each capped period (or this month's spend when nothing is
/// capped): {"periods": [{"period", "endpoint", "from", "spent_usd", "running_usd",
/// "cap_usd"}], "capped"}.
nlohmann::ordered_json budget_to_json(const std::vector<PeriodSpend>& periods);
/// budget_to_json() with the caps in force (`caps`: {"day", "month", "total", "endpoints"})
/// and where they come from (`source`: "page" or "file"), for the page's editor.
nlohmann::ordered_json budget_to_json(const std::vector<PeriodSpend>& periods,
                                      const BudgetSettings& caps, bool from_page);

/// A batch plan: {"endpoint", "concurrency", "items": [{"actor_id", "actor_name", "images",
/// "parameters", "estimate", "state"}], "skipped", "skipped_counts", "included",
/// "total_cost_usd", "wall_seconds", "budget_stop", "blockers"}.
nlohmann::ordered_json batch_plan_to_json(const BatchPlan& plan);

/// A started batch; each entry with its version as stored now (`versions`, by id), and the
/// queue's counts: waiting, running, done, failed (skipped included), cancelled.
nlohmann::ordered_json batch_to_json(const Batch& batch,
                                     const std::map<std::int64_t, Version>& versions);

/// The analytics: totals, days, weeks, months, speeds, actors, most expensive, failures.
nlohmann::ordered_json stats_to_json(const Stats& stats);

}  // namespace atr
