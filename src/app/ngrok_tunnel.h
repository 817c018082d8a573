#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "base/secret.h"
#include "core/tunnel.h"
#include "net/http_client.h"

namespace atr {

/// Runs `ngrok http 127.0.0.1:<webhook port>` as a child process and reads its public https
/// URL from the agent's local API (`<api_url>/api/tunnels`). The authtoken goes to the child
/// in its environment (NGROK_AUTHTOKEN), never on its command line or in a log. The child's
/// output goes to `<workspace>/.actor-trainer/ngrok.log`. Stopped (SIGTERM, then SIGKILL) by
/// stop() and by the destructor, so it never outlives `serve`.
class NgrokTunnel final : public Tunnel {
 public:
  using Notify = std::function<void(const TunnelStatus&)>;

  NgrokTunnel(int webhook_port, Secret authtoken, std::string api_url,
              std::filesystem::path log_file, HttpClient& http, Notify notify);
  ~NgrokTunnel() override;
  NgrokTunnel(const NgrokTunnel&) = delete;
  NgrokTunnel& operator=(const NgrokTunnel&) = delete;

  [[nodiscard]] TunnelStatus status() const override;
  [[nodiscard]] Result<TunnelStatus> start() override;
  TunnelStatus stop() override;

  /// The full path of `ngrok` on PATH, or empty.
  static std::string find_binary();

 private:
  void set_state(TunnelState state, std::string url, std::string message);
  void watch_child();
  std::string read_public_url();
  void stop_child();

  int webhook_port_;
  Secret authtoken_;
  std::string api_url_;
  std::filesystem::path log_file_;
  HttpClient& http_;
  Notify notify_;

  mutable std::mutex mutex_;
  std::condition_variable exited_;
  TunnelStatus status_;
  int pid_ = -1;
  bool child_exited_ = false;
  std::thread watcher_;
};

}  // namespace atr
