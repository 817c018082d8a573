#include "app/serve.h"

#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_json.h"
#include "app/api_host.h"
#include "app/tracking.h"
#include "cli/output.h"
#include "http/api_server.h"
#include "http/event_hub.h"
#include "http/webhook_server.h"
#include "images/vips_thumbnailer.h"

namespace atr {
namespace {

namespace fs = std::filesystem;
constexpr int kExitFailure = cli::kExitOther;

// Held for the life of the process: a second `serve` on the same workspace would double the
// poller's request budget and race the first one's listener.
int lock_workspace(const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root / ".actor-trainer", ec);
  const fs::path path = root / ".actor-trainer" / "serve.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string describe(const Version& v) {
  std::string out = v.actor_id + " " + v.name + " " + std::string(to_string(v.status));
  if (v.progress && v.progress->percent) {
    out += " " + std::to_string(static_cast<int>(*v.progress->percent)) + "%";
  }
  return out;
}

// Re-reads actors.json when another tool changed it (checked once a second), so the API
// serves the current registry, and keeps the last good copy when the new text is malformed.
class RegistryWatcher {
 public:
  RegistryWatcher(ActorRegistry& registry, fs::path file, EventHub& events)
      : registry_(registry), file_(std::move(file)), events_(events) {
    stamp_ = stamp();
    thread_ = std::thread([this] { run(); });
  }
  ~RegistryWatcher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  RegistryWatcher(const RegistryWatcher&) = delete;
  RegistryWatcher& operator=(const RegistryWatcher&) = delete;

 private:
  std::string stamp() const {
    struct stat info {};
    if (::stat(file_.c_str(), &info) != 0) return {};
    return std::to_string(info.st_ino) + ':' + std::to_string(info.st_size) + ':' +
           std::to_string(info.st_mtim.tv_sec) + '.' + std::to_string(info.st_mtim.tv_nsec);
  }
  void run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
      std::string now = stamp();
      if (now == stamp_) continue;
      stamp_ = now;
      Status reloaded = registry_.reload();
      ::malloc_trim(0);  // the parse's temporary JSON tree is freed; give the pages back
      nlohmann::ordered_json doc;
      if (reloaded) {
        doc["actors"] = registry_.catalog()->actors().size();
        std::cerr << "registry: reloaded " << file_.filename().string() << "\n";
      } else {
        doc["error"] = reloaded.error().message;
        std::cerr << "registry: keeping the last good copy: " << reloaded.error().message << "\n";
      }
      events_.publish("registry", "", 0, doc.dump());
    }
  }

  ActorRegistry& registry_;
  fs::path file_;
  EventHub& events_;
  std::string stamp_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

fs::path default_ui_dir(const fs::path& configured) {
  if (!configured.empty()) return configured;
#ifdef ATR_DEFAULT_UI_DIR
  return fs::path(ATR_DEFAULT_UI_DIR);
#else
  return {};
#endif
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

int run_serve(Workspace& w, const ServeOptions& options) {
  if (!is_loopback_host(options.host) && options.auth_token.empty()) {
    if (!options.insecure_no_auth) {
      std::cerr << "serve: refusing to listen on " << options.host
                << " without --auth-token (or ACTOR_TRAINER_AUTH_TOKEN): anyone who can reach "
                   "it could start paid trainings. Give a token, keep --host 127.0.0.1, or "
                   "pass --insecure-no-auth to accept the risk\n";
      return cli::kExitUsage;
    }
    std::cerr << "serve: WARNING: --insecure-no-auth: the API listens on " << options.host
              << " with no token; anyone who can reach it can start paid trainings\n";
  }
  const int lock = lock_workspace(w.root);
  if (lock < 0) {
    std::cerr << "serve: another actor-trainer serve is running on " << w.root.string() << "\n";
    return kExitFailure;
  }
  // Every thread started below inherits this mask, so only sigwait() sees the signals.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Reading actors.json built a temporary JSON tree of several times the file's size; glibc
  // keeps freed pages unless asked, and serve runs for weeks.
  ::malloc_trim(0);
  Metrics& metrics = *w.metrics;
  ApiHost host(w, metrics);  // observes the store from here on: live events

  Poller poller(*w.trainings, *w.store, w.clock, w.config.settings.tracking,
                [last = std::map<std::int64_t, std::string>()](const Version& v) mutable {
                  std::string line = describe(v);
                  if (last[v.id] != line) std::cerr << "poll: " << line << "\n";
                  last[v.id] = std::move(line);
                });
  poller.use_previews(w.previews.get(), w.preview_store, w.config.settings.preview.automatic);
  ReportBatcher batcher(*w.trainings);
  WebhookServer webhooks(
      w.webhook_token, [&](const JobReport& report) { return batcher.ingest(report); },
      [&metrics, &poller](const JobReport& report, const ReportOutcome& outcome) {
        // Called after the answer is decided; the confirmation runs on the poller's thread.
        if (outcome.needs_confirmation) poller.confirm(outcome.version_id, report.job_id);
        const char* result = outcome.version_id == 0                         ? "unmatched"
                             : outcome.needs_confirmation                    ? "to_confirm"
                             : outcome.duplicate_webhook && !outcome.changed ? "duplicate"
                                                                             : "applied";
        metrics.add("atr_webhook_receipts_total", "webhook reports received, by result",
                    {{"result", result}});
        if (outcome.version_id == 0) {
          std::cerr << "webhook: job " << report.job_id << " (" << report.raw_status
                    << ") matches no version\n";
        } else if (outcome.duplicate_webhook && !outcome.changed) {
          std::cerr << "webhook: duplicate for job " << report.job_id << " ignored\n";
        }
      });
  webhooks.on_preview_webhook(
      [&poller](const std::string& job_id) { poller.hint_preview(job_id); });
  if (Status started = webhooks.start(options.webhook_host, options.webhook_port); !started) {
    std::cerr << "serve: " << started.error().message << "\n";
    ::close(lock);
    return kExitFailure;
  }

  BatchRunner batch_runner(*w.batches, [&host, &w](std::int64_t id) {
    Result<Batch> batch = w.batch_store->get_batch(id);
    if (!batch) return;
    int left = 0;
    for (const BatchEntry& e : batch->entries) {
      left += e.state == "waiting" ? 1 : 0;
    }
    std::cerr << "batch " << id << ": " << batch->state << ", " << left << " waiting\n";
    host.events().publish("batch", "", id,
                          nlohmann::json{{"id", id}, {"state", batch->state}}.dump());
  });
  host.on_batch_started([&batch_runner] { batch_runner.wake(); });

  ApiOptions api_options;
  api_options.host = options.host;
  api_options.port = options.port;
  api_options.auth_token = Secret(options.auth_token);
  api_options.extra_origins = options.allow_origins;
  api_options.ui_dir = default_ui_dir(options.ui_dir);
  api_options.heartbeat = std::chrono::seconds(options.heartbeat_seconds);
  if (Status started = host.start(api_options, webhooks.port()); !started) {
    std::cerr << "serve: " << started.error().message << "\n";
    webhooks.stop();
    ::close(lock);
    return kExitFailure;
  }
  RegistryWatcher watcher(*w.registry, w.root / "actors.json", host.events());

  poller.start();
  batch_runner.start();

  std::cout << "webhook listener: http://" << options.webhook_host << ":" << webhooks.port()
            << "/api/training-webhook/<token>" << std::endl;
  if (options.start_tunnel) {
    Result<TunnelStatus> t = host.tunnel().start();
    if (!t) std::cerr << "serve: tunnel not started: " << t.error().message << "\n";
  }
  if (!w.config.settings.public_webhook_base_url && w.tunnel_url().empty()) {
    std::cout << "no PUBLIC_WEBHOOK_BASE_URL and no tunnel: RunPod gets no webhook; jobs are "
                 "tracked by polling (start the ngrok tunnel from the UI or with --ngrok)"
              << std::endl;
  }
  std::cout << "API and UI: http://" << options.host << ":" << host.port() << "/" << std::endl;
  std::cout << "serving " << w.root.string() << " (Ctrl-C stops)" << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  std::cout << "stopping" << std::endl;
  host.stop();  // live streams end; requests in flight finish; the tunnel stops
  batch_runner.stop();
  poller.stop();
  webhooks.stop();
  ::close(lock);
  std::cout << "stopped" << std::endl;
  return 0;
}

}  // namespace atr
