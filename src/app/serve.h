#pragma once

#include <string>

#include "app/workspace.h"

namespace atr {

/// Where `serve` listens.
struct ServeOptions {
  std::string webhook_host = "127.0.0.1";
  int webhook_port = 8091;  ///< 0: any free port
};

/// `actor-trainer serve`: holds the workspace's serve lock, starts the webhook listener, the
/// report batcher and the poller (which resumes every unfinished version), prints where it
/// listens, and runs until SIGINT or SIGTERM. Returns the process exit code.
int run_serve(Workspace& workspace, const ServeOptions& options);

}  // namespace atr
