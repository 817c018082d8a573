#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "app/workspace.h"

namespace atr {

/// Where `serve` listens and how it guards the API.
struct ServeOptions {
  std::string host = "127.0.0.1";  ///< API and UI
  int port = 8090;                 ///< 0: any free port
  std::string webhook_host = "127.0.0.1";
  int webhook_port = 8091;        ///< 0: any free port
  std::string auth_token;         ///< bearer token for the API; empty: none
  bool insecure_no_auth = false;  ///< allow a host off loopback without a token
  std::vector<std::string> allow_origins;
  std::filesystem::path ui_dir;  ///< built web UI; empty: the one next to the sources, if built
  int heartbeat_seconds = 15;
  bool start_tunnel = false;  ///< start the ngrok tunnel at start-up
};

/// `actor-trainer serve`: holds the workspace's serve lock, starts the webhook listener, the
/// report batcher, the poller (which resumes every unfinished version), the API server with
/// live events and the registry watcher, prints where it listens, and runs until SIGINT or
/// SIGTERM, then shuts down in order (API requests finish, streams end, tunnel, poller,
/// webhook listener, pending reports committed). Returns the process exit code.
int run_serve(Workspace& workspace, const ServeOptions& options);

/// True for an address only this machine reaches: 127.0.0.0/8, ::1, localhost.
bool is_loopback_host(const std::string& host);

}  // namespace atr
