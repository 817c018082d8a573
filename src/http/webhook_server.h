#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "base/result.h"
#include "base/secret.h"
#include "core/version_store.h"

namespace httplib {
class Server;
}

namespace atr {

/// The listener RunPod calls when a job ends: `POST /api/training-webhook/<token>` and
/// nothing else (every other path, and a wrong token, is 404 and changes nothing). It decodes
/// the body and hands the report to `ingest`, which stores it before the 200 goes out, so
/// RunPod's retry covers any failure to store.
class WebhookServer {
 public:
  /// Stores one report durably; Unavailable makes the answer 503 so RunPod retries.
  using Ingest = std::function<Result<ReportOutcome>(const JobReport&)>;
  /// Told about each report that was stored (for logs).
  using Notify = std::function<void(const JobReport&, const ReportOutcome&)>;

  static constexpr size_t kDefaultBodyLimit = size_t{8} * 1024 * 1024;
  /// Connections served at once (each on its own thread while open); more wait their turn.
  static constexpr size_t kMaxConnections = 4096;

  WebhookServer(Secret token, Ingest ingest, Notify notify = {},
                size_t body_limit = kDefaultBodyLimit);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  /// Binds `host:port` (port 0: any free port) and serves on a background thread.
  /// Unavailable when the address cannot be bound.
  Status start(const std::string& host, int port);
  /// The bound port, once started.
  [[nodiscard]] int port() const { return port_; }
  /// Stops serving and joins the thread. Safe to call twice.
  void stop();

  /// The path RunPod is given, token included: "/api/training-webhook/<token>".
  static std::string path_for(const Secret& token);

  /// A preview job's webhook (`POST /api/preview-webhook/<token>`) is only ever a hint: its
  /// images and final word are not taken from the body (anyone with the token could post
  /// one); `hint` gets the job id, and the job's own /status decides. Set before start().
  using PreviewHint = std::function<void(const std::string& job_id)>;
  void on_preview_webhook(PreviewHint hint) { preview_hint_ = std::move(hint); }
  /// The preview webhook URL for a training webhook URL (the same base and token).
  static std::string preview_url_of(const std::string& training_webhook_url);

 private:
  Secret token_;
  Ingest ingest_;
  Notify notify_;
  PreviewHint preview_hint_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace atr
