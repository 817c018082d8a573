#include "app/serve.h"

#include <csignal>
#include <iostream>

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <unistd.h>

#include "app/tracking.h"
#include "http/webhook_server.h"

namespace atr {
namespace {

constexpr int kExitFailure = 1;

// Held for the life of the process: a second `serve` on the same workspace would double the
// poller's request budget and race the first one's listener.
int lock_workspace(const std::filesystem::path& root) {
  std::error_code ec;
  std::filesystem::create_directories(root / ".actor-trainer", ec);
  const std::filesystem::path path = root / ".actor-trainer" / "serve.lock";
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

}  // namespace

int run_serve(Workspace& w, const ServeOptions& options) {
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

  ReportBatcher batcher(*w.trainings);
  WebhookServer webhooks(
      w.webhook_token, [&](const JobReport& report) { return batcher.ingest(report); },
      [](const JobReport& report, const ReportOutcome& outcome) {
        if (outcome.version_id == 0) {
          std::cerr << "webhook: job " << report.job_id << " (" << report.raw_status
                    << ") matches no version\n";
        } else if (outcome.duplicate_webhook && !outcome.changed) {
          std::cerr << "webhook: duplicate for job " << report.job_id << " ignored\n";
        }
      });
  if (Status started = webhooks.start(options.webhook_host, options.webhook_port); !started) {
    std::cerr << "serve: " << started.error().message << "\n";
    return kExitFailure;
  }
  Poller poller(*w.trainings, *w.store, w.clock, w.config.settings.tracking,
                [last = std::map<std::int64_t, std::string>()](const Version& v) mutable {
                  std::string line = describe(v);
                  if (last[v.id] != line) std::cerr << "poll: " << line << "\n";
                  last[v.id] = std::move(line);
                });
  poller.start();

  std::cout << "webhook listener: http://" << options.webhook_host << ":" << webhooks.port()
            << "/api/training-webhook/<token>" << std::endl;
  if (!w.config.settings.public_webhook_base_url) {
    std::cout << "no PUBLIC_WEBHOOK_BASE_URL: RunPod gets no webhook; jobs are tracked by polling"
              << std::endl;
  }
  std::cout << "serving " << w.root.string() << " (Ctrl-C stops)" << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  std::cout << "stopping" << std::endl;
  poller.stop();
  webhooks.stop();
  ::close(lock);
  return 0;
}

}  // namespace atr
