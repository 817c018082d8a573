#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "app/live_events.h"
#include "app/ngrok_tunnel.h"
#include "app/workspace.h"
#include "core/data_states.h"
#include "http/api_server.h"
#include "http/event_hub.h"
#include "images/vips_thumbnailer.h"
#include "net/http_client.h"

namespace atr {

/// The API side of `serve` around one workspace, put together in one place: the event hub, the
/// newest-version board and the publisher that feeds both from every stored change, the ngrok
/// tunnel, the thumbnailer, the data summaries and the ApiServer. `serve` adds the webhook
/// listener, the poller and the registry watcher; tests run it in process on port 0.
class ApiHost {
 public:
  /// Becomes the store's observer (every committed write is published as live events).
  ApiHost(Workspace& workspace, Metrics& metrics);
  /// Stops the API and stops observing the store.
  ~ApiHost();
  ApiHost(const ApiHost&) = delete;
  ApiHost& operator=(const ApiHost&) = delete;

  /// Starts the API with `options`; the tunnel, when started, points at `webhook_port`.
  /// Unavailable when the address cannot be bound.
  Status start(const ApiOptions& options, int webhook_port);
  /// Ends the streams, lets requests in flight finish (idempotent).
  void stop();
  [[nodiscard]] int port() const { return api_ ? api_->port() : 0; }
  EventHub& events() { return events_; }
  /// Called after the API started a batch (serve wakes the batch runner); before start().
  void on_batch_started(std::function<void()> started) { batch_started_ = std::move(started); }
  Tunnel& tunnel();

 private:
  Workspace& w_;
  Metrics& metrics_;
  EventHub events_;
  LatestVersionBoard latest_;
  LivePublisher publisher_;
  CurlHttpClient agent_http_;  ///< the ngrok agent's local API
  std::unique_ptr<NgrokTunnel> tunnel_;
  VipsThumbnailer thumbnails_;
  DataStates data_;
  std::unique_ptr<ApiServer> api_;
  std::function<void()> batch_started_;
};

}  // namespace atr
