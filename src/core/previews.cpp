#include "core/previews.h"

#include <algorithm>
#include <chrono>

#include "base/strings.h"

namespace atr {
namespace {

// The name the preview graph loads the LoRA under: the last segment of its URL, else the
// model name with the usual extension.
std::string model_file_of(const Version& v) {
  const std::string_view url = v.lora_url;
  const size_t query = url.find('?');
  const std::string_view path = url.substr(0, query);
  const size_t slash = path.rfind('/');
  std::string_view file = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (!file.empty() && file.find('.') != std::string_view::npos) return std::string(file);
  return v.model_name + ".safetensors";
}

std::string name_of(const Preview& p) {
  return p.version_name + " preview \"" + p.prompt_label + "\" seed " + std::to_string(p.seed);
}

}  // namespace

std::string fill_prompt(const std::string& pattern,
                        const std::map<std::string, std::string>& fields) {
  // Clause by clause (split at commas): a clause whose fields are all empty is left out, so
  // "wearing {outfit}" disappears for an actor without an outfit instead of dangling.
  std::vector<std::string> kept;
  size_t begin = 0;
  while (begin <= pattern.size()) {
    size_t end = pattern.find(',', begin);
    if (end == std::string::npos) end = pattern.size();
    const std::string clause = pattern.substr(begin, end - begin);
    std::string out;
    bool had_field = false;
    bool filled = false;
    size_t i = 0;
    while (i < clause.size()) {
      const size_t open = clause.find('{', i);
      const size_t close = open == std::string::npos ? open : clause.find('}', open);
      if (close == std::string::npos) {
        out.append(clause, i, std::string::npos);
        break;
      }
      out.append(clause, i, open - i);
      had_field = true;
      auto it = fields.find(clause.substr(open + 1, close - open - 1));
      if (it != fields.end() && !trim(it->second).empty()) {
        out += std::string(trim(it->second));
        filled = true;
      }
      i = close + 1;
    }
    const std::string text(trim(out));
    if (!text.empty() && (!had_field || filled)) kept.push_back(text);
    begin = end + 1;
  }
  return join(kept, ", ");
}

std::vector<Preview> plan_previews(const Version& version, const PreviewSettings& settings,
                                   const std::map<std::string, std::string>& actor_fields,
                                   UnixMs now) {
  std::map<std::string, std::string> fields = actor_fields;
  fields["trigger"] = version.parameters.class_tokens;
  std::vector<Preview> out;
  for (size_t i = 0; i < settings.prompts.size(); ++i) {
    for (std::int64_t seed : settings.seeds) {
      Preview p;
      p.version_id = version.id;
      p.actor_id = version.actor_id;
      p.version_name = version.name;
      p.prompt_index = static_cast<int>(i);
      p.prompt_label = settings.prompts[i].label;
      p.prompt = fill_prompt(settings.prompts[i].text, fields);
      p.seed = seed;
      p.width = settings.width;
      p.height = settings.height;
      p.endpoint_name = settings.endpoint.name;
      p.endpoint_id = settings.endpoint.endpoint_id;
      p.request_id = version.model_name + "_p" + std::to_string(i) + "_s" + std::to_string(seed);
      p.created_at = now;
      p.updated_at = now;
      out.push_back(std::move(p));
    }
  }
  return out;
}

ContactSheet contact_sheet(const std::vector<std::vector<Preview>>& columns,
                           const std::vector<std::string>& titles) {
  ContactSheet sheet;
  sheet.column_titles = titles;
  // Rows: every (prompt, seed) of any column, in prompt then seed order.
  std::map<std::pair<int, std::int64_t>, std::string> rows;
  for (const std::vector<Preview>& column : columns) {
    for (const Preview& p : column) {
      rows.try_emplace({p.prompt_index, p.seed},
                       p.prompt_label + " · seed " + std::to_string(p.seed));
    }
  }
  for (const auto& [key, title] : rows) {
    sheet.row_titles.push_back(title);
    for (const std::vector<Preview>& column : columns) {
      std::string cell;
      for (const Preview& p : column) {
        if (p.prompt_index == key.first && p.seed == key.second && !p.images.empty()) {
          cell = p.images.front();
        }
      }
      sheet.cells.push_back(std::move(cell));
    }
  }
  return sheet;
}

bool apply_preview_report(Preview& p, const JobReport& r, double price_per_second, UnixMs now) {
  const Preview before = p;
  if (p.job_id.empty() && !r.job_id.empty()) {
    p.job_id = r.job_id;
    p.submit_state = SubmitState::Accepted;
  }
  if (r.event == LifecycleEvent::ReportedUnknown) {
    p.not_found_count += 1;
    if (p.not_found_count < kNotFoundAnswersForLost) return !(p == before);
  } else {
    p.not_found_count = 0;
  }
  Result<VersionStatus> next = next_status(p.status, r.event);
  const VersionStatus to = next ? *next : p.status;
  if (to != p.status) {
    p.status = to;
    if (is_final(to)) {
      p.finished_at = now;
      if (r.delay_ms) p.delay_ms = r.delay_ms;
      if (!r.error.empty()) p.error = r.error;
      if (to == VersionStatus::Lost && p.error.empty()) {
        p.error = "RunPod no longer knows job " + p.job_id;
      }
    }
  }
  // A job that ran is paid for, whatever its end; the same final word may bring the time.
  if (r.execution_ms && is_final(p.status) && p.execution_ms != r.execution_ms) {
    p.execution_ms = r.execution_ms;
    p.cost = static_cast<double>(*r.execution_ms) / 1000.0 * price_per_second;
  }
  const bool changed = !(p == before);
  if (changed) p.updated_at = now;
  return changed;
}

Previews::Previews(ActorRegistry& registry, VersionStore& versions, PreviewStore& store,
                   TrainingBackend& backend, PreviewImages& images, const Clock& clock,
                   const Settings& settings, WebhookUrl webhook_url, Changed changed)
    : registry_(registry),
      versions_(versions),
      store_(store),
      backend_(backend),
      images_(images),
      clock_(clock),
      settings_(settings),
      webhook_url_(std::move(webhook_url)),
      changed_(std::move(changed)) {}

UnixMs Previews::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

Status Previews::configured() const {
  if (!settings_.preview.enabled()) {
    return Error{ErrorCode::FailedPrecondition,
                 "no preview endpoint is configured: set [runpod.preview] endpoint_id in "
                 "actor-trainer.toml (a RunPod endpoint running a ComfyUI inference worker)"};
  }
  if (!settings_.preview.s3_key_layout.empty() &&
      (settings_.s3_bucket.empty() || !settings_.has_s3_credentials)) {
    return Error{ErrorCode::FailedPrecondition,
                 "[runpod.preview] s3_key_layout is set but S3 is not configured (S3_BUCKET, "
                 "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"};
  }
  if (!settings_.has_runpod_api_key) {
    return Error{ErrorCode::FailedPrecondition,
                 "RUNPOD_API_KEY is not set: previews run on RunPod"};
  }
  return Ok{};
}

Result<Preview> Previews::stored_change(std::int64_t id,
                                        const PreviewStore::ChangePreview& change) {
  Result<Preview> stored = store_.update_preview(id, change);
  if (stored && changed_) changed_(*stored);
  return stored;
}

Result<std::vector<Preview>> Previews::start(std::int64_t version_id) {
  Result<Version> version = versions_.get(version_id);
  if (!version) return version.error();
  const std::string what = "previews of " + version->name + " of actor " + version->actor_id;
  if (version->status != VersionStatus::Completed || version->lora_url.empty()) {
    return Error{ErrorCode::FailedPrecondition,
                 what + ": only a completed version with a LoRA URL can be previewed (it is " +
                     std::string(to_string(version->status)) + ")"};
  }
  if (Status ready = configured(); !ready) return ready.error().with_context(what);
  std::map<std::string, std::string> fields;
  const std::shared_ptr<const ActorCatalog> catalog = registry_.catalog();
  if (Result<const Actor*> actor = catalog->find(version->actor_id); actor) {
    Result<std::map<std::string, std::string>> read =
        registry_.text_fields(**actor, {"face_prompt", "description", "outfit"});
    if (read) fields = std::move(read).value();
  }
  std::vector<Preview> wanted = plan_previews(*version, settings_.preview, fields, now_ms());
  // Only the previews not stored yet are paid for now; the budget must hold them.
  Result<std::vector<Preview>> existing = store_.previews_of(version_id);
  if (!existing) return existing.error().with_context(what);
  const auto fresh = std::count_if(wanted.begin(), wanted.end(), [&](const Preview& w) {
    return std::none_of(existing->begin(), existing->end(), [&](const Preview& e) {
      return e.prompt_index == w.prompt_index && e.seed == w.seed;
    });
  });
  if (fresh > 0) {
    const EndpointProfile& endpoint = settings_.preview.endpoint;
    const double each = endpoint.overhead_seconds * endpoint.price_per_second;
    if (Status fits =
            check_workspace_budget(versions_, settings_,
                                   PaidJob{endpoint.name, static_cast<double>(fresh) * each,
                                           "these " + std::to_string(fresh) + " previews"},
                                   now_ms());
        !fits) {
      return fits.error().with_context(what);
    }
  }
  Result<std::vector<Preview>> stored = store_.create_previews(wanted);
  if (!stored) return stored.error().with_context(what);
  std::vector<Preview> out;
  for (const Preview& p : *stored) {
    if (p.submit_state != SubmitState::Prepared) {
      out.push_back(p);
      continue;
    }
    Result<Preview> sent = send(p, *version);
    if (!sent) return sent.error().with_context(what);
    out.push_back(std::move(sent).value());
  }
  return out;
}

Result<Preview> Previews::send(const Preview& preview, const Version& version) {
  // Claim the row: only the process that moves it from prepared to sending sends /run.
  bool claimed = false;
  Result<Preview> claim = stored_change(preview.id, [&](Preview& p) {
    claimed = p.submit_state == SubmitState::Prepared;
    if (!claimed) return false;
    p.submit_state = SubmitState::Sending;
    return true;
  });
  if (!claim || !claimed) return claim;
  PreviewRequest request;
  request.model_id = model_file_of(version);
  request.lora_url = version.lora_url;
  request.prompt = preview.prompt;
  request.seed = preview.seed;
  request.width = preview.width;
  request.height = preview.height;
  request.lora_strength = settings_.preview.lora_strength;
  if (webhook_url_) request.webhook_url = webhook_url_();
  request.ttl_ms =
      job_ttl_ms(settings_.preview.endpoint.overhead_seconds, settings_.tracking.job_ttl_seconds);
  const SubmitOutcome outcome = backend_.submit_preview(preview.endpoint_id, request);
  const UnixMs now = now_ms();
  return stored_change(preview.id, [&](Preview& p) {
    p.submitted_at = now;
    p.job_ttl_ms = request.ttl_ms;
    switch (outcome.kind) {
      case SubmitOutcome::Kind::Accepted: {
        p.submit_state = SubmitState::Accepted;
        JobReport accepted;
        accepted.source = ReportSource::Submit;
        accepted.job_id = outcome.job_id;
        accepted.event = LifecycleEvent::Accepted;
        apply_preview_report(p, accepted, 0.0, now);
        break;
      }
      case SubmitOutcome::Kind::Rejected: {
        p.submit_state = SubmitState::Rejected;
        JobReport refused;
        refused.source = ReportSource::Submit;
        refused.event = LifecycleEvent::SubmitRejected;
        refused.error = outcome.detail;
        apply_preview_report(p, refused, 0.0, now);
        break;
      }
      case SubmitOutcome::Kind::Unknown: p.submit_state = SubmitState::Unknown; break;
    }
    p.updated_at = now;
    return true;
  });
}

Result<Preview> Previews::check(std::int64_t id, Retries retries) {
  Result<Preview> preview = store_.get_preview(id);
  if (!preview) return preview;
  if (is_final(preview->status)) return preview;
  if (preview->job_id.empty()) {
    if (preview->submit_state == SubmitState::Prepared) {
      Result<Version> version = versions_.get(preview->version_id);
      if (!version) return version.error();
      return send(*preview, *version);
    }
    // Sent without an answer: RunPod deletes an unnamed job at its ttl; then it is lost.
    const UnixMs now = now_ms();
    const UnixMs deadline = preview->submitted_at.value_or(preview->created_at) +
                            preview->job_ttl_ms.value_or(kRunpodDefaultTtlMs);
    if (now < deadline) return preview;
    return stored_change(id, [&](Preview& p) {
      JobReport gave_up;
      gave_up.event = LifecycleEvent::GaveUp;
      gave_up.error = "the submission got no answer and RunPod has deleted any job it made";
      return apply_preview_report(p, gave_up, 0.0, now);
    });
  }
  Result<JobReport> report = backend_.status(preview->endpoint_id, preview->job_id, retries);
  if (!report) return report.error().with_context("status of " + name_of(*preview));
  PreviewImages::Saved saved;
  std::string problem;
  if (report->event == LifecycleEvent::ReportedCompleted) {
    // The images are the preview's result: a completed job without usable ones is a failed
    // preview (the version is not touched).
    if (report->images.empty()) {
      problem = "the preview worker's answer holds no images" +
                (report->output_problem.empty() ? "" : ": " + report->output_problem);
    } else {
      Result<PreviewImages::Saved> written = images_.save(*preview, report->images);
      if (written) {
        saved = std::move(written).value();
      } else if (written.error().code == ErrorCode::Unavailable) {
        // A passing failure (a download, the bucket): RunPod keeps the job's output for a
        // while, so the next check tries again; after that the job answers 404 and is lost.
        const std::string note =
            "saving the images failed: " + written.error().message + "; trying again";
        const UnixMs now = now_ms();
        return stored_change(id, [&](Preview& p) {
          if (is_final(p.status) || p.error == note) return false;
          p.error = note;
          p.updated_at = now;
          return true;
        });
      } else {
        problem = written.error().message;
      }
    }
    if (!problem.empty()) {
      report->event = LifecycleEvent::ReportedFailed;
      report->error = problem;
    }
  }
  const UnixMs now = now_ms();
  const double price = settings_.preview.endpoint.price_per_second;
  return stored_change(id, [&](Preview& p) {
    const bool completes =
        !is_final(p.status) && report->event == LifecycleEvent::ReportedCompleted;
    bool changed = apply_preview_report(p, *report, price, now);
    if (completes && p.status == VersionStatus::Completed) {
      p.error.clear();  // a note of an earlier attempt to save the images
      p.images = saved.files;
      p.s3_urls = saved.s3_urls;
      changed = true;
    }
    return changed;
  });
}

Result<Preview> Previews::abort(std::int64_t id) {
  Result<Preview> preview = store_.get_preview(id);
  if (!preview) return preview;
  if (is_final(preview->status)) {
    return Error{ErrorCode::FailedPrecondition, "abort " + name_of(*preview) + ": it is already " +
                                                    std::string(to_string(preview->status))};
  }
  const UnixMs now = now_ms();
  if (preview->job_id.empty()) {
    return stored_change(id, [&](Preview& p) {
      if (!p.job_id.empty() || is_final(p.status)) return false;
      JobReport withdrawn;
      withdrawn.event = p.submit_state == SubmitState::Prepared ? LifecycleEvent::Withdrawn
                                                                : LifecycleEvent::Released;
      if (p.submit_state == SubmitState::Prepared) p.submit_state = SubmitState::Rejected;
      return apply_preview_report(p, withdrawn, 0.0, now);
    });
  }
  Result<JobReport> report = backend_.cancel(preview->endpoint_id, preview->job_id);
  if (!report) return report.error().with_context("abort " + name_of(*preview));
  const double price = settings_.preview.endpoint.price_per_second;
  Result<Preview> cancelled =
      stored_change(id, [&](Preview& p) { return apply_preview_report(p, *report, price, now); });
  if (!cancelled) return cancelled;
  // The answer to /cancel has no execution time; a job that ran is paid for.
  if (Result<JobReport> status =
          backend_.status(preview->endpoint_id, preview->job_id, Retries::WithBackoff);
      status) {
    return stored_change(id,
                         [&](Preview& p) { return apply_preview_report(p, *status, price, now); });
  }
  return cancelled;
}

Result<double> Previews::cost_of_actor(const std::string& actor_id) const {
  Result<std::map<std::string, double>> costs = store_.preview_costs();
  if (!costs) return costs.error();
  auto it = costs->find(actor_id);
  return it == costs->end() ? 0.0 : it->second;
}

Result<std::vector<Preview>> Previews::of_version(std::int64_t version_id) const {
  Result<Version> version = versions_.get(version_id);
  if (!version) return version.error();
  return store_.previews_of(version_id);
}

}  // namespace atr
