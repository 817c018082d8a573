#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/http_answer.h"
#include "support/process.h"

namespace atr::testing {

/// The programs a product test runs. ATR_TEST_BINARY in the environment replaces `trainer`,
/// so the same tests can be run against another build (an older one, to see them fail).
struct Programs {
  std::string trainer;   ///< actor-trainer
  std::string emulator;  ///< the RunPod emulator; empty: none
  std::string node;      ///< node, for s3rver; empty: no S3
  std::string s3rver;    ///< s3rver's bin/s3rver.js
};

/// What one CLI run printed and how it ended.
struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// The product as a user runs it, for tests: s3rver and the RunPod emulator when the programs
/// are given, `actor-trainer serve` on demand, and the CLI, all on 127.0.0.1 with free ports
/// and one environment (RunPod key, endpoint, base URL, S3 settings, public webhook URL).
/// Everything is stopped when it goes out of scope.
class Product {
 public:
  Product(std::filesystem::path workspace, std::filesystem::path logs, Programs programs,
          std::vector<std::string> emulator_args = {});
  ~Product();
  Product(const Product&) = delete;
  Product& operator=(const Product&) = delete;

  /// The environment every run gets; `changes` overrides (an empty value unsets a name).
  [[nodiscard]] std::map<std::string, std::string> env(
      const std::map<std::string, std::string>& changes = {}) const;
  /// Starts `serve` (API on a free port) and waits until it listens.
  void start_serve(const std::vector<std::string>& extra = {},
                   const std::map<std::string, std::string>& env_changes = {});
  /// Stops `serve` with SIGTERM; returns what it printed on stderr.
  std::string stop_serve();
  /// Runs `actor-trainer -w WORKSPACE <args>` (split on spaces) to its end (bounded).
  CliResult cli(const std::string& args,
                const std::map<std::string, std::string>& env_changes = {}) const;

  HttpAnswer get(const std::string& path) const;
  /// A state change as the web page sends it (X-Actor-Trainer, JSON body).
  HttpAnswer post(const std::string& path, const std::string& body = "{}",
                  const std::map<std::string, std::string>& headers = {}) const;
  /// Reads the event stream at `path` until `enough(text)` or `limit`; returns the text.
  std::string read_events(const std::string& path,
                          const std::function<bool(const std::string&)>& enough,
                          std::chrono::seconds limit = std::chrono::seconds(30)) const;
  /// The `data:` documents of every event of `type` in an event-stream text.
  static std::vector<nlohmann::json> events_of(const std::string& text, const std::string& type);
  /// Polls GET /api/training-versions/<id> (bounded) until its status is `status`.
  nlohmann::json wait_for_status(std::int64_t id, const std::string& status) const;
  /// The emulator's /_emulator/stats.
  [[nodiscard]] nlohmann::json emulator_stats() const;

  [[nodiscard]] int api_port() const { return api_port_; }
  /// s3rver's port (buckets `bucket`, `story-boards-assets`, `models-bucket`); 0: no S3.
  [[nodiscard]] int s3_port() const { return s3_port_; }
  [[nodiscard]] int webhook_port() const { return webhook_port_; }
  [[nodiscard]] const std::filesystem::path& workspace() const { return workspace_; }

 private:
  std::filesystem::path workspace_;
  std::filesystem::path logs_;
  Programs programs_;
  std::unique_ptr<ChildProcess> s3rver_;
  std::unique_ptr<ChildProcess> emulator_;
  std::unique_ptr<ChildProcess> serve_;
  int s3_port_ = 0;
  int emulator_port_ = 0;
  int webhook_port_ = 0;
  int api_port_ = 0;
  mutable int runs_ = 0;
};

}  // namespace atr::testing
