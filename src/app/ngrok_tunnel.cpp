#include "app/ngrok_tunnel.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <vector>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/strings.h"

// POSIX, for posix_spawn.
extern char**
    environ;  // NOLINT(readability-redundant-declaration,cppcoreguidelines-avoid-non-const-global-variables)

namespace atr {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr auto kUrlWait = 20s;
constexpr auto kPollEvery = 200ms;
constexpr auto kStopWait = 5s;

// The last non-empty line the agent wrote, to say why it stopped.
std::string last_line_of(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (!is_blank(line)) last = line;
  }
  return last.size() > 300 ? last.substr(last.size() - 300) : last;
}

}  // namespace

NgrokTunnel::NgrokTunnel(int webhook_port, Secret authtoken, std::string api_url, fs::path log_file,
                         HttpClient& http, Notify notify)
    : webhook_port_(webhook_port),
      authtoken_(std::move(authtoken)),
      api_url_(std::move(api_url)),
      log_file_(std::move(log_file)),
      http_(http),
      notify_(std::move(notify)) {
  status_.token_configured = !authtoken_.empty();
  status_.binary_found = !find_binary().empty();
}

NgrokTunnel::~NgrokTunnel() {
  stop_child();
}

std::string NgrokTunnel::find_binary() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return {};
  for (const std::string& dir : split(path, ':')) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / "ngrok";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

TunnelStatus NgrokTunnel::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void NgrokTunnel::set_state(TunnelState state, std::string url, std::string message) {
  TunnelStatus copy;
  {
    std::lock_guard lock(mutex_);
    status_.state = state;
    status_.public_url = std::move(url);
    status_.message = std::move(message);
    copy = status_;
  }
  if (notify_) notify_(copy);
}

Result<TunnelStatus> NgrokTunnel::start() {
  const std::string binary = find_binary();
  {
    std::lock_guard lock(mutex_);
    status_.binary_found = !binary.empty();
    if (status_.state == TunnelState::Running || status_.state == TunnelState::Starting) {
      return status_;
    }
  }
  if (binary.empty()) {
    const std::string why = "ngrok is not installed: no `ngrok` program on PATH";
    set_state(TunnelState::Failed, "", why);
    return Error{ErrorCode::Unavailable, why};
  }
  if (authtoken_.empty()) {
    const std::string why =
        "NGROK_AUTHTOKEN is not set: put it in the environment or the workspace's .env";
    set_state(TunnelState::Failed, "", why);
    return Error{ErrorCode::Unavailable, why};
  }
  if (watcher_.joinable()) watcher_.join();  // the previous child's watcher has finished
  set_state(TunnelState::Starting, "", "");

  std::vector<std::string> args = {binary, "http", "127.0.0.1:" + std::to_string(webhook_port_),
                                   "--log", "stdout"};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).starts_with("NGROK_AUTHTOKEN=")) continue;
    env_text.emplace_back(*e);
  }
  env_text.push_back("NGROK_AUTHTOKEN=" + authtoken_.reveal());
  std::vector<char*> envp;
  envp.reserve(env_text.size() + 1);
  for (std::string& e : env_text) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_file_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // serve blocks SIGINT/SIGTERM for sigwait(); the agent must get them normally.
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int spawned =
      posix_spawn(&pid, binary.c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) {
    const std::string why = "could not start " + binary + ": " + std::strerror(spawned);
    set_state(TunnelState::Failed, "", why);
    return Error{ErrorCode::Unavailable, why};
  }
  {
    std::lock_guard lock(mutex_);
    pid_ = pid;
    child_exited_ = false;
  }
  watcher_ = std::thread([this] { watch_child(); });

  const auto deadline = std::chrono::steady_clock::now() + kUrlWait;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::unique_lock lock(mutex_);
      if (exited_.wait_for(lock, kPollEvery, [this] { return child_exited_; })) break;
    }
    std::string url = read_public_url();
    if (!url.empty()) {
      set_state(TunnelState::Running, url, "");
      return status();
    }
  }
  bool exited = false;
  {
    std::lock_guard lock(mutex_);
    exited = child_exited_;
  }
  const std::string why =
      exited ? "ngrok exited: " + last_line_of(log_file_)
             : "ngrok started but its agent API (" + api_url_ + ") gave no https URL in time";
  stop_child();
  set_state(TunnelState::Failed, "", why);
  return Error{ErrorCode::Unavailable, why};
}

std::string NgrokTunnel::read_public_url() {
  HttpRequest request;
  request.url = api_url_ + "/api/tunnels";
  request.connect_timeout = 1s;
  request.timeout = 2s;
  // The agent is stopped with the tunnel; a kept connection would make it wait 5 s for it.
  request.keep_connection = false;
  HttpResponse response = http_.send(request);
  if (response.outcome != HttpResponse::Outcome::Answered || response.status != 200) return {};
  const nlohmann::json doc = nlohmann::json::parse(response.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("tunnels") || !doc["tunnels"].is_array()) return {};
  for (const nlohmann::json& tunnel : doc["tunnels"]) {
    if (!tunnel.is_object()) continue;
    std::string url = tunnel.value("public_url", "");
    if (url.starts_with("https://")) return url;
  }
  return {};
}

void NgrokTunnel::watch_child() {
  int pid = -1;
  {
    std::lock_guard lock(mutex_);
    pid = pid_;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  bool unexpected = false;
  {
    std::lock_guard lock(mutex_);
    child_exited_ = true;
    pid_ = -1;
    unexpected = status_.state == TunnelState::Running;
  }
  exited_.notify_all();
  if (unexpected) set_state(TunnelState::Failed, "", "ngrok exited: " + last_line_of(log_file_));
}

void NgrokTunnel::stop_child() {
  int pid = -1;
  {
    std::lock_guard lock(mutex_);
    pid = pid_;
    // Marked off first, so the watcher does not report the exit we cause as a failure.
    status_.state = TunnelState::Off;
  }
  if (pid > 0) {
    ::kill(pid, SIGTERM);
    std::unique_lock lock(mutex_);
    if (!exited_.wait_for(lock, kStopWait, [this] { return child_exited_; })) {
      ::kill(pid, SIGKILL);
    }
  }
  if (watcher_.joinable()) watcher_.join();
}

TunnelStatus NgrokTunnel::stop() {
  stop_child();
  set_state(TunnelState::Off, "", "");
  return status();
}

}  // namespace atr
