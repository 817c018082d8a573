#include "http/webhook_server.h"

#include <httplib.h>

#include "http/listener.h"
#include "http/problem.h"
#include "http/security.h"
#include "runpod/job_report.h"

namespace atr {
namespace {

constexpr std::string_view kPrefix = "/api/training-webhook/";
constexpr std::string_view kPreviewPrefix = "/api/preview-webhook/";

}  // namespace

WebhookServer::WebhookServer(Secret token, Ingest ingest, Notify notify, size_t body_limit)
    : token_(std::move(token)),
      ingest_(std::move(ingest)),
      notify_(std::move(notify)),
      server_(std::make_unique<httplib::Server>()) {
  // A thread per connection while it is open and none at rest: a client that sends its
  // header slowly holds only its own thread, never a valid webhook's; and since each report
  // waits for its group commit, concurrent reports are what lets commits batch.
  server_->new_task_queue = [] { return new ConnectionThreads(kMaxConnections); };
  server_->set_payload_max_length(body_limit);
  // Small answers: without this, Nagle's algorithm and delayed ACKs add ~40 ms per request
  // on a reused connection.
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_max_count(1000);
  server_->set_read_timeout(10, 0);
  server_->set_write_timeout(10, 0);
  // Only POST on the token path exists; everything else is the library's 404.
  server_->Post(R"(/api/training-webhook/([^/]+))", [this](const httplib::Request& req,
                                                           httplib::Response& res) {
    if (!same_secret(req.matches[1].str(), token_.reveal())) {
      send_error(res, Error{ErrorCode::NotFound, "not found"});
      return;
    }
    Result<JobReport> report = parse_job_report(req.body, ReportSource::Webhook);
    if (!report) {
      send_error(res, Error{ErrorCode::InvalidArgument, "the body is not a RunPod job status"});
      return;
    }
    Result<ReportOutcome> outcome = ingest_(*report);
    if (!outcome) {
      send_error(res, Error{ErrorCode::Unavailable, "state store unavailable"});
      return;
    }
    if (notify_) notify_(*report, *outcome);
    nlohmann::ordered_json ok = {{"ok", true}};
    if (outcome->version_id == 0) ok["matched"] = false;
    send_json(res, 200, ok);
  });
  server_->Post(R"(/api/preview-webhook/([^/]+))", [this](const httplib::Request& req,
                                                          httplib::Response& res) {
    if (!same_secret(req.matches[1].str(), token_.reveal())) {
      send_error(res, Error{ErrorCode::NotFound, "not found"});
      return;
    }
    Result<JobReport> report = parse_job_report(req.body, ReportSource::Webhook);
    if (!report || report->job_id.empty()) {
      send_error(res, Error{ErrorCode::InvalidArgument, "the body is not a RunPod job status"});
      return;
    }
    if (preview_hint_) preview_hint_(report->job_id);
    send_json(res, 200, nlohmann::ordered_json{{"ok", true}});
  });
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      send_error(res, Error{ErrorCode::TooLarge, "the body is larger than the webhook limit"});
    } else if (res.status == 400) {
      send_error(res, Error{ErrorCode::Malformed, "malformed HTTP request"});
    } else {
      send_error(res, Error{ErrorCode::NotFound, "not found"});
    }
  });
}

WebhookServer::~WebhookServer() {
  stop();
}

std::string WebhookServer::path_for(const Secret& token) {
  return std::string(kPrefix) + token.reveal();
}

std::string WebhookServer::preview_url_of(const std::string& training_webhook_url) {
  const size_t at = training_webhook_url.rfind(kPrefix);
  if (at == std::string::npos) return training_webhook_url;
  return training_webhook_url.substr(0, at) + std::string(kPreviewPrefix) +
         training_webhook_url.substr(at + kPrefix.size());
}

Status WebhookServer::start(const std::string& host, int port) {
  const ListenerSocket listener(*server_);
  if (port == 0) {
    port_ = server_->bind_to_any_port(host.c_str());
  } else {
    port_ = server_->bind_to_port(host.c_str(), port) ? port : -1;
  }
  if (port_ > 0 && !listener.deepen_backlog()) port_ = -1;
  if (port_ <= 0) {
    return Error{ErrorCode::Unavailable, "webhook listener: cannot listen on " + host + ":" +
                                             std::to_string(port) + " (in use?)"};
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return Ok{};
}

void WebhookServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace atr
