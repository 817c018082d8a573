#include "app/api_host.h"

#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

namespace atr {
namespace {

std::string tunnel_json(const TunnelStatus& t) {
  nlohmann::ordered_json doc;
  doc["state"] = to_string(t.state);
  doc["public_url"] =
      t.public_url.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(t.public_url);
  doc["message"] = t.message;
  return doc.dump();
}

// What every job cost and how each ended, as totals the state store keeps (read at scrape
// time, so a restart or a CLI command in between loses nothing).
void publish_spend(const VersionStore& store, Metrics& metrics) {
  Result<std::vector<SpendEntry>> entries = store.spend_entries();
  if (!entries) return;
  std::map<std::string, double> spent{{"training", 0.0}, {"preview", 0.0}};
  std::map<std::pair<std::string, std::string>, int> outcomes;
  for (const SpendEntry& e : *entries) {
    spent[e.kind] += e.spent;
    if (e.finished) ++outcomes[{e.kind, e.status}];
  }
  for (const auto& [kind, usd] : spent) {
    metrics.set_total("atr_spend_usd_total", "USD spent on RunPod jobs (executionTime x price)",
                      {{"kind", kind}}, usd);
  }
  metrics.clear("atr_jobs_finished_total");
  for (const auto& [key, count] : outcomes) {
    metrics.set_total("atr_jobs_finished_total", "RunPod jobs that ended, by kind and outcome",
                      {{"kind", key.first}, {"status", key.second}}, count);
  }
}

}  // namespace

ApiHost::ApiHost(Workspace& workspace, Metrics& metrics)
    : w_(workspace),
      metrics_(metrics),
      latest_(*workspace.store),
      publisher_(*workspace.store, events_, [this](const Version& v) { latest_.note(v); }),
      thumbnails_(workspace.root, workspace.root / ".actor-trainer" / "thumbnails"),
      // A summary lives 10 s: a folder edited by hand shows in the list within that time, and
      // a listing of 10,000 actors stats their folders at most that often.
      data_(*workspace.scanner, workspace.config.settings.limits, workspace.clock,
            std::chrono::seconds(10)) {
  w_.store->set_observer([this](const std::vector<std::int64_t>& ids) { publisher_.changed(ids); });
  if (w_.previews) {
    w_.previews->on_change([this](const Preview& p) {
      events_.publish("preview", p.actor_id, p.version_id, preview_to_json(p).dump());
    });
  }
}

ApiHost::~ApiHost() {
  stop();
  w_.store->set_observer({});
  if (w_.previews) w_.previews->on_change({});
}

Tunnel& ApiHost::tunnel() {
  return *tunnel_;
}

Status ApiHost::start(const ApiOptions& options, int webhook_port) {
  tunnel_ = std::make_unique<NgrokTunnel>(
      webhook_port, w_.config.secrets.ngrok_authtoken, w_.config.settings.ngrok_api_url,
      w_.root / ".actor-trainer" / "ngrok.log", agent_http_, [this](const TunnelStatus& t) {
        w_.set_tunnel_url(t.state == TunnelState::Running ? t.public_url : "");
        events_.publish("tunnel", "", 0, tunnel_json(t));
        std::cerr << "tunnel: " << to_string(t.state)
                  << (t.public_url.empty() ? "" : " " + t.public_url)
                  << (t.message.empty() ? "" : ": " + t.message) << "\n";
      });
  Workspace& w = w_;
  Metrics& metrics = metrics_;
  ApiServices services{w.root,
                       *w.registry,
                       *w.scanner,
                       data_,
                       *w.store,
                       *w.trainings,
                       *w.importer,
                       w.config.settings,
                       thumbnails_,
                       *tunnel_,
                       events_,
                       metrics,
                       latest_,
                       w.objects.get(),
                       [&w]() -> std::pair<std::string, std::string> {
                         if (w.config.settings.public_webhook_base_url) {
                           return {"public_url", *w.config.settings.public_webhook_base_url};
                         }
                         std::string tunnel_url = w.tunnel_url();
                         if (!tunnel_url.empty()) return {"ngrok", tunnel_url};
                         return {"none", ""};
                       },
                       [&w, &metrics] {
                         Result<std::vector<Version>> active = w.store->list_unfinished();
                         if (!active) return;
                         metrics.clear("atr_active_versions");
                         std::map<std::string, int> by_status;
                         for (VersionStatus s : {VersionStatus::Pending, VersionStatus::Queued,
                                                 VersionStatus::Training}) {
                           by_status[std::string(to_string(s))] = 0;
                         }
                         for (const Version& v : *active) {
                           ++by_status[std::string(to_string(v.status))];
                         }
                         for (const auto& [status, count] : by_status) {
                           metrics.set("atr_active_versions", "unfinished versions, by status",
                                       {{"status", status}}, count);
                         }
                         publish_spend(*w.store, metrics);
                       }};
  services.previews = w.previews.get();
  services.preview_store = w.preview_store;
  services.batches = w.batches.get();
  services.batch_store = w.batch_store;
  services.batch_started = batch_started_;
  api_ = std::make_unique<ApiServer>(std::move(services), options);
  if (Status started = api_->start(); !started) {
    api_.reset();
    return started;
  }
  return Ok{};
}

void ApiHost::stop() {
  if (api_) api_->stop();  // live streams end; requests in flight finish
  if (tunnel_) tunnel_->stop();
}

}  // namespace atr
